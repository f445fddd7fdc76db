package sources

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
)

// testNow is the fetch time used by the parse tests.
var testNow = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

const testFeedURL = "https://feeds.example.com/dir/feed.xml"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return data
}

func parseFixture(t *testing.T, name, contentType string) Result {
	t.Helper()
	res, err := Parse(readFixture(t, name), contentType, testFeedURL, "src", testNow)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return res
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// assertArticle compares every field of got and want, naming the ones that
// differ. Source, Origin and FetchedAt are filled in want when left empty.
func assertArticle(t *testing.T, got, want feeds.Article) {
	t.Helper()
	if want.Source == "" {
		want.Source = "src"
	}
	if want.Origin == "" {
		want.Origin = testFeedURL
	}
	if want.FetchedAt.IsZero() {
		want.FetchedAt = testNow
	}
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := 0; i < gv.NumField(); i++ {
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if !reflect.DeepEqual(g, w) {
			t.Errorf("article %q: %s = %s, want %s", want.ID, gv.Type().Field(i).Name, show(g), show(w))
		}
	}
}

func show(v any) string {
	switch x := v.(type) {
	case *feeds.Image:
		if x == nil {
			return "nil"
		}
		return fmt.Sprintf("%+v", *x)
	case time.Time:
		return x.Format(time.RFC3339)
	}
	return fmt.Sprintf("%#v", v)
}

func assertArticles(t *testing.T, got []feeds.Article, want []feeds.Article) {
	t.Helper()
	if len(got) != len(want) {
		ids := make([]string, len(got))
		for i, a := range got {
			ids[i] = a.ID
		}
		t.Fatalf("got %d articles %q, want %d", len(got), ids, len(want))
	}
	for i := range want {
		assertArticle(t, got[i], want[i])
	}
}

func TestParseFormats(t *testing.T) {
	editor := []feeds.Author{{Name: "Ed Itor", Email: "editor@example.com"}}
	tests := []struct {
		file      string
		title     string
		link      string
		articles  []feeds.Article
		checkOnly int // when > 0, only the first checkOnly articles are compared
	}{
		{
			file:  "rss2.xml",
			title: "Example & Co News",
			link:  "https://news.example.com/",
			articles: []feeds.Article{
				{
					ID:      "news-1001",
					Title:   "Storm hits the coast",
					Link:    "https://news.example.com/2024/storm",
					Summary: "<p>A storm hit the coast. </p>",
					Content: `<p>Full story with <a href="https://news.example.com/2024/storm/map">a map</a> and <img src="https://news.example.com/2024/images/storm-inline.jpg" alt="inline"></p><p>More.</p>`,
					Authors: []feeds.Author{{Name: "Jane Reporter"}, {Name: "John Photographer"}},
					Image: &feeds.Image{URL: "https://cdn.example.com/storm.jpg", Caption: "Waves & wind at the pier",
						Credit: "FBI", Type: "image/jpeg", Width: 1200, Height: 800, Length: 123456},
					Enclosures: []feeds.Enclosure{{URL: "https://feeds.example.com/audio/storm.mp3", Type: "audio/mpeg", Length: 987654}},
					Categories: feeds.Terms("Weather", "Coast"),
					Published:  date("2024-03-05T14:30:00Z"),
				},
				{
					// No guid: the link is the id; relative link resolved
					// against the feed URL; "email (Name)" author; image
					// enclosure as image.
					ID:         "https://feeds.example.com/2024/second",
					Title:      "Second story",
					Link:       "https://feeds.example.com/2024/second",
					Summary:    "Short description only.",
					Authors:    []feeds.Author{{Name: "Jo Smith", Email: "jo@example.com"}},
					Image:      &feeds.Image{URL: "https://cdn.example.com/second.png", Type: "image/png", Length: 2048},
					Enclosures: []feeds.Enclosure{{URL: "https://cdn.example.com/second.png", Type: "image/png", Length: 2048}},
					Published:  date("2024-03-06T08:00:00Z"),
				},
				{
					// Permalink guid doubles as link; itunes:image, duration
					// and explicit flag; a category's domain is its scheme;
					// the channel's managingEditor is the author.
					ID:         "https://news.example.com/podcast/1",
					Title:      "Podcast episode",
					Link:       "https://news.example.com/podcast/1",
					Authors:    editor,
					Categories: []feeds.Category{{Term: "tech-talk", Scheme: "https://news.example.com/shows"}},
					Podcast:    &feeds.Podcast{Duration: time.Hour + 2*time.Minute + 3*time.Second, Image: "https://cdn.example.com/podcast.jpg", Explicit: feeds.ExplicitYes},
					Image:      &feeds.Image{URL: "https://cdn.example.com/podcast.jpg"},
					Enclosures: []feeds.Enclosure{{URL: "https://cdn.example.com/ep1.mp3", Type: "audio/mpeg"}},
					Published:  date("2024-03-07T10:00:00Z"),
				},
				{
					// Only a description: kept with a hash id; the 1x1 pixel
					// is not the image.
					ID:      feeds.ContentID("", "", `<p>A note without title, link or guid.  <img src="https://cdn.example.com/note.jpg"></p>`, ""),
					Summary: `<p>A note without title, link or guid.  <img src="https://cdn.example.com/note.jpg"></p>`,
					Authors: editor,
					Image:   &feeds.Image{URL: "https://cdn.example.com/note.jpg"},
				},
				{ID: "https://news.example.com/future", Title: "From the future", Link: "https://news.example.com/future", Authors: editor},
				{ID: "https://news.example.com/past", Title: "From the past", Link: "https://news.example.com/past", Authors: editor},
				{ID: "bad-link", Title: "Bad link", Authors: editor},
				// The empty <item/> is dropped.
			},
		},
		{
			file:  "rss1.rdf",
			title: "RDF Site",
			link:  "https://rdf.example.org/",
			articles: []feeds.Article{
				{
					ID: "https://rdf.example.org/a", Title: "First RDF item", Link: "https://rdf.example.org/a",
					Summary: "About A", Authors: []feeds.Author{{Name: "Alice"}}, Categories: feeds.Terms("Science"),
					Published: date("2023-11-02T08:15:00Z"), Updated: date("2023-11-02T08:15:00Z"),
				},
				{
					ID: "https://rdf.example.org/b", Title: "Second RDF item", Link: "https://rdf.example.org/b",
					Published: date("2023-11-03T06:15:00Z"), Updated: date("2023-11-03T06:15:00Z"),
				},
			},
		},
		{
			file:  "rss091.xml",
			title: "Old School",
			link:  "http://old.example.net/",
			articles: []feeds.Article{
				{ID: "http://old.example.net/cafe.html", Title: "Café opens", Link: "http://old.example.net/cafe.html", Summary: "The café is open\u00a0now."},
				{ID: "http://old.example.net/second.html", Title: "Second", Link: "http://old.example.net/second.html"},
			},
		},
		{
			file:  "atom10.xml",
			title: "Atom Blog",
			link:  "https://blog.example.com/",
			articles: []feeds.Article{
				{
					ID:      "tag:blog.example.com,2024:1",
					Title:   "Hello World",
					Link:    "https://blog.example.com/posts/2024/hello",
					Summary: "Tom &amp; Jerry say hi",
					Content: `<p>See <a href="https://blog.example.com/posts/2024/more">more</a> and <img src="https://blog.example.com/posts/2024/pic.png"/></p>`,
					Authors: []feeds.Author{{Name: "Ann Author", Email: "ann@example.com", URL: "https://ann.example.com/"}},
					Image: &feeds.Image{URL: "https://img.example.com/thumb.jpg", Caption: "A thumbnail", Credit: "Photo Agency",
						Width: 320, Height: 180},
					Enclosures: []feeds.Enclosure{{URL: "https://blog.example.com/posts/2024/hello.ogg", Type: "audio/ogg", Length: 4321}},
					// The term, not gofeed's label in its place.
					Categories: []feeds.Category{{Term: "go", Label: "Go"}, {Term: "feeds", Scheme: "https://blog.example.com/tags"}},
					Published:  date("2024-03-30T08:00:00Z"),
					Updated:    date("2024-03-31T10:00:00Z"),
				},
				{
					// Feed author (with its xml:base-resolved uri) as fallback;
					// published falls back to updated.
					ID:        "tag:blog.example.com,2024:2",
					Title:     "No published date",
					Link:      "https://blog.example.com/posts/nodate",
					Content:   `<p>HTML content <a href="https://blog.example.com/rel/link">rel</a></p>`,
					Authors:   []feeds.Author{{Name: "Feed Author", URL: "https://blog.example.com/about"}},
					Published: date("2024-03-01T00:00:00Z"),
					Updated:   date("2024-03-01T00:00:00Z"),
				},
			},
		},
		{
			file:  "atom03.xml",
			title: "Atom 0.3 Feed",
			link:  "http://legacy.example.com/",
			articles: []feeds.Article{{
				ID: "tag:legacy.example.com,2005:1", Title: "Legacy entry", Link: "http://legacy.example.com/2005/06/entry",
				Content: "<p>Escaped <b>HTML</b></p>", Authors: []feeds.Author{{Name: "Legacy Writer"}},
				Published: date("2005-06-01T10:00:00Z"), Updated: date("2005-06-01T11:00:00Z"),
			}},
		},
		{
			file:  "jsonfeed10.json",
			title: "JSON One",
			link:  "https://json.example.com/",
			articles: []feeds.Article{
				{
					ID: "1", Title: "JSON item one", Link: "https://json.example.com/1",
					Summary:    "Plain &lt;summary&gt; &amp; text",
					Content:    `<p>Hello <a href="https://json.example.com/x">x</a></p>`,
					Authors:    []feeds.Author{{Name: "Feed Person", URL: "https://json.example.com/me", Avatar: "https://json.example.com/me.png"}},
					Image:      &feeds.Image{URL: "https://feeds.example.com/images/one.jpg"},
					Enclosures: []feeds.Enclosure{{URL: "https://json.example.com/1.mp3", Type: "audio/mpeg", Length: 1234}},
					Categories: feeds.Terms("alpha", "Beta"),
					Published:  date("2024-02-01T10:00:00Z"), Updated: date("2024-02-02T10:00:00Z"),
				},
				{
					// Numeric id coerced; content_text escaped into paragraphs.
					ID: "2", Link: "https://json.example.com/2",
					Content:   "<p>Line one<br>line two</p><p>Second paragraph &lt;not a tag&gt;</p>",
					Authors:   []feeds.Author{{Name: "Feed Person", URL: "https://json.example.com/me", Avatar: "https://json.example.com/me.png"}},
					Published: date("2024-02-03T10:00:00Z"),
				},
			},
		},
		{
			file:  "jsonfeed11.json",
			title: "JSON One One",
			link:  "https://json11.example.com/",
			articles: []feeds.Article{
				{
					ID: "https://json11.example.com/a", Title: "With authors", Link: "https://json11.example.com/a",
					Content: "<p>Body</p>",
					Authors: []feeds.Author{
						{Name: "Writer One", URL: "https://json11.example.com/w1", Avatar: "https://json11.example.com/w1.png"},
						{Name: "Writer Two"},
					},
					Image:     &feeds.Image{URL: "https://json11.example.com/banner.jpg"},
					Published: date("2024-05-01T00:00:00Z"),
				},
				{
					ID: "https://json11.example.com/b", Title: "Team item", Link: "https://json11.example.com/b",
					Content: "<p>By the team</p>",
					Authors: []feeds.Author{{Name: "Team", URL: "https://json11.example.com/team"}},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := parseFixture(t, tt.file, "")
			if res.Title != tt.title {
				t.Errorf("feed title = %q, want %q", res.Title, tt.title)
			}
			if res.Link != tt.link {
				t.Errorf("feed link = %q, want %q", res.Link, tt.link)
			}
			if res.URL != testFeedURL {
				t.Errorf("URL = %q, want %q", res.URL, testFeedURL)
			}
			assertArticles(t, res.Articles, tt.articles)
		})
	}
}

func TestParseCharsets(t *testing.T) {
	const (
		cp1252 = "Café – “quoted” €5"
		latin1 = "Grüße aus Köln"
	)
	tests := []struct {
		file        string
		contentType string
		want        string
	}{
		{"windows-1252.xml", "", cp1252},
		// The HTTP charset is used when the document declares none.
		{"windows-1252-nodecl.xml", "application/rss+xml; charset=windows-1252", cp1252},
		// The document's declaration wins over a server default.
		{"windows-1252.xml", "text/xml; charset=iso-8859-1", cp1252},
		{"iso-8859-1.xml", "", latin1},
		{"koi8-r.xml", "", "Привет, мир"},
		{"shift_jis.xml", "", "日本語のニュース"},
		{"utf-16.xml", "", "UTF-16 über 日本"},
		// UTF-8 bytes labelled ISO-8859-1 are not decoded twice.
		{"utf8-mislabelled.xml", "text/xml; charset=iso-8859-1", latin1},
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.contentType, func(t *testing.T) {
			res := parseFixture(t, tt.file, tt.contentType)
			if res.Title != tt.want {
				t.Errorf("feed title = %q, want %q", res.Title, tt.want)
			}
			if len(res.Articles) != 1 || res.Articles[0].Title != tt.want {
				t.Fatalf("articles = %+v, want one titled %q", res.Articles, tt.want)
			}
		})
	}
}

func TestParseRepairs(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		titles []string
		check  func(t *testing.T, res Result)
	}{
		{
			name:   "one invalid byte",
			data:   readFixture(t, "invalid-byte.xml"),
			titles: []string{"First über", "Second \uFFFD here", "Third"},
			check: func(t *testing.T, res Result) {
				if got := res.Articles[1].Summary; got != "ctlchar" {
					t.Errorf("summary with a control character = %q, want %q", got, "ctlchar")
				}
			},
		},
		{
			name:   "bare ampersands and less-than",
			data:   readFixture(t, "bare-amp.xml"),
			titles: []string{"AT&T & friends & more © 2024", "Second"},
			check: func(t *testing.T, res Result) {
				a := res.Articles[0]
				if a.Link != "https://amp.example.com/?a=1&b=2" {
					t.Errorf("link = %q", a.Link)
				}
				if a.Summary != "Fish &amp; chips; 1 &lt; 2" {
					t.Errorf("summary = %q", a.Summary)
				}
				if res.Title != "Tom & Jerry" {
					t.Errorf("feed title = %q", res.Title)
				}
			},
		},
		{
			name:   "leading junk before the declaration",
			data:   readFixture(t, "leading-junk.xml"),
			titles: []string{"Survivor"},
		},
		{
			name:   "utf-8 BOM",
			data:   append([]byte{0xEF, 0xBB, 0xBF}, readFixture(t, "rss091.xml")...),
			titles: []string{"Café opens", "Second"},
		},
		{
			// The cut item is dropped: published without its link, it would
			// come back complete under another id as a duplicate.
			name: "truncated document keeps the complete items",
			data: []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>https://t.example.com/1</link></item>
<item><title>Two</title><link>https://t.example.com/2</li`),
			titles: []string{"One"},
		},
		{
			name: "character reference to a forbidden character",
			data: []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>alpha&#26;omega &#x263A;</title><link>https://t.example.com/1</link></item></channel></rss>`),
			titles: []string{"alphaomega ☺"},
		},
		{
			name: "xml 1.1 declaration",
			data: []byte(`<?xml version="1.1" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>
<item><title>Eleven</title><link>https://t.example.com/1</link></item></channel></rss>`),
			titles: []string{"Eleven"},
		},
		{
			name: "undeclared entity stays as text",
			data: []byte(`<rss version="2.0"><channel><title>T</title>
<item><title>Fish &chips; &amp; more &hellip;</title><link>https://t.example.com/1</link></item></channel></rss>`),
			titles: []string{"Fish &chips; & more …"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(tt.data, "", testFeedURL, "src", testNow)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var titles []string
			for _, a := range res.Articles {
				titles = append(titles, a.Title)
			}
			if !reflect.DeepEqual(titles, tt.titles) {
				t.Fatalf("titles = %q, want %q", titles, tt.titles)
			}
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}

func TestParseXMLBombs(t *testing.T) {
	passwd, _ := os.ReadFile("/etc/passwd")
	tests := []struct {
		file  string
		title string
	}{
		{"billion-laughs.xml", "Bomb"},
		{"external-entity.xml", "Secret:"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readFixture(t, tt.file)
			res, err := Parse(data, "", testFeedURL, "src", testNow)
			if err != nil {
				t.Fatalf("Parse: %v (entities should be dropped, not fail the feed)", err)
			}
			if len(res.Articles) != 1 {
				t.Fatalf("got %d articles, want 1", len(res.Articles))
			}
			a := res.Articles[0]
			if a.Title != tt.title {
				t.Errorf("title = %q, want %q", a.Title, tt.title)
			}
			all := fmt.Sprintf("%+v %+v", res, a)
			if strings.Contains(all, "lollol") || strings.Contains(all, "&lol") || strings.Contains(all, "&xxe") {
				t.Errorf("entity expanded or left in output: %s", all)
			}
			if strings.Contains(all, "root:") || (len(passwd) > 0 && strings.Contains(all, strings.SplitN(string(passwd), "\n", 2)[0])) {
				t.Errorf("content of /etc/passwd leaked: %s", all)
			}
		})
	}
}

func TestParseNotAFeed(t *testing.T) {
	tests := []struct {
		name string
		data string
	}{
		{"html page", string(readFixture(t, "page-with-feed.html"))},
		{"xhtml page", `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>x</body></html>`},
		{"plain json", `{"hello": "world"}`},
		{"empty", ``},
		{"text", `just some text`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data), "", testFeedURL, "src", testNow)
			if !errors.Is(err, ErrNotFeed) {
				t.Fatalf("err = %v, want ErrNotFeed", err)
			}
		})
	}
}

