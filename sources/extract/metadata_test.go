package extract

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
)

const storyURL = "https://news.example/2024/05/story"

// storyBody is an article long enough for readability to take it.
const storyBody = `<article><h1>Heading in the page</h1>
<p>The river rose four feet overnight, and by morning the lower town was under water from the bridge to the old mill. Residents who had stayed despite the warnings were taken out by boat.</p>
<p>Emergency crews said the levee held at the north end but gave way near the rail yard, where the embankment had been weakened by a spring washout that was never fully repaired.</p>
<p>The county has opened two shelters, at the high school and the fairgrounds, and asked people not to drive through flooded roads while the water is still moving.</p>
</article>`

// page builds an HTML document from head and body markup.
func page(head, body string) []byte {
	return []byte("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Page title | Site</title>" + head + "</head><body>" + body + "</body></html>")
}

// ldPage builds a page whose only metadata is the given JSON-LD.
func ldPage(jsonld string) []byte {
	return page(`<script type="application/ld+json">`+jsonld+`</script>`, storyBody)
}

func extractBytes(t *testing.T, b []byte) Result {
	t.Helper()
	res, err := Extract(b, storyURL, Options{})
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	return res
}

func TestJSONLDForms(t *testing.T) {
	tests := []struct {
		name   string
		jsonld string
		check  func(t *testing.T, r Result)
	}{
		{
			name:   "author as a string",
			jsonld: `{"@context":"https://schema.org","@type":"NewsArticle","headline":"H","author":"Maria Lopez"}`,
			check:  wantAuthors(feeds.Author{Name: "Maria Lopez"}),
		},
		{
			name:   "author as an array of persons",
			jsonld: `{"@context":"https://schema.org","@type":"Article","headline":"H","author":[{"@type":"Person","name":"Maria Lopez","url":"https://news.example/staff/maria"},{"@type":"Person","name":"Ken Ito"}]}`,
			check:  wantAuthors(feeds.Author{Name: "Maria Lopez", URL: "https://news.example/staff/maria"}, feeds.Author{Name: "Ken Ito"}),
		},
		{
			name:   "author as an @id reference into the graph",
			jsonld: `{"@context":"https://schema.org","@graph":[{"@type":"BlogPosting","headline":"H","author":{"@id":"#maria"}},{"@type":"Person","@id":"#maria","name":"Maria Lopez","description":"Maria writes about rivers and the towns beside them.","image":"/img/maria.png","email":"mailto:maria@news.example"}]}`,
			check: wantAuthors(feeds.Author{Name: "Maria Lopez", Email: "maria@news.example", Avatar: "https://news.example/img/maria.png",
				Bio: "Maria writes about rivers and the towns beside them."}),
		},
		{
			name:   "author as an organization",
			jsonld: `{"@context":"https://schema.org","@type":"NewsArticle","headline":"H","author":{"@type":"Organization","name":"Associated Press"}}`,
			check:  wantAuthors(feeds.Author{Name: "Associated Press"}),
		},
		{
			name:   "top-level array, type as an array",
			jsonld: `[{"@context":"https://schema.org","@type":"WebSite","name":"River News"},{"@context":"https://schema.org","@type":["ReportageNewsArticle","Article"],"headline":"Flood reaches lower town","datePublished":"2024-05-01T06:00:00Z"}]`,
			check: func(t *testing.T, r Result) {
				t.Helper()
				if r.Title != "Flood reaches lower town" || !r.Published.Equal(time.Date(2024, 5, 1, 6, 0, 0, 0, time.UTC)) {
					t.Errorf("Title, Published = %q, %v", r.Title, r.Published)
				}
			},
		},
		{
			name:   "prefixed type, HTML entities in headline",
			jsonld: `{"@context":"http://schema.org","@type":"http://schema.org/BlogPosting","headline":"Rivers &amp; levees"}`,
			check:  wantTitle("Rivers & levees"),
		},
		{
			name:   "WebPage whose mainEntity is the article",
			jsonld: `{"@context":"https://schema.org","@type":"WebPage","mainEntity":{"@type":"NewsArticle","headline":"Main entity headline"}}`,
			check:  wantTitle("Main entity headline"),
		},
		{
			name:   "CDATA wrapper",
			jsonld: `//<![CDATA[` + "\n" + `{"@context":"https://schema.org","@type":"NewsArticle","headline":"Wrapped"}` + "\n//]]>",
			check:  wantTitle("Wrapped"),
		},
		{
			name:   "invalid JSON is skipped, the next block is read",
			jsonld: `{"@type":"NewsArticle","headline":"Broken",}</script><script type="application/ld+json">{"@type":"NewsArticle","headline":"Valid"}`,
			check:  wantTitle("Valid"),
		},
		{
			name:   "image as a string",
			jsonld: `{"@type":"NewsArticle","headline":"H","image":"/img/flood.jpg"}`,
			check:  wantImage(feeds.Image{URL: "https://news.example/img/flood.jpg"}),
		},
		{
			name:   "image as an array of strings",
			jsonld: `{"@type":"NewsArticle","headline":"H","image":["https://cdn.news.example/flood-16x9.jpg","https://cdn.news.example/flood-4x3.jpg"]}`,
			check:  wantImage(feeds.Image{URL: "https://cdn.news.example/flood-16x9.jpg"}),
		},
		{
			name:   "image as an array of ImageObjects with contentUrl",
			jsonld: `{"@type":"NewsArticle","headline":"H","image":[{"@type":"ImageObject","contentUrl":"https://cdn.news.example/flood.jpg","width":"1200px","height":675,"caption":"The lower town under water. (Photo by Ken Ito/River News)"}]}`,
			check:  wantImage(feeds.Image{URL: "https://cdn.news.example/flood.jpg", Width: 1200, Height: 675, Caption: "The lower town under water. (Photo by Ken Ito/River News)", Credit: "Ken Ito/River News"}),
		},
		{
			name:   "image credit from copyrightHolder",
			jsonld: `{"@type":"NewsArticle","headline":"H","image":{"@type":"ImageObject","url":"https://cdn.news.example/flood.jpg","copyrightHolder":{"@type":"Organization","name":"River News"}}}`,
			check:  wantImage(feeds.Image{URL: "https://cdn.news.example/flood.jpg", Credit: "River News"}),
		},
		{
			name:   "keywords as an array, section as a string",
			jsonld: `{"@type":"NewsArticle","headline":"H","keywords":["Floods","Weather","floods"],"articleSection":"Local"}`,
			check: func(t *testing.T, r Result) {
				t.Helper()
				if !slices.Equal(r.Tags, []string{"Floods", "Weather"}) || r.Section != "Local" {
					t.Errorf("Tags, Section = %q, %q", r.Tags, r.Section)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, extractBytes(t, ldPage(tt.jsonld)))
		})
	}
}

