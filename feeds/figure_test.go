package feeds

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/tributary/tributary/internal/xmlcheck"
)

// jsonContents renders f as JSON Feed and returns each item's
// content_html, as a reader of JSON Feed sees it.
func jsonContents(t *testing.T, f Feed) []string {
	t.Helper()
	var jf struct {
		Items []struct {
			ContentHTML string `json:"content_html"`
		} `json:"items"`
	}
	if err := json.Unmarshal(render(t, f, JSON), &jf); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(jf.Items))
	for i, it := range jf.Items {
		out[i] = it.ContentHTML
	}
	return out
}

// TestLeadFigure: with LeadImage, an item whose content (or summary) does
// not show its lead image gets it at the top as a figure with its caption
// and credit, escaped; one that shows it, in any size, is left alone.
func TestLeadFigure(t *testing.T) {
	const photo = "https://cdn.example/2024/03/berlin-march.jpg"
	tests := []struct {
		name    string
		a       Article
		want    string // the content_html; "" for the item's own
		wantOwn bool
	}{
		{"content without the image",
			Article{Content: "<p>Story.</p>", Image: &Image{URL: photo, Caption: "Crowds on a square", Credit: "Jane Doe"}},
			`<figure><img src="` + photo + `" alt="Crowds on a square"><figcaption>Crowds on a square <small>Jane Doe</small></figcaption></figure><p>Story.</p>`, false},
		{"a caption that names its credit shows it once",
			Article{Content: "<p>Story.</p>", Image: &Image{URL: photo, Caption: "Image from FBI", Credit: "FBI"}},
			`<figure><img src="` + photo + `" alt="Image from FBI"><figcaption>Image from FBI</figcaption></figure><p>Story.</p>`, false},
		{"credit only",
			Article{Content: "<p>Story.</p>", Image: &Image{URL: photo, Credit: "AP"}},
			`<figure><img src="` + photo + `" alt=""><figcaption><small>AP</small></figcaption></figure><p>Story.</p>`, false},
		{"no caption",
			Article{Content: "<p>Story.</p>", Image: &Image{URL: photo}},
			`<figure><img src="` + photo + `" alt=""></figure><p>Story.</p>`, false},
		{"summary only",
			Article{Summary: "<p>Teaser.</p>", Image: &Image{URL: photo}},
			`<figure><img src="` + photo + `" alt=""></figure><p>Teaser.</p>`, false},
		{"escaped",
			Article{Content: "<p>Story.</p>", Image: &Image{URL: `https://cdn.example/a.jpg?x=1&y="2"`, Caption: `<script>alert(1)</script> "quoted" & more`, Credit: "<b>AP</b>"}},
			`<figure><img src="https://cdn.example/a.jpg?x=1&amp;y=&#34;2&#34;" alt="&lt;script&gt;alert(1)&lt;/script&gt; &#34;quoted&#34; &amp; more"><figcaption>&lt;script&gt;alert(1)&lt;/script&gt; &#34;quoted&#34; &amp; more <small>&lt;b&gt;AP&lt;/b&gt;</small></figcaption></figure><p>Story.</p>`, false},
		{"content shows the image", Article{Content: `<p><img src="` + photo + `"></p>`, Image: &Image{URL: photo}}, "", true},
		{"content shows a resized copy", Article{Content: `<img src="https://img.example/berlin-march-1024x683.jpg">`, Image: &Image{URL: photo}}, "", true},
		// WordPress serves an upload over 2560 px as NAME-scaled.jpg (its og:image)
		// while the story shows NAME-1024x683.jpg; retina copies are NAME@2x.jpg.
		{"lead is WordPress's scaled copy", Article{Content: `<img src="https://cdn.example/2024/03/berlin-march-1024x683.jpg">`, Image: &Image{URL: "https://cdn.example/2024/03/berlin-march-scaled.jpg"}}, "", true},
		{"content shows a retina copy", Article{Content: `<img src="https://cdn.example/2024/03/berlin-march@2x.jpg">`, Image: &Image{URL: photo}}, "", true},
		{"content shows it in a srcset", Article{Content: `<picture><source srcset="https://cdn.example/x.webp 1x, https://cdn.example/berlin-march.webp 2x"><img src="https://cdn.example/other.jpg"></picture>`, Image: &Image{URL: photo}}, "", true},
		{"summary shows the image", Article{Summary: `<img src="` + photo + `">`, Image: &Image{URL: photo}}, "", true},
		{"not an http URL", Article{Content: "<p>Story.</p>", Image: &Image{URL: "javascript:alert(1)//a.jpg"}}, "", true},
		{"no image", Article{Content: "<p>Story.</p>"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.a.Title, tt.a.Link = "T", "https://news.example/a"
			own := jsonContents(t, Feed{Title: "F", Items: []Article{tt.a}})[0]
			got := jsonContents(t, Feed{Title: "F", Items: []Article{tt.a}, LeadImage: true})[0]
			want := tt.want
			if tt.wantOwn {
				want = own
			}
			if got != want {
				t.Errorf("content_html\n got %s\nwant %s", got, want)
			}
		})
	}
	// Off by default in the package: the publisher sets it from config.
	a := Article{Title: "T", Content: "<p>Story.</p>", Image: &Image{URL: photo}}
	if got := jsonContents(t, Feed{Items: []Article{a}})[0]; got != "<p>Story.</p>" {
		t.Errorf("without LeadImage: %s", got)
	}
}

