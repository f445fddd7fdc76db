package sources_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/xmlcheck"
	"github.com/tributary/tributary/sources"
)

// The whole pipeline a hostile document goes through in production, Parse
// -> Combine -> Render in every format, run over the W3C feed validator's
// test suite and over hand-made attacks. Every output must be something a
// strict consumer accepts: well-formed XML, valid Atom (jing with RFC 4287's
// schema), JSON Feed 1.1; with plausible dates, no active content, and
// nothing read from the local file system.

// robustNow is the fetch time of every Parse here.
var robustNow = time.Date(2025, time.June, 1, 12, 0, 0, 0, time.UTC)

const robustFeedURL = "https://robust.example.com/feed.xml"

// Dates in outputs: items carry their source's dates, which Parse bounds to
// [1995, now+48h], or the fetch time; a feed without any date says 1970
// (feeds.epoch) rather than year 1.
var (
	earliestItemDate = time.Date(1995, time.January, 1, 0, 0, 0, 0, time.UTC)
	latestDate       = robustNow.Add(48 * time.Hour)
	earliestFeedDate = time.Unix(0, 0).UTC()
)

// rendering is one document run through the whole pipeline.
type rendering struct {
	label string
	res   sources.Result
	items []feeds.Article // Combine's output, what was rendered
	out   map[feeds.Format][]byte
}

// runPipeline parses data, combines its articles and renders them in every
// format. parseErr is Parse's refusal of the document, which is not a
// failure; err is anything else, including a panic anywhere.
func runPipeline(label string, data []byte, contentType string) (r rendering, parseErr, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	r.label = label
	r.res, parseErr = sources.Parse(data, contentType, robustFeedURL, "robust", robustNow)
	if parseErr != nil {
		return r, parseErr, nil
	}
	r.items = feeds.Combine(r.res.Articles, 0)
	r.out = make(map[feeds.Format][]byte, 3)
	for _, f := range feeds.AllFormats() {
		b, err := feeds.Render(feeds.Feed{
			ID:          r.res.URL,
			Title:       r.res.Title,
			Description: "Robustness test of " + label,
			Link:        r.res.Link,
			SelfURL:     "https://robust.example.com/all." + f.Ext(),
			Generator:   "Tributary/robustness",
			Items:       r.items,
		}, f)
		if err != nil {
			return r, nil, fmt.Errorf("render %s: %w", f, err)
		}
		r.out[f] = b
	}
	return r, nil, nil
}

// checker checks renderings and collects their Atom outputs for one
// batched jing validation. It is safe for concurrent use.
type checker struct {
	// secret is a line of the machine's /etc/passwd that no output may
	// contain; empty when the file is unreadable.
	secret string

	mu    sync.Mutex
	atoms *xmlcheck.Set // nil: no schema validation
}

// passwdSecret returns a distinctive piece of the real /etc/passwd, such as
// "root:x:0:0", or "" when there is none to read.
func passwdSecret(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Logf("no /etc/passwd to look for in outputs: %v", err)
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Split(line, ":"); len(f) >= 4 && !strings.HasPrefix(line, "#") {
			return strings.Join(f[:4], ":")
		}
	}
	return ""
}

// atomEntryIDs returns the ids of the entries of an Atom document b as
// written, or nil when f is not Atom or b has not one id per entry.
func atomEntryIDs(f feeds.Format, b []byte) []string {
	if f != feeds.Atom {
		return nil
	}
	var doc struct {
		Entries []struct {
			ID []string `xml:"id"`
		} `xml:"entry"`
	}
	if xml.Unmarshal(b, &doc) != nil {
		return nil
	}
	ids := make([]string, len(doc.Entries))
	for i, e := range doc.Entries {
		if len(e.ID) != 1 {
			return nil
		}
		ids[i] = e.ID[0]
	}
	return ids
}

