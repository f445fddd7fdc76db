package extract

import (
	"cmp"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tributary/tributary/feeds"
)

var (
	// rxBylinePrefix is what precedes a name in a byline.
	// So is a label of a byline in another script: Russian "Автор:",
	// Arabic "بقلم", Chinese and Japanese "作者：", "記者".
	rxBylinePrefix = regexp.MustCompile(`(?i)^(?:(?:(?:written|posted|published|reported|authored|words|story|text|article)\s+by|by|author|authors|from|posted)\s*[:\-–—]?\s+|(?:авторы?|текст|بقلم)(?:\s*[:\-–—]\s*|\s+)|(?:作者|记者|記者)\s*[:：]?\s*)`)
	// rxDateTail is a date following a name in a byline.
	rxDateTail = regexp.MustCompile(`(?i)\s+(?:on\s+|updated\s+|published\s+)?(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|\d{1,4}[-/.]\d).*$`)
	// rxWeekdayTail is a weekday glued after a name ("Joe Wee Monday"),
	// with what follows it.
	rxWeekdayTail = regexp.MustCompile(`(?i)\s+(?:on\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b.*$`)
	// rxNameSplit separates the names of several authors: "and" in a few
	// languages (Russian "и" too), commas, semicolons, and "Edited by"; then rxAmpSplit
	// splits at "&", but for two single words around it (rxFirm).
	rxNameSplit = regexp.MustCompile(`(?i)\s*(?:,\s*and\s+|\s+(?:and|et|und|и)\s+|,\s*|;\s*|\s+(?:edited|reviewed|translated|illustrated)\s+by\s+)`)
	rxAmpSplit  = regexp.MustCompile(`\s*&\s*`)
	// rxFirm is a firm's name, not two people: "Procter & Gamble".
	rxFirm = regexp.MustCompile(`^\s*[^\s&]+\s*&\s*[^\s&]+\s*$`)
	// rxWithAuthors is a parenthesis naming co-authors: "(avec Damien
	// Leloup et Morgane Tual)".
	rxWithAuthors = regexp.MustCompile(`(?i)\s*\((?:with|avec|mit|con|com)\s+([^)]+)\)`)
	// rxCredential is an academic or professional title after a name:
	// "Brenda Goodman, MA".
	rxCredential = regexp.MustCompile(`^(?:MA|MS|MSc|BA|BS|MD|PhD|Ph\.D\.|RN|MPH|JD|DVM|MBA)$`)
	// rxCredentialTail is such a title at the end of a name.
	rxCredentialTail = regexp.MustCompile(`,\s*(?:MA|MS|MSc|BA|BS|MD|PhD|Ph\.D\.|RN|MPH|JD|DVM|MBA)\.?$`)
	// rxURLParen is a home page in parentheses after a name.
	rxURLParen = regexp.MustCompile(`\s*\(\s*https?://[^)]*\)`)
	// rxJobTitle marks a byline part that is a job title, not a name.
	rxJobTitle = regexp.MustCompile(`(?i)\b(?:writer|editor|reporter|correspondent|staff|contributor|columnist|journalist|intern|producer|desk)\b`)
	// rxInitialEnd is a name ending in an initial ("Kooman, F."), whose
	// full stop stays.
	rxInitialEnd = regexp.MustCompile(`(?:^|[\s,.])\p{Lu}\.$`)
	// rxAboutAuthor is the heading of an author box that names no one.
	rxAboutAuthor = regexp.MustCompile(`(?i)^about (?:the |this )?(?:authors?|writers?|contributors?|reporters?|columnists?)\s*:?$`)
	// rxAboutName is the heading of an author box that names the author.
	rxAboutName = regexp.MustCompile(`(?i)^(?:about|more about|more from|written by|posted by|by)\s+(.+?)\s*:?$`)
	// rxProfileLink matches the paths of author profile pages.
	rxProfileLink = regexp.MustCompile(`(?i)/(?:author|authors|people|person|staff|profile|profiles|writer|writers|contributor|contributors|by|journalist|journalists|reporters?)/[^/?#]+`)
	// rxNotName matches link texts that are not names ("View all posts").
	rxNotName = regexp.MustCompile(`(?i)^(?:view|see|more|all|read|follow|posts|articles|website|contact|email|twitter|facebook)\b`)
)

