package extract

import (
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tributary/tributary/feeds"
)

// attr returns the value of n's attribute key, or "".
func attr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// hasAttr reports whether n has the attribute key.
func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// hasClass reports whether n's class list holds c.
func hasClass(n *html.Node, c string) bool {
	for _, t := range strings.Fields(attr(n, "class")) {
		if t == c {
			return true
		}
	}
	return false
}

// text is the normalized text of n.
func text(n *html.Node) string {
	if n == nil {
		return ""
	}
	return NormalizeText(textContent(n))
}

// isHeading reports whether n is h1 to h6.
func isHeading(n *html.Node) bool {
	if n == nil || n.Type != html.ElementNode {
		return false
	}
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// contains reports whether a is n or one of n's ancestors.
func contains(a, n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == a {
			return true
		}
	}
	return false
}

// detach removes n from its parent, if it has one.
func detach(n *html.Node) {
	if n != nil && n.Parent != nil {
		n.Parent.RemoveChild(n)
	}
}

// walk calls fn for every element under n (n included) in document order;
// fn returns false to skip the element's descendants.
func walk(n *html.Node, fn func(*html.Node) bool) {
	if n.Type == html.ElementNode && !fn(n) {
		return
	}
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling // fn may detach c
		walk(c, fn)
		c = next
	}
}

// firstElement returns the first element under n (n excluded) satisfying
// pred, or nil.
func firstElement(n *html.Node, pred func(*html.Node) bool) *html.Node {
	var found *html.Node
	for c := n.FirstChild; c != nil && found == nil; c = c.NextSibling {
		walk(c, func(e *html.Node) bool {
			if found != nil {
				return false
			}
			if pred(e) {
				found = e
				return false
			}
			return true
		})
	}
	return found
}

// isURL reports whether s is an absolute http(s) URL.
func isURL(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// absURL resolves ref against base; data: and javascript: URLs, and
// anything that is not http(s) once resolved, give "".
func absURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	if strings.HasPrefix(ref, "//") && base == nil {
		ref = "https:" + ref
	}
	r := feeds.ResolveURL(base, ref)
	if !isURL(r) {
		return ""
	}
	return r
}

// imgSrc returns the URL of an <img>, following the lazy-loading
// attributes sites use, made absolute; "" when it has none.
func imgSrc(n *html.Node, base *url.URL) string {
	for _, k := range []string{"data-src", "data-lazy-src", "data-original", "data-orig-file", "src"} {
		if u := absURL(base, attr(n, k)); u != "" {
			return u
		}
	}
	for _, k := range []string{"srcset", "data-srcset", "data-lazy-srcset"} {
		if f := strings.Fields(attr(n, k)); len(f) > 0 {
			if u := absURL(base, strings.TrimSuffix(f[0], ",")); u != "" {
				return u
			}
		}
	}
	return ""
}

// dim reads a width or height attribute in pixels; 0 when it is missing or
// not a plain number ("100%").
func dim(s string) int {
	s = strings.TrimSuffix(strings.TrimSpace(s), "px")
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n >= 1e6 {
		return 0
	}
	return n
}

// setAttr sets n's attribute key to val.
func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}
