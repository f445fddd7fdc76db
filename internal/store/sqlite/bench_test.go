package sqlite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/storetest"
)

// benchDB opens a new database file for a benchmark and closes it when b
// ends.
func benchDB(b *testing.B) store.Store {
	b.Helper()
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkUpsert runs the shared upsert benchmarks (New, Unchanged,
// UnchangedRound).
func BenchmarkUpsert(b *testing.B) { storetest.BenchUpsert(b, benchDB) }

// BenchmarkArticles runs the shared selection benchmarks (All, TwoSources).
func BenchmarkArticles(b *testing.B) { storetest.BenchArticles(b, benchDB) }

// BenchmarkPagesDue runs the shared failed-pages benchmark.
func BenchmarkPagesDue(b *testing.B) { storetest.BenchPagesDue(b, benchDB) }

// BenchmarkSourceStats runs the shared status-count benchmark on 1,000
// sources of 20 articles each.
func BenchmarkSourceStats(b *testing.B) { storetest.BenchSourceStats(b, benchDB, 1000, 20) }

// fillHTML stores n articles of about 2 KB of distinct HTML, 50 per
// source (one transaction each, as a fetch does), and returns the bytes of
// HTML they hold (summary and content; a summary equal to its content
// counts once).
func fillHTML(tb testing.TB, db *DB, n int, sameSummary bool) int64 {
	tb.Helper()
	ctx := context.Background()
	var html int64
	for first := 0; first < n; first += 50 {
		batch := make([]feeds.Article, 0, 50)
		for i := first; i < min(first+50, n); i++ {
			a := storetest.HTMLArticle(fmt.Sprintf("src%d", first/50), i, 2000)
			if sameSummary {
				a.Summary = a.Content
			} else {
				html += int64(len(a.Summary))
			}
			html += int64(len(a.Content))
			batch = append(batch, a)
		}
		if _, err := db.UpsertArticles(ctx, batch); err != nil {
			tb.Fatal(err)
		}
	}
	return html
}

// filesSize returns the bytes of the database at path and its WAL.
func filesSize(tb testing.TB, path string) int64 {
	tb.Helper()
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil && p != path {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		total += fi.Size()
	}
	return total
}

// BenchmarkSize stores 5,000 articles of about 2 KB of distinct HTML in a
// new file and reports the size of the files after Close against the
// bytes of HTML (size/html): with a one-sentence summary (Distinct) and
// with the summary equal to the content (SummaryIsContent).
func BenchmarkSize(b *testing.B) {
	for _, same := range []bool{false, true} {
		name := "Distinct"
		if same {
			name = "SummaryIsContent"
		}
		b.Run(name, func(b *testing.B) {
			var ratio float64
			for b.Loop() {
				path := filepath.Join(b.TempDir(), "size.db")
				db, err := Open(context.Background(), path)
				if err != nil {
					b.Fatal(err)
				}
				html := fillHTML(b, db, 5000, same)
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
				ratio = float64(filesSize(b, path)) / float64(html)
			}
			b.ReportMetric(ratio, "size/html")
		})
	}
}

// openBenchFile returns a database file of 50,000 articles of about 2 KB
// of HTML, built once and kept in the system's temporary directory under
// a name that changes with the schema, so that reruns skip the minutes of
// building it.
func openBenchFile(b *testing.B) string {
	b.Helper()
	h := sha256.New()
	err := fs.WalkDir(migrationFiles, "migrations", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := migrationFiles.ReadFile(p)
		h.Write(data)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(os.TempDir(), "tributary-bench")
	path := filepath.Join(dir, "open-50k-"+hex.EncodeToString(h.Sum(nil))[:12]+".db")
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
	db, err := Open(context.Background(), tmp)
	if err != nil {
		b.Fatal(err)
	}
	fillHTML(b, db, 50000, false)
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	os.Remove(tmp + "-lock")
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkOpen opens and closes a store of 50,000 articles (about 100 MB
// of HTML) that was closed cleanly: the start of every fetch, build and
// serve.
func BenchmarkOpen(b *testing.B) {
	path := openBenchFile(b)
	ctx := context.Background()
	b.Run("ReadWrite", func(b *testing.B) {
		for b.Loop() {
			db, err := Open(ctx, path)
			if err != nil {
				b.Fatal(err)
			}
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(filesSize(b, path))/(1<<20), "MiB")
	})
	b.Run("ReadOnly", func(b *testing.B) {
		for b.Loop() {
			db, err := OpenReadOnly(ctx, path)
			if err != nil {
				b.Fatal(err)
			}
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRefresh runs the shared full-refresh benchmark (Serial,
// Parallel): the store's share of refreshing one new source of 50 articles.
func BenchmarkRefresh(b *testing.B) { storetest.BenchRefresh(b, benchDB) }
