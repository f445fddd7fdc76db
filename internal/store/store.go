// Package store defines where articles and per-source state are kept. The
// Store interface is implemented by store/sqlite (embedded, the default) and
// store/postgres; both pass the conformance suite in store/storetest.
package store

import (
	"context"
	"errors"
	"fmt"
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

	// MarkListed records that ids are exactly the articles of source that
	// its latest document lists (the run that parsed it calls this,
	// unchanged articles included; a 304 leaves the listing as it was).
	// Expire never deletes a listed article: it would come back as new on
	// the next fetch. Ids not stored are ignored. It does not move Version.
	MarkListed(ctx context.Context, source string, ids []string) error
	// Expire deletes the articles of r.Source that r no longer keeps at
	// now: those whose date (published, else first fetch) is more than
	// r.MaxAge before now, and those beyond the source's newest r.MaxItems
	// in the order of Articles; a zero limit is no limit. Listed articles
	// (see MarkListed) are kept whatever their age or rank. It deletes at
	// most DeleteBatch articles per transaction, so fetching and serving
	// never wait long, and each transaction that deletes moves Version.
	Expire(ctx context.Context, r Retention, now time.Time) (Expired, error)
	// Orphans returns the sources with stored articles or state whose name
	// is not in known, each with when it was last active: its last fetch
	// attempt, else its newest article's FetchedAt. Ordered by name.
	Orphans(ctx context.Context, known []string) ([]Orphan, error)
	// DeleteSource deletes every article of source, DeleteBatch per
	// transaction (each moving Version), then its saved state, and returns
	// how many articles it deleted.
	DeleteSource(ctx context.Context, source string) (int, error)
	// CountArticles returns how many articles of source are stored.
	CountArticles(ctx context.Context, source string) (int, error)
	// Reclaim returns the space freed by deletions to the operating system
	// where the store can do so without blocking for long (SQLite:
	// incremental vacuum, a no-op on files without auto_vacuum; PostgreSQL
	// leaves it to autovacuum).
	Reclaim(ctx context.Context) error
	// Size returns the bytes the store occupies (SQLite: the database file
	// and its WAL; PostgreSQL: pg_database_size).
	Size(ctx context.Context) (int64, error)
	// SaveRetention records rr as the last cleanup run.
	SaveRetention(ctx context.Context, rr RetentionRun) error
	// LastRetention returns the last cleanup run recorded by any process
	// sharing the store; the zero RetentionRun when none ever ran.
	LastRetention(ctx context.Context) (RetentionRun, error)

	// Close releases the store.
	Close() error
}

// Leaser is the optional capability of a store shared by several daemons
// (PostgreSQL): per-source due times and leases, so that across the
// daemons each source is fetched once per due time. A store without it
// (SQLite) has one daemon, which schedules on its own. Times are the
// database's clock, so the daemons' clocks need not agree.
type Leaser interface {
	// ScheduleSources records sources as known: a source without a due
	// time is due now, and one due later than its Within from now (when
	// its cron spec next fires) is brought forward to that, so a spec
	// changed to fire sooner applies at once. Due times already earlier
	// are kept.
	ScheduleSources(ctx context.Context, due []SourceDue) error
	// ClaimDue leases to holder, for lease, up to limit of sources that
	// are due and not leased by a live holder (its lease has not
	// expired), earliest due first, and returns their names. A source
	// claimed by one holder is not returned to another until released or
	// expired, even by concurrent calls.
	ClaimDue(ctx context.Context, holder string, sources []string, limit int, lease time.Duration) ([]string, error)
	// RenewLease extends holder's lease of source to lease from now. It
	// returns ErrNotFound when holder no longer holds it (it expired and
	// another holder claimed it).
	RenewLease(ctx context.Context, holder, source string, lease time.Duration) error
	// ReleaseLease ends holder's lease of source and makes it due next
	// after that long from now (0: due at once). It returns ErrNotFound
	// when holder no longer holds it; the due time is then left to the
	// holder that does.
	ReleaseLease(ctx context.Context, holder, source string, after time.Duration) error
}

// leaseCheckKey is the context key of WithLeaseCheck.
type leaseCheckKey struct{}

