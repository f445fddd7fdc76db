package postgres

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/postgres/pgtest"
	"github.com/tributary/tributary/internal/store/schema"
	"github.com/tributary/tributary/internal/store/storetest"
)

// TestShardIsStable: every daemon sharing a database, whatever its
// version, must put a source on the same shard of the version, or two
// writes to one source would no longer take turns. (The values are FNV-1a
// 32 modulo 64, computed apart from Go's hash/fnv.)
func TestShardIsStable(t *testing.T) {
	for src, want := range map[string]int32{"": 5, "src0": 59, "hacker-news": 9, "Le Monde — international": 49} {
		if got := shard(src); got != want {
			t.Errorf("shard(%q) = %d, want %d", src, got, want)
		}
	}
	if got := shardsOf("b", "a", "b", "a"); len(got) != 2 || got[0] > got[1] {
		t.Errorf("shardsOf = %v, want two sorted shards", got)
	}
}

// TestUpgradeKeepsVersion opens a schema as the release before migration
// 0010 left it, its version at 41, while a reader polls the version: the
// reader never sees it go backwards, across the migration and the writes
// after it, and the first write after the upgrade makes it 42.
func TestUpgradeKeepsVersion(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	migs, err := schema.Load(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := migrate(ctx, pool, migs[:9]); err != nil {
		t.Fatal(err)
	}
	changed := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC) // ahead of the clock: kept
	if _, err := pool.Exec(ctx, `UPDATE store_version SET counter = 41, changed_at = $1 WHERE id = 1`, changed); err != nil {
		t.Fatal(err)
	}
	// What a reader of the release before saw.
	var old int64
	if err := pool.QueryRow(ctx, `SELECT counter FROM store_version WHERE id = 1`).Scan(&old); err != nil || old != 41 {
		t.Fatalf("version before the upgrade = %d, %v", old, err)
	}

	stop := make(chan struct{})
	var (
		polls   atomic.Int64
		pollErr = make(chan error, 1)
	)
	go func() {
		defer close(pollErr)
		last := int64(41)
		for {
			select {
			case <-stop:
				return
			default:
			}
			var v int64
			if err := pool.QueryRow(ctx, `SELECT coalesce(sum(counter), 0)::bigint FROM store_version`).Scan(&v); err != nil {
				pollErr <- err
				return
			}
			if v < last {
				pollErr <- fmt.Errorf("a reader saw the version go from %d back to %d", last, v)
				return
			}
			last = v
			polls.Add(1)
		}
	}()

	db := openDSN(t, dsn)
	wantMigrations(t, db)
	if v, err := db.Version(ctx); err != nil || v.Counter != 41 || !v.ChangedAt.Equal(changed) {
		t.Fatalf("Version after the upgrade = %+v, %v; want 41 changed at %v", v, err, changed)
	}
	var rows int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM store_version`).Scan(&rows); err != nil || rows != versionShards {
		t.Fatalf("store_version holds %d rows, %v; want %d", rows, err, versionShards)
	}
	if _, err := db.UpsertArticles(ctx, []feeds.Article{article("s", "1")}); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Version(ctx); err != nil || v.Counter != 42 || !v.ChangedAt.Equal(changed) {
		t.Fatalf("Version after the first write = %+v, %v; want 42, still changed at %v", v, err, changed)
	}
	for i := range 20 {
		if _, err := db.UpsertArticles(ctx, []feeds.Article{article(fmt.Sprintf("src%d", i), "1")}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	if err := <-pollErr; err != nil {
		t.Fatal(err)
	}
	if polls.Load() == 0 {
		t.Fatal("the reader never read the version")
	}
	if v, err := db.Version(ctx); err != nil || v.Counter != 62 {
		t.Fatalf("Version after 21 writes = %+v, %v; want 62", v, err)
	}
}

// TestConcurrentRefreshes refreshes 40 sources of 50 new articles each,
// every source by two daemons (two store handles) at once, 8 refreshes at
// a time, while a reader polls the version. No refresh fails (no
// duplicate key, no deadlock), each source's articles are counted new
// once, the version moves once per refresh that stored something, and the
// reader never sees it go backwards.
func TestConcurrentRefreshes(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	daemons := []*DB{openDSN(t, dsn), openDSN(t, dsn)}
	const sources, workers = 40, 8

	stop := make(chan struct{})
	pollErr := make(chan error, 1)
	go func() {
		defer close(pollErr)
		var last store.Version
		for {
			select {
			case <-stop:
				return
			default:
			}
			v, err := daemons[1].Version(ctx)
			if err != nil {
				pollErr <- err
				return
			}
			if v.Counter < last.Counter || v.ChangedAt.Before(last.ChangedAt) {
				pollErr <- fmt.Errorf("a reader saw the version go from %+v back to %+v", last, v)
				return
			}
			last = v
		}
	}()

	type job struct {
		db  *DB
		src string
	}
	jobs := make(chan job)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		newBy    = map[string]int{}
		changing int64
		errs     = make(chan error, workers)
	)
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				arts := make([]feeds.Article, storetest.RefreshArticles)
				for i := range arts {
					arts[i] = storetest.RefreshArticle(j.src, i)
				}
				res, err := j.db.UpsertArticles(ctx, arts)
				if err != nil {
					errs <- fmt.Errorf("refresh of %s: %w", j.src, err)
					continue
				}
				if res.New+res.Unchanged != len(arts) {
					errs <- fmt.Errorf("refresh of %s: %+v", j.src, res)
				}
				mu.Lock()
				newBy[j.src] += res.New
				if res.New > 0 {
					changing++
				}
				mu.Unlock()
			}
		})
	}
	for s := range sources {
		src := fmt.Sprintf("src%d", s)
		jobs <- job{daemons[0], src}
		jobs <- job{daemons[1], src}
	}
	close(jobs)
	wg.Wait()
	close(stop)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := <-pollErr; err != nil {
		t.Error(err)
	}
	for s := range sources {
		src := fmt.Sprintf("src%d", s)
		if newBy[src] != storetest.RefreshArticles {
			t.Errorf("%s: %d articles counted new, want %d", src, newBy[src], storetest.RefreshArticles)
		}
		if n, err := daemons[0].CountArticles(ctx, src); err != nil || n != storetest.RefreshArticles {
			t.Errorf("%s: %d articles stored, %v", src, n, err)
		}
	}
	if v, err := daemons[0].Version(ctx); err != nil || v.Counter != changing {
		t.Errorf("Version = %+v, %v; want %d, one per refresh that stored something", v, err, changing)
	}
}
