package publish

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/sqlite"
)

// countingReader passes reads to a store and records the limit of each.
type countingReader struct {
	Reader
	mu     sync.Mutex
	limits []int
}

func (c *countingReader) Articles(ctx context.Context, q store.Query) ([]feeds.Article, error) {
	c.mu.Lock()
	c.limits = append(c.limits, q.Limit)
	c.mu.Unlock()
	return c.Reader.Articles(ctx, q)
}

// art is an article of source src published hours ago, titled title.
func art(src string, i int, title string, hoursAgo float64, now time.Time) feeds.Article {
	return feeds.Article{
		ID: fmt.Sprintf("%s-%d", src, i), Source: src, Title: title,
		Link:      fmt.Sprintf("https://%s.example/%d", src, i),
		Published: now.Add(-time.Duration(hoursAgo * float64(time.Hour))).UTC().Truncate(time.Second),
	}
}

// sqliteWith returns a real SQLite store in a temporary file holding arts.
func sqliteWith(t *testing.T, arts []feeds.Article) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for chunk := range slices.Chunk(arts, 500) {
		if _, err := db.UpsertArticles(context.Background(), chunk); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func mustFilter(t *testing.T, include, exclude feeds.Rules) *feeds.Filter {
	t.Helper()
	f, err := feeds.NewFilter(include, exclude)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func titles(items []feeds.Article) []string {
	out := make([]string, len(items))
	for i, a := range items {
		out[i] = a.Title
	}
	return out
}

// TestFilteredFeedStillGetsItsLimit stores 300 articles of which only
// every tenth is not about wrestling: a feed of 10 that excludes
// wrestling reads the store further than twice its limit and still
// publishes 10 items, the newest that pass, and counts the 90 it left out.
func TestFilteredFeedStillGetsItsLimit(t *testing.T) {
	now := time.Now()
	var arts []feeds.Article
	for i := range 300 {
		title := fmt.Sprintf("WWE match %d", i)
		if i%10 == 0 {
			title = fmt.Sprintf("Cooking %d", i)
		}
		arts = append(arts, art("a", i, title, float64(i), now))
	}
	r := &countingReader{Reader: sqliteWith(t, arts)}
	f := Feed{Name: "clean", Sources: []string{"a"}, Limit: 10, Filter: mustFilter(t, feeds.Rules{}, feeds.Rules{Title: []string{"wwe"}})}
	p := New(r, Options{BaseURL: "http://x.test", Feeds: []Feed{f}})
	sel, err := p.selectItems(context.Background(), f, 10, now)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 0; i < 100; i += 10 {
		want = append(want, fmt.Sprintf("Cooking %d", i))
	}
	if got := titles(sel.items); !slices.Equal(got, want) {
		t.Errorf("items = %v, want %v", got, want)
	}
	if sel.left != (Filtered{Exclude: 81}) { // WWE 1 to 89: newer than Cooking 90
		t.Errorf("left out %+v, want 81 excluded (the wrestling items newer than the oldest published)", sel.left)
	}
	if sel.exhausted {
		t.Error("exhausted, but 200 more articles are stored, 20 of them published with more pages")
	}
	if len(r.limits) < 2 || r.limits[0] != 20 || r.limits[len(r.limits)-1] > MaxScan {
		t.Errorf("store reads with limits %v: want 20 first, growing, never beyond %d", r.limits, MaxScan)
	}
	// The rendering publishes the same, and reports what it left out.
	var got Filtered
	p = New(r, Options{BaseURL: "http://x.test", Feeds: []Feed{f}, OnFiltered: func(feed string, left Filtered) { got = left }})
	rend, err := p.Render(context.Background(), "clean", feeds.JSON)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(rend.Body), "WWE") || !strings.Contains(string(rend.Body), "Cooking 90") {
		t.Errorf("rendering holds wrestling or misses Cooking 90:\n%s", rend.Body)
	}
	if got != sel.left {
		t.Errorf("OnFiltered heard %+v, want %+v", got, sel.left)
	}
}

// TestSelection lists the rules of a feed's selection: sources' filters,
// the feed's, max_age, per_source_limit, and what each counts.
func TestSelection(t *testing.T) {
	now := time.Now()
	// Newest first: a0 (1h ago), b0 (2h), a1 (3h), b1 (4h), a2 (5h), b2 (6h),
	// a3 (40 days), b3 (41 days).
	var arts []feeds.Article
	for i, h := range []float64{1, 3, 5, 40 * 24} {
		arts = append(arts, art("a", i, fmt.Sprintf("a%d sports", i), h, now))
		arts = append(arts, art("b", i, fmt.Sprintf("b%d news", i), h+1, now))
	}
	arts[2].Categories = feeds.Terms("Wrestling") // a1
	db := sqliteWith(t, arts)
	wrestling := mustFilter(t, feeds.Rules{}, feeds.Rules{Category: []string{"wrestling"}})
	cases := []struct {
		name          string
		feed          Feed
		sources       map[string]*feeds.Filter
		n             int
		want          []string
		left          Filtered
		exhausted     bool
		hasExpiryTime bool
	}{
		{name: "no rules", feed: Feed{Limit: 3}, n: 3, want: []string{"a0 sports", "b0 news", "a1 sports"}},
		{name: "everything", feed: Feed{Limit: 10}, n: 10,
			want:      []string{"a0 sports", "b0 news", "a1 sports", "b1 news", "a2 sports", "b2 news", "a3 sports", "b3 news"},
			exhausted: true},
		{name: "feed exclude", feed: Feed{Limit: 3, Filter: wrestling}, n: 3,
			want: []string{"a0 sports", "b0 news", "b1 news"}, left: Filtered{Exclude: 1}},
		{name: "feed include", feed: Feed{Limit: 3, Filter: mustFilter(t, feeds.Rules{Title: []string{"news"}}, feeds.Rules{})}, n: 3,
			want: []string{"b0 news", "b1 news", "b2 news"}, left: Filtered{Include: 3}},
		{name: "source exclude applies to its source only", feed: Feed{Limit: 3}, n: 3,
			sources: map[string]*feeds.Filter{"a": mustFilter(t, feeds.Rules{}, feeds.Rules{Any: []string{"sports"}}), "b": wrestling},
			want:    []string{"b0 news", "b1 news", "b2 news"}, left: Filtered{Exclude: 3}},
		{name: "source include", feed: Feed{Limit: 2}, n: 2,
			sources: map[string]*feeds.Filter{"b": mustFilter(t, feeds.Rules{Title: []string{"b2"}}, feeds.Rules{})},
			want:    []string{"a0 sports", "a1 sports"}, left: Filtered{Include: 1}}, // b0; b1 is older than a1
		{name: "per source limit", feed: Feed{Limit: 4, PerSourceLimit: 1}, n: 4,
			want: []string{"a0 sports", "b0 news"}, left: Filtered{PerSourceLimit: 6}, exhausted: true},
		{name: "max age", feed: Feed{Limit: 5, MaxAge: 30 * 24 * time.Hour}, n: 5,
			want: []string{"a0 sports", "b0 news", "a1 sports", "b1 news", "a2 sports"}, hasExpiryTime: true},
		{name: "max age keeps the feed short", feed: Feed{Limit: 10, MaxAge: 30 * 24 * time.Hour}, n: 10,
			want:      []string{"a0 sports", "b0 news", "a1 sports", "b1 news", "a2 sports", "b2 news"},
			left:      Filtered{MaxAge: 2},
			exhausted: true, hasExpiryTime: true},
		{name: "max age counts no more than the feed has room for", feed: Feed{Limit: 7, MaxAge: 30 * 24 * time.Hour}, n: 7,
			want: []string{"a0 sports", "b0 news", "a1 sports", "b1 news", "a2 sports", "b2 news"},
			left: Filtered{MaxAge: 1}, exhausted: true, hasExpiryTime: true},
		{name: "max age before the other rules", feed: Feed{Limit: 10, MaxAge: 30 * 24 * time.Hour, Filter: mustFilter(t, feeds.Rules{}, feeds.Rules{Title: []string{"a3"}})}, n: 10,
			want:      []string{"a0 sports", "b0 news", "a1 sports", "b1 news", "a2 sports", "b2 news"},
			left:      Filtered{MaxAge: 2},
			exhausted: true, hasExpiryTime: true},
		{name: "a page of the rest", feed: Feed{Limit: 50}, n: 8, want: []string{"a0 sports", "b0 news", "a1 sports", "b1 news", "a2 sports", "b2 news", "a3 sports", "b3 news"}, exhausted: true},
		{name: "not exhausted while one more would be published", feed: Feed{Limit: 50, Filter: wrestling}, n: 6,
			want: []string{"a0 sports", "b0 news", "b1 news", "a2 sports", "b2 news", "a3 sports"}, left: Filtered{Exclude: 1}},
		{name: "exhausted when the rest is filtered", feed: Feed{Limit: 50, Filter: mustFilter(t, feeds.Rules{}, feeds.Rules{Title: []string{"b3"}})}, n: 7,
			want: []string{"a0 sports", "b0 news", "a1 sports", "b1 news", "a2 sports", "b2 news", "a3 sports"}, exhausted: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.feed
			f.Name, f.Sources = "f", []string{"a", "b"}
			p := New(db, Options{BaseURL: "http://x.test", Feeds: []Feed{f}, SourceFilters: c.sources})
			sel, err := p.selectItems(context.Background(), f, c.n, now)
			if err != nil {
				t.Fatal(err)
			}
			if got := titles(sel.items); !slices.Equal(got, c.want) {
				t.Errorf("items = %v, want %v", got, c.want)
			}
			if sel.left != c.left {
				t.Errorf("left out %+v, want %+v", sel.left, c.left)
			}
			if sel.exhausted != c.exhausted {
				t.Errorf("exhausted = %v, want %v", sel.exhausted, c.exhausted)
			}
			if !sel.until.IsZero() != c.hasExpiryTime {
				t.Errorf("until = %v, want one: %v", sel.until, c.hasExpiryTime)
			}
			items, exhausted, err := p.items(context.Background(), f, c.n)
			if err != nil || !slices.Equal(titles(items), c.want) || exhausted != c.exhausted {
				t.Errorf("items() = %v, %v, %v; want %v, %v", titles(items), exhausted, err, c.want, c.exhausted)
			}
		})
	}
}

