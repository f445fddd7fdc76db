package feeds

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

func TestTruncateRunes(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"ééééé", 5, "ééééé"},
		{"ééééééééééé", 5, "éééé…"},
		{"hello world", 7, "hello…"},
	} {
		if got := TruncateRunes(tt.in, tt.n); got != tt.want {
			t.Errorf("TruncateRunes(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestTruncateHTML(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		n        int
		want     string
	}{
		{"fits", "<p>hello</p>", 12, "<p>hello</p>"},
		{"cut inside a text", "<p>hello world</p>", 12, "<p>he…</p>"},
		{"whole words fit", "<p>hello world</p>", 14, "<p>hell…</p>"},
		{"trailing space dropped", "<p>hello world</p>", 16, "<p>hello…</p>"},
		{"references are not split", "<p>a &amp; b &amp; c</p>", 17, "<p>a &amp;…</p>"},
		{"escapes are counted", "<p>&lt;&lt;&lt;&lt;&lt;&lt;</p>", 18, "<p>&lt;&lt;…</p>"},
		{"nested elements closed", "<div><p><b>bold text</b> and more</p></div>", 32, "<div><p><b>bold…</b></p></div>"},
		{"element dropped when its end tag would not fit", "<p>one</p><p>two</p>", 15, "<p>one</p>…"},
		{"closed element stays closed", "<p>one</p><blockquote>two three</blockquote>", 22, "<p>one</p>…"},
		{"void elements need no end tag", `<p>x<br><img src="a.png">yyyyyy</p>`, 34, `<p>x<br><img src="a.png">yy…</p>`},
		{"stray end tag kept", "<p>a</b>bcdefghij</p>", 17, "<p>a</b>bc…</p>"},
		{"end tag closes what it contains", "<div><p>a</div>bcdefghijk", 23, "<div><p>a</div>bcdef…"},
		{"multi-byte characters kept whole", "<p>ééééé</p>", 14, "<p>éé…</p>"},
		{"nothing fits", "<p>hello</p>", 2, "…"},
		{"an implied end tag is not written again", "<p>one<p>two<p>three four five", 24, "<p>one<p>two<p>th…</p>"},
		{"implied end of list items", "<ul><li>one<li>two three four five", 30, "<ul><li>one<li>tw…</li></ul>"},
		{"implied end kept when the next does not fit", "<p>one<p>two three", 13, "<p>one…</p>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := TruncateHTML(tt.in, tt.n)
			if got != tt.want {
				t.Errorf("TruncateHTML(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
			if len(got) > max(tt.n, len(ellipsis)) {
				t.Errorf("TruncateHTML(%q, %d) is %d bytes", tt.in, tt.n, len(got))
			}
		})
	}
}

// TestTruncateHTMLKeepsSanitizedHTMLBalanced cuts a sanitized article at
// every length: each cut fits, is valid UTF-8, closes every element it
// opens and is left as it is by the sanitizer.
func TestTruncateHTMLKeepsSanitizedHTMLBalanced(t *testing.T) {
	doc := SanitizeHTML(`<h2>Title &amp; “quotes”</h2><p>Some <b>bold <i>and italic</i></b> text, a <a href="https://example.com/x?a=1&b=2">link</a>.</p>`+
		`<ul><li>one</li><li>two <code>x &lt; y</code></li></ul><figure><img src="https://example.com/a.jpg" alt="a"><figcaption>Caption é</figcaption></figure>`+
		`<blockquote><p>Quoted<br>text</p></blockquote><table><tr><td>cell</td></tr></table>`, nil)
	for n := len(ellipsis); n <= len(doc); n++ {
		got := TruncateHTML(doc, n)
		if len(got) > n || !utf8.ValidString(got) {
			t.Fatalf("cut at %d: %d bytes, valid UTF-8 %v: %q", n, len(got), utf8.ValidString(got), got)
		}
		if open := unclosed(got); len(open) != 0 {
			t.Fatalf("cut at %d leaves %q open: %q", n, open, got)
		}
		if s := SanitizeHTML(got, nil); s != got {
			t.Fatalf("cut at %d is changed by the sanitizer:\n got %q\nsanitized %q", n, got, s)
		}
	}
}

// unclosed returns the elements of an HTML fragment left open at its end.
func unclosed(s string) []string {
	z := html.NewTokenizer(strings.NewReader(s))
	var open []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			return open
		case html.StartTagToken:
			name, _ := z.TagName()
			if !voidElements[string(name)] {
				open = append(open, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(open) > 0 && open[len(open)-1] == string(name) {
				open = open[:len(open)-1]
			}
		}
	}
}

func TestBound(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	img := &Image{URL: "https://example.com/a.jpg", Caption: long(MaxCaptionRunes + 1), Credit: "AP"}
	authors := []Author{{Name: "Ann", Bio: "Short."}, {Name: "Bob", Bio: long(MaxBioRunes * 2)}}
	a := Article{
		Title:   long(MaxTitleRunes * 3),
		Summary: "<p>" + long(MaxSummaryBytes) + "</p>",
		Content: "<p>" + long(MaxContentBytes) + "</p>",
		Authors: authors,
		Image:   img,
	}
	Bound(&a)
	if n := utf8.RuneCountInString(a.Title); n != MaxTitleRunes {
		t.Errorf("title of %d runes, want %d", n, MaxTitleRunes)
	}
	if n := len(a.Summary); n > MaxSummaryBytes || !strings.HasSuffix(a.Summary, "…</p>") {
		t.Errorf("summary of %d bytes ending %q, want at most %d ending with an ellipsis", n, a.Summary[n-8:], MaxSummaryBytes)
	}
	if n := len(a.Content); n > MaxContentBytes || !strings.HasSuffix(a.Content, "…</p>") {
		t.Errorf("content of %d bytes, want at most %d ending with an ellipsis", n, MaxContentBytes)
	}
	if a.Authors[0].Bio != "Short." || utf8.RuneCountInString(a.Authors[1].Bio) != MaxBioRunes {
		t.Errorf("bios of %d and %d runes", utf8.RuneCountInString(a.Authors[0].Bio), utf8.RuneCountInString(a.Authors[1].Bio))
	}
	if utf8.RuneCountInString(a.Image.Caption) != MaxCaptionRunes || a.Image.Credit != "AP" || a.Image.URL != img.URL {
		t.Errorf("image %+v", a.Image)
	}
	if len(authors[1].Bio) != MaxBioRunes*2 || len(img.Caption) != MaxCaptionRunes+1 {
		t.Error("Bound changed the authors or image it was given instead of copies")
	}

	// Without content, the summary is the body and gets its bound.
	b := Article{Summary: "<p>" + long(MaxContentBytes/2) + "</p>"}
	want := b.Summary
	Bound(&b)
	if b.Summary != want {
		t.Errorf("a summary without content was cut to %d bytes, want %d", len(b.Summary), len(want))
	}
}