func TestParseBrokenFeedError(t *testing.T) {
	_, err := Parse([]byte(`{"version": "https://jsonfeed.org/version/1", "items": [`), "", testFeedURL, "src", testNow)
	if err == nil || errors.Is(err, ErrNotFeed) || !strings.Contains(err.Error(), "parse json feed") {
		t.Fatalf("err = %v, want a json parse error", err)
	}
}

// bigRSS builds an RSS document with n items; each title is titleLen bytes.
func bigRSS(n, titleLen int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Big</title><link>https://big.example.com/</link>`)
	title := strings.Repeat("x", titleLen)
	for i := range n {
		fmt.Fprintf(&b, "<item><title>%s %d</title><link>https://big.example.com/%d</link><description>&lt;p&gt;Item %d&lt;/p&gt;</description><pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate></item>\n", title, i, i, i)
	}
	b.WriteString("</channel></rss>")
	return []byte(b.String())
}

func TestParseLimits(t *testing.T) {
	t.Run("50000 items capped at DefaultMaxItems in document order", func(t *testing.T) {
		res, err := Parse(bigRSS(50000, 20), "", testFeedURL, "src", testNow)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Articles) != DefaultMaxItems {
			t.Fatalf("got %d articles, want %d", len(res.Articles), DefaultMaxItems)
		}
		if res.Articles[0].Link != "https://big.example.com/0" || res.Articles[DefaultMaxItems-1].Link != fmt.Sprintf("https://big.example.com/%d", DefaultMaxItems-1) {
			t.Errorf("not the first items: %q ... %q", res.Articles[0].Link, res.Articles[DefaultMaxItems-1].Link)
		}
	})
	t.Run("max items from the request", func(t *testing.T) {
		res, err := parse(bigRSS(10, 5), "", testFeedURL, "src", testNow, 3, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Articles) != 3 || res.Articles[2].Link != "https://big.example.com/2" {
			t.Fatalf("got %d articles", len(res.Articles))
		}
	})
	t.Run("1 MB title truncated", func(t *testing.T) {
		res, err := Parse(bigRSS(1, 1<<20), "", testFeedURL, "src", testNow)
		if err != nil {
			t.Fatal(err)
		}
		title := res.Articles[0].Title
		if n := len([]rune(title)); n != feeds.MaxTitleRunes {
			t.Fatalf("title has %d runes, want %d", n, feeds.MaxTitleRunes)
		}
		if !strings.HasSuffix(title, "…") {
			t.Errorf("truncated title does not end with an ellipsis")
		}
	})
	t.Run("duplicate guids keep the first", func(t *testing.T) {
		data := `<rss version="2.0"><channel><title>T</title>
<item><guid>same</guid><title>first</title></item><item><guid>same</guid><title>second</title></item></channel></rss>`
		res, err := Parse([]byte(data), "", testFeedURL, "src", testNow)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Articles) != 1 || res.Articles[0].Title != "first" {
			t.Fatalf("articles = %+v", res.Articles)
		}
	})
}

