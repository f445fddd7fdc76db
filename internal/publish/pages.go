package publish

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/site"
	"github.com/tributary/tributary/internal/store"
)

// HTML is the format of the pages people read (see internal/site), beside
// the syndication formats; RenderPage and RenderIndex render it.
const HTML feeds.Format = "html"

// ErrNoPage is returned for a page a feed does not have: 0 or less, or
// past its end.
var ErrNoPage = errors.New("publish: no such page")

// CachedPages is how many pages of each feed and format are kept in the
// cache, like the first: a subscriber mostly reads the first, and an
// archive walk reads each page once. Deeper pages are rendered on every
// request (their ETags are the same for the same bytes, so they still
// answer 304), which keeps the cache's size bounded by the configuration
// rather than by the store.
const CachedPages = 4

// MaxPagedItems bounds how far back a paged feed goes: pages stop at its
// MaxPagedItems-th item, so that one request never reads more than a
// bounded number of articles from the store.
const MaxPagedItems = 10000

// MaxHTMLStories bounds the stories on one HTML page of a feed, whose
// limit may be thousands: people read pages of at most this many.
const MaxHTMLStories = 100

// pageSize is how many items a page of feed f holds in format: the feed's
// limit, at most MaxHTMLStories on an HTML page.
func pageSize(f Feed, format feeds.Format) int {
	if format == HTML {
		return min(f.Limit, MaxHTMLStories)
	}
	return f.Limit
}

// RenderPage returns page n (from 1) of feed name in format, which may be
// HTML, as Render does the first. Page 1 is the feed's own URL; page n+1
// holds the items after page n's, so that every item of a store version is
// on exactly one page. ErrNoPage is returned for a page past the end.
func (p *Publisher) RenderPage(ctx context.Context, name string, format feeds.Format, n int) (*Rendering, error) {
	if _, ok := p.byNam[name]; !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownFeed, name)
	}
	if format != HTML && format.Ext() == "" {
		return nil, fmt.Errorf("publish: render %s: %w: %q", name, feeds.ErrUnknownFormat, string(format))
	}
	if n < 1 || n > MaxPagedItems {
		return nil, fmt.Errorf("%w: %s page %d", ErrNoPage, name, n)
	}
	return p.get(ctx, cacheKey{name, format, n})
}

// RenderIndex returns the home page: every feed, and the newest stories of
// all of them together.
func (p *Publisher) RenderIndex(ctx context.Context) (*Rendering, error) {
	return p.get(ctx, cacheKey{"", HTML, 1})
}

// uncached renders key without the cache, for a page past CachedPages.
func (p *Publisher) uncached(ctx context.Context, key cacheKey) (*Rendering, error) {
	v, err := p.versions.read(ctx, p.r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
	}
	return p.renderKey(ctx, key, v)
}

// renderKey renders key from store version v, learning where the next
// page starts.
func (p *Publisher) renderKey(ctx context.Context, key cacheKey, v store.Version) (*Rendering, error) {
	if key.name == "" {
		return p.renderIndex(ctx, v)
	}
	f := p.byNam[key.name]
	start, err := p.start(ctx, f, key, v)
	if err != nil {
		return nil, err
	}
	r, err := p.render(ctx, f, key, start, v)
	if err != nil {
		return nil, err
	}
	p.learnStart(key, v, r)
	return r, nil
}

// learnStart remembers where the page after key, rendered as r from
// version v, starts.
func (p *Publisher) learnStart(key cacheKey, v store.Version, r *Rendering) {
	if r.Next == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case v.Counter < p.startsVer:
		return // a rendering of a version since replaced
	case v.Counter > p.startsVer:
		clear(p.starts)
		p.startsVer = v.Counter
	}
	p.starts[cacheKey{key.name, key.format, r.Next}] = r.end
}

// start returns where page key.page of feed f begins in its items: 0 for
// the first, else where the page before ended. When that is not known for
// version v, it renders the pages from the deepest one whose start is
// known up to the one before, from one read of the store: a deep page
// asked for after a change costs one read, not one per page before it.
func (p *Publisher) start(ctx context.Context, f Feed, key cacheKey, v store.Version) (int, error) {
	from, s := 1, 0
	p.mu.Lock()
	if p.startsVer == v.Counter {
		for i := key.page; i > 1; i-- {
			if st, ok := p.starts[cacheKey{key.name, key.format, i}]; ok {
				from, s = i, st
				break
			}
		}
	}
	p.mu.Unlock()
	if from == key.page {
		return s, nil
	}
	sel, err := p.walkItems(ctx, f, s+(key.page-from)*pageSize(f, key.format), v)
	if err != nil {
		return 0, err
	}
	all, done := sel.items, sel.exhausted
	for i := from; i < key.page; i++ {
		pk := cacheKey{key.name, key.format, i}
		r, err := p.renderItems(f, pk, s, v, all, done)
		if err != nil {
			return 0, err
		}
		if r.Next == 0 || r.end >= MaxPagedItems {
			return 0, fmt.Errorf("%w: %s page %d", ErrNoPage, key.name, key.page)
		}
		p.learnStart(pk, v, r)
		s = r.end
	}
	return s, nil
}

// keptItems are the newest items of a feed, and whether there are more.
type keptItems struct {
	items []feeds.Article
	done  bool
}

