package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// Open reads only the file's header and schema, however large the store:
// SQLite's own recovery (the WAL) makes a killed process harmless, and a
// full check reads every page. It runs that check, PRAGMA quick_check,
// only after a process ended without Close, which is what a session
// records. Each process that opens the file for writing adds a row to the
// sessions table and holds, for as long as it has the file open, a lock on
// the byte of <db>-lock at the row's id (an open-file-description lock,
// which the kernel drops when the process dies, however it dies). Close
// deletes the row. A row whose byte nobody holds belongs to a process that
// ended without Close (killed, out of memory, the machine lost power):
// the next Open runs the check before anything writes to the file (its
// pending migrations included), in a read transaction, so that other
// processes sharing the file go on writing meanwhile; then it deletes the
// rows it checked for. Two processes opening at once may both check. A
// check that fails leaves the rows, so every later Open fails the same
// way until the file is restored.

// lockSuffix names the session lock file beside the database.
const lockSuffix = "-lock"

// session is this process's row in the sessions table and the lock that
// says it is alive.
type session struct {
	id   int64
	lock *os.File
}

// startSession records a session for this process and clears the earlier
// sessions that ended without Close, which Open checked for (checked, by
// uncleanChecked). A session found dead now that was not among them (its
// process died meanwhile) is checked here, inside the write transaction
// that clears it. It returns how many it cleared.
func startSession(ctx context.Context, db *sql.DB, path string, checked []int64) (_ *session, unclean int, err error) {
	// Read access is all a read lock needs: a lock file created by
	// another user (root running a fetch) stays usable by the daemon's.
	lock, err := os.OpenFile(path+lockSuffix, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, 0, fmt.Errorf("session lock: %w", err)
	}
	defer func() {
		if err != nil {
			lock.Close()
		}
	}()
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: one opener at a time
	if err != nil {
		return nil, 0, fmt.Errorf("session: begin: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, rollback(tx))
		}
	}()
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO sessions (pid, started_at) VALUES (?, unixepoch()) RETURNING id`,
		os.Getpid()).Scan(&id); err != nil {
		return nil, 0, fmt.Errorf("session: record: %w", err)
	}
	// Held before the commit makes the row visible, so no other opener
	// ever sees the row without the lock.
	if err := holdByte(lock, id); err != nil {
		return nil, 0, fmt.Errorf("session: lock byte %d of %s: %w", id, lock.Name(), err)
	}
	dead, err := deadSessions(ctx, tx, lock, id)
	if err != nil {
		return nil, 0, err
	}
	if len(dead) > 0 {
		if !subset(dead, checked) {
			if err := check(ctx, tx); err != nil {
				return nil, 0, err
			}
		}
		for _, d := range dead {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, d); err != nil {
				return nil, 0, fmt.Errorf("session: clear %d: %w", d, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, 0, fmt.Errorf("session: commit: %w", err)
	}
	return &session{id: id, lock: lock}, len(dead), nil
}

// deadSessions returns the ids of the recorded sessions other than own
// whose byte of lock nobody holds: processes that ended without Close.
// lock may be nil when there is no lock file, which no live process can
// then hold.
func deadSessions(ctx context.Context, q querier, lock *os.File, own int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM sessions WHERE id != ? ORDER BY id`, own)
	if err != nil {
		return nil, fmt.Errorf("session: read sessions: %w", err)
	}
	defer rows.Close()
	var dead []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("session: read sessions: %w", err)
		}
		held := false
		if lock != nil {
			if held, err = byteHeld(lock, id); err != nil {
				return nil, fmt.Errorf("session: test byte %d of %s: %w", id, lock.Name(), err)
			}
		}
		if !held {
			dead = append(dead, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("session: read sessions: %w", err)
	}
	return dead, nil
}

// subset reports whether every id of ids is in of.
func subset(ids, of []int64) bool {
	for _, id := range ids {
		if !slices.Contains(of, id) {
			return false
		}
	}
	return true
}

// uncleanChecked runs the full integrity check when a recorded session
// ended without Close, in a read transaction of its own: other processes
// keep writing meanwhile. It returns the ids of those sessions, checked,
// for startSession to clear; none when the file has no sessions table
// yet (a store from before it: the migration that adds it runs next).
func uncleanChecked(ctx context.Context, db *sql.DB, path string) ([]int64, error) {
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'sessions'`).Scan(&tables); err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	if tables == 0 {
		return nil, nil
	}
	lock, err := os.Open(path + lockSuffix)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		lock = nil
	case err != nil:
		return nil, fmt.Errorf("session lock: %w", err)
	default:
		defer lock.Close()
	}
	dead, err := deadSessions(ctx, db, lock, -1)
	if err != nil || len(dead) == 0 {
		return nil, err
	}
	if checkHook != nil {
		checkHook()
	}
	return dead, check(ctx, db)
}

// checkHook, when set (by tests), runs before uncleanChecked's check.
var checkHook func()

// checkUnclean is what a read-only open does instead of a session: it
// runs the full integrity check when a recorded session ended without
// Close, and returns how many did. It cannot clear them; the next
// read-write Open does.
func checkUnclean(ctx context.Context, db *sql.DB, path string) (int, error) {
	dead, err := uncleanChecked(ctx, db, path)
	return len(dead), err
}

// end deletes the session's row and releases its lock: the end of a
// clean Close. A failure to delete costs only a check at the next Open.
func (s *session) end(db *sql.DB) {
	_, _ = db.Exec(`DELETE FROM sessions WHERE id = ?`, s.id)
}

// querier is what the checks read through: a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// check runs PRAGMA quick_check, which reads every page of the file.
func check(ctx context.Context, q querier) error {
	return runCheck(ctx, q, "quick_check")
}

// runCheck runs PRAGMA pragma (quick_check or integrity_check) and
// returns an error wrapping ErrCorrupt listing the first problems found.
func runCheck(ctx context.Context, q querier, pragma string) error {
	rows, err := q.QueryContext(ctx, `PRAGMA `+pragma)
	if err != nil {
		return failf("integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			return failf("integrity check: %w", err)
		}
		if msg != "ok" {
			problems = append(problems, msg)
		}
	}
	if err := rows.Err(); err != nil {
		return failf("integrity check: %w", err)
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], fmt.Sprintf("and %d more", len(problems)-5))
		}
		return fmt.Errorf("integrity check failed, %w: %s", ErrCorrupt, strings.Join(problems, "; "))
	}
	return nil
}

// IntegrityCheck runs SQLite's full PRAGMA integrity_check, which reads
// every page and also checks that every index matches its table (what
// Open's quick_check after an unclean end leaves out). It takes time in
// proportion to the file. An error wraps ErrCorrupt when the file is
// damaged, naming the first problems.
func (d *DB) IntegrityCheck(ctx context.Context) error {
	if err := runCheck(ctx, d.db, "integrity_check"); err != nil {
		return fmt.Errorf("sqlite: %s: %w", d.path, err)
	}
	return nil
}

// UncleanSessions returns how many processes Open found to have ended
// without closing the database (killed, or the machine lost power), after
// which it ran the full integrity check, PRAGMA quick_check, and found
// the file sound. It is 0 when the previous process closed the store: then
// Open read only the header and the schema.
func (d *DB) UncleanSessions() int { return d.unclean }

// release closes the lock file, which drops the session's lock. A nil
// session has nothing to release.
func (s *session) release() {
	if s != nil {
		s.lock.Close()
	}
}
