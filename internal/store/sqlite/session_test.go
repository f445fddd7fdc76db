package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

// damagedStore writes a store of 200 articles at path, closes it cleanly,
// then overwrites the root page of its articles table with garbage: the
// header and the schema stay readable, the articles do not.
func damagedStore(t *testing.T, path string) {
	t.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		a := article("s", fmt.Sprintf("id-%d", i))
		a.Content = strings.Repeat(fmt.Sprintf("<p>story %d has some text</p>", i), 60)
		mustUpsert(t, db, a)
	}
	var root, pageSize int64
	if err := db.db.QueryRow(`SELECT rootpage FROM sqlite_schema WHERE name = 'articles'`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	if err := db.db.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte(strings.Repeat("\xa5", int(pageSize))), (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
}

// leaveUncleanSession records in the database at path a session whose
// process is gone, what a process killed with the file open leaves.
func leaveUncleanSession(t *testing.T, path string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO sessions (pid, started_at) VALUES (4242, 1700000000)`); err != nil {
		t.Fatal(err)
	}
}

// abandon ends d as a killed process would: its connections and lock are
// dropped, its session row stays.
func abandon(t *testing.T, d *DB) {
	t.Helper()
	d.closeOnce.Do(func() {
		d.db.Close()
		d.session.release()
	})
}

func TestOpenAfterCleanCloseSkipsFullCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	db := openFile(t, path)
	mustUpsert(t, db, article("s", "1"))
	if n := db.UncleanSessions(); n != 0 {
		t.Errorf("a new store found %d unclean sessions", n)
	}
	// A second process (here a second DB) sharing the file is alive: it
	// is no unclean end.
	other := openFile(t, path)
	if n := other.UncleanSessions(); n != 0 {
		t.Errorf("Open beside a live store found %d unclean sessions, want 0", n)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again := openFile(t, path)
	if n := again.UncleanSessions(); n != 0 {
		t.Errorf("Open after clean closes found %d unclean sessions, want 0 (no full check)", n)
	}
	ro, err := OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if n := ro.UncleanSessions(); n != 0 {
		t.Errorf("OpenReadOnly found %d unclean sessions, want 0", n)
	}
}

// uncleanEnd opens the store at path twice, as two processes would, and
// abandons the second after it stored article s/1: a killed process. It
// returns the first, alive.
func uncleanEnd(t *testing.T, path string) *DB {
	t.Helper()
	live := openFile(t, path)
	killed, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	mustUpsert(t, killed, article("s", "1"))
	abandon(t, killed)
	return live
}

func TestOpenAfterUncleanEndRunsFullCheckOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	live := uncleanEnd(t, path)

	// A read-only open checks, but cannot clear the record: every one
	// checks until a read-write Open does.
	for range 2 {
		ro, err := OpenReadOnly(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if n := ro.UncleanSessions(); n != 1 {
			t.Errorf("OpenReadOnly after an unclean end found %d unclean sessions, want 1", n)
		}
		ro.Close()
	}
	next := openFile(t, path)
	if n := next.UncleanSessions(); n != 1 {
		t.Errorf("Open after an unclean end found %d unclean sessions, want 1 (the live one is not)", n)
	}
	if _, err := next.Article(context.Background(), "s", "1"); err != nil {
		t.Errorf("the article committed before the kill: %v", err)
	}
	after := openFile(t, path)
	if n := after.UncleanSessions(); n != 0 {
		t.Errorf("the next Open found %d unclean sessions, want 0: the check runs once", n)
	}
	_ = live
}

func TestDamagedStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	damagedStore(t, path)

	// After a clean end Open reads only the header and schema, so it
	// succeeds; the damage is reported as corruption by the first query
	// that reads it, and by the full check.
	db := openFile(t, path)
	_, err := db.Articles(ctx, store.Query{})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "the database is corrupt") {
		t.Errorf("Articles on a damaged table: %v, want an error wrapping ErrCorrupt", err)
	}
	_, err = db.UpsertArticles(ctx, nil)
	if err != nil {
		t.Errorf("an empty upsert reads nothing: %v", err)
	}
	err = db.IntegrityCheck(ctx)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "integrity check") {
		t.Errorf("IntegrityCheck: %v, want a failed check wrapping ErrCorrupt", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// After an unclean end, Open and OpenReadOnly run the check and fail,
	// and keep failing: the record of the unclean end stays.
	leaveUncleanSession(t, path)
	for range 2 {
		if db, err := Open(ctx, path); !errors.Is(err, ErrCorrupt) {
			if err == nil {
				db.Close()
			}
			t.Errorf("Open after an unclean end: %v, want an error wrapping ErrCorrupt", err)
		}
		if db, err := OpenReadOnly(ctx, path); !errors.Is(err, ErrCorrupt) {
			if err == nil {
				db.Close()
			}
			t.Errorf("OpenReadOnly after an unclean end: %v, want an error wrapping ErrCorrupt", err)
		}
	}
}

func TestNotADatabaseIsCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("not sqlite\n", 500)), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, open := range map[string]func(context.Context, string) (*DB, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
		db, err := open(context.Background(), path)
		if err == nil {
			db.Close()
		}
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "not a database") {
			t.Errorf("%s of a file that is no database: %v, want an error wrapping ErrCorrupt", name, err)
		}
	}
}

func TestUnchangedUpsertTakesNoWriteLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	db := openFile(t, path)
	a := article("s", "1")
	mustUpsert(t, db, a)

	// Another process holds the write lock, as a long write would.
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, `ROLLBACK`)

	// Waiting for it would end in SQLITE_BUSY after busyTimeout.
	res, err := db.UpsertArticles(ctx, []feeds.Article{a})
	if err != nil || res != (store.UpsertResult{Unchanged: 1}) {
		t.Errorf("unchanged upsert while another process writes: %+v, %v; want 1 unchanged at once", res, err)
	}
}

func TestStoredVersionsUsesPrimaryKey(t *testing.T) {
	// The read before every upsert looks each article up by its key: a
	// scan of the source's articles would grow with the store.
	db := openFile(t, filepath.Join(t.TempDir(), "plan.db"))
	plan := strings.Join(queryPlan(t, db, stmtSQL(stmtStored), "s", `["a","b"]`), "\n")
	if !strings.Contains(plan, "SEARCH articles USING INDEX sqlite_autoindex_articles_1 (source=? AND id=?)") {
		t.Errorf("plan of the stored versions read:\n%s\nwant a search of the primary key", plan)
	}
}

func TestUncleanCheckLetsOthersWrite(t *testing.T) {
	// The check after an unclean end reads the whole file, a minute on a
	// store of gigabytes: it must not hold the write lock meanwhile, or
	// the processes sharing the file fail with "database is locked".
	path := filepath.Join(t.TempDir(), "t.db")
	live := uncleanEnd(t, path)

	checking, release := make(chan struct{}), make(chan struct{})
	checkHook = func() { close(checking); <-release }
	t.Cleanup(func() { checkHook = nil })
	opened := make(chan error, 1)
	var next *DB
	go func() {
		var err error
		next, err = Open(context.Background(), path)
		opened <- err
	}()
	select {
	case <-checking:
	case err := <-opened:
		t.Fatalf("Open returned (%v) without checking after an unclean end", err)
	case <-time.After(30 * time.Second):
		t.Fatal("Open never started its check")
	}
	wrote := make(chan error, 1)
	go func() { wrote <- live.SaveSourceState(context.Background(), store.SourceState{Name: "s", Failures: 1}) }()
	select {
	case err := <-wrote:
		if err != nil {
			t.Errorf("a write while another process checks the file: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("a write waited for another process's integrity check")
	}
	close(release)
	if err := <-opened; err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	if n := next.UncleanSessions(); n != 1 {
		t.Errorf("Open found %d unclean sessions, want 1", n)
	}
	if again := openFile(t, path); again.UncleanSessions() != 0 {
		t.Errorf("the next Open found %d unclean sessions, want 0: the first cleared what it checked", again.UncleanSessions())
	}
}
