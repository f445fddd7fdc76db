package retention

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/sqlite"
)

const day = 24 * time.Hour

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func TestOrphanDue(t *testing.T) {
	seen := now.Add(-10 * day)
	tests := []struct {
		name    string
		o       store.Orphan
		p       Plan
		due     bool
		keptTil time.Time
	}{
		{"younger than orphans", store.Orphan{LastSeen: seen}, Plan{Orphans: 30 * day}, false, seen.Add(30 * day)},
		{"exactly orphans old", store.Orphan{LastSeen: seen}, Plan{Orphans: 10 * day}, true, seen.Add(10 * day)},
		{"older", store.Orphan{LastSeen: seen}, Plan{Orphans: day}, true, seen.Add(day)},
		{"orphans off", store.Orphan{LastSeen: seen}, Plan{}, false, time.Time{}},
		{"orphans off, now asked", store.Orphan{LastSeen: seen}, Plan{OrphansNow: true}, true, time.Time{}},
		{"never seen", store.Orphan{}, Plan{Orphans: 30 * day}, true, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			due, at := orphanDue(tc.o, tc.p, now)
			if due != tc.due || !at.Equal(tc.keptTil) {
				t.Fatalf("orphanDue = %v, %v; want %v, %v", due, at, tc.due, tc.keptTil)
			}
		})
	}
}

func open(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func add(t *testing.T, st store.Store, source string, n int, fetched time.Time) {
	t.Helper()
	arts := make([]feeds.Article, n)
	for i := range arts {
		arts[i] = feeds.Article{Source: source, ID: fmt.Sprint(i), Title: "t", FetchedAt: fetched.Add(-time.Duration(i) * time.Hour)}
	}
	if _, err := st.UpsertArticles(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	// Listed no more: the source's next document lists none of them.
	if err := st.MarkListed(context.Background(), source, nil); err != nil {
		t.Fatal(err)
	}
}

// TestRunCleansSourcesAndOrphansAndRecordsTheRun on a real SQLite file.
func TestRunCleansSourcesAndOrphansAndRecordsTheRun(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	add(t, st, "kept", 5, now)
	add(t, st, "gone-long-ago", 3, now.Add(-40*day))
	add(t, st, "gone-lately", 2, now.Add(-day))
	c := &Cleaner{Store: st, Now: func() time.Time { return now }}
	rep, err := c.Run(ctx, Plan{Sources: []store.Retention{{Source: "kept", MaxItems: 2}}, Orphans: 30 * day})
	if err != nil {
		t.Fatal(err)
	}
	want := []SourceReport{
		{Name: "kept", Expired: store.Expired{Count: 3}},
		{Name: "gone-lately", Orphan: true, KeptUntil: now.Add(29 * day)},
		{Name: "gone-long-ago", Orphan: true, Orphaned: 3},
	}
	if fmt.Sprint(rep.Sources) != fmt.Sprint(want) {
		t.Fatalf("sources = %+v\nwant %+v", rep.Sources, want)
	}
	if rep.Count != 3 || rep.Orphaned != 3 || rep.Orphans != 1 || rep.Size <= 0 {
		t.Fatalf("report = %+v", rep)
	}
	rr, err := st.LastRetention(ctx)
	if err != nil || rr.Deleted != 6 || rr.Orphans != 1 || !rr.At.Equal(now) {
		t.Fatalf("LastRetention = %+v, %v", rr, err)
	}
	// prune --orphans: the recent orphan goes too.
	rep, err = c.Run(ctx, Plan{Sources: []store.Retention{{Source: "kept", MaxItems: 2}}, OrphansNow: true})
	if err != nil || rep.Orphaned != 2 || rep.Count != 0 {
		t.Fatalf("run with OrphansNow = %+v, %v", rep, err)
	}
	arts, err := st.Articles(ctx, store.Query{})
	if err != nil || len(arts) != 2 {
		t.Fatalf("left %d articles (%v), want the 2 of kept", len(arts), err)
	}
}
