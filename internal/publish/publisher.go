// Package publish turns stored articles into the configured feeds: it selects
// each feed's articles from the store, combines them (dedupe, merge, sort,
// limit) and renders them, caching the rendered bytes until the store changes.
package publish

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/opml"
	"github.com/tributary/tributary/internal/store"
)

// ErrUnknownFeed is returned for a feed name that is not configured.
var ErrUnknownFeed = errors.New("publish: unknown feed")

// ErrStoreUnavailable is returned when the store does not answer (its
// version check, or the read of a feed's articles) and no earlier rendering
// can stand in. The Publisher logs the outage once, when it starts.
var ErrStoreUnavailable = errors.New("publish: store unavailable")

// Reader is the part of the store a Publisher needs.
type Reader interface {
	Articles(ctx context.Context, q store.Query) ([]feeds.Article, error)
	Version(ctx context.Context) (store.Version, error)
}

// Feed describes one published feed.
type Feed struct {
	Name        string
	Title       string
	Description string
	// Sources are the source names the feed selects; empty selects none.
	Sources []string
	// Limit is the number of newest items published.
	Limit int
	// Filter is the feed's include and exclude, applied to its combined
	// items; nil keeps them all.
	Filter *feeds.Filter
	// MaxAge hides items dated (feeds.SortDate) more than MaxAge ago; 0
	// means no age limit.
	MaxAge time.Duration
	// PerSourceLimit caps the items of one source (the source of the copy
	// published) in the feed; 0 means no cap.
	PerSourceLimit int
	// LeadImage puts each item's lead image at the top of its content
	// when the content does not show it (see feeds.Feed.LeadImage).
	LeadImage bool
	// Icon and Logo are absolute image URLs, Language a BCP 47 tag and
	// Rights a plain text copyright statement (see feeds.Feed); each may
	// be empty.
	Icon, Logo, Language, Rights string
}

// StateReader is what a Reader may also offer: the saved state of the
// sources, whose description of their own feed attributes their articles
// (feeds.Article.Via). Without it articles are attributed to their
// configured source name and URL.
type StateReader interface {
	SourceStates(ctx context.Context) ([]store.SourceState, error)
}

// FeedReader is what a Reader may offer instead of StateReader: how the
// feed of each named source described itself (store.SourceState.Feed),
// by name, read for those sources alone. A rendering then reads the
// states of the sources of its items, not of every source stored.
type FeedReader interface {
	SourceFeeds(ctx context.Context, names []string) (map[string]feeds.SourceFeed, error)
}

// Options configure a Publisher.
type Options struct {
	// BaseURL is the absolute URL prefix of the published site, without a
	// trailing slash; feeds live at BaseURL/feeds/NAME.EXT.
	BaseURL string
	// Title names the site, on its HTML pages.
	Title     string
	Generator string
	// StaticPaths makes the links between pages of a paged feed point at
	// files (BaseURL/feeds/NAME/page/N.EXT, BaseURL/feeds/NAME/) rather
	// than at ?page=N: what build writes, for hosts that ignore queries.
	StaticPaths bool
	// KeepItems keeps, per feed, the items read for its last page, so that
	// walking every page reads the store a few times rather than once per
	// page (deeper pages need every item before them): for build, which
	// walks them all once. A daemon leaves it off; its memory would hold
	// the deepest page read of every feed.
	KeepItems bool
	Feeds     []Feed
	// Hub is the WebSub hub every feed links to as rel="hub" (public:
	// without credentials); empty links none.
	Hub string
	// MaxBytes bounds one rendering of one feed; 0 means MaxFeedBytes.
	MaxBytes int
	// Logger records when the store stops and starts answering again, and
	// warns when a rendering leaves items out to fit MaxBytes; nil
	// discards.
	Logger *slog.Logger
	// Dates is where the Publisher remembers the Last-Modified it served;
	// a daemon passes the same Dates to the Publisher of each
	// configuration it loads. Nil gives the Publisher its own.
	Dates *Dates
	// SourceFilters are the include and exclude of each source, by name,
	// applied to the source's articles in every feed; a source without
	// one keeps them all.
	SourceFilters map[string]*feeds.Filter
	// OnFiltered, when set, hears after each rendering of a feed what its
	// rules left out (the same for each format).
	OnFiltered func(feed string, left Filtered)
}

