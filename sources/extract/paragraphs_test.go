package extract

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/tributary/tributary/feeds"
)

// findBoilerplateBefore is FindBoilerplate as it was before Paragraphs:
// every document parsed into a tree. The tests below hold the new one to
// its answers.
func findBoilerplateBefore(contents []string, minDocs int) []string {
	minDocs = max(minDocs, 2)
	if len(contents) < minDocs {
		return nil
	}
	counts := make(map[string]int)
	var order []string
	var docs []map[string]bool
	for _, c := range contents {
		seen := make(map[string]bool)
		var all []string
		walkParagraphs(parseFragment(c), func(_ *html.Node, text string) bool {
			all = append(all, text)
			l := utf8.RuneCountInString(text)
			if l < minBoilerplateLen || l > maxBoilerplateLen || seen[text] {
				return true
			}
			seen[text] = true
			return true
		})
		if sameStoryBefore(all, docs) {
			continue
		}
		docs = append(docs, setOf(all))
		for _, text := range all {
			if !seen[text] {
				continue
			}
			delete(seen, text)
			if counts[text] == 0 {
				order = append(order, text)
			}
			counts[text]++
		}
	}
	var out []string
	for _, t := range order {
		if counts[t] >= minDocs {
			out = append(out, t)
		}
	}
	return out
}

// sameStoryBefore is sameStory as it was before the paragraph index: a
// document compared with every document counted.
func sameStoryBefore(paras []string, docs []map[string]bool) bool {
	if len(paras) == 0 {
		return false
	}
	for _, d := range docs {
		shared := 0
		for _, p := range paras {
			if d[p] {
				shared++
			}
		}
		if shared*2 > len(paras) {
			return true
		}
	}
	return false
}

func setOf(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// boilerplateInBefore is BoilerplateIn as it was before the paragraph
// index; TestBoilerplateInAsBefore and FuzzBoilerplateInAsBefore hold the
// new one to its answers.
func boilerplateInBefore(docs [][]string, minDocs int) []string {
	minDocs = max(minDocs, 2)
	if len(docs) < minDocs {
		return nil
	}
	counts := make(map[string]int)
	var order []string
	var counted []map[string]bool
	for _, all := range docs {
		if sameStoryBefore(all, counted) {
			continue
		}
		counted = append(counted, setOf(all))
		seen := make(map[string]bool)
		for _, text := range all {
			if seen[text] {
				continue
			}
			seen[text] = true
			if l := utf8.RuneCountInString(text); l < minBoilerplateLen || l > maxBoilerplateLen {
				continue
			}
			if counts[text] == 0 {
				order = append(order, text)
			}
			counts[text]++
		}
	}
	var out []string
	for _, t := range order {
		if counts[t] >= minDocs {
			out = append(out, t)
		}
	}
	return out
}

// boilerplateDocs makes n documents from a seed: paragraphs drawn from a
// small pool (furniture and stories shared, repeated within a document),
// some of them too short or too long to be boilerplate.
func boilerplateDocs(seed uint64, n int) [][]string {
	r := rand.New(rand.NewPCG(seed, 7))
	pool := []string{"Subscribe to our newsletter for more local news.", "short", strings.Repeat("long ", 200),
		"Follow us on social media for updates every day.", "Council votes on the new harbour budget tonight.",
		"Residents gather at the library to discuss repairs.", "The ferry route changes from Monday morning.",
		"Teachers and parents meet about school funding.", "", "Weather: storm warnings along the river all week."}
	docs := make([][]string, n)
	for i := range docs {
		for range r.IntN(8) {
			docs[i] = append(docs[i], pool[r.IntN(len(pool))])
		}
	}
	return docs
}

// TestBoilerplateInAsBefore holds BoilerplateIn to the version before the
// paragraph index on generated documents and the extractor's pages.
func TestBoilerplateInAsBefore(t *testing.T) {
	found := 0
	for seed := range uint64(300) {
		docs := boilerplateDocs(seed, int(seed%60))
		for _, min := range []int{0, 2, 3, 5} {
			got, want := BoilerplateIn(docs, min), boilerplateInBefore(docs, min)
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d, min %d: BoilerplateIn = %q, want %q", seed, min, got, want)
			}
			found += len(got)
		}
	}
	if found == 0 {
		t.Fatal("no boilerplate found in any generated set: the comparison proves nothing")
	}
	t.Logf("%d paragraphs of boilerplate found", found)
}

