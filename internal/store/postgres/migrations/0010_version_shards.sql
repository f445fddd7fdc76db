-- The change counter in 64 rows (shards) instead of one, summed on read.
-- A write locks and bumps the shards of the sources it touches (version.go),
-- so the refreshes of different sources no longer wait in turn for one row,
-- while two writes to the same source still take turns. The count so far
-- stays in row 1 and the new rows start at 0: the sum, the version readers
-- saw, does not move with the upgrade.
ALTER TABLE store_version DROP CONSTRAINT store_version_id_check;
ALTER TABLE store_version ADD CONSTRAINT store_version_shard CHECK (id >= 0 AND id < 64);
INSERT INTO store_version (id, counter) SELECT g, 0 FROM generate_series(0, 63) AS g WHERE g <> 1;
