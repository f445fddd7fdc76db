// Package site renders the HTML pages people read: the home page listing
// every feed and the newest stories, and one page per feed (and per page
// of a paged feed). The server serves them and build writes them; both get
// the same bytes from the same plain values. The pages run no script and
// load nothing but the images of the stories: the one stylesheet is inline,
// allowed by its hash (see CSP).
package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tributary/tributary/feeds"
)

// Feed is one feed as listed on a page: its title and description and the
// URLs of its HTML page and of its three formats.
type Feed struct {
	Title, Description    string
	Page, RSS, Atom, JSON string
}

// Page is everything one HTML page shows.
type Page struct {
	// SiteTitle names the site; Title is the page's one h1 (the site's
	// title on the home page, the feed's on a feed page).
	SiteTitle, Title, Description string
	// Home is the URL of the home page.
	Home string
	// Feeds are listed, with autodiscovery links, in order.
	Feeds []Feed
	// Stories are the articles shown, newest first.
	Stories []feeds.Article
	// Number is the page's number in a paged feed, from 1; Previous and
	// Next link its neighbours, empty at either end.
	Number         int
	Previous, Next string
	// FeedsOPML and SourcesOPML are the URLs of the OPML lists.
	FeedsOPML, SourcesOPML string
	// Language is the BCP 47 tag of the stories (a feed's language), set
	// as each story's lang; empty when unknown. The page's own words are
	// English.
	Language string
}

// MaxSummaryRunes bounds a story's summary as shown: a plain-text excerpt,
// cut at a word boundary.
const MaxSummaryRunes = 300

// story is an article made ready for the template: plain text only, URLs
// kept only when http(s).
type story struct {
	Title, Link, Source, Author, Summary string
	Date                                 time.Time
	Image                                *image
}

type image struct {
	URL, Alt      string
	Width, Height int
}

// style is the pages' whole stylesheet. Its colours keep a contrast of at
// least 4.5:1 (text #1a1a1a and links #0b57a4 on #fdfdfc, muted #595959).
const style = `body{font:1.05rem/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fdfdfc;margin:0 auto;max-width:44rem;padding:0 1rem}` +
	`a{color:#0b57a4}a:focus{outline:2px solid #0b57a4}header,footer{padding:1rem 0}footer,.meta{color:#595959;font-size:.9rem}` +
	`ul.feeds{padding-left:1.2rem}article{border-top:1px solid #ccc;padding:1rem 0;overflow-wrap:anywhere}` +
	`article h3{margin:0 0 .3rem}img{max-width:100%;height:auto;display:block;margin:.5rem 0}` +
	`nav.pages{display:flex;justify-content:space-between;padding:1rem 0}`

// CSP is the Content-Security-Policy of the pages: nothing but the inline
// stylesheet (by its hash) and images over http(s); no script, no frame,
// no form, no base. The server sends it as a header; the pages also carry
// it in a meta element, for a static host that sends none.
var CSP = "default-src 'none'; style-src '" + styleHash() + "'; img-src http: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func styleHash() string {
	sum := sha256.Sum256([]byte(style))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// metaCSP is CSP without frame-ancestors, which a meta element cannot set.
var metaCSP = strings.TrimSuffix(CSP, "; frame-ancestors 'none'")

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"date":    func(t time.Time) string { return t.UTC().Format("2 January 2006") },
	"machine": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="referrer" content="no-referrer">
