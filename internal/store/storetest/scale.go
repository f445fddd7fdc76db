package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
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

// testManySources checks that Articles of several sources with a limit
// returns the newest of them, whichever sources dominate the newest
// articles of the store: a feed of most sources, one of a few quiet
// sources among busy ones, one whose articles are all old.
func testManySources(t *testing.T, o Opener) {
	s := o.Open(t)
	var batch []feeds.Article
	// busy0..busy4 publish every hour of the last 40; quiet0..quiet9 once
	// a day for 10 days; old0 and old1 long ago. Some share an instant.
	for b := range 5 {
		for h := range 40 {
			batch = append(batch, art(fmt.Sprintf("busy%d", b), fmt.Sprint(h), base.Add(-time.Duration(h+b%2)*time.Hour)))
		}
	}
	for q := range 10 {
		for d := range 10 {
			batch = append(batch, art(fmt.Sprintf("quiet%d", q), fmt.Sprint(d), base.Add(-time.Duration(d*24+q)*time.Hour)))
		}
	}
	for o := range 2 {
		for i := range 5 {
			batch = append(batch, art(fmt.Sprintf("old%d", o), fmt.Sprint(i), base.AddDate(-1, 0, -i)))
		}
	}
	upsert(t, s, batch...)
	all := list(t, s, store.Query{})
	names := func(prefix string, n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("%s%d", prefix, i))
		}
		return out
	}
	sets := map[string][]string{
		"Busy":          names("busy", 5),
		"QuietFew":      names("quiet", 3),
		"QuietAll":      names("quiet", 10),
		"Old":           names("old", 2),
		"MostAndOld":    append(append(names("busy", 4), names("quiet", 9)...), "old1"),
		"OneBusyAndOld": {"busy3", "old0", "nope"},
	}
	for name, srcs := range sets {
		for _, limit := range []int{1, 7, 40, 150, 1000} {
			t.Run(fmt.Sprintf("%s/%d", name, limit), func(t *testing.T) {
				in := map[string]bool{}
				for _, src := range srcs {
					in[src] = true
				}
				var want []string
				for _, a := range all {
					if in[a.Source] && len(want) < limit {
						want = append(want, a.Source+"/"+a.ID)
					}
				}
				wantKeys(t, list(t, s, store.Query{Sources: srcs, Limit: limit}), want...)
			})
		}
	}
}

// testSourceFeeds checks SourceFeeds, for a store that offers it: the
// described feed of each source asked for that has a state, by name.
func testSourceFeeds(t *testing.T, o Opener) {
	s := o.Open(t)
	fr, ok := s.(interface {
		SourceFeeds(ctx context.Context, names []string) (map[string]feeds.SourceFeed, error)
	})
	if !ok {
		t.Skip("the store does not offer SourceFeeds")
	}
	ctx := context.Background()
	described := feeds.SourceFeed{Title: "A's own title", ID: "urn:a", Link: "https://a.example/", URL: "https://a.example/feed.xml"}
	for _, st := range []store.SourceState{
		{Name: "a", LastStatus: "new", Feed: described},
		{Name: "b", LastStatus: "new", Feed: feeds.SourceFeed{Title: "B"}},
		{Name: "plain", LastStatus: "failed"},
	} {
		if err := s.SaveSourceState(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	got, err := fr.SourceFeeds(ctx, []string{"a", "plain", "never-saved", "a"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]feeds.SourceFeed{"a": described, "plain": {}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SourceFeeds = %+v, want %+v", got, want)
	}
	if got, err := fr.SourceFeeds(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("SourceFeeds(nil) = %v, %v; want none", got, err)
	}
}
