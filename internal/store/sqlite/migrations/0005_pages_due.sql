-- Articles whose page extraction failed, by source and the time they are
-- due again (RetryAt, else AttemptedAt, in the page JSON): what PagesDue
-- reads on every run of a full-text source. Partial, so it holds only the
-- failed ones; PagesDue repeats these expressions word for word, which is
-- how SQLite matches a query to an index on expressions.
CREATE INDEX articles_pages_due ON articles (source,
	coalesce(json_extract(page, '$.retry_at'), json_extract(page, '$.attempted_at'), 0), id)
	WHERE json_extract(page, '$.error') IS NOT NULL;