// cleanName turns the text of a byline into a name: prefixes like "By"
// removed, a trailing date or "| section" dropped. It returns "" for what
// cannot be a name (too long, a URL, a job title).
func cleanName(s string) string {
	s = feeds.PlainText(s)
	for {
		t := rxBylinePrefix.ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = t
	}
	for _, sep := range []string{"|", "•", "·", " — ", " – ", " - ", "\n"} {
		if i := strings.Index(s, sep); i > 0 {
			s = s[:i]
		}
	}
	s = rxURLParen.ReplaceAllString(s, "")
	s = rxDateTail.ReplaceAllString(s, "")
	s = rxCredentialTail.ReplaceAllString(s, "")
	if t := rxWeekdayTail.ReplaceAllString(s, ""); len(strings.Fields(t)) >= 2 {
		s = t
	}
	s = strings.Trim(s, " ,;:-–—|")
	if !strings.Contains(s, " ") || !rxInitialEnd.MatchString(s) {
		s = strings.TrimRight(s, ".")
	}
	if s == "" || isURL(s) || utf8.RuneCountInString(s) > 80 || len(strings.Fields(s)) > 8 {
		return ""
	}
	return s
}

// splitNames reads the authors named in a byline or meta author: "By Jane
// Doe and John Smith", "Jane Doe, Staff Writer".
func splitNames(s string) []feeds.Author {
	s = rxWithAuthors.ReplaceAllString(feeds.PlainText(s), ", $1")
	s = cleanName(s)
	if s == "" {
		return nil
	}
	// "Kooman, F." is one name.
	if rxSurnameInitials.MatchString(s) {
		return []feeds.Author{{Name: s}}
	}
	var parts []string
	for _, p := range rxNameSplit.Split(s, -1) {
		if rxFirm.MatchString(p) {
			parts = append(parts, p)
		} else {
			parts = append(parts, rxAmpSplit.Split(p, -1)...)
		}
	}
	// "Mac & i" is one name: a part too short to be a name keeps the
	// byline whole.
	for _, p := range parts {
		if p = cleanName(p); p != "" && utf8.RuneCountInString(p) < 2 {
			return []feeds.Author{{Name: s}}
		}
	}
	var out []feeds.Author
	seen := make(map[string]bool)
	for _, part := range parts {
		part = cleanName(part)
		if part == "" || rxJobTitle.MatchString(part) && len(out) > 0 || rxCredential.MatchString(part) || seen[strings.ToLower(part)] {
			continue
		}
		seen[strings.ToLower(part)] = true
		out = append(out, feeds.Author{Name: part})
	}
	return out
}

// isBoxClass reports whether n's class or id names an author box.
func isBoxClass(n *html.Node) bool {
	for _, t := range append(strings.Fields(strings.ToLower(attr(n, "class"))), strings.ToLower(attr(n, "id"))) {
		switch t {
		case "author-bio", "author-box", "about-author", "author-description", "author-info",
			"author-card", "author-profile", "author-details", "author-about", "saboxplugin-wrap",
			"abh_box", "post-author-box", "entry-author-box", "bio-box", "author-bio-box",
			"authorbox", "author-block", "author-wrap", "author-bio-section":
			return true
		}
	}
	if hasClass(n, "h-card") && firstElement(n, func(e *html.Node) bool { return hasClass(e, "p-note") }) != nil {
		return true
	}
	return false
}

// authorBox is an "About the author" block: who it describes and the
// nodes to remove from the story.
type authorBox struct {
	nodes  []*html.Node
	author feeds.Author
}

