package sources

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestFetchDiscoveryWordPress: a WordPress page advertises its REST API
// (application/json) before its RSS feed; discovery takes the feed.
func TestFetchDiscoveryWordPress(t *testing.T) {
	srv := newFixtureServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/2024/05/hello-world/":
			w.Header().Set("Content-Type", "text/html; charset=UTF-8")
			_, _ = w.Write([]byte(`<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8"><title>Hello world! – Site</title>
<link rel="https://api.w.org/" href="/wp-json/">
<link rel="alternate" title="JSON" type="application/json" href="/wp-json/wp/v2/posts/1">
<link rel="alternate" type="application/rss+xml" title="Site &raquo; Feed" href="/feed/">
<link rel="alternate" type="application/rss+xml" title="Site &raquo; Comments Feed" href="/comments/feed/">
</head><body><article><h1>Hello world!</h1></article></body></html>`))
		case "/wp-json/wp/v2/posts/1":
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			_, _ = w.Write([]byte(`{"id":1,"title":{"rendered":"Hello world!"},"content":{"rendered":"<p>Welcome</p>"}}`))
		case "/feed/":
			serveFixture(t, w, "rss2.xml", "application/rss+xml; charset=UTF-8")
		default:
			http.NotFound(w, r)
		}
	})
	res, err := Fetch(context.Background(), srv.Client(), Request{Source: Source{Name: "wp", URL: srv.URL + "/2024/05/hello-world/"}})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if want := srv.URL + "/feed/"; res.FeedURL != want {
		t.Errorf("FeedURL = %q, want %q", res.FeedURL, want)
	}
	if len(res.Articles) == 0 {
		t.Errorf("no articles from the discovered feed")
	}
}

// TestScrapeUndeclaredUTF8 scrapes a UTF-8 listing page whose charset is
// declared nowhere the standard's prescan looks (no Content-Type charset,
// the <meta> after 1024 bytes of inline script) as UTF-8, not as the
// windows-1252 fallback; a windows-1252 page without a declaration keeps
// the fallback.
func TestScrapeUndeclaredUTF8(t *testing.T) {
	const title = "Café “news”"
	script := "<script>var config = {" + strings.Repeat(`"key": "value", `, 100) + "};</script>"
	utf8Page := `<!DOCTYPE html><html><head>` + script + `<meta charset="utf-8"><title>Press</title></head><body>
<ul><li class="entry"><a class="headline" href="/2024/cafe">` + title + `</a></li></ul></body></html>`
	latinPage := strings.NewReplacer("é", "\xe9", "“", "\x93", "”", "\x94").Replace(strings.Replace(utf8Page, `<meta charset="utf-8">`, "", 1))
	sel := Selectors{Item: "li.entry", Title: ".headline", Link: ".headline a"}

	pages := map[string]string{"/utf8": utf8Page, "/latin": latinPage}
	srv := newFixtureServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(pages[r.URL.Path]))
	})
	for _, path := range []string{"/utf8", "/latin"} {
		t.Run("fetch "+path, func(t *testing.T) {
			res, err := Fetch(context.Background(), srv.Client(), Request{Source: Source{Name: "press", URL: srv.URL + path, Kind: "page", Selectors: sel}})
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if len(res.Articles) != 1 || res.Articles[0].Title != title {
				t.Fatalf("articles = %+v, want one titled %q", res.Articles, title)
			}
		})
		t.Run("scrape "+path, func(t *testing.T) {
			arts, err := Scrape([]byte(pages[path]), "https://press.example/", "press", sel, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if len(arts) != 1 || arts[0].Title != title {
				t.Fatalf("articles = %+v, want one titled %q", arts, title)
			}
		})
	}
}
