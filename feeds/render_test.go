package feeds

import (
	"bytes"
	"cmp"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func render(t testing.TB, f Feed, format Format) []byte {
	t.Helper()
	b, err := Render(f, format)
	if err != nil {
		t.Fatalf("Render(%s): %v", format, err)
	}
	return b
}

func parseGofeed(t *testing.T, b []byte) *gofeed.Feed {
	t.Helper()
	p := gofeed.NewParser()
	f, err := p.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gofeed cannot parse the rendering: %v\n%s", err, b)
	}
	return f
}

// checkEqual reports a field that differs, naming it.
func checkEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func timeOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

func TestRenderRoundTripGofeed(t *testing.T) {
	in := richFeed()
	wants := richWants()
	for _, format := range AllFormats() {
		t.Run(string(format), func(t *testing.T) {
			f := in
			f.SelfURL = "https://news.example.org/feeds/all." + format.Ext()
			b := render(t, f, format)
			if bytes.Contains(b, []byte("0001-01-01")) || bytes.Contains(b, []byte(" 0001 ")) {
				t.Errorf("rendering contains a year-1 date:\n%s", b)
			}
			if bytes.ContainsAny(b, "\x00\x01\x0b\x1b") {
				t.Errorf("rendering contains control characters")
			}
			g := parseGofeed(t, b)
			checkEqual(t, "feed title", g.Title, "Tributary news: “all” & more")
			checkEqual(t, "feed description", g.Description, "Everything from our sources, combined")
			checkEqual(t, "feed link", g.Link, "https://news.example.org/")
			checkEqual(t, "feed self link", g.FeedLink, f.SelfURL)
			if format != JSON { // JSON Feed has no feed-level date
				checkEqual(t, "feed updated", timeOf(g.UpdatedParsed), t0.Add(2*time.Hour))
			}
			if format == Atom {
				checkEqual(t, "feed generator", g.Generator, "Tributary/test")
			}
			checkEqual(t, "feed language", g.Language, "en-GB")
			if format != JSON {
				checkEqual(t, "feed rights", g.Copyright, "© 2024 Example News & friends")
			}
			if g.Image == nil {
				t.Error("no feed image")
			} else {
				checkEqual(t, "feed image (the logo)", g.Image.URL, "https://news.example.org/logo.png")
			}
			if len(g.Items) != len(wants) {
				t.Fatalf("got %d items, want %d", len(g.Items), len(wants))
			}
			var raw rawJSONFeed
			if format == JSON {
				if err := json.Unmarshal(b, &raw); err != nil {
					t.Fatal(err)
				}
				checkEqual(t, "_tributary.id", raw.Ext.ID, "https://news.example.org/feeds/all")
				checkEqual(t, "_tributary.generator", raw.Ext.Generator, "Tributary/test")
				checkEqual(t, "_tributary.rights", raw.Ext.Rights, "© 2024 Example News & friends")
			}
			for i, w := range wants {
				gi := g.Items[i]
				t.Run(strconv.Itoa(i), func(t *testing.T) {
					switch format {
					case RSS:
						checkRSSItem(t, gi, w)
					case Atom:
						checkAtomItem(t, gi, w)
					case JSON:
						checkJSONItem(t, gi, raw.Items[i], w)
					}
				})
			}
		})
	}
}

func checkCommon(t *testing.T, gi *gofeed.Item, w want) {
	t.Helper()
	checkEqual(t, "title", gi.Title, w.title)
	checkEqual(t, "link", gi.Link, w.link)
}

// checkITunes checks an item's iTunes elements as gofeed reads them.
func checkITunes(t *testing.T, x *ext.ITunesItemExtension, p *Podcast) {
	t.Helper()
	if p == nil {
		if x != nil && (x.Duration != "" || x.Image != "" || x.Explicit != "") {
			t.Errorf("itunes = %+v, want none", x)
		}
		return
	}
	if x == nil {
		t.Fatal("no itunes elements")
	}
	checkEqual(t, "itunes:duration", x.Duration, strconv.Itoa(int(p.Duration.Seconds())))
	checkEqual(t, "itunes:image", x.Image, p.Image)
	checkEqual(t, "itunes:explicit", x.Explicit, map[Explicit]string{ExplicitYes: "true", ExplicitNo: "false"}[p.Explicit])
}

