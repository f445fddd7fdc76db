package extract

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Paragraphs returns the normalized text (see NormalizeText) of every p,
// div, li and blockquote element of the HTML fragment s, in document
// order, nested ones included: the paragraphs FindBoilerplate compares.
//
// Well-formed markup of common elements (what the sanitizer writes) is
// read with the tokenizer alone; anything whose tree the HTML parser would
// build differently from the tags as written (a misnested or unclosed
// element that a later tag closes, tables, forms, foreign content, an
// element not listed in paragraphTags) is parsed as a document, so that
// both ways give the same answer.
func Paragraphs(s string) []string {
	if paras, ok := tokenParagraphs(s); ok {
		return paras
	}
	return domParagraphs(s)
}

// domParagraphs is Paragraphs by a full parse of s.
func domParagraphs(s string) []string {
	var out []string
	walkParagraphs(parseFragment(s), func(_ *html.Node, text string) bool {
		out = append(out, text)
		return true
	})
	return out
}

// tagKind says how tokenParagraphs treats an element.
type tagKind uint8

const (
	// phrasing elements neither close a p nor are closed by one.
	phrasing tagKind = iota + 1
	// block elements close an open p (the parser's "close a p element").
	block
	// void elements have no content and no end tag.
	void
	// skipped elements hold raw text that is not the paragraph's text.
	skipped
)

// paragraphTags are the elements tokenParagraphs reads; any other
// element makes it give up. Each kind is what the HTML parser's "in body"
// rules make of the start tag.
var paragraphTags = map[atom.Atom]tagKind{
	atom.A: phrasing, atom.Abbr: phrasing, atom.B: phrasing, atom.Bdi: phrasing, atom.Bdo: phrasing,
	atom.Big: phrasing, atom.Cite: phrasing, atom.Code: phrasing, atom.Data: phrasing, atom.Del: phrasing,
	atom.Dfn: phrasing, atom.Em: phrasing, atom.I: phrasing, atom.Ins: phrasing, atom.Kbd: phrasing,
	atom.Mark: phrasing, atom.Q: phrasing, atom.S: phrasing, atom.Samp: phrasing, atom.Small: phrasing,
	atom.Span: phrasing, atom.Strike: phrasing, atom.Strong: phrasing, atom.Sub: phrasing, atom.Sup: phrasing,
	atom.Time: phrasing, atom.Tt: phrasing, atom.U: phrasing, atom.Var: phrasing,
	atom.Picture: phrasing, atom.Video: phrasing, atom.Audio: phrasing,

	atom.P: block, atom.Div: block, atom.Li: block, atom.Blockquote: block, atom.Ul: block, atom.Ol: block,
	atom.Dl: block, atom.Dd: block, atom.Dt: block, atom.H1: block, atom.H2: block, atom.H3: block,
	atom.H4: block, atom.H5: block, atom.H6: block, atom.Figure: block, atom.Figcaption: block,
	atom.Section: block, atom.Article: block, atom.Aside: block, atom.Header: block, atom.Footer: block,
	atom.Nav: block, atom.Main: block, atom.Address: block, atom.Pre: block, atom.Details: block,
	atom.Summary: block, atom.Center: block,

	atom.Br: void, atom.Img: void, atom.Wbr: void, atom.Hr: void, atom.Source: void, atom.Track: void,

	atom.Script: skipped, atom.Style: skipped,
}

// openElement is an element tokenParagraphs has read the start tag of
// and not yet the end.
type openElement struct {
	a     atom.Atom
	para  int // its index in the paragraphs, or -1 when it is not one
	start int // where its text starts in the text of the open paragraphs
}

// maxTokenDepth bounds the nesting tokenParagraphs follows; deeper
// fragments take the parser's way (and its flattening, see htmldepth).
const maxTokenDepth = 100

