-- Articles, keyed by (source, id). Times are Unix seconds in UTC, NULL when
-- the source did not give one. Lists and optional records are JSON (see
-- codec.go). content_hash (SHA-256 of the content, FetchedAt and page state
-- excluded) decides whether an upsert is an update.
CREATE TABLE articles (
	-- Small columns first: SQLite reads a row front to back, so anything
	-- placed after the content would cost a walk of its overflow pages.
	source       TEXT    NOT NULL,
	id           TEXT    NOT NULL,
	published    INTEGER,
	updated      INTEGER,
	fetched_at   INTEGER NOT NULL,
	-- Listing order: coalesce(published, fetched_at), kept by the writes.
	-- A plain column, not a generated one, because SQLite never treats an
	-- index on a generated column as covering, and the listing queries
	-- should not touch the table to pick their rows.
	sort_time    INTEGER NOT NULL,
	content_hash BLOB    NOT NULL,
	origin       TEXT    NOT NULL DEFAULT '',
	title        TEXT    NOT NULL DEFAULT '',
	link         TEXT    NOT NULL DEFAULT '',
	authors      TEXT,
	image        TEXT,
	enclosures   TEXT,
	categories   TEXT,
	page         TEXT,
	summary      TEXT    NOT NULL DEFAULT '',
	content      TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (source, id)
);

-- All articles newest first, and one source's newest first, in the exact
-- order Articles returns them (ties by source, then id).
CREATE INDEX articles_sort ON articles (sort_time DESC, source, id);
CREATE INDEX articles_source_sort ON articles (source, sort_time DESC, id);

-- The change counter renderers cache on; bumped in the transaction that
-- changes articles so every process sharing the file sees it move.
CREATE TABLE store_version (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	counter    INTEGER NOT NULL,
	changed_at INTEGER
);
INSERT INTO store_version (id, counter) VALUES (1, 0);
