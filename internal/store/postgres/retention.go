package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/record"
)

// cleanAll returns names cleaned as the stores write them.
func cleanAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = record.Clean(n)
	}
	return out
}

// MarkListed marks the stored articles of source among ids as listed and
// every other article of source as not, writing only the rows that change.
// It takes the source's version shard as upserts do (without moving the
// version), so that it never deadlocks with another daemon's upsert of
// the same source, in one round trip.
func (d *DB) MarkListed(ctx context.Context, source string, ids []string) error {
	src := record.Clean(source)
	shards, cleaned := shardsOf(src), cleanAll(ids)
	err := retry(ctx, func() error {
		return pipelineTx(ctx, d.pool, func(b *pgx.Batch) {
			b.Queue(lockShardsSQL, shards)
			b.Queue(`UPDATE articles SET listed = (id = ANY($2))
				WHERE source = $1 AND listed IS DISTINCT FROM (id = ANY($2))`, src, cleaned)
		}, nil)
	})
	if err != nil {
		return fmt.Errorf("postgres: mark listed %s: %w", source, err)
	}
	return nil
}

// Expire deletes the articles of r.Source older than r.MaxAge, then those
// beyond its newest r.MaxItems, listed ones excepted, store.DeleteBatch
// per transaction.
func (d *DB) Expire(ctx context.Context, r store.Retention, now time.Time) (store.Expired, error) {
	src := record.Clean(r.Source)
	out, err := store.ExpireBy(r, now, func(cutoff time.Time) (int, error) {
		return d.deleteBatches(ctx, src, `DELETE FROM articles WHERE (source, id) IN (SELECT source, id FROM articles
			WHERE source = $1 AND sort_time < $2 AND NOT listed LIMIT $3)`, src, cutoff.UTC(), store.DeleteBatch)
	}, func(n int) (int, error) {
		return d.deleteBatches(ctx, src, `DELETE FROM articles WHERE (source, id) IN (SELECT source, id FROM (
			SELECT source, id, listed FROM articles WHERE source = $1 ORDER BY sort_time DESC, id OFFSET $2) AS ranked
			WHERE NOT listed LIMIT $3)`, src, n, store.DeleteBatch)
	})
	if err != nil {
		return out, fmt.Errorf("postgres: expire %s: %w", r.Source, err)
	}
	return out, nil
}

// deleteBatches runs the DELETE query, which deletes at most
// store.DeleteBatch rows of source, in transactions of its own until it
// deletes fewer. Each locks the source's version shard first, as upserts
// do (see the package comment), and moves the version when it deletes.
func (d *DB) deleteBatches(ctx context.Context, source, query string, args ...any) (int, error) {
	shards := shardsOf(source)
	return store.DeleteInBatches(func() (int, error) {
		var n int64
		err := retry(ctx, func() error {
			n = 0
			return pipelineTx(ctx, d.pool, func(b *pgx.Batch) {
				b.Queue(lockShardsSQL, shards)
				b.Queue(query, args...).Exec(func(ct pgconn.CommandTag) error {
					n = ct.RowsAffected()
					return nil
				})
			}, func() (*pgx.Batch, error) {
				var b pgx.Batch
				if n > 0 {
					b.Queue(bumpSQL, bumpTime(), shards[0])
				}
				return &b, nil
			})
		})
		return int(n), err
	})
}

// Orphans returns the sources with stored articles or state that known
// does not name.
func (d *DB) Orphans(ctx context.Context, known []string) ([]store.Orphan, error) {
	rows, err := d.pool.Query(ctx, `SELECT s.name,
			coalesce((SELECT last_attempt FROM source_state WHERE name = s.name),
				(SELECT max(fetched_at) FROM articles WHERE source = s.name)),
			(SELECT count(*) FROM articles WHERE source = s.name)
		FROM (SELECT DISTINCT source AS name FROM articles UNION SELECT name FROM source_state) AS s
		WHERE NOT (s.name = ANY($1)) ORDER BY s.name`, cleanAll(known))
	if err != nil {
		return nil, fmt.Errorf("postgres: orphans: %w", err)
	}
	var (
		o    store.Orphan
		seen pgtype.Timestamptz
		out  []store.Orphan
	)
	_, err = pgx.ForEachRow(rows, []any{&o.Name, &seen, &o.Articles}, func() error {
		o.LastSeen = fromTS(seen)
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: orphans: %w", err)
	}
	return out, nil
}

// DeleteSource deletes the articles of source in batches, then its state.
func (d *DB) DeleteSource(ctx context.Context, source string) (int, error) {
	src := record.Clean(source)
	n, err := d.deleteBatches(ctx, src, `DELETE FROM articles WHERE (source, id) IN (SELECT source, id FROM articles
		WHERE source = $1 LIMIT $2)`, src, store.DeleteBatch)
	if err == nil {
		_, err = d.pool.Exec(ctx, `DELETE FROM source_state WHERE name = $1`, src)
	}
	if err != nil {
		return n, fmt.Errorf("postgres: delete source %s: %w", source, err)
	}
	return n, nil
}

// CountArticles returns how many articles of source are stored.
func (d *DB) CountArticles(ctx context.Context, source string) (int, error) {
	var n int
	if err := d.pool.QueryRow(ctx, `SELECT count(*) FROM articles WHERE source = $1`, record.Clean(source)).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count articles %s: %w", source, err)
	}
	return n, nil
}

// Reclaim does nothing: autovacuum makes the space of deleted rows
// reusable, and returning it to the operating system takes VACUUM FULL,
// which locks the table (see docs/operations.md).
func (d *DB) Reclaim(ctx context.Context) error { return nil }

// Size returns pg_database_size of the current database.
func (d *DB) Size(ctx context.Context) (int64, error) {
	var n int64
	if err := d.pool.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: size: %w", err)
	}
	return n, nil
}

// SaveRetention records rr as the last cleanup run.
func (d *DB) SaveRetention(ctx context.Context, rr store.RetentionRun) error {
	_, err := d.pool.Exec(ctx, `INSERT INTO retention_runs (id, ran_at, duration_ms, deleted, orphans)
		VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET ran_at = excluded.ran_at,
			duration_ms = excluded.duration_ms, deleted = excluded.deleted, orphans = excluded.orphans`,
		rr.At.UTC().Truncate(time.Second), rr.Duration.Milliseconds(), rr.Deleted, rr.Orphans)
	if err != nil {
		return fmt.Errorf("postgres: save retention run: %w", err)
	}
	return nil
}

// LastRetention returns the last cleanup run, or a zero one.
func (d *DB) LastRetention(ctx context.Context) (store.RetentionRun, error) {
	var (
		rr store.RetentionRun
		at pgtype.Timestamptz
		ms int64
	)
	err := d.pool.QueryRow(ctx, `SELECT ran_at, duration_ms, deleted, orphans FROM retention_runs WHERE id = 1`).
		Scan(&at, &ms, &rr.Deleted, &rr.Orphans)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.RetentionRun{}, nil
	}
	if err != nil {
		return store.RetentionRun{}, fmt.Errorf("postgres: last retention run: %w", err)
	}
	rr.At, rr.Duration = fromTS(at), time.Duration(ms)*time.Millisecond
	return rr, nil
}