// walkItems is items of store version v, from what was kept of the last
// read when Options.KeepItems is set: a read that does not have n items
// reads twice as many as the last, so a walk of every page reads the
// store a few times.
func (p *Publisher) walkItems(ctx context.Context, f Feed, n int, v store.Version) (selection, error) {
	if !p.opts.KeepItems {
		return p.selectItems(ctx, f, n, time.Now())
	}
	p.mu.Lock()
	k, ok := p.kept[f.Name]
	if p.keptVer != v.Counter {
		ok = false
	}
	p.mu.Unlock()
	if ok && (len(k.items) >= n || k.done) {
		return selection{items: k.items[:min(n, len(k.items))], exhausted: k.done && n >= len(k.items)}, nil
	}
	sel, err := p.selectItems(ctx, f, max(n, 2*len(k.items)), time.Now())
	if err != nil {
		return selection{}, err
	}
	p.mu.Lock()
	if p.kept == nil || p.keptVer != v.Counter {
		p.kept, p.keptVer = map[string]keptItems{}, v.Counter
	}
	p.kept[f.Name] = keptItems{sel.items, sel.exhausted}
	p.mu.Unlock()
	items := sel.items
	return selection{items: items[:min(n, len(items))], exhausted: sel.exhausted && n >= len(items), left: sel.left, until: sel.until}, nil
}

// PageURL returns the absolute URL of page n of feed name in format (HTML
// for its page to read): page 1 is the feed's own URL, later pages add
// ?page=N, or with StaticPaths are files under BaseURL/feeds/NAME/page/.
func (p *Publisher) PageURL(name string, format feeds.Format, n int) string {
	base := p.opts.BaseURL + "/feeds/" + name
	switch {
	case format == HTML && n <= 1 && p.opts.StaticPaths:
		return base + "/"
	case format == HTML && n <= 1:
		return base
	case format == HTML && p.opts.StaticPaths:
		return base + "/page/" + strconv.Itoa(n) + ".html"
	case format == HTML:
		return base + "?page=" + strconv.Itoa(n)
	case n <= 1:
		return p.FeedURL(name, format)
	case p.opts.StaticPaths:
		return base + "/page/" + strconv.Itoa(n) + "." + format.Ext()
	}
	return p.FeedURL(name, format) + "?page=" + strconv.Itoa(n)
}

// IndexURL is the absolute URL of the home page.
func (p *Publisher) IndexURL() string { return p.opts.BaseURL + "/" }

// paging is the RFC 5005 links of page n of feed name in format; next is
// the next page's number, 0 on the last.
func (p *Publisher) paging(name string, format feeds.Format, n, next int) feeds.Paging {
	pg := feeds.Paging{First: p.PageURL(name, format, 1)}
	if n > 1 {
		pg.Previous = p.PageURL(name, format, n-1)
	}
	if next != 0 {
		pg.Next = p.PageURL(name, format, next)
	}
	return pg
}

// siteFeeds lists fs as the HTML pages show them.
func (p *Publisher) siteFeeds(fs ...Feed) []site.Feed {
	var out []site.Feed
	for _, f := range fs {
		out = append(out, site.Feed{Title: cmp.Or(f.Title, f.Name), Description: f.Description,
			Page: p.PageURL(f.Name, HTML, 1), RSS: p.FeedURL(f.Name, feeds.RSS), Atom: p.FeedURL(f.Name, feeds.Atom), JSON: p.FeedURL(f.Name, feeds.JSON)})
	}
	return out
}

// sitePage is what every HTML page shows besides its feeds and stories.
func (p *Publisher) sitePage() site.Page {
	return site.Page{SiteTitle: cmp.Or(p.opts.Title, "Tributary"), Home: p.IndexURL(), Number: 1,
		FeedsOPML: p.opts.BaseURL + "/feeds.opml", SourcesOPML: p.opts.BaseURL + "/sources.opml"}
}

// renderHTML renders page n of feed f: items, the first of which is the
// feed's start-th.
func (p *Publisher) renderHTML(f Feed, n, next int, items []feeds.Article, start int, v store.Version) (*Rendering, error) {
	pg := p.sitePage()
	pg.Title, pg.Description, pg.Number = cmp.Or(f.Title, f.Name), f.Description, n
	pg.Feeds, pg.Stories, pg.Language = p.siteFeeds(f), items, f.Language
	if n > 1 {
		pg.Previous = p.PageURL(f.Name, HTML, n-1)
	}
	if next != 0 {
		pg.Next = p.PageURL(f.Name, HTML, next)
	}
	body, err := site.Render(pg)
	if err != nil {
		return nil, fmt.Errorf("publish: render page of %s: %w", f.Name, err)
	}
	return p.rendering(body, HTML, v, items, next, start+len(items)), nil
}

// IndexStories is how many stories the home page shows: the newest of
// every feed's first page together, merged as a feed would merge them.
const IndexStories = 30

func (p *Publisher) renderIndex(ctx context.Context, v store.Version) (*Rendering, error) {
	var all []feeds.Article
	var until time.Time // when the first story ages out of its feed (max_age)
	for _, f := range p.opts.Feeds {
		sel, err := p.selectItems(ctx, f, min(f.Limit, IndexStories), time.Now())
		if err != nil {
			return nil, err
		}
		all = append(all, sel.items...)
		if !sel.until.IsZero() && (until.IsZero() || sel.until.Before(until)) {
			until = sel.until
		}
	}
	pg := p.sitePage()
	pg.Title = pg.SiteTitle
	pg.Feeds, pg.Stories = p.siteFeeds(p.opts.Feeds...), feeds.Combine(all, IndexStories)
	body, err := site.Render(pg)
	if err != nil {
		return nil, fmt.Errorf("publish: render home page: %w", err)
	}
	r := p.rendering(body, HTML, v, pg.Stories, 0, 0)
	r.until = until
	return r, nil
}