// FuzzBoilerplateInAsBefore is TestBoilerplateInAsBefore on any seed,
// number of documents and threshold.
func FuzzBoilerplateInAsBefore(f *testing.F) {
	f.Add(uint64(1), uint8(40), uint8(2))
	f.Fuzz(func(t *testing.T, seed uint64, n, min uint8) {
		docs := boilerplateDocs(seed, int(n))
		if got, want := BoilerplateIn(docs, int(min%8)), boilerplateInBefore(docs, int(min%8)); !slices.Equal(got, want) {
			t.Fatalf("BoilerplateIn = %q, want %q", got, want)
		}
	})
}

// paragraphCases are fragments whose trees differ from their tags as
// written, and well-formed ones, for the tokenizer to read or give up on.
var paragraphCases = []string{
	"",
	"plain text, no markup",
	"<p>one</p><p>two</p>",
	"<p>unclosed<p>second<div>third</div>",
	"<div>a<p>b</div>c</p>",
	"<ul><li>one<li>two</ul>",
	"<ul><li>one<div><li>two</div></ul>",
	"<li>alone</li><li>again</li>",
	"<dl><dt>term<dd>definition</dl>",
	"<p>a<b>bold</p><p>still bold?</b></p>",
	"<a href=x>one<a href=y>two</a></a>",
	"<h2>one<h3>two</h3></h2>",
	"<div>text<br>more<hr>after</div>",
	"<div>x</br>y</div>",
	"<div/>after the slash<p>p</p>",
	"<p>in p <table><tr><td>cell</td></tr></table></p>",
	"<div><script>var p = '<p>not a paragraph</p>';</script>text</div>",
	"<div><style>p { color: red }</style>styled</div>",
	"<div>a\x00b</div>",
	"<div>Caf&eacute; &amp; bar&nbsp;&nbsp;open</div>",
	"<blockquote><p>quoted</p> said <cite>someone</cite></blockquote>",
	"<pre>\nfirst line\n  indented</pre><div><pre>\ncode</pre></div>",
	"<div>a<my-widget>custom</my-widget>b</div>",
	"<p>x<svg><p>foreign</p></svg></p>",
	"<div><noscript><p>no script</p></noscript></div>",
	"<div>" + strings.Repeat("<div>", 150) + "deep" + strings.Repeat("</div>", 150) + "</div>",
	"<div><p>one</p><p>two</p></div><div><div>nested <em>twice</em></div></div>",
	"<figure><img src=a.jpg><figcaption>caption</figcaption></figure><p>after</p>",
	"<p>a</p>\n<p>b</p>",
	"</p>stray end",
	"<div>unclosed at the end <p>and a p",
	"<b><b><b><b>four</b></b></b></b><p>after</p>",
	"<p>x <img src=a> y <br/> z</p>",
	"<html><body><p>whole page</p></body></html>",
}

