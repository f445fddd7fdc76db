// Package pgtest gives tests outside store/postgres what its own tests
// use: the test server ($TRIBUTARY_TEST_POSTGRES, default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable) and a schema of
// their own on it, dropped when the test ends, reached through a DSN whose
// search_path names it. A test without a server skips, except under
// CI=true, where it fails.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultDSN is the test server when $TRIBUTARY_TEST_POSTGRES is unset.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// DSN returns the test server's DSN.
func DSN() string {
	if dsn := os.Getenv("TRIBUTARY_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return DefaultDSN
}

// RequireServer connects to the test server and closes the connection
// when tb ends; without a server it skips tb (fails it under CI=true).
func RequireServer(tb testing.TB) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, DSN())
	if err != nil {
		msg := "postgres: no test server (set TRIBUTARY_TEST_POSTGRES to a DSN, default " + DefaultDSN + "): " + err.Error()
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Schema creates a schema of its own for tb, dropped when tb ends, and
// returns a DSN of the test server whose search_path names it.
func Schema(tb testing.TB) string {
	tb.Helper()
	conn := RequireServer(tb)
	b := make([]byte, 8)
	rand.Read(b)
	schema := "tributary_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(context.Background(), `CREATE SCHEMA `+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return WithSearchPath(tb, DSN(), schema)
}

// WithSearchPath adds search_path=schema to dsn, a URL or key=value DSN.
func WithSearchPath(tb testing.TB, dsn, schema string) string {
	tb.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			tb.Fatalf("parse TRIBUTARY_TEST_POSTGRES: %v", err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}
