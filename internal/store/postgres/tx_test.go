package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/postgres/pgtest"
)

// TestFailedUpsertStoresNothing: a write the server refuses in the second
// round trip (a key too long for the index) rolls the whole upsert back,
// leaves the version alone, and leaves every connection usable.
func TestFailedUpsertStoresNothing(t *testing.T) {
	ctx := context.Background()
	db := openDSN(t, pgtest.Schema(t))
	b := make([]byte, 8000)
	rand.Read(b)
	huge := article("s", hex.EncodeToString(b)) // random, so it does not compress under the limit
	for range 10 {                              // more than the pool's connections
		if _, err := db.UpsertArticles(ctx, []feeds.Article{article("s", "1"), huge}); err == nil || !strings.Contains(err.Error(), "postgres: upsert articles") {
			t.Fatalf("upsert of a key too long = %v, want an error", err)
		}
	}
	if arts, err := db.Articles(ctx, store.Query{}); err != nil || len(arts) != 0 {
		t.Fatalf("after the failed upserts: %d articles, %v; want none", len(arts), err)
	}
	if v, err := db.Version(ctx); err != nil || v.Counter != 0 {
		t.Fatalf("Version after the failed upserts = %+v, %v; want 0", v, err)
	}
	for i := range 10 {
		if res, err := db.UpsertArticles(ctx, []feeds.Article{article("s", "1")}); err != nil || res.New+res.Unchanged != 1 {
			t.Fatalf("upsert %d after the failures = %+v, %v", i, res, err)
		}
	}
}

// TestUpsertRetriesDeadlock makes the server abort an upsert as a
// deadlock victim: another session holds the row the upsert updates and
// then waits for the upsert's version shard. The upsert runs again once
// the other session is through, and succeeds.
func TestUpsertRetriesDeadlock(t *testing.T) {
	ctx := context.Background()
	db := openDSN(t, pgtest.Schema(t))
	if _, err := db.UpsertArticles(ctx, []feeds.Article{article("s", "1")}); err != nil {
		t.Fatal(err)
	}
	other, err := db.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Release()
	tx, err := other.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	// The other session must not be the one to find the deadlock: the
	// upsert, which waits first, finds it after deadlock_timeout.
	if _, err := tx.Exec(ctx, `SET LOCAL deadlock_timeout = '60s'`); err != nil {
		t.Skipf("postgres: this test needs to set deadlock_timeout (a superuser): %v", err)
	}
	var pid int
	if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM articles WHERE source = 's' AND id = '1' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}

	upd := article("s", "1")
	upd.Title = "changed"
	done := make(chan error, 1)
	go func() {
		res, err := db.UpsertArticles(ctx, []feeds.Article{upd})
		if err == nil && res.Updated != 1 {
			t.Errorf("upsert = %+v, want 1 updated", res)
		}
		done <- err
	}()
	// Wait until the upsert, holding its shard, waits for our row.
	for deadline := time.Now().Add(30 * time.Second); ; {
		var n int
		if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, pid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the upsert never waited for the other session's row")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Now wait for the upsert's shard: a cycle, which the server breaks
	// by aborting the upsert, which lets this lock through.
	if _, err := tx.Exec(ctx, lockShardsSQL, shardsOf("s")); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("upsert after a deadlock: %v", err)
	}
	if a, err := db.Article(ctx, "s", "1"); err != nil || a.Title != "changed" {
		t.Fatalf("article after the retried upsert: %q, %v", a.Title, err)
	}
}

// TestMarkListedBesideUpserts: two daemons, one storing updates of all of
// a source's articles (in the reverse of their stored order) while the
// other marks half, then all, of the source's articles listed, over and
// over. They take turns on the source's shard, so neither fails (when
// MarkListed took no lock, its UPDATE and the upsert's locked rows in
// opposite orders and the server aborted one as a deadlock).
func TestMarkListedBesideUpserts(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	a, b := openDSN(t, dsn), openDSN(t, dsn)
	const n, rounds = 40, 30
	arts := make([]feeds.Article, n)
	ids := make([]string, n)
	for i := range arts {
		arts[i] = article("s", fmt.Sprintf("%03d", n-i))
		ids[i] = arts[i].ID
	}
	if _, err := a.UpsertArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	go func() {
		for r := range rounds {
			for i := range arts {
				arts[i].Title = fmt.Sprintf("round %d", r)
			}
			if _, err := a.UpsertArticles(ctx, arts); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}()
	go func() {
		for r := range rounds {
			if err := b.MarkListed(ctx, "s", ids[:n/2+r%2*n/2]); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
