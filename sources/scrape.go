package sources

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/sources/internal/htmldepth"
)

// attrSuffixRe matches the "@attr" ending of a selector.
var attrSuffixRe = regexp.MustCompile(`@([A-Za-z_:][-A-Za-z0-9_:.]*)$`)

// field is one compiled sub-selector: css (nil for the item itself) and the
// attribute to read ("" for the text or inner HTML). hit is set once css
// has matched an element (Result.Unmatched names the fields it never did).
type field struct {
	name string
	css  cascadia.Selector
	attr string
	set  bool
	hit  *bool
}

func compileField(name, s string) (field, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return field{}, nil
	}
	f := field{name: name, set: true, hit: new(bool)}
	if m := attrSuffixRe.FindStringSubmatchIndex(s); m != nil {
		f.attr = strings.ToLower(s[m[2]:m[3]])
		s = strings.TrimSpace(s[:m[0]])
	}
	if s == "" {
		return f, nil
	}
	css, err := cascadia.Compile(s)
	if err != nil {
		return field{}, fmt.Errorf("selector %s %q: %w", name, s, err)
	}
	f.css = css
	return f, nil
}

// find returns the first element the field selects within item.
func (f field) find(item *goquery.Selection) *goquery.Selection {
	if f.css == nil {
		return item
	}
	s := item.FindMatcher(f.css).First()
	if s.Length() > 0 {
		*f.hit = true
	}
	return s
}

// unmatched returns the names of the set sub-selectors that matched no
// element (those reading the item itself always match).
func (sc *scraper) unmatched() []string {
	var names []string
	for _, f := range []field{sc.title, sc.link, sc.summary, sc.image, sc.date} {
		if f.set && f.css != nil && !*f.hit {
			names = append(names, f.name)
		}
	}
	return names
}

// value returns the field's attribute, or the element's plain text.
func (f field) value(item *goquery.Selection) string {
	s := f.find(item)
	if s.Length() == 0 {
		return ""
	}
	if f.attr != "" {
		v, _ := s.Attr(f.attr)
		return strings.TrimSpace(v)
	}
	h, err := s.Html()
	if err != nil {
		return ""
	}
	return feeds.PlainText(h)
}

// ErrNoItems is matched (errors.Is) by the error of a page whose item
// selector matched no element: a listing that changed its markup, or a
// selector that never fit. It is a failure of the source, not an empty
// page, so that it is counted, backed off and shown like any other.
var ErrNoItems = errors.New("item selector matched nothing")

// NoItemsError is the error of a page whose item selector matched no
// element; it matches ErrNoItems.
type NoItemsError struct {
	// Selector is the item selector as configured.
	Selector string
}

// Error returns e.g. `page: item selector "div.post" matched nothing`.
func (e *NoItemsError) Error() string {
	return fmt.Sprintf("page: item selector %q matched nothing", e.Selector)
}

// Is reports whether target is ErrNoItems.
func (e *NoItemsError) Is(target error) bool { return target == ErrNoItems }

// scraper holds the compiled selectors of one page.
type scraper struct {
	item                              cascadia.Selector
	title, link, summary, image, date field
	// rw rewrites the articles; nil when the source rewrites nothing.
	rw *rewriter
	// summaryRoom is how many bytes of summary the page's remaining items
	// may still get (see scrapeUTF8).
	summaryRoom int
}

var (
	defaultTitle = cascadia.MustCompile("h1, h2, h3, h4, h5, h6")
	defaultLink  = cascadia.MustCompile("a[href]")
	defaultImage = cascadia.MustCompile("img")
	defaultDate  = cascadia.MustCompile("time")
)

func newScraper(sel Selectors) (*scraper, error) {
	if strings.TrimSpace(sel.Item) == "" {
		return nil, fmt.Errorf("scrape: item selector is empty")
	}
	item, err := cascadia.Compile(strings.TrimSpace(sel.Item))
	if err != nil {
		return nil, fmt.Errorf("scrape: selector item %q: %w", sel.Item, err)
	}
	s := &scraper{item: item}
	for _, f := range []struct {
		name string
		src  string
		dst  *field
	}{
		{"title", sel.Title, &s.title},
		{"link", sel.Link, &s.link},
		{"summary", sel.Summary, &s.summary},
		{"image", sel.Image, &s.image},
		{"date", sel.Date, &s.date},
	} {
		if *f.dst, err = compileField(f.name, f.src); err != nil {
			return nil, fmt.Errorf("scrape: %w", err)
		}
	}
	return s, nil
}

