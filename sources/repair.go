package sources

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"regexp"
	"strconv"
	"strings"
	stdunicode "unicode"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"

	"github.com/tributary/tributary/feeds"
)

// The functions in this file prepare feed bytes for gofeed. prepareXML runs on
// every document and only does what is always safe (decode to UTF-8, drop the
// DOCTYPE); repairXML runs only after gofeed rejected a document and rewrites
// what a strict reader would call an error.

var (
	utf8BOM = []byte{0xEF, 0xBB, 0xBF}
	// encodingAttrRe finds the encoding pseudo-attribute of an XML declaration.
	encodingAttrRe = regexp.MustCompile(`(?s)\bencoding\s*=\s*("[^"]*"|'[^']*')`)
	// xmlVersionRe finds a version other than 1.0 in an XML declaration.
	xmlVersionRe = regexp.MustCompile(`\bversion\s*=\s*("1\.[1-9]"|'1\.[1-9]')`)
)

// isJSON reports whether the document (after a BOM and whitespace) starts
// like a JSON object.
func isJSON(data []byte) bool {
	data = bytes.TrimLeft(bytes.TrimPrefix(data, utf8BOM), " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}

// contentTypeCharset returns the charset parameter of an HTTP Content-Type.
func contentTypeCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(params["charset"])
}

// isUTF8Label reports whether a charset label names UTF-8 (or is empty).
func isUTF8Label(label string) bool {
	l := strings.ToLower(strings.TrimSpace(label))
	return l == "" || l == "utf-8" || l == "utf8"
}

// xmlDeclaration returns the XML declaration at the start of data (the
// "<?xml ... ?>" bytes, nil when absent) and its encoding label.
func xmlDeclaration(data []byte) (decl []byte, label string) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if !bytes.HasPrefix(trimmed, []byte("<?xml")) {
		return nil, ""
	}
	end := bytes.Index(trimmed, []byte("?>"))
	if end < 0 || end > 512 {
		return nil, ""
	}
	decl = trimmed[:end+2]
	if m := encodingAttrRe.FindSubmatch(decl); m != nil {
		label = string(m[1][1 : len(m[1])-1])
	}
	return decl, strings.TrimSpace(label)
}

// decodeUTF16 turns a UTF-16 document (with a BOM, or starting with "<" in
// UTF-16 without one) into UTF-8; ok is false when data is not UTF-16.
func decodeUTF16(data []byte) (out []byte, ok bool) {
	var e unicode.Endianness
	switch {
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0x00, '<', 0x00}):
		e = unicode.BigEndian
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{'<', 0x00, '?', 0x00}),
		bytes.HasPrefix(data, []byte{'<', 0x00, 'r', 0x00}), bytes.HasPrefix(data, []byte{'<', 0x00, 'f', 0x00}):
		e = unicode.LittleEndian
	default:
		return nil, false
	}
	out, err := unicode.UTF16(e, unicode.UseBOM).NewDecoder().Bytes(data)
	if err != nil {
		return nil, false
	}
	return out, true
}

// toUTF8 decodes a document to UTF-8. Bytes that are already valid UTF-8 are
// kept as they are whatever the labels say (a feed labelled ISO-8859-1 but
// written in UTF-8 is common; the reverse cannot be valid UTF-8 by accident).
// Otherwise the label wins: the document's own declaration first (the author
// wrote it for these bytes, whereas a server charset is often a site-wide
// default), then the HTTP charset; a UTF-8 or missing label turns each invalid
// byte into U+FFFD.
func toUTF8(data []byte, docLabel, httpLabel string) []byte {
	if out, ok := decodeUTF16(data); ok {
		return bytes.TrimPrefix(out, utf8BOM)
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if utf8.Valid(data) {
		return data
	}
	label := docLabel
	if label == "" {
		label = httpLabel
	}
	if isUTF8Label(label) && legacy8Bit(data) {
		// Labelled (or defaulting to) UTF-8 but without a single valid
		// multi-byte sequence: written in a legacy 8-bit charset. Decode it
		// as windows-1252, as browsers do, rather than lose every accent.
		label = "windows-1252"
	}
	if !isUTF8Label(label) {
		if enc, _ := charset.Lookup(label); enc != nil {
			if out, err := enc.NewDecoder().Bytes(data); err == nil {
				return bytes.ToValidUTF8(out, []byte("\uFFFD"))
			}
		}
	}
	return bytes.ToValidUTF8(data, []byte("\uFFFD"))
}

// legacy8Bit reports whether data has bytes above ASCII but not one valid
// multi-byte UTF-8 sequence: the mark of Latin-1 or windows-1252 text. One
// stray invalid byte in real UTF-8 text does not qualify.
func legacy8Bit(data []byte) bool {
	invalid := false
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r != utf8.RuneError || size > 1 {
			return false
		}
		invalid = true
		i++
	}
	return invalid
}

