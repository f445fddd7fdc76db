package feeds

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzRender puts arbitrary strings in every field of an article and of the
// feed: every format must render without error, the XML formats must be
// well-formed (encoding/xml reads them to EOF in strict mode, which rejects
// characters XML forbids) and the JSON must be valid.
func FuzzRender(f *testing.F) {
	f.Add("Title & <b>", "https://a.example/x", "id-1", "<p>sum</p>", "<p>a]]>b</p>", "Jane", "cat", "https://a.example/i.jpg", "caption")
	f.Add("\x00\x01\x1b", "javascript:alert(1)", "", "]]>", "<![CDATA[x]]>", "\uFFFE", "\xff\xfe", "", "\x7f")
	f.Add("", "", "", "", "", "", "", "", "")
	f.Add("ünï ☃ 𝄞", "//x", "urn:x", "&amp;&lt;", "</content:encoded><script>", "a@b.c", " ", "x y", "\r\n\t")
	f.Fuzz(func(t *testing.T, title, link, id, summary, content, author, category, imageURL, caption string) {
		feed := Feed{
			ID: id, Title: title, Description: summary, Link: link, SelfURL: imageURL, Generator: author,
			Items: []Article{
				{
					ID: id, Source: author, Origin: link, Title: title, Link: link,
					Summary: summary, Content: content,
					Authors:    []Author{{Name: author, Email: category, URL: link, Avatar: imageURL, Bio: caption}, {Email: author}},
					Image:      &Image{URL: imageURL, Caption: caption, Credit: author, Type: category, Width: 1, Height: 1},
					Enclosures: []Enclosure{{URL: link, Type: category}, {URL: imageURL}},
					Categories: Terms(category, title, category),
					Published:  time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
				},
				{Title: content, Link: imageURL, Summary: title, FetchedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", -7200))},
				{},
			},
		}
		for _, format := range AllFormats() {
			b, err := Render(feed, format)
			if err != nil {
				t.Fatalf("Render(%s): %v", format, err)
			}
			switch format {
			case JSON:
				if !json.Valid(b) {
					t.Fatalf("invalid JSON:\n%s", b)
				}
			default:
				if err := wellFormedXML(b); err != nil {
					t.Fatalf("%s is not well-formed: %v\n%s", format, err, b)
				}
			}
		}
		// Combining arbitrary articles never panics and keeps at most one
		// copy of a story.
		if got := Combine(append(feed.Items, feed.Items...), 0); len(got) > len(feed.Items) {
			t.Fatalf("Combine kept %d of %d distinct articles", len(got), len(feed.Items))
		}
	})
}
