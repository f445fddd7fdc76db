package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
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
	"github.com/tributary/tributary/internal/opml"
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
	srv := httptest.NewServer(New(Options{Title: "Test", Publisher: pub, Metrics: promStub, Sources: testSources,
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

// checkLastModified fails when a response's Last-Modified is later than its
// Date, which RFC 9110 forbids.
func checkLastModified(t *testing.T, r *http.Response) {
	t.Helper()
	lm := r.Header.Get("Last-Modified")
	if lm == "" {
		return
	}
	mod, err1 := http.ParseTime(lm)
	date, err2 := http.ParseTime(r.Header.Get("Date"))
	if err1 != nil || err2 != nil || mod.After(date) {
		t.Fatalf("Last-Modified %q, Date %q: want a Last-Modified no later than the Date", lm, r.Header.Get("Date"))
	}
}

// lastModified returns the Last-Modified of url once it is sent: it is the
// end of the second the store last changed in, left out until the clock
// reaches it.
func lastModified(t *testing.T, url string) string {
	t.Helper()
	return lastModifiedWithin(t, url, 30*time.Second)
}

// lastModifiedWithin is lastModified, failing when no Last-Modified is sent
// within wait.
func lastModifiedWithin(t *testing.T, url string, wait time.Duration) string {
	t.Helper()
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		r, _ := get(t, "GET", url, nil)
		if r.StatusCode != 200 {
			t.Fatalf("GET %s: status %d", url, r.StatusCode)
		}
		checkLastModified(t, r)
		if lm := r.Header.Get("Last-Modified"); lm != "" {
			return lm
		}
	}
	t.Fatalf("GET %s: no Last-Modified in %v", url, wait)
	return ""
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
			if resp.Header.Get("ETag") == "" {
				t.Error("no ETag")
			}
			checkLastModified(t, resp)
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
	etag, lm := resp.Header.Get("ETag"), lastModified(t, url)

	if r, b := get(t, "GET", url, map[string]string{"If-None-Match": etag}); r.StatusCode != 304 || len(b) != 0 {
		t.Fatalf("If-None-Match: status %d", r.StatusCode)
	}
	if r, _ := get(t, "GET", url, map[string]string{"If-Modified-Since": lm}); r.StatusCode != 304 {
		t.Fatalf("If-Modified-Since: status %d", r.StatusCode)
	}
	if r, _ := get(t, "GET", url, map[string]string{"If-None-Match": `"other"`, "If-Modified-Since": lm}); r.StatusCode != 200 {
		t.Fatalf("a non-matching If-None-Match must win over If-Modified-Since: status %d", r.StatusCode)
	}
	// A new story changes the feed: the old validators no longer match.
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
	for _, p := range []string{"/feeds/nope.atom", "/feeds/all.xml", "/feeds/nope", "/feeds/.atom", "/elsewhere"} {
		if r, _ := get(t, "GET", srv.URL+p, nil); r.StatusCode != 404 {
			t.Errorf("%s: status %d, want 404", p, r.StatusCode)
		}
	}
	if r, b := get(t, "GET", srv.URL+"/healthz", nil); r.StatusCode != 200 || strings.TrimSpace(string(b)) != "ok" {
		t.Errorf("healthz: %d %q", r.StatusCode, b)
	}
	r, b := get(t, "GET", srv.URL+"/", nil)
	if r.StatusCode != 200 || !strings.Contains(string(b), `href="http://feeds.test/feeds/all.atom"`) ||
		!strings.Contains(string(b), `<a href="http://feeds.test/feeds.opml">`) || !strings.Contains(string(b), `<a href="http://feeds.test/sources.opml">`) {
		t.Errorf("index: %d %s", r.StatusCode, b)
	}
	r, b = get(t, "GET", srv.URL+"/feeds.opml", nil)
	got, _, err := opml.Read(bytes.NewReader(b))
	if err != nil || r.StatusCode != 200 || len(got) != 2 || got[0].XMLURL != "http://feeds.test/feeds/all.atom" || got[0].Title != "Everything" {
		t.Errorf("opml: %d %v %+v", r.StatusCode, err, got)
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
	raw := lastModified(t, srv.URL+"/feeds/all.rss")
	lm, err := http.ParseTime(raw)
	if err != nil || lm.Year() < 2000 {
		t.Fatalf("Last-Modified %q on an empty store", raw)
	}
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat)
	if r, _ := get(t, "GET", srv.URL+"/feeds/all.rss", map[string]string{"If-Modified-Since": old}); r.StatusCode != 200 {
		t.Fatalf("an old If-Modified-Since got %d on an empty store", r.StatusCode)
	}
}

// openStore opens the SQLite store at path, closed when the test ends.
func openStore(t *testing.T, path string) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// serveAll serves from r one feed, "all", of sources (titled title unless
// empty) until the test ends, and returns its publisher and the URL of its
// Atom rendering.
func serveAll(t *testing.T, r publish.Reader, title string, sources ...string) (*publish.Publisher, string) {
	t.Helper()
	pub := publish.New(r, publish.Options{BaseURL: "http://feeds.test", Feeds: []publish.Feed{{Name: "all", Title: title, Sources: sources, Limit: 50}}})
	srv := httptest.NewServer(New(Options{Publisher: pub}))
	t.Cleanup(srv.Close)
	return pub, srv.URL + "/feeds/all.atom"
}

// addStory stores story n of source in st, a change of the store, and
// returns its title.
func addStory(t *testing.T, st store.Store, source string, n int) string {
	t.Helper()
	title := fmt.Sprintf("Story number %d", n)
	a := feeds.Article{ID: fmt.Sprint(n), Source: source, Title: title, Link: fmt.Sprintf("https://example.com/%s/%d", source, n), FetchedAt: time.Now()}
	if _, err := st.UpsertArticles(context.Background(), []feeds.Article{a}); err != nil {
		t.Fatal(err)
	}
	return title
}

func TestIfModifiedSinceSeesEveryChange(t *testing.T) {
	// Last-Modified has a one-second resolution, and articles may change
	// several times within one second (here through a second handle on the
	// file, as a `tributary fetch` in another process would). A client
	// revalidating with If-Modified-Since alone must never be answered 304
	// for bytes other than the ones it holds. Four changes take well under
	// two seconds, so two of them fall within the same second.
	path := filepath.Join(t.TempDir(), "s.db")
	reader, writer := openStore(t, path), openStore(t, path)
	_, url := serveAll(t, reader, "", "a")
	addStory(t, writer, "a", 0)
	lm := lastModified(t, url)
	if r, _ := get(t, "GET", url, map[string]string{"If-Modified-Since": lm}); r.StatusCode != 304 {
		t.Fatalf("If-Modified-Since on an unchanged store: status %d, want 304", r.StatusCode)
	}
	for i := 1; i <= 3; i++ {
		title := addStory(t, writer, "a", i)
		r, body := get(t, "GET", url, map[string]string{"If-Modified-Since": lm})
		if r.StatusCode != 200 || !strings.Contains(string(body), title) {
			t.Fatalf("change %d, If-Modified-Since %s: status %d, want 200 with %q", i, lm, r.StatusCode, title)
		}
		checkLastModified(t, r)
		if l := r.Header.Get("Last-Modified"); l != "" {
			lm = l
		}
	}
	// Once the burst is over, Last-Modified is sent again and validates.
	lm = lastModified(t, url)
	if r, _ := get(t, "GET", url, map[string]string{"If-Modified-Since": lm}); r.StatusCode != 304 {
		t.Fatalf("If-Modified-Since on an unchanged store after the burst: status %d, want 304", r.StatusCode)
	}
}

func TestLastModifiedMovesWithTheConfiguration(t *testing.T) {
	// A reload builds the new configuration's server, waits for running
	// fetches while the old one still serves what they store, then swaps.
	// A feed whose title changed has other bytes under the new
	// configuration: a client holding the old one's Last-Modified must
	// get them, not a 304. (The daemon also shares its publish.Dates
	// between the two; this is the bound that holds without it.)
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	_, oldURL := serveAll(t, st, "Old title", "a")
	get(t, "GET", oldURL, nil)
	_, newURL := serveAll(t, st, "New title", "a")
	addStory(t, st, "a", 1)
	lm := lastModified(t, oldURL)
	r, body := get(t, "GET", newURL, map[string]string{"If-Modified-Since": lm})
	if r.StatusCode != 200 || !strings.Contains(string(body), "New title") {
		t.Fatalf("new configuration, If-Modified-Since %s of the old one: status %d, want 200 with the new title", lm, r.StatusCode)
	}
	checkLastModified(t, r)
}

func TestManyChangesDoNotHoldBackLastModified(t *testing.T) {
	// A refresh stores into many sources within a second or two, each a
	// change of the store. Only what is served needs distinct dates: the
	// store's change time stays with the clock, and the feed carries a
	// Last-Modified again as soon as the clock passes it (not one second
	// later per change).
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	var sources []string
	for i := range 30 {
		sources = append(sources, fmt.Sprintf("s%d", i))
	}
	_, url := serveAll(t, st, "", sources...)
	for i, src := range sources {
		addStory(t, st, src, i)
	}
	v, err := st.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ahead := time.Until(v.ChangedAt); ahead > 2*time.Second {
		t.Errorf("after 30 changes the store's change time is %v ahead of the clock", ahead)
	}
	lm := lastModifiedWithin(t, url, 8*time.Second)
	if r, _ := get(t, "GET", url, map[string]string{"If-Modified-Since": lm}); r.StatusCode != 304 {
		t.Fatalf("If-Modified-Since %s on an unchanged store: status %d, want 304", lm, r.StatusCode)
	}
}

func TestTwoChangesInOneSecondServedApart(t *testing.T) {
	// The store may date two changes within one second alike; once each
	// has been served, the second's bytes get a later Last-Modified than
	// the first's, and a client revalidating with the first date alone
	// gets the new bytes.
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	pub, url := serveAll(t, st, "", "a")
	// Two changes and a request between them take well under a second,
	// but may straddle a second's boundary: try again then.
	n := 0
	for attempt := 0; ; attempt++ {
		if attempt == 5 {
			t.Fatal("no two changes within one second in 5 attempts")
		}
		start := time.Now()
		addStory(t, st, "a", n)
		get(t, "GET", url, nil)
		// The date the first change's bytes were served with: the same
		// bytes keep it (unsent yet, being ahead of the clock).
		first, err := pub.Render(context.Background(), "all", feeds.Atom)
		if err != nil {
			t.Fatal(err)
		}
		title := addStory(t, st, "a", n+1)
		n += 2
		if time.Now().Truncate(time.Second) != start.Truncate(time.Second) {
			continue
		}
		r, body := get(t, "GET", url, nil)
		if r.StatusCode != 200 || !strings.Contains(string(body), title) || r.Header.Get("ETag") == first.ETag {
			t.Fatalf("after the second change: status %d, ETag %s (first %s), want 200 with %q", r.StatusCode, r.Header.Get("ETag"), first.ETag, title)
		}
		raw := lastModified(t, url)
		lm, err := http.ParseTime(raw)
		if err != nil || !lm.After(first.Modified) {
			t.Fatalf("second change's Last-Modified %q, want later than the first's %v", raw, first.Modified)
		}
		ims := first.Modified.UTC().Format(http.TimeFormat)
		if r, body := get(t, "GET", url, map[string]string{"If-Modified-Since": ims}); r.StatusCode != 200 || !strings.Contains(string(body), title) {
			t.Fatalf("If-Modified-Since %s (the first change's): status %d, want 200 with %q", ims, r.StatusCode, title)
		}
		if r, _ := get(t, "GET", url, map[string]string{"If-Modified-Since": raw}); r.StatusCode != 304 {
			t.Fatalf("If-Modified-Since %s (the second change's): status %d, want 304", raw, r.StatusCode)
		}
		return
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
