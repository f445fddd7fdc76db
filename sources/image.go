package sources

import (
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"golang.org/x/net/html"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/sources/extract"
)

// itemImage picks an item's lead image: a Media RSS image (media:content
// with an image medium or type, then media:thumbnail, also inside
// media:group) with its media:credit and media:description/media:title, else
// an image enclosure, else itunes:image, else the JSON Feed image or
// banner_image, else the first <img> of the content or summary that is not a
// 1x1 tracking pixel. The URL is absolute and http(s); nil when none.
func (c *converter) itemImage(it *gofeed.Item, orig any, encs []feeds.Enclosure, content, summary string) *feeds.Image {
	if img := c.mediaImage(it.Extensions["media"]); img != nil {
		return img
	}
	for _, e := range encs {
		if strings.HasPrefix(strings.ToLower(e.Type), "image/") {
			if u := httpURL(nil, e.URL); u != "" {
				return &feeds.Image{URL: u, Type: e.Type, Length: e.Length}
			}
		}
	}
	if it.ITunesExt != nil {
		if u := httpURL(c.base, it.ITunesExt.Image); u != "" {
			return &feeds.Image{URL: u}
		}
	}
	if o, ok := orig.(*jsonfeed.Item); ok {
		for _, ref := range []string{o.Image, o.BannerImage} {
			if u := httpURL(c.base, ref); u != "" {
				return &feeds.Image{URL: u}
			}
		}
	}
	// content and summary are sanitized: their URLs are already absolute.
	if img := firstHTMLImage(content); img != nil || summary == content {
		return img
	}
	return firstHTMLImage(summary)
}

// mediaImage reads Media RSS elements (prefix "media").
func (c *converter) mediaImage(media map[string][]ext.Extension) *feeds.Image {
	if len(media) == 0 {
		return nil
	}
	// Scopes from the most to the least specific: the item, then each group.
	scopes := []map[string][]ext.Extension{media}
	for _, g := range media["group"] {
		scopes = append(scopes, g.Children)
	}
	// lookup finds a child of e, else the nearest scope's element.
	lookup := func(e *ext.Extension, names ...string) string {
		if v := firstExtValue(e.Children, names...); v != "" {
			return v
		}
		for _, s := range scopes {
			if v := firstExtValue(s, names...); v != "" {
				return v
			}
		}
		return ""
	}
	build := func(e *ext.Extension, typ string) *feeds.Image {
		u := httpURL(c.base, e.Attrs["url"])
		if u == "" {
			return nil
		}
		caption, credit := extract.CaptionCredit(feeds.PlainText(lookup(e, "description", "title")), feeds.PlainText(lookup(e, "credit")))
		return &feeds.Image{
			URL:     u,
			Caption: feeds.TruncateRunes(caption, feeds.MaxCaptionRunes),
			Credit:  feeds.TruncateRunes(credit, feeds.MaxCaptionRunes),
			Type:    typ,
			Width:   atoiAttr(e.Attrs["width"]),
			Height:  atoiAttr(e.Attrs["height"]),
			Length:  parseLength(e.Attrs["fileSize"]),
		}
	}
	for _, s := range scopes {
		for i := range s["content"] {
			e := &s["content"][i]
			typ := strings.ToLower(strings.TrimSpace(e.Attrs["type"]))
			medium := strings.ToLower(strings.TrimSpace(e.Attrs["medium"]))
			isImage := medium == "image" || strings.HasPrefix(typ, "image/") ||
				medium == "" && typ == "" && hasImageExt(e.Attrs["url"])
			if !isImage {
				continue
			}
			if !strings.HasPrefix(typ, "image/") {
				typ = ""
			}
			if img := build(e, typ); img != nil {
				return img
			}
		}
	}
	for _, s := range scopes {
		for i := range s["content"] { // thumbnails of a video or audio
			for j := range s["content"][i].Children["thumbnail"] {
				if img := build(&s["content"][i].Children["thumbnail"][j], ""); img != nil {
					return img
				}
			}
		}
		for i := range s["thumbnail"] {
			if img := build(&s["thumbnail"][i], ""); img != nil {
				return img
			}
		}
	}
	return nil
}

func firstExtValue(scope map[string][]ext.Extension, names ...string) string {
	for _, n := range names {
		for _, e := range scope[n] {
			if v := strings.TrimSpace(e.Value); v != "" {
				return v
			}
		}
	}
	return ""
}

func atoiAttr(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "px")))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// dimAttr parses an HTML width or height; -1 when it is not a number.
func dimAttr(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "px")))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

func hasImageExt(ref string) bool {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return false
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg":
		return true
	}
	return false
}

// firstHTMLImage returns the first <img> of an HTML fragment whose src is an
// absolute http(s) URL and that is not a tracking pixel (width or height of
// 0 or 1).
func firstHTMLImage(s string) *feeds.Image {
	if !strings.Contains(s, "<img") && !strings.Contains(s, "<IMG") {
		return nil
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return nil
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "img" || !hasAttr {
				continue
			}
			var src string
			w, h := -1, -1
			for {
				k, v, more := z.TagAttr()
				switch string(k) {
				case "src":
					src = string(v)
				case "width":
					w = dimAttr(string(v))
				case "height":
					h = dimAttr(string(v))
				}
				if !more {
					break
				}
			}
			if w == 0 || w == 1 || h == 0 || h == 1 {
				continue
			}
			if u := httpURL(nil, src); u != "" {
				img := &feeds.Image{URL: u}
				img.Width, img.Height = max(w, 0), max(h, 0)
				return img
			}
		}
	}
}
