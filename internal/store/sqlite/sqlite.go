// Package sqlite implements store.Store on an SQLite file, with the pure-Go
// modernc.org/sqlite driver: Tributary's embedded default, needing no
// server. Several processes may share one file.
//
// The database runs in WAL mode, so readers never block the writer nor
// each other. Writes go through BEGIN IMMEDIATE transactions: the write
// lock is taken up front, so a writer waits (busy_timeout) instead of
// failing with SQLITE_BUSY when another process writes, and within one
// process writers queue on a semaphore before reaching SQLite.
// synchronous=NORMAL is the recommended setting for WAL: a committed
// transaction survives a crash of the process; a power failure may lose
// the last few commits but never corrupts the file. Losing the newest
// fetch costs one re-fetch, which does not justify an fsync per commit.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	msqlite "modernc.org/sqlite" // also registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/schema"
)

var _ store.Store = (*DB)(nil)

// busyTimeout is how long a write waits for another process's write lock
// before failing.
const busyTimeout = 10 * time.Second

// DB is a store.Store on one SQLite file. It is safe for concurrent use.
type DB struct {
	db   *sql.DB
	path string
	// wsem admits one writer of this process at a time; others wait here,
	// cancellable, rather than spinning in SQLite's busy handler.
	wsem chan struct{}
	// readOnly is set by OpenReadOnly: writes fail before reaching SQLite
	// and Close skips PRAGMA optimize, which would write statistics.
	readOnly bool
	// session is this process's record of having the file open, nil for
	// a read-only DB; unclean is how many earlier sessions Open found
	// ended without Close.
	session *session
	unclean int
	// stmts are the hot statements, prepared once (see prepare).
	stmts     [numStmts]*sql.Stmt
	closeOnce sync.Once
	closeErr  error
}

// Open opens the SQLite database at path, creating the file if needed,
// and brings its schema up to date. It reads only the file's header and
// schema; the full integrity check (PRAGMA quick_check), which reads the
// whole file, runs only when a process that had the file open ended
// without Close (see session.go). Errors name the file; one that finds
// the file damaged wraps ErrCorrupt.
func Open(ctx context.Context, path string) (*DB, error) {
	db, err := openDB(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	d, err := open(ctx, db, path)
	if err != nil {
		db.Close()
		return nil, failf("sqlite: open %s: %w", path, err)
	}
	return d, nil
}

func open(ctx context.Context, db *sql.DB, path string) (*DB, error) {
	if err := readSchema(ctx, db); err != nil {
		return nil, err
	}
	// A process that had the file open ended without Close: the file is
	// checked before anything here writes to it, its pending migrations
	// included, and outside any write transaction.
	var checked []int64
	if sessionLocks {
		var err error
		if checked, err = uncleanChecked(ctx, db, path); err != nil {
			return nil, err
		}
	} else if err := check(ctx, db); err != nil {
		return nil, err
	}
	migs, err := schema.Load(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db, migs); err != nil {
		return nil, err
	}
	d := &DB{db: db, path: path, wsem: make(chan struct{}, 1)}
	if sessionLocks {
		if d.session, d.unclean, err = startSession(ctx, db, path, checked); err != nil {
			return nil, err
		}
	}
	if err := d.prepare(ctx); err != nil {
		if d.session != nil {
			d.session.end(db)
			d.session.release()
		}
		return nil, err
	}
	return d, nil
}

// readSchema reads the file's header and schema, all that Open checks of
// a file closed cleanly: a file that is no database fails here.
func readSchema(ctx context.Context, db *sql.DB) error {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&n); err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	return nil
}

// fileURI returns a file: URI for path, so that '?' or '#' in the path
// cannot be taken for the parameters; SQLite decodes the %-escapes.
func fileURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// pageSize is the page size of a new database file. An article of a few
// KB left about half of a 4 KiB page, SQLite's default, empty: the store
// took 2.1x the bytes of the HTML it held, 1.3x with 16 KiB pages. An
// existing file keeps its page size (docs/operations.md says how to
// convert one).
const pageSize = 16384