// Rendering is one feed in one format, ready to serve or write.
type Rendering struct {
	Body []byte
	// ETag is a strong validator derived from Body.
	ETag string
	// Modified is a whole second no earlier than the feed's content last
	// changed, so that Last-Modified moves whenever the bytes do: the
	// bytes served last time keep the date they were served with, and
	// other bytes get the latest of the end of the second the store last
	// changed in, a second after the date last served (with other bytes),
	// and the end of the second this configuration first served in (see
	// Dates). It is ahead of the clock for the rest of the second after a
	// change, and further only when the feed's served bytes change more
	// than once a second.
	Modified time.Time
	Format   feeds.Format
	// Next is the number of the page after this one, 0 on the last page.
	Next int
	// end is where, in the feed's items, the next page starts.
	end int
	// until is when the rendering goes stale though the store did not
	// change: an item in it ages past its feed's max_age. Zero: never.
	until time.Time
}

// Publisher renders the configured feeds from a store. It is safe for
// concurrent use; renderings are cached until the store's version moves.
type Publisher struct {
	r     Reader
	opts  Options
	byNam map[string]Feed

	mu    sync.Mutex
	cache map[cacheKey]*entry
	ver   int64
	// prev is the last rendering of each feed and format made before the
	// store's version last moved, until one of the current version is
	// made: what a request gets when the store fails while re-rendering.
	prev map[cacheKey]*Rendering
	// starts holds where each page of each feed and format begins in the
	// feed's items, for the store's version startsVer, learnt by rendering
	// the page before: items left out of a page to fit MaxBytes begin the
	// next.
	starts    map[cacheKey]int
	startsVer int64
	// kept is, per feed, the items last read for a page, of store version
	// keptVer (see Options.KeepItems).
	kept    map[string]keptItems
	keptVer int64
	// created bounds Last-Modified from below: this configuration may
	// change a feed's bytes without any change in the store, and a process
	// started anew does not remember what the last one served (within one
	// process, dates does). It is the end of the second of the first
	// Render, not of New: a reload builds the new Publisher, then waits
	// for running fetches while the old one goes on serving what they
	// store, dated up to that moment.
	created time.Time
	dates   *Dates
	// versions coalesces the requests' reads of the store's version.
	versions versionReads
	// onWait, when set (by tests), runs when a request starts waiting
	// for another's rendering.
	onWait func()

	log *slog.Logger
	// outage is the store's last error while its version check fails
	// (nil once it is back), when the failures began and last happened,
	// and how many requests the cache answered meanwhile. Guarded by mu.
	outage                error
	outageSince, lastFail time.Time
	staleServed           int
	// settle is how long the store must answer after its last failure
	// for an outage to be over (outageSettle; tests shorten it).
	settle time.Duration
}

// outageSettle is how long the store must go without a failed version
// check for an outage to be logged as over. Terminated connections fail
// one by one, interleaved with queries on new ones that succeed: one blip
// is one outage in the log, not one per dead connection.
const outageSettle = 10 * time.Second

// cacheKey names one rendering: a feed (empty for the home page), a
// format (HTML for the pages people read) and a page, from 1.
type cacheKey struct {
	name   string
	format feeds.Format
	page   int
}

// New returns a Publisher of opts.Feeds reading from r.
func New(r Reader, opts Options) *Publisher {
	p := &Publisher{r: r, opts: opts, byNam: make(map[string]Feed, len(opts.Feeds)), cache: map[cacheKey]*entry{}, prev: map[cacheKey]*Rendering{}, starts: map[cacheKey]int{}, ver: -1,
		log: opts.Logger, settle: outageSettle, dates: opts.Dates}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.dates == nil {
		p.dates = &Dates{}
	}
	for _, f := range opts.Feeds {
		p.byNam[f.Name] = f
	}
	return p
}

// Feeds returns the configured feeds in configuration order.
func (p *Publisher) Feeds() []Feed { return p.opts.Feeds }

// FeedURL returns the absolute URL of feed name in format.
func (p *Publisher) FeedURL(name string, format feeds.Format) string {
	return p.opts.BaseURL + "/feeds/" + name + "." + format.Ext()
}

