package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tributary/tributary/internal/store"
)

// SourceStates returns the saved state of every source, sorted by name.
func (d *DB) SourceStates(ctx context.Context) ([]store.SourceState, error) {
	rows, err := d.pool.Query(ctx, `SELECT `+stateColumns+` FROM source_state ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("postgres: source states: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.SourceState, error) { return scanState(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: source states: %w", err)
	}
	return out, nil
}

// SourceStats counts each source's articles over an index on source, its
// failed pages over the partial articles_pages_due index and
// its extracted pages over the partial articles_pages_extracted index.
func (d *DB) SourceStats(ctx context.Context) (map[string]store.SourceStats, error) {
	out := map[string]store.SourceStats{}
	for _, q := range statsQueries() {
		rows, err := d.pool.Query(ctx, q.sql)
		if err != nil {
			return nil, fmt.Errorf("postgres: source stats: %w", err)
		}
		var (
			src string
			n   int
		)
		_, err = pgx.ForEachRow(rows, []any{&src, &n}, func() error {
			s := out[src]
			q.add(&s, n)
			out[src] = s
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("postgres: source stats: %w", err)
		}
	}
	return out, nil
}

// statsQuery is one count of SourceStats: sql selects (source, count)
// over index, and add puts a count in its place.
type statsQuery struct {
	index, sql string
	add        func(s *store.SourceStats, n int)
}

// statsQueries returns the counts of SourceStats.
func statsQueries() []statsQuery {
	return []statsQuery{
		// Any index on source: the primary key, or articles_source_sort.
		{"", `SELECT source, count(*) FROM articles GROUP BY source`,
			func(s *store.SourceStats, n int) { s.Articles = n }},
		// The partial indexes' WHERE, word for word.
		{"articles_pages_due", `SELECT source, count(*) FROM articles WHERE page->>'error' IS NOT NULL GROUP BY source`,
			func(s *store.SourceStats, n int) { s.PagesFailed = n }},
		{"articles_pages_extracted", `SELECT source, count(*) FROM articles WHERE page->>'extracted_at' IS NOT NULL AND page->>'error' IS NULL GROUP BY source`,
			func(s *store.SourceStats, n int) { s.PagesExtracted = n }},
	}
}
