// Package extract turns an article's web page into a full article: its main
// content, sanitized, without the page's furniture (navigation, share bars,
// comments, related stories, newsletter boxes, ads, bylines, author boxes),
// and its metadata (title, authors with profile link, avatar and bio, lead
// image with caption and credit, dates, section, tags, canonical URL).
//
// The main content is found by go-readability; this package prepares the
// page for it and reads the metadata from, in order of trust, JSON-LD,
// OpenGraph and article:* meta, Twitter cards, microformats, microdata and
// bylines, and finally heuristics; authors are not taken first-found but
// ranked by how many, and which, of those places name them (rankAuthors).
// It is pure: bytes in, struct out; the caller fetches the page.
//
// It also learns and strips boilerplate: paragraphs that one source repeats
// across its articles (FindBoilerplate, StripParagraphs).
package extract

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"codeberg.org/readeck/go-readability/v2"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/sources/internal/htmldepth"
	"github.com/tributary/tributary/sources/internal/pagecharset"
	"github.com/tributary/tributary/sources/internal/pubdate"
)

// ErrNoContent is returned (wrapped) by Extract when the page holds no
// readable story. The Result returned with it still carries the metadata
// that was found.
var ErrNoContent = errors.New("extract: no article content found")

// Options tune an extraction.
type Options struct {
	// Remove lists extra CSS selectors of elements to drop from the page
	// before anything is read from it (site-specific furniture).
	Remove []string
	// Rewrite, when set, rewrites the content's HTML before it is
	// sanitized (a source's replace rules, see sources.Rewrite).
	Rewrite func(html string) string
	// Boilerplate lists the normalized text of paragraphs known to be
	// boilerplate for this source (see FindBoilerplate); they are removed
	// from Content.
	Boilerplate []string
	// ContentType is the Content-Type header of the response, when known;
	// its charset parameter wins over the page's <meta charset>.
	ContentType string
	// KnownAuthors are the author names the caller already has for the
	// story (the feed item's). They are the authors when the page names
	// no one, so that an "About the author" box that names no one gives
	// its bio to the single known author; and "About <name>" headings
	// that name one of them are read as author boxes.
	KnownAuthors []string
	// FeedAuthors are the names the feed gives the story, its item's or
	// its channel's, which the caller keeps unless the page names someone:
	// a page whose only author is a stand-in (the site's name, a job
	// title) names no one (Result.Authors is empty) when one of them, or
	// of KnownAuthors, is not a stand-in too. Unlike KnownAuthors they are
	// never given a bio.
	FeedAuthors []string
	// Now is the time the page's dates are judged at: a date that cannot
	// be the story's (before 1995, or days after Now; see
	// sources.PlausibleDate) gives way to the page's next signal. The
	// zero value means time.Now().
	Now time.Time
}

// Result is what Extract finds in a page. Text fields are plain text;
// URLs are absolute.
type Result struct {
	// Title is the story's headline.
	Title string
	// Content is the story's body as sanitized HTML, relative URLs made
	// absolute; the byline, the author box and the calls to action at its
	// end are removed.
	Content string
	// Excerpt is a plain-text summary: the page's description, else the
	// first paragraph.
	Excerpt string
	// Authors are the story's authors, with profile URL, avatar and bio
	// when the page gives them: the person the page's signals agree on
	// best, and the co-authors listed with them (see docs/full-text.md).
	Authors []feeds.Author
	// Image is the lead image, nil when there is none.
	Image *feeds.Image
	// Published and Updated are zero when the page does not say, or
	// gives no plausible date (see Options.Now).
	Published, Updated time.Time
	// Section is the section or category the page files the story under.
	Section string
	// Tags are the story's keywords, de-duplicated case-insensitively.
	Tags []string
	// Canonical is the canonical URL the page declares: its <link
	// rel=canonical>, else og:url, else the JSON-LD url; "" when none.
	Canonical string
	// SiteName is the name of the publication.
	SiteName string
	// Lang is the language of the page (BCP 47, e.g. "en-US").
	Lang string
}

