-- Whether the source's latest parsed document lists the article (set by
-- MarkListed): cleanup never deletes a listed article, which would come
-- back as new on the next fetch. Articles stored before this migration
-- count as listed until their source's next parsed document, so upgrading
-- deletes nothing a feed still lists; the inserts of UpsertArticles write
-- 0. Adding a column with a constant default rewrites no row.
ALTER TABLE articles ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;

-- The last cleanup run (LastRetention), for every process sharing the file.
CREATE TABLE retention_runs (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	ran_at      INTEGER NOT NULL,
	duration_ms INTEGER NOT NULL,
	deleted     INTEGER NOT NULL,
	orphans     INTEGER NOT NULL
);
