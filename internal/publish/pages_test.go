package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

// walk renders every page of feed "all" in format by following Next and
// returns the titles of the items seen, page by page.
func walk(t *testing.T, p *Publisher, format feeds.Format) [][]string {
	t.Helper()
	var pages [][]string
	for n := 1; n != 0; {
		r, err := p.RenderPage(context.Background(), "all", format, n)
		if err != nil {
			t.Fatalf("page %d: %v", n, err)
		}
		f, err := gofeed.NewParser().Parse(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("page %d does not parse: %v", n, err)
		}
		var titles []string
		for _, it := range f.Items {
			titles = append(titles, it.Title)
		}
		pages = append(pages, titles)
		if len(pages) > 100 {
			t.Fatal("more than 100 pages")
		}
		n = r.Next
	}
	return pages
}

func stories(n int, body func(i int) string) memReader {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var arts memReader
	for i := range n {
		arts = append(arts, feeds.Article{
			ID: fmt.Sprintf("urn:story:%d", i), Source: "s", Title: fmt.Sprintf("Story %d", i),
			Link: fmt.Sprintf("https://example.com/%d", i), Content: body(i),
			Published: base.Add(-time.Duration(i) * time.Hour),
		})
	}
	return arts
}

// TestPagesHoldEveryItemOnce walks 25 items in pages of 10 in every
// format: 10, 10 and 5 items, newest first, each once; the page after the
// last, and page 0, are ErrNoPage; the links follow RFC 5005.
func TestPagesHoldEveryItemOnce(t *testing.T) {
	arts := stories(25, func(int) string { return "<p>Text.</p>" })
	p := New(arts, Options{BaseURL: "http://x.test", Feeds: []Feed{{Name: "all", Sources: []string{"s"}, Limit: 10}}})
	for _, format := range feeds.AllFormats() {
		t.Run(format.Ext(), func(t *testing.T) {
			pages := walk(t, p, format)
			if len(pages) != 3 || len(pages[0]) != 10 || len(pages[1]) != 10 || len(pages[2]) != 5 {
				t.Fatalf("pages %v", pages)
			}
			i := 0
			for _, pg := range pages {
				for _, title := range pg {
					if want := fmt.Sprintf("Story %d", i); title != want {
						t.Fatalf("item %d is %q, want %q", i, title, want)
					}
					i++
				}
			}
			for _, n := range []int{0, -1, 4, MaxPagedItems + 1} {
				if _, err := p.RenderPage(context.Background(), "all", format, n); !errors.Is(err, ErrNoPage) {
					t.Errorf("page %d: %v, want ErrNoPage", n, err)
				}
			}
			r, err := p.RenderPage(context.Background(), "all", format, 2)
			if err != nil {
				t.Fatal(err)
			}
			body := string(r.Body)
			for _, want := range []string{"http://x.test/feeds/all." + format.Ext(), "http://x.test/feeds/all." + format.Ext() + "?page=3"} {
				if !strings.Contains(body, want) {
					t.Errorf("page 2 does not link %s", want)
				}
			}
		})
	}
}

// TestItemsCutToFitStartTheNextPage: pages cut to fit MaxBytes move their
// oldest items to the next page, where a walk still finds every item once.
func TestItemsCutToFitStartTheNextPage(t *testing.T) {
	const limit = 64 << 10
	arts := stories(20, func(int) string {
		return "<p>" + strings.Repeat("Long text & <b>bold</b> words. ", 10<<10/32) + "</p>"
	})
	p := New(arts, Options{BaseURL: "http://x.test", Feeds: []Feed{{Name: "all", Sources: []string{"s"}, Limit: 10}}, MaxBytes: limit})
	for _, format := range feeds.AllFormats() {
		t.Run(format.Ext(), func(t *testing.T) {
			pages := walk(t, p, format)
			i := 0
			for _, pg := range pages {
				for _, title := range pg {
					if want := fmt.Sprintf("Story %d", i); title != want {
						t.Fatalf("item %d is %q, want %q (pages %v)", i, title, want, pages)
					}
					i++
				}
			}
			if i != 20 || len(pages) <= 2 {
				t.Errorf("%d items on %d pages, want 20 on more than 2", i, len(pages))
			}
		})
	}
}

