package feeds

import (
	"bytes"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// sanitizeBefore is SanitizeHTML as it was before its passes were made
// lazy (rewriteHTML and postSanitize built a token for every tag and
// wrote a copy of every fragment): the differential tests and fuzz target
// hold SanitizeHTML to its output, byte for byte.
func sanitizeBefore(s string, base *url.URL) string {
	s = StripControl(s)
	if strings.TrimSpace(s) == "" {
		return ""
	}
	if base != nil || containsFold(s, "<img") || hasHookAttr(s) {
		s = rewriteHTMLBefore(s, base, true)
	}
	// Character references such as &#1; decode to characters XML forbids, and
	// bluemonday writes decoded text back unescaped: strip them again.
	return strings.TrimSpace(StripControl(postSanitizeBefore(policy().Sanitize(s))))
}

func postSanitizeBefore(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var out bytes.Buffer
	out.Grow(len(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out.String()
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			kept := tok.Attr[:0]
			for _, a := range tok.Attr {
				if safeAttrURL(a) {
					kept = append(kept, a)
				}
			}
			if len(kept) == len(tok.Attr) {
				out.Write(z.Raw())
				continue
			}
			tok.Attr = kept
			if isMediaSource(tok.DataAtom) && !hasURLAttr(kept) {
				continue
			}
			out.WriteString(tok.String())
		default:
			out.Write(z.Raw())
		}
	}
}

func rewriteHTMLBefore(s string, base *url.URL, sanitizing bool) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var out bytes.Buffer
	out.Grow(len(s) + 64)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out.String()
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if sanitizing && tok.DataAtom == atom.Img && isTrackingPixel(tok.Attr) {
				continue
			}
			changed := false
			if sanitizing {
				kept := tok.Attr[:0]
				for _, a := range tok.Attr {
					if !pageHook(a.Key) {
						kept = append(kept, a)
					}
				}
				changed = len(kept) < len(tok.Attr)
				tok.Attr = kept
			}
			for i, a := range tok.Attr {
				if base == nil {
					break
				}
				switch {
				case urlAttrs[a.Key]:
					if r := ResolveURL(base, a.Val); r != a.Val {
						tok.Attr[i].Val, changed = r, true
					}
				case a.Key == "srcset":
					if r := resolveSrcset(base, a.Val); r != a.Val {
						tok.Attr[i].Val, changed = r, true
					}
				}
			}
			if changed {
				out.WriteString(tok.String())
			} else {
				out.Write(z.Raw())
			}
		default:
			out.Write(z.Raw())
		}
	}
}

// isTrackingPixel reports whether an img's declared size is at most 1x1
// (a missing or unparseable dimension is not small).
func isTrackingPixel(attrs []html.Attribute) bool {
	w, h := -1, -1
	for _, a := range attrs {
		switch a.Key {
		case "width":
			w = pixels(a.Val)
		case "height":
			h = pixels(a.Val)
		}
	}
	return w >= 0 && w <= 1 && h >= 0 && h <= 1
}