// TestParagraphsMatchTheParser holds Paragraphs to what a full parse
// reads, on hand-made cases, the extractor's test pages and the contents
// extracted from them, and the contents (raw and sanitized) of the W3C
// feed validator suite's feeds.
func TestParagraphsMatchTheParser(t *testing.T) {
	inputs := slices.Clone(paragraphCases)
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".html") {
			page := string(readTestdata(t, e.Name()))
			res, err := Extract([]byte(page), "https://example.com/story/", Options{})
			if err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, page, res.Content)
		}
	}
	inputs = append(inputs, corpusContents(t)...)
	fast := 0
	for _, in := range inputs {
		want := domParagraphs(in)
		got, ok := tokenParagraphs(in)
		if !ok {
			continue
		}
		fast++
		if !slices.Equal(got, want) {
			t.Errorf("tokenParagraphs(%.200q)\n = %q\nwant %q", in, got, want)
		}
		if p := Paragraphs(in); !slices.Equal(p, want) {
			t.Errorf("Paragraphs(%.200q) = %q, want %q", in, p, want)
		}
	}
	// The fast way must be the common one on what the sanitizer writes.
	if fast < len(inputs)/2 {
		t.Errorf("the tokenizer read %d of %d inputs, want most", fast, len(inputs))
	}
	t.Logf("%d inputs, %d read by the tokenizer", len(inputs), fast)
}

// TestFindBoilerplateAsBefore compares FindBoilerplate with the version
// that parsed every document, on the rule cases and on the site's pages.
func TestFindBoilerplateAsBefore(t *testing.T) {
	var site []string
	for i, f := range []string{"site-1.html", "site-2.html", "site-3.html"} {
		site = append(site, extractFile(t, f, siteURL(i)).Content)
	}
	shared := "<p>Follow the Courier on Mastodon for breaking news alerts.</p>"
	sets := [][]string{
		site,
		append(slices.Clone(site), site[0]),
		{shared + "<p>Story one is about ducks.</p>", "<div>" + shared + "</div><li>Story two about geese, unclosed", "<ul><li>" + shared + "<li>Story three about swans and herons.</ul>"},
		{"<p>x" + shared, "<p>" + shared + "<p>y", "<table><tr><td>" + shared + "</td></tr></table>"},
		paragraphCases,
	}
	for i, docs := range sets {
		for minDocs := 1; minDocs <= 3; minDocs++ {
			if got, want := FindBoilerplate(docs, minDocs), findBoilerplateBefore(docs, minDocs); !slices.Equal(got, want) {
				t.Errorf("set %d, minDocs %d: FindBoilerplate = %q, before %q", i, minDocs, got, want)
			}
		}
	}
}

// FuzzParagraphs checks that the tokenizer, when it reads a fragment,
// reads what a full parse does.
func FuzzParagraphs(f *testing.F) {
	for _, c := range paragraphCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := tokenParagraphs(in)
		if !ok {
			return
		}
		if want := domParagraphs(in); !slices.Equal(got, want) {
			t.Fatalf("tokenParagraphs(%q) = %q, parser %q", in, got, want)
		}
	})
}

// corpusDir is the W3C feed validator test suite, shared by the project.
const corpusDir = "../../../shared/corpus/w3c-feedvalidator"

