// Package record encodes articles for SQL stores: the row layout, JSON
// columns and the content hash shared by store/sqlite and store/postgres,
// so the same article hashes the same in both.
//
// The parts of an article that are lists or optional records (authors,
// image, enclosures, categories, podcast details, page state) are stored as JSON columns
// rather than child tables (jsonb in PostgreSQL): they are always written
// and read whole with their article and never queried on their own, so one
// row per article keeps an upsert to one statement and a listing to one
// index range scan, with no joins. The JSON shapes of this package are the
// storage format; they are separate from the model so that renaming a Go
// field cannot silently change what is on disk. Any change to them, or to
// Clean, changes stored bytes and content hashes: every stored article
// would count as updated once.
package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tributary/tributary/feeds"
)

type authorJSON struct {
	Name   string `json:"name,omitempty"`
	Email  string `json:"email,omitempty"`
	URL    string `json:"url,omitempty"`
	Avatar string `json:"avatar,omitempty"`
	Bio    string `json:"bio,omitempty"`
}

type imageJSON struct {
	URL     string `json:"url,omitempty"`
	Caption string `json:"caption,omitempty"`
	Credit  string `json:"credit,omitempty"`
	Type    string `json:"type,omitempty"`
	Width   int    `json:"width,omitempty"`
	Height  int    `json:"height,omitempty"`
	Length  int64  `json:"length,omitempty"`
}

type enclosureJSON struct {
	URL    string `json:"url,omitempty"`
	Type   string `json:"type,omitempty"`
	Length int64  `json:"length,omitempty"`
}

// categoryJSON is a category with a scheme or label. A category that is
// only a term is stored as a JSON string, as every category was before
// schemes and labels were kept, so the stored bytes and content hash of
// an article whose categories are all bare terms did not change.
type categoryJSON struct {
	Term   string `json:"term"`
	Scheme string `json:"scheme,omitempty"`
	Label  string `json:"label,omitempty"`
}

// podcastJSON is an episode's iTunes details.
type podcastJSON struct {
	// Duration is whole seconds.
	Duration int64  `json:"duration,omitempty"`
	Image    string `json:"image,omitempty"`
	// Explicit is nil when unknown.
	Explicit *bool `json:"explicit,omitempty"`
}