// TestItemsReadsMoreWhenStoriesMerge: the same stories from three sources
// merge into one item each, so filling a page takes reading more articles
// than the page holds.
func TestItemsReadsMoreWhenStoriesMerge(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var arts memReader
	for i := range 12 {
		for _, src := range []string{"a", "b", "c"} {
			arts = append(arts, feeds.Article{ID: fmt.Sprintf("urn:s:%d", i), Source: src, Title: fmt.Sprintf("Story %d", i),
				Link: fmt.Sprintf("https://example.com/%d", i), Published: base.Add(-time.Duration(i) * time.Hour)})
		}
	}
	p := New(arts, Options{Feeds: []Feed{{Name: "all", Sources: []string{"a", "b", "c"}, Limit: 5}}})
	items, done, err := p.items(context.Background(), p.byNam["all"], 10)
	if err != nil || len(items) != 10 || done {
		t.Fatalf("items: %d, done %v, %v; want 10, more to come", len(items), done, err)
	}
	items, done, err = p.items(context.Background(), p.byNam["all"], 20)
	if err != nil || len(items) != 12 || !done {
		t.Fatalf("items: %d, done %v, %v; want all 12, no more", len(items), done, err)
	}
}

// TestHTMLPagesHoldAtMostMaxHTMLStories: a feed of a large limit is read
// in HTML pages of MaxHTMLStories, every story once.
func TestHTMLPagesHoldAtMostMaxHTMLStories(t *testing.T) {
	arts := stories(MaxHTMLStories+30, func(int) string { return "" })
	p := New(arts, Options{BaseURL: "http://x.test", Feeds: []Feed{{Name: "all", Sources: []string{"s"}, Limit: 1000}}})
	seen := 0
	for n := 1; n != 0; {
		r, err := p.RenderPage(context.Background(), "all", HTML, n)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Count(string(r.Body), "<article>")
		if want := []int{0, MaxHTMLStories, 30}[n]; got != want {
			t.Errorf("page %d: %d stories, want %d", n, got, want)
		}
		seen += got
		n = r.Next
	}
	if seen != MaxHTMLStories+30 {
		t.Errorf("%d stories seen", seen)
	}
}

// readCounter counts the reads of articles.
type readCounter struct {
	memReader
	reads int
}

func (c *readCounter) Articles(ctx context.Context, q store.Query) ([]feeds.Article, error) {
	c.reads++
	return c.memReader.Articles(ctx, q)
}

// TestKeepItemsWalksWithFewReads: with KeepItems (build), walking 40
// pages reads the store a few times, not once or more per page, and gives
// the same pages.
func TestKeepItemsWalksWithFewReads(t *testing.T) {
	arts := stories(200, func(int) string { return "<p>Text.</p>" })
	for _, keep := range []bool{false, true} {
		r := &readCounter{memReader: arts}
		p := New(r, Options{BaseURL: "http://x.test", KeepItems: keep, Feeds: []Feed{{Name: "all", Sources: []string{"s"}, Limit: 5}}})
		pages := walk(t, p, feeds.JSON)
		if len(pages) != 40 || pages[39][4] != "Story 199" {
			t.Fatalf("keep %v: %d pages, last %v", keep, len(pages), pages[len(pages)-1])
		}
		if keep && r.reads > 8 || !keep && r.reads < 40 {
			t.Errorf("keep %v: %d reads for 40 pages", keep, r.reads)
		}
	}
}

