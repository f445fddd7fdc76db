package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/sqlite"
	"github.com/tributary/tributary/sources"
)

func openStore(t *testing.T, path string) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func rssFeed(items int) string {
	nums := make([]int, items)
	for i := range nums {
		nums[i] = i
	}
	return rssItems(nums...)
}

// feedServer serves body with an ETag and counts requests and 304s.
type feedServer struct {
	*httptest.Server
	body          atomic.Value
	requests, hit atomic.Int32
}

func newFeedServer(t *testing.T, body string) *feedServer {
	fs := &feedServer{}
	fs.body.Store(body)
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.requests.Add(1)
		b := fs.body.Load().(string)
		etag := fmt.Sprintf(`"%x"`, len(b))
		if r.Header.Get("If-None-Match") == etag {
			fs.hit.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, b)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func newRunner(st store.Store) *Runner {
	// The default policy refuses loopback: the runner must allow the
	// source's own origin for these tests to fetch at all.
	return &Runner{Doer: fetch.New(fetch.Options{}), Store: st}
}

func TestRunStoresThenSendsConditionalGET(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	st := openStore(t, path)
	srv := newFeedServer(t, rssFeed(3))
	src := Source{Source: sources.Source{Name: "s", URL: srv.URL + "/feed"}}

	out := newRunner(st).Run(ctx, src, false)
	if out.Status != StatusNew || out.New != 3 || out.Err != nil {
		t.Fatalf("first run: %+v", out)
	}
	if got := out.String(); got != "s: new (3 new, 0 updated, 0 unchanged)" {
		t.Errorf("outcome line %q", got)
	}
	// The feed as it describes itself is kept for attributing its items.
	wantFeed := feeds.SourceFeed{Title: "T", Link: "http://example.com/", URL: srv.URL + "/feed"}
	if stt, err := st.SourceState(ctx, "s"); err != nil || stt.Feed != wantFeed {
		t.Errorf("source feed %+v (%v), want %+v", stt.Feed, err, wantFeed)
	}
	// A restart: a new store handle on the same file still knows the ETag.
	st.Close()
	st = openStore(t, path)
	out = newRunner(st).Run(ctx, src, false)
	if out.Status != StatusUnchanged || out.New+out.Updated != 0 || out.Err != nil {
		t.Fatalf("second run: %+v", out)
	}
	if srv.hit.Load() != 1 {
		t.Fatalf("second fetch was not answered 304 (conditional hits %d)", srv.hit.Load())
	}
	if stt, err := st.SourceState(ctx, "s"); err != nil || stt.Feed != wantFeed {
		t.Errorf("after a 304, source feed %+v (%v), want the one kept: %+v", stt.Feed, err, wantFeed)
	}
	arts, err := st.Articles(ctx, store.Query{})
	if err != nil || len(arts) != 3 {
		t.Fatalf("stored %d articles (%v), want 3", len(arts), err)
	}
	// The feed changes: one new story, the others unchanged.
	srv.body.Store(rssFeed(4))
	out = newRunner(st).Run(ctx, src, false)
	if out.Status != StatusNew || out.New != 1 || out.Unchanged != 3 {
		t.Fatalf("third run: %+v", out)
	}
}

func TestRunFailureBacksOffAndRespectsRetryAfter(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "7200")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := newRunner(st)
	r.Now = func() time.Time { return now }
	src := Source{Source: sources.Source{Name: "busy", URL: srv.URL}}

	out := r.Run(ctx, src, false)
	if out.Status != StatusFailed || out.Err == nil || !strings.Contains(out.Err.Error(), "503") {
		t.Fatalf("run: %+v", out)
	}
	if want := now.Add(2 * time.Hour); out.NextAttempt.Before(want) {
		t.Fatalf("next attempt %v, want at least %v (Retry-After)", out.NextAttempt, want)
	}
	if !strings.Contains(out.String(), "failed: http 503") || !strings.Contains(out.String(), "next attempt after") {
		t.Errorf("outcome line %q", out.String())
	}
	// Within the interval a scheduled run does not touch the server...
	now = now.Add(time.Hour)
	if out := r.Run(ctx, src, false); out.Status != StatusDeferred {
		t.Fatalf("scheduled run during backoff: %+v", out)
	}
	if calls.Load() != 1 {
		t.Fatalf("server called %d times, want 1", calls.Load())
	}
	// ...but a forced one (tributary fetch) does, and failures accumulate.
	r.Run(ctx, src, true)
	stt, err := st.SourceState(ctx, "busy")
	if err != nil || stt.Failures != 2 || stt.LastError == "" {
		t.Fatalf("state %+v, %v", stt, err)
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	prev := time.Duration(0)
	for f := 1; f <= 12; f++ {
		d := Backoff(f, 0.5)
		if d < prev {
			t.Fatalf("backoff(%d)=%v shrank from %v", f, d, prev)
		}
		prev = d
	}
	if got := Backoff(1, 0.5); got != BackoffBase {
		t.Errorf("first backoff %v, want %v", got, BackoffBase)
	}
	if got := Backoff(40, 0.999); got > BackoffMax*12/10 {
		t.Errorf("backoff not capped: %v", got)
	}
	if lo, hi := Backoff(3, 0), Backoff(3, 0.999); lo == hi {
		t.Errorf("no jitter: %v == %v", lo, hi)
	}
}

func TestRunRefusesPrivateRedirectTarget(t *testing.T) {
	// A source may live on a private address it was configured with, but a
	// redirect from it to another private address is refused at dial time.
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the private redirect target was reached")
	}))
	defer other.Close()
	srv := httptest.NewServer(http.RedirectHandler(other.URL+"/secret", http.StatusFound))
	defer srv.Close()
	out := newRunner(st).Run(ctx, Source{Source: sources.Source{Name: "r", URL: srv.URL}}, false)
	if out.Status != StatusFailed || !errors.Is(out.Err, fetch.ErrBlockedAddress) {
		t.Fatalf("outcome %+v", out)
	}
}

