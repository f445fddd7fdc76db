-- The URL the stored HTTP validators belong to.
ALTER TABLE source_state ADD COLUMN validators_url TEXT NOT NULL DEFAULT '';
