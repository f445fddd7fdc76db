-- Articles whose page extraction failed, by source and the time they are
-- due again (RetryAt, else AttemptedAt, in the page JSON): what PagesDue
-- reads on every run of a full-text source. Partial, so it holds only the
-- failed ones; PagesDue repeats these expressions word for word.
CREATE INDEX articles_pages_due ON articles (source,
	(coalesce((page->>'retry_at')::bigint, (page->>'attempted_at')::bigint, 0)), id)
	WHERE page->>'error' IS NOT NULL;
