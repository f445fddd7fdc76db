package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/sources"
)

// flakySite serves a teaser feed of n stories, answering 304 to a
// conditional request for it, and their pages, which fail with 500 while
// down is set. It counts feed 304s and page requests.
type flakySite struct {
	*httptest.Server
	mu        sync.Mutex
	down      bool
	pageHits  int
	notModded int
}

func newFlakySite(t *testing.T, n int) *flakySite {
	t.Helper()
	s := &flakySite{down: true}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if r.URL.Path == "/feed" {
			if r.Header.Get("If-None-Match") == `"v1"` {
				s.notModded++
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title>`)
			for i := range n {
				fmt.Fprintf(w, `<item><guid>story-%d</guid><title>Story %d</title><link>%s/story-%d</link><description>teaser %d</description></item>`, i, i, s.URL, i, i)
			}
			fmt.Fprint(w, `</channel></rss>`)
			return
		}
		s.pageHits++
		if s.down {
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><head><title>Story</title><meta property="og:image" content="%s/lead.jpg">
<script type="application/ld+json">{"@type":"NewsArticle","headline":"Story","author":{"@type":"Person","name":"Jane Roe"}}</script>
</head><body><article><h1>Story</h1><p>The whole story, as only its page tells it.</p>%s</article></body></html>`, s.URL, storyParagraphs)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *flakySite) set(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

func (s *flakySite) counts() (pageHits, notModified int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pageHits, s.notModded
}

func TestFailedPagesAreRetriedWhileTheFeedAnswers304(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	s := newFlakySite(t, 1)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	r := newRunner(st)
	r.Now = func() time.Time { return now }
	src := Source{Source: sources.Source{Name: "s", URL: s.URL + "/feed"}, FullText: true}

	out := r.Run(ctx, src, false)
	if out.Status != StatusNew || out.New != 1 || out.PageErrors != 1 {
		t.Fatalf("run with the pages down: %+v (%v)", out, out.Err)
	}
	a, err := st.Article(ctx, "s", "story-0")
	if err != nil {
		t.Fatal(err)
	}
	if a.Content != "teaser 0" && a.Summary != "teaser 0" || a.Page == nil || a.Page.Error == "" || !a.Page.RetryAt.After(now) {
		t.Fatalf("failed story: summary %q content %q page %+v", a.Summary, a.Content, a.Page)
	}

	// The pages are back, but their backoff is not over: nothing fetched.
	s.set(false)
	now = now.Add(10 * time.Second)
	out = r.Run(ctx, src, false)
	if hits, nm := s.counts(); hits != 1 || nm != 1 {
		t.Fatalf("before the backoff: %d page fetches, %d feed 304s; want 1 and 1", hits, nm)
	}
	if got, want := out.String(), "s: unchanged (not modified since the last fetch)"; got != want {
		t.Errorf("outcome %q, want %q", got, want)
	}

	// Once it is over, the page is retried although the feed is unchanged.
	now = now.Add(2 * time.Hour)
	out = r.Run(ctx, src, false)
	if hits, nm := s.counts(); hits != 2 || nm != 2 {
		t.Fatalf("after the backoff: %d page fetches, %d feed 304s; want 2 and 2", hits, nm)
	}
	if !out.NotModified || out.Status != StatusUpdated || out.Updated != 1 || out.Pages != 1 || out.PageErrors != 0 {
		t.Fatalf("retry run: %+v (%v)", out, out.Err)
	}
	if got, want := out.String(), "s: updated (not modified since the last fetch; 1 updated, 0 unchanged), 1 pages extracted"; got != want {
		t.Errorf("outcome %q, want %q", got, want)
	}
	a, err = st.Article(ctx, "s", "story-0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(feeds.PlainText(a.Content), "as only its page tells it") || a.Summary != "teaser 0" {
		t.Errorf("after the retry: summary %q, content %q", a.Summary, a.Content)
	}
	if len(a.Authors) != 1 || a.Authors[0].Name != "Jane Roe" || a.Image == nil || a.Image.URL != s.URL+"/lead.jpg" {
		t.Errorf("after the retry: authors %+v, image %+v", a.Authors, a.Image)
	}
	if a.Page.Error != "" || a.Page.Attempts != 0 || !a.Page.RetryAt.IsZero() || a.Page.ExtractedAt.IsZero() {
		t.Errorf("after the retry: page %+v", a.Page)
	}

	// Extracted now: later runs leave it alone.
	now = now.Add(48 * time.Hour)
	if out = r.Run(ctx, src, false); out.String() != "s: unchanged (not modified since the last fetch)" {
		t.Errorf("after the retry: %q", out.String())
	}
	if hits, _ := s.counts(); hits != 2 {
		t.Errorf("an extracted page was fetched again: %d page fetches", hits)
	}
}

func TestManualFetchRetriesFailedPagesAtOnce(t *testing.T) {
	// A manual fetch does not wait for a source's backoff, nor for a
	// failed page's, even when the feed answers 304.
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	s := newFlakySite(t, 1)
	r := newRunner(st)
	src := Source{Source: sources.Source{Name: "s", URL: s.URL + "/feed"}, FullText: true}
	if out := r.Run(ctx, src, true); out.PageErrors != 1 {
		t.Fatalf("first run: %+v", out)
	}
	s.set(false)
	out := r.Run(ctx, src, true)
	if hits, nm := s.counts(); hits != 2 || nm != 1 {
		t.Fatalf("%d page fetches, %d feed 304s; want 2 and 1", hits, nm)
	}
	if out.Updated != 1 || out.Pages != 1 {
		t.Fatalf("manual fetch: %+v (%v)", out, out.Err)
	}
}

func TestPageRetriesAreBoundedPerRun(t *testing.T) {
	// Many failed pages are retried a bounded number per run, the others
	// on the following runs.
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	n := pageRetries + 3
	s := newFlakySite(t, n)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	r := newRunner(st)
	r.Now = func() time.Time { return now }
	src := Source{Source: sources.Source{Name: "s", URL: s.URL + "/feed"}, FullText: true}
	if out := r.Run(ctx, src, false); out.New != n || out.PageErrors != n {
		t.Fatalf("first run: %+v", out)
	}
	s.set(false)
	now = now.Add(2 * time.Hour)
	if out := r.Run(ctx, src, false); !out.NotModified || out.Pages != pageRetries || out.Updated != pageRetries {
		t.Fatalf("second run: %+v (%v)", out, out.Err)
	}
	if out := r.Run(ctx, src, false); !out.NotModified || out.Pages != 3 || out.Updated != 3 {
		t.Fatalf("third run: %+v (%v)", out, out.Err)
	}
	if hits, _ := s.counts(); hits != 2*n {
		t.Fatalf("%d page fetches, want %d", hits, 2*n)
	}
}

// TestPageStandInKeepsTheFeedsAuthor: a page whose only author is the
// site's name leaves the stored story with the person its feed names,
// whether the page is read with the feed item (its own author, or its
// channel's) or retried later while the feed answers 304, when the page
// reader is not told who the feed named (the retry made "Jane Doe" the
// site's "Example News").
func TestPageStandInKeepsTheFeedsAuthor(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	down := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/feed", "/channel":
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Content-Type", "application/atom+xml")
			item, channel := `<author><name>Jane Doe</name></author>`, ""
			if r.URL.Path == "/channel" {
				item, channel = channel, item
			}
			fmt.Fprintf(w, `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id><updated>2026-03-01T00:00:00Z</updated>%s
<entry><id>urn:%s</id><title>Story</title><link href="http://%s/story%s"/><updated>2026-03-01T00:00:00Z</updated><summary>teaser</summary>%s</entry></feed>`,
				channel, r.URL.Path[1:], r.Host, r.URL.Path, item)
			return
		}
		if down {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><head><title>Story</title><meta property="og:site_name" content="Example News"><meta name="author" content="Example News"></head>
<body><article><h1>Story</h1><p>The whole story, as only its page tells it.</p>%s</article></body></html>`, storyParagraphs)
	}))
	t.Cleanup(srv.Close)
	setDown := func(d bool) {
		mu.Lock()
		defer mu.Unlock()
		down = d
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	check := func(name string, st store.Store, id string, wantPages int, out Outcome) {
		t.Helper()
		if out.Pages != wantPages || out.Err != nil {
			t.Fatalf("%s: %+v (%v)", name, out, out.Err)
		}
		a, err := st.Article(ctx, "s", id)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Authors) != 1 || a.Authors[0].Name != "Jane Doe" || !strings.Contains(a.Content, "only its page tells") {
			t.Errorf("%s: authors %+v, content %q", name, a.Authors, a.Content)
		}
	}
	for _, path := range []string{"/feed", "/channel"} {
		setDown(false)
		st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
		r := newRunner(st)
		r.Now = func() time.Time { return now }
		src := Source{Source: sources.Source{Name: "s", URL: srv.URL + path}, FullText: true}
		check("read with the feed "+path, st, "urn:"+path[1:], 1, r.Run(ctx, src, false))
	}

	setDown(true)
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	r := newRunner(st)
	r.Now = func() time.Time { return now }
	src := Source{Source: sources.Source{Name: "s", URL: srv.URL + "/feed"}, FullText: true}
	if out := r.Run(ctx, src, false); out.PageErrors != 1 {
		t.Fatalf("pages down: %+v (%v)", out, out.Err)
	}
	setDown(false)
	now = now.Add(2 * time.Hour)
	out := r.Run(ctx, src, false)
	if !out.NotModified {
		t.Fatalf("retry run: feed not 304: %+v", out)
	}
	check("retried", st, "urn:feed", 1, out)
}