// prepareXML returns an XML document as UTF-8 with a declaration that says
// so and without a DOCTYPE (see stripDoctype).
func prepareXML(data []byte, contentType string) []byte {
	_, docLabel := xmlDeclaration(bytes.TrimPrefix(data, utf8BOM))
	data = toUTF8(data, docLabel, contentTypeCharset(contentType))
	if decl, label := xmlDeclaration(data); decl != nil && (!isUTF8Label(label) || xmlVersionRe.Match(decl)) {
		// The bytes are UTF-8 now: a declaration naming another encoding
		// would make the XML reader decode them a second time. encoding/xml
		// also refuses XML 1.1, which feeds use without needing it.
		start := bytes.Index(data, decl)
		fixed := encodingAttrRe.ReplaceAll(decl, []byte(`encoding="UTF-8"`))
		fixed = xmlVersionRe.ReplaceAll(fixed, []byte(`version="1.0"`))
		out := make([]byte, 0, len(data)-len(decl)+len(fixed))
		out = append(out, data[:start]...)
		out = append(out, fixed...)
		data = append(out, data[start+len(decl):]...)
	}
	return stripDoctype(data)
}

// prepareJSON returns a JSON document as UTF-8.
func prepareJSON(data []byte, contentType string) []byte {
	return bytes.TrimLeft(toUTF8(data, "", contentTypeCharset(contentType)), " \t\r\n")
}

const (
	// maxEntityValue bounds the replacement text of an internal entity
	// that is expanded after its DOCTYPE is removed.
	maxEntityValue = 256
	// maxEntityExpansion bounds the replacement text produced by all the
	// entity references of one document together. Without it, one short
	// entity referenced on every few bytes multiplies a document by up to
	// 85 (a 256-byte value for a 3-byte "&e;"): 450 KB made 38 MB of text.
	// Legitimate entities stand for a word or a name, a few KB in all; a
	// document may grow by this much at most, far below the body size cap
	// (fetch.max_body_size, 15 MiB by default).
	maxEntityExpansion = 1 << 20
)

var (
	entityDeclRe = regexp.MustCompile(`<!ENTITY\s+(%\s+)?([A-Za-z_:][-A-Za-z0-9._:]*)\s+("[^"]*"|'[^']*'|SYSTEM|PUBLIC)`)
	entityRefRe  = regexp.MustCompile(`&([A-Za-z_:][-A-Za-z0-9._:]*);`)
)

// stripDoctype removes a document type declaration from the prolog. gofeed's
// XML reader (encoding/xml) never reads DTDs, so entities declared there are
// not expanded and an external entity is never loaded; removing the DOCTYPE
// keeps a large internal subset from hiding the root element from format
// detection and lets references to the declared entities be settled here:
// an entity whose value is short plain text is replaced by that text, every
// other declared entity (external, nested like a billion-laughs bomb, or
// large) is replaced by nothing; in CDATA sections "&co;" is text and stays.
// The expansions of one document add up to
// at most maxEntityExpansion bytes: once that is spent, every further
// reference is replaced by nothing.
func stripDoctype(data []byte) []byte {
	start, end := findDoctype(data)
	if start < 0 {
		return data
	}
	subset := data[start:end]
	body := data[end:]
	entities := map[string]string{}
	for _, m := range entityDeclRe.FindAllSubmatch(subset, -1) {
		if len(m[1]) > 0 { // parameter entity: only meaningful inside the DTD
			continue
		}
		name, value := string(m[2]), ""
		if q := m[3]; q[0] == '"' || q[0] == '\'' {
			v := q[1 : len(q)-1]
			if len(v) <= maxEntityValue && !bytes.ContainsAny(v, "&%<") {
				value = xmlEscaper.Replace(string(v))
			}
		}
		switch name {
		case "amp", "lt", "gt", "quot", "apos":
			continue
		}
		if _, seen := entities[name]; !seen { // the first declaration binds
			entities[name] = value
		}
	}
	out := make([]byte, 0, len(data)-(end-start))
	out = append(out, data[:start]...)
	if len(entities) == 0 {
		return append(out, body...)
	}
	budget := maxEntityExpansion
	return appendOutsideCDATA(out, body, func(chunk []byte) []byte {
		return entityRefRe.ReplaceAllFunc(chunk, func(ref []byte) []byte {
			v, ok := entities[string(ref[1:len(ref)-1])]
			if !ok {
				return ref
			}
			if len(v) > budget {
				budget = 0
				return nil
			}
			budget -= len(v)
			return []byte(v)
		})
	})
}

