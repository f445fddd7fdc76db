package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/postgres/pgtest"
	"github.com/tributary/tributary/internal/store/record"
	"github.com/tributary/tributary/internal/store/schema"
	"github.com/tributary/tributary/internal/store/storetest"
)

// openDSN opens dsn and closes it when tb ends.
func openDSN(tb testing.TB, dsn string) *DB {
	tb.Helper()
	db, err := Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	pgtest.RequireServer(t)
	var dsns sync.Map // store.Store -> DSN of its schema
	storetest.Run(t, storetest.Opener{
		Open: func(t *testing.T) store.Store {
			dsn := pgtest.Schema(t)
			db := openDSN(t, dsn)
			dsns.Store(db, dsn)
			return db
		},
		Reopen: func(t *testing.T, s store.Store) store.Store {
			dsn, ok := dsns.Load(s)
			if !ok {
				t.Fatal("Reopen of a store not opened by Open")
			}
			return openDSN(t, dsn.(string))
		},
	})
}

func article(src, id string) feeds.Article {
	return feeds.Article{
		ID: id, Source: src, Title: "Title " + id, Content: "<p>Body</p>",
		Published: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		FetchedAt: time.Date(2024, 1, 2, 4, 0, 0, 0, time.UTC),
	}
}

func wantMigrations(t *testing.T, db *DB) {
	t.Helper()
	migs, err := schema.Load(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migs {
		if strings.TrimSpace(m.SQL) == "" {
			t.Fatalf("embedded migration %s is empty", m.Name)
		}
	}
	var n, max int
	if err := db.pool.QueryRow(context.Background(), `SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != len(migs) || max != len(migs) {
		t.Fatalf("schema_migrations holds %d rows up to version %d, want %d", n, max, len(migs))
	}
}

func TestMigrateTwiceIsIdempotent(t *testing.T) {
	dsn := pgtest.Schema(t)
	ctx := context.Background()
	for range 3 {
		db, err := Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpsertArticles(ctx, []feeds.Article{article("s", "1")}); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	db := openDSN(t, dsn)
	wantMigrations(t, db)
	if arts, err := db.Articles(ctx, store.Query{}); err != nil || len(arts) != 1 {
		t.Fatalf("Articles = %d, %v; want 1 article", len(arts), err)
	}
}

func TestConcurrentOpenOfNewSchema(t *testing.T) {
	dsn := pgtest.Schema(t)
	var wg sync.WaitGroup
	dbs := make([]*DB, 4)
	errs := make([]error, len(dbs))
	for i := range dbs {
		wg.Go(func() { dbs[i], errs[i] = Open(context.Background(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	wantMigrations(t, dbs[0])
}

func TestOpenUpgradesOlderSchema(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	migs, err := schema.Load(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if len(migs) < 2 {
		t.Fatalf("%d migrations; this test needs at least 2", len(migs))
	}
	// A schema as the first release left it: only migration 1, with an
	// article written by that release.
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, pool, migs[:1]); err != nil {
		t.Fatal(err)
	}
	r, err := record.Encode(&storetest.V1Article, time.Unix(1700000100, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO articles (source, id, title, published, fetched_at, content_hash) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.Source, r.ID, r.Title, ts(r.Published), ts(r.FetchedAt), r.Hash); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `SELECT 1 FROM source_state`); err == nil {
		t.Fatal("source_state exists before migration 2")
	}
	pool.Close()

	db := openDSN(t, dsn)
	wantMigrations(t, db)
	storetest.CheckUpgradedFromV1(t, db)
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	dsn := pgtest.Schema(t)
	db := openDSN(t, dsn)
	if _, err := db.pool.Exec(context.Background(), `INSERT INTO schema_migrations (version, name) VALUES (99, '0099_future')`); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), dsn)
	if err == nil || !strings.Contains(err.Error(), "schema version 99 is newer") {
		t.Fatalf("Open of a newer schema: error %v, want one naming version 99", err)
	}
}

func TestSchemasAreIsolated(t *testing.T) {
	ctx := context.Background()
	a, b := openDSN(t, pgtest.Schema(t)), openDSN(t, pgtest.Schema(t))
	if _, err := a.UpsertArticles(ctx, []feeds.Article{article("s", "1")}); err != nil {
		t.Fatal(err)
	}
	if arts, err := b.Articles(ctx, store.Query{}); err != nil || len(arts) != 0 {
		t.Fatalf("other schema sees %d articles, %v", len(arts), err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tests := []struct {
		name, dsn string
		want      []string
		notWant   string
	}{
		// Nothing listens on port 1 of the loopback address.
		{"Unreachable", "postgres://tributary:s3cret-pw@127.0.0.1:1/feeds?sslmode=disable&connect_timeout=5",
			[]string{"postgres: open host=127.0.0.1 port=1 database=feeds: connect:"}, "s3cret-pw"},
		{"UnreachableKeyValue", "host=127.0.0.1 port=1 user=tributary password = s3cret-pw dbname=feeds sslmode=disable connect_timeout=5",
			[]string{"postgres: open host=127.0.0.1 port=1 database=feeds: connect:"}, "s3cret-pw"},
		{"BadDSN", "postgres://tributary:s3cret-pw@127.0.0.1:notaport/feeds",
			[]string{"postgres: open:"}, "s3cret-pw"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(ctx, tc.dsn)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), tc.notWant) {
				t.Errorf("error %q reveals the password", err)
			}
		})
	}
}

func TestMissingSchemaIsClear(t *testing.T) {
	pgtest.RequireServer(t)
	_, err := Open(context.Background(), pgtest.WithSearchPath(t, pgtest.DSN(), "tributary_no_such_schema"))
	if err == nil || !strings.Contains(err.Error(), "migrate") {
		t.Fatalf("Open with a search_path naming no schema: error %v, want a migration error", err)
	}
}

func TestOpenNeverShowsTheDSN(t *testing.T) {
	tests := []struct{ dsn, reason string }{
		{"host=127.0.0.1 user=postgres password = SECRET dbname=x sslmode=bogus", "sslmode is invalid"},
		{"host=127.0.0.1 user=postgres password=SECRET dbname=x sslmode=bogus", "sslmode is invalid"},
		{"host=h password = 'SEC RET' sslmode=bogus", "sslmode is invalid"},
		{"host=h password='SECRET dbname=x", "unterminated quoted string"},
		{"host=h password=SECRET port=abc", "invalid port"},
		{"host=h connect_timeout= password=SECRET", "the reason would show the password"},
		{"host=h sslpassword=SECRET sslmode=bogus", "sslmode is invalid"},
		{"host=h pass word=SECRET", "missing \"=\""},
		{"postgres://u:SECRET@h/db?sslmode=bogus", "sslmode is invalid"},
		{"postgres://u:SECRET@h:notaport/db", "invalid port"},
		{"postgres://u:SEC RET@h/db", "unexpected spaces"},
		{"postgres://u:SEC%zzRET@h/db", "invalid percent-encoded token"},
		{"postgresql://u:SECRET@[::1/db", "IPv6"},
		{"postgres://u:SECRET@h/db?connect_timeout=SECRET", "the reason would show the password"},
		{"postgres://u@h/db?password=SECRET&target_session_attrs=SECRET", "the reason would show the password"},
	}
	for _, tc := range tests {
		t.Run(tc.dsn, func(t *testing.T) {
			db, err := Open(context.Background(), tc.dsn)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if !errors.Is(err, ErrInvalidDSN) || !strings.HasPrefix(err.Error(), "postgres: open: invalid dsn") {
				t.Errorf("error %q, want postgres: open: invalid dsn...", err)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("error %q does not say %q", err, tc.reason)
			}
			if strings.Contains(err.Error(), "SEC") || strings.Contains(err.Error(), "host=") || strings.Contains(err.Error(), "://") {
				t.Errorf("error %q shows the DSN or its password", err)
			}
		})
	}
}

// TestConnectErrorsNeverShowThePassword logs in as a role the server does
// not know: the server refuses it at authentication, and the error names the
// server, the database and the role, not the password.
func TestConnectErrorsNeverShowThePassword(t *testing.T) {
	pgtest.RequireServer(t)
	cfg, err := pgx.ParseConfig(pgtest.DSN())
	if err != nil {
		t.Fatal(err)
	}
	for _, dsn := range []string{
		fmt.Sprintf("postgres://tributary_no_such_role:s3cret-pw@%s:%d/%s?sslmode=disable", cfg.Host, cfg.Port, cfg.Database),
		fmt.Sprintf("host=%s port=%d user=tributary_no_such_role password = s3cret-pw dbname=%s sslmode=disable", cfg.Host, cfg.Port, cfg.Database),
	} {
		db, err := Open(context.Background(), dsn)
		if err == nil {
			db.Close()
			t.Fatal("Open as an unknown role succeeded")
		}
		if !strings.Contains(err.Error(), "tributary_no_such_role") || strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("error %q: want the role named and the password not", err)
		}
	}
}

// TestSourceStatsUsesIndexes: the counts of failed and extracted pages on
// the status page can read their partial indexes instead of every
// article's row (the plan names the index once sequential scans are
// discouraged, which they would still be chosen over none). At 10,000
// sources of 1,000 articles a table scan took 50 s.
func TestSourceStatsUsesIndexes(t *testing.T) {
	pgtest.RequireServer(t)
	ctx := context.Background()
	db := openDSN(t, pgtest.Schema(t))
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	var arts []feeds.Article
	for i := range 200 {
		a := article(fmt.Sprintf("s%d", i%10), fmt.Sprint(i))
		a.Page = &feeds.PageState{ExtractedAt: at, AttemptedAt: at}
		if i%20 == 0 {
			a.Page = &feeds.PageState{Error: "article page: http 500", Attempts: 1, AttemptedAt: at}
		}
		arts = append(arts, a)
	}
	if _, err := db.UpsertArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for _, q := range []string{`ANALYZE articles`, `SET enable_seqscan = off`} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	defer conn.Exec(ctx, `RESET enable_seqscan`)
	for _, q := range statsQueries() {
		if q.index == "" {
			continue // the planner's choice of index on source
		}
		t.Run(q.index, func(t *testing.T) {
			rows, err := conn.Query(ctx, `EXPLAIN `+q.sql)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			p := strings.Join(plan, "\n")
			t.Logf("%s\n%s", q.sql, p)
			if !strings.Contains(p, q.index) {
				t.Errorf("plan does not use %s:\n%s", q.index, p)
			}
		})
	}
}

// TestArticlesOfSourcesReadTheirIndex: a source's newest articles (the
// boilerplate window every run reads, a feed's items) come from that
// source's rows of the index, also under the generic plan that pgx's
// cached statement ends up with and for a source with no articles yet
// (a first refresh), which a plan walking the whole store's articles_sort
// index read every article for.
func TestArticlesOfSourcesReadTheirIndex(t *testing.T) {
	pgtest.RequireServer(t)
	ctx := context.Background()
	db := openDSN(t, pgtest.Schema(t))
	for s := range 20 {
		arts := make([]feeds.Article, 50)
		for i := range arts {
			arts[i] = article(fmt.Sprintf("s%d", s), fmt.Sprint(i))
			arts[i].Published = arts[i].Published.Add(time.Duration(i) * time.Minute)
		}
		if _, err := db.UpsertArticles(ctx, arts); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	query, _ := articlesQuery(store.Query{Sources: []string{"x"}, Limit: 10})
	for _, q := range []string{`SET plan_cache_mode = force_generic_plan`, `PREPARE newest AS ` + query} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	defer conn.Exec(ctx, `DEALLOCATE newest; RESET plan_cache_mode`)
	for _, tc := range []struct {
		sources string
		want    int
	}{{`{new}`, 0}, {`{s3}`, 10}, {`{s3,s7}`, 10}} {
		t.Run(tc.sources, func(t *testing.T) {
			rows, err := conn.Query(ctx, `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE newest('`+tc.sources+`', 10)`)
			if err != nil {
				t.Fatal(err)
			}
			plans, err := pgx.CollectRows(rows, pgx.RowTo[[]map[string]any])
			if err != nil || len(plans) != 1 || len(plans[0]) != 1 {
				t.Fatal(plans, err)
			}
			top := plans[0][0]["Plan"].(map[string]any)
			if got := int(top["Actual Rows"].(float64)); got != tc.want {
				t.Errorf("%d rows, want %d", got, tc.want)
			}
			// No node reads more rows than the two sources' limits.
			var walk func(n map[string]any)
			walk = func(n map[string]any) {
				if r := n["Actual Rows"].(float64) * n["Actual Loops"].(float64); r > 20 || n["Rows Removed by Filter"] != nil {
					t.Errorf("%s reads %v rows (%v removed by a filter)", n["Node Type"], r, n["Rows Removed by Filter"])
				}
				children, _ := n["Plans"].([]any)
				for _, c := range children {
					walk(c.(map[string]any))
				}
			}
			walk(top)
		})
	}
}

// TestContentCompressedWithLZ4: on a server that has lz4 (14 and later,
// built with it), an article's HTML is stored compressed with lz4
// (migration 0011); elsewhere with the default, pglz.
func TestContentCompressedWithLZ4(t *testing.T) {
	conn := pgtest.RequireServer(t)
	ctx := context.Background()
	want := "lz4"
	if _, err := conn.Exec(ctx, `CREATE TEMP TABLE lz4_probe (t text COMPRESSION lz4)`); err != nil {
		t.Logf("no lz4 on this server (%v): want pglz", err)
		want = "pglz"
	}
	db := openDSN(t, pgtest.Schema(t))
	a := storetest.RefreshArticle("s", 1) // 2 KB: compressed to fit the row in its page
	if _, err := db.UpsertArticles(ctx, []feeds.Article{a}); err != nil {
		t.Fatal(err)
	}
	var got *string
	if err := db.pool.QueryRow(ctx, `SELECT pg_column_compression(content) FROM articles`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got == nil || *got != want {
		t.Fatalf("content compressed with %v, want %s", got, want)
	}
}

// TestStateSaveLeavesCommitsSynchronous: SaveSourceState commits without
// waiting for the WAL flush, for its own transaction only: the
// connection it used, the pool's only one here, flushes the upsert that
// comes next before it returns.
func TestStateSaveLeavesCommitsSynchronous(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	if strings.Contains(dsn, "://") {
		dsn += "&pool_max_conns=1" // testSchema set search_path
	} else {
		dsn += " pool_max_conns=1"
	}
	db := openDSN(t, dsn)
	var before string
	if err := db.pool.QueryRow(ctx, `SHOW synchronous_commit`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveSourceState(ctx, store.SourceState{Name: "s", ETag: `"e"`}); err != nil {
		t.Fatal(err)
	}
	if st, err := db.SourceState(ctx, "s"); err != nil || st.ETag != `"e"` {
		t.Fatalf("state saved: %+v, %v", st, err)
	}
	var after string
	if err := db.pool.QueryRow(ctx, `SHOW synchronous_commit`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before || after == "off" {
		t.Fatalf("synchronous_commit = %q after saving a state, want the server's %q (not off)", after, before)
	}
}
