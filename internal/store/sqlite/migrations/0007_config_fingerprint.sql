-- The fingerprints of the configuration a source was last fetched with
-- and of the settings its pages were last extracted with: a run that finds
-- them changed drops the validators and parses again. Empty for the states
-- found here, which take the next run's fingerprints without fetching
-- afresh, so upgrading does not refetch every source and page at once.
ALTER TABLE source_state ADD COLUMN config_fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE source_state ADD COLUMN pages_fingerprint TEXT NOT NULL DEFAULT '';