// initNewFile gives a file that does not exist yet, or is empty, its page
// size and incremental auto_vacuum, then WAL mode, in that order: SQLite
// fixes the first two when the file's first page is written, which WAL
// mode does. The driver's own parameters would run auto_vacuum before
// page_size, which then has no effect. Two processes creating the file at
// once are safe: the second finds the first's settings in place.
func initNewFile(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 || err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil // not new; or Open reports the problem
	}
	db, err := sql.Open("sqlite", fileURI(path)+fmt.Sprintf("?_busy_timeout=%d", busyTimeout.Milliseconds()))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // the pragmas below act on one connection
	for _, p := range []string{fmt.Sprintf("page_size = %d", pageSize), "auto_vacuum = INCREMENTAL", "journal_mode = WAL"} {
		// Switching to WAL answers SQLITE_BUSY at once, without the busy
		// handler, while another process opening the new file holds a
		// lock on it: each pragma is tried again until busyTimeout.
		for deadline := time.Now().Add(busyTimeout); ; time.Sleep(10 * time.Millisecond) {
			_, err := db.Exec(`PRAGMA ` + p)
			if err == nil {
				break
			}
			if !isBusy(err) || time.Now().After(deadline) {
				return err
			}
		}
	}
	return nil
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (or an extended code
// of it).
func isBusy(err error) bool {
	var se *msqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// openDB returns a connection pool on path with Tributary's settings
// applied to every connection.
func openDB(path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("empty path")
	}
	if err := initNewFile(path); err != nil {
		return nil, fmt.Errorf("prepare new file: %w", err)
	}
	dsn := fileURI(path) + fmt.Sprintf("?_busy_timeout=%d", busyTimeout.Milliseconds()) +
		"&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=1&_txlock=immediate" +
		// A new file frees the pages of deleted articles with Reclaim's
		// incremental vacuum; on an existing file created without it this
		// does nothing (see Reclaim).
		"&_auto_vacuum=INCREMENTAL"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// Readers run in parallel under WAL; writers are serialized anyway.
	n := max(4, runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	return db, nil
}

// Path returns the file the database was opened from.
func (d *DB) Path() string { return d.path }

// Close closes the database. Calling it again returns the first result.
func (d *DB) Close() error {
	d.closeOnce.Do(func() {
		// Keep the query planner's statistics fresh for the next run; a
		// failure here is no reason to report Close as failed.
		if !d.readOnly {
			_, _ = d.db.Exec(`PRAGMA optimize`)
		}
		for _, st := range d.stmts {
			if st != nil {
				st.Close()
			}
		}
		if d.session != nil {
			d.session.end(d.db)
		}
		if err := d.db.Close(); err != nil {
			d.closeErr = fmt.Errorf("sqlite: close %s: %w", d.path, err)
		}
		// Released last: the row is gone, so the next Open sees a clean
		// end even if this process dies now.
		d.session.release()
	})
	return d.closeErr
}

// write runs fn in a write (BEGIN IMMEDIATE) transaction, committing when
// fn returns nil.
func (d *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	if d.readOnly {
		return errReadOnly
	}
	select {
	case d.wsem <- struct{}{}:
		defer func() { <-d.wsem }()
	case <-ctx.Done():
		return ctx.Err()
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, rollback(tx))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Version returns the change counter of the stored articles.
func (d *DB) Version(ctx context.Context) (store.Version, error) {
	var (
		v       store.Version
		changed sql.NullInt64
	)
	if err := d.db.QueryRowContext(ctx, `SELECT counter, changed_at FROM store_version WHERE id = 1`).Scan(&v.Counter, &changed); err != nil {
		return store.Version{}, failf("sqlite: version: %w", err)
	}
	v.ChangedAt = fromUnix(changed)
	return v, nil
}