func TestDiscoveredFeedIsFetchedDirectlyAndConditionally(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	var pageHits, notModified atomic.Int32
	feed := rssFeed(2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			pageHits.Add(1)
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>Home</body></html>`)
		case "/feed.xml":
			if r.Header.Get("If-None-Match") == `"f1"` {
				notModified.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"f1"`)
			fmt.Fprint(w, feed)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	src := Source{Source: sources.Source{Name: "site", URL: srv.URL + "/"}}
	r := newRunner(st)
	if out := r.Run(ctx, src, false); out.New != 2 {
		t.Fatalf("first run: %+v", out)
	}
	stt, _ := st.SourceState(ctx, "site")
	if stt.FeedURL != srv.URL+"/feed.xml" || stt.DiscoveredFrom != src.URL {
		t.Fatalf("discovery not remembered: %+v", stt)
	}
	// The next run fetches the feed itself (learning its ETag), the one
	// after that is a 304; the page is never fetched again.
	if out := r.Run(ctx, src, false); out.Status != StatusUnchanged || out.Unchanged != 2 {
		t.Fatalf("second run: %+v", out)
	}
	if out := r.Run(ctx, src, false); !out.NotModified {
		t.Fatalf("third run not conditional: %+v", out)
	}
	if pageHits.Load() != 1 || notModified.Load() != 1 {
		t.Fatalf("page fetched %d times (want 1), %d conditional hits (want 1)", pageHits.Load(), notModified.Load())
	}
	// When the discovered feed disappears, the page is asked again.
	feedGone := httptest.NewServer(http.NotFoundHandler())
	defer feedGone.Close()
	stt, _ = st.SourceState(ctx, "site")
	stt.FeedURL = feedGone.URL + "/feed.xml"
	if err := st.SaveSourceState(ctx, stt); err != nil {
		t.Fatal(err)
	}
	if out := r.Run(ctx, src, true); out.Status != StatusFailed {
		t.Fatalf("run on a vanished feed: %+v", out)
	}
	if out := r.Run(ctx, src, true); out.Status == StatusFailed || pageHits.Load() != 2 {
		t.Fatalf("rediscovery: %+v, page hits %d", out, pageHits.Load())
	}
}

