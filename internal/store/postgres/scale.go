package postgres

import (
	"context"
	"fmt"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store/record"
)

// SourceFeeds returns how the feed of each of names described itself at
// its last successful fetch (store.SourceState.Feed), for those with a
// saved state, by name: what attributing a feed's items needs, read from
// those sources' rows alone, whatever the number of sources stored.
func (d *DB) SourceFeeds(ctx context.Context, names []string) (map[string]feeds.SourceFeed, error) {
	out := make(map[string]feeds.SourceFeed, len(names))
	if len(names) == 0 {
		return out, nil
	}
	rows, err := d.pool.Query(ctx, `SELECT name, source_feed FROM source_state WHERE name = ANY($1)`, cleanAll(names))
	if err != nil {
		return nil, fmt.Errorf("postgres: source feeds: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			name string
			sf   []byte
		)
		if err := rows.Scan(&name, &sf); err != nil {
			return nil, fmt.Errorf("postgres: source feeds: %w", err)
		}
		f, err := record.DecodeSourceFeed(sf)
		if err != nil {
			return nil, fmt.Errorf("postgres: source feeds: %s: decode source feed: %w", name, err)
		}
		out[name] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: source feeds: %w", err)
	}
	return out, nil
}
