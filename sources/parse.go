package sources

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"

	"github.com/tributary/tributary/feeds"
)

// DefaultMaxItems is how many items Parse keeps from one document (the first
// ones in document order) when the request does not say.
const DefaultMaxItems = 1000

const (
	maxCategories     = 50
	maxCategoryRunes  = 200
	maxAuthors        = 20
	maxAuthorFieldLen = 500
	// maxEnclosures bounds an item's enclosures: 150,000 of them made one
	// article of 12 MB in the store, alone larger than a rendered feed.
	maxEnclosures = 50
)

// ErrNotFeed is returned (wrapped) by Parse when the document is neither an
// RSS, Atom nor JSON feed, for instance an HTML page.
var ErrNotFeed = errors.New("document is not an RSS, Atom or JSON feed")

// Parse turns the bytes of an RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed
// 1.0/1.1 document into articles, in document order, keeping at most
// DefaultMaxItems. contentType is the HTTP Content-Type (its charset is used
// when the document does not declare one); feedURL is where the document
// came from and the base for relative links; source names the configured
// source; now is the fetch time (FetchedAt, and the bound for future dates).
// A document that a strict XML reader would reject is repaired (invalid
// bytes, forbidden characters, bare ampersands, leading junk) before Parse
// gives up. It returns an error wrapping ErrNotFeed when the document is not
// a feed at all.
func Parse(data []byte, contentType, feedURL, source string, now time.Time) (Result, error) {
	return parse(data, contentType, feedURL, source, now, DefaultMaxItems, nil)
}

// parse is Parse keeping at most maxItems articles, rewritten by rw.
func parse(data []byte, contentType, feedURL, source string, now time.Time, maxItems int, rw *rewriter) (Result, error) {
	if maxItems <= 0 {
		maxItems = DefaultMaxItems
	}
	feed, dropped, err := decodeFeed(data, contentType, maxItems)
	if err != nil {
		return Result{}, err
	}
	base, _ := url.Parse(strings.TrimSpace(feedURL))
	if base != nil && !base.IsAbs() {
		base = nil
	}
	c := &converter{base: base, source: source, origin: feedURL, now: now, rw: rw}
	c.feedAuthors = c.feedLevelAuthors(feed)

	res := Result{
		URL:     feedURL,
		Title:   feeds.TruncateRunes(feeds.PlainText(feed.Title), feeds.MaxTitleRunes),
		Link:    safeURL(c.base, feed.Link),
		Dropped: dropped,
	}
	if af, ok := feed.OriginalFeed().(*atom.Feed); ok {
		res.ID = feeds.TruncateRunes(feeds.StripControl(strings.TrimSpace(af.ID)), maxFeedIDRunes)
	}
	origs := originalItems(feed)
	seen := make(map[string]bool, min(len(feed.Items), maxItems))
	res.Articles = make([]feeds.Article, 0, min(len(feed.Items), maxItems))
	for i, it := range feed.Items {
		if len(res.Articles) >= maxItems {
			res.Capped = true
			break
		}
		var orig any
		if i < len(origs) {
			orig = origs[i]
		}
		a, ok := c.article(it, orig)
		if !ok || seen[a.ID] {
			continue
		}
		seen[a.ID] = true
		if c.inherited {
			if res.InheritedAuthors == nil {
				res.InheritedAuthors = map[string]bool{}
			}
			res.InheritedAuthors[a.ID] = true
		}
		if c.relativeLink != "" {
			if res.RelativeLinks == nil {
				res.RelativeLinks = map[string]string{}
			}
			res.RelativeLinks[a.ID] = c.relativeLink
		}
		res.Articles = append(res.Articles, a)
	}
	return res, nil
}

// newGofeed returns a parser that keeps the format-specific feed (for author
// URLs, avatars and content types the universal model drops), skips
// gofeed's own per-item HTML parse for images, which this package does
// itself only when no declared image exists, and survives nulls in JSON
// Feed lists (nullSafeJSON).
func newGofeed() *gofeed.Parser {
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	p.JSONTranslator = nullSafeJSON{}
	return p
}