func TestDocumentsCannotMakeTributaryReadLocalFiles(t *testing.T) {
	// A remote document pointing at file: URLs (an item link with full text
	// on, an advertised feed) must never get a local file read: only a
	// source configured as a file may be.
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	secret := filepath.Join(t.TempDir(), "secret.xml")
	const marker = "TOP-SECRET-LOCAL-CONTENT"
	if err := os.WriteFile(secret, []byte(`<rss version="2.0"><channel><title>s</title><item><title>`+marker+`</title><link>http://x.example/</link></item></channel></rss>`), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>t</title><item><title>Leak</title><guid>leak</guid><link>file://%s</link><description>teaser</description></item></channel></rss>`, secret)
		case "/page":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><head><link rel="alternate" type="application/rss+xml" href="file://%s"></head></html>`, secret)
		}
	}))
	defer srv.Close()
	r := newRunner(st)
	out := r.Run(ctx, Source{Source: sources.Source{Name: "links", URL: srv.URL + "/feed"}, FullText: true}, false)
	if out.Status != StatusNew || out.Pages+out.PageErrors != 0 {
		t.Fatalf("feed with a file: link: %+v", out)
	}
	out = r.Run(ctx, Source{Source: sources.Source{Name: "discover", URL: srv.URL + "/page"}}, false)
	if out.Status != StatusFailed {
		t.Fatalf("page advertising a local file: %+v", out)
	}
	arts, err := st.Articles(ctx, store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arts {
		if strings.Contains(a.Title+a.Content+a.Summary, marker) || strings.HasPrefix(a.Link, "file:") {
			t.Fatalf("local file leaked into %+v", a)
		}
	}
	// The configured file source itself is read.
	if out := r.Run(ctx, Source{Source: sources.Source{Name: "local", URL: "file://" + secret}}, false); out.Status != StatusNew {
		t.Fatalf("configured file source: %+v", out)
	}
}

func TestServerIntervalsAreCapped(t *testing.T) {
	// A year-long max-age or Retry-After must not silence a source for a
	// year: both are honoured up to BackoffMax.
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=31536000")
		w.Header().Set("Retry-After", "31536000")
		w.WriteHeader(status)
		fmt.Fprint(w, rssFeed(1))
	}))
	defer srv.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := newRunner(st)
	r.Now = func() time.Time { return now }
	for _, code := range []int{http.StatusOK, http.StatusServiceUnavailable} {
		status = code
		out := r.Run(ctx, Source{Source: sources.Source{Name: "s", URL: srv.URL}}, true)
		if out.NextAttempt.After(now.Add(BackoffMax)) || out.NextAttempt.Before(now.Add(time.Hour)) {
			t.Errorf("status %d: next attempt %v, want within (1h, %v]", code, out.NextAttempt, BackoffMax)
		}
	}
}

func TestCancelledFetchIsNotAFailure(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	out := newRunner(st).Run(ctx, Source{Source: sources.Source{Name: "s", URL: srv.URL}}, false)
	if out.Status != StatusCancelled {
		t.Fatalf("outcome %+v", out)
	}
	stt, err := st.SourceState(context.Background(), "s")
	if err != nil || stt.Failures != 0 || !stt.NextAttempt.IsZero() {
		t.Fatalf("a cancelled fetch was recorded as a failure: %+v %v", stt, err)
	}
}

// sameValidatorsServer serves an RSS feed of items at every path with the
// same ETag and Last-Modified, and answers any conditional request 304:
// the count of those tells whether validators were sent.
func sameValidatorsServer(t *testing.T, items int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	conditional := new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"same-etag-everywhere"`)
		w.Header().Set("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")
		fmt.Fprint(w, rssFeed(items))
	}))
	t.Cleanup(srv.Close)
	return srv, conditional
}

func TestValidatorsAreNotSentToAnotherURL(t *testing.T) {
	// The operator points a source at a new URL: the old URL's validators
	// must not make the first request to the new one conditional.
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	srv, conditional := sameValidatorsServer(t, 1)
	r := newRunner(st)
	if out := r.Run(ctx, Source{Source: sources.Source{Name: "s", URL: srv.URL + "/old"}}, false); out.New != 1 {
		t.Fatalf("old URL: %+v", out)
	}
	if out := r.Run(ctx, Source{Source: sources.Source{Name: "s", URL: srv.URL + "/new"}}, false); out.NotModified || conditional.Load() != 0 {
		t.Fatalf("new URL fetched conditionally: %+v", out)
	}
	if out := r.Run(ctx, Source{Source: sources.Source{Name: "s", URL: srv.URL + "/new"}}, false); !out.NotModified {
		t.Fatalf("second fetch of the new URL not conditional: %+v", out)
	}
}

// upsertFailsOnce is a store whose next UpsertArticles fails.
type upsertFailsOnce struct {
	store.Store
	armed atomic.Bool
}

func (s *upsertFailsOnce) UpsertArticles(ctx context.Context, arts []feeds.Article) (store.UpsertResult, error) {
	if s.armed.CompareAndSwap(true, false) {
		return store.UpsertResult{}, errors.New("disk full")
	}
	return s.Store.UpsertArticles(ctx, arts)
}

func TestFailedRunAfterURLChangeDropsOldValidators(t *testing.T) {
	// The first run against a new URL fetches it, then fails to store: the
	// old URL's validators must not be saved as the new URL's, or the next
	// run is answered 304 and the new feed's stories are never stored.
	ctx := context.Background()
	st := &upsertFailsOnce{Store: openStore(t, filepath.Join(t.TempDir(), "t.db"))}
	srv, conditional := sameValidatorsServer(t, 2)
	r := newRunner(st)
	if out := r.Run(ctx, Source{Source: sources.Source{Name: "s", URL: srv.URL + "/old"}}, false); out.New != 2 {
		t.Fatalf("old URL: %+v", out)
	}
	st.armed.Store(true)
	if out := r.Run(ctx, Source{Source: sources.Source{Name: "s", URL: srv.URL + "/new"}}, false); out.Status != StatusFailed {
		t.Fatalf("run with a failing store: %+v", out)
	}
	out := r.Run(ctx, Source{Source: sources.Source{Name: "s", URL: srv.URL + "/new"}}, true)
	if out.NotModified || conditional.Load() != 0 {
		t.Fatalf("new URL fetched with the old URL's validators after a failed run: %+v", out)
	}
	if out.Status == StatusFailed {
		t.Fatalf("retry failed: %+v", out)
	}
}

