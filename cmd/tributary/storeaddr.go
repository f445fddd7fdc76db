package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/postgres"
	"github.com/tributary/tributary/internal/store/schema"
	"github.com/tributary/tributary/internal/store/sqlite"
)

// storeAddr is a store named by the configuration or on the command line
// (`copy --from sqlite:PATH --to postgres:DSN`), for the commands that
// work on a store as a whole: migrate and copy.
type storeAddr struct {
	driver string // config.DriverSQLite or config.DriverPostgres
	// dsn is the file's path or PostgreSQL's DSN. Never printed: a DSN
	// may hold a password.
	dsn string
	// name is what output and errors show: "sqlite PATH", or "postgres"
	// with the server, database and search_path of the DSN.
	name string
}

// configStoreAddr returns the store cfg configures.
func configStoreAddr(cfg *config.Config) (storeAddr, error) {
	return newStoreAddr(cfg.Storage.Driver, cfg.Storage.DSN)
}

// parseStoreAddr reads a store given as sqlite:PATH or postgres:DSN (a
// postgres:// or postgresql:// URL alone is taken as postgres:URL). The
// errors never quote s, which may hold a password.
func parseStoreAddr(flagName, s string) (storeAddr, error) {
	driver, dsn, ok := strings.Cut(s, ":")
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		driver, dsn = config.DriverPostgres, s
	} else if !ok || (driver != config.DriverSQLite && driver != config.DriverPostgres) {
		return storeAddr{}, usagef("--%s: want sqlite:PATH or postgres:DSN", flagName)
	}
	if dsn == "" {
		return storeAddr{}, usagef("--%s: %s: needs a %s after the colon", flagName, driver, map[string]string{config.DriverSQLite: "file path", config.DriverPostgres: "DSN"}[driver])
	}
	a, err := newStoreAddr(driver, dsn)
	if err != nil {
		return storeAddr{}, usagef("--%s: %v", flagName, err)
	}
	return a, nil
}

func newStoreAddr(driver, dsn string) (storeAddr, error) {
	switch driver {
	case "", config.DriverSQLite:
		if dsn == ":memory:" {
			return storeAddr{}, errors.New("sqlite: :memory: is no file: name the database file")
		}
		return storeAddr{driver: config.DriverSQLite, dsn: dsn, name: "sqlite " + dsn}, nil
	case config.DriverPostgres:
		where, err := postgres.Describe(dsn)
		if err != nil {
			return storeAddr{}, err
		}
		return storeAddr{driver: config.DriverPostgres, dsn: dsn, name: "postgres " + where}, nil
	}
	return storeAddr{}, usagef("unknown storage driver %q", driver)
}

// same reports whether a and b are the same store: the same file, however
// named (a symbolic or hard link, a path not clean), or the same server,
// database and search_path.
func (a storeAddr) same(b storeAddr) bool {
	if a.driver != b.driver {
		return false
	}
	if a.driver == config.DriverSQLite {
		fa, erra := os.Stat(a.dsn)
		fb, errb := os.Stat(b.dsn)
		if erra == nil && errb == nil {
			return os.SameFile(fa, fb)
		}
		pa, erra := filepath.Abs(a.dsn)
		pb, errb := filepath.Abs(b.dsn)
		return erra == nil && errb == nil && pa == pb
	}
	return a.name == b.name
}

// status returns the status of the store's migrations without changing it.
func (a storeAddr) status(ctx context.Context) (schema.Statuses, error) {
	if a.driver == config.DriverSQLite {
		return sqlite.MigrationStatus(ctx, a.dsn)
	}
	return postgres.MigrationStatus(ctx, a.dsn)
}

// open opens the store for writing, applying its pending migrations as
// every start does (PostgreSQL: under the advisory lock).
func (a storeAddr) open(ctx context.Context) (store.Copier, error) {
	if a.driver == config.DriverSQLite {
		return sqlite.Open(ctx, a.dsn)
	}
	return postgres.Open(ctx, a.dsn)
}

// openReadOnly opens the store for reading. SQLite's file is opened
// read-only and must carry this program's schema; PostgreSQL has no
// read-only mode here, so its schema is checked first: current, or the
// open would migrate it.
func (a storeAddr) openReadOnly(ctx context.Context) (store.Copier, error) {
	if a.driver == config.DriverSQLite {
		return sqlite.OpenReadOnly(ctx, a.dsn)
	}
	ss, err := a.status(ctx)
	if err != nil {
		return nil, err
	}
	if err := currentSchema(ss); err != nil {
		return nil, fmt.Errorf("%s: %w", a.name, err)
	}
	return postgres.Open(ctx, a.dsn)
}

// errSchemaNotCurrent is wrapped by currentSchema's errors.
var errSchemaNotCurrent = errors.New("schema not current")

// currentSchema says why a store whose migrations are ss may not be read
// as it is: migrations of a newer Tributary applied, or some pending.
func currentSchema(ss schema.Statuses) error {
	if u := ss.Unknown(); len(u) > 0 {
		return fmt.Errorf("%w: its schema is at version %d (%s), newer than this Tributary knows (%d): upgrade Tributary",
			errSchemaNotCurrent, ss.Current(), u[len(u)-1].Name, ss.Latest())
	}
	if p := ss.Pending(); len(p) > 0 {
		if ss.Current() == 0 {
			return fmt.Errorf("%w: it holds no Tributary schema (a wrong path, DSN or search_path?)", errSchemaNotCurrent)
		}
		return fmt.Errorf("%w: its schema is at version %d of %d (%d pending): run `tributary migrate up` on it first, or start the daemon on it once",
			errSchemaNotCurrent, ss.Current(), ss.Latest(), len(p))
	}
	return nil
}
