package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tributary/tributary/internal/store/postgres/pgtest"
)

// runSQL runs query on the store of driver at dsn, with a connection of
// its own: the count a SELECT returns, else the rows an update changed.
func runSQL(t *testing.T, driver, dsn, query string) (int64, error) {
	t.Helper()
	ctx := context.Background()
	isSelect := strings.HasPrefix(query, "SELECT")
	if driver == "sqlite" {
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			return 0, err
		}
		defer db.Close()
		var n int64
		if isSelect {
			err = db.QueryRowContext(ctx, query).Scan(&n)
			return n, err
		}
		res, err := db.ExecContext(ctx, query)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var n int64
	if isSelect {
		err = conn.QueryRow(ctx, query).Scan(&n)
		return n, err
	}
	tag, err := conn.Exec(ctx, query)
	return tag.RowsAffected(), err
}

// recordFutureMigration records in the store a migration this program
// does not know, as a newer Tributary would have.
func recordFutureMigration(t *testing.T, driver, dsn string) {
	t.Helper()
	if _, err := runSQL(t, driver, dsn, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', `+
		map[string]string{"sqlite": "1767225600", "postgres": "now()"}[driver]+`)`); err != nil {
		t.Fatalf("record a future migration: %v", err)
	}
}

// shippedMigrations returns the names of driver's migrations, in order.
func shippedMigrations(t *testing.T, driver string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("../../internal/store", driver, "migrations", "*.sql"))
	if err != nil || len(files) < 3 {
		t.Fatalf("migrations of %s: %v, %v", driver, files, err)
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = strings.TrimSuffix(filepath.Base(f), ".sql")
	}
	return names
}

// olderStore makes the store at dsn what a Tributary with only the first
// k migrations left: their SQL run and recorded, nothing else.
func olderStore(t *testing.T, driver, dsn string, names []string, k int) {
	t.Helper()
	stmts := []string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ` +
		map[string]string{"sqlite": "INTEGER NOT NULL", "postgres": "timestamptz NOT NULL DEFAULT now()"}[driver] + `)`}
	for i, name := range names[:k] {
		b, err := os.ReadFile(filepath.Join("../../internal/store", driver, "migrations", name+".sql"))
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, string(b), fmt.Sprintf(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (%d, '%s', %s)`,
			i+1, name, map[string]string{"sqlite": "1767225600", "postgres": "now()"}[driver]))
	}
	for _, s := range stmts {
		if _, err := runSQL(t, driver, dsn, s); err != nil {
			t.Fatalf("older store: %v\n%s", err, s)
		}
	}
}

// TestMigrateStatusAndUp walks both stores from nothing to an older
// schema, up to date with migrate up, and to a schema of a newer
// Tributary, reading migrate status at each step.
func TestMigrateStatusAndUp(t *testing.T) {
	ctx := context.Background()
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			dir := feedDir(t)
			dsn := filepath.Join(dir, "news.db")
			if driver == "postgres" {
				dsn = pgtest.Schema(t)
			}
			conf := filepath.Join(dir, "config.yaml")
			writeFile(t, conf, fmt.Sprintf("storage:\n  driver: %s\n  dsn: %q\nsources:\n  - name: local\n    url: "+sourceURL+"\nfeeds:\n  - name: all\n", driver, dsn))
			names := shippedMigrations(t, driver)
			n := len(names)
			migrate := func(sub string, wantCode int, want ...string) string {
				t.Helper()
				code, out, errOut := runCmd(t, ctx, "--config", conf, "migrate", sub)
				if code != wantCode {
					t.Fatalf("migrate %s: exit %d, want %d\n%s%s", sub, code, wantCode, out, errOut)
				}
				for _, w := range want {
					if !strings.Contains(out+errOut, w) {
						t.Fatalf("migrate %s: output lacks %q:\n%s%s", sub, w, out, errOut)
					}
				}
				return out
			}

			out := migrate("status", exitOK, fmt.Sprintf("schema version 0 of %d: %d pending", n, n))
			if strings.Count(out, " pending\n") != n {
				t.Errorf("status of a new store: want every migration pending:\n%s", out)
			}
			if _, err := os.Stat(filepath.Join(dir, "news.db")); err == nil {
				t.Errorf("migrate status created the database file")
			}

			olderStore(t, driver, dsn, names, n-2)
			out = migrate("status", exitOK, fmt.Sprintf("schema version %d of %d: 2 pending", n-2, n))
			for i, name := range names {
				line := regexpLine(out, name)
				if applied := strings.Contains(line, " applied 20"); applied != (i < n-2) {
					t.Errorf("status line %q: applied %t, want %t", line, applied, i < n-2)
				}
			}

			out = migrate("up", exitOK, "applied "+names[n-2]+"\n", "applied "+names[n-1]+"\n", fmt.Sprintf("schema version %d of %d: up to date", n, n))
			if strings.Count(out, "applied ") != 2 {
				t.Errorf("migrate up applied more than the 2 pending:\n%s", out)
			}
			out = migrate("status", exitOK, fmt.Sprintf("schema version %d of %d: up to date", n, n))
			if strings.Contains(out, "pending") {
				t.Errorf("status after up:\n%s", out)
			}
			if out := migrate("up", exitOK, "up to date"); strings.Contains(out, "applied") {
				t.Errorf("a second migrate up applied something:\n%s", out)
			}

			recordFutureMigration(t, driver, dsn)
			migrate("status", exitOK, "9999_future", "unknown to this Tributary", fmt.Sprintf("schema version 9999, newer than this Tributary knows (%d)", n))
			migrate("up", exitFailed, "newer than this Tributary knows", "upgrade Tributary")
		})
	}
}

