-- When each source is next due and which daemon holds it (Leaser): the
-- daemons sharing the database claim due sources from this table, so each
-- source is fetched once per due time. holder and lease_until are set
-- while a daemon runs the source; a lease that expired (its holder died)
-- may be claimed by another daemon.
CREATE TABLE source_leases (
	source      text        PRIMARY KEY,
	next_due    timestamptz NOT NULL,
	holder      text,
	lease_until timestamptz
);
CREATE INDEX source_leases_due ON source_leases (next_due);
