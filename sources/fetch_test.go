package sources

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixtureServer serves testdata files by path with the given content types
// and records the requests it got.
type fixtureServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
}

func newFixtureServer(t *testing.T, h http.HandlerFunc) *fixtureServer {
	t.Helper()
	fs := &fixtureServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.requests = append(fs.requests, r.Clone(context.Background()))
		fs.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *fixtureServer) lastRequest(t *testing.T) *http.Request {
	t.Helper()
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.requests) == 0 {
		t.Fatal("server got no request")
	}
	return fs.requests[len(fs.requests)-1]
}

func serveFixture(t *testing.T, w http.ResponseWriter, name, contentType string) {
	t.Helper()
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(readFixture(t, name))
}

func TestFetchConditionalGet(t *testing.T) {
	const etag = `"v1"`
	const lastMod = "Tue, 05 Mar 2024 14:30:00 GMT"
	srv := newFixtureServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		w.Header().Set("Cache-Control", "public, max-age=600")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		serveFixture(t, w, "rss2.xml", "application/rss+xml")
	})
	ctx := context.Background()
	req := Request{Source: Source{Name: "news", URL: srv.URL + "/rss.xml"}}

	first, err := Fetch(ctx, srv.Client(), req)
	if err != nil {
		t.Fatalf("first fetch: %v", err)
	}
	if first.NotModified || len(first.Articles) != 7 {
		t.Fatalf("first fetch: NotModified=%v, %d articles; want 7 articles", first.NotModified, len(first.Articles))
	}
	if first.ETag != etag || first.LastModified != lastMod {
		t.Errorf("validators = %q, %q; want %q, %q", first.ETag, first.LastModified, etag, lastMod)
	}
	if first.MaxAge != 10*time.Minute {
		t.Errorf("MaxAge = %v, want 10m", first.MaxAge)
	}
	if first.URL != req.URL || first.Articles[0].Source != "news" || first.Articles[0].Origin != req.URL {
		t.Errorf("URL = %q, source = %q, origin = %q", first.URL, first.Articles[0].Source, first.Articles[0].Origin)
	}
	if got := srv.lastRequest(t).Header.Get("Accept"); !strings.HasPrefix(got, "application/feed+json, application/atom+xml, application/rss+xml") {
		t.Errorf("Accept = %q, want feed types first", got)
	}
	if got := srv.lastRequest(t).Header.Get("If-None-Match"); got != "" {
		t.Errorf("unconditional fetch sent If-None-Match %q", got)
	}

	req.ETag, req.LastModified = first.ETag, first.LastModified
	second, err := Fetch(ctx, srv.Client(), req)
	if err != nil {
		t.Fatalf("conditional fetch: %v", err)
	}
	if !second.NotModified || len(second.Articles) != 0 {
		t.Fatalf("conditional fetch: NotModified=%v, %d articles; want NotModified", second.NotModified, len(second.Articles))
	}
	if second.ETag != etag || second.LastModified != lastMod {
		t.Errorf("validators after 304 = %q, %q; want them kept", second.ETag, second.LastModified)
	}
	r := srv.lastRequest(t)
	if r.Header.Get("If-None-Match") != etag || r.Header.Get("If-Modified-Since") != lastMod {
		t.Errorf("conditional request headers = %q, %q", r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since"))
	}
}

func TestFetchHTTPErrors(t *testing.T) {
	retryAt := time.Now().Add(2 * time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		status     int
		retryAfter string
		wantMin    time.Duration
		wantMax    time.Duration
	}{
		{"503 with seconds", http.StatusServiceUnavailable, "120", 120 * time.Second, 120 * time.Second},
		{"429 with http date", http.StatusTooManyRequests, retryAt, 2*time.Hour - 5*time.Minute, 2 * time.Hour},
		{"404 without retry-after", http.StatusNotFound, "", 0, 0},
		{"500 with garbage retry-after", http.StatusInternalServerError, "soon", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFixtureServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				http.Error(w, "nope", tt.status)
			})
			url := srv.URL + "/feed"
			_, err := Fetch(context.Background(), srv.Client(), Request{Source: Source{URL: url}})
			var he *HTTPError
			if !errors.As(err, &he) {
				t.Fatalf("err = %v (%T), want *HTTPError", err, err)
			}
			if he.StatusCode != tt.status || he.URL != url {
				t.Errorf("HTTPError = %+v", he)
			}
			if he.RetryAfter < tt.wantMin || he.RetryAfter > tt.wantMax {
				t.Errorf("RetryAfter = %v, want between %v and %v", he.RetryAfter, tt.wantMin, tt.wantMax)
			}
			if msg := he.Error(); !strings.HasPrefix(msg, "http ") || !strings.Contains(msg, http.StatusText(tt.status)) || !strings.HasSuffix(msg, " from "+url) {
				t.Errorf("Error() = %q", msg)
			}
		})
	}
}