// check returns every way r's outputs break the promise stated at the top
// of this file, each prefixed with the format; Atom outputs are added to
// the jing set.
func (c *checker) check(r rendering) []string {
	var problems []string
	bad := func(f feeds.Format, format string, args ...any) {
		problems = append(problems, string(f)+": "+fmt.Sprintf(format, args...))
	}
	if c.secret != "" {
		for _, s := range []string{r.res.Title, r.res.Link, fmt.Sprint(r.res.Articles)} {
			if strings.Contains(s, c.secret) {
				bad("parse", "result contains %q from /etc/passwd", c.secret)
			}
		}
	}
	for _, f := range feeds.AllFormats() {
		b := r.out[f]
		if c.secret != "" && bytes.Contains(b, []byte(c.secret)) {
			bad(f, "output contains %q from /etc/passwd", c.secret)
		}
		if !utf8.Valid(b) {
			bad(f, "output is not valid UTF-8")
		}
		var err error
		switch f {
		case feeds.RSS, feeds.Atom:
			if err = xmlcheck.WellFormed(b); err != nil {
				bad(f, "not well-formed: %v", err)
				continue
			}
			err = checkXMLDates(b)
		case feeds.JSON:
			err = checkJSON(b, len(r.items))
		}
		if err != nil {
			bad(f, "%v", err)
		}
		parsed, err := gofeed.NewParser().Parse(bytes.NewReader(b))
		if err != nil {
			bad(f, "gofeed cannot read the output back: %v", err)
			continue
		}
		if len(parsed.Items) != len(r.items) {
			bad(f, "gofeed reads %d items, %d were rendered", len(parsed.Items), len(r.items))
			continue
		}
		for _, p := range safetyProblems(parsed) {
			bad(f, "%s", p)
		}
		// Atom ids are compared as written, character by character (RFC
		// 4287, 4.2.6.1): gofeed normalizes them as URLs, which makes
		// "http://example.com/#" and "http://example.com/" one.
		atomIDs := atomEntryIDs(f, b)
		if atomIDs != nil && len(atomIDs) != len(parsed.Items) {
			bad(f, "%d entries with an id, gofeed reads %d items", len(atomIDs), len(parsed.Items))
			atomIDs = nil
		}
		ids := make(map[string]bool, len(parsed.Items))
		for i, it := range parsed.Items {
			id := it.GUID
			if atomIDs != nil {
				id = atomIDs[i]
			}
			if id == "" {
				bad(f, "item %d has no id", i)
			} else if ids[id] {
				bad(f, "item %d repeats the id %q of an earlier item", i, id)
			}
			ids[id] = true
			if want := strings.TrimSpace(feeds.StripControl(r.items[i].Link)); it.Link != want {
				bad(f, "item %d link %q, rendered %q", i, it.Link, want)
			}
		}
	}
	if c.atoms != nil && r.out[feeds.Atom] != nil {
		c.mu.Lock()
		if err := c.atoms.Add(r.label, r.out[feeds.Atom]); err != nil {
			problems = append(problems, err.Error())
		}
		c.mu.Unlock()
	}
	return problems
}

// checkXMLDates checks every date element of an RSS or Atom output: it must
// parse in its format's layout and be plausible, item dates more so.
func checkXMLDates(b []byte) error {
	dates, err := xmlcheck.Dates(b)
	if err != nil {
		return err
	}
	for _, d := range dates {
		t, err := d.Time()
		if err != nil {
			return fmt.Errorf("does not parse: %w", err)
		}
		if err := checkDate(d.Name, t, d.InItem); err != nil {
			return err
		}
	}
	return nil
}

// checkDate checks that t is plausible for an output date.
func checkDate(name string, t time.Time, inItem bool) error {
	earliest := earliestFeedDate
	if inItem {
		earliest = earliestItemDate
	}
	if t.Year() == 1 || t.Before(earliest) || t.After(latestDate) {
		return fmt.Errorf("date %s %s is outside [%s, %s]", name, t.Format(time.RFC3339), earliest.Format(time.DateOnly), latestDate.Format(time.DateOnly))
	}
	return nil
}

