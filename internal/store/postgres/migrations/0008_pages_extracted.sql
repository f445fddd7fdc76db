-- Articles whose page was extracted and whose last attempt did not fail,
-- by source: what SourceStats counts as pages extracted for the status
-- page, without reading every article's row. Partial, so it holds only
-- those; SourceStats repeats this WHERE word for word.
CREATE INDEX articles_pages_extracted ON articles (source)
	WHERE page->>'extracted_at' IS NOT NULL AND page->>'error' IS NULL;
