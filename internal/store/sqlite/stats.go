package sqlite

import (
	"context"

	"github.com/tributary/tributary/internal/store"
)

// SourceStates returns the saved state of every source, sorted by name.
func (d *DB) SourceStates(ctx context.Context) ([]store.SourceState, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+stateColumns+` FROM source_state ORDER BY name`)
	if err != nil {
		return nil, failf("sqlite: source states: %w", err)
	}
	defer rows.Close()
	var out []store.SourceState
	for rows.Next() {
		st, err := scanState(rows)
		if err != nil {
			return nil, failf("sqlite: source states: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, failf("sqlite: source states: %w", err)
	}
	return out, nil
}

// SourceStats counts each source's articles over the articles_source_sort
// index, its failed pages over the partial articles_pages_due index and
// its extracted pages over the partial articles_pages_extracted index,
// none touching the table. Each count names its index (INDEXED BY): a
// query the index no longer fits fails rather than scans every row.
func (d *DB) SourceStats(ctx context.Context) (map[string]store.SourceStats, error) {
	out := map[string]store.SourceStats{}
	for _, q := range statsQueries() {
		if err := d.countBySource(ctx, q.sql, func(src string, n int) {
			s := out[src]
			q.add(&s, n)
			out[src] = s
		}); err != nil {
			return nil, failf("sqlite: source stats: %w", err)
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
		{"articles_source_sort", `SELECT source, count(*) FROM articles INDEXED BY articles_source_sort GROUP BY source`,
			func(s *store.SourceStats, n int) { s.Articles = n }},
		// The partial indexes' WHERE, word for word, so SQLite reads them.
		{"articles_pages_due", `SELECT source, count(*) FROM articles INDEXED BY articles_pages_due
		WHERE json_extract(page, '$.error') IS NOT NULL GROUP BY source`,
			func(s *store.SourceStats, n int) { s.PagesFailed = n }},
		{"articles_pages_extracted", `SELECT source, count(*) FROM articles INDEXED BY articles_pages_extracted
		WHERE json_extract(page, '$.extracted_at') IS NOT NULL AND json_extract(page, '$.error') IS NULL GROUP BY source`,
			func(s *store.SourceStats, n int) { s.PagesExtracted = n }},
	}
}

// countBySource runs query, which selects (source, count), calling add
// for each row.
func (d *DB) countBySource(ctx context.Context, query string, add func(string, int)) error {
	rows, err := d.db.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			src string
			n   int
		)
		if err := rows.Scan(&src, &n); err != nil {
			return err
		}
		add(src, n)
	}
	return rows.Err()
}