// checkRFC3339 checks a JSON Feed date.
func checkRFC3339(name, s string, inItem bool) error {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("date %s does not parse: %w", name, err)
	}
	return checkDate(name, t, inItem)
}

// checkJSON checks a JSON Feed output: valid JSON, version 1.1, n items
// with string ids, plausible dates.
func checkJSON(b []byte, n int) error {
	if !json.Valid(b) {
		return errors.New("not valid JSON")
	}
	var doc struct {
		Version string `json:"version"`
		Items   []struct {
			ID            *string `json:"id"`
			DatePublished string  `json:"date_published"`
			DateModified  string  `json:"date_modified"`
		} `json:"items"`
		Ext struct {
			Updated string `json:"updated"`
		} `json:"_tributary"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("not a JSON Feed: %w", err)
	}
	if doc.Version != "https://jsonfeed.org/version/1.1" {
		return fmt.Errorf("version %q", doc.Version)
	}
	if len(doc.Items) != n {
		return fmt.Errorf("%d items, %d rendered", len(doc.Items), n)
	}
	if s := doc.Ext.Updated; s != "" {
		if err := checkRFC3339("updated", s, false); err != nil {
			return err
		}
	}
	for i, it := range doc.Items {
		if it.ID == nil || *it.ID == "" {
			return fmt.Errorf("item %d without id", i)
		}
		for name, s := range map[string]string{"date_published": it.DatePublished, "date_modified": it.DateModified} {
			if s == "" {
				continue
			}
			if err := checkRFC3339(name, s, true); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
	}
	return nil
}

// safetyProblems lists the active content a reader would find in a parsed
// output: what xmlcheck.UnsafeHTML finds in its HTML, and links with a
// scheme that runs code.
func safetyProblems(f *gofeed.Feed) []string {
	var out []string
	checkURL := func(where, u string) {
		if s := xmlcheck.ScriptScheme(u); s != "" {
			out = append(out, fmt.Sprintf("%s: %s URL %q", where, s, u))
		}
	}
	checkURL("feed link", f.Link)
	for i, it := range f.Items {
		where := fmt.Sprintf("item %d", i)
		checkURL(where+" link", it.Link)
		for _, l := range it.Links {
			checkURL(where+" link", l)
		}
		for _, e := range it.Enclosures {
			checkURL(where+" enclosure", e.URL)
		}
		if it.Image != nil {
			checkURL(where+" image", it.Image.URL)
		}
		for field, s := range map[string]string{"content": it.Content, "description": it.Description} {
			for _, p := range xmlcheck.UnsafeHTML(s) {
				out = append(out, fmt.Sprintf("%s %s: %s", where, field, p))
			}
		}
	}
	return out
}

// validateAtoms runs jing over every Atom output the checker collected and
// reports each invalid one by its document's label.
func (c *checker) validateAtoms(t *testing.T) int {
	t.Helper()
	if c.atoms == nil {
		return 0
	}
	problems, err := c.atoms.Validate(context.Background(), atomValidator(t))
	if err != nil {
		t.Fatalf("jing: %v", err)
	}
	labels := make([]string, 0, len(problems))
	for l := range problems {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	for i, l := range labels {
		if i == 30 {
			t.Errorf("... and %d more invalid Atom outputs", len(labels)-i)
			break
		}
		t.Errorf("%s: Atom output invalid against RFC 4287's schema:\n\t%s", l, strings.Join(problems[l], "\n\t"))
	}
	return c.atoms.Len()
}

func atomValidator(t *testing.T) *xmlcheck.Jing {
	t.Helper()
	j, err := xmlcheck.AtomValidator(".")
	if err != nil {
		xmlcheck.RequireTool(t, "%v", err)
	}
	return j
}

// TestPipelineCorpus runs every file of the W3C feed validator's suite
// (valid, invalid and odd feeds) through Parse, Combine and Render.
func TestPipelineCorpus(t *testing.T) {
	shared, err := xmlcheck.SharedDir(".")
	if err != nil {
		t.Fatal(err)
	}
	corpus := filepath.Join(shared, "corpus", "w3c-feedvalidator")
	if _, err := os.Stat(corpus); err != nil {
		xmlcheck.RequireTool(t, "corpus %s missing (%v); set it up to run this test", corpus, err)
	}
	atomValidator(t) // skip early, before the work, when jing is missing
	var paths []string
	err = filepath.WalkDir(corpus, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	c := &checker{secret: passwdSecret(t), atoms: xmlcheck.NewSet(t.TempDir())}
	var (
		mu                       sync.Mutex
		failures                 []string
		parsed, articles, output int
		wg                       sync.WaitGroup
		next                     = make(chan string)
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for path := range next {
				rel, _ := filepath.Rel(corpus, path)
				data, err := os.ReadFile(path)
				if err != nil {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%s: %v", rel, err))
					mu.Unlock()
					continue
				}
				r, parseErr, err := runPipeline(rel, data, "")
				var problems []string
				switch {
				case err != nil:
					problems = []string{err.Error()}
				case parseErr == nil:
					problems = c.check(r)
				}
				mu.Lock()
				for _, p := range problems {
					failures = append(failures, rel+": "+p)
				}
				if parseErr == nil && err == nil {
					parsed++
					articles += len(r.items)
					output += len(r.out)
				}
				mu.Unlock()
			}
		})
	}
	for _, p := range paths {
		next <- p
	}
	close(next)
	wg.Wait()

	slices.Sort(failures)
	for i, f := range failures {
		if i == 50 {
			t.Errorf("... and %d more failures", len(failures)-i)
			break
		}
		t.Error(f)
	}
	if len(paths) < 1000 || parsed < len(paths)*8/10 {
		t.Errorf("%d of %d files went through the pipeline; expected nearly all of the suite", parsed, len(paths))
	}
	validated := c.validateAtoms(t)
	t.Logf("%d files, %d parsed, %d articles rendered, %d outputs checked, %d Atom outputs validated by jing",
		len(paths), parsed, articles, output, validated)
}

// hostileDocument is one document built to hurt the parser or a reader, and
// what must come of it when it goes through Parse and the renderers. (The
// misbehaving servers, and documents served whole to the binary, are
// cmd/tributary's hostileCases.)
type hostileDocument struct {
	name        string // a file under testdata/hostile, or a generated document's name
	data        []byte // generated documents only
	contentType string
	// parses: the document must be accepted with at least minItems
	// articles; rejects: Parse must refuse it; neither: either is fine.
	parses, rejects bool
	minItems        int
	maxOutput       int // when > 0, no output may be larger (entity expansion)
	check           func(t *testing.T, r rendering)
}

// itemTitles returns the rendered articles' titles.
func itemTitles(r rendering) []string {
	var out []string
	for _, a := range r.items {
		out = append(out, a.Title)
	}
	return out
}

// hostileDocuments lists every hostile document: each file under
// testdata/hostile, and the generated ones.
func hostileDocuments() []hostileDocument {
	hugeTitle := strings.Repeat("Ünïcödé title ", 1<<20/16)
	manyItems := func(n int) []byte {
		var b bytes.Buffer
		b.WriteString(`<rss version="2.0"><channel><title>Many</title><link>https://many.example.com/</link><description>d</description>`)
		for i := range n {
			fmt.Fprintf(&b, `<item><title>Item %d</title><link>https://many.example.com/%d</link></item>`, i, i)
		}
		b.WriteString(`</channel></rss>`)
		return b.Bytes()
	}
	return []hostileDocument{
		{name: "billion-laughs.xml", maxOutput: 64 << 10},
		{name: "quadratic-blowup.xml", maxOutput: 256 << 10},
		{name: "xxe-file.xml", parses: true, minItems: 1},
		{name: "xxe-parameter.xml"},
		{name: "xinclude.xml", parses: true, minItems: 2},
		{name: "truncated.xml", parses: true, minItems: 1, check: func(t *testing.T, r rendering) {
			if !slices.Contains(itemTitles(r), "Whole item") {
				t.Errorf("the complete item before the cut is lost: %q", itemTitles(r))
			}
		}},
		{name: "truncated-atom.xml"},
		{name: "garbage.bin", rejects: true},
		{name: "garbage-after-rss-prefix.xml"},
		{name: "empty.xml", rejects: true},
		{name: "bom-only.xml", rejects: true},
		{name: "whitespace.xml", rejects: true},
		{name: "nul-bytes.xml", rejects: true},
		{name: "page.html", contentType: "text/html; charset=utf-8", rejects: true},
		{name: "invalid-utf8.xml", parses: true, minItems: 1},
		// Labelled UTF-8 but with no valid multi-byte sequence: decoded as
		// windows-1252 (see toUTF8), so the accents survive.
		{name: "wrong-charset-latin1.xml", parses: true, minItems: 1, check: func(t *testing.T, r rendering) {
			if got := itemTitles(r); !slices.Contains(got, "Naïve résumé") {
				t.Errorf("Latin-1 bytes labelled UTF-8: titles %q", got)
			}
		}},
		{name: "wrong-charset-utf8.xml", parses: true, minItems: 1},
		{name: "unknown-charset.xml", parses: true, minItems: 1},
		{name: "utf16-lie.xml", parses: true, minItems: 1},
		{name: "utf16-odd.xml"},
		{name: "impossible-dates.xml", parses: true, minItems: 13, check: func(t *testing.T, r rendering) {
			want := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
			for _, a := range r.items {
				if a.Title == "Good date" && !a.Published.Equal(want) {
					t.Errorf("the one good date is lost: %v, want %v", a.Published, want)
				}
			}
		}},
		{name: "impossible-dates.atom", parses: true, minItems: 4},
		{name: "impossible-dates.json", parses: true, minItems: 4},
		{name: "no-title-link-id.xml", parses: true, minItems: 2},
		{name: "no-title-link-id.atom", parses: true, minItems: 2},
		{name: "no-title-link-id.json"},
		// Regression: an enclosure type like "mp3" made the Atom invalid.
		{name: "bad-media-types.xml", parses: true, minItems: 7, check: func(t *testing.T, r rendering) {
			for _, a := range r.items {
				if a.Title == "No slash" && !bytes.Contains(r.out[feeds.Atom], []byte(`href="https://mt.example.com/a.mp3" rel="enclosure" type="audio/mpeg"`)) {
					t.Error("the type of an enclosure typed \"mp3\" is not guessed from its URL as audio/mpeg")
				}
			}
		}},
		{name: "control-chars.xml", parses: true, minItems: 2},
		{name: "control-chars.json", parses: true, minItems: 1},
		{name: "xss.xml", parses: true, minItems: 2},
		{name: "xss.atom", parses: true, minItems: 1},
		{name: "xss.json", parses: true, minItems: 1},
		{name: "deep-json.json"},
		{name: "wrong-types.json"},
		{name: "json-nul.json"},
		{
			name: "generated/huge-title.xml", parses: true, minItems: 1, maxOutput: 64 << 10,
			data: []byte(`<rss version="2.0"><channel><title>` + hugeTitle + `</title><link>https://huge.example.com/</link><description>d</description>` +
				`<item><title>` + hugeTitle + `</title><link>https://huge.example.com/1</link></item></channel></rss>`),
			check: func(t *testing.T, r rendering) {
				for _, s := range append(itemTitles(r), r.res.Title) {
					if n := utf8.RuneCountInString(s); n > feeds.MaxTitleRunes {
						t.Errorf("title of %d runes, want at most %d", n, feeds.MaxTitleRunes)
					}
				}
			},
		},
		{
			name: "generated/huge-title.json", parses: true, minItems: 1, maxOutput: 64 << 10,
			data: []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"` + hugeTitle + `","items":[{"id":"1","title":"` + hugeTitle + `","content_text":"x"}]}`),
		},
		{
			name: "generated/deep-nesting.xml",
			data: []byte(`<rss version="2.0"><channel><title>Deep</title><item><title>Deep</title><description>` +
				strings.Repeat("<div>", 100000) + strings.Repeat("</div>", 100000) + `</description></item></channel></rss>`),
		},
		{
			name: "generated/deep-html.xml", parses: true, minItems: 1,
			data: []byte(`<rss version="2.0"><channel><title>Deep HTML</title><item><title>Deep</title><link>https://deep.example.com/1</link><description><![CDATA[` +
				strings.Repeat("<div><b>", 20000) + `x` + `]]></description></item></channel></rss>`),
		},
		{
			name: "generated/many-items.xml", parses: true, minItems: sources.DefaultMaxItems,
			data: manyItems(3 * sources.DefaultMaxItems),
			check: func(t *testing.T, r rendering) {
				if len(r.items) != sources.DefaultMaxItems {
					t.Errorf("%d items, want the first %d", len(r.items), sources.DefaultMaxItems)
				}
			},
		},
		{
			name: "generated/long-url.xml", parses: true, minItems: 1,
			data: []byte(`<rss version="2.0"><channel><title>Long</title><item><title>Long URL</title><link>https://long.example.com/` +
				strings.Repeat("a/", 1<<19) + `</link></item></channel></rss>`),
		},
	}
}