// boxNodesToCut returns the nodes of the author boxes to remove from the
// story, given the authors resolveAuthors returned: a box that holds a bio
// goes only when it describes one of those authors and that author has a
// bio, so that a bio is never lost with its box; a box without a bio (a
// name and an avatar) is furniture and always goes.
func boxNodesToCut(boxes []authorBox, authors []feeds.Author) []*html.Node {
	group := make([]feeds.Author, len(boxes))
	names := make([]string, len(authors))
	for i, b := range boxes {
		group[i] = b.author
	}
	for i, a := range authors {
		names[i] = a.Name
	}
	var out []*html.Node
	for _, b := range boxes {
		cut := b.author.Bio == ""
		for _, a := range authors {
			cut = cut || a.Bio != "" && describes(b.author, group, a.Name, names)
		}
		if cut {
			out = append(out, b.nodes...)
		}
	}
	return out
}

// findClassBoxes returns the author boxes marked by their class.
func findClassBoxes(doc *html.Node, base *url.URL) []authorBox {
	var out []authorBox
	walk(doc, func(n *html.Node) bool {
		if !isBoxClass(n) {
			return true
		}
		out = append(out, authorBox{nodes: []*html.Node{n}, author: parseBox(n, base)})
		return false
	})
	return out
}

// headingName reads the name from an author box heading: "About Jane Doe"
// gives "Jane Doe", "About the author" gives "" and ok; other text gives
// !ok.
func headingName(s string) (name string, ok bool) {
	if rxAboutAuthor.MatchString(s) {
		return "", true
	}
	if m := rxAboutName.FindStringSubmatch(s); m != nil {
		if n := cleanName(m[1]); n != "" && isNameLike(n) {
			return n, true
		}
	}
	return "", false
}

// isNameLike reports whether s looks like a person's or an organization's
// name: one to five words, each starting with an upper-case letter.
func isNameLike(s string) bool {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 5 {
		return false
	}
	for _, w := range f {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) && !strings.ContainsAny(w, ".'") {
			return false
		}
	}
	return true
}

// parseBox reads the author an author box describes: name, profile link,
// avatar and bio.
func parseBox(box *html.Node, base *url.URL) feeds.Author {
	var a feeds.Author
	var skip []*html.Node
	nameEl := firstElement(box, func(n *html.Node) bool {
		if attr(n, "itemprop") == "name" {
			return true
		}
		for _, c := range []string{"author-name", "author-title", "author-box-title", "fn", "p-name", "saboxplugin-authorname", "author-box-name", "author-heading"} {
			if hasClass(n, c) {
				return true
			}
		}
		return false
	})
	if nameEl != nil {
		skip = append(skip, nameEl)
		t := text(nameEl)
		if n, ok := headingName(t); ok {
			a.Name = n
		} else {
			a.Name = cleanName(t)
		}
	}
	walk(box, func(n *html.Node) bool {
		if isHeading(n) || n.DataAtom == atom.Strong && utf8.RuneCountInString(text(n)) < 60 && n.Parent != nil && text(n.Parent) == text(n) {
			skip = append(skip, n)
			if name, ok := headingName(text(n)); ok && a.Name == "" {
				a.Name = name
			}
			return false
		}
		return true
	})
	// Profile link: rel=author, a u-url, a link to an author page, or the
	// link around the name.
	if l := firstElement(box, func(n *html.Node) bool {
		if n.DataAtom != atom.A {
			return false
		}
		return strings.Contains(" "+attr(n, "rel")+" ", " author ") || hasClass(n, "u-url") || hasClass(n, "url") || rxProfileLink.MatchString(attr(n, "href"))
	}); l != nil {
		a.URL = attr(l, "href")
	} else if nameEl != nil {
		for p := nameEl; p != nil && p != box.Parent; p = p.Parent {
			if p.DataAtom == atom.A {
				a.URL = attr(p, "href")
				break
			}
		}
		if a.URL == "" {
			if l := firstElement(nameEl, func(n *html.Node) bool { return n.DataAtom == atom.A }); l != nil {
				a.URL = attr(l, "href")
			}
		}
	}
	if img := firstElement(box, func(n *html.Node) bool { return n.DataAtom == atom.Img }); img != nil {
		a.Avatar = imgSrc(img, base)
		if a.Name == "" && (hasClass(img, "u-photo") || hasClass(img, "avatar") || hasClass(img, "photo")) {
			a.Name = cleanName(attr(img, "alt"))
			if !isNameLike(a.Name) {
				a.Name = ""
			}
		}
	}
	// Bio: the element marked as such, else the box's text without its
	// heading, name and link lists.
	bioEl := firstElement(box, func(n *html.Node) bool {
		if attr(n, "itemprop") == "description" {
			return true
		}
		for _, c := range []string{"p-note", "author-description", "author-bio-text", "saboxplugin-desc", "author-bio-content", "author-box-content", "bio", "author-bio"} {
			if hasClass(n, c) {
				return true
			}
		}
		return false
	})
	if bioEl == nil {
		bioEl = box
	}
	a.Bio = bioText(bioEl, skip)
	return a
}

