package extract

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// isCreditEl reports whether n holds a photo credit apart from the
// caption.
func isCreditEl(n *html.Node) bool {
	switch attr(n, "itemprop") {
	case "copyrightHolder", "creditText", "author":
		return true
	}
	for _, c := range []string{"credit", "wp-caption-credit", "photo-credit", "image-credit", "media-credit", "caption-credit", "credits", "copyright", "source"} {
		if hasClass(n, c) {
			return true
		}
	}
	return false
}

// isCaptionEl reports whether n is the caption of a figure.
func isCaptionEl(n *html.Node) bool {
	return n.DataAtom == atom.Figcaption || hasClass(n, "wp-caption-text") || hasClass(n, "caption") || attr(n, "itemprop") == "caption"
}

// isFigure reports whether n is a figure: <figure> or WordPress's classic
// <div class="wp-caption">.
func isFigure(n *html.Node) bool {
	return n.DataAtom == atom.Figure || hasClass(n, "wp-caption")
}

// readImages returns the images under root in document order; those in a
// figure carry its caption and credit.
func readImages(root *html.Node, base *url.URL) []imageCand {
	var out []imageCand
	var rec func(n *html.Node, fig *imageCand)
	rec = func(n *html.Node, fig *imageCand) {
		if n.Type == html.ElementNode {
			switch {
			case fig == nil && isFigure(n):
				f := readFigure(n)
				fig = &f
			case n.DataAtom == atom.Img:
				im := imageCand{url: imgSrc(n, base), width: dim(attr(n, "width")), height: dim(attr(n, "height"))}
				if fig != nil {
					im.caption, im.credit, im.captioned, im.inFigure = fig.caption, fig.credit, fig.captioned, true
				}
				if im.url != "" {
					out = append(out, im)
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c, fig)
		}
	}
	rec(root, nil)
	return out
}

// readFigure reads the caption of a figure, without its credit, and the
// credit when an element of its own holds it.
func readFigure(fig *html.Node) imageCand {
	var c imageCand
	var credits []string
	walk(fig, func(n *html.Node) bool {
		if n != fig && isCreditEl(n) {
			credits = append(credits, text(n))
			return false
		}
		return true
	})
	capEl := firstElement(fig, isCaptionEl)
	if capEl != nil {
		c.captioned = true
		c.caption = NormalizeText(textWithout(capEl, isCreditEl))
	}
	for _, cr := range credits {
		if cr = cleanCredit(strings.TrimSpace(cr)); cr != "" {
			// "Photo: Jane Doe" in a credit element is still only "Jane Doe".
			if pc, rest := ParseCredit(cr); pc != "" && rest == "" {
				cr = pc
			}
			c.credit = cr
			break
		}
	}
	return c
}

// textWithout is the text of n's descendants without the elements skip
// (may be nil) matches, scripts, styles and templates, with a space
// between block elements and at line breaks.
func textWithout(n *html.Node, skip func(*html.Node) bool) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Template, atom.Noscript:
				return
			case atom.Br:
				b.WriteByte(' ')
				return
			}
			if skip != nil && skip(n) {
				return
			}
		}
		block := n.Type == html.ElementNode && isBlock(n)
		if block {
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
		if block {
			b.WriteByte(' ')
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		rec(c)
	}
	return b.String()
}
