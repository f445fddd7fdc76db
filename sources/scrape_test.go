package sources

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"golang.org/x/text/encoding/charmap"
)

const testPageURL = "https://corp.example.com/press/"

func TestScrapeListing(t *testing.T) {
	page := readFixture(t, "listing.html")
	launch := feeds.Article{
		ID:        "https://corp.example.com/press/2024/launch",
		Origin:    testPageURL,
		Title:     "Product launch",
		Link:      "https://corp.example.com/press/2024/launch",
		Summary:   `<p>We <b>launched</b> a thing. <a href="https://corp.example.com/press/details">Details</a></p>`,
		Image:     &feeds.Image{URL: "https://corp.example.com/img/launch.jpg", Width: 300, Height: 200},
		Published: date("2024-03-05T00:00:00Z"),
	}
	partner := feeds.Article{
		ID: "https://other.example.org/story", Origin: testPageURL, Title: "Partner story",
		Link: "https://other.example.org/story", Summary: "Partner text", Published: date("2024-03-04T00:00:00Z"),
	}
	noLink := feeds.Article{
		ID: feeds.ContentID("No link here", "January 2, 1980", "Only text", ""), Origin: testPageURL,
		Title: "No link here", Summary: "Only text", // 1980 is not a plausible date
	}
	tests := []struct {
		name string
		sel  Selectors
		want []feeds.Article
	}{
		{
			name: "text selectors and defaults",
			sel:  Selectors{Item: "li.entry", Title: ".headline", Link: ".headline a", Summary: ".teaser", Date: ".date"},
			want: []feeds.Article{launch, partner, noLink},
		},
		{
			name: "attribute selectors",
			sel: Selectors{Item: "ul.news > li", Title: "h2 a", Link: "h2 a@href", Summary: ".teaser",
				Image: "img.thumb@src", Date: "span.date"},
			want: []feeds.Article{
				func() feeds.Article {
					a := launch
					a.Image = &feeds.Image{URL: "https://corp.example.com/img/launch.jpg"}
					return a
				}(),
				partner,
				func() feeds.Article {
					a := noLink
					a.Title = ""
					a.ID = feeds.ContentID("", "January 2, 1980", "Only text", "")
					return a
				}(),
			},
		},
		{
			name: "item is the link",
			sel:  Selectors{Item: "h2.headline a"},
			want: []feeds.Article{
				{ID: launch.Link, Origin: testPageURL, Title: "Product launch", Link: launch.Link},
				{ID: partner.Link, Origin: testPageURL, Title: "Partner story", Link: partner.Link},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Scrape(page, testPageURL, "src", tt.sel, testNow)
			if err != nil {
				t.Fatalf("Scrape: %v", err)
			}
			assertArticles(t, got, tt.want)
		})
	}
}