func checkRSSItem(t *testing.T, gi *gofeed.Item, w want) {
	checkCommon(t, gi, w)
	checkEqual(t, "categories", gi.Categories, w.terms())
	checkITunes(t, gi.ITunesExt, w.podcast)
	checkEqual(t, "guid", gi.GUID, w.id)
	checkEqual(t, "published", timeOf(gi.PublishedParsed), w.published)
	checkEqual(t, "updated (atom:updated)", timeOf(gi.UpdatedParsed), w.updated)
	desc := w.summary
	if desc == "" {
		desc = w.content
	}
	checkEqual(t, "description", gi.Description, desc)
	checkEqual(t, "content:encoded", gi.Content, w.content)
	var creators []string
	if gi.DublinCoreExt != nil {
		creators = gi.DublinCoreExt.Creator
	}
	checkEqual(t, "dc:creator", creators, w.creators)
	var encs []Enclosure
	for _, e := range gi.Enclosures {
		encs = append(encs, Enclosure{URL: e.URL, Type: e.Type, Length: atoi(t, e.Length)})
	}
	var wantEncs []Enclosure
	if w.rssEnclosure != nil {
		wantEncs = []Enclosure{*w.rssEnclosure}
	}
	checkEqual(t, "enclosures", encs, wantEncs)
	checkMedia(t, gi.Extensions, w.image)
}

func checkAtomItem(t *testing.T, gi *gofeed.Item, w want) {
	checkCommon(t, gi, w)
	// gofeed reads an Atom category's label in place of its term.
	var labels []string
	for _, c := range w.categories {
		labels = append(labels, cmp.Or(c.Label, c.Term))
	}
	checkEqual(t, "categories", gi.Categories, labels)
	checkEqual(t, "id", gi.GUID, cmp.Or(w.atomID, w.id))
	published, updated := w.published, w.updated
	if updated.IsZero() {
		updated = published
	}
	if published.IsZero() { // gofeed falls back to updated, the feed's date
		published, updated = t0.Add(2*time.Hour), t0.Add(2*time.Hour)
	}
	checkEqual(t, "published", timeOf(gi.PublishedParsed), published)
	checkEqual(t, "updated", timeOf(gi.UpdatedParsed), updated)
	checkEqual(t, "summary", gi.Description, w.summary)
	content := w.content
	if content == "" && w.link == "" {
		content = w.summary // content or an alternate link is required
	}
	checkEqual(t, "content", gi.Content, content)
	var authors []Author
	for _, p := range gi.Authors {
		authors = append(authors, Author{Name: p.Name, Email: p.Email})
	}
	var wantAuthors []Author
	for _, a := range w.authors {
		wantAuthors = append(wantAuthors, Author{Name: a.Name, Email: a.Email})
	}
	checkEqual(t, "authors", authors, wantAuthors)
	var encs []Enclosure
	for _, e := range gi.Enclosures {
		encs = append(encs, Enclosure{URL: e.URL, Type: e.Type, Length: atoi(t, e.Length)})
	}
	checkEqual(t, "enclosures", encs, w.atomEnclosures)
	checkMedia(t, gi.Extensions, w.image)
}

func checkMedia(t *testing.T, exts ext.Extensions, im *Image) {
	t.Helper()
	mc := exts["media"]["content"]
	if im == nil {
		if len(mc) != 0 {
			t.Errorf("media:content = %+v, want none", mc)
		}
		return
	}
	if len(mc) != 1 {
		t.Fatalf("got %d media:content, want 1", len(mc))
	}
	got := Image{URL: mc[0].Attrs["url"], Type: mc[0].Attrs["type"]}
	if mc[0].Attrs["medium"] != "image" {
		t.Errorf("media:content medium = %q, want image", mc[0].Attrs["medium"])
	}
	got.Width, _ = strconv.Atoi(mc[0].Attrs["width"])
	got.Height, _ = strconv.Atoi(mc[0].Attrs["height"])
	got.Length, _ = strconv.ParseInt(mc[0].Attrs["fileSize"], 10, 64)
	if c := mc[0].Children["credit"]; len(c) == 1 {
		got.Credit = c[0].Value
	}
	if c := mc[0].Children["description"]; len(c) == 1 {
		got.Caption = c[0].Value
	}
	checkEqual(t, "media:content", got, *im)
}

