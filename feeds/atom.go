package feeds

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	gf "github.com/gorilla/feeds"
)

// Atom 1.0 is built by gorilla/feeds and extended here, the same way as RSS
// (see rss.go). What gorilla gets wrong or lacks:
//   - the feed <id> is always the home page link, Feed.Id is ignored;
//   - one feed <link>: no rel="self" beside rel="alternate";
//   - <category> is written as element text, but Atom wants term="..."
//     (with scheme and label, kept from the source);
//   - no xml:lang, no <source> for entries taken from other feeds;
//   - one author per entry, without <uri>; no <published>; no <generator>;
//   - summary and content as ",chardata", which escapes every newline;
//   - an entry without an id gets a random one (ours are always set);
//   - no media:content for the lead image;
//   - no author bio: Atom's person construct has only name, uri and
//     email, so the bio goes in a Portable Contacts <poco:note>, the
//     extension OStatus feeds (Mastodon's, GNU social's) give authors.

type atomFeed struct {
	*gf.AtomFeed
	NSMedia   string         `xml:"xmlns:media,attr"`
	NSPoco    string         `xml:"xmlns:poco,attr,omitempty"`
	NSITunes  string         `xml:"xmlns:itunes,attr,omitempty"`
	Lang      string         `xml:"xml:lang,attr,omitempty"`
	Links     []gf.AtomLink  `xml:"link"`
	Generator *atomGenerator `xml:"generator"`
	Entries   []*atomEntry   `xml:"entry"`
}

type atomGenerator struct {
	Name string `xml:",chardata"`
}

type atomEntry struct {
	*gf.AtomEntry
	Authors    []atomAuthor   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary"`
	Content    *atomText      `xml:"content"`
	Media      *mediaContent  `xml:"media:content"`
	Source     *atomSource    `xml:"source"`
	itunesItem
}

// atomSource is an entry's <source> (RFC 4287 4.2.11): the feed an
// aggregated entry was taken from.
type atomSource struct {
	ID    string        `xml:"id,omitempty"`
	Title string        `xml:"title,omitempty"`
	Links []gf.AtomLink `xml:"link"`
}

// atomAuthor is an entry's author: gorilla's person construct, plus the
// bio as <poco:note> (declared on the feed when an entry has one).
type atomAuthor struct {
	Name  string `xml:"name"`
	URI   string `xml:"uri,omitempty"`
	Email string `xml:"email,omitempty"`
	Note  string `xml:"poco:note,omitempty"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr,omitempty"`
}

// atomText is an Atom text construct of type html.
type atomText struct {
	Body string
}

// MarshalXML implements xml.Marshaler.
func (t atomText) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "type"}, Value: "html"})
	return xmlText(t.Body).MarshalXML(e, start)
}