func TestHTTPErrorMessage(t *testing.T) {
	e := &HTTPError{URL: "https://example.com/feed", StatusCode: 503}
	if got, want := e.Error(), "http 503 Service Unavailable from https://example.com/feed"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestFetchDiscovery(t *testing.T) {
	srv := newFixtureServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/blog/":
			w.Header().Set("ETag", `"page"`)
			serveFixture(t, w, "page-with-feed.html", "text/html; charset=utf-8")
		case "/blog/feeds/atom.xml": // the first advertised feed, relative href
			w.Header().Set("ETag", `"feed"`)
			serveFixture(t, w, "atom10.xml", "application/atom+xml")
		case "/rss.xml":
			t.Errorf("the second advertised feed was fetched")
		case "/bare":
			serveFixture(t, w, "listing.html", "text/html")
		case "/moved":
			http.Redirect(w, r, "/blog/", http.StatusMovedPermanently)
		default:
			http.NotFound(w, r)
		}
	})
	ctx := context.Background()

	t.Run("first advertised feed", func(t *testing.T) {
		res, err := Fetch(ctx, srv.Client(), Request{Source: Source{Name: "blog", URL: srv.URL + "/moved"}})
		if err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		want := srv.URL + "/blog/feeds/atom.xml"
		if res.FeedURL != want || res.URL != want {
			t.Errorf("FeedURL = %q, URL = %q; want %q", res.FeedURL, res.URL, want)
		}
		if res.Title != "Atom Blog" || len(res.Articles) != 2 {
			t.Fatalf("title %q, %d articles", res.Title, len(res.Articles))
		}
		if res.Articles[0].Origin != want || res.Articles[0].Source != "blog" {
			t.Errorf("origin = %q, source = %q", res.Articles[0].Origin, res.Articles[0].Source)
		}
		if res.ETag != "" {
			t.Errorf("ETag = %q after discovery, want empty (it would belong to another URL)", res.ETag)
		}
	})
	t.Run("page without feed", func(t *testing.T) {
		_, err := Fetch(ctx, srv.Client(), Request{Source: Source{URL: srv.URL + "/bare"}})
		if err == nil || !strings.Contains(err.Error(), "no feed found in HTML page "+srv.URL+"/bare (set kind: page with selectors to scrape it)") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestFetchKindPage(t *testing.T) {
	srv := newFixtureServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"list"`)
		serveFixture(t, w, "listing.html", "text/html; charset=utf-8")
	})
	req := Request{Source: Source{
		Name: "press", URL: srv.URL + "/press/", Kind: "page", MaxItems: 2,
		Selectors: Selectors{Item: "li.entry", Title: ".headline", Link: ".headline a", Summary: ".teaser", Date: ".date"},
	}}
	res, err := Fetch(context.Background(), srv.Client(), req)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if len(res.Articles) != 2 {
		t.Fatalf("got %d articles, want 2 (MaxItems)", len(res.Articles))
	}
	a := res.Articles[0]
	if a.Link != srv.URL+"/press/2024/launch" || a.ID != a.Link || a.Source != "press" || a.Title != "Product launch" {
		t.Errorf("article = %+v", a)
	}
	if res.Title != "Press releases" || res.ETag != `"list"` {
		t.Errorf("title %q etag %q", res.Title, res.ETag)
	}
	if got := srv.lastRequest(t).Header.Get("Accept"); !strings.HasPrefix(got, "text/html") {
		t.Errorf("Accept = %q for a page", got)
	}

	req.Selectors.Item = ""
	if _, err := Fetch(context.Background(), srv.Client(), req); err == nil || !strings.Contains(err.Error(), "item selector") {
		t.Errorf("empty item selector: err = %v", err)
	}
}

func TestFetchErrors(t *testing.T) {
	srv := newFixtureServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(`<rss version="2.0"><channel><title>x</title><item><title>`))
		_, _ = w.Write([]byte(strings.Repeat("<a>", 10)))
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Fetch(ctx, srv.Client(), Request{Source: Source{URL: srv.URL}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
	if _, err := Fetch(context.Background(), srv.Client(), Request{Source: Source{URL: srv.URL, Kind: "pdf"}}); err == nil || !strings.Contains(err.Error(), `unknown kind "pdf"`) {
		t.Errorf("bad kind: err = %v", err)
	}
	if _, err := Fetch(context.Background(), srv.Client(), Request{Source: Source{URL: "::not a url"}}); err == nil {
		t.Error("bad URL: no error")
	}
}

func TestDiscoverFeed(t *testing.T) {
	tests := []struct {
		name, page, want string
	}{
		{"relative href", `<link rel="alternate" type="application/rss+xml" href="feed.xml">`, "https://site.example/a/feed.xml"},
		{"base href", `<base href="https://cdn.example/x/"><link rel="alternate" type="application/atom+xml" href="atom">`, "https://cdn.example/x/atom"},
		{"json feed with params", `<link rel="Alternate home" type="application/feed+json; charset=utf-8" href="/f.json">`, "https://site.example/f.json"},
		{"document order among feed types", `<link rel="alternate" type="application/atom+xml" href="/1"><link rel="alternate" type="application/rss+xml" href="/2">`, "https://site.example/1"},
		{"rss over plain json", `<link rel="alternate" type="application/json" href="/feed.json"><link rel="alternate" type="application/rss+xml" href="/2">`, "https://site.example/2"},
		{"wordpress rest api", `<link rel="alternate" type="application/json" title="JSON" href="https://site.example/wp-json/wp/v2/posts/1"><link rel="alternate" type="application/rss+xml" title="Site &raquo; Feed" href="https://site.example/feed/">`, "https://site.example/feed/"},
		{"wordpress rest api only", `<link rel="alternate" type="application/json" href="https://site.example/wp-json/wp/v2/posts/1"><link rel="alternate" type="application/json" href="/?rest_route=/wp/v2/posts/1&feed=x">`, ""},
		{"plain json api only", `<link rel="alternate" type="application/json" href="/api/posts/1">`, ""},
		{"json feed named by href", `<link rel="alternate" type="application/json" href="/api/posts/1"><link rel="alternate" type="application/json" href="/feed.json">`, "https://site.example/feed.json"},
		{"json feed named by title", `<link rel="alternate" type="application/json" title="My Blog JSON Feed" href="/index.json">`, "https://site.example/index.json"},
		{"not alternate", `<link rel="stylesheet" type="application/rss+xml" href="/x">`, ""},
		{"html alternate", `<link rel="alternate" type="text/html" href="/fr">`, ""},
		{"javascript href", `<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := discoverFeed([]byte("<html><head>"+tt.page+"</head></html>"), "https://site.example/a/b"); got != tt.want {
				t.Errorf("discoverFeed = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFetchKindPageUnmatched: Result.Unmatched names the selectors of a
// page source that matched nothing in any item, so that a selector that
// never fits is seen; one matching in some item, one reading the item
// itself ("@attr") and one left to its default are not named.
func TestFetchKindPageUnmatched(t *testing.T) {
	page := `<html><body>
<div class="post"><h2><a href="/a">A</a></h2><time datetime="2026-01-01T10:00:00Z">x</time></div>
<div class="post" data-img="https://img.example/b.jpg"><h2><a href="/b">B</a></h2><p class="teaser">Only here</p></div>
</body></html>`
	srv := newFixtureServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	})
	tests := []struct {
		name string
		sel  Selectors
		want []string
	}{
		{"all match somewhere", Selectors{Item: "div.post", Title: "h2", Link: "h2 a", Summary: ".teaser", Date: "time@datetime"}, nil},
		{"defaults", Selectors{Item: "div.post"}, nil},
		{"item attribute", Selectors{Item: "div.post", Image: "@data-img"}, nil},
		{"two never match", Selectors{Item: "div.post", Title: "h3.headline", Link: "h2 a", Summary: ".summary", Date: "span.date"}, []string{"title", "summary", "date"}},
		{"image", Selectors{Item: "div.post", Image: "figure img"}, []string{"image"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Fetch(context.Background(), srv.Client(), Request{Source: Source{Name: "s", URL: srv.URL, Kind: KindPage, Selectors: tt.sel}})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(res.Unmatched, ",") != strings.Join(tt.want, ",") {
				t.Errorf("Unmatched = %q, want %q", res.Unmatched, tt.want)
			}
		})
	}
}
