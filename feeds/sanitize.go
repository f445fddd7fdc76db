package feeds

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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
// which are invalid in XML, tracking pixels (images at most 1x1), and the
// id and class attributes of the page the HTML came from.
func SanitizeHTML(s string, base *url.URL) string {
	s = StripControl(s)
	if strings.TrimSpace(s) == "" {
		return ""
	}
	// rewriteHTML runs only where it may change a tag. Skipping it is
	// exact: where it changes none, its output is the fragment's tokens as
	// written, less an unterminated tag at the end, which bluemonday (it
	// reads tokens, never raw bytes) drops too.
	if containsFold(s, "<img") || hasHookAttr(s) || base != nil && !urlsResolved(s, base) {
		s = rewriteHTML(s, base, true)
	}
	// Character references such as &#1; decode to characters XML forbids, and
	// bluemonday writes decoded text back unescaped: strip them again.
	return strings.TrimSpace(StripControl(postSanitize(bluemondaySanitize(s))))
}

// bluemondaySanitize is policy().Sanitize(s), written into a buffer sized
// for s once instead of one grown from nothing and copied into a string:
// the output of a fragment is about as long as the fragment.
func bluemondaySanitize(s string) string {
	if strings.TrimSpace(s) == "" {
		return s // as Sanitize does
	}
	var b strings.Builder
	b.Grow(len(s))
	if err := policy().SanitizeReaderToWriter(strings.NewReader(s), &b); err != nil {
		return "" // as Sanitize does
	}
	return b.String()
}

// postSanitize covers what bluemonday's policy cannot express: it checks
// URLs only in the attributes of the elements it calls "linkable", so
// srcset, video poster and source src/srcset pass unchecked. An img, source
// or track left without any URL is dropped, as bluemonday itself does. The
// input is bluemonday's own well-formed output, so re-serializing its tokens
// is safe.
func postSanitize(s string) string {
	if !strings.Contains(s, "<") || sanitizedURLsSafe(s) {
		return s
	}
	z := html.NewTokenizer(strings.NewReader(s))
	out := lazyOut{s: s}
	var attrs rawAttrs
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out.String()
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			attrs = readAttrs(z, hasAttr, attrs[:0])
			safe := 0
			for i := range attrs {
				a := &attrs[i]
				if a.keep = !holdsURL(a.key) || safeAttrURL(html.Attribute{Key: a.key, Val: a.value()}); a.keep {
					safe++
				}
			}
			if safe == len(attrs) {
				out.raw(z.Raw())
				continue
			}
			if isMediaSource(atom.Lookup(name)) && !attrs.keepsURL() {
				out.skip(z.Raw())
				continue
			}
			out.tag(z.Raw(), tt, name, attrs)
		default:
			out.raw(z.Raw())
		}
	}
}

// sanitizedURLsSafe is postSanitize's fast path: it reports whether every
// attribute of s, bluemonday's output, that holdsURL names holds only safe
// URLs, reading bytes instead of tokens. bluemonday writes every tag
// attribute as ` key="value"` with the value escaped and escapes every '"'
// of text, so each `="` in s opens an attribute, its key runs back to the
// space before it and its value to the next '"'. When it reports true the
// tokenizer pass would write every token as it is: postSanitize returns s.
// Anything out of that shape reports false, and the pass decides.
func sanitizedURLsSafe(s string) bool {
	for {
		i := strings.Index(s, `="`)
		if i < 0 {
			return true
		}
		k := strings.LastIndexByte(s[:i], ' ')
		if k < 0 {
			return false
		}
		key := s[k+1 : i]
		s = s[i+2:]
		j := strings.IndexByte(s, '"')
		if j < 0 {
			return false
		}
		if holdsURL(key) {
			// The value's only references are the ones escaping wrote,
			// each ended by ';': UnescapeString reads them as the
			// tokenizer does.
			v := s[:j]
			if strings.IndexByte(v, '&') >= 0 {
				v = html.UnescapeString(v)
			}
			if !safeAttrURL(html.Attribute{Key: key, Val: v}) {
				return false
			}
		}
		s = s[j+1:]
	}
}

