package server

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/publish"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/sqlite"
)

// countingReader counts the article reads that reach the store, to prove
// renderings are cached.
type countingReader struct {
	store.Store
	reads int
}

func (c *countingReader) Articles(ctx context.Context, q store.Query) ([]feeds.Article, error) {
	c.reads++
	return c.Store.Articles(ctx, q)
}

func setup(t testing.TB) (*httptest.Server, store.Store, *countingReader) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var arts []feeds.Article
	for i, src := range []string{"a", "a", "b"} {
		arts = append(arts, feeds.Article{
			ID: "id-" + string(rune('0'+i)), Source: src, Title: "Story " + string(rune('0'+i)),
			Link: "https://example.com/" + string(rune('0'+i)), Summary: "<p>Summary</p>",
			Authors:   []feeds.Author{{Name: "Jane Doe", URL: "https://example.com/jane"}},
			Published: base.Add(time.Duration(i) * time.Hour), FetchedAt: base,
		})
	}
	if _, err := st.UpsertArticles(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	cr := &countingReader{Store: st}
	pub := publish.New(cr, publish.Options{
		BaseURL: "http://feeds.test", Generator: "Tributary test",
		Feeds: []publish.Feed{
			{Name: "all", Title: "Everything", Sources: []string{"a", "b"}, Limit: 50},
			{Name: "only-b", Sources: []string{"b"}, Limit: 50},
		},
	})
	// A stand-in for the daemon's Prometheus handler: the server only mounts it.
	promStub := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = io.WriteString(w, "# metrics\n")
	})
	srv := httptest.NewServer(New(Options{Title: "Test", Publisher: pub, Metrics: promStub,
		Health: func(ctx context.Context) error { _, err := st.Version(ctx); return err }}))
	t.Cleanup(srv.Close)
	return srv, st, cr
}

