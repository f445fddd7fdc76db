package sources

import (
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/tributary/tributary/feeds"
)

// jsonFeedDoc is a JSON Feed whose feed-level fields are feed (each
// followed by a comma) and whose items are the first and last good items
// around middle.
func jsonFeedDoc(feed, middle string) string {
	first := `{"id":"1","url":"https://news.example/1","title":"First","content_html":"<p>One</p>","tags":["a"]}`
	last := `{"id":"3","url":"https://news.example/3","title":"Third","content_text":"Three"}`
	items := []string{first}
	if middle != "" {
		items = append(items, middle)
	}
	items = append(items, last)
	return fmt.Sprintf(`{"version":"https://jsonfeed.org/version/1.1","title":"Repairs","home_page_url":"https://news.example/",%s"items":[%s]}`,
		feed, strings.Join(items, ","))
}

// TestParseJSONRepairsFields: one field of the wrong type in a JSON Feed
// costs at most that field. A scalar or object where a list is expected
// becomes a one-element list, a number where a string is expected becomes
// that string, and a field that still does not fit is dropped and named in
// Result.Dropped; the other items and fields are read as usual.
func TestParseJSONRepairsFields(t *testing.T) {
	article := func(id, title string) feeds.Article {
		return feeds.Article{ID: id, Link: "https://news.example/" + id, Title: title}
	}
	tests := []struct {
		name    string
		doc     string
		want    feeds.Article // the middle item ("2"); ID "" when there is none
		dropped []string
	}{
		{
			name: "tags a string",
			doc:  jsonFeedDoc("", `{"id":"2","url":"https://news.example/2","title":"Second","tags":"news"}`),
			want: func() feeds.Article { a := article("2", "Second"); a.Categories = feeds.Terms("news"); return a }(),
		},
		{
			name: "tags with a number, a null, a boolean and a list",
			doc:  jsonFeedDoc("", `{"id":"2","url":"https://news.example/2","title":"Second","tags":["news",2026,null,true,["x"]]}`),
			want: func() feeds.Article {
				a := article("2", "Second")
				a.Categories = feeds.Terms("news", "2026")
				return a
			}(),
			dropped: []string{"items[1].tags[3]: boolean", "items[1].tags[4]: list"},
		},
		{
			name: "authors an object",
			doc:  jsonFeedDoc("", `{"id":"2","url":"https://news.example/2","title":"Second","authors":{"name":"Ann Lee","url":"https://ann.example/"}}`),
			want: func() feeds.Article {
				a := article("2", "Second")
				a.Authors = []feeds.Author{{Name: "Ann Lee", URL: "https://ann.example/"}}
				return a
			}(),
		},
		{
			name: "author a string, authors with a null and a number for a name",
			doc:  jsonFeedDoc("", `{"id":"2","url":"https://news.example/2","title":"Second","author":"Bo Chen","authors":[null,{"name":"Ann Lee"},"Cy Dee",{"name":7}]}`),
			want: func() feeds.Article {
				a := article("2", "Second")
				a.Authors = []feeds.Author{{Name: "Ann Lee"}, {Name: "Cy Dee"}, {Name: "7"}}
				return a
			}(),
		},
		{
			name: "attachments an object",
			doc: jsonFeedDoc("", `{"id":"2","url":"https://news.example/2","title":"Second",`+
				`"attachments":{"url":"https://news.example/2.mp3","mime_type":"audio/mpeg","size_in_bytes":"1234","title":5}}`),
			want: func() feeds.Article {
				a := article("2", "Second")
				a.Enclosures = []feeds.Enclosure{{URL: "https://news.example/2.mp3", Type: "audio/mpeg", Length: 1234}}
				return a
			}(),
		},
		{
			name: "attachments with a null and a string",
			doc: jsonFeedDoc("", `{"id":"2","url":"https://news.example/2","title":"Second",`+
				`"attachments":[null,"https://news.example/x.mp3",{"url":"https://news.example/2.mp3","mime_type":["audio/mpeg"]}]}`),
			want: func() feeds.Article {
				a := article("2", "Second")
				a.Enclosures = []feeds.Enclosure{{URL: "https://news.example/2.mp3"}}
				return a
			}(),
			dropped: []string{"items[1].attachments[1]: string", "items[1].attachments[2].mime_type: list"},
		},
		{
			name: "title a number",
			doc:  jsonFeedDoc("", `{"id":"2","url":"https://news.example/2","title":2026}`),
			want: article("2", "2026"),
		},
		{
			name:    "title a boolean, url an object",
			doc:     jsonFeedDoc("", `{"id":"2","url":{"href":"https://news.example/2"},"external_url":"https://news.example/2","title":true}`),
			want:    article("2", ""),
			dropped: []string{"items[1].title: boolean", "items[1].url: object"},
		},
		{
			name: "id a number",
			doc:  jsonFeedDoc("", `{"id":12345678901234567890,"url":"https://news.example/2","title":"Second"}`),
			want: func() feeds.Article { a := article("2", "Second"); a.ID = "12345678901234567890"; return a }(),
		},
		{
			name:    "items not objects, and nulls",
			doc:     jsonFeedDoc("", `null,"https://news.example/x",42,[{"id":"9"}]`),
			dropped: []string{"items[2]: string", "items[3]: number", "items[4]: list"},
		},
		{
			name: "nulls, which gofeed does not reject",
			doc: jsonFeedDoc(`"author":null,"authors":[null],`,
				`null,{"id":"2","url":"https://news.example/2","title":null,"authors":[null,{"name":"Ann Lee"}],"tags":[null,"x"],"attachments":[null]},null`),
			want: func() feeds.Article {
				a := article("2", "")
				a.Authors = []feeds.Author{{Name: "Ann Lee"}}
				a.Categories = feeds.Terms("x")
				return a
			}(),
		},
		{
			name: "fields in another letter case",
			doc:  jsonFeedDoc("", `{"ID":"2","URL":"https://news.example/2","Title":2,"Tags":"news"}`),
			want: func() feeds.Article { a := article("2", "2"); a.Categories = feeds.Terms("news"); return a }(),
		},
		{
			name: "feed-level fields",
			doc: jsonFeedDoc(`"description":["x"],"icon":12,"author":"Ed Fox","authors":{"name":"Ed Fox","avatar":"https://news.example/ed.jpg"},"hubs":"anything",`,
				`{"id":"2","url":"https://news.example/2","title":"Second"}`),
			want: func() feeds.Article {
				a := article("2", "Second")
				a.Authors = []feeds.Author{{Name: "Ed Fox", Avatar: "https://news.example/ed.jpg"}}
				return a
			}(),
			dropped: []string{"description: list"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse([]byte(tt.doc), "application/feed+json", testFeedURL, "src", testNow)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if res.Title != "Repairs" {
				t.Errorf("feed title %q", res.Title)
			}
			var ids []string
			for _, a := range res.Articles {
				ids = append(ids, a.ID)
			}
			wantIDs := []string{"1", "3"}
			if tt.want.ID != "" {
				wantIDs = []string{"1", tt.want.ID, "3"}
			}
			if !slices.Equal(ids, wantIDs) {
				t.Fatalf("articles %q, want %q", ids, wantIDs)
			}
			first, last := res.Articles[0], res.Articles[len(res.Articles)-1]
			if first.Title != "First" || first.Content != "<p>One</p>" || !slices.Equal(first.Categories, feeds.Terms("a")) ||
				last.Title != "Third" || last.Content != "Three" {
				t.Errorf("the good items changed: %+v\n%+v", first, last)
			}
			if tt.want.ID != "" {
				assertArticles(t, res.Articles[1:2], []feeds.Article{tt.want})
			}
			slices.Sort(res.Dropped)
			if !slices.Equal(res.Dropped, tt.dropped) {
				t.Errorf("Dropped = %q, want %q", res.Dropped, tt.dropped)
			}
		})
	}
}