// Hub returns the WebSub hub the feeds link to, "" when there is none.
func (p *Publisher) Hub() string { return p.opts.Hub }

// FeedURLs returns the absolute URLs of feed name in every format, RSS
// first: the topics a WebSub hub is told about when the feed changes.
func (p *Publisher) FeedURLs(name string) []string {
	var out []string
	for _, format := range feeds.AllFormats() {
		out = append(out, p.FeedURL(name, format))
	}
	return out
}

// Fingerprint returns a value that changes exactly when the bytes of feed
// name change in some format: the ETags of its renderings, rendered (or
// taken from the cache) as Render does. Errors are Render's.
func (p *Publisher) Fingerprint(ctx context.Context, name string) (string, error) {
	var tags []string
	for _, format := range feeds.AllFormats() {
		r, err := p.Render(ctx, name, format)
		if err != nil {
			return "", err
		}
		tags = append(tags, r.ETag)
	}
	return strings.Join(tags, " "), nil
}

// Render returns feed name in format, from the cache when the store has not
// changed since it was rendered, dated for serving now (see
// Rendering.Modified). Unknown names give ErrUnknownFeed. When the store
// does not answer whether it changed, or fails to give the articles of a
// feed it changed, the last rendering made is returned all
// the same (it is at most as old as the outage); without one, the error
// wraps ErrStoreUnavailable.
func (p *Publisher) Render(ctx context.Context, name string, format feeds.Format) (*Rendering, error) {
	return p.RenderPage(ctx, name, format, 1)
}

