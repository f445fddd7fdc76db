package server

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/publish"
	"github.com/tributary/tributary/internal/store/postgres"
)

// pgTestDSN is the server internal/store/postgres tests use too.
func pgTestDSN() string {
	if dsn := os.Getenv("TRIBUTARY_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// postgresStore opens a store in a schema of its own whose connections
// carry a unique application_name, returned with an administrative
// connection that can terminate them (and only them: other tests share the
// server). It skips without a server, except under CI=true.
func postgresStore(t *testing.T) (*postgres.DB, *pgx.Conn, string) {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgTestDSN())
	if err != nil {
		msg := "no PostgreSQL test server (set TRIBUTARY_TEST_POSTGRES): " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	name := "tributary_server_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(pgTestDSN())
	if err != nil {
		t.Fatalf("TRIBUTARY_TEST_POSTGRES must be a postgres:// URL here: %v", err)
	}
	q := u.Query()
	q.Set("search_path", name)
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	db, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, admin, name
}

// TestPostgresConnectionsTerminatedServesCache terminates the store's
// connections five times, as a failover or an administrator does, and
// fires requests at a feed whose rendering is cached: none may fail.
func TestPostgresConnectionsTerminatedServesCache(t *testing.T) {
	db, admin, app := postgresStore(t)
	ctx := context.Background()
	if _, err := db.UpsertArticles(ctx, []feeds.Article{{ID: "1", Source: "a", Title: "One",
		Link: "https://example.com/1", FetchedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}}); err != nil {
		t.Fatal(err)
	}
	logs := &logCount{}
	pub := publish.New(db, publish.Options{BaseURL: "http://feeds.test", Logger: slog.New(logs),
		Feeds: []publish.Feed{{Name: "all", Sources: []string{"a"}, Limit: 10}}})
	srv := httptest.NewServer(New(Options{Publisher: pub}))
	t.Cleanup(srv.Close)
	url := srv.URL + "/feeds/all.json"
	if r, _ := get(t, "GET", url, nil); r.StatusCode != 200 {
		t.Fatalf("first request: status %d", r.StatusCode)
	}

	var (
		mu       sync.Mutex
		statuses = map[int]int{}
	)
	fire := func(n int) {
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				r, _ := get(t, "GET", url, nil)
				mu.Lock()
				statuses[r.StatusCode]++
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	terminated := 0
	for range 5 {
		fire(4) // several pooled connections, in use then idle
		var pids []uint32
		rows, err := admin.Query(ctx, `SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`, app)
		if err == nil {
			pids, err = pgx.CollectRows(rows, pgx.RowTo[uint32])
		}
		if err != nil {
			t.Fatal(err)
		}
		var during sync.WaitGroup
		during.Go(func() { fire(8) })
		for _, pid := range pids {
			var ok bool
			if err := admin.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, pid).Scan(&ok); err != nil {
				t.Fatal(err)
			}
			if ok {
				terminated++
			}
		}
		// Once those backends are gone, every pooled connection that
		// was idle is dead until a query finds out.
		for gone := false; !gone; {
			var left int
			if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)`, pids).Scan(&left); err != nil {
				t.Fatal(err)
			}
			if gone = left == 0; !gone {
				time.Sleep(5 * time.Millisecond)
			}
		}
		during.Wait()
		fire(8) // after
	}
	total := 0
	for _, n := range statuses {
		total += n
	}
	t.Logf("%d connections terminated; %d requests: %v", terminated, total, statuses)
	if terminated == 0 {
		t.Fatal("no connection of the store was terminated: the test tested nothing")
	}
	if statuses[200] != total {
		t.Errorf("requests for a cached feed failed while connections were terminated: %v of %d", statuses, total)
	}
	// The pool may still hold connections whose backend was terminated
	// while idle: each check that meets one fails (503, as it should) and
	// drops it, so /healthz must come back to 200 within a few checks.
	for i := 0; ; i++ {
		r, b := get(t, "GET", srv.URL+"/healthz", nil)
		if r.StatusCode == 200 {
			break
		}
		if i == 20 {
			t.Errorf("healthz once the store answers again: %d %q after %d checks", r.StatusCode, b, i+1)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if logs.count("store unavailable") == 0 {
		t.Log("no version check met a terminated connection this time")
	}
}
