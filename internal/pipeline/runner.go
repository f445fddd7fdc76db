// Package pipeline runs one source through Tributary's flow: fetch it
// (conditionally), parse it into articles, complete them from their pages
// when full text is on, drop learned boilerplate, store them, and remember
// the source's state (validators, outcome, backoff) for the next run.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/internal/redact"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/sources"
)

// Source is what the runner needs to know about a configured source: what
// sources.Fetch reads, and what the runner does with the articles after.
type Source struct {
	sources.Source
	// FullText completes each article from its page; the source's
	// Rewrite applies to the pages too.
	FullText bool
	// Headers are set on the source's requests to its own origin, its
	// document's and its article pages' there, and on no other (see
	// fetch.Policy.Headers). Their values may be credentials: nothing the
	// runner logs or returns holds them.
	Headers http.Header
	// UserAgent, when set, replaces the client's on all the source's
	// requests; Timeout, when positive, bounds each of them instead of the
	// client's.
	UserAgent string
	Timeout   time.Duration
}

// Status values of an Outcome, as printed by `tributary fetch`.
const (
	StatusNew       = "new"
	StatusUpdated   = "updated"
	StatusUnchanged = "unchanged"
	StatusFailed    = "failed"
	StatusDeferred  = "deferred"
	StatusCancelled = "cancelled"
)

// Outcome is what one run of a source did.
type Outcome struct {
	Source string
	Status string
	store.UpsertResult
	// Pages counts article pages extracted; PageErrors those that failed
	// (their articles keep the feed's summary and are retried later).
	// Both include the pages of stored stories retried this run, which a
	// source answering 304 Not Modified has too.
	Pages, PageErrors int
	// PagesRefused counts the PageErrors whose address the fetch client's
	// address policy refused (fetch.ErrBlockedAddress): pages on a
	// non-public address other than the source's own origin, which
	// AllowPrivateNetworksKey allows.
	PagesRefused int
	// PagesDeferred counts pages put off to a later run because the run's
	// text budget (feeds.MaxSourceRunBytes) was spent; LeftOut the stories
	// it left out of the run: feed entries beyond it (the newest are kept)
	// and stored stories whose full text it could not hold, which the
	// store keeps as they were.
	PagesDeferred, LeftOut int
	Err                    error
	// Failures counts the source's consecutive failures, this run included.
	Failures int
	// NotModified is set when the source answered 304 Not Modified.
	NotModified bool
	// NextAttempt is the earliest time the next run will fetch.
	NextAttempt time.Time
	Duration    time.Duration
}

// String renders the outcome as one line for people.
func (o Outcome) String() string {
	switch o.Status {
	case StatusFailed:
		s := fmt.Sprintf("%s: failed: %v", o.Source, o.Err)
		if !o.NextAttempt.IsZero() {
			s += fmt.Sprintf(" (next attempt after %s)", o.NextAttempt.Format(time.RFC3339))
		}
		return s
	case StatusDeferred:
		return fmt.Sprintf("%s: deferred until %s: %v", o.Source, o.NextAttempt.Format(time.RFC3339), o.Err)
	case StatusCancelled:
		return fmt.Sprintf("%s: cancelled: %v", o.Source, o.Err)
	}
	var s string
	switch {
	case o.NotModified && o.Pages+o.PageErrors+o.PagesDeferred+o.LeftOut == 0:
		return fmt.Sprintf("%s: unchanged (not modified since the last fetch)", o.Source)
	case o.NotModified:
		// Only retried pages can have changed stories.
		s = fmt.Sprintf("%s: %s (not modified since the last fetch; %d updated, %d unchanged)", o.Source, o.Status, o.Updated, o.Unchanged)
	default:
		s = fmt.Sprintf("%s: %s (%d new, %d updated, %d unchanged)", o.Source, o.Status, o.New, o.Updated, o.Unchanged)
	}
	if o.Pages+o.PageErrors > 0 {
		s += fmt.Sprintf(", %d pages extracted", o.Pages)
		if o.PageErrors > 0 {
			s += fmt.Sprintf(", %d failed", o.PageErrors)
		}
		if o.PagesRefused > 0 {
			s += fmt.Sprintf(", %d %s refused by the address policy (set %s: true to allow)",
				o.PagesRefused, plural(o.PagesRefused, "page", "pages"), AllowPrivateNetworksKey)
		}
	}
	if o.PagesDeferred+o.LeftOut > 0 {
		s += ", text budget spent:"
		if o.PagesDeferred > 0 {
			s += fmt.Sprintf(" %d pages put off to the next run", o.PagesDeferred)
		}
		if o.LeftOut > 0 {
			if o.PagesDeferred > 0 {
				s += ","
			}
			s += fmt.Sprintf(" %d stories left out", o.LeftOut)
		}
	}
	return s
}

