package feeds

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// loadVectors reads testdata/xss-vectors.txt (format described in it).
func loadVectors(t testing.TB) []string {
	t.Helper()
	f, err := os.Open("testdata/xss-vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vs []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line == "#" || strings.HasPrefix(line, "# ") {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "esc:"); ok {
			line = decodeEscapes(t, rest)
		}
		vs = append(vs, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

func decodeEscapes(t testing.TB, s string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case '\\':
			b.WriteByte('\\')
		case 'x':
			n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				t.Fatalf("bad escape in %q", s)
			}
			b.WriteByte(byte(n))
			i += 2
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// forbiddenElements may run script, load active content, submit or
// redirect, or restyle the page; none may survive sanitizing.
var forbiddenElements = map[string]bool{
	"script": true, "style": true, "iframe": true, "frame": true, "frameset": true,
	"object": true, "embed": true, "applet": true, "param": true, "form": true,
	"input": true, "button": true, "select": true, "textarea": true, "base": true,
	"meta": true, "link": true, "svg": true, "math": true, "noscript": true,
	"template": true, "portal": true, "isindex": true, "bgsound": true, "xml": true,
}

// urlAttributes hold URLs a browser may follow or load.
var urlAttributes = map[string]bool{
	"href": true, "src": true, "srcset": true, "poster": true, "cite": true,
	"longdesc": true, "action": true, "formaction": true, "background": true,
	"data": true, "xlink:href": true, "dynsrc": true, "lowsrc": true, "codebase": true,
}

// dangerousScheme reports whether a browser would run or render v as a
// javascript:, vbscript:, livescript: or data: URL. Browsers ignore leading
// and trailing spaces and controls and remove tabs and newlines anywhere, so
// this does too (the value is already entity-decoded by the parser).
func dangerousScheme(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7F {
			return -1
		}
		return r
	}, strings.ToLower(v))
	for _, s := range []string{"javascript:", "vbscript:", "livescript:", "data:"} {
		if strings.HasPrefix(v, s) {
			return true
		}
	}
	return false
}

// unsafeNodes lists what is unsafe in the HTML fragment s, as a browser
// would parse it inside <body>.
func unsafeNodes(s string) []string {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), body)
	if err != nil {
		return []string{"unparseable: " + err.Error()}
	}
	var bad []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if forbiddenElements[n.Data] || n.Namespace != "" {
				bad = append(bad, "element <"+n.Data+">")
			}
			w, h := -1, -1
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if a.Namespace != "" {
					key = a.Namespace + ":" + key
				}
				switch {
				case strings.HasPrefix(key, "on"):
					bad = append(bad, "event handler "+key)
				case key == "style":
					bad = append(bad, "style attribute")
				case key == "srcset":
					for _, c := range strings.Split(a.Val, ",") {
						if dangerousScheme(c) {
							bad = append(bad, "srcset "+a.Val)
						}
					}
				case urlAttributes[key] && dangerousScheme(a.Val):
					bad = append(bad, key+"="+a.Val)
				case key == "width":
					w = pixels(a.Val)
				case key == "height":
					h = pixels(a.Val)
				}
			}
			if n.Data == "img" && w >= 0 && w <= 1 && h >= 0 && h <= 1 {
				bad = append(bad, "tracking pixel")
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return bad
}

func TestSanitizeXSSVectors(t *testing.T) {
	vectors := loadVectors(t)
	if len(vectors) < 150 {
		t.Fatalf("only %d vectors in testdata/xss-vectors.txt, want at least 150", len(vectors))
	}
	base, _ := url.Parse("https://ok.example/news/")
	for _, b := range []*url.URL{nil, base} {
		for i, v := range vectors {
			t.Run(fmt.Sprintf("base=%v/%d", b != nil, i+1), func(t *testing.T) {
				out := SanitizeHTML(v, b)
				if bad := unsafeNodes(out); len(bad) > 0 {
					t.Errorf("SanitizeHTML(%q)\n= %q\nstill has %v", v, out, bad)
				}
				// Sanitizing is idempotent: the output is a fixed point.
				if again := SanitizeHTML(out, b); again != out {
					t.Errorf("sanitizing twice changes the output:\n%q\n%q", out, again)
				}
			})
		}
	}
}

// TestUnsafeNodesCatchesVectors proves the checker above is not vacuous: on
// the raw vectors it must find something in most of them.
func TestUnsafeNodesCatchesVectors(t *testing.T) {
	vectors := loadVectors(t)
	caught := 0
	for _, v := range vectors {
		if len(unsafeNodes(v)) > 0 {
			caught++
		}
	}
	if caught*10 < len(vectors)*8 {
		t.Errorf("the checker flags only %d of %d raw vectors", caught, len(vectors))
	}
}

