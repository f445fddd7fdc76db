package extract

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"

	"github.com/tributary/tributary/sources/internal/htmldepth"
)

// Paragraphs shorter or longer than these bounds (in characters, after
// normalization) are never taken for boilerplate: short ones are headings
// and labels ("Advertisement", "Share"), long ones are the story itself.
const (
	minBoilerplateLen = 20
	maxBoilerplateLen = 600
)

// NormalizeText returns s in the form paragraphs are compared in: Unicode
// NFC, every run of white space (including no-break spaces) collapsed to
// one space, trimmed. Case and punctuation are kept.
func NormalizeText(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return normalizeUnicode(s)
		}
	}
	return normalizeASCII(s)
}

// normalizeASCII is NormalizeText for ASCII text, which NFC leaves as it
// is and whose only spaces are the ASCII ones unicode.IsSpace names: s
// itself when it is normal already, without allocating.
func normalizeASCII(s string) string {
	normal := len(s) == 0 || !isASCIISpace(s[0]) && !isASCIISpace(s[len(s)-1])
	for i := 0; normal && i < len(s); i++ {
		if c := s[i]; isASCIISpace(c) && (c != ' ' || isASCIISpace(s[i+1])) {
			normal = false
		}
	}
	if normal {
		return s
	}
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isASCIISpace(c) {
			space = true
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = append(b, c)
	}
	return string(b)
}

