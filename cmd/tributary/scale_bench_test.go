package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/store/sqlite"
	"github.com/tributary/tributary/internal/store/storetest"
)

// The scale benchmarks of issue 13: `tributary fetch` when every source
// answers 304 Not Modified, and `tributary build`, against stores of
// scalePerSource articles per source (about 2 KB of distinct HTML each).
// The stores are built once and kept in os.TempDir()/tributary-bench,
// named after their size and the schema, so that reruns skip building
// them (500,000 articles take minutes). The 10,000-source case runs only
// when -bench names it (its store takes about 1 GB):
//
//	go test ./cmd/tributary -run '^$' -bench 'UnchangedRefresh|Build' -benchmem -count 3
//	go test ./cmd/tributary -run '^$' -bench 'UnchangedRefresh/sources=10000' -benchmem -count 3
const scalePerSource = 50

// scaleFixture changes when storetest.FillScale or the configuration the
// benchmarks write changes what a cached store holds.
const scaleFixture = 1

// scaleHost stands for the address of the benchmark's 304 server in a
// cached store; pointStore puts the server's address in its place.
const scaleHost = "http://bench.invalid"

// scaleSizes are the sources of the scale benchmarks' stores.
var scaleSizes = []int{1000, 10000}

// scaleAsked skips a benchmark on a store of n sources unless it is the
// smallest or the -bench pattern names size, the number in its name.
func scaleAsked(b *testing.B, n, size int) {
	b.Helper()
	if n == scaleSizes[0] {
		return
	}
	if f := flag.Lookup("test.bench"); f == nil || !strings.Contains(f.Value.String(), strconv.Itoa(size)) {
		b.Skipf("a store of %d articles takes minutes to build and about 1 GB: this runs when -bench names %d", n*scalePerSource, size)
	}
}

// schemaDigest returns a digest of the schema a new SQLite store gets,
// which names the cached stores: a change of schema builds them anew.
func schemaDigest(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "schema.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY name`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	h := sha256.New()
	fmt.Fprintf(h, "fixture %d\n", scaleFixture)
	for rows.Next() {
		var typ, name, text string
		if err := rows.Scan(&typ, &name, &text); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(h, "%s %s %s\n", typ, name, text)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// scaleStore returns the path of a SQLite store of n sources of
// scalePerSource articles each, their states saved as after a fetch of
// scaleHost/s/N.xml, built once (see the benchmarks' comment).
func scaleStore(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "tributary-bench")
	path := filepath.Join(dir, fmt.Sprintf("scale-%dx%d-%s.db", n, scalePerSource, schemaDigest(b)))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	tmp := path + ".building"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm", tmp + "-lock"} {
		os.Remove(p)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, tmp)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	b.Logf("building %s (%d articles), kept for later runs", path, n*scalePerSource)
	err = storetest.FillScale(ctx, st, n, scalePerSource, func(s int) string { return scaleURL(scaleHost, s) }, nil)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("built in %s", time.Since(start).Round(time.Second))
	os.Remove(tmp + "-lock")
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// scaleURL is the URL of source s on the server at base.
func scaleURL(base string, s int) string { return fmt.Sprintf("%s/s/%d.xml", base, s) }

// pointStore makes the saved validators of the store at path those of
// the server at base, as if its sources had been fetched from there, and
// clears what an earlier run that failed left.
func pointStore(b *testing.B, path, base string) {
	b.Helper()
	db, err := sql.Open("sqlite", path+"?_busy_timeout=10000")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	// The name is sN; the ETag is storetest.ScaleETag's.
	_, err = db.Exec(`UPDATE source_state SET validators_url = ? || '/s/' || substr(name, 2) || '.xml',
		etag = '"' || name || '-v1"', last_modified = '',
		config_fingerprint = '', pages_fingerprint = '', failures = 0, last_error = '', next_attempt = NULL`, base)
	if err != nil {
		b.Fatal(err)
	}
}

// notModified is a feed server that answers 304 Not Modified to a
// request for /s/N.xml that carries storetest.ScaleETag(N), and 500 to
// any other, which it counts.
type notModified struct {
	*httptest.Server
	other atomic.Int64
}

func newNotModified(b *testing.B) *notModified {
	nm := &notModified{}
	nm.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/s/"), ".xml"))
		if err == nil && r.Header.Get("If-None-Match") == storetest.ScaleETag(n) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		nm.other.Add(1)
		http.Error(w, "the benchmark serves only 304s", http.StatusInternalServerError)
	}))
	b.Cleanup(nm.Close)
	return nm
}