// Check compiles sel as Scrape does and returns what Scrape would refuse
// of it, before any page is fetched: an empty item selector, or a
// selector that is not CSS ("scrape: selector title \"h2[\": ...").
func (sel Selectors) Check() error {
	_, err := newScraper(sel)
	return err
}

// Scrape turns an HTML listing page into articles, one per element matching
// sel.Item, in document order. Sub-selectors are relative to the item;
// "css@attr" reads an attribute, otherwise Title and Date read the text and
// Summary keeps the inner HTML (sanitized, URLs made absolute). Empty
// sub-selectors default to: Title, the first heading (else the first link's
// text); Link, the item's own href or its first a[href]; Image, the first
// <img> that is not a tracking pixel (src, data-src or srcset); Date, the
// first <time> (datetime, else text); Summary, none. The ID is the absolute
// link, else a hash of title and date. Dates are parsed leniently; implausible
// ones (before 1995, after now+48h) become zero. The page's charset is read
// from its BOM or <meta>; pageURL (or <base href>) resolves relative URLs.
// The summaries of one page hold at most twice its size in all: when items
// nest, so that each summary repeats the next ones, the items past that
// get none. A page where sel.Item matches no element is a *NoItemsError;
// one whose matched items all lack a link and a title yields no articles
// and no error.
func Scrape(data []byte, pageURL, source string, sel Selectors, now time.Time) ([]feeds.Article, error) {
	sp, err := scrapeUTF8(htmlToUTF8(data, ""), pageURL, source, sel, now, nil)
	return sp.articles, err
}

// scraped is what scrapeUTF8 read of a page.
type scraped struct {
	articles []feeds.Article
	title    string
	// unmatched names the sub-selectors that matched nothing (see
	// Result.Unmatched).
	unmatched []string
}

// scrapeUTF8 is Scrape on a page already decoded to UTF-8; it also returns
// the page title and the sub-selectors that matched nothing, and rewrites
// the articles with rw.
func scrapeUTF8(data []byte, pageURL, source string, sel Selectors, now time.Time, rw *rewriter) (scraped, error) {
	sc, err := newScraper(sel)
	if err != nil {
		return scraped{}, err
	}
	sc.rw = rw
	root, err := htmldepth.Parse(data)
	if err != nil {
		return scraped{}, fmt.Errorf("scrape: parse html: %w", err)
	}
	doc := goquery.NewDocumentFromNode(root)
	base, _ := url.Parse(strings.TrimSpace(pageURL))
	if base != nil && !base.IsAbs() {
		base = nil
	}
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if u, err := url.Parse(strings.TrimSpace(href)); err == nil {
			if base != nil {
				u = base.ResolveReference(u)
			}
			if u.IsAbs() {
				base = u
			}
		}
	}
	title := plainTitle(doc.Find("title").First().Text())
	// Items that do not overlap share the page: their summaries together
	// are about its size. Nested items would each repeat the ones inside
	// them, 500 nested items of a 1 MB page making 195 MB; past twice the
	// page, the remaining items get no summary.
	sc.summaryRoom = 2 * len(data)

	var arts []feeds.Article
	seen := map[string]bool{}
	items := doc.FindMatcher(sc.item)
	if items.Length() == 0 {
		return scraped{title: title}, &NoItemsError{Selector: strings.TrimSpace(sel.Item)}
	}
	items.Each(func(_ int, item *goquery.Selection) {
		if len(arts) >= DefaultMaxItems {
			return
		}
		a, ok := sc.article(item, base, source, pageURL, now)
		if !ok || seen[a.ID] {
			return
		}
		seen[a.ID] = true
		arts = append(arts, a)
	})
	return scraped{articles: arts, title: title, unmatched: sc.unmatched()}, nil
}

