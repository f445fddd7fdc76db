package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

const day = 24 * time.Hour

func expire(t *testing.T, s store.Store, r store.Retention, now time.Time) store.Expired {
	t.Helper()
	got, err := s.Expire(context.Background(), r, now)
	if err != nil {
		t.Fatalf("Expire(%+v): %v", r, err)
	}
	return got
}

func markListed(t *testing.T, s store.Store, source string, ids ...string) {
	t.Helper()
	if err := s.MarkListed(context.Background(), source, ids); err != nil {
		t.Fatalf("MarkListed(%s, %q): %v", source, ids, err)
	}
}

// testExpireByAge: an article's age is its published date, else its first
// fetch; other sources are left alone.
func testExpireByAge(t *testing.T, o Opener) {
	s := o.Open(t)
	seenOld := art("a", "seen-old", time.Time{})
	seenOld.FetchedAt = base.Add(-200 * day)
	seenNew := art("a", "seen-new", time.Time{})
	seenNew.FetchedAt = base.Add(-day)
	upsert(t, s,
		art("a", "old", base.Add(-100*day)),
		art("a", "edge", base.Add(-90*day)), // exactly max_age: kept
		art("a", "new", base.Add(-10*day)),
		seenOld, seenNew,
		art("b", "old", base.Add(-100*day)),
	)
	markListed(t, s, "a") // a new article is listed until a document says otherwise
	v := version(t, s)
	got := expire(t, s, store.Retention{Source: "a", MaxAge: 90 * day, MaxItems: 0}, base)
	if got != (store.Expired{Age: 2}) {
		t.Fatalf("Expire = %+v, want 2 by age", got)
	}
	wantKeys(t, list(t, s, store.Query{}), "a/seen-new", "a/new", "a/edge", "b/old")
	if after := version(t, s); after.Counter <= v.Counter {
		t.Fatalf("Version after deleting = %d, want above %d", after.Counter, v.Counter)
	}
	// Nothing left to delete: the version stays.
	v = version(t, s)
	if got := expire(t, s, store.Retention{Source: "a", MaxAge: 90 * day}, base); got != (store.Expired{}) {
		t.Fatalf("second Expire = %+v, want nothing", got)
	}
	if after := version(t, s); after.Counter != v.Counter {
		t.Fatalf("Version moved from %d to %d without a deletion", v.Counter, after.Counter)
	}
}

// testExpireByCount: beyond the newest MaxItems in the order of Articles,
// ties by id.
func testExpireByCount(t *testing.T, o Opener) {
	s := o.Open(t)
	upsert(t, s,
		art("a", "1", base.Add(-5*time.Hour)),
		art("a", "2", base.Add(-4*time.Hour)),
		art("a", "3x", base.Add(-3*time.Hour)),
		art("a", "3y", base.Add(-3*time.Hour)), // same time: after 3x
		art("a", "4", base.Add(-2*time.Hour)),
		art("b", "1", base.Add(-9*time.Hour)),
	)
	markListed(t, s, "a")
	got := expire(t, s, store.Retention{Source: "a", MaxItems: 2}, base)
	if got != (store.Expired{Count: 3}) {
		t.Fatalf("Expire = %+v, want 3 by count", got)
	}
	wantKeys(t, list(t, s, store.Query{}), "a/4", "a/3x", "b/1")
	// Age first: an article both too old and too far down counts as age.
	upsert(t, s, art("a", "0", base.Add(-100*day)))
	markListed(t, s, "a")
	got = expire(t, s, store.Retention{Source: "a", MaxAge: 90 * day, MaxItems: 2}, base)
	if got != (store.Expired{Age: 1}) {
		t.Fatalf("Expire = %+v, want 1 by age", got)
	}
	if n, err := s.CountArticles(context.Background(), "a"); err != nil || n != 2 {
		t.Fatalf("CountArticles(a) = %d, %v; want 2", n, err)
	}
}

// testExpireKeepsListed: an article the latest document lists is kept
// whatever its age or rank, across updates and runs that parse nothing
// (a 304), until a document no longer lists it.
func testExpireKeepsListed(t *testing.T, o Opener) {
	s := o.Open(t)
	upsert(t, s,
		art("a", "ancient", base.Add(-400*day)),
		art("a", "old", base.Add(-100*day)),
		art("a", "mid", base.Add(-50*day)),
		art("a", "new", base.Add(-day)),
	)
	markListed(t, s, "a", "ancient", "mid", "never-stored")
	r := store.Retention{Source: "a", MaxAge: 90 * day, MaxItems: 1}
	if got := expire(t, s, r, base); got != (store.Expired{Age: 1}) {
		t.Fatalf("Expire = %+v, want only the unlisted old article", got)
	}
	wantKeys(t, list(t, s, store.Query{}), "a/new", "a/mid", "a/ancient")
	// A 304: no MarkListed. A run that only updates a listed article (a
	// page retried) keeps it listed.
	changed := art("a", "ancient", base.Add(-400*day))
	changed.Content = "<p>Full text, extracted later.</p>"
	if res := upsert(t, s, changed); res.Updated != 1 {
		t.Fatalf("update = %+v", res)
	}
	if got := expire(t, s, r, base); got != (store.Expired{}) {
		t.Fatalf("Expire after a 304 = %+v, want nothing", got)
	}
	// The next document lists only "new": the others go.
	markListed(t, s, "a", "new")
	if got := expire(t, s, r, base); got != (store.Expired{Age: 1, Count: 1}) {
		t.Fatalf("Expire after the listing changed = %+v, want 1 by age and 1 by count", got)
	}
	wantKeys(t, list(t, s, store.Query{}), "a/new")
	// A new article is listed as it is stored, before MarkListed: it
	// came from the document being stored, and a cleanup running between
	// the two must not delete it (serve runs both at start). The next
	// listing decides.
	upsert(t, s, art("a", "older", base.Add(-2*day)))
	if got := expire(t, s, r, base); got != (store.Expired{}) {
		t.Fatalf("Expire of a new article not yet marked = %+v, want nothing", got)
	}
	markListed(t, s, "a", "new")
	if got := expire(t, s, r, base); got != (store.Expired{Count: 1}) {
		t.Fatalf("Expire of an article the listing left out = %+v, want 1 by count", got)
	}
	// An empty listing unlists everything.
	markListed(t, s, "a")
	if got := expire(t, s, store.Retention{Source: "a", MaxAge: time.Hour}, base); got != (store.Expired{Age: 1}) {
		t.Fatalf("Expire after an empty listing = %+v, want 1 by age", got)
	}
}