func TestHashIDStable(t *testing.T) {
	data := []byte(`<rss version="2.0"><channel><title>T</title>
<item><title>No link</title><pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate><description>v1</description></item>
<item><title>No link</title><pubDate>Tue, 07 May 2024 10:00:00 GMT</pubDate></item></channel></rss>`)
	first, err := Parse(data, "", testFeedURL, "src", testNow)
	if err != nil {
		t.Fatal(err)
	}
	// The description changes; the id must not.
	edited := []byte(strings.Replace(string(data), "v1", "v2", 1))
	second, err := Parse(edited, "", testFeedURL, "src", testNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Articles) != 2 {
		t.Fatalf("got %d articles, want 2", len(first.Articles))
	}
	if first.Articles[0].ID != second.Articles[0].ID {
		t.Errorf("id changed with the description: %q vs %q", first.Articles[0].ID, second.Articles[0].ID)
	}
	if first.Articles[0].ID == first.Articles[1].ID {
		t.Errorf("items with different dates share id %q", first.Articles[0].ID)
	}
	if !strings.HasPrefix(first.Articles[0].ID, "urn:sha256:") {
		t.Errorf("id = %q", first.Articles[0].ID)
	}
}

func TestParseNameAddress(t *testing.T) {
	tests := []struct{ in, name, email string }{
		{"jo@example.com (Jo Smith)", "Jo Smith", "jo@example.com"},
		{"Jo Smith (jo@example.com)", "Jo Smith", "jo@example.com"},
		{"Jo Smith <jo@example.com>", "Jo Smith", "jo@example.com"},
		{"mailto:jo@example.com", "", "jo@example.com"},
		{"Jo Smith", "Jo Smith", ""},
		{"  Jo   Smith  ", "Jo Smith", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			name, email := parseNameAddress(tt.in)
			if name != tt.name || email != tt.email {
				t.Errorf("parseNameAddress(%q) = %q, %q; want %q, %q", tt.in, name, email, tt.name, tt.email)
			}
		})
	}
}