func get(t *testing.T, method, url string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	// A transport that does not add Accept-Encoding or decompress by itself.
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestFeedsServedInEveryFormat(t *testing.T) {
	srv, _, _ := setup(t)
	for _, tc := range []struct{ ext, ctype string }{
		{"rss", "application/rss+xml; charset=utf-8"},
		{"atom", "application/atom+xml; charset=utf-8"},
		{"json", "application/feed+json; charset=utf-8"},
	} {
		t.Run(tc.ext, func(t *testing.T) {
			resp, body := get(t, "GET", srv.URL+"/feeds/all."+tc.ext, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != tc.ctype {
				t.Errorf("Content-Type %q, want %q", got, tc.ctype)
			}
			if resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
				t.Error("missing validators")
			}
			f, err := gofeed.NewParser().ParseString(string(body))
			if err != nil {
				t.Fatalf("parse own output: %v", err)
			}
			if len(f.Items) != 3 || f.Items[0].Title != "Story 2" || f.Title != "Everything" {
				t.Fatalf("feed %q with %d items, first %q", f.Title, len(f.Items), f.Items[0].Title)
			}
			// HEAD: same headers, no body.
			hresp, hbody := get(t, "HEAD", srv.URL+"/feeds/all."+tc.ext, nil)
			if hresp.StatusCode != 200 || len(hbody) != 0 || hresp.Header.Get("ETag") != resp.Header.Get("ETag") {
				t.Errorf("HEAD: status %d, %d body bytes, etag %q", hresp.StatusCode, len(hbody), hresp.Header.Get("ETag"))
			}
		})
	}
}

func TestSelectsFeedSources(t *testing.T) {
	srv, _, _ := setup(t)
	_, body := get(t, "GET", srv.URL+"/feeds/only-b.json", nil)
	var jf struct {
		Items []struct{ Title string } `json:"items"`
	}
	if err := json.Unmarshal(body, &jf); err != nil {
		t.Fatal(err)
	}
	if len(jf.Items) != 1 || jf.Items[0].Title != "Story 2" {
		t.Fatalf("only-b items %+v", jf.Items)
	}
}

func TestConditionalRequests(t *testing.T) {
	srv, st, _ := setup(t)
	url := srv.URL + "/feeds/all.atom"
	resp, _ := get(t, "GET", url, nil)
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")

	if r, b := get(t, "GET", url, map[string]string{"If-None-Match": etag}); r.StatusCode != 304 || len(b) != 0 {
		t.Fatalf("If-None-Match: status %d", r.StatusCode)
	}
	if r, _ := get(t, "GET", url, map[string]string{"If-Modified-Since": lm}); r.StatusCode != 304 {
		t.Fatalf("If-Modified-Since: status %d", r.StatusCode)
	}
	if r, _ := get(t, "GET", url, map[string]string{"If-None-Match": `"other"`, "If-Modified-Since": lm}); r.StatusCode != 200 {
		t.Fatalf("a non-matching If-None-Match must win over If-Modified-Since: status %d", r.StatusCode)
	}
	// A new story changes the feed: the old validator no longer matches.
	time.Sleep(1100 * time.Millisecond) // Last-Modified has a one-second resolution
	if _, err := st.UpsertArticles(context.Background(), []feeds.Article{{ID: "new", Source: "b", Title: "Fresh", Link: "https://example.com/new", Published: time.Now(), FetchedAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	r, body := get(t, "GET", url, map[string]string{"If-None-Match": etag})
	if r.StatusCode != 200 || !strings.Contains(string(body), "Fresh") || r.Header.Get("ETag") == etag {
		t.Fatalf("after a change: status %d, etag %q", r.StatusCode, r.Header.Get("ETag"))
	}
	if r, _ := get(t, "GET", url, map[string]string{"If-Modified-Since": lm}); r.StatusCode != 200 {
		t.Fatalf("If-Modified-Since before the change: status %d", r.StatusCode)
	}
}

func TestGzip(t *testing.T) {
	srv, _, _ := setup(t)
	_, plain := get(t, "GET", srv.URL+"/feeds/all.rss", nil)
	resp, body := get(t, "GET", srv.URL+"/feeds/all.rss", map[string]string{"Accept-Encoding": "gzip, br"})
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("headers %v", resp.Header)
	}
	zr, err := gzip.NewReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || string(got) != string(plain) {
		t.Fatalf("gunzipped body differs from the plain one (%v)", err)
	}
	if r, _ := get(t, "GET", srv.URL+"/feeds/all.rss", map[string]string{"Accept-Encoding": "gzip;q=0"}); r.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent although refused with q=0")
	}
}

func TestRenderingsAreCachedUntilTheStoreChanges(t *testing.T) {
	srv, st, cr := setup(t)
	for range 5 {
		get(t, "GET", srv.URL+"/feeds/all.json", nil)
	}
	if cr.reads != 1 {
		t.Fatalf("5 requests read the store %d times, want 1", cr.reads)
	}
	if _, err := st.UpsertArticles(context.Background(), []feeds.Article{{ID: "x", Source: "a", Title: "X", Link: "https://example.com/x", FetchedAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	get(t, "GET", srv.URL+"/feeds/all.json", nil)
	if cr.reads != 2 {
		t.Fatalf("after a change the store was read %d times in all, want 2", cr.reads)
	}
}

func TestNotFoundAndHealthAndIndex(t *testing.T) {
	srv, _, _ := setup(t)
	for _, p := range []string{"/feeds/nope.atom", "/feeds/all.xml", "/feeds/all", "/elsewhere"} {
		if r, _ := get(t, "GET", srv.URL+p, nil); r.StatusCode != 404 {
			t.Errorf("%s: status %d, want 404", p, r.StatusCode)
		}
	}
	if r, b := get(t, "GET", srv.URL+"/healthz", nil); r.StatusCode != 200 || strings.TrimSpace(string(b)) != "ok" {
		t.Errorf("healthz: %d %q", r.StatusCode, b)
	}
	r, b := get(t, "GET", srv.URL+"/", nil)
	if r.StatusCode != 200 || !strings.Contains(string(b), `href="http://feeds.test/feeds/all.atom"`) {
		t.Errorf("index: %d %s", r.StatusCode, b)
	}
	r, b = get(t, "GET", srv.URL+"/feeds.opml", nil)
	var doc opmlDoc
	if err := xml.Unmarshal(b, &doc); err != nil || r.StatusCode != 200 || len(doc.Body) != 2 || doc.Body[0].XMLURL != "http://feeds.test/feeds/all.atom" {
		t.Errorf("opml: %d %v %+v", r.StatusCode, err, doc)
	}
}

func TestUnhealthyStore(t *testing.T) {
	srv, st, _ := setup(t)
	st.Close()
	if r, _ := get(t, "GET", srv.URL+"/healthz", nil); r.StatusCode != 503 {
		t.Fatalf("healthz with a closed store: %d", r.StatusCode)
	}
}

func TestAcceptEncoding(t *testing.T) {
	for _, tc := range []struct {
		header string
		gzip   bool
	}{
		{"", false},
		{"gzip", true},
		{"gzip;q=0.8", true},
		{"br, gzip;q=0.9", true},
		{"gzip;q=0", false},
		{"gzip; q=0.0", false},
		{"*", true},
		{"*;q=0", false},
		{"gzip;q=0, *", false},
		{"identity", false},
		{"deflate, br", false},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if tc.header != "" {
			r.Header.Set("Accept-Encoding", tc.header)
		}
		if got := acceptsGzip(r); got != tc.gzip {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", tc.header, got, tc.gzip)
		}
	}
}

func TestGzipHasItsOwnETagAndBothRevalidate(t *testing.T) {
	srv, _, _ := setup(t)
	url := srv.URL + "/feeds/all.atom"
	plain, _ := get(t, "GET", url, nil)
	gz, _ := get(t, "GET", url, map[string]string{"Accept-Encoding": "gzip"})
	pe, ge := plain.Header.Get("ETag"), gz.Header.Get("ETag")
	if pe == "" || ge == "" || pe == ge {
		t.Fatalf("plain ETag %q, gzip ETag %q: want two different validators", pe, ge)
	}
	for _, etag := range []string{pe, ge} {
		for _, enc := range []string{"", "gzip"} {
			if r, _ := get(t, "GET", url, map[string]string{"If-None-Match": etag, "Accept-Encoding": enc}); r.StatusCode != 304 {
				t.Errorf("If-None-Match %s with Accept-Encoding %q: status %d", etag, enc, r.StatusCode)
			}
		}
	}
}

func TestLastModifiedIsNeverYearOne(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pub := publish.New(st, publish.Options{BaseURL: "http://x.test", Feeds: []publish.Feed{{Name: "all", Sources: []string{"a"}, Limit: 5}}})
	srv := httptest.NewServer(New(Options{Publisher: pub}))
	defer srv.Close()
	resp, _ := get(t, "GET", srv.URL+"/feeds/all.rss", nil)
	lm, err := http.ParseTime(resp.Header.Get("Last-Modified"))
	if err != nil || lm.Year() < 2000 {
		t.Fatalf("Last-Modified %q on an empty store", resp.Header.Get("Last-Modified"))
	}
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat)
	if r, _ := get(t, "GET", srv.URL+"/feeds/all.rss", map[string]string{"If-Modified-Since": old}); r.StatusCode != 200 {
		t.Fatalf("an old If-Modified-Since got %d on an empty store", r.StatusCode)
	}
}

// TestGzipCompressesEachFeedOnce serves 40 feeds in every format, gzipped,
// twice over: each rendering is compressed once, however many feeds there
// are (a cache cleared past 64 entries compressed every request again).
func TestGzipCompressesEachFeedOnce(t *testing.T) {
	_, st, _ := setup(t)
	var fs []publish.Feed
	for i := range 40 {
		fs = append(fs, publish.Feed{Name: fmt.Sprintf("feed-%d", i), Sources: []string{"a"}, Limit: 10})
	}
	s := New(Options{Title: "T", Publisher: publish.New(st, publish.Options{BaseURL: "http://feeds.test", Feeds: fs})})
	srv := httptest.NewServer(s)
	defer srv.Close()
	for range 2 {
		for _, f := range fs {
			for _, format := range feeds.AllFormats() {
				resp, _ := get(t, "GET", srv.URL+"/feeds/"+f.Name+"."+format.Ext(), map[string]string{"Accept-Encoding": "gzip"})
				if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
					t.Fatalf("%s.%s: %d, Content-Encoding %q", f.Name, format.Ext(), resp.StatusCode, resp.Header.Get("Content-Encoding"))
				}
			}
		}
	}
	s.gzMu.Lock()
	defer s.gzMu.Unlock()
	if want := len(fs) * len(feeds.AllFormats()); s.compressions != want {
		t.Errorf("%d compressions for %d renderings served twice, want %d", s.compressions, want, want)
	}
}