// testExpireBatches: more than DeleteBatch articles are deleted in several
// transactions, each moving the version once; no other source is touched.
func testExpireBatches(t *testing.T, o Opener) {
	s := o.Open(t)
	const keep = 3
	n := 2*store.DeleteBatch + keep + 4
	arts := make([]feeds.Article, n)
	for i := range arts {
		arts[i] = art("a", fmt.Sprintf("%05d", i), base.Add(-time.Duration(i)*time.Minute))
	}
	upsert(t, s, arts...)
	upsert(t, s, art("b", "x", base.Add(-400*day)))
	markListed(t, s, "a")
	v := version(t, s)
	got := expire(t, s, store.Retention{Source: "a", MaxItems: keep}, base)
	if got != (store.Expired{Count: n - keep}) {
		t.Fatalf("Expire = %+v, want %d by count", got, n-keep)
	}
	if after := version(t, s); after.Counter != v.Counter+3 {
		t.Fatalf("Version moved by %d, want 3 (one per batch of at most %d)", after.Counter-v.Counter, store.DeleteBatch)
	}
	wantKeys(t, list(t, s, store.Query{}), "a/00000", "a/00001", "a/00002", "b/x")
}

// testOrphans: sources with articles or state that the configuration does
// not name, when each was last active; DeleteSource removes one whole.
func testOrphans(t *testing.T, o Opener) {
	s := o.Open(t)
	ctx := context.Background()
	upsert(t, s, art("a", "1", base), art("b", "1", base), art("b", "2", base))
	for _, name := range []string{"a", "c"} {
		if err := s.SaveSourceState(ctx, store.SourceState{Name: name, LastAttempt: base.Add(2 * time.Hour), LastStatus: "new"}); err != nil {
			t.Fatalf("SaveSourceState: %v", err)
		}
	}
	got, err := s.Orphans(ctx, []string{"a", "z"})
	if err != nil {
		t.Fatalf("Orphans: %v", err)
	}
	want := []store.Orphan{
		{Name: "b", LastSeen: base.Add(time.Hour), Articles: 2}, // its newest FetchedAt
		{Name: "c", LastSeen: base.Add(2 * time.Hour)},          // its last attempt
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Orphans = %v, want %v", got, want)
	}
	v := version(t, s)
	if n, err := s.DeleteSource(ctx, "b"); err != nil || n != 2 {
		t.Fatalf("DeleteSource(b) = %d, %v; want 2", n, err)
	}
	if after := version(t, s); after.Counter <= v.Counter {
		t.Fatal("DeleteSource did not move the version")
	}
	if n, err := s.DeleteSource(ctx, "c"); err != nil || n != 0 {
		t.Fatalf("DeleteSource(c) = %d, %v; want 0", n, err)
	}
	if st, err := s.SourceState(ctx, "c"); err != nil || !st.LastAttempt.IsZero() {
		t.Fatalf("state of a deleted source = %+v, %v", st, err)
	}
	if got, err := s.Orphans(ctx, []string{"a"}); err != nil || len(got) != 0 {
		t.Fatalf("Orphans after deleting = %+v, %v", got, err)
	}
	wantKeys(t, list(t, s, store.Query{}), "a/1")
	if st, err := s.SourceState(ctx, "a"); err != nil || st.LastStatus != "new" {
		t.Fatalf("state of a kept source = %+v, %v", st, err)
	}
}

// testRetentionRun: the last cleanup run is shared by every handle; Size
// and Reclaim work on the store.
func testRetentionRun(t *testing.T, o Opener) {
	s := o.Open(t)
	ctx := context.Background()
	if rr, err := s.LastRetention(ctx); err != nil || rr != (store.RetentionRun{}) {
		t.Fatalf("LastRetention before any run = %+v, %v; want zero", rr, err)
	}
	want := store.RetentionRun{At: base, Duration: 1500 * time.Millisecond, Deleted: 12, Orphans: 1}
	if err := s.SaveRetention(ctx, store.RetentionRun{At: base.Add(-time.Hour), Deleted: 1}); err != nil {
		t.Fatalf("SaveRetention: %v", err)
	}
	if err := s.SaveRetention(ctx, want); err != nil {
		t.Fatalf("SaveRetention: %v", err)
	}
	other := s
	if o.Reopen != nil {
		other = o.Reopen(t, s)
	}
	if rr, err := other.LastRetention(ctx); err != nil || rr != want {
		t.Fatalf("LastRetention = %+v, %v; want %+v", rr, err, want)
	}
	upsert(t, s, art("a", "1", base))
	if _, err := s.DeleteSource(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Reclaim(ctx); err != nil {
		t.Fatalf("Reclaim: %v", err)
	}
	if n, err := s.Size(ctx); err != nil || n <= 0 {
		t.Fatalf("Size = %d, %v; want a positive size", n, err)
	}
}
