package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tributary/tributary/internal/store/schema"
)

// MigrationStatus returns the status of every migration of the database at
// dsn: those this program knows, applied or pending, and any applied by a
// newer Tributary. It reads the first schema of the search_path, where
// Open puts the tables, and changes nothing (Open migrates); a schema
// without Tributary's tables has every migration pending. Errors never
// show the DSN (see Open).
func MigrationStatus(ctx context.Context, dsn string) (schema.Statuses, error) {
	migs, err := schema.Load(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: migration status: %w", err)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: migration status: %w", dsnError(dsn, err))
	}
	where := describe(cfg)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: migration status %s: connect: %w", where, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// current_schema() is the first schema of the search_path that
	// exists, where migrate creates the tables; NULL when none does.
	var table *string
	if err := conn.QueryRow(ctx, `SELECT to_regclass(quote_ident(current_schema()) || '.schema_migrations')::text`).Scan(&table); err != nil {
		return nil, fmt.Errorf("postgres: migration status %s: %w", where, err)
	}
	if table == nil {
		return schema.Compare(migs, nil), nil
	}
	rows, err := conn.Query(ctx, `SELECT version, name, applied_at FROM `+*table+` ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("postgres: migration status %s: %w", where, err)
	}
	applied, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (schema.Applied, error) {
		var a schema.Applied
		err := r.Scan(&a.Version, &a.Name, &a.At)
		a.At = a.At.UTC()
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: migration status %s: %w", where, err)
	}
	return schema.Compare(migs, applied), nil
}

// Describe returns where dsn points, for people to read: the server,
// database and, when the DSN sets one, search_path. Never the password,
// nor the DSN itself: a DSN that does not parse gives an error wrapping
// ErrInvalidDSN that quotes neither.
func Describe(dsn string) (string, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "", fmt.Errorf("postgres: %w", dsnError(dsn, err))
	}
	return describe(cfg), nil
}

func describe(cfg *pgx.ConnConfig) string {
	s := fmt.Sprintf("host=%s port=%d database=%s", cfg.Host, cfg.Port, cfg.Database)
	if sp := cfg.RuntimeParams["search_path"]; sp != "" {
		s += " search_path=" + sp
	}
	return s
}
