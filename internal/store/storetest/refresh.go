package storetest

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

// RefreshArticles is how many articles each source of BenchRefresh
// stores, all new: a full refresh of a 50-item feed seen for the first
// time.
const RefreshArticles = 50

// RefreshWorkers is how many sources the Parallel sub-benchmark of
// BenchRefresh refreshes at once: the daemon's default fetch.workers.
const RefreshWorkers = 4

// BenchRefresh benchmarks the store's share of one source's full refresh,
// every call the pipeline makes in order: read the source's state, read
// its stored articles (the boilerplate window), store RefreshArticles new
// articles of about 2 KB of distinct HTML each (which moves the version),
// mark them listed, save the state. One op is one source, each a new one.
// Sub-benchmarks: Serial, one source after another; Parallel,
// RefreshWorkers sources at once on one store, as the daemon fetches, so
// whatever every source's transaction must wait for in turn shows (ns/op
// is then wall time per source). Each opens its own store. An
// implementation calls it from its BenchmarkRefresh:
//
//	func BenchmarkRefresh(b *testing.B) { storetest.BenchRefresh(b, open) }
func BenchRefresh(b *testing.B, open BenchOpener) {
	b.Run("Serial", func(b *testing.B) {
		s := open(b)
		n := 0
		for b.Loop() {
			refreshSource(b, s, fmt.Sprintf("src%d", n))
			n++
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/source")
	})
	b.Run("Parallel", func(b *testing.B) {
		s := open(b)
		var next atomic.Int64
		procs := runtime.GOMAXPROCS(0)
		b.SetParallelism((RefreshWorkers + procs - 1) / procs)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				refreshSource(b, s, fmt.Sprintf("src%d", next.Add(1)))
			}
		})
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/source")
	})
}

// refreshSource runs the store calls of one full refresh of a new source.
func refreshSource(b *testing.B, s store.Store, src string) {
	ctx := context.Background()
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	st, err := s.SourceState(ctx, src)
	if err != nil {
		b.Error(err)
		return
	}
	if _, err := s.Articles(ctx, store.Query{Sources: []string{src}, Limit: 100}); err != nil {
		b.Error(err)
		return
	}
	arts := make([]feeds.Article, RefreshArticles)
	ids := make([]string, len(arts))
	for i := range arts {
		arts[i] = RefreshArticle(src, i)
		ids[i] = arts[i].ID
	}
	res, err := s.UpsertArticles(ctx, arts)
	if err != nil || res.New != len(arts) {
		b.Error(res, err)
		return
	}
	if err := s.MarkListed(ctx, src, ids); err != nil {
		b.Error(err)
		return
	}
	st.LastAttempt, st.LastSuccess, st.LastStatus = now, now, "new"
	st.ETag, st.LastModified, st.ValidatorsURL = `"v1"`, "Sat, 01 Jun 2024 00:00:00 GMT", "https://"+src+".example/feed.xml"
	st.ConfigFingerprint = "0123456789abcdef"
	st.Feed = feeds.SourceFeed{Title: src, Link: "https://" + src + ".example/", URL: st.ValidatorsURL}
	if err := s.SaveSourceState(ctx, st); err != nil {
		b.Error(err)
	}
}

// refreshWords are the words RefreshArticle's text is drawn from.
var refreshWords = strings.Fields(`the a of and to in is that it for on was with as by at from
	this be are or have not which one had but all were when there can an their more said new
	city council report water river school market season plan study year people week data team
	early later under over after before while during between against around through because`)

// RefreshArticle is the n-th item of a generated feed for src: a short
// summary and about 2 KB of HTML paragraphs of text distinct from every
// other item's (a small deterministic generator picks the words), so that
// compression sees text, not repetition.
func RefreshArticle(src string, n int) feeds.Article {
	seed := uint64(n+1)*0x9e3779b97f4a7c15 ^ uint64(len(src))*0xbf58476d1ce4e5b9
	for _, c := range src {
		seed = seed*31 + uint64(c)
	}
	word := func() string {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return refreshWords[seed%uint64(len(refreshWords))]
	}
	var content strings.Builder
	for content.Len() < 2000 {
		content.WriteString("<p>")
		for i := range 30 {
			if i > 0 {
				content.WriteByte(' ')
			}
			content.WriteString(word())
		}
		content.WriteString(".</p>\n")
	}
	link := fmt.Sprintf("https://%s.example/%d/%s-%s", src, n, word(), word())
	return feeds.Article{
		ID:         link,
		Source:     src,
		Origin:     "https://" + src + ".example/feed.xml",
		Title:      fmt.Sprintf("Story %d: %s %s %s", n, word(), word(), word()),
		Link:       link,
		Summary:    "<p>" + word() + " " + word() + " " + word() + " " + word() + " " + word() + ".</p>",
		Content:    content.String(),
		Authors:    []feeds.Author{{Name: "Ann Writer"}},
		Categories: feeds.Terms("news"),
		Published:  time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour),
	}
}
