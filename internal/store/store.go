// Package store defines where articles and per-source state are kept. The
// Store interface is implemented by store/sqlite (embedded, the default) and
// store/postgres; both pass the conformance suite in store/storetest.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/tributary/tributary/feeds"
)

// ErrNotFound is returned when a requested record does not exist.
var ErrNotFound = errors.New("store: not found")

// Store keeps articles and the fetch state of each source. Implementations
// are safe for concurrent use.
type Store interface {
	// UpsertArticles stores the articles of one source. An article whose
	// (source, id) is already stored replaces the older version when its
	// content differs and is counted as updated; otherwise it is unchanged.
	// The article's FetchedAt is kept from the first time it was stored
	// (a zero FetchedAt becomes the time of the first upsert). A change of
	// Page alone is saved but counts as unchanged and does not move Version,
	// since Page is never rendered. Articles are applied in order; times are
	// kept to the second, in UTC; NUL bytes and invalid UTF-8 are cleaned.
	UpsertArticles(ctx context.Context, arts []feeds.Article) (UpsertResult, error)
	// Articles returns stored articles matching q, newest first (by
	// published date, falling back to the fetch time; ties by source, then
	// id).
	Articles(ctx context.Context, q Query) ([]feeds.Article, error)
	// Article returns one article by source and id, or ErrNotFound.
	Article(ctx context.Context, source, id string) (feeds.Article, error)
	// PagesDue returns up to limit articles of source whose last page
	// extraction failed (Page.Error is set) and is due again at t: their
	// Page.RetryAt, or Page.AttemptedAt when RetryAt is zero, is not after
	// t. The earliest due come first, ties by id; limit 0 means no limit.
	// It runs on every run of a full-text source: implementations read an
	// index of the failed pages (articles_pages_due), not every article.
	PagesDue(ctx context.Context, source string, t time.Time, limit int) ([]feeds.Article, error)
	// SourceState returns the saved fetch state of a source; a source never
	// fetched yields a zero SourceState with its Name set and no error.
	SourceState(ctx context.Context, source string) (SourceState, error)
	// SaveSourceState records the fetch state of a source.
	SaveSourceState(ctx context.Context, st SourceState) error
	// SourceStates returns the saved state of every source, sorted by
	// name: those configured and those no longer configured alike.
	SourceStates(ctx context.Context) ([]SourceState, error)
	// SourceStats returns, for every source with stored articles, how many
	// it has and how their full-text pages fared (see SourceStats).
	SourceStats(ctx context.Context) (map[string]SourceStats, error)
	// Version returns a counter that increases whenever stored articles
	// change (in this process or any other sharing the store) and the time
	// of that change (see Version). Renderers cache output until it moves.
	Version(ctx context.Context) (Version, error)
	// Close releases the store.
	Close() error
}

// Query selects articles.
type Query struct {
	// Sources restricts the result to these source names; empty means all.
	Sources []string
	// Limit caps the number of articles; 0 means no limit.
	Limit int
}

// SourceStats counts the stored articles of one source.
type SourceStats struct {
	// Articles is the number of stored articles.
	Articles int
	// PagesExtracted counts the articles whose page was extracted and
	// whose last attempt did not fail; PagesFailed those whose last page
	// extraction failed (Page.Error set, what PagesDue retries).
	PagesExtracted, PagesFailed int
}

// UpsertResult counts what UpsertArticles did.
type UpsertResult struct {
	New, Updated, Unchanged int
}

// Version identifies a state of the stored articles.
type Version struct {
	Counter int64
	// ChangedAt is when the articles last changed, in whole seconds, UTC;
	// zero before the first change. It never decreases as Counter grows,
	// whatever the clocks of the processes sharing the store say (the
	// later of the clock and the previous change), but several changes
	// may share a second: it says when, not which. Telling the states
	// apart is Counter's job, and that of whoever dates what it serves
	// (see publish.Rendering.Modified).
	ChangedAt time.Time
}

// SourceState is what Tributary remembers about a source between fetches.
type SourceState struct {
	Name string
	// HTTP validators from the last successful response, sent back as
	// If-None-Match / If-Modified-Since; ValidatorsURL is the URL they
	// came from, so a source whose URL changed is not fetched with another
	// URL's validators.
	ETag          string
	LastModified  string
	ValidatorsURL string
	// LastAttempt is when the last fetch started; LastSuccess when one last
	// succeeded (including 304 Not Modified).
	LastAttempt time.Time
	LastSuccess time.Time
	// LastStatus is "new", "updated", "unchanged" or "failed".
	LastStatus string
	// LastError is the reason of the last failure, empty after a success.
	LastError string
	// Failures counts consecutive failed fetches.
	Failures int
	// NextAttempt is the earliest time the source should be fetched again
	// (backoff, Retry-After, Cache-Control max-age); zero means any time.
	NextAttempt time.Time
	// FeedURL is the feed advertised by the configured page (its <link
	// rel="alternate">), fetched directly from then on so that conditional
	// GETs apply to it; DiscoveredFrom is the configured URL it was found
	// on, so that a changed configuration discovers again.
	FeedURL        string
	DiscoveredFrom string
	// Boilerplate holds the normalized text of paragraphs learned to be
	// site furniture for this source (calls to comment, follow, subscribe).
	Boilerplate []string
}
