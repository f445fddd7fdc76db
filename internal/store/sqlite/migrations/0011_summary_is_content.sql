-- 1 when the article's summary is its content, stored once: the summary
-- column then holds '' and reading gives the content back as the summary.
-- Many feeds send the same HTML as description and content; storing it
-- twice doubled those articles. Rows stored before keep both copies until
-- they are next updated. Adding a column with a constant default rewrites
-- no row.
ALTER TABLE articles ADD COLUMN summary_is_content INTEGER NOT NULL DEFAULT 0;
