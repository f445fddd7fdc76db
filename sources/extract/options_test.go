package extract

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestExtractRemoveOption(t *testing.T) {
	body := strings.Replace(storyBody, "</h1>", `</h1><div class="fact-box"><p>Flood facts: the river crested at 21.4 feet, two feet short of the 1997 record.</p></div>`, 1)
	r := extractBytes(t, page("", body))
	if !strings.Contains(r.Content, "Flood facts") {
		t.Fatalf("without Remove the fact box should stay:\n%s", r.Content)
	}
	res, err := Extract(page("", body), storyURL, Options{Remove: []string{".fact-box", "#nothing-matches"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Content, "Flood facts") {
		t.Errorf("Remove .fact-box left it in Content:\n%s", res.Content)
	}
	if !strings.Contains(res.Content, "The river rose four feet overnight") {
		t.Errorf("Remove dropped the story:\n%s", res.Content)
	}
}

func TestExtractErrors(t *testing.T) {
	tests := []struct {
		name      string
		body      []byte
		url       string
		opts      Options
		noContent bool
		msg       string
	}{
		{name: "relative page URL", body: page("", storyBody), url: "/2024/05/story", msg: "not an absolute http(s) or local file URL"},
		{name: "file URL of another host", body: page("", storyBody), url: "file://fileserver/srv/story.html", msg: "not an absolute http(s) or local file URL"},
		{name: "relative file URL", body: page("", storyBody), url: "file:story.html", msg: "not an absolute http(s) or local file URL"},
		{name: "unparsable page URL", body: page("", storyBody), url: "http://[::1", msg: "page url"},
		{name: "ftp page URL", body: page("", storyBody), url: "ftp://news.example/x", msg: "not an absolute http(s) or local file URL"},
		{name: "invalid selector", body: page("", storyBody), url: storyURL, opts: Options{Remove: []string{"div[class="}}, msg: `remove selector "div[class="`},
		{name: "empty page", body: []byte(" \n "), url: storyURL, noContent: true},
		{name: "page without text", body: page(`<meta property="og:title" content="Gallery">`, `<nav><a href="/">Home</a></nav><div class="gallery"><img src="/a.jpg"></div>`), url: storyURL, noContent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(tt.body, tt.url, tt.opts)
			if err == nil {
				t.Fatalf("Extract succeeded: %+v", res)
			}
			if tt.noContent != errors.Is(err, ErrNoContent) {
				t.Errorf("errors.Is(%v, ErrNoContent) = %v, want %v", err, !tt.noContent, tt.noContent)
			}
			if !strings.HasPrefix(err.Error(), "extract: ") || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not name the operation and %q", err, tt.msg)
			}
		})
	}
	// The metadata of a page without text is still returned.
	res, err := Extract(page(`<meta property="og:title" content="Gallery">`, `<div><img src="/a.jpg"></div>`), storyURL, Options{})
	if !errors.Is(err, ErrNoContent) || res.Title != "Gallery" || res.Content != "" {
		t.Errorf("Extract = %+v, %v; want the title and ErrNoContent", res, err)
	}
}

// TestCharset decodes pages in the charset they declare.
func TestCharset(t *testing.T) {
	// windows-1252: “ ” é ’
	latin := []byte("<html><head><meta charset=\"windows-1252\"><title>x</title><meta property=\"og:title\" content=\"Caf\xe9 society\"></head><body>" +
		storyBody[:len(storyBody)-len("</article>")] + "<p>\x93Nobody expected the water to come this far,\x94 said the owner of the caf\xe9 on Mill Street, who\x92s lived there since 1971.</p></article></body></html>")
	tests := []struct {
		name        string
		body        []byte
		contentType string
	}{
		{"meta charset", latin, ""},
		{"content type header", []byte(strings.Replace(string(latin), `<meta charset="windows-1252">`, "", 1)), "text/html; charset=windows-1252"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(tt.body, storyURL, Options{ContentType: tt.contentType})
			if err != nil {
				t.Fatal(err)
			}
			if res.Title != "Café society" {
				t.Errorf("Title = %q", res.Title)
			}
			if !strings.Contains(res.Content, "“Nobody expected the water to come this far,” said the owner of the café on Mill Street, who’s lived") {
				t.Errorf("Content not decoded:\n%s", res.Content)
			}
		})
	}
}