// RenderAtom renders f as Atom 1.0 with the Media RSS extension.
func RenderAtom(f Feed) ([]byte, error) {
	fi, items := prepare(f)
	af := (&gf.Atom{Feed: gorillaFeed(fi, items)}).AtomFeed()
	af.Id = atomID(fi.id)
	af.Icon, af.Logo = fi.icon, fi.logo
	out := &atomFeed{AtomFeed: af, NSMedia: nsMedia, Lang: fi.language, Entries: make([]*atomEntry, len(items))}
	if fi.generator != "" {
		out.Generator = &atomGenerator{Name: fi.generator}
	}
	if fi.link != "" {
		out.Links = append(out.Links, gf.AtomLink{Href: fi.link, Rel: "alternate", Type: "text/html"})
	}
	if fi.self != "" {
		out.Links = append(out.Links, gf.AtomLink{Href: fi.self, Rel: "self", Type: "application/atom+xml"})
	}
	if fi.hub != "" {
		out.Links = append(out.Links, gf.AtomLink{Href: fi.hub, Rel: "hub"})
	}
	for _, l := range fi.paging.pageLinks() {
		out.Links = append(out.Links, gf.AtomLink{Href: l[1], Rel: l[0], Type: "application/atom+xml"})
	}
	anonymous := false
	for i := range items {
		it := &items[i]
		e := &atomEntry{AtomEntry: af.Entries[i], Categories: make([]atomCategory, len(it.categories)), Media: newMediaContent(it.image)}
		e.Id = atomID(it.id)
		if !it.published.IsZero() {
			e.Published = it.published.Format(time.RFC3339)
		}
		// updated is required: the latest date known, else the feed's.
		updated := it.modified()
		if updated.IsZero() {
			updated = fi.updated
		}
		e.Updated = updated.Format(time.RFC3339)
		e.Links = e.Links[:0]
		if it.link != "" {
			e.Links = append(e.Links, gf.AtomLink{Href: it.link, Rel: "alternate", Type: "text/html"})
		}
		seen := map[string]bool{}
		if im := it.image; im != nil {
			seen[im.URL] = true
			e.Links = append(e.Links, gf.AtomLink{Href: im.URL, Rel: "enclosure", Type: cmp.Or(im.Type, mimeType(im.URL, "image/jpeg")), Length: atomLength(im.Length)})
		}
		for _, enc := range it.enclosures {
			if !seen[enc.URL] {
				seen[enc.URL] = true
				e.Links = append(e.Links, gf.AtomLink{Href: enc.URL, Rel: "enclosure", Type: cmp.Or(enc.Type, mimeType(enc.URL, "application/octet-stream")), Length: atomLength(enc.Length)})
			}
		}
		for j, c := range it.categories {
			e.Categories[j] = atomCategory(c)
		}
		if it.podcast != nil {
			e.itunesItem = newITunes(it.podcast)
			out.NSITunes = nsITunes
		}
		e.Source = newAtomSource(it.via)
		for _, a := range it.authors {
			if n := authorName(a); n != "" {
				e.Authors = append(e.Authors, atomAuthor{Name: n, URI: a.URL, Email: atomEmail(a.Email), Note: a.Bio})
				if a.Bio != "" {
					out.NSPoco = nsPoco
				}
			}
		}
		anonymous = anonymous || len(e.Authors) == 0
		if it.summary != "" {
			e.Summary = &atomText{Body: it.summary}
		}
		// An entry needs content or an alternate link (RFC 4287 4.1.1).
		switch {
		case it.content != "":
			e.Content = &atomText{Body: it.content}
		case it.link == "":
			e.Content = &atomText{Body: it.summary}
		}
		out.Entries[i] = e
	}
	// A feed needs an author unless every entry has one (RFC 4287 4.1.1):
	// the feed itself, its publisher, is the honest fallback.
	if anonymous {
		out.Author = &gf.AtomAuthor{AtomPerson: gf.AtomPerson{Name: cmp.Or(fi.title, fi.generator, "Tributary"), Uri: fi.link}}
	}
	af.Entries = nil // replaced by out.Entries
	b, err := marshalXML(out)
	if err != nil {
		return nil, fmt.Errorf("render atom: %w", err)
	}
	return b, nil
}

// newAtomSource returns the <source> of an entry taken from v: its id
// (a tag: URI made from its URL when it has none), title, home page and
// feed URL.
func newAtomSource(v *SourceFeed) *atomSource {
	if v == nil {
		return nil
	}
	s := &atomSource{ID: atomID(cmp.Or(v.ID, v.URL)), Title: v.Title}
	if v.Link != "" {
		s.Links = append(s.Links, gf.AtomLink{Href: v.Link, Rel: "alternate", Type: "text/html"})
	}
	if v.URL != "" {
		s.Links = append(s.Links, gf.AtomLink{Href: v.URL, Rel: "self"})
	}
	return s
}

// atomEmail returns s when it has the shape RFC 4287's schema requires of
// an e-mail address (".+@.+" on one line), else "": sources put names,
// "n/a" or "@handle" in e-mail fields, and one such author made the whole
// Atom rendering invalid (found by TestRenderProperty).
func atomEmail(s string) string {
	if len(s) < 3 || strings.ContainsAny(s, "\r\n") || !strings.Contains(s[1:len(s)-1], "@") {
		return ""
	}
	return s
}

func atomLength(n int64) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprint(n)
}