// TestPipelineHostile runs hand-made attacks through the pipeline.
func TestPipelineHostile(t *testing.T) {
	c := &checker{secret: passwdSecret(t)}
	if _, err := xmlcheck.AtomValidator("."); err == nil {
		c.atoms = xmlcheck.NewSet(t.TempDir())
	}
	files, err := filepath.Glob(filepath.Join("testdata", "hostile", "*"))
	if err != nil {
		t.Fatal(err)
	}
	cases := hostileDocuments()
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.name] = true
	}
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("%s has no case in hostileDocuments", f)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data
			if data == nil {
				var err error
				if data, err = os.ReadFile(filepath.Join("testdata", "hostile", tc.name)); err != nil {
					t.Fatal(err)
				}
			}
			r, parseErr, err := runPipeline(tc.name, data, tc.contentType)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case parseErr != nil && tc.parses:
				t.Fatalf("Parse refuses the document: %v", parseErr)
			case parseErr == nil && tc.rejects:
				t.Fatalf("Parse accepts the document, with %d articles", len(r.res.Articles))
			case parseErr != nil:
				t.Logf("rejected: %v", parseErr)
				return
			}
			if len(r.items) < tc.minItems {
				t.Errorf("%d articles rendered, want at least %d: %q", len(r.items), tc.minItems, itemTitles(r))
			}
			for _, p := range c.check(r) {
				t.Error(p)
			}
			for f, b := range r.out {
				if tc.maxOutput > 0 && len(b) > tc.maxOutput {
					t.Errorf("%s output of %d bytes, want at most %d", f, len(b), tc.maxOutput)
				}
			}
			if tc.check != nil {
				tc.check(t, r)
			}
			t.Logf("%d articles", len(r.items))
		})
	}
	if c.atoms == nil {
		atomValidator(t) // skips, or fails under CI
	}
	n := c.validateAtoms(t)
	t.Logf("%d hostile documents, %d Atom outputs validated by jing", len(cases), n)
}

