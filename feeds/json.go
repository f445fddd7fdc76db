package feeds

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"time"

	gf "github.com/gorilla/feeds"
)

// JSON Feed 1.1 is built by gorilla/feeds and extended here: its JSONFeed
// and JSONItem are embedded, and an outer field with the same JSON name
// replaces theirs (encoding/json prefers the shallower field). What gorilla
// gets wrong or lacks:
//   - "items" is omitted when empty, but the spec requires it;
//   - attachment size is written as "size" (the spec says "size_in_bytes")
//     and held in an int32, which overflows for large podcasts;
//   - authors lose url and avatar; feed_url is never set;
//   - summary is copied from the HTML description, but JSON Feed's summary
//     is plain text;
//   - no extension objects: what JSON Feed has no field for (author bio and
//     email, image caption and credit, the source) goes in "_tributary".

type jsonFeed struct {
	*gf.JSONFeed
	Items []*jsonItem    `json:"items"`
	Ext   *jsonFeedExtra `json:"_tributary,omitempty"`
}

type jsonFeedExtra struct {
	ID        string `json:"id,omitempty"`
	Generator string `json:"generator,omitempty"`
	Updated   string `json:"updated,omitempty"`
	// First and Previous complete JSON Feed's next_url into RFC 5005's
	// paging links.
	First    string `json:"first_url,omitempty"`
	Previous string `json:"previous_url,omitempty"`
}

type jsonItem struct {
	*gf.JSONItem
	Attachments []jsonAttachment `json:"attachments,omitempty"`
	ContentText *string          `json:"content_text,omitempty"` // present even if empty
	Ext         *jsonItemExtra   `json:"_tributary,omitempty"`
}

type jsonAttachment struct {
	URL      string `json:"url"`
	MIMEType string `json:"mime_type"`
	Size     int64  `json:"size_in_bytes,omitempty"`
}

type jsonItemExtra struct {
	Source  string        `json:"source,omitempty"`
	Authors []jsonAuthorX `json:"authors,omitempty"`
	Image   *jsonImageX   `json:"image,omitempty"`
}

type jsonAuthorX struct {
	Name  string `json:"name,omitempty"`
	Bio   string `json:"bio,omitempty"`
	Email string `json:"email,omitempty"`
}

type jsonImageX struct {
	Caption string `json:"caption,omitempty"`
	Credit  string `json:"credit,omitempty"`
	Width   int    `json:"width,omitempty"`
	Height  int    `json:"height,omitempty"`
}

// RenderJSON renders f as JSON Feed 1.1, with Tributary's "_tributary"
// extension objects.
func RenderJSON(f Feed) ([]byte, error) {
	fi, items := prepare(f)
	jf := (&gf.JSON{Feed: gorillaFeed(fi, items)}).JSONFeed()
	jf.FeedUrl = fi.self
	jf.NextUrl = clean(fi.paging.Next)
	out := &jsonFeed{JSONFeed: jf, Items: make([]*jsonItem, len(items))}
	fe := jsonFeedExtra{ID: fi.id, Generator: fi.generator, Updated: fi.updated.Format(time.RFC3339),
		First: clean(fi.paging.First), Previous: clean(fi.paging.Previous)}
	if fe != (jsonFeedExtra{}) {
		out.Ext = &fe
	}
	for i := range items {
		it := &items[i]
		ji := jf.Items[i]
		ji.Summary = PlainText(it.summary)
		ji.ContentHTML = it.content
		if ji.ContentHTML == "" {
			ji.ContentHTML = it.summary
		}
		ji.Image = ""
		if it.image != nil {
			ji.Image = it.image.URL
		}
		ji.Tags = it.categories
		ji.Author, ji.Authors = nil, nil
		x := &jsonItemExtra{Source: it.source}
		for _, a := range it.authors {
			ja := &gf.JSONAuthor{Name: authorName(a), Url: a.URL, Avatar: a.Avatar}
			ji.Authors = append(ji.Authors, ja)
			if a.Bio != "" || a.Email != "" {
				x.Authors = append(x.Authors, jsonAuthorX{Name: authorName(a), Bio: a.Bio, Email: a.Email})
			}
		}
		if len(ji.Authors) > 0 {
			ji.Author = ji.Authors[0] // for JSON Feed 1.0 readers
		}
		if im := it.image; im != nil {
			if ix := (jsonImageX{Caption: im.Caption, Credit: im.Credit, Width: im.Width, Height: im.Height}); ix != (jsonImageX{}) {
				x.Image = &ix
			}
		}
		o := &jsonItem{JSONItem: ji}
		if ji.ContentHTML == "" {
			// content_html or content_text must be present, if only empty.
			o.ContentText = &it.title
		}
		for _, e := range it.enclosures {
			o.Attachments = append(o.Attachments, jsonAttachment{URL: e.URL, MIMEType: cmp.Or(e.Type, mimeType(e.URL, "application/octet-stream")), Size: e.Length})
		}
		if x.Source != "" || x.Authors != nil || x.Image != nil {
			o.Ext = x
		}
		out.Items[i] = o
	}
	jf.Items = nil // replaced by out.Items
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// HTML escaping stays on (<, > and & as \u003c, \u003e, \u0026): the
	// same text once parsed, and a page that inlines the feed in a
	// <script> element cannot be broken out of by a hostile title.
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("render json: %w", err)
	}
	return buf.Bytes(), nil
}
