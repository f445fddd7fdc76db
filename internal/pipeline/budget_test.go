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

// bigPageSite serves a teaser feed of n dated stories, newest first, whose
// pages each yield about 500 KiB of text, counting page requests. The
// stories' updated date is *updated, read under the site's lock.
func bigPageSite(t *testing.T, n int, updated *time.Time) (*httptest.Server, *sync.Mutex, func() int) {
	t.Helper()
	var (
		mu   sync.Mutex
		hits int
	)
	para := `<p>` + strings.Repeat("A long paragraph of a very long story, told at length. ", 18) + `</p>`
	body := strings.Repeat(para, 500) // ~500 KiB
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed" {
			mu.Lock()
			up := updated.Format(time.RFC3339)
			mu.Unlock()
			w.Header().Set("Content-Type", "application/atom+xml")
			fmt.Fprintf(w, `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id><updated>%s</updated>`, up)
			for i := range n {
				fmt.Fprintf(w, `<entry><id>story-%d</id><title>Story %d</title><link href="%s/story-%d"/><published>%s</published><updated>%s</updated><summary>teaser %d</summary></entry>`,
					i, i, srv.URL, i, base.Add(-time.Duration(i)*time.Hour).Format(time.RFC3339), up, i)
			}
			fmt.Fprint(w, `</feed>`)
			return
		}
		mu.Lock()
		hits++
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><head><title>Story</title></head><body><article><h1>Story</h1>%s</article></body></html>`, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &mu, func() int { mu.Lock(); defer mu.Unlock(); return hits }
}

// heldText is what a run hands to the store: the text of its articles.
type heldText struct {
	store.Store
	max int
}

func (h *heldText) UpsertArticles(ctx context.Context, arts []feeds.Article) (store.UpsertResult, error) {
	n := 0
	for _, a := range arts {
		n += feeds.TextBytes(a)
	}
	h.max = max(h.max, n)
	return h.Store.UpsertArticles(ctx, arts)
}

// TestFullTextRunStaysWithinItsTextBudget extracts a hundred pages of
// 400 KiB over several runs: 15 s, but five minutes under the race
// detector, half of go test's limit for the whole package on a busy
// machine. It tests the budget's arithmetic, not concurrency (the runs
// are sequential, and the page workers are raced by the other full-text
// tests), so it skips under -race; .ci/run runs it without.
func TestFullTextRunStaysWithinItsTextBudget(t *testing.T) {
	if raceEnabled {
		t.Skip("slow under the race detector: run go test -run TestFullTextRunStaysWithinItsTextBudget ./internal/pipeline (.ci/run does)")
	}
	ctx := context.Background()
	st := &heldText{Store: openStore(t, filepath.Join(t.TempDir(), "t.db"))}
	const n = 100
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	updated := now.Add(-time.Hour)
	srv, mu, hits := bigPageSite(t, n, &updated)
	r := newRunner(st)
	r.Now = func() time.Time { return now }
	src := Source{Source: sources.Source{Name: "s", URL: srv.URL + "/feed"}, FullText: true}

	extracted := func() (full int) {
		arts, err := st.Articles(ctx, store.Query{Sources: []string{"s"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(arts) != n {
			t.Fatalf("%d stored articles, want %d", len(arts), n)
		}
		for _, a := range arts {
			if len(a.Content) > 400<<10 {
				full++
				continue
			}
			if a.Page == nil || a.Page.Error == "" || a.Page.RetryAt.After(now) {
				t.Fatalf("%s neither extracted nor due again: %+v", a.ID, a.Page)
			}
		}
		return full
	}
	// One article's worth beyond the budget, at most.
	limit := feeds.MaxSourceRunBytes + feeds.MaxContentBytes + feeds.MaxSummaryBytes
	out := r.Run(ctx, src, false)
	if out.Status != StatusNew || out.New != n || out.PagesDeferred == 0 || out.Pages+out.PagesDeferred != n {
		t.Fatalf("first run: %+v (%v)", out, out.Err)
	}
	if !strings.Contains(out.String(), fmt.Sprintf("%d pages put off", out.PagesDeferred)) {
		t.Errorf("outcome %q does not say pages were put off", out.String())
	}
	if st.max > limit {
		t.Fatalf("first run stored %d bytes of text, budget %d", st.max, feeds.MaxSourceRunBytes)
	}
	full := extracted()
	if full != out.Pages || full < 10 {
		t.Fatalf("%d extracted after the first run (outcome %d)", full, out.Pages)
	}
	for run := 2; full < n; run++ {
		if run > 10 {
			t.Fatalf("only %d of %d pages extracted after %d runs", full, n, run-1)
		}
		now = now.Add(time.Minute)
		st.max = 0
		out = r.Run(ctx, src, false)
		if out.Status == StatusFailed || out.Pages == 0 {
			t.Fatalf("run %d: %+v (%v)", run, out, out.Err)
		}
		if st.max > limit {
			t.Fatalf("run %d stored %d bytes of text, budget %d", run, st.max, feeds.MaxSourceRunBytes)
		}
		full = extracted()
	}
	if h := hits(); h != n {
		t.Errorf("%d page fetches for %d pages", h, n)
	}
	// Every page extracted: a later run fetches none and keeps every
	// full text.
	now = now.Add(time.Minute)
	st.max = 0
	if out = r.Run(ctx, src, false); out.Status == StatusFailed || out.Pages+out.PagesDeferred != 0 || st.max > limit {
		t.Fatalf("settled run: %+v (%v), %d bytes", out, out.Err, st.max)
	}
	if full = extracted(); full != n {
		t.Fatalf("%d extracted after the settled run", full)
	}

	// Every story says it was updated: the pages put off keep their
	// stored full text (the run leaves them out) until they are
	// extracted again.
	mu.Lock()
	updated = now
	mu.Unlock()
	for run := 1; ; run++ {
		if run > 10 {
			t.Fatalf("updated pages not all extracted after %d runs", run-1)
		}
		now = now.Add(time.Minute)
		st.max = 0
		out = r.Run(ctx, src, false)
		if out.Status == StatusFailed || st.max > limit {
			t.Fatalf("update run %d: %+v (%v), %d bytes", run, out, out.Err, st.max)
		}
		if full = extracted(); full != n {
			t.Fatalf("update run %d: %d of %d stories keep a full text", run, full, n)
		}
		if out.PagesDeferred == 0 {
			break
		}
	}
	if h := hits(); h != 2*n {
		t.Errorf("%d page fetches for %d pages, each extracted twice", h, n)
	}
}

func TestFeedRunKeepsItsNewestStoriesWithinTheTextBudget(t *testing.T) {
	// A 12 MB feed of 1,000 items whose text is ampersands: escaped, each
	// byte becomes five, 60 MB of text in all.
	ctx := context.Background()
	st := &heldText{Store: openStore(t, filepath.Join(t.TempDir(), "t.db"))}
	const n = 1000
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	b.WriteString(`<rss version="2.0"><channel><title>t</title>`)
	amps := strings.Repeat("&", 12<<10)
	// Oldest first, so that the feed's order is not what is kept.
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, `<item><guid>story-%d</guid><title>Story %d</title><link>https://example.com/story-%d</link><pubDate>%s</pubDate><description><![CDATA[%s]]></description></item>`,
			i, i, i, base.Add(-time.Duration(i)*time.Hour).Format(time.RFC1123Z), amps)
	}
	b.WriteString(`</channel></rss>`)
	srv := newFeedServer(t, b.String())
	r := newRunner(st)
	out := r.Run(ctx, Source{Source: sources.Source{Name: "s", URL: srv.URL}}, false)
	if out.Status != StatusNew || out.LeftOut == 0 || out.New+out.LeftOut != n {
		t.Fatalf("run: %+v (%v)", out, out.Err)
	}
	t.Logf("feed %d bytes, stored %d bytes of text, %d of %d stories", b.Len(), st.max, out.New, n)
	if st.max > feeds.MaxSourceRunBytes {
		t.Fatalf("stored %d bytes of text, budget %d", st.max, feeds.MaxSourceRunBytes)
	}
	if !strings.Contains(out.String(), fmt.Sprintf("%d stories left out", out.LeftOut)) {
		t.Errorf("outcome %q", out.String())
	}
	// The newest are kept.
	for i := range out.New {
		if _, err := st.Article(ctx, "s", fmt.Sprintf("story-%d", i)); err != nil {
			t.Fatalf("story-%d (newest %d kept): %v", i, out.New, err)
		}
	}
}

