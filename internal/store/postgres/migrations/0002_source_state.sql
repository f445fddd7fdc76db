-- What Tributary remembers about each source between fetches.
CREATE TABLE source_state (
	name          text COLLATE "C" PRIMARY KEY,
	etag          text    NOT NULL DEFAULT '',
	last_modified text    NOT NULL DEFAULT '',
	last_attempt  timestamptz,
	last_success  timestamptz,
	last_status   text    NOT NULL DEFAULT '',
	last_error    text    NOT NULL DEFAULT '',
	failures      integer NOT NULL DEFAULT 0,
	next_attempt  timestamptz,
	-- JSON array of strings, NULL when empty.
	boilerplate   jsonb
);
