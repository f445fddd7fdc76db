package feeds

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"html"
	"net/url"
	"path"
	"time"

	gf "github.com/gorilla/feeds"
)

// RSS 2.0 is built by gorilla/feeds and extended here. gorilla's RssFeed and
// RssItem are embedded; where they fall short, a field of the outer struct
// with the same XML name replaces theirs (encoding/xml, like Go's field
// promotion, prefers the shallower field). What gorilla gets wrong or lacks:
//   - <author> holds a name, but RSS requires an email: dc:creator instead,
//     one per author;
//   - one <category> at most, and the item's are never filled (ours carry
//     the term, with the scheme as domain);
//   - no <image> or <language>; <source> without its required url;
//   - no itunes namespace for podcast episodes;
//   - content:encoded as CDATA, which carries control characters through
//     raw (invalid XML): escaped text instead, for description too;
//   - no atom:link rel="self" or rel="hub" (feed validators and WebSub
//     want them), no dc, media or atom namespaces, no media:content for
//     the lead image, no item update date (atom:updated, as Blogger
//     writes it);
//   - an item's <title> and <description> are written even when empty,
//     which validators flag: RSS wants an item to have one of them, with
//     content (see itemDescription).

type rssRoot struct {
	XMLName   xml.Name    `xml:"rss"`
	Version   string      `xml:"version,attr"`
	NSContent string      `xml:"xmlns:content,attr"`
	NSDC      string      `xml:"xmlns:dc,attr"`
	NSMedia   string      `xml:"xmlns:media,attr"`
	NSAtom    string      `xml:"xmlns:atom,attr"`
	NSITunes  string      `xml:"xmlns:itunes,attr,omitempty"`
	Channel   *rssChannel `xml:"channel"`
}

type rssChannel struct {
	*gf.RssFeed
	// Links are the atom:link elements: self, the WebSub hub, then the
	// paging links.
	Links []rssAtomLink `xml:"atom:link"`
	Items []*rssItem    `xml:"item"`
}

type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type rssItem struct {
	// Title comes before the embedded item so that it keeps its place,
	// first, in the output.
	Title string `xml:"title,omitempty"` // gorilla writes an empty one
	*gf.RssItem
	Link        string        `xml:"link,omitempty"` // gorilla writes an empty one
	Description xmlText       `xml:"description,omitempty"`
	Content     xmlText       `xml:"content:encoded,omitempty"`
	Updated     string        `xml:"atom:updated,omitempty"`
	Creators    []string      `xml:"dc:creator"`
	Categories  []rssCategory `xml:"category"`
	Media       *mediaContent `xml:"media:content"`
	Source      *rssSource    `xml:"source"`
	itunesItem
}

// rssCategory is an item's <category>: the term, with the scheme as its
// domain.
type rssCategory struct {
	Domain string `xml:"domain,attr,omitempty"`
	Term   string `xml:",chardata"`
}

// rssSource is an item's <source>: the title of the feed it came from,
// with that feed's URL, which RSS requires.
type rssSource struct {
	URL   string `xml:"url,attr"`
	Title string `xml:",chardata"`
}

// RenderRSS renders f as RSS 2.0 with the content, dc, media and atom
// extensions.
func RenderRSS(f Feed) ([]byte, error) {
	fi, items := prepare(f)
	ch := (&gf.Rss{Feed: gorillaFeed(fi, items)}).RssFeed()
	if ch.Description == "" {
		ch.Description = ch.Title // required by RSS 2.0
	}
	ch.Generator = fi.generator
	out := &rssChannel{RssFeed: ch, Items: make([]*rssItem, len(items))}
	if fi.self != "" {
		out.Links = append(out.Links, rssAtomLink{Href: fi.self, Rel: "self", Type: "application/rss+xml"})
	}
	if fi.hub != "" {
		out.Links = append(out.Links, rssAtomLink{Href: fi.hub, Rel: "hub"})
	}
	for _, l := range fi.paging.pageLinks() {
		out.Links = append(out.Links, rssAtomLink{Href: l[1], Rel: l[0], Type: "application/rss+xml"})
	}
	ch.Language = fi.language
	if img := cmp.Or(fi.logo, fi.icon); img != "" && ch.Link != "" {
		// RSS requires the image's title and link, the channel's.
		ch.Image = &gf.RssImage{Url: img, Title: ch.Title, Link: ch.Link}
	}
	root := &rssRoot{
		Version: "2.0", NSContent: nsContent, NSDC: nsDC, NSMedia: nsMedia, NSAtom: nsAtom,
		Channel: out,
	}
	for i := range items {
		it := &items[i]
		ri := &rssItem{Title: it.title, RssItem: ch.Items[i], Link: it.link, Content: xmlText(it.content), Media: newMediaContent(it.image), itunesItem: newITunes(it.podcast)}
		if it.podcast != nil {
			root.NSITunes = nsITunes
		}
		for _, c := range it.categories {
			ri.Categories = append(ri.Categories, rssCategory{Domain: c.Scheme, Term: c.Term})
		}
		if v := it.via; v != nil && v.URL != "" {
			ri.Source = &rssSource{URL: v.URL, Title: cmp.Or(v.Title, v.URL)}
		}
		ri.Description = xmlText(it.itemDescription(ri.Enclosure))
		if !it.updated.IsZero() {
			ri.Updated = it.updated.Format(time.RFC3339)
		}
		for _, a := range it.authors {
			if n := authorName(a); n != "" {
				ri.Creators = append(ri.Creators, n)
			}
		}
		out.Items[i] = ri
	}
	ch.Items = nil // replaced by out.Items
	b, err := marshalXML(root)
	if err != nil {
		return nil, fmt.Errorf("render rss: %w", err)
	}
	return b, nil
}

// itemDescription is the RSS description of it: its summary, else its
// content. An item with neither and no title would break RSS 2.0's rule
// that an item has a title or a description, so it is described by what it
// does have, quoted rather than paraphrased: its link, else the file name
// of its enclosure (enc, as rendered), else its guid. The text is escaped,
// since a description is HTML.
func (it *item) itemDescription(enc *gf.RssEnclosure) string {
	switch {
	case it.summary != "":
		return it.summary
	case it.content != "":
		return it.content
	case it.title != "":
		return ""
	case it.link != "":
		return html.EscapeString(it.link)
	case enc != nil:
		return html.EscapeString(fileName(enc.Url))
	}
	return html.EscapeString(it.id)
}

// fileName is the last segment of the path of rawURL, unescaped ("Episode
// 12.mp3"), or rawURL itself when it has none.
func fileName(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	name := clean(path.Base(u.Path))
	if name == "" || name == "." || name == "/" {
		return rawURL
	}
	return name
}