// TestCheckerCatches proves the checks above can fail: each broken
// rendering must draw a complaint that names its fault.
func TestCheckerCatches(t *testing.T) {
	secret := passwdSecret(t)
	if secret == "" {
		secret = "root:x:0:0"
	}
	r, parseErr, err := runPipeline("base", mustRead(t, filepath.Join("testdata", "rss2.xml")), "")
	if err != nil || parseErr != nil || len(r.items) == 0 {
		t.Fatalf("base rendering: %v %v, %d items", err, parseErr, len(r.items))
	}
	c := &checker{secret: secret}
	if p := c.check(r); len(p) > 0 {
		t.Fatalf("the base rendering draws complaints: %q", p)
	}
	// edit replaces the first match of re in f's output.
	edit := func(f feeds.Format, re, repl string) func(t *testing.T, r *rendering) {
		return func(t *testing.T, r *rendering) {
			t.Helper()
			rx := regexp.MustCompile(re)
			m := rx.FindSubmatchIndex(r.out[f])
			if m == nil {
				t.Fatalf("%s output has no match for %s", f, re)
			}
			r.out[f] = slices.Concat(r.out[f][:m[0]], rx.Expand(nil, []byte(repl), r.out[f], m), r.out[f][m[1]:])
		}
	}
	for _, tc := range []struct {
		name   string
		breakf func(t *testing.T, r *rendering)
		want   string
	}{
		{"malformed rss", edit(feeds.RSS, `</channel>`, ""), "not well-formed"},
		{"control char in atom", edit(feeds.Atom, `<title>`, "<title>\x01"), "not well-formed"},
		{"invalid utf-8", edit(feeds.Atom, `<title>`, "<title>\xff"), "UTF-8"},
		{"json version", edit(feeds.JSON, `version/1\.1`, "version/1"), "version"},
		{"year 1", edit(feeds.Atom, `<entry>\s*<title>[^<]*</title>\s*<updated>[^<]*</updated>`, "<entry><title>x</title><updated>0001-01-01T00:00:00Z</updated>"), "outside"},
		{"epoch item date", edit(feeds.JSON, `"date_published": "[^"]*"`, `"date_published": "1970-01-01T00:00:00Z"`), "outside"},
		{"bad rss date", edit(feeds.RSS, `<pubDate>[^<]*</pubDate>`, "<pubDate>yesterday</pubDate>"), "does not parse"},
		{"script", edit(feeds.JSON, `"content_html": "`, `"content_html": "<script>alert(1)</script>`), "<script> element"},
		{"handler", edit(feeds.RSS, `<item>(?s:.*?)<description>`, "$0&lt;img src=x onerror=alert(1)&gt;"), "onerror"},
		{"javascript link", edit(feeds.Atom, `href="https://news.example.com/2024/storm"`, `href="java&#9;script:alert(1)//"`), "javascript URL"},
		{"data image", edit(feeds.Atom, `<content type="html">`, `$0&lt;img src=&#34; DATA:image/svg+xml,x&#34;&gt;`), "data URL"},
		{"duplicate id", edit(feeds.RSS, `<guid isPermaLink="true">[^<]*</guid>`, `<guid isPermaLink="false">urn:tributary:guid:robust:news-1001</guid>`), "repeats the id"},
		{"secret", edit(feeds.RSS, `<description>`, "${0}"+secret), "/etc/passwd"},
		{"lost item", func(_ *testing.T, r *rendering) { r.items = append(r.items, r.items[0]) }, "items"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := rendering{label: r.label, res: r.res, items: slices.Clone(r.items), out: map[feeds.Format][]byte{}}
			for f, o := range r.out {
				b.out[f] = bytes.Clone(o)
			}
			tc.breakf(t, &b)
			problems := c.check(b)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Errorf("complaints %q, want one about %q", problems, tc.want)
			}
		})
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkPipeline measures Parse -> Combine -> Render of every format
// for a hostile document with many attack payloads.
func BenchmarkPipeline(b *testing.B) {
	data := mustRead(b, filepath.Join("testdata", "hostile", "xss.xml"))
	b.ReportAllocs()
	for b.Loop() {
		if _, parseErr, err := runPipeline("bench", data, ""); err != nil || parseErr != nil {
			b.Fatal(err, parseErr)
		}
	}
}
