package postgres

import (
	"testing"

	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/postgres/pgtest"
	"github.com/tributary/tributary/internal/store/storetest"
)

// benchDB opens a store on a schema of its own, dropped when b ends.
func benchDB(b *testing.B) store.Store {
	b.Helper()
	return openDSN(b, pgtest.Schema(b))
}

// BenchmarkUpsert runs the shared upsert benchmarks (New, Unchanged).
func BenchmarkUpsert(b *testing.B) { storetest.BenchUpsert(b, benchDB) }

// BenchmarkArticles runs the shared selection benchmarks (All, TwoSources).
func BenchmarkArticles(b *testing.B) { storetest.BenchArticles(b, benchDB) }

// BenchmarkPagesDue runs the shared failed-pages benchmark.
func BenchmarkPagesDue(b *testing.B) { storetest.BenchPagesDue(b, benchDB) }

// BenchmarkSourceStats runs the shared status-count benchmark on 1,000
// sources of 20 articles each.
func BenchmarkSourceStats(b *testing.B) { storetest.BenchSourceStats(b, benchDB, 1000, 20) }

// BenchmarkRefresh runs the shared full-refresh benchmark (Serial,
// Parallel): the store's share of refreshing one new source of 50 articles.
func BenchmarkRefresh(b *testing.B) { storetest.BenchRefresh(b, benchDB) }
