-- The processes that have the file open for writing, one row each from
-- Open to Close (see session.go). A row whose process no longer holds its
-- byte of the <db>-lock file is a process that ended without Close: the
-- next Open runs the full PRAGMA quick_check once, then deletes the row.
-- An existing store gets a row for id 0, whose process is long gone: the
-- Tributary before this migration may itself have ended uncleanly, so the
-- first open after upgrading checks the whole file once. A new store has
-- no articles and no state, and gets none.
CREATE TABLE sessions (
	id         INTEGER PRIMARY KEY,
	pid        INTEGER NOT NULL,
	started_at INTEGER NOT NULL
);
INSERT INTO sessions (id, pid, started_at)
	SELECT 0, 0, 0 WHERE EXISTS (SELECT 1 FROM articles) OR EXISTS (SELECT 1 FROM source_state);