func wantTitle(want string) func(*testing.T, Result) {
	return func(t *testing.T, r Result) {
		t.Helper()
		if r.Title != want {
			t.Errorf("Title = %q, want %q", r.Title, want)
		}
	}
}

func wantAuthors(want ...feeds.Author) func(*testing.T, Result) {
	return func(t *testing.T, r Result) {
		t.Helper()
		if !slices.Equal(r.Authors, want) {
			t.Errorf("Authors = %+v\nwant %+v", r.Authors, want)
		}
	}
}

func wantImage(want feeds.Image) func(*testing.T, Result) {
	return func(t *testing.T, r Result) {
		t.Helper()
		if r.Image == nil || *r.Image != want {
			t.Errorf("Image = %+v\nwant %+v", r.Image, want)
		}
	}
}

// TestTrustOrder checks that each field comes from the most trusted source
// that has it, and that weaker sources fill the fields stronger ones lack.
func TestTrustOrder(t *testing.T) {
	head := `<script type="application/ld+json">{"@type":"NewsArticle","headline":"From JSON-LD","datePublished":"2024-05-01T06:00:00Z"}</script>
<meta property="og:title" content="From OpenGraph">
<meta property="article:published_time" content="2020-01-01T00:00:00Z">
<meta property="article:modified_time" content="2024-05-02T07:00:00Z">
<meta property="article:section" content="Weather">
<meta name="twitter:title" content="From Twitter">
<meta name="twitter:image" content="https://cdn.news.example/card.jpg">
<meta name="twitter:image:alt" content="Sandbags along Main Street. Credit: County Emergency Services">
<meta name="twitter:creator" content="@maria_l">`
	r := extractBytes(t, page(head, storyBody))
	if r.Title != "From JSON-LD" {
		t.Errorf("Title = %q, want the JSON-LD headline", r.Title)
	}
	if !r.Published.Equal(time.Date(2024, 5, 1, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("Published = %v, want the JSON-LD date", r.Published)
	}
	if !r.Updated.Equal(time.Date(2024, 5, 2, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("Updated = %v, want article:modified_time", r.Updated)
	}
	if r.Section != "Weather" {
		t.Errorf("Section = %q, want article:section", r.Section)
	}
	want := feeds.Image{URL: "https://cdn.news.example/card.jpg", Caption: "Sandbags along Main Street. Credit: County Emergency Services", Credit: "County Emergency Services"}
	if r.Image == nil || *r.Image != want {
		t.Errorf("Image = %+v, want %+v", r.Image, want)
	}
	// A Twitter handle is an author only when nothing names one.
	if !slices.Equal(r.Authors, []feeds.Author{{Name: "@maria_l", URL: "https://twitter.com/maria_l"}}) {
		t.Errorf("Authors = %+v", r.Authors)
	}

	// A name wins over the handle, which becomes its profile URL.
	r = extractBytes(t, page(head+`<meta name="author" content="Maria Lopez">`, storyBody))
	if !slices.Equal(r.Authors, []feeds.Author{{Name: "Maria Lopez", URL: "https://twitter.com/maria_l"}}) {
		t.Errorf("with meta author: Authors = %+v, want Maria Lopez with the handle's profile", r.Authors)
	}

	// OpenGraph wins over Twitter; og:image:alt is the caption.
	r = extractBytes(t, page(`<meta property="og:title" content="From OpenGraph"><meta name="twitter:title" content="From Twitter">
<meta property="og:image" content="/img/og.jpg"><meta property="og:image:width" content="1280"><meta property="og:image:height" content="720"><meta property="og:image:alt" content="Sandbags along Main Street">
<meta name="twitter:image" content="https://cdn.news.example/card.jpg">`, storyBody))
	if r.Title != "From OpenGraph" {
		t.Errorf("Title = %q, want og:title", r.Title)
	}
	want = feeds.Image{URL: "https://news.example/img/og.jpg", Width: 1280, Height: 720, Caption: "Sandbags along Main Street"}
	if r.Image == nil || *r.Image != want {
		t.Errorf("Image = %+v, want %+v", r.Image, want)
	}

	// No metadata at all: the first <h1>, the <time datetime>.
	r = extractBytes(t, page("", `<article><h1>Only a heading</h1><time datetime="2024-05-03 10:00:00">May 3</time>`+storyBody[len("<article><h1>Heading in the page</h1>"):]))
	if r.Title != "Only a heading" || !r.Published.Equal(time.Date(2024, 5, 3, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("Title, Published = %q, %v", r.Title, r.Published)
	}
}

// TestMicroformats reads an h-entry with an h-card author: name, profile,
// photo and note, and keeps the card out of the content.
func TestMicroformats(t *testing.T) {
	body := `<article class="h-entry">
<h1 class="p-name">Notes from the flood</h1>
<p>Posted <time class="dt-published" datetime="2024-05-01T08:00:00+02:00">1 May</time></p>
<div class="e-content">` + storyBody[len("<article><h1>Heading in the page</h1>"):len(storyBody)-len("</article>")] + `</div>
<a class="p-category" href="/tags/floods">floods</a>
<div class="p-author h-card"><img class="u-photo" src="/me.jpg" alt=""><a class="p-name u-url" href="/about">Sam Rivera</a>
<p class="p-note">Sam keeps a weather station on the roof and a canoe in the garage.</p></div>
</article>`
	r := extractBytes(t, page("", body))
	want := []feeds.Author{{Name: "Sam Rivera", URL: "https://news.example/about", Avatar: "https://news.example/me.jpg", Bio: "Sam keeps a weather station on the roof and a canoe in the garage."}}
	if !slices.Equal(r.Authors, want) {
		t.Errorf("Authors = %+v\nwant %+v", r.Authors, want)
	}
	if r.Title != "Notes from the flood" {
		t.Errorf("Title = %q", r.Title)
	}
	if !r.Published.Equal(time.Date(2024, 5, 1, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("Published = %v", r.Published)
	}
	if !slices.Equal(r.Tags, []string{"floods"}) {
		t.Errorf("Tags = %q", r.Tags)
	}
	if strings.Contains(r.Content, "weather station") || strings.Contains(r.Content, "Sam Rivera") {
		t.Errorf("the h-card is in Content:\n%s", r.Content)
	}
}

// TestAuthorBoxForms reads bios from the usual author box markups.
func TestAuthorBoxForms(t *testing.T) {
	bio := "Maria Lopez has covered the river towns for the News since 2009."
	tests := []struct{ name, box string }{
		{"about heading", `<h3>About the author</h3><p>` + bio + `</p>`},
		{"bold label paragraph", `<p><strong>About the Author:</strong></p><p>` + bio + `</p>`},
		{"about name heading", `<h4>About Maria Lopez</h4><p>` + bio + `</p>`},
		{"about first name heading", `<h4>About Maria</h4><p>` + bio + `</p>`},
		{"author-bio class", `<div class="author-bio"><img src="/staff/maria.jpg" alt="Maria Lopez" class="avatar"><span class="author-name">Maria Lopez</span><p>` + bio + `</p><ul class="author-social"><li><a href="https://twitter.com/m">Twitter</a></li></ul></div>`},
		{"saboxplugin", `<div class="saboxplugin-wrap"><div class="saboxplugin-gravatar"><img src="/staff/maria.jpg"></div><div class="saboxplugin-authorname"><a href="/author/maria/">Maria Lopez</a></div><div class="saboxplugin-desc"><p>` + bio + `</p></div></div>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Replace(storyBody, "</article>", tt.box+"</article>", 1)
			r := extractBytes(t, page(`<meta name="author" content="Maria Lopez">`, body))
			a := r.Authors
			if len(a) != 1 || a[0].Name != "Maria Lopez" || a[0].Bio != bio {
				t.Fatalf("Authors = %+v", a)
			}
			if strings.Contains(r.Content, "covered the river towns") || strings.Contains(strings.ToLower(r.Content), "about ") {
				t.Errorf("author box left in Content:\n%s", r.Content)
			}
			if strings.Contains(tt.box, "maria.jpg") && a[0].Avatar != "https://news.example/staff/maria.jpg" {
				t.Errorf("Avatar = %q", a[0].Avatar)
			}
		})
	}
}

// TestAboutHeadingInStory keeps an "About <place>" section of a story: only
// a known author's name makes such a heading an author box.
func TestAboutHeadingInStory(t *testing.T) {
	body := strings.Replace(storyBody, "</article>", `<h3>About Millbrook</h3><p>Millbrook is a town of 4,000 people on the east bank, founded around a grist mill in 1790.</p></article>`, 1)
	r := extractBytes(t, page(`<meta name="author" content="Maria Lopez">`, body))
	if !strings.Contains(r.Content, "Millbrook is a town of 4,000 people") {
		t.Errorf("the story's own section was removed:\n%s", r.Content)
	}
	if r.Authors[0].Bio != "" {
		t.Errorf("Bio = %q, want none", r.Authors[0].Bio)
	}
}

func TestBylineForms(t *testing.T) {
	tests := []struct {
		name, byline string
		want         []feeds.Author
	}{
		{"rel author link", `<span class="byline">By <a rel="author" href="/authors/jane">Jane Doe</a></span>`, []feeds.Author{{Name: "Jane Doe", URL: "https://news.example/authors/jane"}}},
		{"two authors in text", `<div class="byline">By Jane Doe and John Smith, Staff Writers</div>`, []feeds.Author{{Name: "Jane Doe"}, {Name: "John Smith"}}},
		{"itemprop author", `<div itemprop="author" itemscope itemtype="https://schema.org/Person">Written by <a itemprop="url" href="/p/jane"><span itemprop="name">Jane Doe</span></a></div>`, []feeds.Author{{Name: "Jane Doe", URL: "https://news.example/p/jane"}}},
		{"byline with date", `<p class="by-author">By Jane Doe | May 1, 2024</p>`, []feeds.Author{{Name: "Jane Doe"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Replace(storyBody, "</h1>", "</h1>"+tt.byline, 1)
			r := extractBytes(t, page("", body))
			if !slices.Equal(r.Authors, tt.want) {
				t.Errorf("Authors = %+v\nwant %+v", r.Authors, tt.want)
			}
			if strings.Contains(r.Content, "Jane Doe") {
				t.Errorf("byline left in Content:\n%s", r.Content)
			}
		})
	}
}