// Extract reads the story in an HTML page. body is the page as fetched,
// in any charset it declares (opts.ContentType, a byte-order mark or
// <meta charset>; without a Content-Type charset or byte-order mark, a
// page that is valid UTF-8 is read as UTF-8); pageURL is the URL it was
// fetched from (after redirects), which with the page's <base href> makes
// links absolute. It fails when pageURL is not an absolute http(s) URL
// (or the file:///path URL of a local page) or an opts.Remove selector is
// invalid, and with an error wrapping
// ErrPageTooLarge when the page holds more than MaxPageSize of HTML
// besides its scripts, styles and SVG; when the page holds no readable
// text, it returns the metadata found together with an error wrapping
// ErrNoContent. Elements nested deeper than MaxDepth are flattened (their
// text kept) before the content is looked for; so are pages nested deeper
// than the HTML parser accepts, or, when that fails, the error wraps
// ErrPageTooDeep.
func Extract(body []byte, pageURL string, opts Options) (Result, error) {
	doc, base, err := parsePage(body, pageURL, opts)
	if err != nil {
		return Result{}, err
	}
	return extractDoc(doc, base, opts)
}

// parsePage decodes and parses the page, bounds its size and depth,
// applies opts.Remove, and returns it with the URL its links are relative
// to.
func parsePage(body []byte, pageURL string, opts Options) (*html.Node, *url.URL, error) {
	base, err := parseBase(pageURL)
	if err != nil {
		return nil, nil, err
	}
	removers := make([]cascadia.Selector, 0, len(opts.Remove))
	for _, s := range opts.Remove {
		sel, err := cascadia.Compile(s)
		if err != nil {
			return nil, nil, fmt.Errorf("extract: remove selector %q: %w", s, err)
		}
		removers = append(removers, sel)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil, fmt.Errorf("extract: empty page: %w", ErrNoContent)
	}
	page, err := pagecharset.ToUTF8(body, opts.ContentType)
	if err != nil {
		return nil, nil, fmt.Errorf("extract: decode page: %w", err)
	}
	if err := checkSize(page); err != nil {
		return nil, nil, err
	}
	doc, err := htmldepth.Parse(page)
	if err != nil {
		return nil, nil, fmt.Errorf("extract: parse page: %w", err)
	}
	if err := checkTree(doc); err != nil {
		return nil, nil, err
	}
	base = documentBase(doc, base)
	// The site's selectors match the page as written, before flattening.
	for _, sel := range removers {
		for _, n := range sel.MatchAll(doc) {
			detach(n)
		}
	}
	flattenDeep(doc, 0)
	return doc, base, nil
}

// documentBase returns the page's first <base href> resolved against the
// page URL, which is what relative URLs in the page are relative to; the
// page URL when there is none or it is not http(s).
func documentBase(doc *html.Node, pageURL *url.URL) *url.URL {
	b := firstElement(doc, func(n *html.Node) bool { return n.DataAtom == atom.Base && hasAttr(n, "href") })
	if b == nil {
		return pageURL
	}
	ref, err := url.Parse(strings.TrimSpace(attr(b, "href")))
	if err != nil {
		return pageURL
	}
	u := pageURL.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return pageURL
	}
	u.Fragment, u.RawFragment = "", ""
	return u
}

// parseBase parses the page URL: an absolute http(s) URL, or the file:
// URL of a local page (a local source's, see fetch.Policy.LocalDirs).
func parseBase(pageURL string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(pageURL))
	if err != nil {
		return nil, fmt.Errorf("extract: page url: %w", err)
	}
	web := (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
	local := u.Scheme == "file" && (u.Host == "" || u.Host == "localhost") && strings.HasPrefix(u.Path, "/")
	if !web && !local {
		return nil, fmt.Errorf("extract: page url %q is not an absolute http(s) or local file URL", pageURL)
	}
	return u, nil
}

