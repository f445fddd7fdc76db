package sqlite

import (
	"context"
	"fmt"

	"github.com/tributary/tributary/internal/store"
)

// SourceStates returns the saved state of every source, sorted by name.
func (d *DB) SourceStates(ctx context.Context) ([]store.SourceState, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+stateColumns+` FROM source_state ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: source states: %w", err)
	}
	defer rows.Close()
	var out []store.SourceState
	for rows.Next() {
		st, err := scanState(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: source states: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: source states: %w", err)
	}
	return out, nil
}

// SourceStats counts each source's articles over the articles_source_sort
// index and its failed pages over the partial articles_pages_due index,
// neither touching the table. Extracted pages have no index of their own:
// counting them reads each article's row (its page column, not the
// content, which lies after it).
func (d *DB) SourceStats(ctx context.Context) (map[string]store.SourceStats, error) {
	out := map[string]store.SourceStats{}
	queries := []struct {
		sql string
		add func(s *store.SourceStats, n int)
	}{
		{`SELECT source, count(*) FROM articles INDEXED BY articles_source_sort GROUP BY source`,
			func(s *store.SourceStats, n int) { s.Articles = n }},
		// The partial index's WHERE, word for word, so SQLite reads it.
		{`SELECT source, count(*) FROM articles INDEXED BY articles_pages_due
			WHERE json_extract(page, '$.error') IS NOT NULL GROUP BY source`,
			func(s *store.SourceStats, n int) { s.PagesFailed = n }},
		{`SELECT source, count(*) FROM articles WHERE page IS NOT NULL
			AND json_extract(page, '$.extracted_at') IS NOT NULL AND json_extract(page, '$.error') IS NULL GROUP BY source`,
			func(s *store.SourceStats, n int) { s.PagesExtracted = n }},
	}
	for _, q := range queries {
		if err := d.countBySource(ctx, q.sql, func(src string, n int) {
			s := out[src]
			q.add(&s, n)
			out[src] = s
		}); err != nil {
			return nil, fmt.Errorf("sqlite: source stats: %w", err)
		}
	}
	return out, nil
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
