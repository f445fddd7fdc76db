package sqlite

import (
	"context"
	"fmt"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/record"
)

// What a large store's readers do in time that grows with what they
// return, not with the articles or sources stored.

// newestScanFactor bounds the prefix of all articles, newest first, that
// newestOf reads for a limit: newestScanFactor times the limit.
const newestScanFactor = 4

// newestOf returns the newest q.Limit articles of q.Sources, several of
// them, picked from a bounded prefix of the articles_sort index (all
// sources, newest first): when they are among the newest
// newestScanFactor*q.Limit articles of the store, which is the case for a
// feed of many of its sources, that reads a few index entries per article
// returned. Picking them from articles_source_sort instead, as
// articlesQuery does, reads every stored article of every source named to
// sort them, 500,000 index entries for a feed of 10,000 sources of 50
// articles, whatever the limit. ok is false when the prefix held fewer
// than q.Limit of them: the caller then asks articlesQuery, whose answer
// is the same rows.
func (d *DB) newestOf(ctx context.Context, q store.Query) (arts []feeds.Article, ok bool, err error) {
	list, err := cleanJSON(q.Sources)
	if err != nil {
		return nil, false, err
	}
	// The inner scan reads only the index (sort_time, source, id and the
	// rowid are in it); the table is read for the rows picked alone. The
	// middle query orders what it keeps again: SQL promises no order of a
	// subquery's rows, and the newest must be the ones kept.
	rows, err := d.db.QueryContext(ctx, `SELECT `+articleColumns+` FROM articles WHERE rowid IN (
		SELECT rowid FROM (SELECT rowid, sort_time, source, id FROM articles INDEXED BY articles_sort
			ORDER BY sort_time DESC, source, id LIMIT ?1)
		WHERE source IN (SELECT value FROM json_each(?2))
		ORDER BY sort_time DESC, source, id LIMIT ?3)`,
		newestScanFactor*q.Limit, list, q.Limit)
	if err != nil {
		return nil, false, err
	}
	arts, err = scanArticles(rows)
	if err != nil || len(arts) < q.Limit {
		return nil, false, err
	}
	return arts, true, nil
}

// SourceFeeds returns how the feed of each of names described itself at
// its last successful fetch (store.SourceState.Feed), for those with a
// saved state, by name: what attributing a feed's items needs, read from
// those sources' rows alone, whatever the number of sources stored.
func (d *DB) SourceFeeds(ctx context.Context, names []string) (map[string]feeds.SourceFeed, error) {
	out := make(map[string]feeds.SourceFeed, len(names))
	if len(names) == 0 {
		return out, nil
	}
	list, err := cleanJSON(names)
	if err != nil {
		return nil, fmt.Errorf("sqlite: source feeds: %w", err)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT name, source_feed FROM source_state
		WHERE name IN (SELECT value FROM json_each(?))`, list)
	if err != nil {
		return nil, failf("sqlite: source feeds: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			name string
			sf   []byte
		)
		if err := rows.Scan(&name, &sf); err != nil {
			return nil, failf("sqlite: source feeds: %w", err)
		}
		f, err := record.DecodeSourceFeed(sf)
		if err != nil {
			return nil, fmt.Errorf("sqlite: source feeds: %s: decode source feed: %w", name, err)
		}
		out[name] = f
	}
	if err := rows.Err(); err != nil {
		return nil, failf("sqlite: source feeds: %w", err)
	}
	return out, nil
}