// get returns the rendering of key, as Render describes, from the cache
// when key is cached (see CachedPages) and the store has not changed.
func (p *Publisher) get(ctx context.Context, key cacheKey) (*Rendering, error) {
	if key.page > CachedPages {
		return p.uncached(ctx, key)
	}
	v, err := p.versions.read(ctx, p.r)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("publish: read store version: %w", err) // the caller gave up; not the store's fault
		}
		return p.stale(key, err)
	}
	p.mu.Lock()
	p.storeAnswered()
	if p.created.IsZero() {
		p.created = time.Now().UTC().Truncate(time.Second).Add(time.Second)
	}
	if v.Counter != p.ver {
		for k, e := range p.cache {
			if finished(e) {
				p.prev[k] = e.r
			}
		}
		clear(p.cache)
		p.ver = v.Counter
	}
	e, ok := p.cache[key]
	if ok && finished(e) && !e.r.until.IsZero() && time.Now().After(e.r.until) {
		// An item aged out of the feed (max_age) with no change in the
		// store: render again, this rendering standing in meanwhile.
		p.prev[key] = e.r
		delete(p.cache, key)
		ok = false
	}
	if !ok {
		// The first request after a change renders; the ones arriving
		// meanwhile wait for its result instead of rendering again.
		e = &entry{done: make(chan struct{})}
		p.cache[key] = e
		p.mu.Unlock()
		// Not the requester's context: its going away must not fail the
		// render the others are waiting for.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), renderTimeout)
		e.r, e.err = p.renderKey(rctx, key, v)
		cancel()
		p.mu.Lock()
		if e.err == nil {
			if p.cache[key] == e {
				delete(p.prev, key)
			} else {
				// The version moved while rendering: this is still the
				// newest rendering made, what a failure would fall back on.
				p.prev[key] = e.r
			}
		} else {
			if p.cache[key] == e {
				delete(p.cache, key) // the next request tries again
			}
			if errors.Is(e.err, ErrStoreUnavailable) { // the articles read failed
				p.storeFailed(e.err)
				if prev := p.prev[key]; prev != nil {
					p.staleServed++
					e.r, e.err = prev, nil
				}
			}
		}
		p.mu.Unlock()
		close(e.done)
		if e.err != nil {
			return nil, e.err
		}
		return p.dated(key, e), nil
	}
	p.mu.Unlock()
	if p.onWait != nil {
		p.onWait()
	}
	select {
	case <-e.done:
		if e.err != nil {
			return nil, e.err
		}
		return p.dated(key, e), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// CheckStore asks the store for its version, as Render does, and returns
// an error wrapping ErrStoreUnavailable when it does not answer. Its
// answer starts or ends an outage as a request's would.
func (p *Publisher) CheckStore(ctx context.Context) error {
	_, err := p.r.Version(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case err == nil:
		p.storeAnswered()
		return nil
	case ctx.Err() == nil:
		p.storeFailed(err)
	}
	return fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
}

// stale answers a request whose version check failed with err: the
// finished rendering of key cached before the outage, or an error.
func (p *Publisher) stale(key cacheKey, err error) (*Rendering, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.storeFailed(err)
	if e, ok := p.cache[key]; ok && finished(e) {
		p.staleServed++
		return p.dated(key, e), nil
	}
	if r := p.prev[key]; r != nil {
		p.staleServed++
		return p.dated(key, &entry{r: r}), nil
	}
	return nil, fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
}

// finished reports whether e is a rendering made without error (not one
// still being made, from a store that may no longer answer). p.mu must be
// held, or e out of the cache.
func finished(e *entry) bool {
	select {
	case <-e.done:
		return e.err == nil
	default:
		return false
	}
}

// storeFailed records a failed version check; only the first of an outage
// is logged. p.mu must be held.
func (p *Publisher) storeFailed(err error) {
	now := time.Now()
	if p.outage == nil {
		p.outageSince, p.staleServed = now, 0
		p.log.Warn("store unavailable: serving cached feeds until it answers", slog.Any("error", err))
	}
	p.outage, p.lastFail = err, now
}

// storeAnswered records a successful version check, which ends an outage
// once p.settle has passed since its last failure. p.mu must be held.
func (p *Publisher) storeAnswered() {
	if p.outage == nil || time.Since(p.lastFail) < p.settle {
		return
	}
	p.log.Info("store available again", slog.Time("failing_since", p.outageSince),
		slog.Duration("failing_for", p.lastFail.Sub(p.outageSince)),
		slog.Int("served_from_cache", p.staleServed), slog.Any("last_error", p.outage))
	p.outage = nil
}

// renderTimeout bounds one rendering of one feed.
const renderTimeout = 30 * time.Second

// entry is a cached rendering, or one being made (done still open).
type entry struct {
	done chan struct{}
	r    *Rendering
	err  error
	// dated is r with the date it was last served with, when that is not
	// r.Modified, so that serving it again allocates nothing.
	dated atomic.Pointer[Rendering]
}

// dated returns e's rendering with the date to serve it with now. It is
// chosen when the rendering is handed out, not when it is made: renderings
// of successive store versions may be finished, and served, in another
// order than they were begun.
func (p *Publisher) dated(key cacheKey, e *entry) *Rendering {
	mod := p.dates.date(key, e.r.ETag, e.r.Modified)
	if mod.Equal(e.r.Modified) {
		return e.r
	}
	if d := e.dated.Load(); d != nil && d.Modified.Equal(mod) {
		return d
	}
	d := *e.r
	d.Modified = mod
	e.dated.Store(&d)
	return &d
}

// Articles returns the combined items of feed name, newest first.
func (p *Publisher) Articles(ctx context.Context, name string) ([]feeds.Article, error) {
	f, ok := p.byNam[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownFeed, name)
	}
	items, _, err := p.items(ctx, f, f.Limit)
	return items, err
}

// Filtered returns what the rules of feed name leave out of it now, and
// how many items it holds (see Filtered), reading the store as a
// rendering does.
func (p *Publisher) Filtered(ctx context.Context, name string) (Filtered, int, error) {
	f, ok := p.byNam[name]
	if !ok {
		return Filtered{}, 0, fmt.Errorf("%w: %q", ErrUnknownFeed, name)
	}
	s, err := p.selectItems(ctx, f, f.Limit, time.Now())
	return s.left, len(s.items), err
}