// appendOutsideCDATA appends data to out, each stretch outside CDATA
// sections rewritten by fix; the CDATA sections, where "&" and "<" are
// text, are appended as they are (an unterminated one runs to the end).
func appendOutsideCDATA(out, data []byte, fix func([]byte) []byte) []byte {
	for len(data) > 0 {
		i := bytes.Index(data, []byte("<![CDATA["))
		if i < 0 {
			return append(out, fix(data)...)
		}
		out = append(out, fix(data[:i])...)
		e := bytes.Index(data[i:], []byte("]]>"))
		if e < 0 {
			return append(out, data[i:]...)
		}
		out = append(out, data[i:i+e+3]...)
		data = data[i+e+3:]
	}
	return out
}

var xmlEscaper = strings.NewReplacer(`"`, "&quot;", `'`, "&apos;", ">", "&gt;")

// findDoctype returns the byte range of a DOCTYPE in the prolog, or -1, -1.
func findDoctype(data []byte) (start, end int) {
	i := 0
	for i < len(data) {
		rest := data[i:]
		switch {
		case rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r' || rest[0] == '\n':
			i++
		case bytes.HasPrefix(rest, []byte("<?")):
			e := bytes.Index(rest, []byte("?>"))
			if e < 0 {
				return -1, -1
			}
			i += e + 2
		case bytes.HasPrefix(rest, []byte("<!--")):
			e := bytes.Index(rest[4:], []byte("-->"))
			if e < 0 {
				return -1, -1
			}
			i += 4 + e + 3
		case len(rest) >= 9 && strings.EqualFold(string(rest[:9]), "<!DOCTYPE"):
			return i, i + doctypeLen(rest)
		default:
			return -1, -1
		}
	}
	return -1, -1
}

// doctypeLen returns the length of the DOCTYPE declaration at the start of
// d, internal subset included; an unterminated one runs to the end.
func doctypeLen(d []byte) int {
	var quote byte
	depth := 0
	for i := 9; i < len(d); i++ {
		c := d[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case depth > 0 && bytes.HasPrefix(d[i:], []byte("<!--")):
			e := bytes.Index(d[i+4:], []byte("-->"))
			if e < 0 {
				return len(d)
			}
			i += 4 + e + 2
		case c == '>' && depth <= 0:
			return i + 1
		}
	}
	return len(d)
}

var (
	// bareAmpRe matches an ampersand and what follows it, so the replacer
	// can tell references from bare ampersands.
	bareAmpRe = regexp.MustCompile(`&(#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z_:][-A-Za-z0-9._:]*;)?`)
	// bareLtRe matches a "<" that cannot start markup.
	bareLtRe = regexp.MustCompile(`<([\s0-9=<])`)
	// charRefRe matches a numeric character reference.
	charRefRe = regexp.MustCompile(`&#([0-9]{1,10}|[xX][0-9a-fA-F]{1,8});`)
	// feedStartRe finds where the XML of a feed starts after leading junk.
	feedStartRe = regexp.MustCompile(`<\?xml|<rss[\s>]|<feed[\s>]|<(?:[A-Za-z]+:)?RDF[\s>]`)
)