// tokenParagraphs is Paragraphs by the tokenizer alone; ok is false when s
// holds markup the HTML parser would not build as written.
func tokenParagraphs(s string) (paras []string, ok bool) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, false // the parser drops NULs the tokenizer keeps
	}
	if !strings.Contains(s, "<") {
		return nil, true
	}
	// The bytes first; the tokenizer where they give up before the end.
	f := fastTokens{s: s}
	paras, ok = readParagraphs(&f)
	if !f.failed {
		return paras, ok
	}
	return readParagraphs(html.NewTokenizer(strings.NewReader(s)))
}

// readParagraphs is tokenParagraphs on the tokens of z.
func readParagraphs(z tokenSource) (paras []string, ok bool) {
	var (
		stack     []openElement
		text      []byte // the text of the open paragraphs, as textContent reads it
		paraOpen  int    // open paragraph elements
		skipDepth int    // open script and style elements
		pOpen     int    // open p elements
	)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			for i := len(stack) - 1; i >= 0; i-- {
				if o := stack[i]; o.para >= 0 {
					paras[o.para] = NormalizeText(string(text[o.start:]))
				}
			}
			return paras, true
		case html.TextToken:
			if paraOpen > 0 && skipDepth == 0 {
				text = append(text, z.Text()...)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			kind := paragraphTags[a]
			switch {
			case kind == 0:
				return nil, false
			case tt == html.SelfClosingTagToken && kind != void:
				return nil, false // the parser ignores the slash of <div/>
			case kind != phrasing && kind != skipped && pOpen > 0 && closesP(a):
				return nil, false
			case !asWritten(a, stack):
				return nil, false
			}
			if kind == void {
				switch {
				case paraOpen == 0 || skipDepth > 0:
				case a == atom.Br:
					text = append(text, ' ')
				case isBlockAtom(a):
					text = append(text, ' ', ' ')
				}
				continue
			}
			if len(stack) == maxTokenDepth {
				return nil, false
			}
			o := openElement{a: a, para: -1}
			if paraOpen > 0 && isBlockAtom(a) {
				text = append(text, ' ')
			}
			if isParagraphAtom(a) {
				if paraOpen == 0 {
					text = text[:0]
				}
				o.para, o.start = len(paras), len(text)
				paras = append(paras, "")
				paraOpen++
			}
			switch a {
			case atom.P:
				pOpen++
			case atom.Script, atom.Style:
				skipDepth++
			}
			stack = append(stack, o)
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(stack) == 0 || atom.Lookup(name) != stack[len(stack)-1].a {
				return nil, false // the parser would close, or open, something else
			}
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			switch o.a {
			case atom.P:
				pOpen--
			case atom.Script, atom.Style:
				skipDepth--
			}
			if o.para >= 0 {
				paras[o.para] = NormalizeText(string(text[o.start:]))
				paraOpen--
			}
			if paraOpen > 0 && isBlockAtom(o.a) {
				text = append(text, ' ')
			}
		}
	}
}

// closesP reports whether the start tag a closes an open p element.
func closesP(a atom.Atom) bool {
	// Every block of paragraphTags does; no phrasing or void one but hr.
	return a == atom.Hr || paragraphTags[a] == block
}

// asWritten reports whether the start tag a, under the open elements
// stack (innermost last), opens an element where it is written: the
// parser closes an open li, dd, dt, heading or link for some of them.
func asWritten(a atom.Atom, stack []openElement) bool {
	top := func(i int) atom.Atom { return stack[i].a }
	switch a {
	case atom.Li, atom.Dd, atom.Dt:
		for i := len(stack) - 1; i >= 0; i-- {
			switch top(i) {
			case atom.Li, atom.Dd, atom.Dt:
				return false
			case atom.Ul, atom.Ol, atom.Dl:
				return true
			}
		}
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		if len(stack) > 0 && isHeadingAtom(top(len(stack)-1)) {
			return false
		}
	case atom.A:
		for i := range stack {
			if top(i) == atom.A {
				return false
			}
		}
	}
	return true
}

// isParagraphAtom is isParagraph for an element's atom.
func isParagraphAtom(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Blockquote:
		return true
	}
	return false
}

// isHeadingAtom reports whether a is h1 to h6.
func isHeadingAtom(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}
