// Package opml reads and writes OPML subscription lists, the format feed
// readers import and export: Write renders a Document (the published
// feeds, or the configured sources made by SourcesDocument), Read takes
// the feeds out of a reader's export, bounded and without DOCTYPE or
// entities.
package opml

import (
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
)

// Document is an OPML 2.0 document.
type Document struct {
	Title   string
	Created time.Time
	// Outlines are the body's top-level outlines.
	Outlines []Outline
}

// Outline is a feed (XMLURL set) or a folder of outlines.
type Outline struct {
	Text    string
	Type    string
	XMLURL  string
	HTMLURL string
	// Category is OPML 2.0's comma-separated list of slash-delimited
	// categories ("/go,/programming").
	Category string
	Outlines []Outline
}

type xmlDoc struct {
	XMLName xml.Name     `xml:"opml"`
	Version string       `xml:"version,attr"`
	Title   string       `xml:"head>title"`
	Created string       `xml:"head>dateCreated,omitempty"`
	Body    []xmlOutline `xml:"body>outline"`
}

type xmlOutline struct {
	Type     string       `xml:"type,attr,omitempty"`
	Text     string       `xml:"text,attr"`
	Title    string       `xml:"title,attr"`
	XMLURL   string       `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string       `xml:"htmlUrl,attr,omitempty"`
	Category string       `xml:"category,attr,omitempty"`
	Outlines []xmlOutline `xml:"outline"`
}

// Write renders d as an indented OPML 2.0 document with its XML header.
func Write(w io.Writer, d Document) error {
	doc := xmlDoc{Version: "2.0", Title: d.Title, Body: toXML(d.Outlines)}
	if !d.Created.IsZero() {
		doc.Created = d.Created.UTC().Format(time.RFC1123Z)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("opml: write: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("opml: write: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("opml: write: %w", err)
	}
	return nil
}

func toXML(os []Outline) []xmlOutline {
	var out []xmlOutline
	for _, o := range os {
		out = append(out, xmlOutline{
			Type: o.Type, Text: o.Text, Title: o.Text, XMLURL: o.XMLURL, HTMLURL: o.HTMLURL,
			Category: o.Category, Outlines: toXML(o.Outlines),
		})
	}
	return out
}

// FeedLink is a published feed as FeedsDocument lists it.
type FeedLink struct {
	Title string
	// URL is the feed's address (its Atom rendering).
	URL string
}

// FeedsDocument returns the document listing the published feeds, so that
// a reader subscribes to all of them at once.
func FeedsDocument(title string, created time.Time, links []FeedLink) Document {
	d := Document{Title: title, Created: created}
	for _, l := range links {
		d.Outlines = append(d.Outlines, Outline{Type: "rss", Text: l.Title, XMLURL: l.URL})
	}
	return d
}

// Source is a configured source as SourcesDocument exports it.
type Source struct {
	Name string
	// URL is the feed's URL; only http(s) URLs are exported.
	URL string
	// HTMLURL is the site's address, when known.
	HTMLURL string
	Tags    []string
}

// SourcesDocument returns the document listing srcs, the way readers
// (Miniflux, FreshRSS, NetNewsWire) import folders: a source is in the
// folder of its first tag, or at the top without tags, and its category
// attribute lists all its tags, so that Read gives them all back. Local
// file sources are left out (a reader cannot fetch them), and so is the
// credentials of a URL (see withoutCredentials): they are never published.
func SourcesDocument(title string, created time.Time, srcs []Source) Document {
	d := Document{Title: title, Created: created}
	folder := map[string]int{}
	for _, s := range srcs {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		o := Outline{Text: s.Name, Type: "rss", XMLURL: withoutCredentials(u), HTMLURL: PublicURL(s.HTMLURL)}
		if len(s.Tags) == 0 {
			d.Outlines = append(d.Outlines, o)
			continue
		}
		cats := make([]string, len(s.Tags))
		for i, t := range s.Tags {
			cats[i] = "/" + t
		}
		o.Category = strings.Join(cats, ",")
		i, ok := folder[s.Tags[0]]
		if !ok {
			i = len(d.Outlines)
			folder[s.Tags[0]] = i
			d.Outlines = append(d.Outlines, Outline{Text: s.Tags[0]})
		}
		d.Outlines[i].Outlines = append(d.Outlines[i].Outlines, o)
	}
	return d
}

// withoutCredentials is u without what reads as a credential: its
// userinfo, and the query parameters whose name says they carry one
// (credentialParam), the others kept as written. A private feed's key in
// its query string ("?token=...") would otherwise be published to
// everyone who reads the list.
func withoutCredentials(u *url.URL) string {
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		var kept []string
		for p := range strings.SplitSeq(c.RawQuery, "&") {
			name, _, _ := strings.Cut(p, "=")
			if n, err := url.QueryUnescape(name); err == nil && credentialParam(n) {
				continue
			}
			kept = append(kept, p)
		}
		c.RawQuery = strings.Join(kept, "&")
		c.ForceQuery = false
	}
	return c.String()
}

// credentialParam reports whether a query parameter named name carries a
// credential by its name: key, token, secret, password, auth, signature,
// session (and their usual spellings: api_key, apiKey, access_token,
// passwd, pwd, sig, sid...), as private feed URLs commonly name them.
// "author" (a blog's author feed, ?author=3) is not "auth".
func credentialParam(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "key", "sig", "sid", "pwd", "pass", "hash":
		return true
	}
	for _, part := range []string{"token", "secret", "passw", "apikey", "api_key", "api-key", "signature", "session", "private", "credential"} {
		if strings.Contains(n, part) {
			return true
		}
	}
	if strings.Contains(n, "auth") && (!strings.Contains(n, "author") || strings.Contains(n, "authoriz")) {
		return true
	}
	return strings.HasSuffix(n, "key")
}

// PublicURL is raw without credentials (see withoutCredentials), or ""
// when it is not an http(s) URL. Whatever publishes a source's URL (this
// package's lists, the feeds' source attribution) shows it this way.
func PublicURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return withoutCredentials(u)
}

// Bounds of what Read accepts.
const (
	// MaxBytes is the largest file Read reads.
	MaxBytes = 8 << 20
	// MaxOutlines is how many outlines (feeds and folders) it reads.
	MaxOutlines = 20000
	// MaxDepth is how deeply outlines may nest.
	MaxDepth = 32
)

// Feed is a subscription read from an OPML file.
type Feed struct {
	// Title is the outline's title, else its text.
	Title   string
	XMLURL  string
	HTMLURL string
	// Folders are the texts of the folders holding the outline, outermost
	// first, then the categories of its category attribute, each once.
	Folders []string
	// Line is the line of the outline in the file.
	Line int
}

// Skipped is an outline Read leaves out, and why.
type Skipped struct {
	Line   int
	Text   string
	Reason string
}

// ErrTooLarge is returned by Read for a file beyond its bounds.
var ErrTooLarge = errors.New("opml: file too large")

// Read returns the feeds of an OPML 1.0 or 2.0 document in document
// order: every outline with an xmlUrl attribute whose type is rss, atom
// or absent; outlines without xmlUrl are folders. Outlines of another
// type with an xmlUrl are returned as skipped. A DOCTYPE (and so any
// entity definition) is refused, and so is a document beyond MaxBytes,
// MaxOutlines or MaxDepth.
func Read(r io.Reader) ([]Feed, []Skipped, error) {
	lr := &io.LimitedReader{R: r, N: MaxBytes + 1}
	dec := xml.NewDecoder(lr)
	dec.CharsetReader = charset.NewReaderLabel
	var (
		feeds   []Feed
		skipped []Skipped
		stack   []string // folder texts; "" for a feed outline
		count   int
		opml    bool
		inBody  bool
	)
	for {
		tok, err := dec.Token()
		if lr.N <= 0 {
			return nil, nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, MaxBytes)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("opml: %w", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, nil, errors.New("opml: a DOCTYPE or other directive is not allowed")
		case xml.StartElement:
			if !opml {
				if !strings.EqualFold(t.Name.Local, "opml") {
					return nil, nil, fmt.Errorf("opml: not an OPML document (root element <%s>)", t.Name.Local)
				}
				opml = true
				continue
			}
			if strings.EqualFold(t.Name.Local, "body") {
				inBody = true
				continue
			}
			if !inBody || !strings.EqualFold(t.Name.Local, "outline") {
				continue
			}
			count++
			if count > MaxOutlines {
				return nil, nil, fmt.Errorf("%w: more than %d outlines", ErrTooLarge, MaxOutlines)
			}
			if len(stack) >= MaxDepth {
				return nil, nil, fmt.Errorf("%w: outlines nested more than %d deep", ErrTooLarge, MaxDepth)
			}
			a := attrs(t.Attr)
			text := strings.TrimSpace(cmp.Or(a["title"], a["text"]))
			xmlURL := strings.TrimSpace(a["xmlurl"])
			if xmlURL == "" {
				stack = append(stack, text)
				continue
			}
			stack = append(stack, "")
			line, _ := dec.InputPos()
			switch typ := strings.ToLower(strings.TrimSpace(a["type"])); typ {
			case "", "rss", "atom":
			default:
				skipped = append(skipped, Skipped{Line: line, Text: cmp.Or(text, xmlURL), Reason: fmt.Sprintf("type %q is not a feed", typ)})
				continue
			}
			f := Feed{Title: text, XMLURL: xmlURL, HTMLURL: strings.TrimSpace(a["htmlurl"]), Line: line}
			for _, s := range stack {
				if s != "" && !slices.Contains(f.Folders, s) {
					f.Folders = append(f.Folders, s)
				}
			}
			for c := range strings.SplitSeq(a["category"], ",") {
				for p := range strings.SplitSeq(c, "/") {
					if p = strings.TrimSpace(p); p != "" && !slices.Contains(f.Folders, p) {
						f.Folders = append(f.Folders, p)
					}
				}
			}
			feeds = append(feeds, f)
		case xml.EndElement:
			switch {
			case inBody && strings.EqualFold(t.Name.Local, "outline") && len(stack) > 0:
				stack = stack[:len(stack)-1]
			case strings.EqualFold(t.Name.Local, "body"):
				inBody = false
			}
		}
	}
	if !opml {
		return nil, nil, errors.New("opml: empty document")
	}
	return feeds, skipped, nil
}

// attrs maps lowercased attribute names to values: exporters disagree on
// "xmlUrl" and "xmlurl".
func attrs(as []xml.Attr) map[string]string {
	m := make(map[string]string, len(as))
	for _, a := range as {
		m[strings.ToLower(a.Name.Local)] = a.Value
	}
	return m
}
