package extract

import (
	"bytes"
	"errors"
	"fmt"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tributary/tributary/sources/internal/htmldepth"
)

// MaxPageSize is the most HTML, in bytes once decoded to UTF-8, that
// Extract reads from one page, not counting scripts, styles, <noscript>,
// inline SVG and comments (most of the weight of a real page, and never
// part of the story). Readability's cost grows with the text of a page
// times its nesting depth: a larger page is refused with ErrPageTooLarge
// rather than let one hostile page take seconds of CPU.
const MaxPageSize = 2 << 20

// MaxDepth is the deepest element nesting, counted from <html>, that
// Extract hands to the content finder. The elements inside an element
// at this depth are flattened: their text, images and links are kept, one
// paragraph per block they were in, and the rest of their markup is
// dropped.
const MaxDepth = 64

// ErrPageTooLarge is returned (wrapped) by Extract when a page holds more
// than MaxPageSize bytes of HTML besides its scripts, styles and SVG.
var ErrPageTooLarge = errors.New("extract: page too large")

// ErrPageTooDeep is returned (wrapped) by Extract when a page is nested too
// deeply for the HTML parser (512 open elements) even once its markup
// below htmldepth.Max (128) elements is dropped. Pages nested deeper than
// the parser allows are flattened that way first, their text kept: the
// error is for markup built to defeat that.
var ErrPageTooDeep = htmldepth.ErrTooDeep

// checkSize refuses a page above MaxPageSize. It runs the tokenizer, which
// is linear and builds no tree, so that most large pages are refused
// before they cost more; checkTree then measures what the parser built.
func checkSize(page []byte) error {
	if len(page) <= MaxPageSize {
		return nil
	}
	return tooLarge(contentSize(page))
}

// checkTree refuses a parsed page above MaxPageSize. The tokenizer cannot
// follow every turn of the parser (a <script> inside SVG is markup, not
// raw text), so the tree is measured too.
func checkTree(doc *html.Node) error {
	return tooLarge(treeSize(doc))
}

// tooLarge returns the error for a page of n bytes, nil when n is within
// MaxPageSize.
func tooLarge(n int) error {
	if n <= MaxPageSize {
		return nil
	}
	return fmt.Errorf("%w (%.1f MiB after removing scripts, styles and SVG; limit %d MiB)",
		ErrPageTooLarge, float64(n)/(1<<20), MaxPageSize>>20)
}

// contentSize is the size of page without its comments, the text of its
// scripts, styles and <noscript>, and the attributes of its SVG and
// MathML (path data, mostly).
func contentSize(page []byte) int {
	z := html.NewTokenizer(bytes.NewReader(page))
	n, foreign := 0, 0
	var raw atom.Atom
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return n
		case html.CommentToken, html.DoctypeToken:
			continue
		case html.TextToken:
			if raw != 0 && foreign == 0 {
				continue
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if foreign > 0 && tt != html.EndTagToken && (breakout(a) || a == atom.Font && hasAttr && fontBreaksOut(z)) {
				foreign = 0
			}
			switch {
			case (a == atom.Svg || a == atom.Math) && tt == html.StartTagToken:
				foreign++
			case (a == atom.Svg || a == atom.Math) && tt == html.EndTagToken && foreign > 0:
				foreign--
			case tt != html.EndTagToken && (a == atom.Script || a == atom.Style || a == atom.Noscript):
				// <script src=x/> opens raw text too, as in the parser.
				raw = a
			case tt == html.EndTagToken && a == raw:
				raw = 0
			}
			if foreign > 0 || a == atom.Svg || a == atom.Math {
				n += len(name) + 3
				continue
			}
			n += min(len(z.Raw()), maxTagSize)
			continue
		}
		n += len(z.Raw())
	}
}

// maxTagSize is the most one tag counts towards MaxPageSize: what makes
// readability slow is text and nesting, not a long attribute (an inline
// data: image, an ASP.NET __VIEWSTATE), which must not get a page refused.
const maxTagSize = 1 << 10

// treeSize is the size of the HTML of doc counted like contentSize.
func treeSize(doc *html.Node) int {
	n := 0
	var walk func(*html.Node, bool)
	walk = func(e *html.Node, skipText bool) {
		switch e.Type {
		case html.TextNode:
			if !skipText {
				n += len(e.Data)
			}
			return
		case html.ElementNode:
			n += 2*len(e.Data) + 5
			switch {
			case e.Namespace != "":
			case e.DataAtom == atom.Script || e.DataAtom == atom.Style || e.DataAtom == atom.Noscript:
				skipText = true
			default:
				attrs := 0
				for _, a := range e.Attr {
					attrs += len(a.Key) + len(a.Val) + 4
				}
				n += min(attrs, maxTagSize)
			}
		case html.DocumentNode:
		default:
			return
		}
		for c := e.FirstChild; c != nil; c = c.NextSibling {
			walk(c, skipText)
		}
	}
	walk(doc, false)
	return n
}

// fontBreaksOut reports whether the <font> start tag z is at ends SVG or
// MathML content: it does when it has a color, face or size.
func fontBreaksOut(z *html.Tokenizer) bool {
	for {
		k, _, more := z.TagAttr()
		switch string(k) {
		case "color", "face", "size":
			return true
		}
		if !more {
			return false
		}
	}
}