// rawJSONFeed reads what gofeed does not: author url/avatar and the
// "_tributary" extensions.
type rawJSONFeed struct {
	Ext struct {
		ID, Generator, Updated, Rights string
	} `json:"_tributary"`
	Items []rawJSONItem `json:"items"`
}

type rawJSONItem struct {
	Authors     []struct{ Name, URL, Avatar string } `json:"authors"`
	Attachments []struct {
		Duration int64 `json:"duration_in_seconds"`
	} `json:"attachments"`
	Ext *struct {
		Source     struct{ Name, Title, URL, ID string } `json:"source"`
		Categories []Category                            `json:"categories"`
		Podcast    *struct {
			Image    string
			Explicit *bool
		} `json:"podcast"`
		Authors []struct{ Name, Bio, Email string }
		Image   *struct {
			Caption, Credit string
			Width, Height   int
		}
	} `json:"_tributary"`
}

func checkJSONItem(t *testing.T, gi *gofeed.Item, raw rawJSONItem, w want) {
	checkCommon(t, gi, w)
	checkEqual(t, "tags", gi.Categories, w.terms())
	checkEqual(t, "id", gi.GUID, w.id)
	checkEqual(t, "date_published", timeOf(gi.PublishedParsed), w.published)
	checkEqual(t, "date_modified", timeOf(gi.UpdatedParsed), w.updated)
	checkEqual(t, "summary", gi.Description, w.jsonSummary)
	checkEqual(t, "content_html", gi.Content, cmp.Or(w.jsonContent, w.content))
	var imageURL string
	if gi.Image != nil {
		imageURL = gi.Image.URL
	}
	var wantImageURL string
	if w.image != nil {
		wantImageURL = w.image.URL
	}
	checkEqual(t, "image", imageURL, wantImageURL)
	var encs []Enclosure
	for _, e := range gi.Enclosures {
		encs = append(encs, Enclosure{URL: e.URL, Type: e.Type, Length: atoi(t, e.Length)})
	}
	checkEqual(t, "attachments", encs, w.attachments)

	var authors, extAuthors []Author
	for _, a := range raw.Authors {
		authors = append(authors, Author{Name: a.Name, URL: a.URL, Avatar: a.Avatar})
	}
	var wantAuthors, wantExtAuthors []Author
	for _, a := range w.authors {
		wantAuthors = append(wantAuthors, Author{Name: a.Name, URL: a.URL, Avatar: a.Avatar})
		if a.Bio != "" || a.Email != "" {
			wantExtAuthors = append(wantExtAuthors, Author{Name: a.Name, Bio: a.Bio, Email: a.Email})
		}
	}
	checkEqual(t, "authors", authors, wantAuthors)
	if raw.Ext == nil {
		t.Fatal("no _tributary extension")
	}
	checkEqual(t, "_tributary.source.name", raw.Ext.Source.Name, w.source)
	var via SourceFeed
	if w.via != nil {
		via = *w.via
	}
	checkEqual(t, "_tributary.source", SourceFeed{Title: raw.Ext.Source.Title, URL: raw.Ext.Source.URL, ID: raw.Ext.Source.ID}, SourceFeed{Title: via.Title, URL: via.URL, ID: via.ID})
	var labelled []Category
	for _, c := range w.categories {
		if c.Scheme != "" || c.Label != "" {
			labelled = append(labelled, c)
		}
	}
	checkEqual(t, "_tributary.categories", raw.Ext.Categories, labelled)
	if w.podcast != nil {
		if raw.Ext.Podcast == nil || raw.Ext.Podcast.Image != w.podcast.Image || raw.Ext.Podcast.Explicit == nil || *raw.Ext.Podcast.Explicit != (w.podcast.Explicit == ExplicitYes) {
			t.Errorf("_tributary.podcast = %+v, want %+v", raw.Ext.Podcast, w.podcast)
		}
		if len(raw.Attachments) == 0 || raw.Attachments[0].Duration != int64(w.podcast.Duration.Seconds()) {
			t.Errorf("attachments = %+v, want the first with duration_in_seconds %v", raw.Attachments, w.podcast.Duration.Seconds())
		}
	}
	for _, a := range raw.Ext.Authors {
		extAuthors = append(extAuthors, Author{Name: a.Name, Bio: a.Bio, Email: a.Email})
	}
	checkEqual(t, "_tributary.authors", extAuthors, wantExtAuthors)
	var gotImage, wantImage Image
	if raw.Ext.Image != nil {
		gotImage = Image{Caption: raw.Ext.Image.Caption, Credit: raw.Ext.Image.Credit, Width: raw.Ext.Image.Width, Height: raw.Ext.Image.Height}
	}
	if w.image != nil {
		wantImage = Image{Caption: w.image.Caption, Credit: w.image.Credit, Width: w.image.Width, Height: w.image.Height}
	}
	checkEqual(t, "_tributary.image", gotImage, wantImage)
}

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Errorf("length %q is not a number", s)
	}
	return n
}