func TestLocalFileRewrittenWithinOneSecond(t *testing.T) {
	// A file source rewritten with a new story within the same second
	// (here: with its modification time set back to the old one, as a
	// coarse file system or a copy preserving times would leave it) must
	// be read again: the new story is stored on the next run.
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	path := filepath.Join(t.TempDir(), "feed.xml")
	mtime := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	write := func(items int) {
		t.Helper()
		if err := os.WriteFile(path, []byte(rssFeed(items)), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	src := Source{Source: sources.Source{Name: "local", URL: "file://" + filepath.ToSlash(path)}}
	r := newRunner(st)
	write(1)
	if out := r.Run(ctx, src, false); out.Status != StatusNew || out.New != 1 {
		t.Fatalf("first run: %+v", out)
	}
	if out := r.Run(ctx, src, false); out.Status != StatusUnchanged || !out.NotModified {
		t.Fatalf("run on the unchanged file: %+v, want not modified", out)
	}
	write(2)
	if out := r.Run(ctx, src, false); out.Status != StatusNew || out.New != 1 || out.Unchanged != 1 {
		t.Fatalf("run after the rewrite: %+v, want the new story", out)
	}
	if out := r.Run(ctx, src, false); out.Status != StatusUnchanged || !out.NotModified {
		t.Fatalf("run on the rewritten, unchanged file: %+v, want not modified", out)
	}
}

func TestSourcePolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url  string
		want fetch.Policy
	}{
		{"https://news.example/feed.xml", fetch.Policy{AllowedOrigins: []string{"https://news.example"}}},
		{"http://10.0.0.5:8080/rss", fetch.Policy{AllowedOrigins: []string{"http://10.0.0.5:8080"}}},
		// The credentials are the request's business, not the policy's.
		{"https://user:SECRET@news.example/feed", fetch.Policy{AllowedOrigins: []string{"https://news.example"}}},
		// A local source reads its file and, for its pages, the files
		// beside it.
		{"file:///srv/feeds/notes.xml", fetch.Policy{AllowedOrigins: []string{""}, LocalFiles: []string{"file:///srv/feeds/notes.xml"}, LocalDirs: []string{"/srv/feeds"}}},
		{"file:///srv/my%20feeds/notes.xml", fetch.Policy{AllowedOrigins: []string{""}, LocalFiles: []string{"file:///srv/my%20feeds/notes.xml"}, LocalDirs: []string{"/srv/my feeds"}}},
		{"::not a url", fetch.Policy{AllowedOrigins: []string{""}}},
	}
	for _, tt := range tests {
		if got := sourcePolicy(Source{Source: sources.Source{URL: tt.url}}); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("sourcePolicy(%q) = %+v, want %+v", tt.url, got, tt.want)
		}
	}
	// Headers go to the origin of the URL, without its credentials; the
	// User-Agent and the timeout come along.
	h := http.Header{"Authorization": {"Bearer s3cr3t-TOKEN"}}
	got := sourcePolicy(Source{Source: sources.Source{URL: "https://user:SECRET@news.example:8443/feed"}, Headers: h, UserAgent: "Bot/1", Timeout: time.Minute})
	want := fetch.Policy{AllowedOrigins: []string{"https://news.example:8443"}, Headers: h, HeadersOrigin: "https://news.example:8443", UserAgent: "Bot/1", Timeout: time.Minute}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sourcePolicy with headers = %+v, want %+v", got, want)
	}
}

func TestPageLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		source, link string
		want         bool
	}{
		{"https://news.example/feed", "https://news.example/story", true},
		{"https://news.example/feed", "http://other.example/story", true},
		{"file:///srv/site/feed.xml", "https://news.example/story", true},
		// A local source's pages are local files (its policy says which).
		{"file:///srv/site/feed.xml", "file:///srv/site/story.html", true},
		// A web source's never are, whatever its document said.
		{"https://news.example/feed", "file:///srv/site/story.html", false},
		{"https://news.example/feed", "mailto:desk@news.example", false},
		{"file:///srv/site/feed.xml", "", false},
	}
	for _, tt := range tests {
		if got := pageLink(tt.source, tt.link); got != tt.want {
			t.Errorf("pageLink(%q, %q) = %v, want %v", tt.source, tt.link, got, tt.want)
		}
	}
}
