package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/postgres/pgtest"
)

func TestLeasesClaimEachDueSourceOnce(t *testing.T) {
	dsn := pgtest.Schema(t)
	ctx := context.Background()
	dbs := []*DB{openDSN(t, dsn), openDSN(t, dsn), openDSN(t, dsn)}
	var names []string
	var due []store.SourceDue
	for i := range 50 {
		n := fmt.Sprintf("s%02d", i)
		names = append(names, n)
		due = append(due, store.SourceDue{Source: n, Within: time.Hour})
	}
	for _, db := range dbs { // every daemon registers the same sources at start
		if err := db.ScheduleSources(ctx, due); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c, err := db.ClaimDue(ctx, fmt.Sprint("h", i), names, 4, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if len(c) == 0 {
					return
				}
				mu.Lock()
				for _, s := range c {
					got[s]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, n := range names {
		if got[n] != 1 {
			t.Errorf("%s claimed %d times, want once", n, got[n])
		}
	}
}

func TestLeaseReleaseRenewAndExpiry(t *testing.T) {
	db := openDSN(t, pgtest.Schema(t))
	ctx := context.Background()
	src := []string{"a"}
	if err := db.ScheduleSources(ctx, []store.SourceDue{{Source: "a", Within: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	claim := func(holder string, lease time.Duration) []string {
		t.Helper()
		c, err := db.ClaimDue(ctx, holder, src, 10, lease)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := claim("h1", 300*time.Millisecond); !slices.Equal(c, src) {
		t.Fatalf("first claim = %v, want [a]", c)
	}
	if c := claim("h2", time.Minute); len(c) != 0 {
		t.Fatalf("claim of a held source = %v, want none", c)
	}
	if err := db.RenewLease(ctx, "h1", "a", 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := db.RenewLease(ctx, "h2", "a", time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("renew by a non-holder: %v, want ErrNotFound", err)
	}
	time.Sleep(400 * time.Millisecond) // h1 died: its lease expires
	if c := claim("h2", time.Minute); !slices.Equal(c, src) {
		t.Fatalf("claim after expiry = %v, want [a]", c)
	}
	if err := db.ReleaseLease(ctx, "h1", "a", 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("release by the expired holder: %v, want ErrNotFound", err)
	}
	if err := db.ReleaseLease(ctx, "h2", "a", time.Hour); err != nil {
		t.Fatal(err)
	}
	if c := claim("h3", time.Minute); len(c) != 0 {
		t.Fatalf("claim before the next due time = %v, want none", c)
	}
	// A restart with the same spec keeps the due time; a spec that fires
	// sooner brings it forward.
	if err := db.ScheduleSources(ctx, []store.SourceDue{{Source: "a", Within: 2 * time.Hour}}); err != nil {
		t.Fatal(err)
	}
	if c := claim("h3", time.Minute); len(c) != 0 {
		t.Fatalf("claim after a restart = %v, want none (fetched moments ago)", c)
	}
	if err := db.ScheduleSources(ctx, []store.SourceDue{{Source: "a", Within: -time.Second}}); err != nil {
		t.Fatal(err)
	}
	if c := claim("h3", time.Minute); !slices.Equal(c, src) {
		t.Fatalf("claim after the spec fires sooner = %v, want [a]", c)
	}
}

// Due times are the database's clock: what a daemon passes is how long
// from the database's now(), whatever its own clock says.
func TestLeaseDueTimesAreTheDatabaseClock(t *testing.T) {
	db := openDSN(t, pgtest.Schema(t))
	ctx := context.Background()
	untilDue := func() time.Duration {
		t.Helper()
		var us int64
		if err := db.pool.QueryRow(ctx, `SELECT (extract(epoch FROM next_due - now()) * 1e6)::bigint FROM source_leases WHERE source = 'a'`).Scan(&us); err != nil {
			t.Fatal(err)
		}
		return time.Duration(us) * time.Microsecond
	}
	near := func(what string, got, want time.Duration) {
		t.Helper()
		if got < want-5*time.Second || got > want+time.Second {
			t.Errorf("%s: next due %s from the database's now, want %s", what, got, want)
		}
	}
	if err := db.ScheduleSources(ctx, []store.SourceDue{{Source: "a", Within: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	near("new source", untilDue(), 0)
	if c, err := db.ClaimDue(ctx, "h", []string{"a"}, 1, time.Minute); err != nil || len(c) != 1 {
		t.Fatalf("claim = %v, %v; want [a]", c, err)
	}
	if err := db.ReleaseLease(ctx, "h", "a", 90*time.Minute); err != nil {
		t.Fatal(err)
	}
	near("released", untilDue(), 90*time.Minute)
	if err := db.ScheduleSources(ctx, []store.SourceDue{{Source: "a", Within: 10 * time.Minute}}); err != nil {
		t.Fatal(err)
	}
	near("brought forward", untilDue(), 10*time.Minute)
}