// TestRepairJSONKeepsGoodFeeds: repairing a document gofeed accepts changes
// nothing gofeed reads; a document that is not a JSON object is left as it
// is for gofeed to report.
func TestRepairJSONKeepsGoodFeeds(t *testing.T) {
	good := []byte(jsonFeedDoc(`"hubs":[{"type":"WebSub","url":"https://hub.example/"}],"_ext":{"x":[1,2]},"authors":[{"name":"Ed"}],`,
		`{"id":2,"url":"https://news.example/2","title":null,"author":null,"attachments":null,"tags":["b"],"content_html":"<p>x &amp; y</p>"}`))
	repaired, dropped := repairJSON(good)
	if dropped != nil {
		t.Errorf("dropped %q", dropped)
	}
	want, err := Parse(good, "", testFeedURL, "src", testNow)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(repaired, "", testFeedURL, "src", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("repaired feed reads\n%+v\nwant\n%+v", got, want)
	}
	for _, doc := range []string{`{"version": "https://jsonfeed.org/version/1", "items": [`, `[1, 2]`} {
		if out, dropped := repairJSON([]byte(doc)); string(out) != doc || dropped != nil {
			t.Errorf("repairJSON(%s) = %s, %q", doc, out, dropped)
		}
	}
}

// TestCutJSONItems: a JSON Feed's items list is cut after its n-th
// element, every "items" of the object in any case (gofeed reads them
// all); the rest of the document, and any document that is not a
// well-formed object, is left as it is.
func TestCutJSONItems(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"cut", `{"title":"t","items":[{"id":1}, {"id":2},{"id":3} ,{"id":4}],"x":1}`,
			`{"title":"t","items":[{"id":1}, {"id":2}],"x":1}`},
		{"fits", `{"items":[{"id":1},{"id":2}],"a":[1,2,3,4,5]}`, `{"items":[{"id":1},{"id":2}],"a":[1,2,3,4,5]}`},
		{"each occurrence", `{"items":[1,2,3],"Items" : [{"id":"a,b"},null,{},{}]}`, `{"items":[1,2],"Items" : [{"id":"a,b"},null]}`},
		{"nested lists untouched", `{"x":{"items":[1,2,3,4]},"items":{"id":1,"a":[1,2,3]}}`, `{"x":{"items":[1,2,3,4]},"items":{"id":1,"a":[1,2,3]}}`},
		{"truncated", `{"items":[1,2,3,4`, `{"items":[1,2,3,4`},
		{"trailing junk kept", `{"items":[1,2,3,4]} x`, `{"items":[1,2]} x`},
		{"not an object", `[1,2,3,4,5]`, `[1,2,3,4,5]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(cutJSONItems([]byte(tc.doc), 2)); got != tc.want {
				t.Errorf("cutJSONItems(%s, 2)\n got %s\nwant %s", tc.doc, got, tc.want)
			}
		})
	}
}

// TestParseJSONBoundsItems: a JSON Feed of many tiny items costs about its
// size, not its item count times gofeed's item (a 15 MiB feed of a million
// items took a gigabyte), and still gives its first DefaultMaxItems items.
func TestParseJSONBoundsItems(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"version":"https://jsonfeed.org/version/1.1","title":["list"],"items":[`)
	const n = 100_000
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"%d","title":"%d"}`, i, i)
	}
	b.WriteString(`]}`)
	doc := []byte(b.String())
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := Parse(doc, "", testFeedURL, "src", testNow)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Articles) != DefaultMaxItems || res.Articles[0].Title != "0" || res.Articles[DefaultMaxItems-1].Title != fmt.Sprint(DefaultMaxItems-1) {
		t.Errorf("got %d articles, want the first %d", len(res.Articles), DefaultMaxItems)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 10*uint64(len(doc)) {
		t.Errorf("parsing %d bytes of %d items allocated %d bytes, want at most %d", len(doc), n, alloc, 10*len(doc))
	}
}

// TestParseJSONDeepValue: a value nested past what encoding/json reads
// (10,000 levels) costs that value, not the feed, and a document cut
// inside one is still refused.
func TestParseJSONDeepValue(t *testing.T) {
	deep := strings.Repeat(`[{"a":`, 6000) + `1` + strings.Repeat(`}]`, 6000)
	for _, tc := range []struct {
		name, doc string
		want      []string
	}{
		{"extension", jsonFeedDoc(`"_ext":`+deep+`,`, ""), []string{"First", "Third"}},
		{"tags", jsonFeedDoc("", `{"id":"2","url":"https://news.example/2","title":"Second","tags":`+deep+`,"_x":"]\\\"["}`), []string{"First", "Second", "Third"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Parse([]byte(tc.doc), "", testFeedURL, "src", testNow)
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for _, a := range res.Articles {
				titles = append(titles, a.Title)
				if len(a.Categories) != 0 && a.Title != "First" {
					t.Errorf("%s: categories %q", a.Title, a.Categories)
				}
			}
			if !slices.Equal(titles, tc.want) {
				t.Errorf("titles %q, want %q", titles, tc.want)
			}
		})
	}
	if _, err := Parse([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","x":`+strings.Repeat("[", 20000)), "", testFeedURL, "src", testNow); err == nil {
		t.Error("a document cut inside a deep value was read")
	}
}
