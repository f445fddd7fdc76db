-- An article's iTunes podcast details (duration, artwork, explicit flag),
-- NULL for the articles found here and for every article that is no
-- episode. A source's own feed as it describes itself (title, id, home
-- page, URL), for attributing its articles in the published feeds; NULL
-- until the source's next successful fetch.
ALTER TABLE articles ADD COLUMN podcast jsonb;
ALTER TABLE source_state ADD COLUMN source_feed jsonb;