// holdsURL tells the attributes whose value safeAttrURL checks.
func holdsURL(key string) bool {
	switch key {
	case "href", "src", "poster", "cite", "longdesc", "action", "formaction", "background", "data", "codebase", "xlink:href", "dynsrc", "lowsrc", "srcset":
		return true
	}
	return false
}

// rawAttr is an attribute of the tag a tokenizer is on, its value read
// as a string only when needed.
type rawAttr struct {
	key  string
	val  []byte // the tokenizer's copy, unescaped
	str  string // val as a string once read, or its replacement
	read bool
	keep bool
}

// value returns the attribute's value as a string.
func (a *rawAttr) value() string {
	if !a.read {
		a.str, a.read = string(a.val), true
	}
	return a.str
}

// rawAttrs are the attributes of one tag.
type rawAttrs []rawAttr

// readAttrs appends to buf the attributes of z's current tag, as Token
// would read them; hasAttr is what TagName returned.
func readAttrs(z *html.Tokenizer, hasAttr bool, buf rawAttrs) rawAttrs {
	for hasAttr {
		var k, v []byte
		k, v, hasAttr = z.TagAttr()
		buf = append(buf, rawAttr{key: atom.String(k), val: v})
	}
	return buf
}

// keepsURL reports whether a src or srcset is among the attributes marked
// keep: an img, source or track without one is pointless.
func (as rawAttrs) keepsURL() bool {
	for _, a := range as {
		if a.keep && (a.key == "src" || a.key == "srcset") {
			return true
		}
	}
	return false
}

// lazyOut builds the output of a pass over the tokens of s that writes
// most of them as they are: nothing is copied until a token changes, and
// a pass that changes none returns (a prefix of) s itself. Its output is
// the concatenation of what it was given, as a bytes.Buffer's would be.
type lazyOut struct {
	s   string
	pos int           // bytes of s the tokens given so far cover
	out *bytes.Buffer // nil while the output is s[:pos]
}

// raw writes a token as it is: raw is what Tokenizer.Raw returned, which
// is compared with s rather than assumed to be its next bytes.
func (w *lazyOut) raw(raw []byte) {
	start := w.pos
	w.pos += len(raw)
	if w.out == nil {
		if w.pos <= len(w.s) && string(raw) == w.s[start:w.pos] {
			return
		}
		w.copied(start)
	}
	w.out.Write(raw)
}

// tag writes, in place of the token raw, the start tag of type tt named
// name (as TagName returned it) with the attributes marked keep: what
// html.Token.String writes, without building the token.
func (w *lazyOut) tag(raw []byte, tt html.TokenType, name []byte, attrs rawAttrs) {
	w.skip(raw)
	w.out.WriteByte('<')
	w.out.Write(name)
	for i := range attrs {
		if a := &attrs[i]; a.keep {
			w.out.WriteByte(' ')
			w.out.WriteString(a.key)
			w.out.WriteString(`="`)
			w.out.WriteString(html.EscapeString(a.value()))
			w.out.WriteByte('"')
		}
	}
	if tt == html.SelfClosingTagToken {
		w.out.WriteString("/>")
	} else {
		w.out.WriteByte('>')
	}
}

// skip leaves the token raw out.
func (w *lazyOut) skip(raw []byte) {
	start := w.pos
	w.pos += len(raw)
	if w.out == nil {
		w.copied(start)
	}
}

// copied starts the output with the first n bytes of s.
func (w *lazyOut) copied(n int) {
	w.out = new(bytes.Buffer)
	w.out.Grow(len(w.s) + 64)
	w.out.WriteString(w.s[:n])
}

// String returns the output.
func (w *lazyOut) String() string {
	if w.out == nil {
		return w.s[:w.pos]
	}
	return w.out.String()
}

