-- Articles' HTML (content, summary) compressed with lz4 instead of the
-- default pglz where the server has it (PostgreSQL 14 and later built with
-- lz4, as Debian's and the official images are): storing an article of
-- about 2 KB, which PostgreSQL compresses to fit its row in a page, takes
-- a fraction of pglz's time. It applies to values written from now on;
-- the ones stored keep pglz until rewritten. On a server without lz4
-- nothing changes (see docs/operations.md to switch later).
DO $$
BEGIN
	IF current_setting('server_version_num')::int >= 140000 THEN
		EXECUTE 'ALTER TABLE articles ALTER COLUMN content SET COMPRESSION lz4, ALTER COLUMN summary SET COMPRESSION lz4';
	END IF;
EXCEPTION WHEN feature_not_supported THEN
	RAISE NOTICE 'lz4 compression is not available on this server: articles stay compressed with pglz';
END
$$;
