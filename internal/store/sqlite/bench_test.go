package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

// benchArticle is a realistically sized article: ~6 KB of content, two
// authors, an image, categories.
func benchArticle(src string, n int) feeds.Article {
	return feeds.Article{
		ID:      fmt.Sprintf("https://%s.example/post/%d", src, n),
		Source:  src,
		Origin:  "https://" + src + ".example/feed.xml",
		Title:   fmt.Sprintf("Story number %d about something", n),
		Link:    fmt.Sprintf("https://%s.example/post/%d", src, n),
		Summary: "<p>A short summary of the story, a sentence or two long.</p>",
		Content: strings.Repeat("<p>A paragraph of the story body with some words in it.</p>\n", 100),
		Authors: []feeds.Author{
			{Name: "Ann Writer", URL: "https://" + src + ".example/ann", Avatar: "https://" + src + ".example/ann.jpg", Bio: "Writes things."},
			{Name: "Bob Editor"},
		},
		Image:      &feeds.Image{URL: "https://" + src + ".example/img.jpg", Caption: "A caption", Credit: "AP", Width: 1200, Height: 800},
		Categories: []string{"news", "world"},
		Published:  time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute),
		FetchedAt:  time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
	}
}

func benchDB(b *testing.B) *DB {
	b.Helper()
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkUpsert stores batches of 50 articles: all new, or a re-fetch
// where all are unchanged (the common case for a polled feed).
func BenchmarkUpsert(b *testing.B) {
	ctx := context.Background()
	b.Run("New", func(b *testing.B) {
		db := benchDB(b)
		n := 0
		for b.Loop() {
			batch := make([]feeds.Article, 50)
			for i := range batch {
				batch[i] = benchArticle("src", n)
				n++
			}
			if _, err := db.UpsertArticles(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Unchanged", func(b *testing.B) {
		db := benchDB(b)
		batch := make([]feeds.Article, 50)
		for i := range batch {
			batch[i] = benchArticle("src", i)
		}
		if _, err := db.UpsertArticles(ctx, batch); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			res, err := db.UpsertArticles(ctx, batch)
			if err != nil || res.Unchanged != 50 {
				b.Fatal(res, err)
			}
		}
	})
}

// BenchmarkArticles selects the newest 50 of 5000 stored articles from 10
// sources, all of them or two sources.
func BenchmarkArticles(b *testing.B) {
	ctx := context.Background()
	db := benchDB(b)
	for s := range 10 {
		batch := make([]feeds.Article, 500)
		for i := range batch {
			batch[i] = benchArticle(fmt.Sprintf("src%d", s), i*10+s)
		}
		if _, err := db.UpsertArticles(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		q    store.Query
	}{
		{"All", store.Query{Limit: 50}},
		{"TwoSources", store.Query{Limit: 50, Sources: []string{"src3", "src7"}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				arts, err := db.Articles(ctx, bc.q)
				if err != nil || len(arts) != 50 {
					b.Fatal(len(arts), err)
				}
			}
		})
	}
}