// pageHook tells the attributes that tie an element to the page it came
// from: ids and classes would clash with (or be styled and scripted by)
// the page or reader that embeds the content.
func pageHook(key string) bool {
	return key == "id" || key == "class"
}

// hasHookAttr reports whether s may hold an attribute pageHook names: an
// "id" or "class" (any case) after a space, quote or slash and before an
// "=" (spaces allowed). It is SanitizeHTML's fast path: a false positive
// costs one more pass, never a kept id.
func hasHookAttr(s string) bool {
	for i := strings.IndexByte(s, '='); i >= 0; {
		j := i
		for j > 0 && isHTMLSpace(s[j-1]) {
			j--
		}
		for _, name := range []string{"id", "class"} {
			k := j - len(name)
			if k > 0 && strings.EqualFold(s[k:j], name) && (isHTMLSpace(s[k-1]) || s[k-1] == '"' || s[k-1] == '\'' || s[k-1] == '/') {
				return true
			}
		}
		next := strings.IndexByte(s[i+1:], '=')
		if next < 0 {
			return false
		}
		i += next + 1
	}
	return false
}

// urlsResolved reports whether resolving the URL attributes of s against
// base (urlAttrs and srcset, what rewriteHTML rewrites) would change none
// of them: every such attribute's value is already what ResolveURL makes
// of it, an absolute URL written as Go writes it. It is SanitizeHTML's
// fast path for the feeds whose links are all absolute; false costs one
// more pass, never a relative URL left.
//
// It reads s without tokenizing it, from one "=" to the next, as
// hasHookAttr does: an attribute with a value has its name before an "="
// (spaces allowed), and the name starts after a space, quote or slash.
// Every such name of a URL attribute is checked, those in text or in other
// values too; a srcset, or a value holding a character reference (which
// the tokenizer would decode), is false. The value read is the
// tokenizer's: between quotes, or unquoted up to a space or ">".
func urlsResolved(s string, base *url.URL) bool {
	for i := strings.IndexByte(s, '='); i >= 0; {
		j := i
		for j > 0 && isHTMLSpace(s[j-1]) {
			j--
		}
		k := j
		for k > 0 && j-k <= len("longdesc") && isASCIILetter(s[k-1]) {
			k--
		}
		if name := s[k:j]; k > 0 && (isHTMLSpace(s[k-1]) || s[k-1] == '"' || s[k-1] == '\'' || s[k-1] == '/') &&
			(strings.EqualFold(name, "srcset") || urlAttrs[asciiLower(name)]) {
			v, ok := attrValueAt(s, i+1)
			if strings.EqualFold(name, "srcset") || !ok || v != "" && ResolveURL(base, v) != v {
				return false
			}
		}
		next := strings.IndexByte(s[i+1:], '=')
		if next < 0 {
			return true
		}
		i += next + 1
	}
	return true
}

// attrValueAt reads, as the tokenizer does, the value of an attribute
// whose "=" ends before s[i:]. ok is false when the value holds "&", or
// its quote is not closed.
func attrValueAt(s string, i int) (v string, ok bool) {
	for i < len(s) && isHTMLSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		end := strings.IndexByte(s[i+1:], s[i])
		if end < 0 {
			return "", false
		}
		v = s[i+1 : i+1+end]
	} else {
		j := i
		for j < len(s) && !isHTMLSpace(s[j]) && s[j] != '>' {
			j++
		}
		v = s[i:j]
	}
	return v, !strings.Contains(v, "&")
}

// isASCIILetter tells the letters of attribute names.
func isASCIILetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// asciiLower returns s with its ASCII capitals lowered, allocating only
// when there are some.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// isHTMLSpace tells the ASCII white space HTML separates attributes with.
func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// isMediaSource tells the void elements that are pointless without a URL.
func isMediaSource(a atom.Atom) bool {
	return a == atom.Img || a == atom.Source || a == atom.Track
}

