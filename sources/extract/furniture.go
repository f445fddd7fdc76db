package extract

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// rxFurniture matches a class or id token of page furniture: navigation,
// headers and footers of the site, sidebars, share bars, related stories,
// comments, newsletter boxes, ads, pop-ups, tag lists and post meta.
var rxFurniture = regexp.MustCompile(`^(?:` +
	`nav|navbar|navigation|menu|main-menu|primary-menu|site-nav|site-navigation|` +
	`site-header|site-footer|global-header|global-footer|page-header|page-footer|masthead|colophon|` +
	`sidebar|side-bar|secondary|widget|widgets|widget-area|breadcrumb|breadcrumbs|skip-link|screen-reader-text|` +
	`share|shares|sharing|sharedaddy|sharethis|addtoany|a2a_kit|social|` +
	`related|relatedposts|jp-relatedposts|yarpp-related|more-stories|recommended|recirculation|read-next|read-more-links|` +
	`comments|comment-list|commentlist|comments-area|comment-respond|comment-form|respond|disqus_thread|` +
	`newsletter|subscribe|subscription|signup|sign-up|mc4wp-form|optin|` +
	`ad|ads|advert|adverts|advertisement|adsbygoogle|dfp|promo|popup|modal|cookie-banner|cookie-notice|gdpr|paywall|` +
	`tags|post-tags|tag-links|tags-links|entry-tags|cat-links|post-categories|` +
	`entry-meta|post-meta|article-meta|entry-footer|post-navigation|nav-links|pagination)$` +
	`|^(?:share|sharing|social|newsletter|subscribe|related|comments?|ad|ads|advert|sidebar|widget)[-_]` +
	`|[-_](?:share|sharing|social|newsletter|subscribe|signup|related|comments|ad|ads|advert|advertisement|sidebar|widget)$`)

// isFurniture reports whether the element n is page furniture rather than
// part of a story.
func isFurniture(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Nav, atom.Aside, atom.Form, atom.Button, atom.Dialog, atom.Template,
		atom.Select, atom.Input, atom.Textarea, atom.Svg:
		return true
	case atom.Header, atom.Footer:
		// The page's header and footer, not an article's.
		if !hasSectioningAncestor(n) {
			return true
		}
	}
	if n.Data == "svg" {
		return true
	}
	if hasAttr(n, "hidden") {
		return true
	}
	switch strings.ToLower(attr(n, "role")) {
	case "navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog", "menu", "menubar":
		return true
	}
	class := strings.ToLower(attr(n, "class"))
	id := strings.ToLower(attr(n, "id"))
	if strings.Contains(class, "sponsor") || strings.Contains(id, "sponsor") {
		return true
	}
	for _, t := range strings.Fields(class) {
		if rxFurniture.MatchString(t) {
			return true
		}
	}
	return id != "" && rxFurniture.MatchString(id)
}

// hasSectioningAncestor reports whether n is inside an article, main or
// section element.
func hasSectioningAncestor(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		switch p.DataAtom {
		case atom.Article, atom.Main, atom.Section:
			return true
		}
	}
	return false
}

// isContentClass reports whether n has a class that names the element
// holding a story's text on common publishing systems.
func isContentClass(n *html.Node) bool {
	for _, t := range strings.Fields(attr(n, "class")) {
		switch t {
		case "entry-content", "post-content", "article-content", "article-body", "article__body",
			"story-body", "post-body", "e-content", "td-post-content", "single-content", "content-body":
			return true
		}
	}
	return false
}

// findMain returns the element most likely to hold the story: the
// articleBody microdata element, else an element with a well-known content
// class, else the <article> with the most text, else <main>; nil when the
// page has none of these.
func findMain(doc *html.Node) *html.Node {
	if n := firstElement(doc, func(n *html.Node) bool { return attr(n, "itemprop") == "articleBody" }); n != nil {
		return n
	}
	if n := firstElement(doc, func(n *html.Node) bool { return isContentClass(n) && !isFurniture(n) }); n != nil {
		return n
	}
	var best *html.Node
	bestLen := 0
	walk(doc, func(n *html.Node) bool {
		if n.DataAtom == atom.Article {
			if l := len(text(n)); l > bestLen {
				best, bestLen = n, l
			}
		}
		return true
	})
	if best != nil {
		return best
	}
	return firstElement(doc, func(n *html.Node) bool { return n.DataAtom == atom.Main || attr(n, "role") == "main" })
}

// findFurniture returns the outermost furniture elements of the page. The
// main element and its ancestors are never furniture, whatever their
// classes say ("site-content has-sidebar").
func findFurniture(doc, main *html.Node) []*html.Node {
	protected := make(map[*html.Node]bool)
	for p := main; p != nil; p = p.Parent {
		protected[p] = true
	}
	var out []*html.Node
	walk(doc, func(n *html.Node) bool {
		switch n.DataAtom {
		case atom.Html, atom.Head, atom.Body:
			return true
		}
		if protected[n] {
			return true
		}
		if isFurniture(n) {
			out = append(out, n)
			return false
		}
		return true
	})
	return out
}