// sanitizeInputs are the fragments the differential tests run: the XSS
// vectors, the benchmark's story, the pages of the extractor's tests and
// the summaries and contents of the feeds in this repository's fixtures
// and in the W3C feed validator suite (skipped when missing, failing
// under CI=true).
func sanitizeInputs(t *testing.T) []string {
	t.Helper()
	inputs := append(loadVectors(t), benchArticleHTML(),
		`<P CLASS="x">Upper <A HREF="/a">case</A><IMG SRC="p.gif" WIDTH=1 HEIGHT=1></P>`,
		`<p>unterminated <a href="/x`, "<img src=x.png width=1px height=1>", `<video poster="javascript:x" src="/v.mp4"></video>`,
		`<source srcset="javascript:alert(1) 1x"><track src="data:x">`, "a\r\nb<br\r\nclass=x>",
		// No URL, pixel or page hook: rewriteHTML is skipped.
		`<P>Upper <B>bold</B> text <SPAN title="x"`, "<DIV>a</DIV><p>b<", "<p>x</p><a name=", "<SCRIPT>x</SCRIPT><P>y</P>",
		"<STYLE>p{}</STYLE><TABLE><TR><TD>c</TD></TR></TABLE>", "<p>x</p><!-- open", "<Blockquote>q</blockquote><Q>y</q",
		// Absolute URLs only: rewriteHTML is skipped (urlsResolved); and
		// near misses, which take it.
		`<p>a <a href="https://x.example/a/b-1.html">b</a> <a HREF='http://x.example:8080/'>c</a> <a href=https://x.example/q?a=1>d</a></p>`,
		`<a href="https://x.example/a/../b">dots</a>`, `<a href="HTTPS://x.example/">case</a>`, `<a href="https://x.example/a?b=1&amp;c=2">amp</a>`,
		`<a href = "rel/x">spaced</a>`, `<a title='x'href=rel>after a quote</a>`, `<blockquote cite=rel>q</blockquote>`, `<a href="https://x.example/ a">space</a>`,
		`<a data-href="rel" href="https://x.example/">data</a>`, `<a href="https://x.example/`, `<p>src=rel in text</p><a href="https://x.example/">x</a>`,
		`<picture><source srcset="rel.png 1x"></picture><a href="https://x.example/">x</a>`, `<a href="//x.example/p">scheme-relative</a>`,
		`<a href="https://x.example/%7Ea">escaped</a>`, `<a href="https://x.example/#frag ment">fragment</a>`, "<a\fhref=rel>ff</a>")
	pages, _ := filepath.Glob("../sources/extract/testdata/*.html")
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, string(b))
	}
	feedFiles, _ := filepath.Glob("../sources/testdata/*.*")
	if _, err := os.Stat(corpusDir); err == nil {
		_ = filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				feedFiles = append(feedFiles, path)
			}
			return nil
		})
	} else if os.Getenv("CI") == "true" {
		t.Fatalf("corpus %s missing: %v", corpusDir, err)
	} else {
		t.Logf("corpus %s missing (%v): its feeds are left out", corpusDir, err)
	}
	for _, path := range feedFiles {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
		if err != nil {
			continue
		}
		inputs = append(inputs, f.Description)
		for _, it := range f.Items {
			inputs = append(inputs, it.Title, it.Description, it.Content)
		}
	}
	return inputs
}

// corpusDir is the W3C feed validator test suite, shared by the project.
const corpusDir = "../../shared/corpus/w3c-feedvalidator"

// TestSanitizeAsBefore holds SanitizeHTML and ResolveHTMLURLs to the
// output of the version before them, byte for byte, with and without a
// base URL.
func TestSanitizeAsBefore(t *testing.T) {
	base, _ := url.Parse("https://example.com/dir/page.html")
	inputs := sanitizeInputs(t)
	if len(inputs) < 100 {
		t.Fatalf("only %d inputs", len(inputs))
	}
	for _, in := range inputs {
		for _, b := range []*url.URL{nil, base} {
			if got, want := SanitizeHTML(in, b), sanitizeBefore(in, b); got != want {
				t.Errorf("SanitizeHTML(%.200q, %v)\n = %q\nwant %q", in, b, got, want)
			}
		}
		if got, want := ResolveHTMLURLs(in, base), rewriteHTMLBefore(in, base, false); got != want {
			t.Errorf("ResolveHTMLURLs(%.200q)\n = %q\nwant %q", in, got, want)
		}
	}
	t.Logf("%d inputs", len(inputs))
}

// FuzzSanitizeAsBefore is TestSanitizeAsBefore on any input.
func FuzzSanitizeAsBefore(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v)
	}
	f.Add(benchArticleHTML())
	f.Add(`<P CLASS="x">Upper <A HREF="/a">case</A><IMG SRC="p.gif" WIDTH=1 HEIGHT=1></P>`)
	base, _ := url.Parse("https://example.com/dir/page.html")
	f.Fuzz(func(t *testing.T, in string) {
		for _, b := range []*url.URL{nil, base} {
			if got, want := SanitizeHTML(in, b), sanitizeBefore(in, b); got != want {
				t.Fatalf("SanitizeHTML(%q, %v)\n = %q\nwant %q", in, b, got, want)
			}
		}
		if got, want := ResolveHTMLURLs(in, base), rewriteHTMLBefore(in, base, false); got != want {
			t.Fatalf("ResolveHTMLURLs(%q)\n = %q\nwant %q", in, got, want)
		}
	})
}

// hasURLAttr reports whether attrs hold a src or srcset.
func hasURLAttr(attrs []html.Attribute) bool {
	for _, a := range attrs {
		if a.Key == "src" || a.Key == "srcset" {
			return true
		}
	}
	return false
}

