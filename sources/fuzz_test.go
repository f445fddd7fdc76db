package sources

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tributary/tributary/feeds"
)

// FuzzParse feeds arbitrary bytes to Parse: it must not panic, and any
// article it returns must have an id, valid UTF-8 text and no implausible
// dates.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	// The hostile feeds of robustness_test.go are seeds too.
	hostile, err := filepath.Glob(filepath.Join("testdata", "hostile", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range append(files, hostile...) {
		if st, err := os.Stat(name); err != nil || st.IsDir() || strings.HasSuffix(name, ".html") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "")
	}
	f.Add([]byte(`<rss><channel><item><title>x`), "text/xml; charset=koi8-r")
	// JSON Feeds with fields of the wrong type (jsonrepair.go).
	for _, doc := range []string{
		jsonFeedDoc("", `{"id":2,"url":"https://news.example/2","title":2026,"tags":"news","authors":{"name":"Ann"}}`),
		jsonFeedDoc(`"author":"Ed","authors":[null,7],"icon":1.5e3,`, `null,"x",{"attachments":{"url":"https://news.example/a.mp3","size_in_bytes":"12"}}`),
		`{"version":"https://jsonfeed.org/version/1","Items":{"Title":[1],"Attachments":[null,{"URL":2}]}}`,
		`{"version":1,"items":[{"date_published":20240101,"content_html":{"x":1},"author":[{"name":"A"}]}]}`,
	} {
		f.Add([]byte(doc), "application/feed+json")
	}
	f.Fuzz(func(t *testing.T, data []byte, contentType string) {
		res, err := Parse(data, contentType, testFeedURL, "fuzz", testNow)
		if err != nil {
			// A field of the wrong type costs that field, never the feed.
			if strings.Contains(err.Error(), "cannot unmarshal") {
				t.Fatalf("JSON not repaired: %v", err)
			}
			return
		}
		for _, a := range res.Articles {
			if a.ID == "" {
				t.Fatalf("article without id: %+v", a)
			}
			for _, s := range []string{a.Title, a.Summary, a.Content, a.Link} {
				if !utf8.ValidString(s) {
					t.Fatalf("invalid UTF-8 in %q", s)
				}
			}
			if !a.Published.IsZero() && (a.Published.Year() < 1995 || a.Published.After(testNow.Add(maxFutureSkew))) {
				t.Fatalf("implausible date %v", a.Published)
			}
			if n := utf8.RuneCountInString(a.Title); n > feeds.MaxTitleRunes {
				t.Fatalf("title of %d runes", n)
			}
		}
	})
}

// FuzzRepairJSON: whatever JSON object it is given, repairJSON leaves
// nothing that gofeed rejects for its type, and gofeed reads the result
// without panicking.
func FuzzRepairJSON(f *testing.F) {
	f.Add([]byte(jsonFeedDoc(`"author":"Ed","authors":{"name":1},"title":2,`, `null,"x",{"id":{},"tags":"a","attachments":{"url":3},"authors":[null,"B"]}`)))
	f.Add([]byte(`{"ITEMS":{"Title":[1],"Attachments":[null,{"URL":2,"size_in_bytes":"x"}]},"expired":"yes"}`))
	f.Add([]byte(`{"items":[{"author":[{"name":"A"}],"date_published":20240101,"content_html":{"x":1}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !isJSON(data) || !json.Valid(data) {
			return
		}
		repaired, _ := repairJSON(data)
		if _, err := newGofeed().Parse(bytes.NewReader(repaired)); err != nil && strings.Contains(err.Error(), "cannot unmarshal") {
			t.Fatalf("not repaired: %v\n%s", err, repaired)
		}
	})
}