func extractDoc(doc *html.Node, base *url.URL, opts Options) (Result, error) {
	c := candidates{known: opts.KnownAuthors, feed: append(slices.Clone(opts.KnownAuthors), opts.FeedAuthors...)}
	main := findMain(doc)
	furniture := findFurniture(doc, main)
	protected := func(n *html.Node) bool { return n == main || contains(n, main) }

	// Metadata, most trusted first.
	var scripts []string
	walk(doc, func(n *html.Node) bool {
		if n.DataAtom == atom.Script && strings.EqualFold(strings.TrimSpace(attr(n, "type")), "application/ld+json") {
			var b strings.Builder
			for t := n.FirstChild; t != nil; t = t.NextSibling {
				if t.Type == html.TextNode {
					b.WriteString(t.Data)
				}
			}
			scripts = append(scripts, b.String())
			return false
		}
		return true
	})
	parseJSONLD(scripts).fill(&c)
	metas := readMetas(doc)
	fillOpenGraph(&c, metas)
	fillTwitter(&c, metas)
	fillMicroformats(&c, doc)
	fillDateMetas(&c, metas)

	// Bylines and author boxes: read, then removed from the story.
	classBoxes := findClassBoxes(doc, base)
	exclude := make(map[*html.Node]bool)
	var boxNodes []*html.Node
	for _, b := range classBoxes {
		boxNodes = append(boxNodes, b.nodes...)
	}
	for _, n := range boxNodes {
		exclude[n] = true
	}
	bylines, bylineNodes := findBylines(doc, bylineScope(doc, main), exclude)
	c.authors = append(c.authors, bylines...)
	fillMetaAuthors(&c, metas)
	c.authors = append(c.authors, handleLinks(doc, c.handles))
	var known []string
	for _, l := range c.authors {
		for _, a := range l.authors {
			known = append(known, a.Name)
		}
	}
	for _, n := range bylineNodes {
		exclude[n] = true
	}
	headingBoxes := findHeadingBoxes(doc, base, append(known, opts.KnownAuthors...), exclude, protected)
	var boxAuthors []feeds.Author
	for _, b := range append(classBoxes, headingBoxes...) {
		boxAuthors = append(boxAuthors, b.author)
	}
	c.authors = append(c.authors, authorListing{sigBox, boxAuthors})

	fillHead(&c, doc, metas)
	furnitureSet := make(map[*html.Node]bool, len(furniture))
	for _, n := range furniture {
		furnitureSet[n] = true
	}
	fillHeuristics(&c, doc, main, furnitureSet)
	pageImgs := readImages(doc, base)
	storyFigs := storyFigures(doc, main, furnitureSet)

	// Prepare the page for readability.
	for _, n := range furniture {
		detach(n)
	}
	for _, n := range boxNodesToCut(append(classBoxes, headingBoxes...), c.resolveAuthors(base)) {
		detach(n)
	}
	for _, n := range bylineNodes {
		detach(n)
	}
	parser := readability.NewParser()
	art, err := parser.ParseAndMutate(doc, base)
	if err != nil {
		return Result{}, fmt.Errorf("extract: readability: %w", err)
	}
	c.title.add(art.Title())
	c.siteName.add(art.SiteName())
	// The library's byline: what it read from the metadata, or a byline
	// the page marks in a way findBylines does not know.
	if b := art.Byline(); b != "" {
		c.authors = append(c.authors, authorListing{sigLibrary, splitNames(b)})
	}
	c.lang.add(art.Language())

	res := Result{}
	var contentImgs []imageCand
	if art.Node != nil {
		cleanContent(art.Node, &c, opts)
		contentImgs = readImages(art.Node, base)
		// The first real paragraph, else the first one.
		for _, minLen := range []int{minExcerptLen, 1} {
			if p := firstElement(art.Node, func(n *html.Node) bool { return n.DataAtom == atom.P && len(text(n)) >= minLen }); p != nil {
				c.excerpt.add(text(p))
				break
			}
		}
	}
	res.Image = c.chooseImage(base, contentImgs, pageImgs)
	if art.Node != nil {
		root := unwrap(art.Node)
		keepLeadFigure(root, res.Image, contentImgs, storyFigs, base)
		tidyWhitespace(root)
		var b bytes.Buffer
		for c := root.FirstChild; c != nil; c = c.NextSibling {
			if err := html.Render(&b, c); err != nil {
				return Result{}, fmt.Errorf("extract: render content: %w", err)
			}
		}
		h := b.String()
		if opts.Rewrite != nil {
			h = opts.Rewrite(h)
		}
		res.Content = feeds.SanitizeHTML(h, base)
	}
	res.Title = feeds.PlainText(c.title.first())
	res.Excerpt = feeds.PlainText(c.excerpt.first())
	res.Authors = c.resolveAuthors(base)
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	res.Published = firstDate(c.published, now)
	res.Updated = firstDate(c.updated, now)
	res.Section = feeds.PlainText(c.section.first())
	res.Tags = c.firstTags()
	for _, u := range c.canonical {
		if res.Canonical = absURL(base, u); res.Canonical != "" {
			break
		}
	}
	res.SiteName = feeds.PlainText(c.siteName.first())
	for _, l := range c.lang {
		if rxLangTag.MatchString(l) {
			res.Lang = l
			break
		}
	}
	if strings.TrimSpace(feeds.PlainText(res.Content)) == "" {
		res.Content = ""
		return res, fmt.Errorf("extract: %s: %w", base, ErrNoContent)
	}
	return res, nil
}

// rxLangTag matches a BCP 47 language tag, loosely.
var rxLangTag = regexp.MustCompile(`^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$`)

// minExcerptLen is the length of a paragraph that can stand for the story.
const minExcerptLen = 80

