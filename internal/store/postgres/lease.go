package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/tributary/tributary/internal/store"
)

var _ store.Leaser = (*DB)(nil)

// ScheduleSources inserts the sources not yet in source_leases, due now,
// and brings forward to their cap those due after it, in one statement.
// Every time is the database's now(): the caps are intervals from it.
func (d *DB) ScheduleSources(ctx context.Context, due []store.SourceDue) error {
	if len(due) == 0 {
		return nil
	}
	names := make([]string, len(due))
	within := make([]int64, len(due))
	for i, s := range due {
		names[i], within[i] = s.Source, s.Within.Microseconds()
	}
	_, err := d.pool.Exec(ctx, `WITH s AS (SELECT source, now() + ms * interval '1 microsecond' AS cap
			FROM unnest($1::text[], $2::bigint[]) AS s(source, ms))
		INSERT INTO source_leases AS l (source, next_due) SELECT source, now() FROM s
		ON CONFLICT (source) DO UPDATE SET next_due = (SELECT cap FROM s WHERE s.source = excluded.source)
		WHERE l.next_due > (SELECT cap FROM s WHERE s.source = excluded.source)`, names, within)
	if err != nil {
		return fmt.Errorf("postgres: schedule sources: %w", err)
	}
	return nil
}

// ClaimDue claims in one statement: the rows it picks are locked FOR
// UPDATE SKIP LOCKED, so concurrent claims (other daemons) pass over them
// instead of waiting, and each due source goes to one holder.
func (d *DB) ClaimDue(ctx context.Context, holder string, sources []string, limit int, lease time.Duration) ([]string, error) {
	if limit < 1 || len(sources) == 0 {
		return nil, nil
	}
	rows, err := d.pool.Query(ctx, `UPDATE source_leases SET holder = $2, lease_until = now() + $4::bigint * interval '1 millisecond'
		WHERE source IN (SELECT source FROM source_leases
			WHERE source = ANY($1::text[]) AND next_due <= now() AND (lease_until IS NULL OR lease_until < now())
			ORDER BY next_due, source LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING source`, sources, holder, limit, lease.Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("postgres: claim due sources: %w", err)
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: claim due sources: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: claim due sources: %w", err)
	}
	return out, nil
}

// RenewLease extends holder's lease of source.
func (d *DB) RenewLease(ctx context.Context, holder, source string, lease time.Duration) error {
	tag, err := d.pool.Exec(ctx, `UPDATE source_leases SET lease_until = now() + $3::bigint * interval '1 millisecond'
		WHERE source = $1 AND holder = $2`, source, holder, lease.Milliseconds())
	if err != nil {
		return fmt.Errorf("postgres: renew lease of %s: %w", source, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: renew lease of %s: %w", source, store.ErrNotFound)
	}
	return nil
}

// ReleaseLease ends holder's lease of source, due next after that long
// from the database's now().
func (d *DB) ReleaseLease(ctx context.Context, holder, source string, after time.Duration) error {
	tag, err := d.pool.Exec(ctx, `UPDATE source_leases SET next_due = now() + $3::bigint * interval '1 microsecond', holder = NULL, lease_until = NULL
		WHERE source = $1 AND holder = $2`, source, holder, after.Microseconds())
	if err != nil {
		return fmt.Errorf("postgres: release lease of %s: %w", source, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: release lease of %s: %w", source, store.ErrNotFound)
	}
	return nil
}