func TestScrapeCharsetAndBase(t *testing.T) {
	html := `<html><head><meta charset="windows-1252"><base href="https://static.example.net/news/"></head><body>
<article><img src="data:image/gif;base64,R0lGOD" data-src="/lazy.jpg"><h3>Caf` + "\u00e9" + ` “news”</h3><a href="item-1">more</a><time datetime="2024-05-06T07:08:09+02:00">yesterday</time></article>
</body></html>`
	page, err := charmap.Windows1252.NewEncoder().Bytes([]byte(html))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Scrape(page, "https://www.example.net/", "src", Selectors{Item: "article"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	assertArticles(t, got, []feeds.Article{{
		ID: "https://static.example.net/news/item-1", Origin: "https://www.example.net/",
		Title: "Café “news”", Link: "https://static.example.net/news/item-1",
		Image:     &feeds.Image{URL: "https://static.example.net/lazy.jpg"},
		Published: date("2024-05-06T05:08:09Z"),
	}})
}

func TestScrapeSelectorErrors(t *testing.T) {
	page := readFixture(t, "listing.html")
	tests := []struct {
		name string
		sel  Selectors
		want string
	}{
		{"no item", Selectors{}, "item selector is empty"},
		{"bad item", Selectors{Item: "li["}, `selector item "li["`},
		{"bad title", Selectors{Item: "li", Title: "h2:nope(@)"}, `selector title`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Scrape(page, testPageURL, "src", tt.sel, testNow)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestScrapeNoMatches(t *testing.T) {
	// A selector that fits nothing is an error naming it, not an empty
	// page: the source would look fine while publishing nothing.
	got, err := Scrape(readFixture(t, "listing.html"), testPageURL, "src", Selectors{Item: " div.nothing "}, testNow)
	if !errors.Is(err, ErrNoItems) || err.Error() != `page: item selector "div.nothing" matched nothing` || len(got) != 0 {
		t.Fatalf("got %d articles, err %v; want none and ErrNoItems naming the selector", len(got), err)
	}
	// Items that match but give no article (no link, no title) are not
	// that error: the selector fits, the items are empty.
	got, err = Scrape([]byte(`<ul><li></li><li> </li></ul>`), testPageURL, "src", Selectors{Item: "li"}, testNow)
	if err != nil || len(got) != 0 {
		t.Fatalf("empty items: got %d articles, err %v; want none and no error", len(got), err)
	}
}

// TestDocsQuoteNoItemsError keeps the failure the docs show for a page
// whose item selector matches nothing worded as the code words it.
func TestDocsQuoteNoItemsError(t *testing.T) {
	quoted := (&NoItemsError{Selector: "div.post"}).Error()
	for _, doc := range []string{"../docs/configuration.md", "../docs/operations.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), quoted) {
			t.Errorf("%s does not quote %q", doc, quoted)
		}
	}
}

func TestParseDateLenient(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2024-03-05T14:30:00Z", "2024-03-05T14:30:00Z"},
		{"2024-03-05T14:30:00.123+01:00", "2024-03-05T13:30:00.123Z"},
		{"Tue, 05 Mar 2024 14:30:00 GMT", "2024-03-05T14:30:00Z"},
		{"Tue, 05 Mar 2024 14:30:00 EST", "2024-03-05T19:30:00Z"},
		{"Tue, 05 Mar 2024 14:30:00 CST", "2024-03-05T20:30:00Z"}, // US Central, wherever the server is
		{"Tue, 5 Mar 2024 14:30:00 +0800", "2024-03-05T06:30:00Z"},
		{"Tue, 5 Mar 2024 14:30:00 +0200", "2024-03-05T12:30:00Z"},
		{"2024-03-05", "2024-03-05T00:00:00Z"},
		{"2024/03/05", "2024-03-05T00:00:00Z"},
		{"March 5, 2024", "2024-03-05T00:00:00Z"},
		{"March 5th, 2024", "2024-03-05T00:00:00Z"},
		{"Mar 5, 2024", "2024-03-05T00:00:00Z"},
		{"5 March 2024", "2024-03-05T00:00:00Z"},
		{"Tuesday, March 5, 2024", "2024-03-05T00:00:00Z"},
		{"Published: March 5, 2024 at 3:04 PM", "2024-03-05T15:04:00Z"},
		{"  Posted on   2024-03-05 10:11  ", "2024-03-05T10:11:00Z"},
		{"05.03.2024", "2024-03-05T00:00:00Z"},
		{"1709649000", "2024-03-05T14:30:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseDate(tt.in)
			if !ok {
				t.Fatalf("parseDate(%q) failed", tt.in)
			}
			if g := got.UTC().Format("2006-01-02T15:04:05.999Z07:00"); g != tt.want {
				t.Errorf("parseDate(%q) = %s, want %s", tt.in, g, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "yesterday", "32 Foo 2024", strings.Repeat("9", 200)} {
		if got, ok := parseDate(bad); ok {
			t.Errorf("parseDate(%q) = %v, want failure", bad, got)
		}
	}
}

func TestPlausible(t *testing.T) {
	tests := []struct {
		in   string
		zero bool
	}{
		{"1994-12-31T23:59:59Z", true},
		{"1995-01-01T00:00:00Z", false},
		{"2024-06-02T23:00:00Z", false}, // within 48h of testNow
		{"2024-06-03T00:00:01Z", true},
	}
	for _, tt := range tests {
		if got := plausible(date(tt.in), testNow); got.IsZero() != tt.zero {
			t.Errorf("plausible(%s) = %v, want zero=%v", tt.in, got, tt.zero)
		}
	}
}

// TestScrapeNestedItemsShareThePage scrapes 500 nested items of a 1 MB
// page whose summary selector matches the next item: each summary would
// repeat all the items inside it, 195 MB in all. The summaries stop at
// twice the page's size, and every item keeps its title and link.
func TestScrapeNestedItemsShareThePage(t *testing.T) {
	var b strings.Builder
	b.WriteString("<html><body>")
	for i := range 500 {
		fmt.Fprintf(&b, `<div class="i"><h2>Item %d</h2><a href="/a%d">l</a><p>%s</p>`, i, i, strings.Repeat("word ", 400))
	}
	b.WriteString("</body></html>")
	arts, err := Scrape([]byte(b.String()), testPageURL, "s", Selectors{Item: "div.i", Summary: "div.i"}, time.Now())
	if err != nil || len(arts) != 500 {
		t.Fatalf("Scrape: %d articles, %v", len(arts), err)
	}
	total := 0
	for i, a := range arts {
		total += len(a.Summary)
		if a.Title != fmt.Sprintf("Item %d", i) || a.Link != fmt.Sprintf("https://corp.example.com/a%d", i) {
			t.Fatalf("article %d: %q %q", i, a.Title, a.Link)
		}
	}
	if limit := 2*b.Len() + feeds.MaxContentBytes; total > limit {
		t.Errorf("the summaries hold %d bytes, want at most %d", total, limit)
	}
	if arts[0].Summary == "" {
		t.Error("the first item got no summary")
	}
}
