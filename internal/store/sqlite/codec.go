package sqlite

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tributary/tributary/feeds"
)

// The parts of an article that are lists or optional records (authors,
// image, enclosures, categories, page state) are stored as JSON columns
// rather than child tables: they are always written and read whole with
// their article and never queried on their own, so one row per article
// keeps an upsert to one statement and a listing to one index range scan,
// with no joins. The JSON shapes below are the storage format; they are
// separate from the model so that renaming a Go field cannot silently
// change what is on disk.

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

type pageJSON struct {
	// ExtractedAt is Unix seconds; nil when zero.
	ExtractedAt  *int64 `json:"extracted_at,omitempty"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	Error        string `json:"error,omitempty"`
	Attempts     int    `json:"attempts,omitempty"`
	// AttemptedAt is Unix seconds; nil when zero.
	AttemptedAt *int64 `json:"attempted_at,omitempty"`
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
}

// row is an article encoded for its table row. JSON columns are nil for
// SQL NULL; times are Unix seconds, nil for zero.
type row struct {
	source, id, origin, title, link, summary, content string
	authors, image, enclosures, categories, page      []byte
	published, updated                                *int64
	fetchedAt                                         *int64
	hash                                              []byte
}

// clean makes s storable: no NUL bytes, valid UTF-8.
func clean(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

func cleanAll(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return out
}

// unix encodes t as Unix seconds, nil for the zero time.
func unix(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	u := t.Unix()
	return &u
}

// fromUnix decodes a nullable Unix seconds column.
func fromUnix(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(n.Int64, 0).UTC()
}

func fromUnixPtr(p *int64) time.Time {
	if p == nil {
		return time.Time{}
	}
	return time.Unix(*p, 0).UTC()
}

// marshal encodes v without escaping HTML characters. The output is
// deterministic for the types above, which the content hash relies on.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func encodePage(p *feeds.PageState) ([]byte, error) {
	if p == nil {
		return nil, nil
	}
	return marshal(pageJSON{
		ExtractedAt:  unix(p.ExtractedAt),
		ETag:         clean(p.ETag),
		LastModified: clean(p.LastModified),
		Error:        clean(p.Error),
		Attempts:     p.Attempts,
		AttemptedAt:  unix(p.AttemptedAt),
	})
}

// encode turns a into its row; fetchedAt replaces a zero FetchedAt.
func encode(a *feeds.Article, fetchedAt time.Time) (row, error) {
	r := row{
		source:    clean(a.Source),
		id:        clean(a.ID),
		origin:    clean(a.Origin),
		title:     clean(a.Title),
		link:      clean(a.Link),
		summary:   clean(a.Summary),
		content:   clean(a.Content),
		published: unix(a.Published),
		updated:   unix(a.Updated),
		fetchedAt: unix(a.FetchedAt),
	}
	if r.fetchedAt == nil {
		r.fetchedAt = unix(fetchedAt)
	}
	var err error
	if len(a.Authors) > 0 {
		as := make([]authorJSON, len(a.Authors))
		for i, au := range a.Authors {
			as[i] = authorJSON{Name: clean(au.Name), Email: clean(au.Email), URL: clean(au.URL), Avatar: clean(au.Avatar), Bio: clean(au.Bio)}
		}
		if r.authors, err = marshal(as); err != nil {
			return row{}, fmt.Errorf("encode authors: %w", err)
		}
	}
	if im := a.Image; im != nil {
		if r.image, err = marshal(imageJSON{URL: clean(im.URL), Caption: clean(im.Caption), Credit: clean(im.Credit), Type: clean(im.Type), Width: im.Width, Height: im.Height, Length: im.Length}); err != nil {
			return row{}, fmt.Errorf("encode image: %w", err)
		}
	}
	if len(a.Enclosures) > 0 {
		es := make([]enclosureJSON, len(a.Enclosures))
		for i, e := range a.Enclosures {
			es[i] = enclosureJSON{URL: clean(e.URL), Type: clean(e.Type), Length: e.Length}
		}
		if r.enclosures, err = marshal(es); err != nil {
			return row{}, fmt.Errorf("encode enclosures: %w", err)
		}
	}
	if len(a.Categories) > 0 {
		if r.categories, err = marshal(cleanAll(a.Categories)); err != nil {
			return row{}, fmt.Errorf("encode categories: %w", err)
		}
	}
	if r.page, err = encodePage(a.Page); err != nil {
		return row{}, fmt.Errorf("encode page: %w", err)
	}
	content, err := marshal(contentJSON{
		ID: r.id, Source: r.source, Origin: r.origin, Title: r.title, Link: r.link,
		Summary: r.summary, Content: r.content,
		Authors: r.authors, Image: r.image, Enclosures: r.enclosures, Categories: r.categories,
		Published: r.published, Updated: r.updated,
	})
	if err != nil {
		return row{}, fmt.Errorf("encode content: %w", err)
	}
	sum := sha256.Sum256(content)
	r.hash = sum[:]
	return r, nil
}

// samePage reports whether the stored page JSON old encodes the same page
// state as the freshly encoded new.
func samePage(old, new []byte) bool {
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
	re, err := marshal(p)
	return err == nil && bytes.Equal(re, new)
}

// decodeParts fills the JSON-stored parts of a.
func decodeParts(a *feeds.Article, authors, image, enclosures, categories, page []byte) error {
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
		if err := json.Unmarshal(categories, &a.Categories); err != nil {
			return fmt.Errorf("decode categories: %w", err)
		}
		if len(a.Categories) == 0 {
			a.Categories = nil
		}
	}
	if page != nil {
		var p pageJSON
		if err := json.Unmarshal(page, &p); err != nil {
			return fmt.Errorf("decode page: %w", err)
		}
		a.Page = &feeds.PageState{ExtractedAt: fromUnixPtr(p.ExtractedAt), ETag: p.ETag, LastModified: p.LastModified, Error: p.Error, Attempts: p.Attempts, AttemptedAt: fromUnixPtr(p.AttemptedAt)}
	}
	return nil
}