<title>{{if ne .Title .SiteTitle}}{{.Title}} · {{end}}{{.SiteTitle}}{{if gt .Number 1}} (page {{.Number}}){{end}}</title>
<style>{{.Style}}</style>
{{range .Feeds}}<link rel="alternate" type="application/rss+xml" title="{{.Title}} (RSS)" href="{{.RSS}}">
<link rel="alternate" type="application/atom+xml" title="{{.Title}} (Atom)" href="{{.Atom}}">
<link rel="alternate" type="application/feed+json" title="{{.Title}} (JSON Feed)" href="{{.JSON}}">
{{end}}{{with .FeedsOPML}}<link rel="alternate" type="text/x-opml" title="All feeds (OPML)" href="{{.}}">
{{end}}</head>
<body>
<header><p><a href="{{.Home}}">{{.SiteTitle}}</a></p><h1>{{.Title}}</h1>{{with .Description}}<p>{{.}}</p>{{end}}</header>
<main>
<section aria-labelledby="feeds-heading"><h2 id="feeds-heading">{{if eq (len .Feeds) 1}}Subscribe{{else}}Feeds{{end}}</h2>
<ul class="feeds">{{range .Feeds}}<li><a href="{{.Page}}">{{.Title}}</a>{{with .Description}}: {{.}}{{end}}
 (<a href="{{.RSS}}">RSS</a>, <a href="{{.Atom}}">Atom</a>, <a href="{{.JSON}}">JSON Feed</a>)</li>
{{end}}</ul></section>
<section aria-labelledby="stories-heading"><h2 id="stories-heading">{{if gt .Number 1}}Older stories, page {{.Number}}{{else}}Newest stories{{end}}</h2>
{{range .Stories}}<article{{with $.Language}} lang="{{.}}"{{end}}>
<h3>{{if .Link}}<a href="{{.Link}}">{{.Title}}</a>{{else}}{{.Title}}{{end}}</h3>
<p class="meta">{{with .Source}}<span>{{.}}</span>{{end}}{{with .Author}} · <span>by {{.}}</span>{{end}}{{if not .Date.IsZero}} · <time datetime="{{machine .Date}}">{{date .Date}}</time>{{end}}</p>
{{with .Image}}<img src="{{.URL}}" alt="{{.Alt}}"{{if .Width}} width="{{.Width}}"{{end}}{{if .Height}} height="{{.Height}}"{{end}} loading="lazy">
{{end}}{{with .Summary}}<p>{{.}}</p>
{{end}}</article>
{{else}}<p>No stories yet.</p>
{{end}}</section>
{{if or .Previous .Next}}<nav class="pages" aria-label="Pages">{{with .Previous}}<a href="{{.}}" rel="prev">Newer stories</a>{{else}}<span></span>{{end}}{{with .Next}}<a href="{{.}}" rel="next">Older stories</a>{{end}}</nav>
{{end}}</main>
<footer>{{with .FeedsOPML}}<a href="{{.}}">These feeds as OPML</a>{{end}}{{with .SourcesOPML}} · <a href="{{.}}">The sources they draw on, as OPML</a>{{end}}</footer>
</body></html>
`))

// Render renders p as an HTML page. Every value is escaped for where it
// lands; story links and images are kept only when they are http(s) URLs.
func Render(p Page) ([]byte, error) {
	data := struct {
		Page
		Stories []story
		CSP     string
		Style   template.CSS
	}{Page: p, CSP: metaCSP, Style: template.CSS(style)}
	for i := range p.Stories {
		data.Stories = append(data.Stories, newStory(&p.Stories[i]))
	}
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("site: render page: %w", err)
	}
	return b.Bytes(), nil
}

func newStory(a *feeds.Article) story {
	s := story{
		Title:   line(a.Title),
		Link:    webURL(a.Link),
		Source:  line(a.Source),
		Summary: excerpt(feeds.PlainText(a.Summary), MaxSummaryRunes),
		Date:    a.Published,
	}
	if s.Title == "" {
		s.Title = "Untitled"
	}
	if s.Summary == "" {
		s.Summary = excerpt(feeds.PlainText(a.Content), MaxSummaryRunes)
	}
	if s.Date.IsZero() {
		s.Date = a.FetchedAt
	}
	if s.Date.Year() < 1900 || s.Date.Year() > 9999 {
		s.Date = time.Time{}
	}
	var names []string
	for _, au := range a.Authors {
		if n := line(au.Name); n != "" {
			names = append(names, n)
		}
	}
	s.Author = excerpt(strings.Join(names, ", "), 120)
	if im := a.Image; im != nil {
		if u := webURL(im.URL); u != "" {
			// The caption says what the image shows; without one it is
			// decorative beside the title (empty alt).
			s.Image = &image{URL: u, Alt: excerpt(line(im.Caption), 250), Width: max(im.Width, 0), Height: max(im.Height, 0)}
		}
	}
	return s
}

// line is s, plain text already (a title, a name, a caption), on one
// line: no control characters, spaces collapsed.
func line(s string) string {
	return strings.Join(strings.Fields(feeds.StripControl(s)), " ")
}

// webURL returns raw when it is an absolute http(s) URL, else "".
func webURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// excerpt cuts s to at most n runes, at the last space before the cut
// when there is one, and marks the cut with an ellipsis.
func excerpt(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if n == 0 {
			cut = i
			break
		}
		n--
	}
	s = s[:cut]
	if sp := strings.LastIndexByte(s, ' '); sp > len(s)/2 {
		s = s[:sp]
	}
	return strings.TrimRight(s, " ,.;:") + "…"
}