// attribute sets each item's Via (see attribution) from the source states
// the store saved, when it offers them.
func (p *Publisher) attribute(ctx context.Context, f Feed, items []feeds.Article) error {
	var described map[string]feeds.SourceFeed
	if fr, ok := p.r.(FeedReader); ok && len(items) > 0 {
		seen := map[string]bool{}
		var names []string
		for i := range items {
			if s := items[i].Source; !seen[s] {
				seen[s] = true
				names = append(names, s)
			}
		}
		var err error
		if described, err = fr.SourceFeeds(ctx, names); err != nil {
			return fmt.Errorf("%w: read source states of feed %q: %w", ErrStoreUnavailable, f.Name, err)
		}
	} else if sr, ok := p.r.(StateReader); ok && len(items) > 0 {
		states, err := sr.SourceStates(ctx)
		if err != nil {
			return fmt.Errorf("%w: read source states of feed %q: %w", ErrStoreUnavailable, f.Name, err)
		}
		described = make(map[string]feeds.SourceFeed, len(states))
		for _, st := range states {
			described[st.Name] = st.Feed
		}
	}
	for i := range items {
		items[i].Via = attribution(&items[i], described[items[i].Source])
	}
	return nil
}

// attribution is where a published item says it was taken from: the
// feed its source fetched, as the feed describes itself (d), completed
// with the source's configured name and the URL it was fetched from (a
// merged story is its preferred copy's, whose Source and Origin it
// keeps). URLs are shown without credentials (opml.PublicURL), and one
// that is not http(s), a local file's, not at all.
func attribution(a *feeds.Article, d feeds.SourceFeed) *feeds.SourceFeed {
	v := &feeds.SourceFeed{
		Title: cmp.Or(d.Title, a.Source),
		ID:    d.ID,
		Link:  opml.PublicURL(d.Link),
		URL:   opml.PublicURL(cmp.Or(d.URL, a.Origin)),
	}
	if id := opml.PublicURL(v.ID); id != "" {
		v.ID = id // an http(s) id is a URL like any other
	}
	return v
}

// render renders page key.page of feed f in key.format, whose items start
// at start in the feed's items.
func (p *Publisher) render(ctx context.Context, f Feed, key cacheKey, start int, v store.Version) (*Rendering, error) {
	sel, err := p.walkItems(ctx, f, start+pageSize(f, key.format), v)
	if err != nil {
		return nil, err
	}
	if key.page == 1 && key.format != HTML && p.opts.OnFiltered != nil {
		p.opts.OnFiltered(f.Name, sel.left) // what the feed's own rendering leaves out
	}
	r, err := p.renderItems(f, key, start, v, sel.items, sel.exhausted)
	if err != nil {
		return nil, err
	}
	r.until = sel.until
	return r, nil
}

// renderItems renders page key.page of feed f, which starts at start in
// all, the feed's newest items (done when there are no more).
func (p *Publisher) renderItems(f Feed, key cacheKey, start int, v store.Version, all []feeds.Article, done bool) (*Rendering, error) {
	format := key.format
	if key.page > 1 && start >= len(all) {
		return nil, fmt.Errorf("%w: %s page %d", ErrNoPage, f.Name, key.page)
	}
	end := min(start+pageSize(f, format), len(all))
	items := all[min(start, len(all)):end]
	next := 0
	if (end < len(all) || !done) && end < MaxPagedItems {
		// Paging stops at the MaxPagedItems-th item: the page that
		// holds it is the last one linked, as RenderPage serves none after.
		next = key.page + 1
	}
	if format == HTML {
		return p.renderHTML(f, key.page, next, items, start, v)
	}
	title := f.Title
	if title == "" {
		title = f.Name
	}
	out := feeds.Feed{
		ID:          p.opts.BaseURL + "/feeds/" + f.Name,
		Title:       title,
		Description: f.Description,
		Link:        p.opts.BaseURL + "/",
		SelfURL:     p.PageURL(f.Name, format, key.page),
		Hub:         p.opts.Hub,
		Generator:   p.opts.Generator,
		Icon:        f.Icon,
		Logo:        f.Logo,
		Language:    f.Language,
		Rights:      f.Rights,
		Items:       items,
		LeadImage:   f.LeadImage,
		Paging:      p.paging(f.Name, format, key.page, next),
	}
	body, err := feeds.Render(out, format)
	if err != nil {
		return nil, fmt.Errorf("publish: render %s.%s: %w", f.Name, format.Ext(), err)
	}
	end = start + len(items)
	if limit := cmp.Or(p.opts.MaxBytes, MaxFeedBytes); len(body) > limit {
		size := len(body)
		var kept int
		if body, kept, err = fit(out, format, limit); err != nil {
			return nil, fmt.Errorf("publish: render %s.%s: %w", f.Name, format.Ext(), err)
		}
		if kept < len(items) && next == 0 {
			// What did not fit goes on a next page, which this one must
			// link: fit again with the link.
			next = key.page + 1
			out.Paging = p.paging(f.Name, format, key.page, next)
			if body, kept, err = fit(out, format, limit); err != nil {
				return nil, fmt.Errorf("publish: render %s.%s: %w", f.Name, format.Ext(), err)
			}
		}
		end = start + kept
		p.log.Warn("feed page too large, oldest items moved to the next page", slog.String("feed", f.Name), slog.String("format", format.Ext()),
			slog.Int("page", key.page), slog.Int("bytes", size), slog.Int("max_bytes", limit), slog.Int("items", len(items)), slog.Int("kept", kept))
	}
	return p.rendering(body, format, v, items, next, end), nil
}