// TestDeepPageFirstReadsOnce: page 40 asked for first (after a change, or
// a start) learns where it starts from one read of the store, not one per
// page before it, and holds the right stories.
func TestDeepPageFirstReadsOnce(t *testing.T) {
	r := &readCounter{memReader: stories(200, func(int) string { return "<p>Text.</p>" })}
	p := New(r, Options{BaseURL: "http://x.test", Feeds: []Feed{{Name: "all", Sources: []string{"s"}, Limit: 5}}})
	rend, err := p.RenderPage(context.Background(), "all", feeds.Atom, 40)
	if err != nil {
		t.Fatal(err)
	}
	if r.reads > 2 || rend.Next != 0 || !strings.Contains(string(rend.Body), "Story 199") || !strings.Contains(string(rend.Body), "Story 195") || strings.Contains(string(rend.Body), "Story 194") {
		t.Errorf("%d reads; page 40 (next %d):\n%s", r.reads, rend.Next, rend.Body)
	}
	if _, err := p.RenderPage(context.Background(), "all", feeds.Atom, 41); !errors.Is(err, ErrNoPage) {
		t.Errorf("page 41: %v, want ErrNoPage", err)
	}
}

// TestHTMLPageStoriesCarryFeedLanguage: a feed's page marks its stories
// with the feed's language (lang="de"), so that a screen reader reads a
// German story in German; the page's own words stay English, and a feed
// without a language leaves its stories unmarked.
func TestHTMLPageStoriesCarryFeedLanguage(t *testing.T) {
	p := New(stories(2, func(int) string { return "" }), Options{BaseURL: "http://x.test", Feeds: []Feed{
		{Name: "de", Sources: []string{"s"}, Limit: 10, Language: "de"},
		{Name: "plain", Sources: []string{"s"}, Limit: 10},
	}})
	for _, tc := range []struct{ feed, want string }{{"de", `<article lang="de">`}, {"plain", "<article>"}} {
		r, err := p.RenderPage(context.Background(), tc.feed, HTML, 1)
		if err != nil {
			t.Fatal(err)
		}
		body := string(r.Body)
		if got := strings.Count(body, tc.want); got != 2 {
			t.Errorf("%s: %d stories marked %s, want 2:\n%s", tc.feed, got, tc.want, body)
		}
		if !strings.Contains(body, `<html lang="en">`) {
			t.Errorf("%s: the page's own language is not en", tc.feed)
		}
	}
}

// TestPagingStopsAtMaxPagedItems: a feed holding more than MaxPagedItems
// stories is walked to its MaxPagedItems-th story and no further; the
// page that holds it links no next page (which would be a 404), in every
// format.
func TestPagingStopsAtMaxPagedItems(t *testing.T) {
	arts := stories(MaxPagedItems+7, func(int) string { return "" })
	p := New(arts, Options{BaseURL: "http://x.test", Feeds: []Feed{{Name: "all", Sources: []string{"s"}, Limit: 2500}}})
	for _, format := range feeds.AllFormats() {
		pages := walk(t, p, format)
		n := 0
		for _, pg := range pages {
			n += len(pg)
		}
		if len(pages) != 4 || n != MaxPagedItems {
			t.Errorf("%s: %d pages, %d items; want 4 pages, %d items", format.Ext(), len(pages), n, MaxPagedItems)
		}
		if _, err := p.RenderPage(context.Background(), "all", format, 5); !errors.Is(err, ErrNoPage) {
			t.Errorf("%s page 5: %v, want ErrNoPage", format.Ext(), err)
		}
	}
	// The HTML pages (at most MaxHTMLStories each) stop at the same story.
	last := (MaxPagedItems + MaxHTMLStories - 1) / MaxHTMLStories
	r, err := p.RenderPage(context.Background(), "all", HTML, last)
	if err != nil {
		t.Fatalf("HTML page %d: %v", last, err)
	}
	if r.Next != 0 {
		t.Errorf("HTML page %d links page %d past the last story paged", last, r.Next)
	}
}
