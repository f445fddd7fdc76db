package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/tributary/tributary/internal/store"
)

// versionShards is how many rows of store_version hold the change counter
// (migration 0010): Version is their sum.
const versionShards = 64

// shard returns the store_version row of source: FNV-1a of its cleaned
// name, modulo versionShards. Every process sharing the database must
// agree on it, so that two writes to one source lock the same row: it
// never changes.
func shard(source string) int32 {
	h := fnv.New32a()
	h.Write([]byte(source))
	return int32(h.Sum32() % versionShards)
}

// shardsOf returns the shards of sources (cleaned names), sorted and
// without repeats: the order every writer locks them in, so that two
// writers never wait for each other's rows in a cycle.
func shardsOf(sources ...string) []int32 {
	out := make([]int32, 0, len(sources))
	for _, s := range sources {
		out = append(out, shard(s))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// lockShardsSQL locks shards ($1, sorted) in their order, waiting for any
// writer that holds one: transaction-level advisory locks on the pair
// (hashtext of the schema the tables are in, shard), so that stores in
// other schemas of the database do not wait for each other. Unlike a row
// lock (SELECT ... FOR UPDATE on store_version) an advisory lock writes
// nothing: a transaction that then finds nothing to change commits
// without a WAL flush. unnest returns the shards in array order.
const lockShardsSQL = `SELECT pg_advisory_xact_lock(hashtext(current_schema()), s) FROM unnest($1::int4[]) AS s`

// bumpSQL moves the version once: shard $2 (one the transaction locked)
// counts the change, dated $1 or its previous change if later (see
// bumpTime).
const bumpSQL = `UPDATE store_version SET counter = counter + 1,
	changed_at = greatest($1, changed_at) WHERE id = $2`

// bumpTime is the time a change is dated with: the clock's second. Read
// under the shard locks, not before waiting for them, so that it is as
// close to the commit as it can be. ChangedAt never decreases whatever
// the clocks of the daemons say: Version reports the latest of the
// shards', and each shard's only moves forward (greatest in bumpSQL).
func bumpTime() time.Time { return time.Now().UTC().Truncate(time.Second) }

// Version returns the change counter of the stored articles: the sum of
// the shards' counters, read in one snapshot, so that it never goes
// backwards for a reader, and the latest of their change times.
func (d *DB) Version(ctx context.Context) (store.Version, error) {
	var (
		v       store.Version
		changed pgtype.Timestamptz
	)
	if err := d.pool.QueryRow(ctx, `SELECT coalesce(sum(counter), 0)::bigint, max(changed_at) FROM store_version`).Scan(&v.Counter, &changed); err != nil {
		return store.Version{}, fmt.Errorf("postgres: version: %w", err)
	}
	v.ChangedAt = fromTS(changed)
	return v, nil
}