func TestStoryLeftOutByTheFeedBudgetGivesNothingBack(t *testing.T) {
	// keepNewest leaves out an older feed entry whose text no longer
	// fits. Its stored full text is smaller than the feed's text: carrying
	// it over must not hand the difference back to the run (the entry is
	// left out anyway), nor may its page be fetched.
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	r := newRunner(st)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	old := feeds.Article{ID: "old", Source: "s", Title: "Old", Link: "http://127.0.0.1:1/old", Content: "<p>short full text</p>",
		Published: now.Add(-48 * time.Hour), Page: &feeds.PageState{ExtractedAt: now.Add(-time.Hour)}}
	if _, err := st.UpsertArticles(ctx, []feeds.Article{old}); err != nil {
		t.Fatal(err)
	}
	arts := []feeds.Article{
		{ID: "new", Source: "s", Title: "New", Link: "http://127.0.0.1:1/new", Published: now.Add(-time.Hour),
			Content: strings.Repeat("x", feeds.MaxSourceRunBytes-20_000)},
		{ID: "old", Source: "s", Title: "Old", Link: "http://127.0.0.1:1/old", Published: now.Add(-48 * time.Hour),
			Content: strings.Repeat("y", 30_000)},
	}
	budget := newTextBudget()
	if n := budget.keepNewest(arts); n != 1 {
		t.Fatalf("keepNewest left out %d entries, want the older one", n)
	}
	left := budget.left
	pt := pageTask{src: Source{Source: sources.Source{Name: "s"}, FullText: true}, doer: r.Doer, now: now, budget: budget}
	// The newer entry's page is put off (less than a page's reserve is
	// left); the older entry's stored full text is carried over.
	if _, err := r.completePages(ctx, pt, arts, nil); err != nil {
		t.Fatal(err)
	}
	if budget.left > left {
		t.Errorf("the run's budget grew from %d to %d bytes for a story it leaves out", left, budget.left)
	}
	if kept := budget.kept(arts); len(kept) != 1 || kept[0].ID != "new" {
		t.Errorf("kept %d stories, want the newer one alone", len(kept))
	}
}
