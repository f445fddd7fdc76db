package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/record"
	"github.com/tributary/tributary/internal/store/schema"
	"github.com/tributary/tributary/internal/store/storetest"
)

// openFile opens path and closes it when t ends.
func openFile(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Opener{
		Open: func(t *testing.T) store.Store {
			return openFile(t, filepath.Join(t.TempDir(), "tributary.db"))
		},
		Reopen: func(t *testing.T, s store.Store) store.Store {
			return openFile(t, s.(*DB).Path())
		},
	})
}

func article(src, id string) feeds.Article {
	return feeds.Article{
		ID: id, Source: src, Title: "Title " + id, Link: "https://example.com/" + id,
		Content:   "<p>Body</p>",
		Published: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		FetchedAt: time.Date(2024, 1, 2, 4, 0, 0, 0, time.UTC),
		Authors:   []feeds.Author{{Name: "Ann", URL: "https://example.com/ann"}},
		Image:     &feeds.Image{URL: "https://example.com/i.jpg", Caption: "cap"},
	}
}

func mustUpsert(t *testing.T, db store.Store, arts ...feeds.Article) {
	t.Helper()
	if _, err := db.UpsertArticles(context.Background(), arts); err != nil {
		t.Fatalf("UpsertArticles: %v", err)
	}
}

