-- Articles whose page was extracted and whose last attempt did not fail,
-- by source: what SourceStats counts as pages extracted for the status
-- page, without reading every article's row (50 s at 10,000 sources of
-- 1,000 articles before). Partial, so it holds only those; SourceStats
-- repeats this WHERE word for word, which is how SQLite matches a query
-- to a partial index. The two expressions are columns too, so that SQLite
-- checks the WHERE from the index alone (a covering index) instead of
-- reading each row's page.
CREATE INDEX articles_pages_extracted ON articles (source,
	json_extract(page, '$.extracted_at'), json_extract(page, '$.error'))
	WHERE json_extract(page, '$.extracted_at') IS NOT NULL AND json_extract(page, '$.error') IS NULL;
