package feeds

import (
	"encoding/xml"
	"html"
	"testing"
	"time"
)

// rssPresence is what encoding/xml sees of each item: a nil pointer is an
// element that is absent, an empty string one written empty. gofeed cannot
// tell the two apart.
type rssPresence struct {
	Channel struct {
		Items []struct {
			Title       *string `xml:"title"`
			Description *string `xml:"description"`
		} `xml:"item"`
	} `xml:"channel"`
}

// checkRSSItemRule checks RSS 2.0's rule on every item of b: a title or a
// description, and neither element written empty.
func checkRSSItemRule(t *testing.T, b []byte) rssPresence {
	t.Helper()
	var doc rssPresence
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("decode rss: %v\n%s", err, b)
	}
	for i, it := range doc.Channel.Items {
		if it.Title != nil && *it.Title == "" {
			t.Errorf("item %d: empty <title> written\n%s", i, b)
		}
		if it.Description != nil && *it.Description == "" {
			t.Errorf("item %d: empty <description> written\n%s", i, b)
		}
		if it.Title == nil && it.Description == nil {
			t.Errorf("item %d has neither <title> nor <description>\n%s", i, b)
		}
	}
	return doc
}

func TestRenderRSSEmptyTitleOrDescription(t *testing.T) {
	when := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		art       Article
		wantTitle string // "" means no <title> element
		// wantDesc is the description as a reader shows it (HTML
		// unescaped); "" means no <description> element.
		wantDesc string
	}{
		{
			name:      "title and summary",
			art:       Article{ID: "a", Title: "A title", Summary: "<p>A summary.</p>", Link: "https://site.example/a"},
			wantTitle: "A title", wantDesc: "<p>A summary.</p>",
		},
		{
			name:      "title only",
			art:       Article{ID: "b", Title: "Just a title", Link: "https://site.example/b"},
			wantTitle: "Just a title",
		},
		{
			name:     "summary only",
			art:      Article{ID: "c", Summary: "A summary, no title.", Link: "https://site.example/c"},
			wantDesc: "A summary, no title.",
		},
		{
			name:     "content only",
			art:      Article{ID: "d", Content: "<p>Body, no title.</p>"},
			wantDesc: "<p>Body, no title.</p>",
		},
		{
			name:     "blank title and summary",
			art:      Article{ID: "e", Title: " \t", Summary: "\n ", Link: "https://site.example/e"},
			wantDesc: "https://site.example/e",
		},
		{
			name:     "link only",
			art:      Article{Link: "https://site.example/page?x=1&y=<2>"},
			wantDesc: "https://site.example/page?x=1&y=<2>",
		},
		{
			name:     "podcast enclosure only",
			art:      Article{ID: "ep12", Enclosures: []Enclosure{{URL: "https://cdn.example/shows/Episode%2012.mp3?token=x", Length: 99}}},
			wantDesc: "Episode 12.mp3",
		},
		{
			name:     "image only",
			art:      Article{ID: "img", Image: &Image{URL: "https://cdn.example/photos/dusk.jpg"}},
			wantDesc: "dusk.jpg",
		},
		{
			name:     "enclosure without a path",
			art:      Article{ID: "host", Enclosures: []Enclosure{{URL: "https://cdn.example"}}},
			wantDesc: "https://cdn.example",
		},
		{
			name:     "guid only",
			art:      Article{ID: "tag:site.example,2024:9"},
			wantDesc: "tag:site.example,2024:9",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.art.Source = "src"
			tc.art.Published = when
			b := render(t, Feed{Title: "T", Link: "https://site.example/", Items: []Article{tc.art}}, RSS)

			doc := checkRSSItemRule(t, b)
			if n := len(doc.Channel.Items); n != 1 {
				t.Fatalf("%d items, want 1\n%s", n, b)
			}
			raw := doc.Channel.Items[0]
			if (raw.Title != nil) != (tc.wantTitle != "") {
				t.Errorf("<title> present = %v, want %v\n%s", raw.Title != nil, tc.wantTitle != "", b)
			}
			if (raw.Description != nil) != (tc.wantDesc != "") {
				t.Errorf("<description> present = %v, want %v\n%s", raw.Description != nil, tc.wantDesc != "", b)
			}

			f := parseGofeed(t, b)
			checkEqual(t, "feed type", f.FeedType, "rss")
			if len(f.Items) != 1 {
				t.Fatalf("gofeed: %d items, want 1", len(f.Items))
			}
			gi := f.Items[0]
			checkEqual(t, "title", gi.Title, tc.wantTitle)
			checkEqual(t, "description", html.UnescapeString(gi.Description), tc.wantDesc)
		})
	}
}

// TestRenderRSSItemRuleRich checks the rule on the full fixture, whose
// items all have a title.
func TestRenderRSSItemRuleRich(t *testing.T) {
	doc := checkRSSItemRule(t, render(t, richFeed(), RSS))
	if len(doc.Channel.Items) != len(richArticles()) {
		t.Fatalf("%d items, want %d", len(doc.Channel.Items), len(richArticles()))
	}
}