// bioText is the text of n without the skipped nodes, images, link lists
// and "View all posts" links.
func bioText(n *html.Node, skip []*html.Node) string {
	s := NormalizeText(textWithout(n, func(e *html.Node) bool {
		if slices.Contains(skip, e) {
			return true
		}
		switch e.DataAtom {
		case atom.Img, atom.Ul, atom.Ol, atom.Nav, atom.Svg, atom.Button, atom.Form:
			return true
		case atom.A:
			return rxNotName.MatchString(text(e))
		}
		return hasClass(e, "author-social") || hasClass(e, "social") || hasClass(e, "author-links")
	}))
	if m := rxAboutAuthor.FindString(s); m != "" {
		s = strings.TrimSpace(s[len(m):])
	}
	if utf8.RuneCountInString(s) < 20 {
		return ""
	}
	return s
}

// maxBoxText bounds the text after an "About the author" heading that is
// taken for the bio.
const maxBoxText = 1500

// findHeadingBoxes returns the author boxes that only a heading marks:
// "About the author", or "About Jane Doe" for a known author, followed by
// the bio at the end of its container. The subtrees of the nodes in
// exclude are skipped.
func findHeadingBoxes(doc *html.Node, base *url.URL, known []string, exclude map[*html.Node]bool, protected func(*html.Node) bool) []authorBox {
	var out []authorBox
	walk(doc, func(h *html.Node) bool {
		if exclude[h] {
			return false
		}
		if !isHeading(h) && !isLabelParagraph(h) {
			return true
		}
		name, ok := headingName(text(h))
		if !ok || name != "" && !knownName(name, known) {
			return false
		}
		// The bio: the elements after the heading, up to the end of the
		// container (short), skipping furniture.
		var sibs []*html.Node
		total := 0
		for s := h.NextSibling; s != nil; s = s.NextSibling {
			if s.Type == html.TextNode && strings.TrimSpace(s.Data) != "" {
				total += len(s.Data)
				continue
			}
			if s.Type != html.ElementNode || isFurniture(s) || exclude[s] {
				continue
			}
			if isHeading(s) || len(sibs) == 3 {
				return false
			}
			sibs = append(sibs, s)
			total += len(text(s))
		}
		if len(sibs) == 0 || total > maxBoxText {
			return false
		}
		// The whole container is the box when it holds nothing else.
		nodes := append([]*html.Node{h}, sibs...)
		parent := h.Parent
		alone := parent != nil && !protected(parent) && parent.DataAtom != atom.Body
		for s := h.PrevSibling; s != nil && alone; s = s.PrevSibling {
			if s.Type == html.ElementNode && !isFurniture(s) || s.Type == html.TextNode && strings.TrimSpace(s.Data) != "" {
				alone = false
			}
		}
		box := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
		if alone {
			nodes = []*html.Node{parent}
		}
		// Read the box from a detached copy of the heading and bio.
		for _, n := range append([]*html.Node{h}, sibs...) {
			box.AppendChild(cloneNode(n))
		}
		a := parseBox(box, base)
		if alone && a.Avatar == "" {
			if img := firstElement(parent, func(n *html.Node) bool { return n.DataAtom == atom.Img }); img != nil {
				a.Avatar = imgSrc(img, base)
			}
		}
		if a.Name == "" {
			a.Name = name
		}
		// "About Nico" names Nico Parungo when he is the one known: the
		// full name, so the bio finds him among the feed's authors.
		a.Name = knownFullName(a.Name, known)
		if a.Bio == "" {
			return false
		}
		out = append(out, authorBox{nodes: nodes, author: a})
		return false
	})
	return out
}