// bylineScope is where a story's bylines are looked for: the <article>
// around the main content, else the main content's parent, else the page.
func bylineScope(doc, main *html.Node) *html.Node {
	if main == nil {
		return doc
	}
	for p := main; p != nil; p = p.Parent {
		if p.DataAtom == atom.Article {
			return p
		}
	}
	if main.Parent != nil {
		return main.Parent
	}
	return main
}

// firstDate returns the first value of l that parses as a date plausible
// at now.
func firstDate(l list, now time.Time) time.Time {
	for _, s := range l {
		if t := parseDate(s); !pubdate.Plausible(t, now).IsZero() {
			return t
		}
	}
	return time.Time{}
}

// cleanContent removes from readability's output what it leaves of the
// page's furniture: a leading "By ..." paragraph, the calls to action at
// the end, and the source's known boilerplate.
func cleanContent(root *html.Node, c *candidates, opts Options) {
	// A byline readability kept as the first paragraph.
	if p := firstElement(root, func(n *html.Node) bool { return isParagraph(n) && !hasBlockChild(n) && text(n) != "" }); p != nil {
		t := text(p)
		if len(t) < 120 && strings.HasPrefix(strings.ToLower(t), "by ") {
			for _, l := range c.authors {
				for _, a := range l.authors {
					if a.Name != "" && strings.Contains(t, a.Name) {
						detach(p)
					}
				}
			}
		}
	}
	stripCallsToAction(root)
	if len(opts.Boilerplate) > 0 {
		set := make(map[string]bool, len(opts.Boilerplate))
		for _, p := range opts.Boilerplate {
			set[NormalizeText(p)] = true
		}
		removeParagraphs(root, func(t string) bool { return set[t] })
	}
}

// storyFigures returns copies of the figures of the story (inside the
// <article> around the main content, outside the furniture), taken before
// readability runs: it often drops a lead figure that sits above the text.
func storyFigures(doc, main *html.Node, furniture map[*html.Node]bool) []*html.Node {
	if main == nil {
		return nil
	}
	var out []*html.Node
	walk(bylineScope(doc, main), func(n *html.Node) bool {
		if furniture[n] {
			return false
		}
		if isFigure(n) {
			out = append(out, cloneNode(n))
			return false
		}
		return true
	})
	return out
}

// keepLeadFigure puts the story's lead figure back at the top of the
// content when readability left it out.
func keepLeadFigure(root *html.Node, lead *feeds.Image, contentImgs []imageCand, figs []*html.Node, base *url.URL) {
	if lead == nil {
		return
	}
	for _, im := range contentImgs {
		if feeds.SameImage(im.url, lead.URL) {
			return
		}
	}
	for _, f := range figs {
		img := firstElement(f, func(n *html.Node) bool { return n.DataAtom == atom.Img })
		if img == nil {
			continue
		}
		src := imgSrc(img, base)
		if src == "" || !feeds.SameImage(src, lead.URL) {
			continue
		}
		// Lazy-loading attributes do not survive sanitizing: settle src.
		setAttr(img, "src", src)
		root.InsertBefore(f, root.FirstChild)
		return
	}
}

// unwrap returns the element whose children are the story: readability
// wraps its output in <div id="readability-page-1" class="page">, often
// around the page's own <div id="main"> or <article>, and those wrappers
// would only nest the story in the page that embeds it. It descends from
// root while the element holds nothing but one wrapper element.
func unwrap(root *html.Node) *html.Node {
	for {
		var only *html.Node
		for c := root.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode && strings.TrimSpace(c.Data) == "", c.Type == html.CommentNode:
				continue
			case c.Type == html.ElementNode && only == nil && isWrapper(c):
				only = c
				continue
			}
			return root
		}
		if only == nil {
			return root
		}
		root = only
	}
}

// isWrapper tells the elements that only group the story: div, article,
// section and main.
func isWrapper(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Div, atom.Article, atom.Section, atom.Main:
		return true
	}
	return false
}

// tidyWhitespace shrinks the indentation left between blocks, and the
// blank lines where furniture was, to one newline (outside <pre>).
func tidyWhitespace(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch {
		case c.Type == html.TextNode && strings.TrimSpace(c.Data) == "":
			if c.PrevSibling != nil && c.PrevSibling.Type == html.TextNode && strings.TrimSpace(c.PrevSibling.Data) == "" {
				n.RemoveChild(c)
			} else if strings.Contains(c.Data, "\n") {
				c.Data = "\n"
			}
		case c.Type == html.ElementNode && c.DataAtom != atom.Pre:
			tidyWhitespace(c)
		}
		c = next
	}
}
