package sources

import (
	"bytes"
	"mime"
	"net/url"
	"strings"

	"golang.org/x/net/html"

	"github.com/tributary/tributary/sources/internal/pagecharset"
)

// feedLinkRank ranks the <link type> values that advertise a feed: a
// lower rank is preferred. Plain application/json is the type JSON Feed
// 1.0 asked for, but WordPress also puts it on every page for its REST
// API (/wp-json/wp/v2/posts/1), which is no feed; such a link is taken
// only when it names a feed and nothing better is advertised.
var feedLinkRank = map[string]int{
	"application/rss+xml":   0,
	"application/atom+xml":  0,
	"application/feed+json": 0,
	"application/json":      1,
}

// discoverFeed returns the absolute URL of the feed an HTML page
// advertises with <link rel="alternate" type="..." href="...">, resolved
// against the page's <base href> or pageURL; "" when there is none. The
// first RSS, Atom or JSON Feed link in document order wins (sites list
// their main feed first); an application/json link only when there is
// none and its href or title says "feed".
func discoverFeed(page []byte, pageURL string) string {
	base, _ := url.Parse(pageURL)
	var links []feedLink
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr || (string(name) != "link" && string(name) != "base") {
			continue
		}
		attrs := map[string]string{}
		for {
			k, v, more := z.TagAttr()
			attrs[string(k)] = string(v)
			if !more {
				break
			}
		}
		href := strings.TrimSpace(attrs["href"])
		if href == "" {
			continue
		}
		if string(name) == "base" {
			if u, err := url.Parse(href); err == nil && base != nil {
				base = base.ResolveReference(u)
			}
			continue
		}
		if !hasToken(attrs["rel"], "alternate") {
			continue
		}
		mt, _, err := mime.ParseMediaType(attrs["type"])
		rank, ok := feedLinkRank[mt]
		if err != nil || !ok || rank > 0 && !namesFeed(href, attrs["title"]) {
			continue
		}
		if u := safeURL(base, href); u != "" {
			links = append(links, feedLink{u, rank})
		}
	}
	best := feedLink{rank: len(feedLinkRank)}
	for _, l := range links {
		if l.rank < best.rank {
			best = l
		}
	}
	return best.url
}

// feedLink is a feed a page advertises.
type feedLink struct {
	url  string
	rank int
}

// namesFeed reports whether an application/json alternate link is a JSON
// Feed rather than an API: its href or title says "feed" (feed.json,
// "JSON Feed") and it is not under WordPress's /wp-json/.
func namesFeed(href, title string) bool {
	h := strings.ToLower(href)
	if strings.Contains(h, "wp-json") || strings.Contains(h, "rest_route=") {
		return false
	}
	return strings.Contains(h, "feed") || strings.Contains(strings.ToLower(title), "feed")
}

// hasToken reports whether the space-separated list s holds tok
// (case-insensitively), as in rel="alternate home".
func hasToken(s, tok string) bool {
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// isHTML reports whether a body that is not a feed is an HTML page: served
// as HTML, or starting like one.
func isHTML(body []byte, contentType string) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil &&
		(mt == "text/html" || mt == "application/xhtml+xml") {
		return true
	}
	head := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(body[:min(len(body), 1024)], utf8BOM), " \t\r\n"))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) ||
		bytes.Contains(head, []byte("<html"))
}

// htmlToUTF8 decodes an HTML page to UTF-8 as pagecharset.ToUTF8 does; on
// the rare decoder error it keeps the bytes, invalid UTF-8 replaced.
func htmlToUTF8(body []byte, contentType string) []byte {
	out, err := pagecharset.ToUTF8(body, contentType)
	if err != nil {
		return bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	return out
}