// scaleConfig writes the configuration of the scale benchmarks: n
// sources s0..sN-1 at base, the first ten tagged "ten"; feeds "all"
// (every source) and "ten", of 50 items each.
func scaleConfig(b *testing.B, db, base string, n int) string {
	b.Helper()
	var sb strings.Builder
	fmt.Fprintf(&sb, "base_url: http://127.0.0.1:8080\ntitle: Scale\nstorage:\n  driver: sqlite\n  dsn: %s\n", db)
	sb.WriteString("fetch:\n  workers: 4\n  per_host_concurrency: 4\nsources:\n")
	for s := range n {
		fmt.Fprintf(&sb, "  - name: %s\n    url: %s\n", storetest.ScaleSource(s), scaleURL(base, s))
		if s < 10 {
			sb.WriteString("    tags: [ten]\n")
		}
	}
	sb.WriteString("feeds:\n  - name: all\n    limit: 50\n  - name: ten\n    tags: [ten]\n    limit: 50\n")
	path := filepath.Join(b.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkUnchangedRefresh is `tributary fetch` of n sources that all
// answer 304 Not Modified, with a store of 50 articles per source: open
// the store, read and save each source's state, close. It reports the
// wall and CPU time per source, which should not grow with n.
func BenchmarkUnchangedRefresh(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run(fmt.Sprintf("sources=%d", n), func(b *testing.B) {
			scaleAsked(b, n, n)
			db := scaleStore(b, n)
			srv := newNotModified(b)
			pointStore(b, db, srv.URL)
			conf := scaleConfig(b, db, srv.URL, n)
			ctx := context.Background()
			var cpu cpuClock
			b.ReportAllocs()
			for b.Loop() {
				cpu.start()
				var out, errb bytes.Buffer
				code := run(ctx, []string{"--config", conf, "fetch"}, &out, &errb)
				cpu.stop()
				if code != 0 || srv.other.Load() != 0 {
					b.Fatalf("fetch exited %d, %d requests not answered 304:\n%s", code, srv.other.Load(), tail(errb.String()))
				}
				if got := strings.Count(out.String(), "unchanged (not modified"); got != n {
					b.Fatalf("%d of %d sources unchanged:\n%s", got, n, tail(out.String()))
				}
			}
			perUnit(b, n, &cpu, "source")
		})
	}
}

// BenchmarkBuild is `tributary build` of the feeds "all" (every source,
// 50 items a page) and "ten" (ten sources) from a store of n sources of 50
// articles: every page of both in every format, up to
// publish.MaxPagedItems items each, the same work for any n. It reports
// the time per file written.
func BenchmarkBuild(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run(fmt.Sprintf("articles=%d", n*scalePerSource), func(b *testing.B) {
			scaleAsked(b, n, n*scalePerSource)
			db := scaleStore(b, n)
			conf := scaleConfig(b, db, scaleHost, n)
			out := b.TempDir()
			ctx := context.Background()
			var (
				cpu   cpuClock
				files int
			)
			b.ReportAllocs()
			for b.Loop() {
				cpu.start()
				var stdout, errb bytes.Buffer
				code := run(ctx, []string{"--config", conf, "build", "--out", out}, &stdout, &errb)
				cpu.stop()
				if code != 0 {
					b.Fatalf("build exited %d:\n%s", code, tail(errb.String()))
				}
				files = strings.Count(stdout.String(), "\n")
			}
			perUnit(b, files, &cpu, "file")
		})
	}
}

// perUnit reports the wall and CPU time per unit of work, of which an
// op did n.
func perUnit(b *testing.B, n int, cpu *cpuClock, unit string) {
	if b.N == 0 || n == 0 {
		return
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/"+unit)
	b.ReportMetric(float64(cpu.total.Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/"+unit)
}

// tail returns the end of a long output, enough to show why it failed.
func tail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return s
}

// cpuClock adds up the CPU time of the process (user and system, the
// test server's included) between start and stop: on a shared machine it
// varies less than the wall time.
type cpuClock struct {
	total, since time.Duration
}

func (c *cpuClock) start() { c.since = cpuTime() }
func (c *cpuClock) stop()  { c.total += cpuTime() - c.since }

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
