package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tributary/tributary/internal/store/schema"
)

// errReadOnly is what the writes of a DB opened with OpenReadOnly return.
var errReadOnly = errors.New("database opened read-only")

// OpenReadOnly opens the existing SQLite database at path for reading only,
// for commands that never write (build). It never creates, migrates or
// writes the file, so it works when the file or its directory is read-only
// to this process (a read-only mount, a database owned by the daemon's
// user); writes through the returned DB fail. The file must exist and
// carry exactly this program's schema version. Like Open it reads only the
// header and schema unless a process ended without closing the file: then
// it runs the full integrity check (PRAGMA quick_check), at every
// read-only open until a read-write Open clears the record. Errors name
// the file; one that finds the file damaged wraps ErrCorrupt.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	db, unclean, err := openReadOnly(ctx, path)
	if err == nil {
		d := &DB{db: db, path: path, wsem: make(chan struct{}, 1), readOnly: true, unclean: unclean}
		if err = d.prepare(ctx); err == nil {
			return d, nil
		}
		db.Close()
	}
	return nil, failf("sqlite: open %s read-only: %w", path, err)
}

func openReadOnly(ctx context.Context, path string) (*sql.DB, int, error) {
	if path == "" {
		return nil, 0, errors.New("empty path")
	}
	// Unlike Open, never create the file: a build from a mistyped path
	// would otherwise publish empty feeds over the real ones.
	fi, err := os.Stat(path)
	if err != nil {
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			return nil, 0, pe.Err // the caller names the file
		}
		return nil, 0, err
	}
	if fi.IsDir() {
		return nil, 0, errors.New("is a directory, not a database file")
	}
	// SQLite reports an unreadable file as "unable to open database file".
	f, err := os.Open(path)
	if err != nil {
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			return nil, 0, pe.Err
		}
		return nil, 0, err
	}
	f.Close()
	migs, err := schema.Load(migrationFiles, "migrations")
	if err != nil {
		return nil, 0, err
	}
	db, unclean, err := openChecked(ctx, path, len(migs), false)
	if err != nil && immutableSafe(err, path) {
		db, unclean, err = openChecked(ctx, path, len(migs), true)
	}
	return db, unclean, err
}

// openChecked opens path read-only (or as immutable), reads its header
// and schema, verifies that the schema is at version want and, when a
// process that had the file open for writing ended without Close, runs
// the full integrity check. It returns how many such processes it found.
func openChecked(ctx context.Context, path string, want int, immutable bool) (*sql.DB, int, error) {
	dsn := fileURI(path) +
		fmt.Sprintf("?mode=ro&_busy_timeout=%d&_pragma=query_only(1)", busyTimeout.Milliseconds())
	if immutable {
		dsn += "&immutable=1"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, 0, err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	unclean, err := func() (int, error) {
		if err := readSchema(ctx, db); err != nil {
			return 0, err
		}
		if !sessionLocks {
			if err := check(ctx, db); err != nil {
				return 0, err
			}
		}
		if err := checkSchema(ctx, db, want); err != nil {
			return 0, err
		}
		if !sessionLocks {
			return 0, nil
		}
		return checkUnclean(ctx, db, path)
	}()
	if err != nil {
		db.Close()
		return nil, 0, err
	}
	return db, unclean, nil
}

// immutableSafe reports whether a read-only open that failed with err may
// be retried with immutable=1 (no locks, no -shm). SQLite reads a WAL
// database through its -shm index, which it must create when no connection
// has the database open; in a directory it cannot write it gives up with
// SQLITE_READONLY_DIRECTORY or _CANTINIT. When no -wal file holds commits
// either, the main file alone is the whole committed database and no
// writer is at work (a writer keeps a -wal file beside it), so reading it
// as immutable returns exactly what a locked read would. A writer that
// starts during the read is not seen; the read itself is short.
func immutableSafe(err error, path string) bool {
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	if c := se.Code(); c != sqlite3.SQLITE_READONLY_DIRECTORY && c != sqlite3.SQLITE_READONLY_CANTINIT {
		return false
	}
	fi, err := os.Stat(path + "-wal")
	return errors.Is(err, fs.ErrNotExist) || (err == nil && fi.Size() == 0)
}

// checkSchema verifies that the database was migrated to version want,
// which a read-only open cannot do itself.
func checkSchema(ctx context.Context, db *sql.DB, want int) error {
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema
		WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&tables); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if tables == 0 {
		return errors.New("no Tributary schema: the database was never opened for writing (run a fetch first)")
	}
	var current int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case current < want:
		return fmt.Errorf("database schema version %d is older than this program's (%d) and a read-only open cannot migrate it: open it read-write once (run a fetch)", current, want)
	case current > want:
		return fmt.Errorf("database schema version %d is newer than this program supports (%d): upgrade Tributary", current, want)
	}
	return nil
}
