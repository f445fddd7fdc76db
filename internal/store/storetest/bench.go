package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

// BenchOpener returns a store on a new, empty database for a benchmark. It
// must close the store when b ends (b.Cleanup).
type BenchOpener func(b *testing.B) store.Store

// BenchUpsert benchmarks UpsertArticles with batches of 50 realistically
// sized articles, as sub-benchmarks New (every article new) and Unchanged
// (a re-fetch where all 50 are unchanged, the common case for a polled
// feed). Each sub-benchmark opens its own store. An implementation calls it
// from its BenchmarkUpsert, so that -bench Upsert selects it:
//
//	func BenchmarkUpsert(b *testing.B) { storetest.BenchUpsert(b, open) }
func BenchUpsert(b *testing.B, open BenchOpener) {
	ctx := context.Background()
	b.Run("New", func(b *testing.B) {
		s := open(b)
		n := 0
		for b.Loop() {
			batch := make([]feeds.Article, 50)
			for i := range batch {
				batch[i] = benchArticle("src", n)
				n++
			}
			if _, err := s.UpsertArticles(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Unchanged", func(b *testing.B) {
		s := open(b)
		batch := make([]feeds.Article, 50)
		for i := range batch {
			batch[i] = benchArticle("src", i)
		}
		if _, err := s.UpsertArticles(ctx, batch); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			res, err := s.UpsertArticles(ctx, batch)
			if err != nil || res.Unchanged != 50 {
				b.Fatal(res, err)
			}
		}
	})
	// UnchangedRound is what the store does for one source of an
	// unchanged refresh whose feed answered 200 with the same 50 items:
	// read the state, upsert, mark listed, save the state. An op is one
	// source, of 100 taken in turn.
	b.Run("UnchangedRound", func(b *testing.B) {
		s := open(b)
		const sources = 100
		batches := make([][]feeds.Article, sources)
		ids := make([][]string, sources)
		for src := range sources {
			batches[src] = make([]feeds.Article, 50)
			for i := range batches[src] {
				batches[src][i] = HTMLArticle(fmt.Sprintf("src%d", src), i, 2000)
				ids[src] = append(ids[src], batches[src][i].ID)
			}
			if _, err := s.UpsertArticles(ctx, batches[src]); err != nil {
				b.Fatal(err)
			}
		}
		n := 0
		for b.Loop() {
			src := n % sources
			n++
			st, err := s.SourceState(ctx, batches[src][0].Source)
			if err != nil {
				b.Fatal(err)
			}
			res, err := s.UpsertArticles(ctx, batches[src])
			if err != nil || res.Unchanged != 50 {
				b.Fatal(res, err)
			}
			if err := s.MarkListed(ctx, st.Name, ids[src]); err != nil {
				b.Fatal(err)
			}
			st.ETag, st.LastStatus, st.LastAttempt = `"v1"`, "200", time.Unix(1717200000, 0)
			if err := s.SaveSourceState(ctx, st); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// HTMLArticle is an article of source src whose content is about size
// bytes of HTML whose words differ from those of every other n (as
// distinct as the text of real articles, so compression or deduplication
// cannot shrink it below what real ones need), with a one-sentence
// summary. The same (src, n, size) always gives the same article.
func HTMLArticle(src string, n, size int) feeds.Article {
	var sb strings.Builder
	sb.Grow(size + 200)
	// A xorshift stream seeded by n: deterministic, distinct per article.
	x := uint64(n)*0x9E3779B97F4A7C15 + 1
	word := func() {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		for k := 3 + int(x%7); k > 0; k-- {
			sb.WriteByte(byte('a' + (x>>(5*k))%26))
		}
	}
	for sb.Len() < size {
		sb.WriteString("<p>")
		for w := 0; w < 30 && sb.Len() < size; w++ {
			if w > 0 {
				sb.WriteByte(' ')
			}
			word()
		}
		sb.WriteString(".</p>\n")
	}
	return feeds.Article{
		ID:         fmt.Sprintf("https://%s.example/%d/story-%d", src, 2024+n%3, n),
		Source:     src,
		Origin:     "https://" + src + ".example/feed.xml",
		Title:      fmt.Sprintf("Story number %d of %s", n, src),
		Link:       fmt.Sprintf("https://%s.example/%d/story-%d", src, 2024+n%3, n),
		Summary:    fmt.Sprintf("<p>Summary of story %d, a sentence long.</p>", n),
		Content:    sb.String(),
		Authors:    []feeds.Author{{Name: fmt.Sprintf("Writer %d", n%7)}},
		Categories: feeds.Terms("news"),
		Published:  time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute),
		FetchedAt:  time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
	}
}

// BenchArticles benchmarks Articles selecting the newest 50 of 5000 stored
// articles from 10 sources, as sub-benchmarks All (every source) and
// TwoSources. The sub-benchmarks share one store, filled once. An
// implementation calls it from its BenchmarkArticles:
//
//	func BenchmarkArticles(b *testing.B) { storetest.BenchArticles(b, open) }
func BenchArticles(b *testing.B, open BenchOpener) {
	ctx := context.Background()
	s := open(b)
	for src := range 10 {
		batch := make([]feeds.Article, 500)
		for i := range batch {
			batch[i] = benchArticle(fmt.Sprintf("src%d", src), i*10+src)
		}
		if _, err := s.UpsertArticles(ctx, batch); err != nil {
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
				arts, err := s.Articles(ctx, bc.q)
				if err != nil || len(arts) != 50 {
					b.Fatal(len(arts), err)
				}
			}
		})
	}
}

// BenchPagesDue benchmarks PagesDue on a source of 5000 stored articles
// whose pages were extracted, 100 of them failed and due: the extra read
// of every run of a full-text source, 304 Not Modified included. An
// implementation calls it from its BenchmarkPagesDue.
func BenchPagesDue(b *testing.B, open BenchOpener) {
	ctx := context.Background()
	s := open(b)
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for k := range 10 {
		batch := make([]feeds.Article, 500)
		for i := range batch {
			batch[i] = benchPaged("src", k*500+i, at)
		}
		if _, err := s.UpsertArticles(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		arts, err := s.PagesDue(ctx, "src", at.Add(time.Hour), 25)
		if err != nil || len(arts) != 25 {
			b.Fatal(len(arts), err)
		}
	}
}

// benchPaged is benchArticle with its page extracted at at, or, one in
// fifty, failed and due a minute later.
func benchPaged(src string, n int, at time.Time) feeds.Article {
	a := benchArticle(src, n)
	a.Page = &feeds.PageState{ExtractedAt: at, AttemptedAt: at, ETag: `"e"`}
	if n%50 == 0 {
		a.Page = &feeds.PageState{Error: "article page: http 500", Attempts: 1, AttemptedAt: at, RetryAt: at.Add(time.Minute)}
	}
	return a
}

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
		Categories: feeds.Terms("news", "world"),
		Published:  time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute),
		FetchedAt:  time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
	}
}

// BenchSourceStats benchmarks SourceStats, what every status page and
// `tributary status` reads, on sources x perSource realistically sized
// articles, each with its page extracted and one in fifty failed. The
// time grows with the number of stored articles: divide by
// sources*perSource for the cost of one. An implementation calls it from
// its BenchmarkSourceStats.
func BenchSourceStats(b *testing.B, open BenchOpener, sources, perSource int) {
	ctx := context.Background()
	s := open(b)
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for src := range sources {
		batch := make([]feeds.Article, perSource)
		for i := range batch {
			batch[i] = benchPaged(fmt.Sprintf("src%d", src), i, at)
		}
		if _, err := s.UpsertArticles(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		stats, err := s.SourceStats(ctx)
		if err != nil || len(stats) != sources || stats["src0"].Articles != perSource {
			b.Fatal(len(stats), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(sources*perSource), "ns/article")
}
