package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/tributary/tributary/internal/store/schema"
)

// MigrationStatus returns the status of every migration of the database at
// path: those this program knows, applied or pending, and any applied by a
// newer Tributary. It reads the file without writing, creating or
// migrating it (Open migrates); a file that does not exist has every
// migration pending. Errors name the file.
func MigrationStatus(ctx context.Context, path string) (schema.Statuses, error) {
	migs, err := schema.Load(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migration status %s: %w", path, err)
	}
	if path == "" {
		return nil, errors.New("sqlite: migration status: empty path")
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return schema.Compare(migs, nil), nil
	}
	applied, err := readApplied(ctx, path, false)
	if err != nil && immutableSafe(err, path) {
		applied, err = readApplied(ctx, path, true)
	}
	if err != nil {
		return nil, failf("sqlite: migration status %s: %w", path, err)
	}
	return schema.Compare(migs, applied), nil
}

// readApplied reads the schema_migrations of the file at path on a
// read-only connection (as immutable when asked: see immutableSafe); none
// when the table does not exist.
func readApplied(ctx context.Context, path string, immutable bool) ([]schema.Applied, error) {
	dsn := fileURI(path) + fmt.Sprintf("?mode=ro&_busy_timeout=%d&_pragma=query_only(1)", busyTimeout.Milliseconds())
	if immutable {
		dsn += "&immutable=1"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema
		WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&tables); err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	if tables == 0 {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	defer rows.Close()
	var out []schema.Applied
	for rows.Next() {
		var (
			a  schema.Applied
			at sql.NullInt64
		)
		if err := rows.Scan(&a.Version, &a.Name, &at); err != nil {
			return nil, fmt.Errorf("read schema version: %w", err)
		}
		a.At = fromUnix(at)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	return out, nil
}