// WithLeaseCheck returns ctx carrying check, which says whether the run
// that ctx belongs to still holds its lease (see Leaser): nil when it
// does, an error wrapping ErrNotFound when another daemon took it.
func WithLeaseCheck(ctx context.Context, check func(context.Context) error) context.Context {
	return context.WithValue(ctx, leaseCheckKey{}, check)
}

// CheckLease asks the check ctx carries (WithLeaseCheck) whether its run
// still holds its lease, and returns nil without one (a store not shared,
// a run not leased). A run calls it before it writes what it fetched: an
// error wrapping ErrNotFound means another daemon runs the source now,
// and what this run would write is stale.
func CheckLease(ctx context.Context) error {
	if check, ok := ctx.Value(leaseCheckKey{}).(func(context.Context) error); ok {
		return check(ctx)
	}
	return nil
}

// SourceDue is a source's due-time cap for Leaser.ScheduleSources: how long
// from now until its schedule next fires. A duration, not a time: the
// store adds it to its own clock, so a daemon whose clock is off cannot
// make a source due at once, again and again, or hold it back.
type SourceDue struct {
	Source string
	Within time.Duration
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
	// ConfigFingerprint is the fingerprint of the configuration the
	// source's document was last read with successfully, PagesFingerprint
	// that of the settings its article pages were last extracted with
	// (pipeline.Fingerprints): a run that finds them changed fetches
	// afresh. Empty when not known (a state saved before they existed).
	ConfigFingerprint string
	PagesFingerprint  string
	// Feed is the source's document as it describes itself (title, id,
	// home page, URL), from its last successful parse, for attributing
	// its articles; zero when not known.
	Feed feeds.SourceFeed
}

// DeleteBatch is the most articles Expire and DeleteSource delete in one
// transaction: small enough that a fetch or a request waiting for the
// store waits a few milliseconds, large enough that a cleanup of 100,000
// articles takes 200 transactions.
const DeleteBatch = 500

// DeleteInBatches calls del, which deletes at most DeleteBatch articles in
// a transaction of its own and says how many, until it deletes fewer, and
// returns the total: how the stores' Expire and DeleteSource loop.
func DeleteInBatches(del func() (int, error)) (int, error) {
	total := 0
	for {
		n, err := del()
		total += n
		if err != nil || n < DeleteBatch {
			return total, err
		}
	}
}

// ExpireBy is how the stores' Expire applies r at now: first olderThan
// deletes the unlisted articles dated before the cutoff (when MaxAge is
// set), then beyond deletes the unlisted ones past the newest n (when
// MaxItems is set).
func ExpireBy(r Retention, now time.Time, olderThan func(cutoff time.Time) (int, error), beyond func(n int) (int, error)) (Expired, error) {
	var (
		out Expired
		err error
	)
	if r.MaxAge > 0 {
		if out.Age, err = olderThan(now.Add(-r.MaxAge)); err != nil {
			return out, fmt.Errorf("by age: %w", err)
		}
	}
	if r.MaxItems > 0 {
		if out.Count, err = beyond(r.MaxItems); err != nil {
			return out, fmt.Errorf("by count: %w", err)
		}
	}
	return out, nil
}

// Retention says which articles of one source cleanup keeps.
type Retention struct {
	Source string
	// MaxAge deletes articles dated (published, else first fetched) more
	// than MaxAge ago; 0 means no age limit.
	MaxAge time.Duration
	// MaxItems deletes articles beyond the source's newest MaxItems; 0
	// means no count limit.
	MaxItems int
}

// Expired counts what Expire deleted, by reason.
type Expired struct {
	// Age counts articles older than MaxAge; Count those beyond MaxItems
	// (and not older than MaxAge).
	Age, Count int
}

// Orphan is a stored source that the configuration no longer lists.
type Orphan struct {
	Name string
	// LastSeen is the source's last fetch attempt, else its newest
	// article's FetchedAt; zero when neither is known.
	LastSeen time.Time
	// Articles is how many of its articles are stored.
	Articles int
}

// RetentionRun is what one cleanup did.
type RetentionRun struct {
	// At is when it started, to the second, UTC; zero when none ran.
	At       time.Time
	Duration time.Duration
	// Deleted counts the articles it deleted, orphans' included; Orphans
	// counts the orphaned sources it deleted.
	Deleted, Orphans int
}
