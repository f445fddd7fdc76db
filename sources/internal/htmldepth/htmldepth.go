// Package htmldepth parses HTML that nests deeper than the HTML parser
// accepts. golang.org/x/net/html refuses a document whose stack of open
// elements passes 512 ("open stack of elements exceeds 512 nodes"); the
// page extractor (sources/extract) and the page scraper (package sources)
// parse pages through this package, so that such a page loses its deepest
// markup, not its text.
package htmldepth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Max is the deepest element nesting, counted in start tags, that Flatten
// keeps. It is far below the parser's 512 because the parser opens
// elements the tags do not name (a table's body and row, formatting
// elements it reopens), and far above the depth past which the extractor
// flattens the tree anyway (64).
const Max = 128

// ErrTooDeep is returned (wrapped) when a document is still too deeply
// nested for the HTML parser once flattened.
var ErrTooDeep = errors.New("page too deeply nested")

// Parse parses page as html.Parse does. A page the parser refuses for its
// nesting is flattened to Max (see Flatten) and parsed again; one that
// still is refused gives an error wrapping ErrTooDeep.
func Parse(page []byte) (*html.Node, error) {
	return parse(page, Max, html.Parse)
}

// ParseFragment parses s in context as html.ParseFragment does, flattening
// it as Parse does when the parser refuses its nesting.
func ParseFragment(s string, context *html.Node) ([]*html.Node, error) {
	return parse([]byte(s), Max, func(r io.Reader) ([]*html.Node, error) {
		return html.ParseFragment(r, context)
	})
}

// ParseBody parses the fragment s in a <body> context, as ParseFragment
// does, and returns a body element holding what it parsed.
func ParseBody(s string) (*html.Node, error) {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := ParseFragment(s, body)
	if err != nil {
		return nil, err
	}
	for _, n := range nodes {
		body.AppendChild(n)
	}
	return body, nil
}

// parse runs the parser p on src, and once more on src flattened to max
// when p refuses it for its nesting.
func parse[T any](src []byte, max int, p func(io.Reader) (T, error)) (T, error) {
	out, err := p(bytes.NewReader(src))
	if err == nil || !tooDeep(err) {
		return out, err
	}
	out, err = p(bytes.NewReader(Flatten(src, max)))
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%w: %w", ErrTooDeep, err)
	}
	return out, nil
}

// tooDeep reports whether err is the parser's refusal of a deep document.
// The parser has no sentinel for it: the message is what it panics with.
func tooDeep(err error) bool {
	return strings.Contains(err.Error(), "open stack of elements exceeds")
}

// Flatten returns page with its markup nested deeper than max removed: the
// start and end tags below an element max deep are dropped and their text
// is kept, with a paragraph break (<p>) where a block element began or
// ended, and a link's href is kept for its text (one link deep). Void
// elements (images, line breaks) are kept; scripts, styles and other raw
// text elements below max are dropped with their content. A page nested
// no deeper than max is returned as it is.
//
// Depth is counted on the tags as written: an end tag closes the element
// it names only when that element is the innermost one open, so markup
// that leaves elements open (or closes them out of order) counts as
// deeper than the parser finds it, not shallower. What the parser adds
// itself (table bodies and rows, formatting elements it reopens) is what
// the margin between max and the parser's 512 is for: its stack stays
// within a small multiple of max (see TestParseVeryDeep, FuzzFlatten). It
// runs in one pass of the tokenizer, in time linear in the page and
// memory of max tag names besides the output.
func Flatten(page []byte, max int) []byte {
	z := html.NewTokenizer(bytes.NewReader(page))
	var (
		out     bytes.Buffer
		open    []string // the open elements up to max deep, innermost last
		foreign int      // how many of them are <svg> or <math>
		excess  int      // elements open below max, their tags dropped
		link    bool     // a link below max is open (its tags kept)
		skip    bool     // inside a dropped raw text element
		cut     bool     // something was dropped
	)
	out.Grow(len(page))
	// brk marks a block boundary below max: a paragraph, or a space
	// inside a link; once between two runs of text.
	brkAt := -1
	brk := func() {
		if out.Len() == brkAt {
			return
		}
		if link {
			out.WriteByte(' ')
		} else {
			out.WriteString("<p>")
		}
		brkAt = out.Len()
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if !cut {
				return page
			}
			if link {
				out.WriteString("</a>")
			}
			return out.Bytes()
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if void(a) || tt == html.SelfClosingTagToken && (foreign > 0 || a == atom.Svg || a == atom.Math) {
				if !skip {
					out.Write(z.Raw())
				}
				continue
			}
			if excess == 0 && len(open) < max {
				open = append(open, string(name))
				if a == atom.Svg || a == atom.Math {
					foreign++
				}
				out.Write(z.Raw())
				continue
			}
			excess++
			cut = true
			switch {
			case rawText(a):
				skip = true
			case a == atom.A && !link:
				out.Write(z.Raw())
				link = true
			case block(a):
				brk()
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if excess > 0 {
				excess--
				a := atom.Lookup(name)
				switch {
				case rawText(a):
					skip = false
				case a == atom.A && link:
					out.Write(z.Raw())
					link = false
				case block(a):
					brk()
				}
				if excess == 0 && link {
					out.WriteString("</a>")
					link = false
				}
				continue
			}
			if n := len(open); n > 0 && open[n-1] == string(name) {
				open = open[:n-1]
				if a := atom.Lookup(name); a == atom.Svg || a == atom.Math {
					foreign--
				}
			}
			out.Write(z.Raw())
		case html.TextToken:
			if !skip {
				out.Write(z.Raw())
			}
		default:
			if excess == 0 {
				out.Write(z.Raw())
			}
		}
	}
}

// void reports whether a is an element that the parser never leaves open.
func void(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Basefont, atom.Bgsound, atom.Br, atom.Col, atom.Embed, atom.Frame,
		atom.Hr, atom.Image, atom.Img, atom.Input, atom.Keygen, atom.Link, atom.Meta, atom.Param,
		atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

// rawText reports whether a is an element whose content the tokenizer
// reads as raw text: never story text, except <textarea> and <title>, whose
// text below max is dropped with them.
func rawText(a atom.Atom) bool {
	switch a {
	case atom.Iframe, atom.Noembed, atom.Noframes, atom.Noscript, atom.Plaintext, atom.Script,
		atom.Style, atom.Textarea, atom.Title, atom.Xmp:
		return true
	}
	return false
}

// block reports whether a is an element that starts a new line of text.
func block(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Caption, atom.Center,
		atom.Dd, atom.Details, atom.Dialog, atom.Dir, atom.Div, atom.Dl, atom.Dt, atom.Fieldset,
		atom.Figcaption, atom.Figure, atom.Footer, atom.Form, atom.H1, atom.H2, atom.H3, atom.H4,
		atom.H5, atom.H6, atom.Header, atom.Hgroup, atom.Li, atom.Listing, atom.Main, atom.Menu,
		atom.Nav, atom.Ol, atom.P, atom.Pre, atom.Section, atom.Summary, atom.Table, atom.Tbody,
		atom.Td, atom.Tfoot, atom.Th, atom.Thead, atom.Tr, atom.Ul:
		return true
	}
	return false
}