// decodeFeed parses data with gofeed, repairing it once when it is rejected
// (repairXML, repairJSON; dropped names the JSON fields the repair had to
// drop). Only the first maxItems items (and some slack for empty and
// duplicate ones) of a document are parsed (cutAfterItems, cutJSONItems).
func decodeFeed(data []byte, contentType string, maxItems int) (feed *gofeed.Feed, dropped []string, err error) {
	if isJSON(data) {
		doc := cutJSONItems(prepareJSON(data, contentType), maxItems+maxItems/10+10)
		f, err := newGofeed().Parse(bytes.NewReader(doc))
		if err != nil {
			repaired, d := repairJSON(doc)
			if rf, rerr := newGofeed().Parse(bytes.NewReader(repaired)); rerr == nil {
				f, dropped, err = rf, d, nil
			}
		}
		if err != nil {
			return nil, nil, fmt.Errorf("parse json feed: %w", err)
		}
		if jf, ok := f.OriginalFeed().(*jsonfeed.Feed); ok && len(f.Items) == 0 &&
			!strings.Contains(jf.Version, "jsonfeed.org") {
			return nil, nil, fmt.Errorf("parse json feed: %w", ErrNotFeed)
		}
		return f, dropped, nil
	}
	data = cutAfterItems(prepareXML(data, contentType), maxItems+maxItems/10+10)
	f, err := newGofeed().Parse(bytes.NewReader(data))
	if err == nil {
		return f, nil, nil
	}
	repaired := repairXML(data)
	f, err = newGofeed().Parse(bytes.NewReader(repaired))
	if err == nil {
		return f, nil, nil
	}
	if closed := closeTruncated(repaired); closed != nil {
		if f, cerr := newGofeed().Parse(bytes.NewReader(closed)); cerr == nil {
			return f, nil, nil
		}
	}
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, nil, fmt.Errorf("parse feed: %w", ErrNotFeed)
	}
	return nil, nil, fmt.Errorf("parse feed: %w", err)
}

// originalItems returns the format-specific items, index-aligned with
// feed.Items.
func originalItems(feed *gofeed.Feed) []any {
	var out []any
	switch f := feed.OriginalFeed().(type) {
	case *rss.Feed:
		for _, it := range f.Items {
			out = append(out, it)
		}
	case *atom.Feed:
		for _, it := range f.Entries {
			out = append(out, it)
		}
	case *jsonfeed.Feed:
		for _, it := range f.Items {
			out = append(out, it)
		}
	}
	if len(out) != len(feed.Items) {
		return nil
	}
	return out
}

// converter turns gofeed items of one document into articles.
type converter struct {
	base        *url.URL // the feed URL, nil when unknown
	source      string
	origin      string
	now         time.Time
	rw          *rewriter // nil when the source rewrites nothing
	feedAuthors []feeds.Author
	// inherited tells whether the last item's authors are feedAuthors,
	// because it names none of its own.
	inherited bool
	// relativeLink is the last item's link as the document wrote it when
	// it was relative (resolved against base), else "".
	relativeLink string
}

