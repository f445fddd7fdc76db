-- Articles, keyed by (source, id). Lists and optional records are jsonb (see
-- codec.go). content_hash (SHA-256 of the content, FetchedAt and page state
-- excluded) decides whether an upsert is an update. Keys compare bytewise
-- (COLLATE "C") so ties order exactly as in the SQLite store, whatever the
-- database's locale.
CREATE TABLE articles (
	source       text COLLATE "C" NOT NULL,
	id           text COLLATE "C" NOT NULL,
	published    timestamptz,
	updated      timestamptz,
	fetched_at   timestamptz NOT NULL,
	-- Listing order: newest first by published date, else first fetch.
	sort_time    timestamptz GENERATED ALWAYS AS (coalesce(published, fetched_at)) STORED,
	content_hash bytea       NOT NULL,
	origin       text        NOT NULL DEFAULT '',
	title        text        NOT NULL DEFAULT '',
	link         text        NOT NULL DEFAULT '',
	authors      jsonb,
	image        jsonb,
	enclosures   jsonb,
	categories   jsonb,
	page         jsonb,
	summary      text        NOT NULL DEFAULT '',
	content      text        NOT NULL DEFAULT '',
	PRIMARY KEY (source, id)
);

-- All articles newest first, and one source's newest first, in the exact
-- order Articles returns them (ties by source, then id).
CREATE INDEX articles_sort ON articles (sort_time DESC, source, id);
CREATE INDEX articles_source_sort ON articles (source, sort_time DESC, id);

-- The change counter renderers cache on; bumped in the transaction that
-- changes articles, and locked by every upsert to serialize writers.
CREATE TABLE store_version (
	id         integer PRIMARY KEY CHECK (id = 1),
	counter    bigint  NOT NULL,
	changed_at timestamptz
);
INSERT INTO store_version (id, counter) VALUES (1, 0);