// rendering wraps body, a rendering of items of store version v.
func (p *Publisher) rendering(body []byte, format feeds.Format, v store.Version, items []feeds.Article, next, end int) *Rendering {
	sum := sha256.Sum256(body)
	return &Rendering{Body: body, ETag: `"` + hex.EncodeToString(sum[:12]) + `"`, Modified: p.modified(v, items), Format: format, Next: next, end: end}
}

// modified is the earliest date a rendering of version v may be served
// with: the end of the second the store last changed in (any feed's
// change: a safe upper bound of this feed's), so that it is later than any
// Last-Modified sent before the change (none is sent ahead of the clock),
// and never before this configuration first served. Serving it may move it
// later still (see Dates).
func (p *Publisher) modified(v store.Version, items []feeds.Article) time.Time {
	mod := v.ChangedAt.UTC().Truncate(time.Second).Add(time.Second)
	if v.ChangedAt.IsZero() {
		mod = newest(items)
	}
	if mod.Before(p.created) {
		mod = p.created
	}
	return mod.UTC().Truncate(time.Second)
}

// MaxFeedBytes is the default bound of one rendering of one feed, which
// the server keeps in memory until the store changes. The articles' own
// bounds (feeds.Bound) keep a few items from reaching it, but not
// thousands of long ones: a page of a feed that would be larger keeps its
// newest items that fit, and the rest start the next page.
const MaxFeedBytes = 8 << 20

// fit renders f with as many of its newest items (f.Items are newest
// first) as fit in limit bytes, found by bisection: the size grows with
// the items kept. An item that makes the feed too large on its own is left
// out first, wherever it is: otherwise one such item, the newest, would
// take every other with it (it is on no page: it fits none). It returns
// the rendering and how many of f.Items it used up, kept or left out as
// too large on their own; the rest belong on the next page.
func fit(f feeds.Feed, format feeds.Format, limit int) ([]byte, int, error) {
	var all []feeds.Article
	var at []int // at[j] is the index in f.Items of all[j]
	for i := range f.Items {
		one := f
		one.Items = f.Items[i : i+1]
		b, err := feeds.Render(one, format)
		if err != nil {
			return nil, 0, err
		}
		if len(b) <= limit {
			all = append(all, f.Items[i])
			at = append(at, i)
		}
	}
	var body []byte
	lo, hi := 0, len(all)+1 // lo items fit (none always do), hi do not
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		f.Items = all[:mid]
		b, err := feeds.Render(f, format)
		if err != nil {
			return nil, 0, err
		}
		if len(b) <= limit {
			lo, body = mid, b
		} else {
			hi = mid
		}
	}
	if body == nil {
		f.Items = all[:lo]
		b, err := feeds.Render(f, format)
		if err != nil {
			return nil, 0, err
		}
		body = b
	}
	used := len(f.Items)
	if lo < len(all) {
		used = at[lo]
	}
	return body, used, nil
}

func newest(items []feeds.Article) time.Time {
	var t time.Time
	for _, a := range items {
		for _, c := range []time.Time{a.Updated, a.Published, a.FetchedAt} {
			if c.After(t) {
				t = c
			}
		}
	}
	return t
}