func TestRenderGolden(t *testing.T) {
	for _, format := range AllFormats() {
		t.Run(string(format), func(t *testing.T) {
			f := richFeed()
			f.SelfURL = "https://news.example.org/feeds/all." + format.Ext()
			got := render(t, f, format)
			path := filepath.Join("testdata", "golden."+format.Ext())
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run go test -update if the change is intended):\n%s", format, path, got)
			}
		})
	}
}

func TestRenderDeterministic(t *testing.T) {
	for _, format := range AllFormats() {
		a, b := render(t, richFeed(), format), render(t, richFeed(), format)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renderings of the same feed differ", format)
		}
	}
}

func TestRenderFeedIDAndUpdated(t *testing.T) {
	explicit := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("X", -5*3600))
	tests := []struct {
		name        string
		feed        Feed
		wantID      string
		wantUpdated string
	}{
		{"explicit", Feed{ID: "urn:x:1", SelfURL: "https://a.example/f.atom", Updated: explicit, Items: richArticles()}, "urn:x:1", "2025-01-02T08:04:05Z"},
		{"id from self, updated from newest item", Feed{SelfURL: "https://a.example/f.atom", Items: richArticles()}, "https://a.example/f.atom", "2024-03-10T14:30:00Z"},
		{"empty feed", Feed{Title: "Empty", Link: "https://a.example/"}, "https://a.example/", "1970-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc struct {
				ID      string `xml:"id"`
				Updated string `xml:"updated"`
			}
			if err := xml.Unmarshal(render(t, tt.feed, Atom), &doc); err != nil {
				t.Fatal(err)
			}
			checkEqual(t, "atom id", doc.ID, tt.wantID)
			checkEqual(t, "atom updated", doc.Updated, tt.wantUpdated)
		})
	}
}

func TestRenderEmptyFeedJSONHasItems(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(render(t, Feed{Title: "Empty"}, JSON), &doc); err != nil {
		t.Fatal(err)
	}
	items, ok := doc["items"].([]any)
	if !ok || len(items) != 0 {
		t.Errorf("items = %#v, want an empty array (required by JSON Feed)", doc["items"])
	}
}

func TestRenderGUIDPermaLink(t *testing.T) {
	f := Feed{Title: "t", Items: []Article{
		{ID: "https://a.example/1", Link: "https://a.example/1"},
		{ID: "a-1", Link: "https://a.example/2"},
	}}
	var doc struct {
		Items []struct {
			GUID struct {
				IsPermaLink string `xml:"isPermaLink,attr"`
				Value       string `xml:",chardata"`
			} `xml:"guid"`
		} `xml:"channel>item"`
	}
	if err := xml.Unmarshal(render(t, f, RSS), &doc); err != nil {
		t.Fatal(err)
	}
	checkEqual(t, "first isPermaLink", doc.Items[0].GUID.IsPermaLink, "true")
	checkEqual(t, "second isPermaLink", doc.Items[1].GUID.IsPermaLink, "false")
}

func TestRenderUnknownFormat(t *testing.T) {
	_, err := Render(richFeed(), Format("opml"))
	if !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("err = %v, want ErrUnknownFormat", err)
	}
}