// TestMigrateUpConcurrentOnPostgres runs migrate up three times at once on
// a new schema: they take turns under the start-up's advisory lock, and
// all succeed.
func TestMigrateUpConcurrentOnPostgres(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	conf := filepath.Join(feedDir(t), "config.yaml")
	writeFile(t, conf, fmt.Sprintf("storage:\n  driver: postgres\n  dsn: %q\nsources:\n  - name: local\n    url: "+sourceURL+"\nfeeds:\n  - name: all\n", dsn))
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			var out, errb strings.Builder
			if code := run(ctx, []string{"--config", conf, "migrate", "up"}, &out, &errb); code != exitOK {
				t.Errorf("migrate up: exit %d\n%s%s", code, out.String(), errb.String())
			}
		})
	}
	wg.Wait()
	if _, out, _ := runCmd(t, ctx, "--config", conf, "migrate", "status"); !strings.Contains(out, "up to date") {
		t.Errorf("status after concurrent ups:\n%s", out)
	}
}

// sourceURL is the one source of the tests' configurations: feed.xml
// beside them (feedDir writes it).
const sourceURL = "feed.xml"

// feedDir returns a new directory holding feed.xml.
func feedDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, sourceURL), atomFeed)
	return dir
}

// regexpLine returns the line of out that names migration name.
func regexpLine(out, name string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, " "+name+" ") {
			return l
		}
	}
	return ""
}

// TestMigrateFlagsAfterTheAction takes --config after status or up too,
// as an operator types it (`tributary migrate status --config prod.yaml`),
// instead of answering that status or up is missing.
func TestMigrateFlagsAfterTheAction(t *testing.T) {
	ctx := context.Background()
	dir := feedDir(t)
	conf := filepath.Join(dir, "prod.yaml")
	writeFile(t, conf, "storage:\n  dsn: news.db\nsources:\n  - name: local\n    url: "+sourceURL+"\nfeeds:\n  - name: all\n")
	for _, sub := range []string{"status", "up"} {
		code, out, errOut := runCmd(t, ctx, "migrate", sub, "--config", conf)
		if code != exitOK || !strings.Contains(out, "store: sqlite "+filepath.Join(dir, "news.db")) {
			t.Errorf("migrate %s --config FILE: exit %d, want 0 on that file's store\n%s%s", sub, code, out, errOut)
		}
	}
	if code, _, errOut := runCmd(t, ctx, "migrate", "status", "extra", "--config", conf); code != exitUsage || !strings.Contains(errOut, "migrate needs one of") {
		t.Errorf("migrate status extra: exit %d, want %d\n%s", code, exitUsage, errOut)
	}
}