// containsFold reports whether s contains the ASCII lowercase substr in any
// letter case, without allocating.
func containsFold(s, substr string) bool {
	n := len(substr)
	for i := 0; i+n <= len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c == substr[0] && strings.EqualFold(s[i:i+n], substr) {
			return true
		}
	}
	return false
}

func pixels(v string) int {
	v = strings.TrimSuffix(strings.TrimSpace(strings.ToLower(v)), "px")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// safeAttrURL reports whether attribute a, when it holds URLs, holds only
// relative or http(s) URLs (mailto too in href). Other attributes are safe.
func safeAttrURL(a html.Attribute) bool {
	switch a.Key {
	case "href":
		return safeURL(a.Val, true)
	case "src", "poster", "cite", "longdesc", "action", "formaction", "background", "data", "codebase", "xlink:href", "dynsrc", "lowsrc":
		return safeURL(a.Val, false)
	case "srcset":
		for _, c := range strings.Split(a.Val, ",") {
			f := strings.Fields(c)
			if len(f) > 0 && !safeURL(f[0], false) {
				return false
			}
		}
		return true
	}
	return true
}

func safeURL(v string, mailto bool) bool {
	v = strings.TrimSpace(v)
	if strings.ContainsAny(v, " \t\n\r") {
		return false
	}
	u, err := url.Parse(v)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https":
		return true
	case "mailto":
		return mailto
	}
	return false
}

// urlAttrs are the attributes whose value is a URL (srcset is handled apart).
var urlAttrs = map[string]bool{"href": true, "src": true, "poster": true, "cite": true, "longdesc": true}

// ResolveHTMLURLs rewrites the relative URLs of an HTML fragment against base.
func ResolveHTMLURLs(s string, base *url.URL) string {
	return rewriteHTML(s, base, false)
}

// rewriteHTML resolves the relative URLs of an HTML fragment against base
// (when not nil) and, with sanitizing, removes tracking pixels and the
// attributes pageHook names. It runs before bluemonday, which would drop
// a width of "1px" and so hide a pixel, and drops a link left without
// attributes, which it must see to keep sanitizing idempotent.
func rewriteHTML(s string, base *url.URL, sanitizing bool) string {
	z := html.NewTokenizer(strings.NewReader(s))
	out := lazyOut{s: s}
	var attrs rawAttrs
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out.String()
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			attrs = readAttrs(z, hasAttr, attrs[:0])
			if sanitizing && atom.Lookup(name) == atom.Img && attrs.trackingPixel() {
				out.skip(z.Raw())
				continue
			}
			changed := false
			for i := range attrs {
				a := &attrs[i]
				a.keep = !sanitizing || !pageHook(a.key)
				changed = changed || !a.keep
				if base == nil || !a.keep {
					continue
				}
				var r string
				switch {
				case urlAttrs[a.key]:
					r = ResolveURL(base, a.value())
				case a.key == "srcset":
					r = resolveSrcset(base, a.value())
				default:
					continue
				}
				if r != a.str {
					a.str, changed = r, true
				}
			}
			if changed {
				out.tag(z.Raw(), tt, name, attrs)
			} else {
				out.raw(z.Raw())
			}
		default:
			out.raw(z.Raw())
		}
	}
}

// trackingPixel reports whether the attributes of an img declare a size
// of at most 1x1 (a missing or unparseable dimension is not small).
func (as rawAttrs) trackingPixel() bool {
	w, h := -1, -1
	for i := range as {
		switch a := &as[i]; a.key {
		case "width":
			w = pixels(a.value())
		case "height":
			h = pixels(a.value())
		}
	}
	return w >= 0 && w <= 1 && h >= 0 && h <= 1
}

// ResolveURL returns ref made absolute against base; a ref that does not
// parse, or an empty one, is returned trimmed and unchanged.
func ResolveURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || base == nil {
		return ref
	}
	if r, ok := resolveRootPath(base, ref); ok {
		return r
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return base.ResolveReference(u).String()
}