func TestSanitizeKeepsSafeMarkup(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<p>Hello <b>bold</b> <a href="https://a.example/x">link</a></p>`, `<p>Hello <b>bold</b> <a href="https://a.example/x">link</a></p>`},
		{`<figure><img src="https://a.example/i.jpg" alt="A" width="640" height="480"><figcaption>Cap</figcaption></figure>`, `<figure><img src="https://a.example/i.jpg" alt="A" width="640" height="480"><figcaption>Cap</figcaption></figure>`},
		{`<a href="mailto:x@a.example">mail</a>`, `<a href="mailto:x@a.example">mail</a>`},
		{`<img src="https://a.example/i.jpg" srcset="https://a.example/i.jpg 1x, https://a.example/i2.jpg 2x">`, `<img src="https://a.example/i.jpg" srcset="https://a.example/i.jpg 1x, https://a.example/i2.jpg 2x">`},
		{`<video src="https://a.example/v.mp4" poster="https://a.example/p.jpg" controls></video>`, `<video src="https://a.example/v.mp4" poster="https://a.example/p.jpg" controls=""></video>`},
		{`<blockquote cite="https://a.example/">q</blockquote>`, `<blockquote cite="https://a.example/">q</blockquote>`},
		{"  ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			checkEqual(t, "SanitizeHTML", SanitizeHTML(tt.in, nil), tt.want)
		})
	}
}

func TestSanitizeUnsafeURLsInExtraAttributes(t *testing.T) {
	// bluemonday checks URLs only in some attributes of some elements;
	// these reach the post-pass.
	tests := []struct{ in, want string }{
		{`<img src="https://a.example/i.jpg" srcset="javascript:alert(1) 2x">`, `<img src="https://a.example/i.jpg">`},
		{`<picture><source srcset="javascript:alert(1)"></picture>`, `<picture></picture>`},
		{`<video poster="javascript:alert(1)"></video>`, `<video></video>`},
		{`<video><source src="data:video/mp4,AAAA"></video>`, `<video></video>`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			checkEqual(t, "SanitizeHTML", SanitizeHTML(tt.in, nil), tt.want)
		})
	}
}

func TestSanitizeTrackingPixels(t *testing.T) {
	tests := []struct {
		in   string
		kept bool
	}{
		{`<img src="https://t.example/p.gif" width="1" height="1">`, false},
		{`<img src="https://t.example/p.gif" width="0" height="0">`, false},
		{`<img src="https://t.example/p.gif" WIDTH="1px" height=" 1 ">`, false},
		{`<img src="https://t.example/p.gif" width="1">`, true},
		{`<img src="https://t.example/p.gif" width="2" height="1">`, true},
		{`<img src="https://t.example/p.gif" width="100%" height="1">`, true},
		{`<img src="https://t.example/p.gif">`, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			out := SanitizeHTML("<p>text"+tt.in+"</p>", nil)
			if got := strings.Contains(out, "<img"); got != tt.kept {
				t.Errorf("SanitizeHTML = %q, image kept = %v, want %v", out, got, tt.kept)
			}
			if !strings.Contains(out, "text") {
				t.Errorf("SanitizeHTML = %q lost the text", out)
			}
		})
	}
}

func TestSanitizeResolvesRelativeURLs(t *testing.T) {
	base, _ := url.Parse("https://news.example/section/story.html")
	tests := []struct{ name, in, want string }{
		{"href relative", `<a href="other.html">x</a>`, `<a href="https://news.example/section/other.html">x</a>`},
		{"href root", `<a href="/about">x</a>`, `<a href="https://news.example/about">x</a>`},
		{"href parent", `<a href="../up/">x</a>`, `<a href="https://news.example/up/">x</a>`},
		{"href scheme-relative", `<a href="//cdn.example/a">x</a>`, `<a href="https://cdn.example/a">x</a>`},
		{"href query", `<a href="?page=2">x</a>`, `<a href="https://news.example/section/story.html?page=2">x</a>`},
		{"href absolute untouched", `<a href="http://other.example/x">x</a>`, `<a href="http://other.example/x">x</a>`},
		{"src", `<img src="img/a.jpg">`, `<img src="https://news.example/section/img/a.jpg">`},
		{"srcset", `<img srcset="a.jpg 1x, /b.jpg 2x">`, `<img srcset="https://news.example/section/a.jpg 1x, https://news.example/b.jpg 2x">`},
		{"source srcset", `<picture><source srcset="w.webp 480w" type="image/webp"></picture>`, `<picture><source srcset="https://news.example/section/w.webp 480w" type="image/webp"></picture>`},
		{"poster", `<video poster="p.jpg"></video>`, `<video poster="https://news.example/section/p.jpg"></video>`},
		{"spaces trimmed", `<a href="  x.html ">x</a>`, `<a href="https://news.example/section/x.html">x</a>`},
		{"javascript stays dropped", `<a href="javascript:alert(1)">x</a>`, `x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkEqual(t, "SanitizeHTML", SanitizeHTML(tt.in, base), tt.want)
		})
	}
}

