package feeds

import (
	"html"
	"slices"
	"strings"
	"unicode/utf8"

	nethtml "golang.org/x/net/html"
)

// The bounds of one article's text. Every path an article takes to the
// store (a feed item, a scraped listing, an extracted page, a stored copy
// carried over) passes through Bound, so that no document, however it is
// built, makes Tributary keep or render more than about a megabyte for one
// story. They live here, in the model package, because every producer of
// articles (sources, sources/extract, internal/pipeline) imports it and it
// imports none of them.
const (
	// MaxTitleRunes bounds a title, in characters.
	MaxTitleRunes = 1000
	// MaxContentBytes bounds the HTML of an article's content; it is also
	// the bound of its summary when there is no content, since the
	// summary is then the only body the feeds carry.
	MaxContentBytes = 512 << 10
	// MaxSummaryBytes bounds the HTML of a summary beside content.
	MaxSummaryBytes = 64 << 10
	// MaxBioRunes bounds an author's bio, in characters.
	MaxBioRunes = 2000
	// MaxCaptionRunes bounds an image's caption and its credit, in
	// characters.
	MaxCaptionRunes = 1000
	// MaxSourceRunBytes bounds the text (TextBytes) of all the articles
	// one run of one source holds and stores: with the bounds above alone,
	// 1,000 items whose pages each give 512 KiB of content would make one
	// run hold and write 500 MiB. It lives beside them because it is the
	// same kind of rule (how much text one source can make Tributary
	// keep), counted by the same measure.
	MaxSourceRunBytes = 16 << 20
)

// TextBytes returns the size of a's text, as bounded above and by
// MaxSourceRunBytes: title, summary, content, the authors' bios and the
// image's caption and credit, in bytes.
func TextBytes(a Article) int {
	n := len(a.Title) + len(a.Summary) + len(a.Content)
	for _, au := range a.Authors {
		n += len(au.Bio)
	}
	if a.Image != nil {
		n += len(a.Image.Caption) + len(a.Image.Credit)
	}
	return n
}

// Bound cuts a's text to the bounds above: Title, the authors' Bio and the
// image's Caption and Credit end with an ellipsis (see TruncateRunes);
// Summary and Content are cut between elements or inside a text, their open
// elements closed (see TruncateHTML). Authors and Image are copied before
// they are changed, never modified in place. An article within its bounds
// is left as it is.
func Bound(a *Article) {
	a.Title = TruncateRunes(a.Title, MaxTitleRunes)
	a.Content = TruncateHTML(a.Content, MaxContentBytes)
	if a.Content == "" {
		a.Summary = TruncateHTML(a.Summary, MaxContentBytes)
	} else {
		a.Summary = TruncateHTML(a.Summary, MaxSummaryBytes)
	}
	copied := false
	for i, au := range a.Authors {
		if bio := TruncateRunes(au.Bio, MaxBioRunes); bio != au.Bio {
			if !copied {
				a.Authors, copied = slices.Clone(a.Authors), true
			}
			a.Authors[i].Bio = bio
		}
	}
	if im := a.Image; im != nil {
		caption, credit := TruncateRunes(im.Caption, MaxCaptionRunes), TruncateRunes(im.Credit, MaxCaptionRunes)
		if caption != im.Caption || credit != im.Credit {
			c := *im
			c.Caption, c.Credit = caption, credit
			a.Image = &c
		}
	}
}

// TruncateRunes shortens s to at most n runes, ending with an ellipsis when
// it was cut.
func TruncateRunes(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return strings.TrimSpace(s[:i]) + "…"
}

// ellipsis ends a truncated text.
const ellipsis = "…"

// voidElements are the HTML elements that have no end tag.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true,
}

// impliedEnd are the elements that a start tag of their own name ends
// when one is the current element ("<li>one<li>two").
var impliedEnd = map[string]bool{
	"p": true, "li": true, "dt": true, "dd": true, "option": true, "tr": true, "td": true, "th": true,
}

// rawTextElements hold text that is not escaped, which TruncateHTML keeps
// whole or not at all. Sanitized HTML has none of them.
var rawTextElements = map[string]bool{
	"script": true, "style": true, "textarea": true, "title": true, "xmp": true, "iframe": true,
	"noembed": true, "noframes": true, "noscript": true, "plaintext": true,
}

// TruncateHTML returns the HTML fragment s cut to at most n bytes: whole
// tags and comments are kept or dropped, a text may be cut between two
// characters (never inside a character reference) and then ends with an
// ellipsis, and the elements still open at the cut are closed. It adds no
// markup but those end tags, so sanitized HTML stays sanitized. The work is
// proportional to n (and to the length of the token at the cut), not to
// len(s). s is returned as it is when it fits.
func TruncateHTML(s string, n int) string {
	if len(s) <= n {
		return s
	}
	z := nethtml.NewTokenizer(strings.NewReader(s))
	var (
		b    strings.Builder
		open []string
		// closing is the length of the end tags of open.
		closing int
	)
	b.Grow(n)
	// fits reports whether k more bytes leave room for the end tags and
	// an ellipsis.
	fits := func(k int) bool { return b.Len()+k+closing+len(ellipsis) <= n }
loop:
	for {
		tt := z.Next()
		raw := z.Raw()
		switch tt {
		case nethtml.ErrorToken:
			break loop
		case nethtml.StartTagToken:
			name, _ := z.TagName()
			tag := string(name)
			end := 0
			if !voidElements[tag] {
				end = len(tag) + 3
			}
			// "<p>one<p>two": the second p ends the first, whose end tag
			// is no longer owed (writing it would add an empty paragraph).
			implied := impliedEnd[tag] && len(open) > 0 && open[len(open)-1] == tag
			freed := 0
			if implied {
				freed = end
			}
			if !fits(len(raw) + end - freed) {
				break loop
			}
			b.Write(raw)
			if implied {
				open, closing = open[:len(open)-1], closing-freed
			}
			if end > 0 {
				open = append(open, tag)
				closing += end
			}
		case nethtml.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			// The end tag closes its element and those still open in it,
			// whose end tags were counted already.
			i, freed := len(open)-1, 0
			for ; i >= 0; i-- {
				freed += len(open[i]) + 3
				if open[i] == tag {
					break
				}
			}
			if i < 0 {
				freed = 0
			}
			if !fits(len(raw) - freed) {
				break loop
			}
			b.Write(raw)
			if i >= 0 {
				open, closing = open[:i], closing-freed
			}
		case nethtml.TextToken:
			if fits(len(raw)) {
				b.Write(raw)
				continue
			}
			if len(open) > 0 && rawTextElements[open[len(open)-1]] {
				break loop // not text to escape: keep none of it
			}
			text := string(z.Text())
			room := n - b.Len() - closing - len(ellipsis)
			cut, used := 0, 0
			for cut < len(text) {
				r, size := utf8.DecodeRuneInString(text[cut:])
				w := size
				switch r {
				case '&', '"', '\'':
					w = 5 // &amp; &#34; &#39;
				case '<', '>':
					w = 4
				}
				if used+w > room {
					break
				}
				used += w
				cut += size
			}
			b.WriteString(html.EscapeString(strings.TrimRightFunc(text[:cut], isSpace)))
			break loop
		default: // self-closing tags, comments, doctypes
			if !fits(len(raw)) {
				break loop
			}
			b.Write(raw)
		}
	}
	b.WriteString(ellipsis)
	for i := len(open) - 1; i >= 0; i-- {
		b.WriteString("</" + open[i] + ">")
	}
	return b.String()
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' }