func TestPragmas(t *testing.T) {
	db := openFile(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	// Every pooled connection must carry the settings, so hold several.
	var conns []interface{ Close() error }
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range 3 {
		c, err := db.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		for _, p := range []struct{ pragma, want string }{
			{"journal_mode", "wal"},
			{"busy_timeout", "10000"},
			{"foreign_keys", "1"},
			{"synchronous", "1"}, // NORMAL
		} {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != p.want {
				t.Errorf("connection %d: PRAGMA %s = %s, want %s", i, p.pragma, got, p.want)
			}
		}
	}
}

func TestReopenKeepsCommittedData(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.db")
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustUpsert(t, db, article("s", "1"), article("s", "2"))
	if err := db.SaveSourceState(ctx, store.SourceState{Name: "s", ETag: `"e"`, Failures: 2}); err != nil {
		t.Fatal(err)
	}
	v, err := db.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Simulate a crash: copy the database and its write-ahead log while the
	// process still has them open, before any checkpoint, as a power cut
	// or kill -9 would leave them. The copy must hold what was committed.
	crashed := filepath.Join(dir, "crashed")
	if err := os.Mkdir(crashed, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatalf("read %s%s: %v", path, suffix, err)
		}
		if err := os.WriteFile(filepath.Join(crashed, "t.db"+suffix), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("expected committed data in the WAL before checkpoint (stat: %v)", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	for _, p := range []string{path, filepath.Join(crashed, "t.db")} {
		t.Run(filepath.Base(filepath.Dir(p)), func(t *testing.T) {
			re := openFile(t, p)
			arts, err := re.Articles(ctx, store.Query{})
			if err != nil {
				t.Fatal(err)
			}
			if len(arts) != 2 || arts[0].Authors[0].Name != "Ann" || arts[0].Image.Caption != "cap" {
				t.Fatalf("after reopen: %d articles: %+v", len(arts), arts)
			}
			st, err := re.SourceState(ctx, "s")
			if err != nil || st.ETag != `"e"` || st.Failures != 2 {
				t.Fatalf("after reopen: source state %+v, %v", st, err)
			}
			if got, err := re.Version(ctx); err != nil || got != v {
				t.Fatalf("after reopen: Version = %+v, %v; want %+v", got, err, v)
			}
		})
	}
}

func TestOpenPathNeedingEscapes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?with#odd%chars")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "my feeds?.db")
	db := openFile(t, path)
	mustUpsert(t, db, article("s", "1"))
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not created at the given path: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("this is not an sqlite database\n", 200)), 0o644); err != nil {
		t.Fatal(err)
	}

	// A real database with damaged pages, whose last process ended
	// without Close: Open runs the full check (session_test.go has the
	// rest).
	damaged := filepath.Join(dir, "damaged.db")
	damagedStore(t, damaged)
	leaveUncleanSession(t, damaged)

	tests := []struct {
		name, path string
		want       []string
	}{
		{"NotADatabase", garbage, []string{"sqlite: open " + garbage, "not a database"}},
		{"Damaged", damaged, []string{"sqlite: open " + damaged, "integrity check", "the database is corrupt"}},
		{"MissingDirectory", filepath.Join(dir, "no", "such", "dir", "x.db"), []string{"sqlite: open " + filepath.Join(dir, "no")}},
		{"Empty", "", []string{"sqlite: open", "empty path"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(context.Background(), tc.path)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tc.path)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestMigrateTwiceIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	for range 3 {
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		mustUpsert(t, db, article("s", "1"))
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	db := openFile(t, path)
	wantMigrations(t, db)
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
	if err := db.db.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != len(migs) || max != len(migs) {
		t.Fatalf("schema_migrations holds %d rows up to version %d, want %d", n, max, len(migs))
	}
}

func TestConcurrentOpenOfNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "race.db")
	var wg sync.WaitGroup
	dbs := make([]*DB, 4)
	errs := make([]error, len(dbs))
	for i := range dbs {
		wg.Go(func() { dbs[i], errs[i] = Open(context.Background(), path) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	wantMigrations(t, dbs[0])
	mustUpsert(t, dbs[1], article("s", "1"))
	if _, err := dbs[3].Article(context.Background(), "s", "1"); err != nil {
		t.Fatal(err)
	}
}

func TestOpenUpgradesOlderSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	migs, err := schema.Load(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if len(migs) < 2 {
		t.Fatalf("%d migrations; this test needs at least 2", len(migs))
	}
	// A database as the first release left it: only migration 1, with an
	// article written by that release.
	raw, err := openDB(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, raw, migs[:1]); err != nil {
		t.Fatal(err)
	}
	r, err := record.Encode(&storetest.V1Article, time.Unix(1700000100, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO articles (source, id, title, published, fetched_at, sort_time, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.Source, r.ID, r.Title, r.Published, r.FetchedAt, r.Published, r.Hash); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`SELECT 1 FROM source_state`); err == nil {
		t.Fatal("source_state exists before migration 2")
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db := openFile(t, path)
	wantMigrations(t, db)
	storetest.CheckUpgradedFromV1(t, db)
	// Nothing says how the Tributary before sessions ended: the first
	// open after upgrading checks the whole file, once.
	if n := db.UncleanSessions(); n != 1 {
		t.Errorf("the open that upgraded found %d unclean sessions, want 1", n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if n := openFile(t, path).UncleanSessions(); n != 0 {
		t.Errorf("the open after the upgrade found %d unclean sessions, want 0", n)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	db := openFile(t, path)
	if _, err := db.db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future', 0)`); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "schema version 99 is newer") || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open of a newer schema: error %v, want one naming version 99 and the file", err)
	}
}

func TestArticlesUsesIndex(t *testing.T) {
	db := openFile(t, filepath.Join(t.TempDir(), "plan.db"))
	tests := []struct {
		name string
		q    store.Query
		want string
	}{
		{"AllLimit", store.Query{Limit: 50}, "SCAN articles USING COVERING INDEX articles_sort"},
		{"SourcesLimit", store.Query{Limit: 50, Sources: []string{"a", "b"}}, "SEARCH articles USING COVERING INDEX articles_source_sort (source=?)"},
		{"All", store.Query{}, "SCAN articles USING INDEX articles_sort"},
		{"Sources", store.Query{Sources: []string{"a"}}, "SEARCH articles USING INDEX articles_source_sort (source=?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			query, args := articlesQuery(tc.q)
			plan := queryPlan(t, db, query, args...)
			p := strings.Join(plan, "; ")
			if !strings.Contains(p, tc.want) {
				t.Errorf("plan %q does not contain %q", p, tc.want)
			}
			for _, step := range plan {
				if strings.HasPrefix(step, "SCAN articles") && !strings.Contains(step, "INDEX") {
					t.Errorf("plan scans the whole table: %s", p)
				}
			}
		})
	}
}

// queryPlan returns the detail lines of SQLite's EXPLAIN QUERY PLAN for
// query.
func queryPlan(t *testing.T, db *DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.db.Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestSourceStatsUsesIndexes: every count of the status page reads its
// index, not every article's row: at 10,000 sources of 1,000 articles a
// table scan took 50 s. The counts of articles and extracted pages read
// the index alone (covering); that of failed pages reads the rows of the
// failed pages only, which the partial articles_pages_due index lists.
func TestSourceStatsUsesIndexes(t *testing.T) {
	db := openFile(t, filepath.Join(t.TempDir(), "plan.db"))
	for _, q := range statsQueries() {
		t.Run(q.index, func(t *testing.T) {
			plan := queryPlan(t, db, q.sql)
			p := strings.Join(plan, "; ")
			want := "SCAN articles USING COVERING INDEX " + q.index
			if q.index == "articles_pages_due" {
				want = "SCAN articles USING INDEX articles_pages_due"
			}
			if !strings.Contains(p, want) {
				t.Errorf("plan %q does not contain %q", p, want)
			}
		})
	}
}
