package extract

import (
	"strings"
	"testing"
)

// TestBaseHref resolves the page's relative URLs against its <base href>,
// itself relative to the page URL.
func TestBaseHref(t *testing.T) {
	head := `<base href="/"><meta property="og:image" content="assets/photos/lead.jpg">` +
		`<link rel="canonical" href="2024/05/story"><script type="application/ld+json">` +
		`{"@type":"NewsArticle","author":{"@type":"Person","name":"Jane Doe","url":"authors/jane-doe","image":"assets/staff/jane.jpg"}}</script>`
	body := strings.Replace(storyBody, "</h1>", `</h1><p>The full <a href="reports/flood.pdf">report</a> is online.</p><figure><img src="assets/photos/levee.jpg" alt="The levee"></figure>`, 1)
	res := extractBytes(t, page(head, body))
	const root = "https://news.example/"
	if img := leadImage(t, res); img.URL != root+"assets/photos/lead.jpg" {
		t.Errorf("Image.URL = %q", img.URL)
	}
	if res.Canonical != root+"2024/05/story" {
		t.Errorf("Canonical = %q", res.Canonical)
	}
	a := onlyAuthor(t, res)
	if a.URL != root+"authors/jane-doe" || a.Avatar != root+"assets/staff/jane.jpg" {
		t.Errorf("author URL, Avatar = %q, %q", a.URL, a.Avatar)
	}
	for _, want := range []string{`href="` + root + `reports/flood.pdf"`, `src="` + root + `assets/photos/levee.jpg"`} {
		if !strings.Contains(res.Content, want) {
			t.Errorf("Content lacks %s:\n%s", want, res.Content)
		}
	}

	// A <base> that is not http(s) is ignored.
	res = extractBytes(t, page(`<base href="javascript:alert(1)//"><meta property="og:image" content="assets/lead.jpg">`, storyBody))
	if img := leadImage(t, res); img.URL != "https://news.example/2024/05/assets/lead.jpg" {
		t.Errorf("with a javascript: base, Image.URL = %q", img.URL)
	}

	// A local page (a local source's) resolves against its file: URL,
	// and its absolute http(s) URLs stay as they are.
	res, err := Extract(page(`<meta property="og:image" content="https://cdn.example/lead.jpg">`, storyBody), "file:///srv/site/story.html", Options{})
	if err != nil {
		t.Fatalf("local page: %v", err)
	}
	if img := leadImage(t, res); img.URL != "https://cdn.example/lead.jpg" {
		t.Errorf("local page: Image.URL = %q", img.URL)
	}
	if !strings.Contains(res.Content, "The river rose four feet overnight") {
		t.Errorf("local page: no story in Content:\n%s", res.Content)
	}
}