type pageJSON struct {
	// ExtractedAt is Unix seconds; nil when zero.
	ExtractedAt  *int64 `json:"extracted_at,omitempty"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	Error        string `json:"error,omitempty"`
	Attempts     int    `json:"attempts,omitempty"`
	// AttemptedAt is Unix seconds; nil when zero.
	AttemptedAt *int64 `json:"attempted_at,omitempty"`
	// RetryAt is Unix seconds; nil when zero. The stores' PagesDue
	// queries read it (and attempted_at, for rows written without it).
	RetryAt *int64 `json:"retry_at,omitempty"`
}

// contentJSON is what the content hash covers: everything except
// FetchedAt (kept from the first fetch) and Page (bookkeeping).
type contentJSON struct {
	ID         string          `json:"id"`
	Source     string          `json:"source"`
	Origin     string          `json:"origin"`
	Title      string          `json:"title"`
	Link       string          `json:"link"`
	Summary    string          `json:"summary"`
	Content    string          `json:"content"`
	Authors    json.RawMessage `json:"authors,omitempty"`
	Image      json.RawMessage `json:"image,omitempty"`
	Enclosures json.RawMessage `json:"enclosures,omitempty"`
	Categories json.RawMessage `json:"categories,omitempty"`
	Published  *int64          `json:"published,omitempty"`
	Updated    *int64          `json:"updated,omitempty"`
	// Podcast is last and omitted when empty, so that adding it left the
	// hash of every other article as it was.
	Podcast json.RawMessage `json:"podcast,omitempty"`
}

// Row is an article encoded for its table row. Strings are Clean; JSON
// columns are nil for SQL NULL; times are Unix seconds, nil for zero. Hash
// is the SHA-256 of the article's content (everything but FetchedAt and
// Page): a stored row whose hash differs holds an older version.
type Row struct {
	Source, ID, Origin, Title, Link, Summary, Content string
	Authors, Image, Enclosures, Categories, Page      []byte
	Podcast                                           []byte
	Published, Updated                                *int64
	FetchedAt                                         *int64
	Hash                                              []byte
}

// Clean makes s storable: no NUL bytes, valid UTF-8 (invalid bytes become
// U+FFFD). It returns s itself when s is already storable.
func Clean(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// CleanAll returns a copy of ss with every string Clean, nil when ss is
// empty.
func CleanAll(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Clean(s)
	}
	return out
}

// Unix encodes t as Unix seconds, nil for the zero time.
func Unix(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	u := t.Unix()
	return &u
}

// FromUnixPtr decodes Unix seconds as a UTC time, the zero time for nil.
func FromUnixPtr(p *int64) time.Time {
	if p == nil {
		return time.Time{}
	}
	return time.Unix(*p, 0).UTC()
}

// Marshal encodes v as JSON without escaping HTML characters and without
// a trailing newline. The output is deterministic for the types of this
// package, which the content hash relies on.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// EncodeStrings encodes ss as a JSON array of Clean strings, nil (SQL
// NULL) when ss is empty. Source boilerplate is stored
// this way.
func EncodeStrings(ss []string) ([]byte, error) {
	if len(ss) == 0 {
		return nil, nil
	}
	return Marshal(CleanAll(ss))
}

// DecodeStrings decodes a column written by EncodeStrings: nil for NULL
// and for an empty array.
func DecodeStrings(b []byte) ([]string, error) {
	if b == nil {
		return nil, nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, nil
	}
	return ss, nil
}

// encodeCategories encodes cs as a JSON array: a bare term as a string,
// a category with a scheme or label as a categoryJSON object; nil (SQL
// NULL) when cs is empty.
func encodeCategories(cs []feeds.Category) ([]byte, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	out := make([]any, len(cs))
	for i, c := range cs {
		if c.Scheme == "" && c.Label == "" {
			out[i] = Clean(c.Term)
		} else {
			out[i] = categoryJSON{Term: Clean(c.Term), Scheme: Clean(c.Scheme), Label: Clean(c.Label)}
		}
	}
	return Marshal(out)
}

// decodeCategories decodes a column written by encodeCategories (or, the
// same bytes, by EncodeStrings before categories had schemes and labels).
func decodeCategories(b []byte) ([]feeds.Category, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, nil
	}
	out := make([]feeds.Category, len(raw))
	for i, r := range raw {
		if len(r) > 0 && r[0] == '"' {
			if err := json.Unmarshal(r, &out[i].Term); err != nil {
				return nil, err
			}
			continue
		}
		var c categoryJSON
		if err := json.Unmarshal(r, &c); err != nil {
			return nil, err
		}
		out[i] = feeds.Category(c)
	}
	return out, nil
}

func encodePodcast(p *feeds.Podcast) ([]byte, error) {
	if p == nil {
		return nil, nil
	}
	pj := podcastJSON{Duration: int64(p.Duration / time.Second), Image: Clean(p.Image)}
	if p.Explicit != feeds.ExplicitUnknown {
		yes := p.Explicit == feeds.ExplicitYes
		pj.Explicit = &yes
	}
	if pj == (podcastJSON{}) {
		return nil, nil
	}
	return Marshal(pj)
}

func decodePodcast(b []byte) (*feeds.Podcast, error) {
	var pj podcastJSON
	if err := json.Unmarshal(b, &pj); err != nil {
		return nil, err
	}
	p := &feeds.Podcast{Duration: time.Duration(pj.Duration) * time.Second, Image: pj.Image}
	if pj.Explicit != nil {
		p.Explicit = feeds.ExplicitNo
		if *pj.Explicit {
			p.Explicit = feeds.ExplicitYes
		}
	}
	return p, nil
}

type sourceFeedJSON struct {
	Title string `json:"title,omitempty"`
	ID    string `json:"id,omitempty"`
	Link  string `json:"link,omitempty"`
	URL   string `json:"url,omitempty"`
}

// EncodeSourceFeed encodes a source's own description of its feed
// (store.SourceState.Feed), nil (SQL NULL) when it is zero.
func EncodeSourceFeed(f feeds.SourceFeed) ([]byte, error) {
	if f == (feeds.SourceFeed{}) {
		return nil, nil
	}
	return Marshal(sourceFeedJSON{Title: Clean(f.Title), ID: Clean(f.ID), Link: Clean(f.Link), URL: Clean(f.URL)})
}

// DecodeSourceFeed decodes a column written by EncodeSourceFeed; nil
// decodes as the zero SourceFeed.
func DecodeSourceFeed(b []byte) (feeds.SourceFeed, error) {
	if b == nil {
		return feeds.SourceFeed{}, nil
	}
	var f sourceFeedJSON
	if err := json.Unmarshal(b, &f); err != nil {
		return feeds.SourceFeed{}, err
	}
	return feeds.SourceFeed(f), nil
}

func encodePage(p *feeds.PageState) ([]byte, error) {
	if p == nil {
		return nil, nil
	}
	return Marshal(pageJSON{
		ExtractedAt:  Unix(p.ExtractedAt),
		ETag:         Clean(p.ETag),
		LastModified: Clean(p.LastModified),
		Error:        Clean(p.Error),
		Attempts:     p.Attempts,
		AttemptedAt:  Unix(p.AttemptedAt),
		RetryAt:      Unix(p.RetryAt),
	})
}

// Encode turns a into its row; fetchedAt replaces a zero a.FetchedAt.
// Equal articles encode to equal bytes and hash, whichever store writes
// them.
func Encode(a *feeds.Article, fetchedAt time.Time) (Row, error) {
	r := Row{
		Source:    Clean(a.Source),
		ID:        Clean(a.ID),
		Origin:    Clean(a.Origin),
		Title:     Clean(a.Title),
		Link:      Clean(a.Link),
		Summary:   Clean(a.Summary),
		Content:   Clean(a.Content),
		Published: Unix(a.Published),
		Updated:   Unix(a.Updated),
		FetchedAt: Unix(a.FetchedAt),
	}
	if r.FetchedAt == nil {
		r.FetchedAt = Unix(fetchedAt)
	}
	var err error
	if len(a.Authors) > 0 {
		as := make([]authorJSON, len(a.Authors))
		for i, au := range a.Authors {
			as[i] = authorJSON{Name: Clean(au.Name), Email: Clean(au.Email), URL: Clean(au.URL), Avatar: Clean(au.Avatar), Bio: Clean(au.Bio)}
		}
		if r.Authors, err = Marshal(as); err != nil {
			return Row{}, fmt.Errorf("encode authors: %w", err)
		}
	}
	if im := a.Image; im != nil {
		if r.Image, err = Marshal(imageJSON{URL: Clean(im.URL), Caption: Clean(im.Caption), Credit: Clean(im.Credit), Type: Clean(im.Type), Width: im.Width, Height: im.Height, Length: im.Length}); err != nil {
			return Row{}, fmt.Errorf("encode image: %w", err)
		}
	}
	if len(a.Enclosures) > 0 {
		es := make([]enclosureJSON, len(a.Enclosures))
		for i, e := range a.Enclosures {
			es[i] = enclosureJSON{URL: Clean(e.URL), Type: Clean(e.Type), Length: e.Length}
		}
		if r.Enclosures, err = Marshal(es); err != nil {
			return Row{}, fmt.Errorf("encode enclosures: %w", err)
		}
	}
	if r.Categories, err = encodeCategories(a.Categories); err != nil {
		return Row{}, fmt.Errorf("encode categories: %w", err)
	}
	if r.Podcast, err = encodePodcast(a.Podcast); err != nil {
		return Row{}, fmt.Errorf("encode podcast: %w", err)
	}
	if r.Page, err = encodePage(a.Page); err != nil {
		return Row{}, fmt.Errorf("encode page: %w", err)
	}
	if r.Hash, err = hashJSON(&contentJSON{
		ID: r.ID, Source: r.Source, Origin: r.Origin, Title: r.Title, Link: r.Link,
		Summary: r.Summary, Content: r.Content,
		Authors: r.Authors, Image: r.Image, Enclosures: r.Enclosures, Categories: r.Categories,
		Published: r.Published, Updated: r.Updated, Podcast: r.Podcast,
	}); err != nil {
		return Row{}, fmt.Errorf("encode content: %w", err)
	}
	return r, nil
}

// hashJSON returns the SHA-256 of Marshal(v). The encoder's output goes
// straight into the hash, never kept: the JSON of an article's content is
// as long as its HTML and only its hash is stored.
func hashJSON(v any) ([]byte, error) {
	w := hashWriter{h: sha256.New()}
	enc := json.NewEncoder(&w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if w.held && w.last != '\n' {
		w.h.Write([]byte{w.last}) // Marshal trims only a newline
	}
	return w.h.Sum(nil), nil
}

// hashWriter hashes what is written to it but the last byte, held back
// because Marshal trims the newline an Encoder ends with.
type hashWriter struct {
	h    hash.Hash
	last byte
	held bool
}

func (w *hashWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if w.held {
		w.h.Write([]byte{w.last})
	}
	w.h.Write(p[:len(p)-1])
	w.last, w.held = p[len(p)-1], true
	return len(p), nil
}

// SamePage reports whether the stored page JSON old encodes the same page
// state as the freshly encoded new (Row.Page). Both nil is the same; a
// stored value that does not decode is not.
func SamePage(old, new []byte) bool {
	if old == nil || new == nil {
		return old == nil && new == nil
	}
	if bytes.Equal(old, new) {
		return true
	}
	var p pageJSON
	if err := json.Unmarshal(old, &p); err != nil {
		return false
	}
	re, err := Marshal(p)
	return err == nil && bytes.Equal(re, new)
}

// DecodeParts fills the JSON-stored parts of a (Authors, Image,
// Enclosures, Categories, Page, Podcast) from their columns as Encode
// wrote them; a nil column leaves its part unset.
func DecodeParts(a *feeds.Article, authors, image, enclosures, categories, page, podcast []byte) error {
	if authors != nil {
		var as []authorJSON
		if err := json.Unmarshal(authors, &as); err != nil {
			return fmt.Errorf("decode authors: %w", err)
		}
		if len(as) > 0 {
			a.Authors = make([]feeds.Author, len(as))
			for i, au := range as {
				a.Authors[i] = feeds.Author{Name: au.Name, Email: au.Email, URL: au.URL, Avatar: au.Avatar, Bio: au.Bio}
			}
		}
	}
	if image != nil {
		var im imageJSON
		if err := json.Unmarshal(image, &im); err != nil {
			return fmt.Errorf("decode image: %w", err)
		}
		a.Image = &feeds.Image{URL: im.URL, Caption: im.Caption, Credit: im.Credit, Type: im.Type, Width: im.Width, Height: im.Height, Length: im.Length}
	}
	if enclosures != nil {
		var es []enclosureJSON
		if err := json.Unmarshal(enclosures, &es); err != nil {
			return fmt.Errorf("decode enclosures: %w", err)
		}
		if len(es) > 0 {
			a.Enclosures = make([]feeds.Enclosure, len(es))
			for i, e := range es {
				a.Enclosures[i] = feeds.Enclosure{URL: e.URL, Type: e.Type, Length: e.Length}
			}
		}
	}
	if categories != nil {
		cs, err := decodeCategories(categories)
		if err != nil {
			return fmt.Errorf("decode categories: %w", err)
		}
		a.Categories = cs
	}
	if page != nil {
		var p pageJSON
		if err := json.Unmarshal(page, &p); err != nil {
			return fmt.Errorf("decode page: %w", err)
		}
		a.Page = &feeds.PageState{ExtractedAt: FromUnixPtr(p.ExtractedAt), ETag: p.ETag, LastModified: p.LastModified, Error: p.Error, Attempts: p.Attempts, AttemptedAt: FromUnixPtr(p.AttemptedAt), RetryAt: FromUnixPtr(p.RetryAt)}
	}
	if podcast != nil {
		p, err := decodePodcast(podcast)
		if err != nil {
			return fmt.Errorf("decode podcast: %w", err)
		}
		a.Podcast = p
	}
	return nil
}