func (c *converter) article(it *gofeed.Item, orig any) (feeds.Article, bool) {
	a := feeds.Article{
		Source:    c.source,
		Origin:    c.origin,
		Title:     c.rw.rewriteTitle(plainTitle(it.Title)),
		FetchedAt: c.now,
	}

	rawLink := c.itemLink(it, orig)
	a.Link = articleLink(c.base, rawLink)
	c.relativeLink = ""
	if a.Link != "" && !isAbsolute(rawLink) {
		c.relativeLink = feeds.TruncateRunes(feeds.StripControl(strings.TrimSpace(rawLink)), maxRelativeLinkRunes)
	}
	itemBase := c.base
	if u, err := url.Parse(a.Link); err == nil && a.Link != "" && u.IsAbs() {
		itemBase = u
	}

	summary, content := it.Description, it.Content
	summaryIsText, contentIsText := false, false
	switch o := orig.(type) {
	case *atom.Entry:
		summaryIsText = !looksLikeHTML(summary)
		if o.Content != nil {
			t := strings.ToLower(o.Content.Type)
			contentIsText = (t == "" || t == "text" || t == "text/plain") && !looksLikeHTML(content)
		}
	case *jsonfeed.Item:
		summaryIsText = true
		content, contentIsText = o.ContentHTML, false
		if content == "" {
			content, contentIsText = o.ContentText, true
		}
	}
	a.Summary = c.rw.sanitize(summary, summaryIsText, itemBase)
	if content == summary && contentIsText == summaryIsText {
		// Many feeds repeat the story in both: sanitized once, as
		// sanitizing is a function of its input.
		a.Content = a.Summary
	} else {
		a.Content = c.rw.sanitize(content, contentIsText, itemBase)
	}

	a.Authors = c.itemAuthors(it, orig)
	a.Enclosures = c.enclosures(it)
	a.Categories = cleanCategories(itemCategories(it, orig))
	a.Podcast = c.podcast(it)
	a.Image = c.itemImage(it, orig, a.Enclosures, a.Content, a.Summary)

	a.Published = c.date(it.PublishedParsed, it.Published)
	a.Updated = c.date(it.UpdatedParsed, it.Updated)
	feeds.Bound(&a)

	a.ID = feeds.SourceItemID(it.GUID, a.Link)
	if a.ID == "" {
		if a.Title == "" && a.Summary == "" && a.Content == "" && len(a.Enclosures) == 0 {
			return feeds.Article{}, false
		}
		a.ID = feeds.ContentID(a.Title, it.Published, a.Summary, a.Content)
	}
	return a, true
}