func (sc *scraper) article(item *goquery.Selection, base *url.URL, source, pageURL string, now time.Time) (feeds.Article, bool) {
	a := feeds.Article{Source: source, Origin: pageURL, FetchedAt: now}

	// Title
	switch {
	case sc.title.set:
		a.Title = plainTitle(sc.title.value(item))
	default:
		if h := item.FindMatcher(defaultTitle).First(); h.Length() > 0 {
			a.Title = plainTitle(h.Text())
		} else if goquery.NodeName(item) == "a" {
			a.Title = plainTitle(item.Text())
		} else {
			a.Title = plainTitle(item.FindMatcher(defaultLink).First().Text())
		}
	}
	a.Title = sc.rw.rewriteTitle(a.Title)

	// Link
	var link string
	switch {
	case sc.link.set && sc.link.attr == "":
		// A selector without @attr means the element's href.
		link, _ = sc.link.find(item).Attr("href")
	case sc.link.set:
		link = sc.link.value(item)
	default:
		if href, ok := item.Attr("href"); ok && goquery.NodeName(item) == "a" {
			link = href
		} else {
			link, _ = item.FindMatcher(defaultLink).First().Attr("href")
		}
	}
	if link = strings.TrimSpace(link); !strings.HasPrefix(link, "#") {
		a.Link = articleLink(base, link)
	}

	// Summary
	if sc.summary.set && sc.summaryRoom > 0 {
		if sc.summary.attr != "" {
			a.Summary = sc.rw.sanitize(sc.summary.value(item), true, base)
		} else if s := sc.summary.find(item); s.Length() > 0 {
			if h, err := s.Html(); err == nil {
				a.Summary = sc.rw.sanitize(h, false, base)
			}
		}
		sc.summaryRoom -= len(a.Summary)
	}

	// Image
	a.Image = sc.scrapeImage(item, base)

	// Date
	var dateRaw string
	switch {
	case sc.date.set:
		dateRaw = sc.date.value(item)
	default:
		if t := item.FindMatcher(defaultDate).First(); t.Length() > 0 {
			if v, ok := t.Attr("datetime"); ok && strings.TrimSpace(v) != "" {
				dateRaw = v
			} else {
				dateRaw = t.Text()
			}
		}
	}
	if t, ok := parseDate(dateRaw); ok {
		a.Published = plausible(t, now)
	}
	feeds.Bound(&a)

	a.ID = feeds.SourceItemID("", a.Link)
	if a.ID == "" {
		if a.Title == "" && a.Summary == "" {
			return feeds.Article{}, false
		}
		a.ID = feeds.ContentID(a.Title, dateRaw, a.Summary, "")
	}
	return a, true
}

// scrapeImage reads the image field: an attribute when "@attr" is given,
// else the src of the selected <img> (or of the first <img> inside it).
func (sc *scraper) scrapeImage(item *goquery.Selection, base *url.URL) *feeds.Image {
	if sc.image.set && sc.image.attr != "" {
		if u := httpURL(base, sc.image.value(item)); u != "" {
			return &feeds.Image{URL: u}
		}
		return nil
	}
	var imgs *goquery.Selection
	switch {
	case sc.image.set:
		s := sc.image.find(item)
		if goquery.NodeName(s) == "img" {
			imgs = s
		} else {
			imgs = s.FindMatcher(defaultImage)
		}
	default:
		imgs = item.FindMatcher(defaultImage)
	}
	var img *feeds.Image
	imgs.EachWithBreak(func(_ int, s *goquery.Selection) bool {
		w, h := dimAttr(s.AttrOr("width", "")), dimAttr(s.AttrOr("height", ""))
		if w == 0 || w == 1 || h == 0 || h == 1 {
			return true
		}
		// Lazy-loading pages put a placeholder in src and the image in
		// data-src or srcset.
		src := strings.TrimSpace(s.AttrOr("src", ""))
		if src == "" || strings.HasPrefix(src, "data:") {
			src = strings.TrimSpace(s.AttrOr("data-src", ""))
		}
		if src == "" {
			if f := strings.Fields(s.AttrOr("srcset", "")); len(f) > 0 {
				src = f[0]
			}
		}
		if u := httpURL(base, src); u != "" {
			img = &feeds.Image{URL: u, Width: max(w, 0), Height: max(h, 0)}
			return false
		}
		return true
	})
	return img
}
