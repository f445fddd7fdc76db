package extract

import (
	"cmp"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tributary/tributary/feeds"
)

// metaTag is one <meta> of the page: its property or name, lower-cased,
// and its content.
type metaTag struct {
	key, val string
}

// readMetas returns the page's <meta property|name content> tags in order.
func readMetas(doc *html.Node) []metaTag {
	var out []metaTag
	walk(doc, func(n *html.Node) bool {
		if n.DataAtom != atom.Meta {
			return true
		}
		key := attr(n, "property")
		if key == "" {
			key = attr(n, "name")
		}
		if key == "" {
			key = attr(n, "http-equiv")
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val := strings.TrimSpace(attr(n, "content"))
		if key != "" && val != "" {
			out = append(out, metaTag{key, val})
		}
		return false
	})
	return out
}

// metaValues returns the contents of the tags with key, in order.
func metaValues(metas []metaTag, key string) []string {
	var out []string
	for _, m := range metas {
		if m.key == key {
			out = append(out, m.val)
		}
	}
	return out
}

// metaValue returns the content of the first tag with one of keys.
func metaValue(metas []metaTag, keys ...string) string {
	for _, k := range keys {
		for _, m := range metas {
			if m.key == k {
				return m.val
			}
		}
	}
	return ""
}

// fillOpenGraph adds the OpenGraph and article:* metadata to c.
func fillOpenGraph(c *candidates, metas []metaTag) {
	c.title.add(metaValue(metas, "og:title"))
	c.published.add(metaValue(metas, "article:published_time", "og:article:published_time", "article:published"))
	c.updated.add(metaValue(metas, "article:modified_time", "og:article:modified_time", "og:updated_time", "article:modified"))
	c.section.add(metaValue(metas, "article:section"))
	c.excerpt.add(metaValue(metas, "og:description"))
	c.siteName.add(metaValue(metas, "og:site_name"))
	c.canonical.add(metaValue(metas, "og:url"))
	if l := metaValue(metas, "og:locale"); l != "" {
		c.lang.add(strings.ReplaceAll(l, "_", "-"))
	}
	c.tags = append(c.tags, metaValues(metas, "article:tag"))
	// og:image starts an image; the structured properties that follow it
	// describe it.
	var img *imageCand
	for _, m := range metas {
		switch m.key {
		case "og:image", "og:image:url":
			if img != nil && img.url != "" && img.url != m.val {
				c.images = append(c.images, *img)
			}
			if img == nil || img.url != m.val {
				img = &imageCand{url: m.val}
			}
		case "og:image:secure_url":
			if img == nil {
				img = &imageCand{url: m.val}
			} else if img.url == "" {
				img.url = m.val
			}
		case "og:image:width":
			if img != nil {
				img.width = dim(m.val)
			}
		case "og:image:height":
			if img != nil {
				img.height = dim(m.val)
			}
		case "og:image:alt":
			if img != nil {
				img.caption = feeds.PlainText(m.val)
			}
		}
	}
	if img != nil && img.url != "" {
		c.images = append(c.images, *img)
	}
}

// fillTwitter adds the Twitter card metadata to c.
func fillTwitter(c *candidates, metas []metaTag) {
	c.title.add(metaValue(metas, "twitter:title"))
	c.excerpt.add(metaValue(metas, "twitter:description"))
	if u := metaValue(metas, "twitter:image", "twitter:image:src"); u != "" {
		c.images = append(c.images, imageCand{url: u, caption: feeds.PlainText(metaValue(metas, "twitter:image:alt"))})
	}
	c.handles = append(c.handles, twitterHandles(metaValues(metas, "twitter:creator"))...)
	if h := twitterHandles(metaValues(metas, "twitter:site")); len(h) > 0 {
		c.siteHandle = h[0]
	}
}

// twitterHandles returns the handles among vs, without "@".
func twitterHandles(vs []string) []string {
	var out []string
	for _, h := range vs {
		h = strings.TrimPrefix(strings.TrimSpace(h), "@")
		if h != "" && !isURL(h) && !strings.ContainsAny(h, " /") {
			out = append(out, h)
		}
	}
	return out
}

// fillMetaAuthors adds the authors the meta tags name to c, one listing
// per key: repeated tags (two DC.Creator) name co-authors. A tag may list
// several keys ("dc:creator twitter:site_name"). article:author is a
// profile URL by the spec, but many sites put the name there.
func fillMetaAuthors(c *candidates, metas []metaTag) {
	// Most trusted first: the Dublin Core property before the generic
	// author, which templates fill with the site's name.
	keys := []string{"byl", "dc:creator", "dcterms:creator", "dcterm:creator", "dc.creator", "dcterms.creator",
		"article:author", "og:article:author", "article:author_name", "parsely-author", "sailthru.author", "author"}
	byKey := make(map[string][]feeds.Author)
	for _, m := range metas {
		for _, k := range strings.Fields(m.key) {
			if !slices.Contains(keys, k) {
				continue
			}
			if isURL(m.val) {
				byKey[k] = append(byKey[k], feeds.Author{URL: m.val})
			} else {
				byKey[k] = append(byKey[k], splitNames(m.val)...)
			}
		}
	}
	for _, k := range keys {
		if len(byKey[k]) > 0 {
			c.authors = append(c.authors, authorListing{sigMeta, byKey[k]})
		}
	}
}

// fillMicroformats adds h-entry (and classic hentry) and schema.org
// microdata found in the markup to c.
func fillMicroformats(c *candidates, doc *html.Node) {
	entry := firstElement(doc, func(n *html.Node) bool { return hasClass(n, "h-entry") || hasClass(n, "hentry") })
	if entry != nil {
		inCard := func(n *html.Node) bool {
			for p := n.Parent; p != nil && p != entry; p = p.Parent {
				if hasClass(p, "h-card") || hasClass(p, "vcard") {
					return true
				}
			}
			return false
		}
		if n := firstElement(entry, func(n *html.Node) bool {
			return (hasClass(n, "p-name") || hasClass(n, "entry-title")) && !hasClass(n, "h-card") && !inCard(n)
		}); n != nil {
			c.title.add(text(n))
		}
		if n := firstElement(entry, func(n *html.Node) bool { return hasClass(n, "dt-published") || hasClass(n, "published") }); n != nil {
			c.published.add(dateOf(n))
		}
		if n := firstElement(entry, func(n *html.Node) bool { return hasClass(n, "dt-updated") || hasClass(n, "updated") }); n != nil {
			c.updated.add(dateOf(n))
		}
		var cats []string
		walk(entry, func(n *html.Node) bool {
			if hasClass(n, "p-category") {
				cats = append(cats, text(n))
				return false
			}
			return true
		})
		c.tags = append(c.tags, cats)
		var authors []feeds.Author
		walk(entry, func(n *html.Node) bool {
			if hasClass(n, "p-author") {
				if a := hCard(n); a.Name != "" || a.URL != "" {
					authors = append(authors, a)
				}
				return false
			}
			return true
		})
		c.authors = append(c.authors, authorListing{sigHCard, authors})
	}
	// Microdata.
	if n := firstElement(doc, func(n *html.Node) bool { return attr(n, "itemprop") == "headline" }); n != nil {
		c.title.add(cmp.Or(attr(n, "content"), text(n)))
	}
	if n := firstElement(doc, func(n *html.Node) bool { return attr(n, "itemprop") == "datePublished" }); n != nil {
		c.published.add(dateOf(n))
	}
	if n := firstElement(doc, func(n *html.Node) bool { return attr(n, "itemprop") == "dateModified" }); n != nil {
		c.updated.add(dateOf(n))
	}
	if n := firstElement(doc, func(n *html.Node) bool { return attr(n, "itemprop") == "articleSection" }); n != nil {
		c.section.add(cmp.Or(attr(n, "content"), text(n)))
	}
}

// hCard reads an author from an h-card (or a bare p-author element).
func hCard(n *html.Node) feeds.Author {
	var a feeds.Author
	if p := firstElement(n, func(e *html.Node) bool { return hasClass(e, "p-name") || hasClass(e, "fn") }); p != nil {
		a.Name = cleanName(text(p))
	}
	if u := firstElement(n, func(e *html.Node) bool { return hasClass(e, "u-url") || hasClass(e, "url") }); u != nil {
		a.URL = attr(u, "href")
	}
	if p := firstElement(n, func(e *html.Node) bool { return hasClass(e, "u-photo") || hasClass(e, "photo") }); p != nil {
		a.Avatar = cmp.Or(attr(p, "src"), attr(p, "href"))
	}
	if p := firstElement(n, func(e *html.Node) bool { return hasClass(e, "p-note") }); p != nil {
		a.Bio = text(p)
	}
	if e := firstElement(n, func(e *html.Node) bool { return hasClass(e, "u-email") || hasClass(e, "email") }); e != nil {
		a.Email = strings.TrimPrefix(cmp.Or(attr(e, "href"), text(e)), "mailto:")
	}
	if n.DataAtom == atom.A {
		a.URL = cmp.Or(a.URL, attr(n, "href"))
	}
	if a.Name == "" && !hasClass(n, "h-card") {
		a.Name = cleanName(text(n))
	}
	if a.Name == "" {
		if img := firstElement(n, func(e *html.Node) bool { return e.DataAtom == atom.Img }); img != nil {
			a.Name = cleanName(attr(img, "alt"))
		}
	}
	return a
}

// dateOf reads the date an element carries: datetime, content, title or
// value attribute, else its text.
func dateOf(n *html.Node) string {
	for _, k := range []string{"datetime", "content", "title", "value"} {
		if v := attr(n, k); v != "" && !parseDate(v).IsZero() {
			return v
		}
	}
	return text(n)
}

// fillHead adds what the rest of <head> says: the canonical link, the
// document language, the description and the site name.
func fillHead(c *candidates, doc *html.Node, metas []metaTag) {
	walk(doc, func(n *html.Node) bool {
		switch n.DataAtom {
		case atom.Link:
			for _, rel := range strings.Fields(strings.ToLower(attr(n, "rel"))) {
				// The link is the page's own statement of its canonical
				// URL: it wins over og:url and the JSON-LD url, which are
				// often decorated with tracking parameters.
				if rel == "canonical" && strings.TrimSpace(attr(n, "href")) != "" {
					c.canonical = append(list{strings.TrimSpace(attr(n, "href"))}, c.canonical...)
				}
			}
		case atom.Html:
			c.lang.add(attr(n, "lang"))
			c.lang.add(attr(n, "xml:lang"))
		}
		return true
	})
	c.excerpt.add(metaValue(metas, "description"))
	c.siteName.add(metaValue(metas, "application-name"))
	c.lang.add(metaValue(metas, "content-language"))
	c.tags = append(c.tags, strings.Split(metaValue(metas, "news_keywords"), ","))
}

// fillHeuristics adds the weakest guesses: the first <h1> for the title,
// <time> elements outside the page furniture for the dates (those of the
// story's <article> before the rest of the page's), and the rel=tag links
// of the story for the tags.
func fillHeuristics(c *candidates, doc, main *html.Node, furniture map[*html.Node]bool) {
	root := doc
	if main != nil {
		root = main
	}
	if h := firstElement(root, func(n *html.Node) bool { return n.DataAtom == atom.H1 }); h != nil {
		c.title.add(text(h))
	} else if h := firstElement(doc, func(n *html.Node) bool { return n.DataAtom == atom.H1 }); h != nil {
		c.title.add(text(h))
	}
	// The story's <article>, whose header holds its dates; readability's
	// choice alone may start below them.
	scope := main
	for p := main; p != nil; p = p.Parent {
		if p.DataAtom == atom.Article {
			scope = p
			break
		}
	}
	// A <time> marked as the publication date anywhere beats an unmarked
	// one; among equals, the story's come first.
	var published, updated, other [2]string
	for i, r := range []*html.Node{scope, doc} {
		if r != nil {
			published[i], updated[i], other[i] = timeDates(r, furniture)
		}
	}
	for _, v := range []string{published[0], published[1], other[0], other[1]} {
		c.published.add(v)
	}
	for _, v := range updated {
		c.updated.add(v)
	}
	if main == nil {
		return
	}
	// Tag links sit in the story's footer, out of the content proper but
	// inside its <article>.
	var tags []string
	walk(scope, func(n *html.Node) bool {
		if n.DataAtom == atom.A {
			for _, r := range strings.Fields(attr(n, "rel")) {
				if r == "tag" {
					tags = append(tags, text(n))
				}
			}
		}
		return true
	})
	c.tags = append(c.tags, tags)
}