// resolveRootPath is ResolveURL's fast path for the commonest relative
// reference of a feed, a path from the root ("/story/12-a.html"): when the
// path holds only letters, digits, "-", "_", "~", "." and single slashes,
// with no dot segment, and base is a plain scheme://host, parsing and
// resolving give base's scheme and host followed by the path as it is. ok
// is false for anything else, which takes the general way.
func resolveRootPath(base *url.URL, ref string) (string, bool) {
	if ref[0] != '/' || strings.Contains(ref, "//") || strings.Contains(ref, "/.") ||
		base.Scheme == "" || base.Host == "" || base.Opaque != "" || base.User != nil {
		return "", false
	}
	for i := 0; i < len(ref); i++ {
		if c := ref[i]; !unreservedByte(c) && c != '/' {
			return "", false
		}
	}
	for i := 0; i < len(base.Host); i++ {
		if c := base.Host[i]; !unreservedByte(c) && c != ':' || c == '~' || c == '_' {
			return "", false
		}
	}
	return base.Scheme + "://" + base.Host + ref, true
}

// unreservedByte tells the characters RFC 3986 leaves unescaped anywhere
// in a URL.
func unreservedByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
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

// StripControl removes characters that XML 1.0 forbids (C0 controls other
// than tab, newline and carriage return; DEL; U+FFFE and U+FFFF) and
// replaces invalid UTF-8 with U+FFFD.
func StripControl(s string) string {
	if !needsStrip(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		// DEL is a Char to XML but a control character to a reader:
		// StripControl drops it on top of what XMLChar rejects.
		if !XMLChar(r) || r == 0x7F {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// needsStrip is StripControl's fast path: one pass over the bytes, no
// allocation, for the common string that is already clean.
func needsStrip(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20:
			if c != '\t' && c != '\n' && c != '\r' {
				return true
			}
		case c == 0x7F:
			return true
		case c == 0xEF:
			// U+FFFE and U+FFFF are EF BF BE and EF BF BF.
			if i+2 < len(s) && s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF) {
				return true
			}
		}
	}
	return !utf8.ValidString(s)
}

// XMLChar reports whether r may appear in an XML 1.0 document: the Char
// production, #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
// [#x10000-#x10FFFF]. U+007F (DEL) is a Char, legal though discouraged, so
// XMLChar accepts it; StripControl removes it separately. This is the one
// rule for the feed reader's repair (package sources) and the writers'
// StripControl. Before it, StripControl had its own copy that rejected DEL
// (it still drops DEL, explicitly) and accepted surrogates and runes above
// U+10FFFF, which ranging over a string never yields; so no output changed.
func XMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// collapseSpace replaces each run of ASCII whitespace (what RE2's \s
// matches: tab, newline, form feed, carriage return, space) with one space
// and trims both ends. It is PlainText's hot path, several times faster
// than a regexp.
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\t', '\n', '\f', '\r', ' ':
			space = b.Len() > 0
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// PlainText turns an HTML fragment (or text with entities) into plain text:
// tags removed, entities decoded, whitespace collapsed.
func PlainText(s string) string {
	s = StripControl(s)
	if !strings.ContainsAny(s, "<&") {
		return collapseSpace(s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			return collapseSpace(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				if tt == html.StartTagToken { // <script/> has no content to skip
					skip++
				}
			default:
				if breaksText(string(name)) {
					b.WriteByte(' ')
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				if skip > 0 {
					skip--
				}
			default:
				if breaksText(string(name)) {
					b.WriteByte(' ')
				}
			}
		}
	}
}

// breaksText tells the elements whose start or end separates words in
// plain text: line breaks, block elements and table cells, so that
// "one<br/>two" and "<h2>Title</h2>Body" do not run together.
func breaksText(name string) bool {
	switch name {
	case "br", "hr", "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
		"blockquote", "pre", "figure", "figcaption", "table", "tr", "td", "th", "caption",
		"section", "article", "header", "footer", "aside", "nav", "main", "address", "details", "summary":
		return true
	}
	return false
}