// endless is a store of more articles than any read asks for, none of
// which a feed that excludes "wwe" keeps.
type endless struct{ memReader }

func (endless) Articles(ctx context.Context, q store.Query) ([]feeds.Article, error) {
	now := time.Now()
	out := make([]feeds.Article, q.Limit)
	for i := range out {
		out[i] = art("a", i, "WWE", float64(i), now)
	}
	return out, nil
}

// TestSelectionReadIsBounded: a feed whose filter leaves out everything
// reads at most MaxScan stored articles, and is not exhausted.
func TestSelectionReadIsBounded(t *testing.T) {
	r := &countingReader{Reader: endless{}}
	f := Feed{Name: "f", Sources: []string{"a"}, Limit: 10, Filter: mustFilter(t, feeds.Rules{}, feeds.Rules{Title: []string{"wwe"}})}
	p := New(r, Options{BaseURL: "http://x.test", Feeds: []Feed{f}})
	items, exhausted, err := p.items(context.Background(), f, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 0 || exhausted {
		t.Errorf("items %d, exhausted %v; want none, not exhausted", len(items), exhausted)
	}
	total := 0
	for _, l := range r.limits {
		total += l
	}
	if r.limits[len(r.limits)-1] != MaxScan || total > 2*MaxScan {
		t.Errorf("read limits %v (total %d): want growing to %d", r.limits, total, MaxScan)
	}
}

// TestItemAgingOutRerendersWithoutStoreChange: a rendering holding an
// item about to pass max_age is made again once it has, though the store
// did not change.
func TestItemAgingOutRerendersWithoutStoreChange(t *testing.T) {
	now := time.Now()
	old := art("a", 1, "Old", 0, now)
	old.Published = now.Add(-time.Hour + time.Second)
	r := memReader{art("a", 0, "New", 0, now), old}
	p := New(r, Options{BaseURL: "http://x.test", Feeds: []Feed{{Name: "all", Sources: []string{"a"}, Limit: 10, MaxAge: time.Hour}}})
	// The feed, its page to read and the home page each age out.
	renders := map[string]func() (*Rendering, error){
		"feed": func() (*Rendering, error) { return p.Render(context.Background(), "all", feeds.JSON) },
		"page": func() (*Rendering, error) { return p.RenderPage(context.Background(), "all", HTML, 1) },
		"home": func() (*Rendering, error) { return p.RenderIndex(context.Background()) },
	}
	for name, render := range renders {
		first, err := render()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(first.Body), `Old`) {
			t.Fatalf("first %s rendering misses Old:\n%s", name, first.Body)
		}
	}
	time.Sleep(time.Until(old.Published.Add(time.Hour + 10*time.Millisecond)))
	for name, render := range renders {
		second, err := render()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(second.Body), `Old`) || !strings.Contains(string(second.Body), `New`) {
			t.Errorf("%s rendering after Old passed max_age:\n%s", name, second.Body)
		}
	}
}
