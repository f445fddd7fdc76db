-- What Tributary remembers about each source between fetches.
CREATE TABLE source_state (
	name          TEXT    PRIMARY KEY,
	etag          TEXT    NOT NULL DEFAULT '',
	last_modified TEXT    NOT NULL DEFAULT '',
	last_attempt  INTEGER,
	last_success  INTEGER,
	last_status   TEXT    NOT NULL DEFAULT '',
	last_error    TEXT    NOT NULL DEFAULT '',
	failures      INTEGER NOT NULL DEFAULT 0,
	next_attempt  INTEGER,
	-- JSON array of strings, NULL when empty.
	boilerplate   TEXT
);