// AllowPrivateNetworksKey is the configuration key that lets article pages
// on non-public addresses be fetched, named by Outcome.String when the
// address policy refused some (a test in cmd/tributary checks that the
// configuration has it).
const AllowPrivateNetworksKey = "fetch.allow_private_networks"

// plural returns one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Backoff bounds: the first failure waits BackoffBase, each further one
// doubles it, up to BackoffMax; ±20% jitter spreads retries out.
const (
	BackoffBase = time.Minute
	BackoffMax  = 24 * time.Hour
	// boilerplateMinDocs is how many different articles of one source must
	// share a paragraph verbatim before it is treated as site furniture.
	boilerplateMinDocs = 3
	// boilerplateWindow is how many stored articles of a source are looked
	// at when learning its boilerplate.
	boilerplateWindow = 30
	// pageWorkers bounds concurrent page fetches of one source.
	pageWorkers = 4
	// pageRetries bounds the failed pages of stored stories (beyond those
	// in the feed) retried in one run of a source, earliest due first.
	pageRetries = 25
)

// Runner runs sources. Its zero value is not usable: set Doer and Store.
type Runner struct {
	// Doer sends the requests of every source, each through Doer.For the
	// source's policy (see sourcePolicy).
	Doer  *fetch.Client
	Store store.Store
	Log   *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Observe, when set, is called with every outcome (metrics).
	Observe func(Outcome)

	// paragraphs keeps what boilerplate learning read of the articles
	// of every source, so that a stored article is read once.
	paragraphs paragraphCache
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Run fetches src once and stores what it yields. Unless force is set, a
// source whose backoff or minimum interval has not elapsed is deferred.
// The error of a failed source is in the Outcome; Run itself never fails.
//
// A source whose configuration changed since its last success (see
// Fingerprints) is fetched afresh: its document without validators, so
// that it is parsed again rather than answered 304, and, when its page
// extraction settings changed, the pages of the articles it lists without
// theirs, extracted again. Articles stored under the old configuration
// stay: the document no longer listing them, retention deletes them in
// time, or `tributary prune --source` at once.
func (r *Runner) Run(ctx context.Context, src Source, force bool) Outcome {
	return r.runAs(ctx, src, runMode{force: force})
}

// RunAfresh is Run with force, as if src's configuration had changed: the
// document is fetched without validators and parsed again, and with full
// text on the pages of the articles it lists are extracted again
// (`tributary fetch --force`).
func (r *Runner) RunAfresh(ctx context.Context, src Source) Outcome {
	return r.runAs(ctx, src, runMode{force: true, afresh: true})
}

// runMode is how a run was asked for.
type runMode struct {
	// force ignores the source's backoff and that of its failed pages;
	// afresh fetches as if the configuration had changed.
	force, afresh bool
}

func (r *Runner) runAs(ctx context.Context, src Source, mode runMode) Outcome {
	start := r.now()
	out := r.run(ctx, src, mode, start)
	out.Duration = r.now().Sub(start)
	l := r.log().With(slog.String("source", src.Name), slog.String("status", out.Status), slog.Duration("duration", out.Duration))
	switch out.Status {
	case StatusFailed:
		l.Warn("source failed", slog.Any("error", out.Err), slog.Time("next_attempt", out.NextAttempt))
	case StatusDeferred:
		l.Debug("source deferred", slog.Time("next_attempt", out.NextAttempt))
	case StatusCancelled:
		l.Info("source fetch cancelled", slog.Any("error", out.Err))
	default:
		l.Info("source fetched", slog.Int("new", out.New), slog.Int("updated", out.Updated), slog.Int("unchanged", out.Unchanged),
			slog.Int("pages", out.Pages), slog.Int("page_errors", out.PageErrors), slog.Int("pages_refused", out.PagesRefused),
			slog.Int("pages_deferred", out.PagesDeferred), slog.Int("left_out", out.LeftOut))
		if out.PagesDeferred+out.LeftOut > 0 {
			l.Warn("page_budget_exhausted: the source's run held its text budget; the rest waits for later runs",
				slog.Int("budget_bytes", feeds.MaxSourceRunBytes), slog.Int("pages_deferred", out.PagesDeferred), slog.Int("left_out", out.LeftOut))
		}
	}
	if r.Observe != nil {
		r.Observe(out)
	}
	return out
}

func (r *Runner) run(ctx context.Context, src Source, mode runMode, now time.Time) Outcome {
	out := Outcome{Source: src.Name}
	st, err := r.Store.SourceState(ctx, src.Name)
	if err != nil {
		out.Status, out.Err = StatusFailed, fmt.Errorf("read source state: %w", err)
		return out
	}
	st.Name = src.Name
	if !mode.force && now.Before(st.NextAttempt) {
		out.Status, out.NextAttempt = StatusDeferred, st.NextAttempt
		out.Err = errors.New("backoff")
		if st.LastError != "" {
			// Masked again: an older version kept errors with credentials.
			out.Err = fmt.Errorf("backoff after: %s", redact.Text(st.LastError))
		}
		return out
	}
	st.LastAttempt = now
	// The feed and the article pages of the source are fetched with the
	// same policy.
	doer := r.Doer.For(sourcePolicy(src))
	fp := src.Fingerprints()
	afresh, reextract := r.afresh(src, st, fp, mode)
	m := memo(st)
	if afresh {
		m.ETag, m.LastModified = "", ""
	}
	run := m.Start(src.Source)
	if !src.FullText {
		fp.Pages = "" // what succeed saves: no pages were extracted
	}
	res, err := sources.Fetch(ctx, doer, run.Request)
	if err != nil {
		remember(&st, run.Failed())
		return r.fail(ctx, st, out, err, now)
	}
	if len(res.Dropped) > 0 {
		r.log().Debug("feed fields dropped", slog.String("source", src.Name), slog.Any("fields", res.Dropped))
	}
	remember(&st, run.Fetched(res))
	var arts []feeds.Article
	if res.NotModified {
		out.NotModified = true
	} else {
		arts = res.Articles
	}
	// The feed's text is spent first, its newest entries first; pages
	// and stored full texts share what is left.
	budget := newTextBudget()
	budget.keepNewest(arts)
	if src.FullText {
		pt := pageTask{src: src, doer: doer, boilerplate: st.Boilerplate, now: now, force: mode.force, reextract: reextract, budget: budget}
		done, err := r.completePages(ctx, pt, arts, res.InheritedAuthors)
		if err != nil {
			return r.fail(ctx, st, out, err, now)
		}
		// Stored stories whose page failed are retried whatever the
		// feed says: a 304 or a feed that dropped them must not leave
		// them with their teaser for good.
		retried, redone, err := r.retryPages(ctx, pt, arts)
		if err != nil {
			return r.fail(ctx, st, out, err, now)
		}
		arts = append(arts, retried...)
		// A retried story put off is left out of the run (putOff), and
		// counted there, not as a page deferred.
		redone.deferred = 0
		done = done.add(redone)
		out.Pages, out.PageErrors, out.PagesRefused, out.PagesDeferred = done.ok, done.failed, done.refused, done.deferred
	}
	kept := len(arts)
	arts = budget.kept(arts)
	out.LeftOut = kept - len(arts)
	if leaseLost(ctx) {
		out.Status, out.Err = StatusCancelled, errLeaseLost
		return out
	}
	if out.NotModified && len(arts) == 0 {
		out.Status = StatusUnchanged
		return r.succeed(ctx, st, out, run, res, fp, now)
	}
	learned, err := r.dropBoilerplate(ctx, src, &st, &arts)
	if err != nil {
		return r.fail(ctx, st, out, err, now)
	}
	for i := range arts {
		// Parsing bounds what feeds and listings give; this also bounds
		// what pages gave and what older versions stored.
		feeds.Bound(&arts[i])
	}
	res2, err := r.Store.UpsertArticles(ctx, arts)
	if err != nil {
		return r.fail(ctx, st, out, fmt.Errorf("store articles: %w", err), now)
	}
	out.UpsertResult = res2
	if !out.NotModified {
		// What the document lists, unchanged articles included, is kept
		// by retention (a 304 leaves the listing as it was).
		if err := r.Store.MarkListed(ctx, src.Name, listedIDs(res.Articles)); err != nil {
			return r.fail(ctx, st, out, fmt.Errorf("store listing: %w", err), now)
		}
	}
	if learned {
		r.log().Info("learned boilerplate", slog.String("source", src.Name), slog.Int("paragraphs", len(st.Boilerplate)))
	}
	switch {
	case out.New > 0:
		out.Status = StatusNew
	case out.Updated > 0:
		out.Status = StatusUpdated
	default:
		out.Status = StatusUnchanged
	}
	return r.succeed(ctx, st, out, run, res, fp, now)
}

// afresh says whether the run of src, whose saved state is st and whose
// configuration has the fingerprints fp, fetches its document without
// validators, and whether it extracts its listed pages again: when asked
// to (mode.afresh), or when the configuration changed since the last
// success. A fingerprint not saved yet (a state from before they were)
// is no change: upgrading does not fetch every source and page afresh.
// A page extraction change needs the document parsed again too, to know
// which pages are listed. It logs the change of configuration.
func (r *Runner) afresh(src Source, st store.SourceState, fp Fingerprints, mode runMode) (document, pages bool) {
	docChanged := st.ConfigFingerprint != "" && st.ConfigFingerprint != fp.Document
	pagesChanged := src.FullText && st.PagesFingerprint != "" && st.PagesFingerprint != fp.Pages
	if docChanged || pagesChanged {
		r.log().Info("source configuration changed: fetching it afresh", slog.String("source", src.Name),
			slog.Bool("document", docChanged), slog.Bool("pages", pagesChanged))
	}
	document = mode.afresh || docChanged || pagesChanged
	pages = src.FullText && (mode.afresh || pagesChanged)
	return document, pages
}

func (r *Runner) succeed(ctx context.Context, st store.SourceState, out Outcome, run sources.Run, res sources.Result, fp Fingerprints, now time.Time) Outcome {
	remember(&st, run.Succeeded(res))
	if !res.NotModified {
		// How the document describes itself, for attributing its articles;
		// a 304 leaves the description of the document it confirms.
		st.Feed = feeds.SourceFeed{Title: res.Title, ID: res.ID, Link: res.Link, URL: res.URL}
	}
	// The configuration this success read the source with; fp.Pages is
	// empty when the run extracted no pages, and the settings the stored
	// pages were extracted with are kept.
	st.ConfigFingerprint = fp.Document
	if fp.Pages != "" {
		st.PagesFingerprint = fp.Pages
	}
	st.LastSuccess, st.LastStatus, st.LastError, st.Failures = now, out.Status, "", 0
	st.NextAttempt = time.Time{}
	// A server's minimum interval is honoured up to the backoff cap, so a
	// year-long max-age cannot silence a source.
	if wait := min(max(res.MaxAge, res.RetryAfter), BackoffMax); wait > 0 {
		st.NextAttempt = now.Add(wait)
	}
	out.NextAttempt = st.NextAttempt
	if err := r.Store.SaveSourceState(context.WithoutCancel(ctx), st); err != nil {
		out.Status, out.Err = StatusFailed, fmt.Errorf("save source state: %w", err)
	}
	return out
}

func (r *Runner) fail(ctx context.Context, st store.SourceState, out Outcome, err error, now time.Time) Outcome {
	if ctx.Err() != nil || leaseLost(ctx) {
		// Cancelled by a shutdown or reload, not failed: no backoff, no
		// failure count; the next start fetches it again. Likewise a
		// run whose lease another daemon took: it runs the source now.
		out.Status, out.Err = StatusCancelled, err
		return out
	}
	st.Failures++
	st.LastStatus, st.LastError = StatusFailed, err.Error()
	wait := Backoff(st.Failures, rand.Float64())
	var he *sources.HTTPError
	if errors.As(err, &he) && he.RetryAfter > wait {
		wait = min(he.RetryAfter, BackoffMax)
	}
	st.NextAttempt = now.Add(wait)
	out.Status, out.Err, out.NextAttempt, out.Failures = StatusFailed, err, st.NextAttempt, st.Failures
	// A run cancelled mid-fetch returned above and saves nothing. A
	// failure is saved on a context that cannot be cancelled, so that a
	// shutdown beginning after that check does not lose its failure count.
	if serr := r.Store.SaveSourceState(context.WithoutCancel(ctx), st); serr != nil {
		out.Err = errors.Join(err, fmt.Errorf("save source state: %w", serr))
	}
	return out
}

// errLeaseLost is the error of a run cancelled before it wrote anything
// because another daemon took its source's lease.
var errLeaseLost = errors.New("lease lost to another daemon: nothing stored")

// leaseLost says whether the run of ctx lost its source's lease to another
// daemon sharing the store (store.CheckLease), so what it fetched is stale
// and must not be written; never on a store that is not shared.
func leaseLost(ctx context.Context) bool {
	err := store.CheckLease(ctx)
	// The claimer's own renewal may find the lease lost first and cancel
	// ctx while the check runs: the check then fails with ctx's error, and
	// ctx's cause says the lease was lost (a shutdown's says nothing of it).
	return errors.Is(err, store.ErrNotFound) || (err != nil && errors.Is(context.Cause(ctx), store.ErrNotFound))
}

// memo is what st remembers of the URL its source fetches and the
// validators it sends.
func memo(st store.SourceState) sources.Memo {
	return sources.Memo{
		FeedURL: st.FeedURL, DiscoveredFrom: st.DiscoveredFrom,
		ValidatorsURL: st.ValidatorsURL, ETag: st.ETag, LastModified: st.LastModified,
	}
}

// remember makes st remember m.
func remember(st *store.SourceState, m sources.Memo) {
	st.FeedURL, st.DiscoveredFrom = m.FeedURL, m.DiscoveredFrom
	st.ValidatorsURL, st.ETag, st.LastModified = m.ValidatorsURL, m.ETag, m.LastModified
}

// Backoff returns how long to wait after the given number of consecutive
// failures: BackoffBase doubled per failure, capped at BackoffMax, scaled by
// a jitter factor in [0.8, 1.2) derived from u in [0, 1).
func Backoff(failures int, u float64) time.Duration {
	if failures < 1 {
		return 0
	}
	d := BackoffBase
	for i := 1; i < failures && d < BackoffMax; i++ {
		d *= 2
	}
	d = min(d, BackoffMax)
	return time.Duration(float64(d) * (0.8 + 0.4*u))
}

// sourcePolicy is what the requests of src, its feed's and its article
// pages', may do beyond the client's options: connect to the origin of its
// URL even when it is not public (an operator who configures an internal
// URL means it), and when it is a local file, read it and the files
// directly beside it (its stories' pages, see pageLink). A link taken from
// a document gets no more than that. The source's headers go to that same
// origin only; its User-Agent and timeout apply to all its requests.
func sourcePolicy(src Source) fetch.Policy {
	sourceURL := src.URL
	p := fetch.Policy{AllowedOrigins: []string{origin(sourceURL)}, UserAgent: src.UserAgent, Timeout: src.Timeout}
	if len(src.Headers) > 0 {
		p.Headers, p.HeadersOrigin = src.Headers, origin(sourceURL)
	}
	if isFile(sourceURL) {
		p.LocalFiles = []string{sourceURL}
		if u, err := url.Parse(sourceURL); err == nil {
			p.LocalDirs = []string{path.Dir(u.Path)}
		}
	}
	return p
}

// pageLink reports whether the article link of the source at sourceURL is
// a page full text fetches: a web page, or for a local source a local
// file (which its policy lets it read only beside the source's file).
func pageLink(sourceURL, link string) bool {
	return strings.HasPrefix(link, "http://") || strings.HasPrefix(link, "https://") ||
		isFile(sourceURL) && isFile(link)
}

// isFile reports whether raw is a file: URL.
func isFile(raw string) bool {
	return strings.HasPrefix(raw, "file:")
}

// origin returns scheme://host[:port] of a URL, or "" when it has none.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// listedIDs returns the ids of the articles a document listed.
func listedIDs(arts []feeds.Article) []string {
	ids := make([]string, len(arts))
	for i, a := range arts {
		ids[i] = a.ID
	}
	return ids
}
