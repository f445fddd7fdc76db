package storetest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/postgres"
	"github.com/tributary/tributary/internal/store/postgres/pgtest"
	"github.com/tributary/tributary/internal/store/sqlite"
	"github.com/tributary/tributary/internal/store/storetest"
)

func openSQLite(t *testing.T) store.Copier {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "copy.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openPostgres(t *testing.T) store.Copier {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.Schema(t))
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestCopy copies between every pair of stores: the suite runs once per
// direction, SQLite to SQLite without a server.
func TestCopy(t *testing.T) {
	pairs := []struct {
		name     string
		from, to func(t *testing.T) store.Copier
	}{
		{"SQLiteToSQLite", openSQLite, openSQLite},
		{"SQLiteToPostgres", openSQLite, openPostgres},
		{"PostgresToSQLite", openPostgres, openSQLite},
		{"PostgresToPostgres", openPostgres, openPostgres},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			storetest.RunCopy(t, storetest.CopyOpener{From: p.from, To: p.to})
		})
	}
}

// BenchmarkCopy copies a store of 2,000 articles of about 2 KB of distinct
// HTML in 20 sources into a new store and verifies it, per iteration;
// articles/s is the copy's rate, verification included.
func BenchmarkCopy(b *testing.B) {
	const sources, perSource = 20, 100
	ctx := context.Background()
	open := map[string]func(b *testing.B) store.Copier{
		"SQLite": func(b *testing.B) store.Copier {
			db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db
		},
		"Postgres": func(b *testing.B) store.Copier {
			db, err := postgres.Open(ctx, pgtest.Schema(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db
		},
	}
	for _, pair := range [][2]string{{"SQLite", "SQLite"}, {"SQLite", "Postgres"}, {"Postgres", "SQLite"}} {
		b.Run(pair[0]+"To"+pair[1], func(b *testing.B) {
			from := open[pair[0]](b)
			base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
			for s := range sources {
				arts := make([]feeds.Article, perSource)
				for i := range arts {
					id := fmt.Sprintf("item-%d-%d", s, i)
					arts[i] = feeds.Article{ID: id, Source: fmt.Sprintf("source-%02d", s), Title: "Title " + id,
						Link: "https://example.com/" + id, Summary: "<p>Summary of " + id + "</p>",
						Content:   strings.Repeat("<p>Paragraph of "+id+" with some distinct text.</p>", 40),
						Published: base.Add(time.Duration(i) * time.Minute), FetchedAt: base}
				}
				if _, err := from.UpsertArticles(ctx, arts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				to := open[pair[1]](b)
				b.StartTimer()
				res, err := store.Copy(ctx, from, to, store.CopyOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := store.Verify(ctx, from, to, res); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(sources*perSource*b.N)/b.Elapsed().Seconds(), "articles/s")
		})
	}
}