// TestPostSanitizeAsBefore holds postSanitize, with its byte-scan fast
// path, to the tokenizer pass before it on bluemonday's output of every
// input (the only HTML it is given).
func TestPostSanitizeAsBefore(t *testing.T) {
	inputs := append(sanitizeInputs(t),
		`<a href="javascript:x">a</a>`, `<img src="mailto:x@y">`, `<a href="/a?b=1&amp;c=&#34;2">x</a>`,
		`<img srcset="/a.png 1x, javascript:x 2x" src="/b.png">`, `<p title=" src=&#34;javascript:x&#34;">t</p>`,
		`<a href="https://x.example/ a">b</a>`, `<video poster="data:x" src="/v.mp4"></video>`, `<a href="java&#115;cript:x">y</a>`)
	for _, in := range inputs {
		s := policy().Sanitize(in)
		if got, want := postSanitize(s), postSanitizeBefore(s); got != want {
			t.Errorf("postSanitize(%.200q)\n = %q\nwant %q", s, got, want)
		}
	}
}

// FuzzPostSanitizeAsBefore is TestPostSanitizeAsBefore on any input.
func FuzzPostSanitizeAsBefore(f *testing.F) {
	f.Add(`<a href="javascript:x">a</a><img src="mailto:x@y"><p title=" src=&#34;x&#34;">t</p>`)
	f.Add(benchArticleHTML())
	f.Fuzz(func(t *testing.T, in string) {
		s := policy().Sanitize(in)
		if got, want := postSanitize(s), postSanitizeBefore(s); got != want {
			t.Fatalf("postSanitize(%q)\n = %q\nwant %q", s, got, want)
		}
	})
}

// TestBluemondaySanitizeAsSanitize holds bluemondaySanitize to
// bluemonday's own Sanitize, byte for byte.
func TestBluemondaySanitizeAsSanitize(t *testing.T) {
	for _, in := range append(sanitizeInputs(t), "", " \n ", "<p>x</p>") {
		if got, want := bluemondaySanitize(in), policy().Sanitize(in); got != want {
			t.Errorf("bluemondaySanitize(%.200q)\n = %q\nwant %q", in, got, want)
		}
	}
}

// FuzzBluemondaySanitizeAsSanitize is TestBluemondaySanitizeAsSanitize on
// any input.
func FuzzBluemondaySanitizeAsSanitize(f *testing.F) {
	f.Add(benchArticleHTML())
	f.Add(`<p class="x">a <a href="/b">b</a><script>c</script></p>`)
	f.Fuzz(func(t *testing.T, in string) {
		if got, want := bluemondaySanitize(in), policy().Sanitize(in); got != want {
			t.Fatalf("bluemondaySanitize(%q)\n = %q\nwant %q", in, got, want)
		}
	})
}

// resolveURLBefore is ResolveURL without its fast path.
func resolveURLBefore(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || base == nil {
		return ref
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return base.ResolveReference(u).String()
}

// resolveBases are the bases the ResolveURL differential tests resolve
// against: plain, with a port, user, query, fragment, an IPv6 host, an
// upper-case scheme and host, and an opaque URL.
func resolveBases(t testing.TB) []*url.URL {
	t.Helper()
	var bases []*url.URL
	for _, s := range []string{"https://example.com/dir/page.html", "http://h.example:8080", "https://u:p@h.example/a/",
		"https://h.example/a?q=1#f", "http://[::1]:80/x", "HTTPS://H.Example/A", "mailto:x@y.example", "https://h_x.example/", "//h.example/p"} {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		bases = append(bases, u)
	}
	return append(bases, &url.URL{Scheme: "https", Host: "h~x.example"}, &url.URL{Scheme: "Https", Host: "H.example", Path: "/p"})
}

// TestResolveURLAsBefore holds ResolveURL, with its fast path, to the
// general way.
func TestResolveURLAsBefore(t *testing.T) {
	refs := []string{"/", "/a", "/a/b.html", "/a//b", "//h2.example/a", "/./a", "/a/..", "/a/../b", "/a/.", "/.well-known/x",
		"/a b", "/a%20b", "/a?b", "/a#b", "/é", "/a:b", "/~u/_x-y.z", " /a ", "/a.", "/..a", "a/b", "/A/B"}
	for _, b := range resolveBases(t) {
		for _, r := range refs {
			if got, want := ResolveURL(b, r), resolveURLBefore(b, r); got != want {
				t.Errorf("ResolveURL(%v, %q) = %q, want %q", b, r, got, want)
			}
		}
	}
}

// FuzzResolveURLAsBefore is TestResolveURLAsBefore on any reference.
func FuzzResolveURLAsBefore(f *testing.F) {
	f.Add("/a/b.html")
	f.Add("/a//b/./c")
	bases := resolveBases(f)
	f.Fuzz(func(t *testing.T, ref string) {
		for _, b := range bases {
			if got, want := ResolveURL(b, ref), resolveURLBefore(b, ref); got != want {
				t.Fatalf("ResolveURL(%v, %q) = %q, want %q", b, ref, got, want)
			}
		}
	})
}
