package sources

import (
	"bytes"
	"mime"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// feedLinkTypes are the <link type> values that advertise a feed.
var feedLinkTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
	"application/json":      true,
}

// discoverFeed returns the absolute URL of the first feed an HTML page
// advertises with <link rel="alternate" type="..." href="...">, resolved
// against the page's <base href> or pageURL; "" when there is none.
func discoverFeed(page []byte, pageURL string) string {
	base, _ := url.Parse(pageURL)
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
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
			if err != nil || !feedLinkTypes[mt] {
				continue
			}
			if u := safeURL(base, href); u != "" {
				return u
			}
		}
	}
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

// htmlToUTF8 decodes an HTML page to UTF-8 using, in order, its byte order
// mark, the Content-Type charset, a <meta> charset, then a guess.
func htmlToUTF8(body []byte, contentType string) []byte {
	enc, name, _ := charset.DetermineEncoding(body[:min(len(body), 4096)], contentType)
	if name == "utf-8" || enc == nil {
		return bytes.ToValidUTF8(bytes.TrimPrefix(body, utf8BOM), []byte("\uFFFD"))
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	return out
}