func TestDerivedIDStable(t *testing.T) {
	a := Article{Source: "notes", Title: "No link, no id", Summary: "x"}
	first := render(t, Feed{Items: []Article{a}}, JSON)
	a.FetchedAt = t0 // refetching changes nothing that identifies the story
	second := render(t, Feed{Items: []Article{a}}, JSON)
	id := func(b []byte) string {
		var doc struct{ Items []struct{ ID string } }
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Items[0].ID
	}
	if id(first) != id(second) || !strings.HasPrefix(id(first), "urn:tributary:item:") {
		t.Errorf("derived ids %q and %q, want equal urn:tributary:item: ids", id(first), id(second))
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		ext         string
		want        Format
		ok          bool
		contentType string
	}{
		{"rss", RSS, true, "application/rss+xml; charset=utf-8"},
		{".atom", Atom, true, "application/atom+xml; charset=utf-8"},
		{"JSON", JSON, true, "application/feed+json; charset=utf-8"},
		{"xml", "", false, ""},
		{"", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.ext, func(t *testing.T) {
			f, ok := ParseFormat(tt.ext)
			if f != tt.want || ok != tt.ok {
				t.Fatalf("ParseFormat(%q) = %q, %v; want %q, %v", tt.ext, f, ok, tt.want, tt.ok)
			}
			checkEqual(t, "ContentType", f.ContentType(), tt.contentType)
			if ok {
				if back, _ := ParseFormat(f.Ext()); back != f {
					t.Errorf("ParseFormat(%q.Ext()) = %q", f, back)
				}
			}
		})
	}
	all := AllFormats()
	all[0] = "changed"
	if AllFormats()[0] != RSS {
		t.Error("AllFormats shares its slice between calls")
	}
}

// wellFormedXML decodes b to EOF, failing on the first syntax error.
func wellFormedXML(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Two sources both numbering their items from 1: a reader that keys items
// by id must see two items, in every format.
func TestBareIDsFromTwoSourcesStayDistinct(t *testing.T) {
	f := Feed{Title: "All", Link: "https://agg.example/", Items: []Article{
		{ID: "1", Source: "a", Title: "From a", Link: "https://a.example/1", Published: day(2)},
		{ID: "1", Source: "b", Title: "From b", Link: "https://b.example/1", Published: day(1)},
	}}
	for _, format := range []Format{RSS, Atom, JSON} {
		items := parseGofeed(t, render(t, f, format)).Items
		if len(items) != 2 {
			t.Fatalf("%v: %d items, want 2", format, len(items))
		}
		checkEqual(t, string(format)+" ids", []string{items[0].GUID, items[1].GUID},
			[]string{"urn:tributary:guid:a:1", "urn:tributary:guid:b:1"})
	}
}

// TestHubLinks checks where each format announces a feed's WebSub hub
// (atom:link rel="hub" in RSS and Atom, "hubs" in JSON Feed), beside the
// self link that names the topic, and that no hub is announced without one.
func TestHubLinks(t *testing.T) {
	type link struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	}
	xmlLinks := func(t *testing.T, b []byte) map[string][]string {
		t.Helper()
		var doc struct {
			Links   []link `xml:"http://www.w3.org/2005/Atom link"`
			Channel struct {
				Links []link `xml:"http://www.w3.org/2005/Atom link"`
			} `xml:"channel"`
		}
		if err := xml.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for _, l := range append(doc.Links, doc.Channel.Links...) {
			out[l.Rel] = append(out[l.Rel], l.Href)
		}
		return out
	}
	const hub = "https://hub.example.net/"
	for _, format := range AllFormats() {
		t.Run(string(format), func(t *testing.T) {
			for _, h := range []string{hub, ""} {
				f := Feed{Title: "t", Link: "https://news.example.org/", SelfURL: "https://news.example.org/feeds/all." + format.Ext(), Hub: h}
				b := render(t, f, format)
				var hubs, self []string
				if format == JSON {
					var doc struct {
						FeedURL string `json:"feed_url"`
						Hubs    []struct{ Type, URL string }
					}
					if err := json.Unmarshal(b, &doc); err != nil {
						t.Fatal(err)
					}
					for _, x := range doc.Hubs {
						checkEqual(t, "hub type", x.Type, "WebSub")
						hubs = append(hubs, x.URL)
					}
					self = []string{doc.FeedURL}
				} else {
					l := xmlLinks(t, b)
					hubs, self = l["hub"], l["self"]
				}
				var want []string
				if h != "" {
					want = []string{h}
				}
				checkEqual(t, "hub links", hubs, want)
				checkEqual(t, "self links", self, []string{f.SelfURL})
			}
		})
	}
}