// isLabelParagraph reports whether n is a paragraph that is nothing but a
// short bold label, the way editors fake headings: <p><strong>About the
// author</strong></p>.
func isLabelParagraph(n *html.Node) bool {
	if n.DataAtom != atom.P && n.DataAtom != atom.Div {
		return false
	}
	// Only the element children are looked at, so that every div of a
	// deeply nested page is not read whole.
	var label *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode && strings.TrimSpace(c.Data) == "":
		case c.Type == html.ElementNode && (c.DataAtom == atom.Strong || c.DataAtom == atom.B) && label == nil:
			label = c
		default:
			return false
		}
	}
	if label == nil {
		return false
	}
	t := text(label)
	return t != "" && utf8.RuneCountInString(t) <= 60
}

// knownName reports whether name is, or is part of, one of known.
func knownName(name string, known []string) bool {
	for _, k := range known {
		if strings.EqualFold(k, name) || strings.Contains(" "+strings.ToLower(k)+" ", " "+strings.ToLower(name)+" ") {
			return true
		}
	}
	return false
}

// knownFullName returns the known name that name is, or is a part of
// ("Nico" of "Nico Parungo"), preferring an exact match; name itself when
// none is.
func knownFullName(name string, known []string) string {
	for _, k := range known {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	for _, k := range known {
		if name != "" && strings.Contains(" "+strings.ToLower(k)+" ", " "+strings.ToLower(name)+" ") {
			return k
		}
	}
	return name
}

// cloneNode returns a deep copy of n, detached.
func cloneNode(n *html.Node) *html.Node {
	c := &html.Node{Type: n.Type, DataAtom: n.DataAtom, Data: n.Data, Namespace: n.Namespace}
	c.Attr = append([]html.Attribute(nil), n.Attr...)
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		c.AppendChild(cloneNode(k))
	}
	return c
}

// isBylineEl reports whether n is marked as a byline or an author name.
func isBylineEl(n *html.Node) bool {
	if isAuthorMarkup(n) {
		return true
	}
	for _, t := range append(strings.Fields(strings.ToLower(attr(n, "class"))), strings.ToLower(attr(n, "id"))) {
		switch t {
		case "byline", "pb-byline", "byline-text", "by-author", "author", "post-author", "entry-author", "author-name", "article-author",
			"p-author", "article__author", "story-byline", "byline-author", "article-byline", "post-byline", "c-byline",
			"featurebyline", "authorname", "author-byline", "byline__author", "byline-name":
			return true
		}
	}
	return false
}

// isAuthorMarkup reports whether n is marked up as the author in a
// machine-readable way: itemprop=author, or a rel=author link.
func isAuthorMarkup(n *html.Node) bool {
	return bylineSignal(n) != sigByline
}

// bylineSignal is the signal a byline element gives: microdata for
// itemprop=author, rel=author for such a link, else a visible byline.
func bylineSignal(n *html.Node) signal {
	if slices.Contains(strings.Fields(attr(n, "itemprop")), "author") {
		return sigMicrodata
	}
	if n.DataAtom == atom.A && slices.Contains(strings.Fields(strings.ToLower(attr(n, "rel"))), "author") {
		return sigRelAuthor
	}
	return sigByline
}

// isForeign reports whether n is a part of the page that speaks of other
// stories or other people: comments, related stories, sidebars.
func isForeign(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Aside, atom.Nav:
		return true
	}
	return isForeignClass(n)
}