// repairXML rewrites the defects that make an XML reader give up: leading
// junk before the document (PHP warnings, stray text), characters XML
// forbids, ampersands that start no reference and "<" that starts no tag.
// CDATA sections are left alone. A DOCTYPE that the junk hid from
// prepareXML is removed here as stripDoctype does (its entities expanded
// within a budget of their own: with prepareXML's, a document grows by at
// most twice maxEntityExpansion).
func repairXML(data []byte) []byte {
	if loc := feedStartRe.FindIndex(data); loc != nil && loc[0] > 0 {
		data = stripDoctype(data[loc[0]:])
	}
	data = stripIllegalXMLChars(data)
	data = charRefRe.ReplaceAllFunc(data, func(m []byte) []byte {
		var n uint64
		var err error
		if m[2] == 'x' || m[2] == 'X' {
			n, err = strconv.ParseUint(string(m[3:len(m)-1]), 16, 32)
		} else {
			n, err = strconv.ParseUint(string(m[2:len(m)-1]), 10, 32)
		}
		if err != nil || n > stdunicode.MaxRune || !feeds.XMLChar(rune(n)) {
			return nil
		}
		return m
	})
	return appendOutsideCDATA(make([]byte, 0, len(data)+len(data)/32), data, func(chunk []byte) []byte {
		chunk = bareAmpRe.ReplaceAllFunc(chunk, func(m []byte) []byte {
			if len(m) == 1 {
				return []byte("&amp;")
			}
			return m
		})
		return bareLtRe.ReplaceAll(chunk, []byte("&lt;$1"))
	})
}

// stripIllegalXMLChars drops the characters XML 1.0 forbids (C0 controls
// other than tab, LF and CR, U+FFFE, U+FFFF) and turns invalid UTF-8 into
// U+FFFD.
func stripIllegalXMLChars(data []byte) []byte {
	data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	clean := true
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if !feeds.XMLChar(r) {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return data
	}
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if feeds.XMLChar(r) {
			out = append(out, data[i:i+n]...)
		}
		i += n
	}
	return out
}

// closeTruncated salvages a document that ends early or breaks beyond
// repair: it keeps everything up to the last token the XML reader could
// read and closes the elements still open there. An item or entry still
// open there is dropped rather than closed: its text is cut and its guid or
// link may not have been reached, so it would be published under an id the
// complete story does not have, and stay as a truncated duplicate once the
// whole document is fetched again. It returns nil when the document reads to
// its end with every element closed.
func closeTruncated(data []byte) []byte {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	type open struct {
		name  xml.Name
		start int64 // offset of the start tag's "<"
	}
	var stack []open
	good := int64(0)
	for {
		start := d.InputOffset()
		tok, err := d.RawToken()
		if err != nil {
			if errors.Is(err, io.EOF) && len(stack) == 0 {
				return nil
			}
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, open{t.Name, start})
		case xml.EndElement:
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i].name == t.Name {
					stack = stack[:i]
					break
				}
			}
		}
		good = d.InputOffset()
	}
	if len(stack) == 0 {
		return nil
	}
	for i, o := range stack {
		if l := o.name.Local; l == "item" || l == "entry" {
			good, stack = o.start, stack[:i]
			break
		}
	}
	out := make([]byte, 0, int(good)+len(stack)*16)
	out = append(out, data[:good]...)
	for i := len(stack) - 1; i >= 0; i-- {
		out = append(out, "</"...)
		if stack[i].name.Space != "" {
			out = append(out, stack[i].name.Space...)
			out = append(out, ':')
		}
		out = append(out, stack[i].name.Local...)
		out = append(out, '>')
	}
	return out
}

// cutAfterItems bounds the work on huge documents: when data holds more than
// n item or entry elements, it returns the document cut after the n-th one
// (CDATA sections are skipped while counting) with the elements still open
// there closed; otherwise it returns data unchanged.
func cutAfterItems(data []byte, n int) []byte {
	if n <= 0 || bytes.Count(data, []byte("</")) <= n {
		return data
	}
	count := 0
	for i := 0; i < len(data); {
		j := bytes.IndexByte(data[i:], '<')
		if j < 0 {
			break
		}
		i += j
		rest := data[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			e := bytes.Index(rest, []byte("]]>"))
			if e < 0 {
				return data
			}
			i += e + 3
			continue
		case bytes.HasPrefix(rest, []byte("</item>")), bytes.HasPrefix(rest, []byte("</entry>")):
			count++
			if count == n {
				end := i + bytes.IndexByte(rest, '>') + 1
				if closed := closeTruncated(data[:end]); closed != nil {
					return closed
				}
				return data
			}
		}
		i++
	}
	return data
}
