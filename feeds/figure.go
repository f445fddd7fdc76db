package feeds

import (
	"cmp"
	"html"
	"net/url"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// addLeadFigure puts it's lead image at the top of its content, as a
// <figure> with its caption and credit, when the content (or the summary,
// for an item without content) does not show that image already: several
// readers (newsboat, Miniflux for JSON Feed) show neither enclosures,
// media:content nor JSON Feed's image. It runs at rendering, after the
// item's id is made, so that the stored article stays as its source had
// it and the id does not move.
func addLeadFigure(it *item) {
	im := it.image
	if im == nil || !figureURL(im.URL) {
		return
	}
	body := cmp.Or(it.content, it.summary)
	if showsImage(body, im.URL) {
		return
	}
	it.content = leadFigure(im) + body
}

// figureURL reports whether u may be the src of the figure: an absolute
// http(s) URL, since the figure is written after sanitizing.
func figureURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != "" && safeURL(u, false)
}

// leadFigure is the HTML of im's figure, everything escaped. The caption
// is written as the source had it; the credit follows it unless the
// caption names it already ("Image from FBI").
func leadFigure(im *Image) string {
	var b strings.Builder
	b.WriteString(`<figure><img src="`)
	b.WriteString(html.EscapeString(im.URL))
	b.WriteString(`" alt="`)
	b.WriteString(html.EscapeString(im.Caption))
	b.WriteString(`">`)
	credit := im.Credit
	if credit != "" && strings.Contains(strings.ToLower(im.Caption), strings.ToLower(credit)) {
		credit = ""
	}
	if im.Caption != "" || credit != "" {
		b.WriteString("<figcaption>")
		b.WriteString(html.EscapeString(im.Caption))
		if credit != "" {
			if im.Caption != "" {
				b.WriteString(" ")
			}
			b.WriteString("<small>")
			b.WriteString(html.EscapeString(credit))
			b.WriteString("</small>")
		}
		b.WriteString("</figcaption>")
	}
	b.WriteString("</figure>")
	return b.String()
}

// showsImage reports whether the HTML fragment s shows the image at u: an
// <img> src or srcset, or a <source> srcset, naming a copy of it (see
// SameImage).
func showsImage(s, u string) bool {
	if !containsFold(s, "<img") && !containsFold(s, "<source") {
		return false
	}
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return false
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			tok := z.Token()
			if tok.DataAtom != atom.Img && tok.DataAtom != atom.Source {
				continue
			}
			for _, a := range tok.Attr {
				switch a.Key {
				case "src":
					if SameImage(a.Val, u) {
						return true
					}
				case "srcset":
					for _, c := range strings.Split(a.Val, ",") {
						if f := strings.Fields(c); len(f) > 0 && SameImage(f[0], u) {
							return true
						}
					}
				}
			}
		}
	}
}
