package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/record"
)

// MarkListed marks the stored articles of source among ids as listed and
// every other article of source as not, writing only the rows that change.
func (d *DB) MarkListed(ctx context.Context, source string, ids []string) error {
	list, err := cleanJSON(ids)
	if err != nil {
		return failf("sqlite: mark listed %s: %w", source, err)
	}
	if d.readOnly {
		return failf("sqlite: mark listed %s: %w", source, errReadOnly)
	}
	// A re-fetch of an unchanged feed lists what it listed: reading first
	// spares the write lock.
	var changes bool
	if err := d.stmts[stmtListedChanges].QueryRowContext(ctx, record.Clean(source), list).Scan(&changes); err != nil {
		return failf("sqlite: mark listed %s: %w", source, err)
	}
	if !changes {
		return nil
	}
	err = d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.StmtContext(ctx, d.stmts[stmtMarkListed]).ExecContext(ctx, record.Clean(source), list)
		return err
	})
	if err != nil {
		return failf("sqlite: mark listed %s: %w", source, err)
	}
	return nil
}

// markListedSQL sets listed from a JSON array of ids (?2) for the
// articles of one source (?1), writing only the rows that change.
const markListedSQL = `UPDATE articles SET listed = (id IN (SELECT value FROM json_each(?2)))
	WHERE source = ?1 AND listed != (id IN (SELECT value FROM json_each(?2)))`

// listedChangesSQL reports whether markListedSQL would change a row.
const listedChangesSQL = `SELECT EXISTS (SELECT 1 FROM articles
	WHERE source = ?1 AND listed != (id IN (SELECT value FROM json_each(?2))))`

// cleanJSON returns names cleaned as the stores write them, as a JSON array.
func cleanJSON(names []string) (string, error) {
	clean := make([]string, len(names))
	for i, n := range names {
		clean[i] = record.Clean(n)
	}
	b, err := json.Marshal(clean)
	return string(b), err
}

// Expire deletes the articles of r.Source older than r.MaxAge, then those
// beyond its newest r.MaxItems, listed ones excepted, store.DeleteBatch
// per transaction.
func (d *DB) Expire(ctx context.Context, r store.Retention, now time.Time) (store.Expired, error) {
	src := record.Clean(r.Source)
	out, err := store.ExpireBy(r, now, func(cutoff time.Time) (int, error) {
		// sort_time is coalesce(published, fetched_at): the article's date.
		return d.deleteBatches(ctx, `DELETE FROM articles WHERE rowid IN (SELECT rowid FROM articles
			WHERE source = ? AND sort_time < ? AND listed = 0 LIMIT ?)`, src, cutoff.Unix(), store.DeleteBatch)
	}, func(n int) (int, error) {
		// The source's articles in the order of Articles, skipping the
		// newest n; -1 is SQLite's "no limit".
		return d.deleteBatches(ctx, `DELETE FROM articles WHERE rowid IN (SELECT rowid FROM (
			SELECT rowid, listed FROM articles WHERE source = ? ORDER BY sort_time DESC, id LIMIT -1 OFFSET ?)
			WHERE listed = 0 LIMIT ?)`, src, n, store.DeleteBatch)
	})
	if err != nil {
		return out, failf("sqlite: expire %s: %w", r.Source, err)
	}
	return out, nil
}

// deleteBatches runs the DELETE query, which deletes at most
// store.DeleteBatch rows, in transactions of its own until it deletes
// fewer; each transaction that deletes moves the version.
func (d *DB) deleteBatches(ctx context.Context, query string, args ...any) (int, error) {
	return store.DeleteInBatches(func() (int, error) {
		var n int64
		err := d.write(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, query, args...)
			if err != nil {
				return err
			}
			if n, err = res.RowsAffected(); err != nil || n == 0 {
				return err
			}
			return bumpVersion(ctx, tx)
		})
		return int(n), err
	})
}

// bumpVersion moves the version in tx, never to an earlier time than the
// previous change (see store.Version).
func bumpVersion(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `UPDATE store_version SET counter = counter + 1,
		changed_at = max(coalesce(changed_at, 0), ?) WHERE id = 1`, time.Now().Unix())
	return err
}

