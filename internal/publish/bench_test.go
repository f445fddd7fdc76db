package publish

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store/sqlite"
)

// BenchmarkPage renders page 2 (cached after the first), 20 and 200 of a
// feed of 10,000 stories in pages of 50 from SQLite: a page past the
// cached ones reads every item before it.
func BenchmarkPage(b *testing.B) {
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var arts []feeds.Article
	for i := range 10000 {
		arts = append(arts, feeds.Article{ID: fmt.Sprint(i), Source: "s", Title: fmt.Sprintf("Story %d", i), Link: fmt.Sprintf("https://example.com/%d", i),
			Summary: "<p>A summary of the story, of a common length.</p>", Published: base.Add(-time.Duration(i) * time.Minute)})
	}
	if _, err := st.UpsertArticles(context.Background(), arts); err != nil {
		b.Fatal(err)
	}
	p := New(st, Options{BaseURL: "http://x.test", Feeds: []Feed{{Name: "all", Sources: []string{"s"}, Limit: 50}}})
	for _, n := range []int{2, 20, 200} {
		if _, err := p.RenderPage(context.Background(), "all", feeds.Atom, n); err != nil { // learns where it starts
			b.Fatal(err)
		}
		b.Run(fmt.Sprint("page-", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.RenderPage(context.Background(), "all", feeds.Atom, n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