func TestMediaGroupAndContentImage(t *testing.T) {
	data := []byte(`<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<title>YT</title>
<entry><id>v1</id><title>Video</title><link href="https://video.example.com/v1"/>
<media:group><media:title>Group title</media:title>
<media:content url="https://video.example.com/v1.mp4" type="video/mp4"/>
<media:thumbnail url="https://i.example.com/v1.jpg" width="480" height="360"/>
<media:description>About the video</media:description></media:group></entry>
<entry><id>v2</id><title>Pixel first</title>
<content type="html">&lt;img src="https://t.example.com/p.gif" width="1" height="1"&gt;&lt;img src="/big.jpg" width="640"&gt;</content></entry>
</feed>`)
	res, err := Parse(data, "", testFeedURL, "src", testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := []*feeds.Image{
		{URL: "https://i.example.com/v1.jpg", Caption: "About the video", Width: 480, Height: 360},
		{URL: "https://feeds.example.com/big.jpg", Width: 640},
	}
	for i, w := range want {
		if got := res.Articles[i].Image; got == nil || *got != *w {
			t.Errorf("article %d image = %s, want %+v", i, show(got), *w)
		}
	}
}

// TestEnclosuresAreBounded is an item with thousands of enclosures, in
// Atom (RSS's own parser keeps one): the first maxEnclosures are kept, in
// document order.
func TestEnclosuresAreBounded(t *testing.T) {
	var links strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&links, `<link rel="enclosure" href="/m/%d.mp3" type="audio/mpeg" length="1"/>`, i)
	}
	doc := `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:t</id>
<updated>2024-05-01T00:00:00Z</updated><entry><title>E</title><id>urn:e</id><updated>2024-05-01T00:00:00Z</updated>` +
		links.String() + `</entry></feed>`
	res, err := Parse([]byte(doc), "application/atom+xml", testFeedURL, "src", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Articles) != 1 {
		t.Fatalf("%d articles, want 1", len(res.Articles))
	}
	encs := res.Articles[0].Enclosures
	if len(encs) != maxEnclosures {
		t.Fatalf("%d enclosures kept, want %d", len(encs), maxEnclosures)
	}
	if last := encs[len(encs)-1].URL; last != fmt.Sprintf("https://feeds.example.com/m/%d.mp3", maxEnclosures-1) {
		t.Errorf("last enclosure kept %s, want the %dth of the document", last, maxEnclosures)
	}
}