// isForeignClass reports whether n's class or id names a part of the
// page about other stories or people.
func isForeignClass(n *html.Node) bool {
	s := strings.ToLower(attr(n, "class") + " " + attr(n, "id"))
	for _, w := range []string{"comment", "respond", "disqus", "related", "sidebar", "widget", "recommend", "more-stories", "read-next", "more-by", "tab-more"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// maxBylineText bounds a byline: a longer element is not one.
const maxBylineText = 200

// findBylines returns the authors the bylines of the story name, one
// listing per byline element, and the byline elements to remove from it.
// scope is where the story lives: there, any element marked as a byline
// counts, outside <aside> and <nav>; in an aside of the story, and in the
// rest of the page, only author markup (itemprop=author, rel=author) does,
// and it stays. Comments and related stories never count; the subtrees of
// the nodes in exclude (author boxes) are skipped.
func findBylines(doc, scope *html.Node, exclude map[*html.Node]bool) ([]authorListing, []*html.Node) {
	var listings []authorListing
	var nodes []*html.Node
	// add reads byline n; outside the story, its markup is a weaker
	// signal (a review's or a comment's author may be marked up too).
	add := func(n *html.Node, inStory bool) []feeds.Author {
		sig := func(e *html.Node) signal {
			if !inStory {
				return sigPageMarkup
			}
			return bylineSignal(e)
		}
		found := bylineAuthors(n)
		if len(found) > 0 {
			listings = append(listings, authorListing{sig(n), found})
		}
		// Author markup inside a byline is a signal of its own.
		walk(n, func(e *html.Node) bool {
			if e != n && isAuthorMarkup(e) {
				if a := bylineAuthors(e); len(a) > 0 {
					listings = append(listings, authorListing{sig(e), a})
				}
				return false
			}
			return true
		})
		return found
	}
	// markupOnly reads the author markup under root, leaving it in place.
	markupOnly := func(root *html.Node, skip *html.Node, inStory bool) {
		walk(root, func(n *html.Node) bool {
			if n == skip || exclude[n] || n.DataAtom == atom.Nav || isForeignClass(n) {
				return false
			}
			if isAuthorMarkup(n) {
				if t := text(n); utf8.RuneCountInString(t) <= maxBylineText {
					add(n, inStory)
				}
				return false
			}
			return true
		})
	}
	walk(scope, func(n *html.Node) bool {
		if exclude[n] {
			return false
		}
		if isForeign(n) {
			if n.DataAtom == atom.Aside && !isForeignClass(n) {
				markupOnly(n, nil, true)
			}
			return false
		}
		if !isBylineEl(n) {
			return true
		}
		t := text(n)
		if utf8.RuneCountInString(t) > maxBylineText {
			return false
		}
		if t == "" && n.DataAtom != atom.Meta {
			return false
		}
		found := add(n, true)
		if n.DataAtom == atom.A {
			if c := bylineContainer(n); c != nil {
				nodes = append(nodes, widenByline(c, scope))
			}
		} else if len(found) > 0 && n.DataAtom != atom.Meta {
			nodes = append(nodes, widenByline(n, scope))
		}
		return false
	})
	if scope != doc {
		markupOnly(doc, scope, false)
	}
	return listings, nodes
}

// bylineAuthors reads the names (and profile links) in a byline element.
func bylineAuthors(n *html.Node) []feeds.Author {
	var out []feeds.Author
	// <meta itemprop="author" content="Jane Doe">
	if v := strings.TrimSpace(attr(n, "content")); v != "" && (n.DataAtom == atom.Meta || n.DataAtom == atom.Link) {
		if isURL(v) {
			return nil
		}
		return splitNames(v)
	}
	// Microdata names.
	walk(n, func(e *html.Node) bool {
		if attr(e, "itemprop") == "name" {
			a := feeds.Author{Name: cleanName(cmp.Or(attr(e, "content"), text(e)))}
			for p := e; p != nil && p != n.Parent; p = p.Parent {
				if p.DataAtom == atom.A {
					a.URL = attr(p, "href")
					break
				}
			}
			if a.URL == "" {
				if u := firstElement(n, func(e *html.Node) bool { return attr(e, "itemprop") == "url" }); u != nil {
					a.URL = cmp.Or(attr(u, "href"), attr(u, "content"))
				}
			}
			if a.Name != "" {
				out = append(out, a)
			}
			return false
		}
		return true
	})
	if len(out) > 0 {
		return out
	}
	// Links to profiles.
	walk(n, func(e *html.Node) bool {
		if e.DataAtom != atom.A {
			return true
		}
		href := attr(e, "href")
		if strings.Contains(" "+attr(e, "rel")+" ", " author ") || hasClass(e, "url") || hasClass(e, "fn") ||
			hasClass(e, "author") || hasClass(e, "u-url") || hasClass(e, "p-author") || rxProfileLink.MatchString(href) {
			t := text(e)
			if name := cleanName(t); name != "" && !rxNotName.MatchString(t) {
				out = append(out, feeds.Author{Name: name, URL: href})
			}
		}
		return false
	})
	if len(out) > 0 {
		return out
	}
	if fn := firstElement(n, func(e *html.Node) bool { return hasClass(e, "fn") || hasClass(e, "p-name") }); fn != nil {
		if name := cleanName(text(fn)); name != "" {
			return []feeds.Author{{Name: name}}
		}
	}
	return splitNames(text(n))
}

// bylineContainer returns the short element around an author link that is
// the byline ("By <a rel=author>Jane Doe</a> · July 10"), or nil when the
// link sits in prose.
func bylineContainer(a *html.Node) *html.Node {
	for p := a.Parent; p != nil; p = p.Parent {
		switch p.DataAtom {
		case atom.P, atom.Div, atom.Span, atom.Li, atom.Address:
			if !metaLineSized(p) {
				return nil
			}
			t := text(p)
			if utf8.RuneCountInString(t) > 150 {
				return nil
			}
			l := strings.ToLower(t)
			if strings.HasPrefix(l, "by ") || strings.HasPrefix(l, "by:") || t == text(a) {
				return p
			}
			return nil
		case atom.Body, atom.Article, atom.Main:
			return nil
		}
	}
	return nil
}

// rxMetaLeftover is what may remain of a story's meta line once its
// byline and dates are gone: separators and labels.
var rxMetaLeftover = regexp.MustCompile(`(?i)^(?:[\s·•|,/–—-]|posted|published|updated|on|at|and)*$`)

// widenByline returns the element to remove for byline b: b itself, or
// the meta line around it when that line holds nothing else than dates and
// separators ("By Jane Doe · <time>November 5</time>").
func widenByline(b, scope *html.Node) *html.Node {
	target := b
	for p := b.Parent; p != nil && p != scope; p = p.Parent {
		switch p.DataAtom {
		case atom.P, atom.Div, atom.Span, atom.Li, atom.Address:
		default:
			return target
		}
		if !metaLineSized(p) {
			return target
		}
		t := target
		rest := NormalizeText(textWithout(p, func(n *html.Node) bool { return n == t || n.DataAtom == atom.Time }))
		if rest != "" && !rxMetaLeftover.MatchString(rest) && parseDate(rest).IsZero() {
			return target
		}
		target = p
	}
	return target
}

// The bounds of a meta line around a byline (widenByline, bylineContainer),
// in bytes of text and in nodes. A larger element holds more than a byline
// and its dates; reading the whole of it for each byline inside made a page
// of 10,000 bylines side by side cost minutes.
const (
	maxMetaLineText  = 4 * maxBylineText
	maxMetaLineNodes = 128
)

// metaLineSized reports whether n is within the bounds of a meta line,
// looking no further into it than those bounds.
func metaLineSized(n *html.Node) bool {
	nodes, size := 0, 0
	var within func(*html.Node) bool
	within = func(n *html.Node) bool {
		nodes++
		if n.Type == html.TextNode {
			size += len(n.Data)
		}
		if nodes > maxMetaLineNodes || size > maxMetaLineText {
			return false
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !within(c) {
				return false
			}
		}
		return true
	}
	return within(n)
}