// itemLink picks the story URL: the link, else an RSS guid that is a
// permalink URL, else the first link of any kind; JSON items fall back to
// external_url.
func (c *converter) itemLink(it *gofeed.Item, orig any) string {
	if l := strings.TrimSpace(it.Link); l != "" {
		return l
	}
	switch o := orig.(type) {
	case *rss.Item:
		if o.GUID != nil && !strings.EqualFold(o.GUID.IsPermalink, "false") {
			if g := strings.TrimSpace(o.GUID.Value); strings.HasPrefix(g, "http://") || strings.HasPrefix(g, "https://") {
				return g
			}
		}
	case *jsonfeed.Item:
		if o.ExternalURL != "" {
			return o.ExternalURL
		}
	}
	for _, l := range it.Links {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

func (c *converter) date(parsed *time.Time, raw string) time.Time {
	if parsed != nil && !parsed.IsZero() {
		return plausible(*parsed, c.now)
	}
	if t, ok := parseDate(raw); ok {
		return plausible(t, c.now)
	}
	return time.Time{}
}

// plainTitle turns a title into plain text of at most feeds.MaxTitleRunes runes.
func plainTitle(s string) string {
	// Bound the work on absurd titles before tokenizing them.
	if limit := feeds.MaxTitleRunes * 16; len(s) > limit {
		s = s[:limit]
	}
	return feeds.TruncateRunes(feeds.PlainText(s), feeds.MaxTitleRunes)
}

var htmlTagRe = regexp.MustCompile(`(?i)<(/?[a-z][a-z0-9]*)(\s[^<>]*)?/?>|&(#\d+|#x[0-9a-f]+|[a-z]+);`)

// looksLikeHTML reports whether s contains a tag or an entity; Atom text
// constructs that do are treated as HTML, as many generators omit the type.
func looksLikeHTML(s string) bool {
	return htmlTagRe.MatchString(s)
}

// sanitize returns safe HTML for s: plain text is escaped (blank lines become
// paragraphs, newlines line breaks), HTML goes through feeds.SanitizeHTML with
// relative URLs resolved against base. Only the first maxSanitizeInput bytes
// of s are read.
func sanitize(s string, isText bool, base *url.URL) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	s = cutUTF8(s, maxSanitizeInput)
	if isText {
		return textToHTML(s)
	}
	return feeds.SanitizeHTML(s, base)
}

// maxSanitizeInput bounds the work (and the memory) of sanitizing one
// field, which feeds.Bound then cuts to at most feeds.MaxContentBytes:
// escaping can make text five times longer ("&" becomes "&amp;"), and more
// input than this would be cut anyway unless nearly all of it is markup
// the sanitizer drops.
const maxSanitizeInput = 4 * feeds.MaxContentBytes

// cutUTF8 returns the longest prefix of s of at most n bytes that does not
// split a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

var blankLinesRe = regexp.MustCompile(`\n\s*\n`)

// textToHTML escapes plain text into HTML paragraphs.
func textToHTML(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(feeds.StripControl(s), "\r\n", "\n"))
	if s == "" {
		return ""
	}
	paras := blankLinesRe.Split(s, -1)
	if len(paras) == 1 && !strings.Contains(s, "\n") {
		return html.EscapeString(s)
	}
	var b strings.Builder
	for _, p := range paras {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(p), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}

// safeURL resolves ref against base and returns it, or "" when it is empty
// or uses a scheme that runs code (javascript:, vbscript:, data:).
func safeURL(base *url.URL, ref string) string {
	abs, scheme := resolveLink(base, ref)
	// An allow-list: links are republished and may be followed (full
	// text), so file:, javascript:, data: and unknown schemes are dropped.
	switch scheme {
	case "http", "https", "mailto", "ftp", "magnet", "gemini":
		return abs
	}
	return ""
}

// articleLink is safeURL for an article's link, except that a local
// document (base is a file: URL) keeps its links to local files: they are
// its stories' pages, which full text reads from disk as far as the
// source's fetch policy allows (the files beside the document, see
// fetch.Policy.LocalDirs). A document fetched over http(s) never yields a
// file: link.
func articleLink(base *url.URL, ref string) string {
	if abs, scheme := resolveLink(base, ref); scheme == "file" && base != nil && base.Scheme == "file" {
		return abs
	}
	return safeURL(base, ref)
}

// isAbsolute reports whether ref, a link as a document wrote it, names
// its scheme (https://..., mailto:...): one that does not depends on the
// URL it is resolved against.
func isAbsolute(ref string) bool {
	u, err := url.Parse(strings.TrimSpace(feeds.StripControl(ref)))
	return err == nil && u.IsAbs()
}

// maxRelativeLinkRunes bounds a relative link kept as written
// (Result.RelativeLinks): it is shown, not followed.
const maxRelativeLinkRunes = 500

// resolveLink resolves ref against base and returns it with its scheme in
// lower case; both are "" when ref is empty or does not parse.
func resolveLink(base *url.URL, ref string) (abs, scheme string) {
	ref = strings.TrimSpace(feeds.StripControl(ref))
	if ref == "" {
		return "", ""
	}
	abs = feeds.ResolveURL(base, ref)
	u, err := url.Parse(abs)
	if err != nil {
		return "", ""
	}
	return abs, strings.ToLower(u.Scheme)
}

// httpURL is safeURL restricted to http and https URLs (for images).
func httpURL(base *url.URL, ref string) string {
	abs := safeURL(base, ref)
	if strings.HasPrefix(abs, "http://") || strings.HasPrefix(abs, "https://") {
		return abs
	}
	return ""
}

func (c *converter) enclosures(it *gofeed.Item) []feeds.Enclosure {
	var out []feeds.Enclosure
	seen := map[string]bool{}
	for _, e := range it.Enclosures {
		if e == nil {
			continue
		}
		u := safeURL(c.base, e.URL)
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		out = append(out, feeds.Enclosure{
			URL:    u,
			Type:   strings.TrimSpace(e.Type),
			Length: parseLength(e.Length),
		})
		if len(out) == maxEnclosures {
			break
		}
	}
	return out
}

// parseLength parses a byte count; anything else is 0.
func parseLength(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// maxFeedIDRunes bounds the feed id kept for attribution (Result.ID).
const maxFeedIDRunes = 500

// maxDuration bounds an episode's duration: longer is a mistake.
const maxDuration = 1000 * time.Hour

// podcast returns the iTunes details of an item: its duration, artwork
// and explicit flag, nil when it has none of them.
func (c *converter) podcast(it *gofeed.Item) *feeds.Podcast {
	x := it.ITunesExt
	if x == nil {
		return nil
	}
	p := feeds.Podcast{Duration: parseDuration(x.Duration), Image: httpURL(c.base, x.Image), Explicit: parseExplicit(x.Explicit)}
	if p == (feeds.Podcast{}) {
		return nil
	}
	return &p
}

// parseDuration reads an itunes:duration: seconds ("3600", "3600.5"),
// "MM:SS" or "HH:MM:SS"; anything else, or beyond maxDuration, is zero.
func parseDuration(s string) time.Duration {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) > 3 || parts[0] == "" {
		return 0
	}
	var secs float64
	for i, p := range parts {
		n, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || n < 0 || (i < len(parts)-1 && n != float64(int64(n))) {
			return 0
		}
		secs = secs*60 + n
	}
	d := time.Duration(secs) * time.Second
	if secs > maxDuration.Seconds() || d <= 0 {
		return 0
	}
	return d
}

// parseExplicit reads an itunes:explicit flag: Apple's "true" and
// "false", and the older "yes", "explicit", "no" and "clean".
func parseExplicit(s string) feeds.Explicit {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "explicit":
		return feeds.ExplicitYes
	case "false", "no", "clean":
		return feeds.ExplicitNo
	}
	return feeds.ExplicitUnknown
}

