package feeds

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// policy is built once; bluemonday policies are safe for concurrent use once
// configured, and building one is far more expensive than applying it.
var policy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(true)
	p.AllowElements("figure", "figcaption", "picture", "source", "audio", "video", "track", "mark", "time", "small")
	p.AllowAttrs("src", "srcset", "type", "media", "sizes").OnElements("source")
	p.AllowAttrs("src", "controls", "poster", "width", "height", "preload").OnElements("video")
	p.AllowAttrs("src", "controls", "preload").OnElements("audio")
	p.AllowAttrs("src", "kind", "srclang", "label").OnElements("track")
	p.AllowAttrs("srcset", "sizes", "loading").OnElements("img")
	p.AllowAttrs("datetime").OnElements("time")
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.RequireNoFollowOnLinks(false)
	return p
})

// SanitizeHTML makes untrusted HTML safe to republish: relative URLs are
// resolved against base (when base is not nil), then everything outside an
// allow-list is removed (scripts, styles, event handlers, javascript: and
// data: URLs, iframes, objects, forms) together with C0 control characters,
// which are invalid in XML.
func SanitizeHTML(s string, base *url.URL) string {
	s = StripControl(s)
	if strings.TrimSpace(s) == "" {
		return ""
	}
	if base != nil {
		s = ResolveHTMLURLs(s, base)
	}
	return strings.TrimSpace(policy().Sanitize(s))
}

// urlAttrs are the attributes whose value is a URL (srcset is handled apart).
var urlAttrs = map[string]bool{"href": true, "src": true, "poster": true, "cite": true, "longdesc": true}

// ResolveHTMLURLs rewrites the relative URLs of an HTML fragment against base.
func ResolveHTMLURLs(s string, base *url.URL) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var out bytes.Buffer
	out.Grow(len(s) + 64)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out.String()
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			changed := false
			for i, a := range tok.Attr {
				switch {
				case urlAttrs[a.Key]:
					if r := ResolveURL(base, a.Val); r != a.Val {
						tok.Attr[i].Val, changed = r, true
					}
				case a.Key == "srcset":
					if r := resolveSrcset(base, a.Val); r != a.Val {
						tok.Attr[i].Val, changed = r, true
					}
				}
			}
			if changed {
				out.WriteString(tok.String())
			} else {
				out.Write(z.Raw())
			}
		default:
			out.Write(z.Raw())
		}
	}
}

// ResolveURL returns ref made absolute against base; a ref that does not
// parse, or an empty one, is returned trimmed and unchanged.
func ResolveURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || base == nil {
		return ref
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return base.ResolveReference(u).String()
}

func resolveSrcset(base *url.URL, v string) string {
	parts := strings.Split(v, ",")
	for i, p := range parts {
		f := strings.Fields(p)
		if len(f) == 0 {
			continue
		}
		f[0] = ResolveURL(base, f[0])
		parts[i] = strings.Join(f, " ")
	}
	return strings.Join(parts, ", ")
}

var controlRe = regexp.MustCompile("[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF]")

// StripControl removes characters that XML 1.0 forbids (C0 controls other
// than tab, newline and carriage return; DEL; U+FFFE and U+FFFF) and
// replaces invalid UTF-8 with U+FFFD.
func StripControl(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !controlRe.MatchString(s) {
		return s
	}
	return controlRe.ReplaceAllString(s, "")
}

var spaceRe = regexp.MustCompile(`\s+`)

// PlainText turns an HTML fragment (or text with entities) into plain text:
// tags removed, entities decoded, whitespace collapsed.
func PlainText(s string) string {
	s = StripControl(s)
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(spaceRe.ReplaceAllString(s, " "))
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(spaceRe.ReplaceAllString(b.String(), " "))
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				skip++
			case "br", "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6":
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				if skip > 0 {
					skip--
				}
			case "p", "div", "li":
				b.WriteByte(' ')
			}
		}
	}
}
