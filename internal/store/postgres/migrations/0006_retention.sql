-- Whether the source's latest parsed document lists the article (set by
-- MarkListed): cleanup never deletes a listed article, which would come
-- back as new on the next fetch. Articles stored before this migration
-- count as listed until their source's next parsed document, so upgrading
-- deletes nothing a feed still lists; articles inserted afterwards start
-- unlisted. A constant default rewrites no row (PostgreSQL 11 and later).
ALTER TABLE articles ADD COLUMN listed boolean NOT NULL DEFAULT true;
ALTER TABLE articles ALTER COLUMN listed SET DEFAULT false;

-- The last cleanup run (LastRetention), for every daemon sharing the database.
CREATE TABLE retention_runs (
	id          integer     PRIMARY KEY CHECK (id = 1),
	ran_at      timestamptz NOT NULL,
	duration_ms bigint      NOT NULL,
	deleted     bigint      NOT NULL,
	orphans     integer     NOT NULL
);