// itemCategories returns the categories of an item with their scheme and
// label: gofeed's universal model keeps one string per category, the
// Atom label in place of the term when there is one, and drops RSS's
// domain and Atom's scheme.
func itemCategories(it *gofeed.Item, orig any) []feeds.Category {
	switch o := orig.(type) {
	case *atom.Entry:
		out := make([]feeds.Category, 0, len(o.Categories))
		for _, c := range o.Categories {
			if c != nil {
				out = append(out, feeds.Category{Term: c.Term, Scheme: c.Scheme, Label: c.Label})
			}
		}
		return out
	case *rss.Item:
		out := make([]feeds.Category, 0, len(o.Categories))
		for _, c := range o.Categories {
			if c != nil {
				out = append(out, feeds.Category{Term: c.Value, Scheme: c.Domain})
			}
		}
		// gofeed lists them first, then what it also reads as
		// categories (itunes:keywords, dc:subject, atom:category).
		if len(it.Categories) >= len(out) {
			out = append(out, feeds.Terms(it.Categories[len(out):]...)...)
		}
		return out
	}
	return feeds.Terms(it.Categories...)
}

// cleanCategories makes terms and labels plain text and bounds them, keeps
// schemes that are URLs or plain words, and de-duplicates by term
// (case-insensitively, keeping the first spelling).
func cleanCategories(in []feeds.Category) []feeds.Category {
	var out []feeds.Category
	seen := map[string]bool{}
	for _, c := range in {
		c = feeds.Category{
			Term:   feeds.TruncateRunes(feeds.PlainText(c.Term), maxCategoryRunes),
			Scheme: feeds.TruncateRunes(feeds.StripControl(strings.TrimSpace(c.Scheme)), maxCategoryRunes),
			Label:  feeds.TruncateRunes(feeds.PlainText(c.Label), maxCategoryRunes),
		}
		if c.Label == c.Term {
			c.Label = ""
		}
		k := strings.ToLower(c.Term)
		if c.Term == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, c)
		if len(out) == maxCategories {
			break
		}
	}
	return out
}