// corpusContents returns the summaries and contents of the suite's feeds
// as they are written and as the sanitizer leaves them. It skips the test
// when the suite is missing, and fails it under CI=true.
func corpusContents(t *testing.T) []string {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus %s missing: %v", corpusDir, err)
		}
		t.Skipf("corpus %s missing (%v); set it up to run this test", corpusDir, err)
	}
	var out []string
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(data))
		if err != nil {
			return nil
		}
		for _, it := range feed.Items {
			for _, s := range []string{it.Description, it.Content} {
				if s != "" {
					out = append(out, s, feeds.SanitizeHTML(s, nil))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// FuzzNormalizeText holds NormalizeText's ASCII way to the general one.
func FuzzNormalizeText(f *testing.F) {
	for _, s := range []string{"", " ", "a", " a ", "a  b", "a\tb", "a\vb\f", "a \r\n b ", "Caf\u00e9\u00a0x", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if got, want := NormalizeText(in), normalizeUnicode(in); got != want {
			t.Fatalf("NormalizeText(%q) = %q, want %q", in, got, want)
		}
	})
}

// FuzzFastTokens holds fastTokens to html.Tokenizer: where it reads a
// fragment to the end, it gives the same tokens; and tokenParagraphs,
// which reads with it first, gives what the tokenizer alone gives.
func FuzzFastTokens(f *testing.F) {
	for _, c := range paragraphCases {
		f.Add(c)
	}
	f.Add(`<p class="a" title='b>c'>x &amp; y<br/>z<img src=a.png alt="">w</p><ul><li>1<li>2</ul>`)
	f.Add("<P>a<BR />b</P><div\tid=x\n>c&lt;d</div></DIV><p>a < b</p><!-- c --><x y=\"1\"z=2/>")
	// A repeated attribute, which the tokenizer drops, and an unquoted
	// value ending in "/": a self-closing tag for it (found in review).
	f.Add("<p a=1 a=x/>text</p>")
	f.Add("x<h1 A='y'a=/>")
	f.Fuzz(func(t *testing.T, in string) {
		fast := fastTokens{s: in}
		z := html.NewTokenizer(strings.NewReader(in))
		type token struct {
			tt   html.TokenType
			data string
		}
		read := func(src tokenSource) []token {
			var out []token
			for {
				tt := src.Next()
				switch tt {
				case html.ErrorToken:
					return out
				case html.TextToken:
					out = append(out, token{tt, string(src.Text())})
				default:
					name, _ := src.TagName()
					out = append(out, token{tt, string(name)})
				}
			}
		}
		got := read(&fast)
		if !fast.failed {
			if want := read(z); !slices.Equal(got, want) {
				t.Fatalf("fastTokens(%q)\n = %v\nwant %v", in, got, want)
			}
		}
		if strings.IndexByte(in, 0) < 0 && strings.Contains(in, "<") {
			got, gotOK := tokenParagraphs(in)
			want, wantOK := readParagraphs(html.NewTokenizer(strings.NewReader(in)))
			if gotOK != wantOK || !slices.Equal(got, want) {
				t.Fatalf("tokenParagraphs(%q) = %q, %v; the tokenizer alone %q, %v", in, got, gotOK, want, wantOK)
			}
		}
	})
}

// sanitizedDocs are the contents of the site's pages as extracted (and
// sanitized), and a feed's story as the sanitizer writes it.
func sanitizedDocs(tb testing.TB) []string {
	var docs []string
	for i, f := range []string{"site-1.html", "site-2.html", "site-3.html"} {
		docs = append(docs, extractFile(tb, f, siteURL(i)).Content)
	}
	story := `<p class="lede">The <b>council</b> met &amp; voted.<br>Again.</p><ul><li>One</li><li>Two</li></ul>` +
		`<blockquote cite="https://x.example/q"><p>Quoted <a href="https://x.example/a" title='a "b"'>text</a>.</p></blockquote>`
	return append(docs, feeds.SanitizeHTML(story, nil))
}

// TestFastTokensReadSanitizedHTML: what boilerplate learning reads, the
// sanitizer's output, fastTokens reads to the end, as the tokenizer does.
func TestFastTokensReadSanitizedHTML(t *testing.T) {
	for _, doc := range sanitizedDocs(t) {
		f := fastTokens{s: doc}
		n := 0
		for f.Next() != html.ErrorToken {
			n++
		}
		if f.failed || n == 0 {
			t.Errorf("fastTokens gave up after %d tokens of %.300q", n, doc)
		}
		got, _ := tokenParagraphs(doc)
		want, _ := readParagraphs(html.NewTokenizer(strings.NewReader(doc)))
		if !slices.Equal(got, want) || len(got) == 0 {
			t.Errorf("tokenParagraphs = %q, the tokenizer alone %q", got, want)
		}
	}
}

func BenchmarkParagraphs(b *testing.B) {
	docs := sanitizedDocs(b)
	n := 0
	for _, d := range docs {
		n += len(d)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			Paragraphs(d)
		}
	}
}
