-- The feed found on a configured HTML page, fetched directly afterwards.
ALTER TABLE source_state ADD COLUMN feed_url text NOT NULL DEFAULT '';
ALTER TABLE source_state ADD COLUMN discovered_from text NOT NULL DEFAULT '';