func TestParseITunes(t *testing.T) {
	durations := []struct {
		in   string
		want time.Duration
	}{
		{"3723", 3723 * time.Second},
		{"3723.9", 3723 * time.Second},
		{"62:03", 62*time.Minute + 3*time.Second},
		{"1:02:03", time.Hour + 2*time.Minute + 3*time.Second},
		{" 01:02:03 ", time.Hour + 2*time.Minute + 3*time.Second},
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"1:2:3:4", 0},
		{"1.5:00", 0},
		{"an hour", 0},
		{"99999999999", 0}, // beyond maxDuration
		{"NaN", 0},
	}
	for _, tc := range durations {
		if got := parseDuration(tc.in); got != tc.want {
			t.Errorf("parseDuration(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	explicit := map[string]feeds.Explicit{
		"true": feeds.ExplicitYes, "Yes": feeds.ExplicitYes, "explicit": feeds.ExplicitYes,
		"false": feeds.ExplicitNo, "no": feeds.ExplicitNo, " clean ": feeds.ExplicitNo,
		"": feeds.ExplicitUnknown, "maybe": feeds.ExplicitUnknown,
	}
	for in, want := range explicit {
		if got := parseExplicit(in); got != want {
			t.Errorf("parseExplicit(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestParseFeedIdentity: an Atom feed's own id is kept for attributing
// its entries; other formats have none.
func TestParseFeedIdentity(t *testing.T) {
	atomDoc := `<feed xmlns="http://www.w3.org/2005/Atom"><id>tag:blog.example,2024:feed</id><title>The Blog</title>
<link href="https://blog.example/"/><entry><id>1</id><title>x</title></entry></feed>`
	res, err := Parse([]byte(atomDoc), "application/atom+xml", "https://blog.example/feed.atom", "b", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res.ID != "tag:blog.example,2024:feed" || res.Title != "The Blog" || res.Link != "https://blog.example/" {
		t.Errorf("feed id %q, title %q, link %q", res.ID, res.Title, res.Link)
	}
	rssDoc := `<rss version="2.0"><channel><title>T</title><link>https://r.example/</link><item><guid>1</guid><title>x</title></item></channel></rss>`
	if res, err = Parse([]byte(rssDoc), "application/rss+xml", "https://r.example/rss", "r", time.Now()); err != nil || res.ID != "" {
		t.Errorf("RSS feed id %q, err %v; want none", res.ID, err)
	}
}

// TestParseSameSummaryAndContent: an item that repeats its story in
// description and content:encoded gets the same sanitized HTML in both,
// and a text summary beside the same HTML content is still read as text.
func TestParseSameSummaryAndContent(t *testing.T) {
	body := `<p class="x">Story <a href="/rel">link</a><img src="/p.gif" width="1" height="1"></p>`
	want := `<p>Story <a href="https://feeds.example.com/rel">link</a></p>`
	rss := `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>` +
		`<item><guid>1</guid><description><![CDATA[` + body + `]]></description><content:encoded><![CDATA[` + body + `]]></content:encoded></item></channel></rss>`
	res, err := Parse([]byte(rss), "", testFeedURL, "s", testNow)
	if err != nil || len(res.Articles) != 1 {
		t.Fatalf("Parse: %v, %d articles", err, len(res.Articles))
	}
	if a := res.Articles[0]; a.Summary != want || a.Content != want {
		t.Errorf("summary %q, content %q, want both %q", a.Summary, a.Content, want)
	}
	atom := `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:f</id><entry><id>urn:1</id><title>x</title>` +
		"<summary type=\"text\">one\n\ntwo</summary><content type=\"html\">one\n\ntwo</content></entry></feed>"
	res, err = Parse([]byte(atom), "", testFeedURL, "s", testNow)
	if err != nil || len(res.Articles) != 1 {
		t.Fatalf("Parse atom: %v, %d articles", err, len(res.Articles))
	}
	if a := res.Articles[0]; a.Summary != "<p>one</p><p>two</p>" || a.Content != "one\n\ntwo" {
		t.Errorf("text summary %q, HTML content %q: want them read as text and as HTML", a.Summary, a.Content)
	}
}
