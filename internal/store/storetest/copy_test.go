package storetest_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/postgres"
	"github.com/tributary/tributary/internal/store/postgres/pgtest"
	"github.com/tributary/tributary/internal/store/sqlite"
	"github.com/tributary/tributary/internal/store/storetest"
)

func openSQLite(t *testing.T) store.Copier {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "copy.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openPostgres(t *testing.T) store.Copier {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.Schema(t))
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestCopy copies between every pair of stores: the suite runs once per
// direction, SQLite to SQLite without a server.
func TestCopy(t *testing.T) {
	pairs := []struct {
		name     string
		from, to func(t *testing.T) store.Copier
	}{
		{"SQLiteToSQLite", openSQLite, openSQLite},
		{"SQLiteToPostgres", openSQLite, openPostgres},
		{"PostgresToSQLite", openPostgres, openSQLite},
		{"PostgresToPostgres", openPostgres, openPostgres},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			storetest.RunCopy(t, storetest.CopyOpener{From: p.from, To: p.to})
		})
	}
}