func TestStripControl(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"clean", "Zürich\t☃\r\n", "Zürich\t☃\r\n"},
		{"C0", "a\x00b\x01c\x08d\x0be\x0cf\x1fg", "abcdefg"},
		{"DEL", "a\x7fb", "ab"},
		{"non-characters", "a\uFFFEb\uFFFFc", "abc"},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb"},
		{"C1 kept", "a\u0085b", "a\u0085b"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkEqual(t, "StripControl", StripControl(tt.in), tt.want)
		})
	}
}

// TestXMLChar lists the edges of XML 1.0's Char production, the one rule
// the feed repair and StripControl share.
func TestXMLChar(t *testing.T) {
	tests := []struct {
		r    rune
		want bool
	}{
		{0x00, false}, {0x08, false}, {0x09, true}, {0x0A, true}, {0x0B, false},
		{0x0C, false}, {0x0D, true}, {0x1F, false}, {0x20, true}, {'a', true},
		{0x7F, true}, // DEL: a Char, though StripControl drops it
		{0x85, true}, {0xD7FF, true}, {0xD800, false}, {0xDFFF, false},
		{0xE000, true}, {0xFFFD, true}, {0xFFFE, false}, {0xFFFF, false},
		{0x10000, true}, {0x10FFFF, true}, {0x110000, false}, {-1, false},
	}
	for _, tt := range tests {
		if got := XMLChar(tt.r); got != tt.want {
			t.Errorf("XMLChar(%U) = %v, want %v", tt.r, got, tt.want)
		}
	}
}

func TestSanitizeStripsControlCharacters(t *testing.T) {
	out := SanitizeHTML("<p title=\"a\x01b\">x\x00y\x1b[1m</p>", nil)
	checkEqual(t, "SanitizeHTML", out, `<p title="ab">xy[1m</p>`)
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<p>One &amp; <b>two</b></p><p>three</p>", "One & two three"},
		{"a <script>x()</script>b", "a b"},
		{"  spaced\n\tout  ", "spaced out"},
		{"Line one<br />Line two<br/>three<br>four", "Line one Line two three four"},
		{"<h2>Heading</h2>Body text", "Heading Body text"},
		{"<table><tr><td>a</td><td>b</td></tr></table>", "a b"},
		{"<blockquote>Quoted</blockquote>said <figure><img src=x><figcaption>Caption</figcaption></figure>after", "Quoted said Caption after"},
		{"in<b>line</b> <i>stays</i>", "inline stays"},
		{"a<script/>b", "ab"},
	}
	for _, tt := range tests {
		checkEqual(t, "PlainText("+tt.in+")", PlainText(tt.in), tt.want)
	}
}

func BenchmarkSanitizeHTML(b *testing.B) {
	story := benchArticleHTML()
	base, _ := url.Parse("https://news.example/2024/03/story.html")
	b.SetBytes(int64(len(story)))
	b.ReportAllocs()
	for b.Loop() {
		SanitizeHTML(story, base)
	}
}

// BenchmarkSanitizeHTMLAbsoluteLinks is a story whose links are all
// absolute, without images or page hooks, as many feeds send them:
// urlsResolved spares it rewriteHTML's pass.
func BenchmarkSanitizeHTMLAbsoluteLinks(b *testing.B) {
	story := absoluteLinksStory()
	base, _ := url.Parse("https://news.example/2024/03/story.html")
	if !urlsResolved(story, base) {
		b.Fatal("the story takes rewriteHTML's pass")
	}
	b.SetBytes(int64(len(story)))
	b.ReportAllocs()
	for b.Loop() {
		SanitizeHTML(story, base)
	}
}

// absoluteLinksStory is the text of benchArticleHTML in paragraphs with
// an absolute link each, and nothing rewriteHTML would change.
func absoluteLinksStory() string {
	var b strings.Builder
	for i, p := range strings.Split(PlainText(benchArticleHTML()), ". ") {
		fmt.Fprintf(&b, "<p>%s. <a href=\"https://news.example/2024/03/related-%d.html\">Related</a></p>\n", html.EscapeString(p), i)
	}
	return b.String()
}

