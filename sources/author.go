package sources

import (
	"html"
	"regexp"
	"strings"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"

	"github.com/tributary/tributary/feeds"
)

var (
	emailNameRe = regexp.MustCompile(`^(?:mailto:)?([^\s@()<>]+@[^\s()<>]+)\s*\(([^()]*)\)$`)
	nameEmailRe = regexp.MustCompile(`^([^()<>]*?)\s*[(<](?:mailto:)?([^\s@()<>]+@[^\s()<>]+)[)>]$`)
	emailOnlyRe = regexp.MustCompile(`^(?:mailto:)?([^\s@()<>]+@[^\s@()<>]+\.[^\s@()<>]+)$`)
)

// parseNameAddress splits the free-form author strings of RSS:
// "jo@example.com (Jo Smith)", "Jo Smith (jo@example.com)",
// "Jo Smith <jo@example.com>", a bare address or a bare name.
func parseNameAddress(s string) (name, email string) {
	// Not feeds.PlainText: it would take "<jo@example.com>" for a tag.
	s = strings.Join(strings.Fields(html.UnescapeString(feeds.StripControl(s))), " ")
	if m := emailNameRe.FindStringSubmatch(s); m != nil {
		return strings.TrimSpace(m[2]), m[1]
	}
	if m := nameEmailRe.FindStringSubmatch(s); m != nil {
		return strings.TrimSpace(m[1]), m[2]
	}
	if m := emailOnlyRe.FindStringSubmatch(s); m != nil {
		return "", m[1]
	}
	return s, ""
}

// authorBuilder collects authors, dropping empty ones and duplicates.
type authorBuilder struct {
	c    *converter
	out  []feeds.Author
	seen map[string]bool
}

func (b *authorBuilder) add(name, email, uri, avatar string) {
	a := feeds.Author{
		Name:   feeds.TruncateRunes(feeds.PlainText(name), maxAuthorFieldLen),
		Email:  strings.TrimPrefix(strings.TrimSpace(feeds.StripControl(email)), "mailto:"),
		URL:    safeURL(b.c.base, uri),
		Avatar: httpURL(b.c.base, avatar),
	}
	if a.Name == "" && a.Email == "" {
		return
	}
	k := strings.ToLower(a.Name + "\x00" + a.Email)
	if b.seen == nil {
		b.seen = map[string]bool{}
	}
	if b.seen[k] || len(b.out) >= maxAuthors {
		return
	}
	b.seen[k] = true
	b.out = append(b.out, a)
}

func (b *authorBuilder) addText(s string) {
	name, email := parseNameAddress(s)
	b.add(name, email, "", "")
}

// feedLevelAuthors returns the authors a feed credits for all its items:
// Atom feed authors, JSON Feed authors, and for RSS the managingEditor,
// dc:creator or itunes:author (not webMaster, a technical contact).
func (c *converter) feedLevelAuthors(feed *gofeed.Feed) []feeds.Author {
	b := authorBuilder{c: c}
	switch f := feed.OriginalFeed().(type) {
	case *atom.Feed:
		for _, p := range f.Authors {
			b.add(p.Name, p.Email, p.URI, "")
		}
	case *jsonfeed.Feed:
		for _, p := range f.Authors {
			b.add(p.Name, "", p.URL, p.Avatar)
		}
		if len(f.Authors) == 0 && f.Author != nil {
			b.add(f.Author.Name, "", f.Author.URL, f.Author.Avatar)
		}
	case *rss.Feed:
		switch {
		case f.ManagingEditor != "":
			b.addText(f.ManagingEditor)
		case f.DublinCoreExt != nil && len(f.DublinCoreExt.Creator) > 0:
			for _, s := range f.DublinCoreExt.Creator {
				b.addText(s)
			}
		case f.ITunesExt != nil && f.ITunesExt.Author != "":
			b.addText(f.ITunesExt.Author)
		}
	default:
		for _, p := range feed.Authors {
			if p != nil {
				b.add(p.Name, p.Email, "", "")
			}
		}
	}
	return b.out
}

// itemAuthors returns the item's own authors (author, else every
// dc:creator, else the other forms gofeed knows), else the feed's.
func (c *converter) itemAuthors(it *gofeed.Item, orig any) []feeds.Author {
	b := authorBuilder{c: c}
	switch o := orig.(type) {
	case *atom.Entry:
		for _, p := range o.Authors {
			b.add(p.Name, p.Email, p.URI, "")
		}
		if len(b.out) == 0 && o.Source != nil {
			for _, p := range o.Source.Authors {
				b.add(p.Name, p.Email, p.URI, "")
			}
		}
	case *jsonfeed.Item:
		for _, p := range o.Authors {
			b.add(p.Name, "", p.URL, p.Avatar)
		}
		if len(o.Authors) == 0 && o.Author != nil {
			b.add(o.Author.Name, "", o.Author.URL, o.Author.Avatar)
		}
	case *rss.Item:
		if o.Author != "" {
			b.addText(o.Author)
		} else if o.DublinCoreExt != nil {
			for _, s := range o.DublinCoreExt.Creator {
				b.addText(s)
			}
		}
	}
	if len(b.out) == 0 {
		for _, p := range it.Authors {
			if p == nil {
				continue
			}
			if p.Email == "" {
				b.addText(p.Name)
			} else {
				b.add(p.Name, p.Email, "", "")
			}
		}
	}
	c.inherited = len(b.out) == 0 && len(c.feedAuthors) > 0
	if c.inherited {
		return append([]feeds.Author(nil), c.feedAuthors...)
	}
	return b.out
}
