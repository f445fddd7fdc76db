package storetest

import (
	"context"
	"fmt"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

// ScaleSource is the name of source s of a store FillScale fills.
func ScaleSource(s int) string { return fmt.Sprintf("s%d", s) }

// ScaleETag is the ETag FillScale saves for source s: a server answering
// 304 Not Modified to it sees the store's sources as unchanged.
func ScaleETag(s int) string { return fmt.Sprintf(`"s%d-v1"`, s) }

// scaleBatch is how many sources one UpsertArticles call of FillScale
// stores: one transaction for many sources fills a large store in a
// fraction of the time one per source takes.
const scaleBatch = 20

// FillScale stores perSource articles of about 2 KB of distinct HTML
// (HTMLArticle) for each of sources sources named ScaleSource(s), and
// saves each source's state as after a successful fetch of url(s), with
// ScaleETag(s) as its validator. Article i of source s is the
// (i*sources+s)-th minute of 2024, so that the newest articles of all
// sources together come from every source in turn, as many feeds updated
// daily would. progress, when set, is called after each batch with the
// sources done so far.
func FillScale(ctx context.Context, st store.Store, sources, perSource int, url func(s int) string, progress func(done int)) error {
	fetched := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for first := 0; first < sources; first += scaleBatch {
		last := min(first+scaleBatch, sources)
		batch := make([]feeds.Article, 0, (last-first)*perSource)
		for s := first; s < last; s++ {
			for i := range perSource {
				a := HTMLArticle(ScaleSource(s), i*sources+s, 2000)
				a.FetchedAt = fetched
				batch = append(batch, a)
			}
		}
		if _, err := st.UpsertArticles(ctx, batch); err != nil {
			return fmt.Errorf("fill sources %d-%d: %w", first, last-1, err)
		}
		for s := first; s < last; s++ {
			u := url(s)
			err := st.SaveSourceState(ctx, store.SourceState{
				Name: ScaleSource(s), ETag: ScaleETag(s), ValidatorsURL: u,
				LastAttempt: fetched, LastSuccess: fetched, LastStatus: "new",
				Feed: feeds.SourceFeed{Title: "Source " + ScaleSource(s), Link: "https://" + ScaleSource(s) + ".example/", URL: u},
			})
			if err != nil {
				return fmt.Errorf("fill source %d: %w", s, err)
			}
		}
		if progress != nil {
			progress(last)
		}
	}
	return nil
}