// TestCallToActionOnlyAtEnd strips a call to action closing the story but
// keeps the same words quoted in its middle.
func TestCallToActionOnlyAtEnd(t *testing.T) {
	quote := "The mayor told residents to follow us on the county radio channel for updates, and to stay off the roads until the water recedes completely."
	body := strings.Replace(storyBody, "</h1>", "</h1><p>"+quote+"</p>", 1)
	body = strings.Replace(body, "</article>", "<p>Don't forget to like and share this story with your neighbors!</p></article>", 1)
	r := extractBytes(t, page("", body))
	if !strings.Contains(r.Content, "follow us on the county radio channel") {
		t.Errorf("a quote in the story was taken for a call to action:\n%s", r.Content)
	}
	if strings.Contains(r.Content, "like and share this story") {
		t.Errorf("the closing call to action is still there:\n%s", r.Content)
	}
}

// TestContentSanitized: scripts, event handlers and javascript: links never
// reach Content; relative links are made absolute.
func TestContentSanitized(t *testing.T) {
	body := strings.Replace(storyBody, "</article>", `<p onclick="steal()">Read the <a href="/reports/flood.pdf">county report</a> or <a href="javascript:alert(1)">this</a>.<script>alert(1)</script><img src=x onerror="alert(2)"></p></article>`, 1)
	r := extractBytes(t, page("", body))
	for _, bad := range []string{"<script", "onclick", "onerror", "javascript:", "alert("} {
		if strings.Contains(r.Content, bad) {
			t.Errorf("Content holds %q:\n%s", bad, r.Content)
		}
	}
	if !strings.Contains(r.Content, `href="https://news.example/reports/flood.pdf"`) {
		t.Errorf("relative link not made absolute:\n%s", r.Content)
	}
}

func FuzzExtract(f *testing.F) {
	for _, p := range testPages() {
		f.Add(readTestdata(f, p.file))
	}
	f.Add(page("", storyBody))
	f.Add(ldPage(`{"@graph":[{"@type":"NewsArticle","author":{"@id":"#a"},"image":[{"@id":"#i"}]},{"@id":"#a","name":"A"},{"@id":"#i","url":"/i.jpg"}]}`))
	f.Add([]byte(`<figure><img src="javascript:alert(1)"><figcaption>(Photo by <script>x</script>)</figcaption></figure>`))
	f.Add([]byte("<p>\xff\xfe<scr<script>ipt>alert(1)</script></p>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := Extract(body, storyURL, Options{})
		// The only other failure a page can cause: nesting deeper than the
		// HTML parser accepts.
		if err != nil && !errors.Is(err, ErrNoContent) && !strings.HasPrefix(err.Error(), "extract: parse page: ") {
			t.Fatalf("Extract: unexpected error %v", err)
		}
		assertSanitized(t, res.Content)
		if res.Image != nil && res.Image.URL != "" && !isURL(res.Image.URL) {
			t.Fatalf("Image.URL %q is not an absolute http(s) URL", res.Image.URL)
		}
		for _, a := range res.Authors {
			if a.Name == "" {
				t.Fatalf("author without a name: %+v", a)
			}
		}
	})
}

// assertSanitized fails when content holds an active element, an event
// handler or a javascript: URL.
func assertSanitized(t *testing.T, content string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(content))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "style", "iframe", "object", "embed", "form", "input":
				t.Fatalf("Content holds <%s>:\n%s", tok.Data, content)
			}
			for _, a := range tok.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(a.Key, "on") || strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") && a.Key != "alt" {
					t.Fatalf("Content holds %s=%q:\n%s", a.Key, a.Val, content)
				}
			}
		}
	}
}

func BenchmarkExtract(b *testing.B) {
	body := readTestdata(b, "wordpress.html")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Extract(body, wordpressURL, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