// isASCIISpace reports whether c is an ASCII space to unicode.IsSpace.
func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// normalizeUnicode is NormalizeText for any text.
func normalizeUnicode(s string) string {
	s = norm.NFC.String(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// isParagraph reports whether n is one of the block elements whose text is
// compared: p, div, li and blockquote.
func isParagraph(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	switch n.DataAtom {
	case atom.P, atom.Div, atom.Li, atom.Blockquote:
		return true
	}
	return false
}

// FindBoilerplate returns the paragraphs that the HTML documents in
// contents (articles of one source) repeat: the normalized text (see
// NormalizeText) of every p, div, li or blockquote element that appears
// verbatim in at least minDocs different documents. A paragraph repeated
// inside one document counts once; paragraphs under 20 or over 600
// characters are ignored. minDocs below 2 is taken as 2, since a single
// document proves nothing. The result is in order of first appearance.
func FindBoilerplate(contents []string, minDocs int) []string {
	if len(contents) < max(minDocs, 2) {
		return nil
	}
	docs := make([][]string, len(contents))
	for i, c := range contents {
		docs[i] = Paragraphs(c)
	}
	return BoilerplateIn(docs, minDocs)
}

// BoilerplateIn is FindBoilerplate for documents given as their
// Paragraphs, which a caller can keep rather than read the HTML again.
func BoilerplateIn(docs [][]string, minDocs int) []string {
	minDocs = max(minDocs, 2)
	if len(docs) < minDocs {
		return nil
	}
	counts := make(map[string]int)
	var order []string
	// held lists, for each paragraph, the counted documents holding it, so
	// that a document is compared with the ones it shares paragraphs with
	// rather than with every one counted before it.
	held := make(map[string]holders)
	var shared []int // per counted document, sameStory's scratch
	for _, all := range docs {
		// The same story published again (under a new id, or edited)
		// shares most of its paragraphs with its earlier version: it counts
		// once, or its own text would be learned as furniture.
		if sameStory(all, held, shared) {
			continue
		}
		n := len(shared)
		shared = append(shared, 0)
		for _, text := range all {
			h, ok := held[text]
			switch {
			case !ok:
				held[text] = holders{first: n}
			case h.last() == n:
				continue // seen in this document
			default:
				h.rest = append(h.rest, n)
				held[text] = h
			}
			if l := utf8.RuneCountInString(text); l < minBoilerplateLen || l > maxBoilerplateLen {
				continue
			}
			if counts[text] == 0 {
				order = append(order, text)
			}
			counts[text]++
		}
	}
	var out []string
	for _, t := range order {
		if counts[t] >= minDocs {
			out = append(out, t)
		}
	}
	return out
}

// sameStory reports whether more than half of the paragraphs of a document
// (counted with repeats) appear in one of the documents already counted;
// held lists the counted documents holding each paragraph and shared has
// an element for each of them, which sameStory overwrites.
func sameStory(paras []string, held map[string]holders, shared []int) bool {
	if len(paras) == 0 {
		return false
	}
	clear(shared)
	for _, p := range paras {
		h, ok := held[p]
		if !ok {
			continue
		}
		if shared[h.first]++; shared[h.first]*2 > len(paras) {
			return true
		}
		for _, d := range h.rest {
			if shared[d]++; shared[d]*2 > len(paras) {
				return true
			}
		}
	}
	return false
}

// holders are the counted documents holding a paragraph, in the order
// counted: most paragraphs are held by one, kept without a slice.
type holders struct {
	first int
	rest  []int
}

// last returns the document counted last among h.
func (h holders) last() int {
	if len(h.rest) > 0 {
		return h.rest[len(h.rest)-1]
	}
	return h.first
}

// StripParagraphs removes from the HTML fragment s the p, div, li and
// blockquote elements whose normalized text equals one of paras (as
// returned by FindBoilerplate). When nothing matches, s is returned
// unchanged, byte for byte, so callers can compare to detect a change.
func StripParagraphs(s string, paras []string) string {
	if len(paras) == 0 || !strings.Contains(s, "<") {
		return s
	}
	set := make(map[string]bool, len(paras))
	for _, p := range paras {
		if p = NormalizeText(p); p != "" {
			set[p] = true
		}
	}
	body := parseFragment(s)
	if removeParagraphs(body, func(text string) bool { return set[text] }) == 0 {
		return s
	}
	return renderChildren(body)
}

// removeParagraphs removes, under root, the outermost paragraph elements
// whose normalized text satisfies drop, and returns how many were removed.
func removeParagraphs(root *html.Node, drop func(text string) bool) int {
	var doomed []*html.Node
	walkParagraphs(root, func(p *html.Node, text string) bool {
		if drop(text) {
			doomed = append(doomed, p)
			return false
		}
		return true
	})
	for _, p := range doomed {
		if p.Parent != nil {
			p.Parent.RemoveChild(p)
		}
	}
	return len(doomed)
}

// walkParagraphs calls fn for every paragraph element under n (n included)
// in document order with its normalized text; fn returns false to skip the
// element's descendants.
func walkParagraphs(n *html.Node, fn func(p *html.Node, text string) bool) {
	if isParagraph(n) {
		if !fn(n, NormalizeText(textContent(n))) {
			return
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkParagraphs(c, fn)
	}
}

// parseFragment parses an HTML fragment in a <body> context and returns
// the body holding it. It never fails: the HTML parser recovers from any
// input, and a fragment nested deeper than it accepts is flattened.
func parseFragment(s string) *html.Node {
	body, err := htmldepth.ParseBody(s)
	if err != nil {
		return &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	}
	return body
}

// renderChildren serializes the children of n.
func renderChildren(n *html.Node) string {
	var b bytes.Buffer
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		_ = html.Render(&b, c)
	}
	return b.String()
}

// textContent is the concatenated text of n's descendants, with a space
// between block elements so that "<p>a</p><p>b</p>" reads "a b". Scripts
// and styles are skipped.
func textContent(n *html.Node) string {
	return textWithout(n, nil)
}

// isBlock reports whether n is a block-level element for text extraction.
func isBlock(n *html.Node) bool {
	return isBlockAtom(n.DataAtom)
}

// isBlockAtom is isBlock for an element's atom.
func isBlockAtom(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.Blockquote, atom.H1, atom.H2,
		atom.H3, atom.H4, atom.H5, atom.H6, atom.Figure, atom.Figcaption, atom.Section,
		atom.Article, atom.Header, atom.Footer, atom.Aside, atom.Nav, atom.Table, atom.Tr,
		atom.Td, atom.Th, atom.Pre, atom.Dl, atom.Dt, atom.Dd, atom.Main, atom.Hr:
		return true
	}
	return false
}

// rxCallToAction matches the calls to comment, follow, like or subscribe
// that sites append to every story.
var rxCallToAction = regexp.MustCompile(`(?i)(like and follow|follow us on|like us on facebook|follow our (facebook|twitter|instagram)|leave (us )?a (message|comment)|let us know (your thoughts |what you think )?in the comments|share (your thoughts|this (article|story|post)) (with|on|in)|subscribe to our (newsletter|channel|youtube)|sign up for our (free )?newsletter|don't forget to (like|share|subscribe)|for comments and suggestions)`)

// maxCallToActionLen bounds a call to action: longer paragraphs are prose
// that happens to contain the phrase.
const maxCallToActionLen = 300

// trailingBlocks is how many of the last paragraphs of a story are
// examined for calls to action.
const trailingBlocks = 4

// stripCallsToAction removes the calls to action among the last paragraphs
// of the content under root, and returns how many it removed. Only the end
// of a story is examined: a quote in the middle that says "follow us on"
// stays.
func stripCallsToAction(root *html.Node) int {
	// walk, not walkParagraphs: the text of every nested paragraph is
	// not needed, and on a deep page reading it is quadratic.
	var leaves []*html.Node
	walk(root, func(p *html.Node) bool {
		if isParagraph(p) && !hasBlockChild(p) {
			leaves = append(leaves, p)
		}
		return true
	})
	removed := 0
	for i := len(leaves) - 1; i >= 0 && i >= len(leaves)-trailingBlocks; i-- {
		p := leaves[i]
		text := NormalizeText(textContent(p))
		if text == "" || utf8.RuneCountInString(text) > maxCallToActionLen || !rxCallToAction.MatchString(text) {
			continue
		}
		if p.Parent != nil {
			p.Parent.RemoveChild(p)
			removed++
		}
	}
	return removed
}

// hasBlockChild reports whether n has a block-level element child.
func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && isBlock(c) {
			return true
		}
	}
	return false
}