// TestURLsResolved: SanitizeHTML skips rewriteHTML for fragments whose URL
// attributes are all written as ResolveURL writes them, and only those
// (TestSanitizeAsBefore holds the output to the pass's, whichever way).
func TestURLsResolved(t *testing.T) {
	base, _ := url.Parse("https://news.example/2024/03/story.html")
	tests := []struct {
		in   string
		want bool
	}{
		{`<p>no links</p>`, true},
		{`<a href="https://x.example/a/b-1.html">b</a><a HREF='http://x.example:8080/'>c</a>`, true},
		{`<a href=https://x.example/q?a=1>d</a><blockquote cite="https://x.example/">q</blockquote>`, true},
		{`<a name=x href>empty</a><p>the src of it, cited</p>`, true},
		{`<a href="rel.html">r</a>`, false},
		{`<a href="/root">r</a>`, false},
		{`<a href="//x.example/p">r</a>`, false},
		{`<a HREF = 'rel'>r</a>`, false},
		{`<a title='x'href=rel>r</a>`, false},
		{"<a\nhref=rel>r</a>", false},
		{`<a href="https://x.example/a/../b">r</a>`, false},
		{`<a href="HTTPS://x.example/">r</a>`, false},
		{`<a href=" https://x.example/">r</a>`, false},
		{`<a href="https://x.example/a?b=1&amp;c=2">r</a>`, false},
		{`<a href="https://x.example/`, false},
		{`<video poster="p.jpg"></video>`, false},
		{`<q cite=rel>q</q>`, false},
		{`<img longdesc="d.html">`, false},
		{`<source srcset="https://x.example/a.png 1x">`, false},
		{`<p>src=rel starts the text</p>`, true},
		{`<p>see src=rel in text</p>`, false}, // text read as an attribute: one more pass
	}
	for _, tt := range tests {
		if got := urlsResolved(tt.in, base); got != tt.want {
			t.Errorf("urlsResolved(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if s := absoluteLinksStory(); !urlsResolved(s, base) {
		t.Errorf("urlsResolved(absoluteLinksStory()) = false, want true: %.300q", s)
	}
}

func BenchmarkStripControl(b *testing.B) {
	story := benchArticleHTML()
	b.SetBytes(int64(len(story)))
	b.ReportAllocs()
	for b.Loop() {
		StripControl(story)
	}
}

func TestCollapseSpace(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"a", "a"},
		{" a  b\t\n\f\rc ", "a b c"},
		{"ü\u00a0ü", "ü\u00a0ü"}, // only ASCII space, like RE2's \s
	}
	for _, tt := range tests {
		checkEqual(t, "collapseSpace("+tt.in+")", collapseSpace(tt.in), tt.want)
	}
}

func BenchmarkPlainText(b *testing.B) {
	story := SanitizeHTML(benchArticleHTML(), nil)
	b.SetBytes(int64(len(story)))
	b.ReportAllocs()
	for b.Loop() {
		PlainText(story)
	}
}

// TestSanitizeDropsPageHooks: content is republished without the ids and
// classes of the page it came from, however the attribute is written,
// and sanitizing stays idempotent.
func TestSanitizeDropsPageHooks(t *testing.T) {
	for _, in := range []string{
		`<div id="readability-page-1" class="page"><div id="main"><p class=lead>Text</p></div></div>`,
		`<p ID = "x">Text</p>`,
		"<p\tclass\n=\"a b\">Text</p>",
		`<p title="t"/id="x">Text</p>`,
		`<a id="top" href="https://ok.example/">Text</a>`,
		`<a id="top">Text</a>`,
		`<img class="wp-image" src="https://ok.example/a.jpg" alt="">`,
	} {
		t.Run(in, func(t *testing.T) {
			out := SanitizeHTML(in, nil)
			low := strings.ToLower(out)
			if strings.Contains(low, "id=") || strings.Contains(low, "class=") || !strings.Contains(out, "Text") && !strings.Contains(out, "<img") {
				t.Errorf("SanitizeHTML(%q) = %q", in, out)
			}
			if again := SanitizeHTML(out, nil); again != out {
				t.Errorf("sanitizing twice changes the output:\n%q\n%q", out, again)
			}
		})
	}
	// Text that only mentions id= is left as it is.
	if out := SanitizeHTML("<p>paid=yes; did = no</p>", nil); out != "<p>paid=yes; did = no</p>" {
		t.Errorf("text changed: %q", out)
	}
}