// Orphans returns the sources with stored articles or state that known
// does not name.
func (d *DB) Orphans(ctx context.Context, known []string) ([]store.Orphan, error) {
	list, err := cleanJSON(known)
	if err != nil {
		return nil, failf("sqlite: orphans: %w", err)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT s.name,
			coalesce((SELECT last_attempt FROM source_state WHERE name = s.name),
				(SELECT max(fetched_at) FROM articles WHERE source = s.name)),
			(SELECT count(*) FROM articles WHERE source = s.name)
		FROM (SELECT DISTINCT source AS name FROM articles UNION SELECT name FROM source_state) AS s
		WHERE s.name NOT IN (SELECT value FROM json_each(?)) ORDER BY s.name`, list)
	if err != nil {
		return nil, failf("sqlite: orphans: %w", err)
	}
	defer rows.Close()
	var out []store.Orphan
	for rows.Next() {
		var (
			o    store.Orphan
			seen sql.NullInt64
		)
		if err := rows.Scan(&o.Name, &seen, &o.Articles); err != nil {
			return nil, failf("sqlite: orphans: %w", err)
		}
		o.LastSeen = fromUnix(seen)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, failf("sqlite: orphans: %w", err)
	}
	return out, nil
}

// DeleteSource deletes the articles of source in batches, then its state.
func (d *DB) DeleteSource(ctx context.Context, source string) (int, error) {
	src := record.Clean(source)
	n, err := d.deleteBatches(ctx, `DELETE FROM articles WHERE rowid IN (SELECT rowid FROM articles WHERE source = ? LIMIT ?)`,
		src, store.DeleteBatch)
	if err == nil {
		err = d.write(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM source_state WHERE name = ?`, src)
			return err
		})
	}
	if err != nil {
		return n, failf("sqlite: delete source %s: %w", source, err)
	}
	return n, nil
}

// CountArticles returns how many articles of source are stored.
func (d *DB) CountArticles(ctx context.Context, source string) (int, error) {
	var n int
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE source = ?`, record.Clean(source)).Scan(&n); err != nil {
		return 0, failf("sqlite: count articles %s: %w", source, err)
	}
	return n, nil
}

// vacuumPages is how many free pages one step of Reclaim returns to the
// operating system (4 MiB with 4 KiB pages), in a write transaction of its
// own so that writers never wait long.
const vacuumPages = 1024

// Reclaim returns the file's free pages to the operating system with
// incremental vacuum steps. A file created before auto_vacuum=INCREMENTAL
// was set (Tributary before migration 0006) keeps its free pages for new
// articles instead: converting it takes a one-time VACUUM, which rewrites
// the whole file under an exclusive lock (see docs/operations.md).
func (d *DB) Reclaim(ctx context.Context) error {
	var mode int
	if err := d.db.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return failf("sqlite: reclaim: %w", err)
	}
	if mode != 2 { // INCREMENTAL
		return nil
	}
	for {
		var free int
		if err := d.db.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil {
			return failf("sqlite: reclaim: %w", err)
		}
		if free == 0 {
			return nil
		}
		err := d.write(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, fmt.Sprintf(`PRAGMA incremental_vacuum(%d)`, vacuumPages))
			if err != nil {
				return err
			}
			for rows.Next() {
			}
			return errors.Join(rows.Err(), rows.Close())
		})
		if err != nil {
			return failf("sqlite: reclaim: %w", err)
		}
	}
}

// Size returns the bytes of the database file and its write-ahead log.
func (d *DB) Size(ctx context.Context) (int64, error) {
	var total int64
	for _, p := range []string{d.path, d.path + "-wal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) && p != d.path {
			continue
		}
		if err != nil {
			return 0, failf("sqlite: size: %w", err)
		}
		total += fi.Size()
	}
	return total, nil
}

// SaveRetention records rr as the last cleanup run.
func (d *DB) SaveRetention(ctx context.Context, rr store.RetentionRun) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO retention_runs (id, ran_at, duration_ms, deleted, orphans)
			VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET ran_at = excluded.ran_at,
				duration_ms = excluded.duration_ms, deleted = excluded.deleted, orphans = excluded.orphans`,
			rr.At.Unix(), rr.Duration.Milliseconds(), rr.Deleted, rr.Orphans)
		return err
	})
	if err != nil {
		return failf("sqlite: save retention run: %w", err)
	}
	return nil
}

// LastRetention returns the last cleanup run, or a zero one.
func (d *DB) LastRetention(ctx context.Context) (store.RetentionRun, error) {
	var (
		rr     store.RetentionRun
		at, ms int64
	)
	err := d.db.QueryRowContext(ctx, `SELECT ran_at, duration_ms, deleted, orphans FROM retention_runs WHERE id = 1`).
		Scan(&at, &ms, &rr.Deleted, &rr.Orphans)
	if errors.Is(err, sql.ErrNoRows) {
		return store.RetentionRun{}, nil
	}
	if err != nil {
		return store.RetentionRun{}, failf("sqlite: last retention run: %w", err)
	}
	rr.At, rr.Duration = time.Unix(at, 0).UTC(), time.Duration(ms)*time.Millisecond
	return rr, nil
}