// TestLeadFigureKeepsIDs: the figure does not move an item's id, which
// for an item without guid or link is a hash of its content.
func TestLeadFigureKeepsIDs(t *testing.T) {
	a := Article{Source: "notes", Title: "No link", Content: "<p>Story.</p>", Image: &Image{URL: "https://cdn.example/a.jpg"}}
	ids := func(lead bool) string {
		var jf struct {
			Items []struct{ ID string } `json:"items"`
		}
		if err := json.Unmarshal(render(t, Feed{Items: []Article{a}, LeadImage: lead}, JSON), &jf); err != nil {
			t.Fatal(err)
		}
		return jf.Items[0].ID
	}
	if on, off := ids(true), ids(false); on != off {
		t.Errorf("id %q with the figure, %q without", on, off)
	}
}

// figureFeed is the rich fixture with lead figures, a hostile caption
// among them.
func figureFeed() Feed {
	f := richFeed()
	f.LeadImage = true
	f.Items = append(f.Items, Article{
		ID: "hostile", Title: "Hostile caption", Link: "https://h.example/1", Summary: "<p>Teaser.</p>",
		Image: &Image{URL: "https://h.example/p.jpg?a=1&b=]]>", Caption: "]]> <script>alert(1)</script> \x01 & “quotes”", Credit: "Photo: <AP>"},
	})
	return f
}

// TestLeadFigureValid: the renderings with figures stay valid Atom (jing)
// and feedparser reads the figure in RSS and Atom content.
func TestLeadFigureValid(t *testing.T) {
	t.Parallel()
	jing, schema := atomValidator(t)
	if out, err := exec.Command(jing, "-c", schema, writeTemp(t, "figure.atom", render(t, figureFeed(), Atom))).CombinedOutput(); err != nil {
		t.Errorf("jing rejects the Atom rendering with figures: %v\n%s", err, out)
	}
	py := xmlcheck.FeedparserPython(t)
	for _, format := range []Format{RSS, Atom} {
		r := feedparse(t, py, render(t, figureFeed(), format), format)
		if r.Bozo {
			t.Fatalf("%s: feedparser finds the rendering malformed: %s", format, r.BozoException)
		}
		entries := r.Entries
		first, hostile := strings.Join(entries[0].Content, ""), strings.Join(entries[len(entries)-1].Content, "")
		if !strings.HasPrefix(first, `<figure><img alt="The old town at dusk" src="https://cdn.site-a.example/zurich.jpg" />`) ||
			!strings.Contains(first, "<figcaption>The old town at dusk <small>Photo: Reuters</small></figcaption></figure><p>Full text") {
			t.Errorf("%s: first entry's content %q", format, first)
		}
		if !strings.Contains(hostile, "<figcaption>]]&gt; &lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(hostile, "<script") {
			t.Errorf("%s: hostile entry's content %q", format, hostile)
		}
	}
}
