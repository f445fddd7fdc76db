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
//   - no attachment duration_in_seconds;
//   - no extension objects: what JSON Feed has no field for (author bio and
//     email, image caption and credit, the source and the feed it was
//     taken from, category schemes and labels, the feed's rights, podcast
//     artwork and explicit flag) goes in "_tributary".

type jsonFeed struct {
	*gf.JSONFeed
	Items []*jsonItem    `json:"items"`
	Ext   *jsonFeedExtra `json:"_tributary,omitempty"`
}

type jsonFeedExtra struct {
	ID        string `json:"id,omitempty"`
	Generator string `json:"generator,omitempty"`
	Updated   string `json:"updated,omitempty"`
	Rights    string `json:"rights,omitempty"`
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
	Duration int64  `json:"duration_in_seconds,omitempty"`
}

type jsonItemExtra struct {
	Source     *jsonSourceX    `json:"source,omitempty"`
	Authors    []jsonAuthorX   `json:"authors,omitempty"`
	Image      *jsonImageX     `json:"image,omitempty"`
	Categories []jsonCategoryX `json:"categories,omitempty"`
	Podcast    *jsonPodcastX   `json:"podcast,omitempty"`
}

// jsonSourceX is the source an item was taken from: Name is the
// configured source's, the others describe its feed (see SourceFeed).
type jsonSourceX struct {
	Name  string `json:"name,omitempty"`
	Title string `json:"title,omitempty"`
	URL   string `json:"url,omitempty"`
	Link  string `json:"home_page_url,omitempty"`
	ID    string `json:"id,omitempty"`
}

// jsonCategoryX is a category with what "tags" cannot say: its scheme or
// label. Categories that are a bare term are only in "tags".
type jsonCategoryX struct {
	Term   string `json:"term"`
	Scheme string `json:"scheme,omitempty"`
	Label  string `json:"label,omitempty"`
}

// jsonPodcastX is the episode's iTunes artwork and explicit flag (its
// duration is the first attachment's duration_in_seconds).
type jsonPodcastX struct {
	Image    string `json:"image,omitempty"`
	Explicit *bool  `json:"explicit,omitempty"`
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
	jf.Language = fi.language
	// JSON Feed's icon is the large one (512x512 advised), its favicon
	// the small one.
	jf.Icon, jf.Favicon = fi.logo, fi.icon
	if fi.hub != "" {
		jf.Hubs = []*gf.JSONHub{{Type: "WebSub", Url: fi.hub}}
	}
	jf.NextUrl = clean(fi.paging.Next)
	out := &jsonFeed{JSONFeed: jf, Items: make([]*jsonItem, len(items))}
	fe := jsonFeedExtra{ID: fi.id, Generator: fi.generator, Updated: fi.updated.Format(time.RFC3339), Rights: fi.rights,
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
		ji.Tags = CategoryTerms(it.categories)
		ji.Author, ji.Authors = nil, nil
		x := &jsonItemExtra{}
		if it.source != "" || it.via != nil {
			x.Source = &jsonSourceX{Name: it.source}
			if v := it.via; v != nil {
				x.Source.Title, x.Source.URL, x.Source.Link, x.Source.ID = v.Title, v.URL, v.Link, v.ID
			}
		}
		for _, c := range it.categories {
			if c.Scheme != "" || c.Label != "" {
				x.Categories = append(x.Categories, jsonCategoryX(c))
			}
		}
		if p := it.podcast; p != nil && (p.Image != "" || p.Explicit != ExplicitUnknown) {
			x.Podcast = &jsonPodcastX{Image: p.Image}
			if p.Explicit != ExplicitUnknown {
				yes := p.Explicit == ExplicitYes
				x.Podcast.Explicit = &yes
			}
		}
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
		for j, e := range it.enclosures {
			o.Attachments = append(o.Attachments, jsonAttachment{URL: e.URL, MIMEType: cmp.Or(e.Type, mimeType(e.URL, "application/octet-stream")), Size: e.Length})
			if j == 0 && it.podcast != nil {
				o.Attachments[0].Duration = int64(it.podcast.Duration / time.Second)
			}
		}
		if x.Source != nil || x.Authors != nil || x.Image != nil || x.Categories != nil || x.Podcast != nil {
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