// breakout reports whether a start tag ends SVG or MathML content (HTML's
// "breakout" elements, <font> aside).
func breakout(a atom.Atom) bool {
	switch a {
	case atom.B, atom.Big, atom.Blockquote, atom.Body, atom.Br, atom.Center, atom.Code, atom.Dd,
		atom.Div, atom.Dl, atom.Dt, atom.Em, atom.Embed, atom.H1, atom.H2, atom.H3, atom.H4,
		atom.H5, atom.H6, atom.Head, atom.Hr, atom.I, atom.Img, atom.Li, atom.Listing, atom.Menu,
		atom.Meta, atom.Nobr, atom.Ol, atom.P, atom.Pre, atom.Ruby, atom.S, atom.Small, atom.Span,
		atom.Strong, atom.Strike, atom.Sub, atom.Sup, atom.Table, atom.Tt, atom.U, atom.Ul, atom.Var:
		return true
	}
	return false
}

// flattenDeep flattens the content of the elements at MaxDepth under n,
// which sits at depth (<html> is 1, the document 0), so that no element
// is nested deeper than MaxDepth+5 (a table's body, row and cell, then a
// paragraph and a link in it). Readability walks
// the whole subtree of every container it weighs, so its work grows with
// the page's text times its depth; hostile or broken pages nest hundreds
// of levels.
func flattenDeep(n *html.Node, depth int) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		// Table structure cannot hold text (the parser would move it
		// out of the table); its cells can, a level or two below.
		if depth+1 >= MaxDepth && !tableStructure(c) {
			flatten(c)
			continue
		}
		flattenDeep(c, depth+1)
	}
}

// tableStructure reports whether n is an element whose children can only
// be other table or select parts.
func tableStructure(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Table, atom.Thead, atom.Tbody, atom.Tfoot, atom.Tr, atom.Colgroup, atom.Select, atom.Optgroup:
		return true
	}
	return false
}

// flattener gathers the inline content of a subtree into runs, one per
// block of the original.
type flattener struct {
	runs    [][]*html.Node
	cur     []*html.Node
	link    *html.Node // the link being filled, nil outside links
	noLinks bool       // the flattened element is itself a link
}

// flatten replaces the descendants of e by its text, its void elements
// (images, line breaks) and its links (holding only text and void
// elements). Each block element of the original starts a new paragraph
// when e can hold paragraphs, else a new line.
func flatten(e *html.Node) {
	f := flattener{noLinks: e.DataAtom == atom.A}
	var kids []*html.Node
	for c := e.FirstChild; c != nil; c = c.NextSibling {
		kids = append(kids, c)
	}
	for _, c := range kids {
		e.RemoveChild(c)
		f.add(c)
	}
	f.boundary()
	paras := holdsParagraphs(e)
	for i, run := range f.runs {
		var dst *html.Node
		switch {
		case paras:
			dst = &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P}
			e.AppendChild(dst)
		case i > 0:
			e.AppendChild(&html.Node{Type: html.ElementNode, Data: "br", DataAtom: atom.Br})
			dst = e
		default:
			dst = e
		}
		for _, n := range run {
			dst.AppendChild(n)
		}
	}
}

// add gathers n, detached from the tree, and its descendants.
func (f *flattener) add(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		f.emit(n)
		return
	case html.ElementNode:
		if n.DataAtom == atom.Template {
			return // never shown
		}
	default:
		return // comments
	}
	if n.FirstChild == nil || rawText(n) {
		// Void elements, and elements holding only raw text (JSON-LD
		// scripts), are leaves: kept whole.
		if n.FirstChild != nil || voidElement(n) {
			f.emit(n)
		}
		return
	}
	var kids []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		kids = append(kids, c)
	}
	for _, c := range kids {
		n.RemoveChild(c)
	}
	switch {
	case n.DataAtom == atom.A && f.link == nil && !f.noLinks:
		// The link keeps its attributes, and gets its content back flat.
		f.emit(n)
		f.link = n
		for _, c := range kids {
			f.add(c)
		}
		f.link = nil
	case isBlock(n) && f.link == nil:
		f.boundary()
		for _, c := range kids {
			f.add(c)
		}
		f.boundary()
	default:
		if isBlock(n) {
			// Inside a link, a block boundary is only a space.
			f.emit(&html.Node{Type: html.TextNode, Data: " "})
		}
		for _, c := range kids {
			f.add(c)
		}
	}
}

// emit adds n to the current link, else to the current run.
func (f *flattener) emit(n *html.Node) {
	if f.link != nil {
		f.link.AppendChild(n)
		return
	}
	f.cur = append(f.cur, n)
}

// boundary ends the current run; a run of only whitespace is dropped.
func (f *flattener) boundary() {
	for _, n := range f.cur {
		if n.Type != html.TextNode || len(bytes.TrimSpace([]byte(n.Data))) > 0 {
			f.runs = append(f.runs, f.cur)
			break
		}
	}
	f.cur = nil
}

// holdsParagraphs reports whether n is a container that may hold <p>
// elements (not a paragraph, heading or inline element).
func holdsParagraphs(n *html.Node) bool {
	switch n.DataAtom {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Pre, atom.Dt:
		return false
	case atom.Body, atom.Form, atom.Fieldset, atom.Details, atom.Dialog, atom.Center, atom.Caption:
		return true
	}
	return isBlock(n)
}

// rawText reports whether n is an element whose content is raw text.
func rawText(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Textarea, atom.Title, atom.Xmp, atom.Iframe, atom.Noembed, atom.Noframes:
		return true
	}
	return false
}

// voidElement reports whether n is an element that has no content.
func voidElement(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}
