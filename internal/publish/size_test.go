package publish

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

// memReader is a Reader of fixed articles, newest first.
type memReader []feeds.Article

func (m memReader) Articles(ctx context.Context, q store.Query) ([]feeds.Article, error) {
	return m[:min(len(m), q.Limit)], nil
}

func (m memReader) Version(ctx context.Context) (store.Version, error) {
	return store.Version{Counter: 1, ChangedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, nil
}

// renderWithin renders feed "all" of p in format, fails unless it is at
// most limit bytes and parses, and returns it parsed.
func renderWithin(t *testing.T, p *Publisher, format feeds.Format, limit int) *gofeed.Feed {
	t.Helper()
	r, err := p.Render(context.Background(), "all", format)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Body) > limit {
		t.Fatalf("rendering of %d bytes, want at most %d", len(r.Body), limit)
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("the cut rendering does not parse: %v", err)
	}
	return f
}

// TestRenderingStaysUnderMaxBytes publishes 20 articles of 10 KB under a
// bound of 64 KiB (the default, MaxFeedBytes, works the same on 8 MiB):
// every format is cut to the bound by leaving out the oldest items, still
// parses, keeps the newest items in order, and the cut is logged.
func TestRenderingStaysUnderMaxBytes(t *testing.T) {
	const n, limit = 20, 64 << 10
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var arts memReader
	for i := range n {
		arts = append(arts, feeds.Article{
			ID: fmt.Sprintf("urn:big:%d", i), Source: "s", Title: fmt.Sprintf("Story %d", i),
			Link:      fmt.Sprintf("https://example.com/%d", i),
			Summary:   "<p>Summary & more.</p>",
			Content:   "<p>" + strings.Repeat("Long text & <b>bold</b> words. ", 10<<10/32) + "</p>",
			Published: base.Add(-time.Duration(i) * time.Hour),
		})
	}
	var logs bytes.Buffer
	p := New(arts, Options{BaseURL: "http://x.test", Feeds: []Feed{{Name: "all", Sources: []string{"s"}, Limit: n}},
		MaxBytes: limit, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for _, format := range feeds.AllFormats() {
		t.Run(format.Ext(), func(t *testing.T) {
			f := renderWithin(t, p, format, limit)
			if len(f.Items) == 0 || len(f.Items) >= n {
				t.Fatalf("%d items kept of %d", len(f.Items), n)
			}
			for i, it := range f.Items {
				if want := fmt.Sprintf("Story %d", i); it.Title != want {
					t.Fatalf("item %d is %q, want %q: the newest items first", i, it.Title, want)
				}
			}
			if !strings.Contains(logs.String(), fmt.Sprintf(`msg="feed page too large, oldest items moved to the next page" feed=all format=%s page=1`, format.Ext())) ||
				!strings.Contains(logs.String(), fmt.Sprintf("items=%d kept=%d", n, len(f.Items))) {
				t.Errorf("no log line for the cut:\n%s", logs.String())
			}
		})
	}
}

// TestItemTooLargeAloneIsLeftOut is a newest item that makes the feed too
// large on its own (an item of many enclosures, say): it is left out, and
// the older items, which fit, are still published, in every format.
func TestItemTooLargeAloneIsLeftOut(t *testing.T) {
	const limit = 64 << 10
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	arts := memReader{{
		ID: "urn:huge", Source: "s", Title: "Huge", Link: "https://example.com/huge",
		Content:   "<p>" + strings.Repeat("word ", 2*limit/5) + "</p>",
		Published: base,
	}}
	for i := range 3 {
		arts = append(arts, feeds.Article{
			ID: fmt.Sprintf("urn:small:%d", i), Source: "s", Title: fmt.Sprintf("Small %d", i),
			Link: fmt.Sprintf("https://example.com/%d", i), Summary: "<p>Short.</p>",
			Published: base.Add(-time.Duration(i+1) * time.Hour),
		})
	}
	p := New(arts, Options{BaseURL: "http://x.test", Feeds: []Feed{{Name: "all", Sources: []string{"s"}, Limit: 10}}, MaxBytes: limit})
	for _, format := range feeds.AllFormats() {
		t.Run(format.Ext(), func(t *testing.T) {
			f := renderWithin(t, p, format, limit)
			var titles []string
			for _, it := range f.Items {
				titles = append(titles, it.Title)
			}
			if got, want := strings.Join(titles, ", "), "Small 0, Small 1, Small 2"; got != want {
				t.Errorf("items %q, want %q", got, want)
			}
		})
	}
}
