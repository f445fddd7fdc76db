package sqlite

import (
	"errors"
	"fmt"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrCorrupt is wrapped by every error that says the database file is
// damaged: a failed integrity check, or SQLite answering SQLITE_CORRUPT or
// SQLITE_NOTADB to any statement.
var ErrCorrupt = errors.New("the database is corrupt (restore a backup; `tributary check --store` lists the damage)")

// corruptError is an error of SQLite's that says the file is damaged,
// reported as corruption whatever the operation was.
type corruptError struct{ err error }

func (e *corruptError) Error() string   { return e.err.Error() + ": " + ErrCorrupt.Error() }
func (e *corruptError) Unwrap() []error { return []error{e.err, ErrCorrupt} }

// isCorrupt reports whether err comes from SQLite finding the file
// damaged or not a database at all.
func isCorrupt(err error) bool {
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff { // the primary code of an extended one
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// failf is fmt.Errorf for the errors DB returns: one caused by a damaged
// file also wraps ErrCorrupt and says so.
func failf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if isCorrupt(err) && !errors.Is(err, ErrCorrupt) {
		return &corruptError{err}
	}
	return err
}
