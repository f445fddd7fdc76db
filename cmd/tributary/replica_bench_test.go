package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary/tributary/internal/store/postgres/pgtest"
)

// BenchmarkReplicaRefresh measures refresh throughput with 1, 2 and 3
// `serve` replicas on one PostgreSQL database: the time from their start
// until each of 1,000 sources (20 items each, served by an httptest
// server) has been fetched, stored and released once. It builds the
// binary and needs the test server (see pgtest); not run in CI:
//
//	go test -run '^$' -bench BenchmarkReplicaRefresh -benchtime 1x -count 3 ./cmd/tributary/
func BenchmarkReplicaRefresh(b *testing.B) {
	const sources = 1000
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		name := strings.TrimPrefix(r.URL.Path, "/")
		w.Header().Set("Content-Type", "application/rss+xml")
		var sb strings.Builder
		fmt.Fprintf(&sb, `<?xml version="1.0"?><rss version="2.0"><channel><title>%[1]s</title><link>https://example.com/%[1]s</link>`, name)
		for i := range 20 {
			fmt.Fprintf(&sb, `<item><title>%[1]s item %[2]d</title><link>https://example.com/%[1]s/%[2]d</link><guid>%[1]s-%[2]d</guid>
<pubDate>Mon, 02 Jan 2006 15:04:05 GMT</pubDate><description>&lt;p&gt;Paragraph %[2]d of %[1]s, distinct text for the store to keep.&lt;/p&gt;</description></item>`, name, i)
		}
		sb.WriteString(`</channel></rss>`)
		w.Write([]byte(sb.String()))
	}))
	b.Cleanup(srv.Close)
	bin := filepath.Join(b.TempDir(), "tributary")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	var srcConf strings.Builder
	for i := range sources {
		fmt.Fprintf(&srcConf, "  - name: s%04d\n    url: %s/s%04d\n", i, srv.URL, i)
	}
	for _, n := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				dsn := pgtest.Schema(b)
				conn, err := pgx.Connect(context.Background(), dsn)
				if err != nil {
					b.Fatal(err)
				}
				var confs []string
				for i := range n {
					conf := filepath.Join(b.TempDir(), "config.yaml")
					if err := os.WriteFile(conf, fmt.Appendf(nil, "listen: %s\nstorage:\n  driver: postgres\n  dsn: %q\nschedule: \"@every 1h\"\nfetch:\n  user_agent: replica-%d\nsources:\n%sfeeds:\n  - name: all\n",
						benchAddr(b), dsn, i, srcConf.String()), 0o600); err != nil {
						b.Fatal(err)
					}
					confs = append(confs, conf)
				}
				// The schema is migrated before the clock starts.
				if out, err := exec.Command(bin, "--config", confs[0], "migrate", "up").CombinedOutput(); err != nil {
					b.Fatalf("migrate up: %v\n%s", err, out)
				}
				before := requests.Load()
				b.StartTimer()
				start := time.Now()
				for _, conf := range confs {
					cmd := exec.Command(bin, "--config", conf, "serve")
					if err := cmd.Start(); err != nil {
						b.Fatal(err)
					}
					b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
				}
				for {
					var done int
					err := conn.QueryRow(context.Background(), `SELECT count(*) FROM source_leases WHERE holder IS NULL AND next_due > now()`).Scan(&done)
					if err == nil && done == sources {
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
				b.StopTimer()
				b.ReportMetric(sources/time.Since(start).Seconds(), "sources/s")
				if got := requests.Load() - before; got != sources {
					b.Fatalf("%d requests for %d sources: want each fetched once", got, sources)
				}
				conn.Close(context.Background())
			}
		})
	}
}

// benchAddr returns a free local address to listen on.
func benchAddr(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
