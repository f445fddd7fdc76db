package extract

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// deepPage is a story whose paragraphs ("para-N ...") are spread over
// depth nested divs, about size bytes in all.
func deepPage(depth, size int) []byte {
	const sentence = "The river rose four feet overnight, and the town woke to water in the streets, the shops and the church hall."
	perLevel := max(1, size/depth/(len(sentence)+20))
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>Deep</title></head><body>`)
	i := 0
	for range depth {
		b.WriteString(`<div class="c">`)
		for range perLevel {
			fmt.Fprintf(&b, "<p>para-%d %s</p>\n", i, sentence)
			i++
		}
	}
	b.WriteString(strings.Repeat("</div>", depth))
	b.WriteString("</body></html>")
	return []byte(b.String())
}

// maxDepth is the depth of the deepest element under n (<html> is 1).
func maxDepth(n *html.Node) int {
	d := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			d = max(d, 1+maxDepth(c))
		}
	}
	return d
}

// markers returns the "para-N" words of s.
func markers(s string) map[string]bool {
	m := make(map[string]bool)
	for _, f := range strings.Fields(s) {
		if strings.HasPrefix(f, "para-") {
			m[f] = true
		}
	}
	return m
}

// TestDeepPageFlattened: a page nested 400 levels deep (the HTML parser
// accepts 512) reaches readability at most MaxDepth+5 deep, with all its
// text; readability's work grows with depth times text.
func TestDeepPageFlattened(t *testing.T) {
	body := deepPage(400, 100<<10)
	raw, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDepth(raw); d < 400 {
		t.Fatalf("test page is only %d deep", d)
	}
	doc, _, err := parsePage(body, storyURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDepth(doc); d > MaxDepth+5 {
		t.Errorf("page handed to readability is %d elements deep, want at most %d", d, MaxDepth+5)
	}
	want, got := markers(textContent(raw)), markers(textContent(doc))
	if len(want) < 400 {
		t.Fatalf("test page has only %d paragraphs", len(want))
	}
	for m := range want {
		if !got[m] {
			t.Errorf("flattening lost the text of %s", m)
		}
	}
	// The words of two paragraphs are not run together.
	if !strings.Contains(text(doc), " hall. para-") {
		t.Errorf("paragraphs run together after flattening")
	}
	res, err := Extract(body, storyURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if last := fmt.Sprintf("para-%d ", len(want)-1); !strings.Contains(res.Content, last) {
		t.Errorf("Content lacks the deepest paragraphs")
	}
}

// TestVeryDeepPage: a page nested 3,000 deep, past the 512 open elements
// the HTML parser accepts, is extracted like a 400-deep one: flattened,
// with the text of every paragraph.
func TestVeryDeepPage(t *testing.T) {
	body := deepPage(3000, 300<<10)
	if _, err := html.Parse(bytes.NewReader(body)); err == nil {
		t.Fatal("the HTML parser accepts the test page; it is not deep enough")
	}
	doc, _, err := parsePage(body, storyURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDepth(doc); d > MaxDepth+5 {
		t.Errorf("page handed to readability is %d elements deep, want at most %d", d, MaxDepth+5)
	}
	got := markers(textContent(doc))
	if len(got) != 3000 {
		t.Errorf("%d of 3000 paragraphs left after flattening", len(got))
	}
	if !strings.Contains(text(doc), " hall. para-2999 ") {
		t.Errorf("the deepest paragraphs run together after flattening")
	}
	res, err := Extract(body, storyURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Content, "para-2999 ") {
		t.Errorf("Content lacks the deepest paragraph")
	}
}

// TestFlattenKeepsLinksAndImages: below MaxDepth, blocks become
// paragraphs, links keep their href, images stay, comments and templates
// go.
func TestFlattenKeepsLinksAndImages(t *testing.T) {
	inner := `<h2>Water levels</h2><p>Read <a href="/report.pdf">the <b>full</b> report</a> now.</p>` +
		`<ul><li>First item</li><li>Second item</li></ul><figure><img src="/gauge.jpg" alt="Gauge"></figure>` +
		`<!-- a comment --><template><p>never shown</p></template><span>tail <em>words</em></span>`
	body := "<html><body>" + strings.Repeat("<div>", 80) + inner + strings.Repeat("</div>", 80) + "</body></html>"
	doc, _, err := parsePage([]byte(body), storyURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The div at MaxDepth (html and body are 1 and 2) holds the flat content.
	e := firstElement(doc, func(n *html.Node) bool { return n.DataAtom == atom.Body })
	for range MaxDepth - 2 {
		e = firstElement(e, func(n *html.Node) bool { return true })
	}
	if e == nil || e.DataAtom != atom.Div {
		t.Fatalf("no div at depth %d", MaxDepth)
	}
	var paras []string
	for c := e.FirstChild; c != nil; c = c.NextSibling {
		if c.DataAtom != atom.P {
			t.Fatalf("flattened div holds <%s>, want only paragraphs", c.Data)
		}
		var b bytes.Buffer
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			if err := html.Render(&b, k); err != nil {
				t.Fatal(err)
			}
		}
		paras = append(paras, b.String())
	}
	want := []string{
		"Water levels",
		`Read <a href="/report.pdf">the full report</a> now.`,
		"First item",
		"Second item",
		`<img src="/gauge.jpg" alt="Gauge"/>`,
		"tail words",
	}
	if strings.Join(paras, "\n") != strings.Join(want, "\n") {
		t.Errorf("flattened paragraphs:\n%s\nwant:\n%s", strings.Join(paras, "\n"), strings.Join(want, "\n"))
	}
}

// TestPageTooLarge: a page is refused when what is left of it without
// scripts, styles and SVG is over MaxPageSize; scripts, styles, SVG path
// data and comments do not count.
func TestPageTooLarge(t *testing.T) {
	filler := strings.Repeat("x", 1<<10)
	t.Run("text", func(t *testing.T) {
		var b strings.Builder
		for b.Len() < MaxPageSize+(1<<20) {
			b.WriteString("<p>" + filler + "</p>")
		}
		_, err := Extract(page("", storyBody+b.String()), storyURL, Options{})
		if !errors.Is(err, ErrPageTooLarge) {
			t.Fatalf("err = %v, want ErrPageTooLarge", err)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "extract: page too large (3.0 MiB after removing scripts") || !strings.HasSuffix(msg, "limit 2 MiB)") {
			t.Errorf("error %q does not give the size and the limit", msg)
		}
	})
	t.Run("scripts do not count", func(t *testing.T) {
		var head, body strings.Builder
		for head.Len() < 2*MaxPageSize {
			head.WriteString("<script>var x = '" + filler + "';</script><style>.a{content:'" + filler + "'}</style><!-- " + filler + " -->")
		}
		for body.Len() < 2*MaxPageSize {
			body.WriteString(`<svg viewBox="0 0 10 10"><path d="M` + filler + `"/></svg><noscript>` + filler + `</noscript>`)
		}
		res, err := Extract(page(head.String(), storyBody+body.String()), storyURL, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(res.Content, "The river rose four feet overnight") {
			t.Errorf("story lost:\n%.500s", res.Content)
		}
	})
	t.Run("markup the tokenizer takes for a script", func(t *testing.T) {
		// After </foreignObject> the parser is back in SVG, where <script>
		// is not raw text: the paragraphs after it are page content.
		var b strings.Builder
		b.WriteString("<svg><foreignObject><div>x</div></foreignObject><script>")
		for b.Len() < MaxPageSize+(1<<20) {
			b.WriteString("<p>" + filler + "</p>")
		}
		body := page("", storyBody+b.String())
		if contentSize(body) > MaxPageSize {
			t.Fatalf("the tokenizer counted the paragraphs; the test does not reach the tree check")
		}
		if _, err := Extract(body, storyURL, Options{}); !errors.Is(err, ErrPageTooLarge) {
			t.Fatalf("err = %v, want ErrPageTooLarge", err)
		}
	})
	// Pages that are big for reasons that cost readability nothing.
	big := strings.Repeat("QUJD", (MaxPageSize+(1<<20))/4)
	for _, tc := range []struct{ name, head, body string }{
		{"self-closing script tag", `<script src="/a.js"/><script>var x = "` + big + `";</script>`, storyBody},
		{"inline data: image", "", `<img src="data:image/png;base64,` + big + `" alt="chart">` + storyBody},
		{"ASP.NET view state", "", `<form><input type="hidden" name="__VIEWSTATE" value="` + big + `"></form>` + storyBody},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Extract(page(tc.head, tc.body), storyURL, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(res.Content, "The river rose four feet overnight") {
				t.Errorf("story lost:\n%.500s", res.Content)
			}
		})
	}
}

// BenchmarkExtractDeep extracts hostile pages: size bytes of text spread
// over depth nested levels. The largest is refused (ErrPageTooLarge).
func BenchmarkExtractDeep(b *testing.B) {
	for _, c := range []struct{ depth, size int }{{400, 900 << 10}, {400, 1800 << 10}, {64, 1800 << 10}, {3000, 1800 << 10}, {400, 3600 << 10}} {
		b.Run(fmt.Sprintf("depth=%d/size=%dKiB", c.depth, c.size>>10), func(b *testing.B) {
			body := deepPage(c.depth, c.size)
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := Extract(body, storyURL, Options{}); err != nil && (c.size <= MaxPageSize || !errors.Is(err, ErrPageTooLarge)) {
					b.Fatal(err)
				}
			}
		})
	}
}

// bylineForms are the byline markups manyBylines repeats.
var bylineForms = map[string]string{
	"byline":     `<span class="byline">By Person%d Name</span>`,
	"rel=author": `<a rel="author" href="/people/%[1]d">Person%[1]d Name</a> `,
}

// manyBylines is a story whose header holds n bylines of the given form
// side by side, each naming one of 50 people.
func manyBylines(form string, n int) []byte {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, bylineForms[form], i%50)
	}
	return page("", strings.Replace(storyBody, "<h1>Heading in the page</h1>", "<h1>Heading in the page</h1><div>"+b.String()+"</div>", 1))
}

// TestManyBylines: a page of thousands of bylines side by side costs
// about its size in memory, not its size times their number (reading the
// meta line or the container around each byline read all of them: 4,000
// took 3 s and 10,000 of a 450 KB page, 20 s).
func TestManyBylines(t *testing.T) {
	if raceEnabled {
		// The race detector empties sync.Pool at random: every regexp
		// match then allocates its machine, megabytes for 4,000 names.
		t.Skip("allocations are not the program's under -race")
	}
	for form := range bylineForms {
		t.Run(form, func(t *testing.T) {
			body := manyBylines(form, 4000)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			if _, err := Extract(body, storyURL, Options{}); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&after)
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 100*uint64(len(body)) {
				t.Errorf("extracting a %d-byte page of 4,000 bylines allocated %d bytes, want at most %d", len(body), alloc, 100*len(body))
			}
		})
	}
}

// BenchmarkManyBylines extracts pages of n bylines of a form.
func BenchmarkManyBylines(b *testing.B) {
	for _, c := range []struct {
		form string
		n    int
	}{{"byline", 1000}, {"byline", 10000}, {"rel=author", 1000}, {"rel=author", 10000}} {
		b.Run(fmt.Sprintf("%s/n=%d", c.form, c.n), func(b *testing.B) {
			body := manyBylines(c.form, c.n)
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := Extract(body, storyURL, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
