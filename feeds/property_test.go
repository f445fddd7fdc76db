package feeds_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/xmlcheck"
)

// propertyCases is how many random feeds TestRenderProperty renders; the
// seed is fixed, so every run renders the same ones and a failure names
// the case that reproduces it.
const propertyCases = 300

// gen makes random feeds out of what sources actually send: text with
// control characters, CDATA terminators, markup and invalid UTF-8, empty
// and huge strings, URLs of every shape, and dates from the zero time to
// the end of time.
type gen struct {
	r *rand.Rand
}

// pieces are the building blocks of random strings.
var pieces = []string{
	"", " ", "\t", "\n", "\r\n", "  padded  ", "word", "Title & <b>bold</b>", "AT&T", "&amp;", "&bogus;", "&#0;", "&#x1F;",
	"]]>", "<![CDATA[", "]]]]><![CDATA[>", "</description>", "</content:encoded>", "<script>alert(1)</script>", "\"quoted\" 'single'",
	"ünïcödé", "☃", "𝄞", "مرحبا", "עברית", "日本語", "e\u0301", "\u200b", "\ufeff", "\u2028", "\u0085", "\u00a0",
	"\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b[31m", "\x1f", "\x7f", "\ufffe", "\uffff", "\U0010FFFF",
	"\xff", "\xfe", "\xc3", "\xc3\x28", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\xc0\xaf",
	"a@b.example", "@", "x@", "@y",
}

// urls are the shapes links take in the wild, good and bad.
var urls = []string{
	"", "https://a.example/x", "http://b.example/path?q=1&r=2#frag", "HTTPS://UPPER.EXAMPLE/A", " https://padded.example/ ",
	"//proto-relative.example/x", "/relative/path", "relative", "?q", "#frag", "javascript:alert(1)", "data:text/html,<b>x</b>",
	"mailto:a@b.example", "urn:isbn:0451450523", "tag:example.com,2024:entry-1", "1234", "news-1001", "ftp://f.example/a.mp3",
	"https://ex.example/путь?q=ü", "https://ex.example/a b", "http://%zz", "http://[::1]:8080/x", "https://ex.example/\x00nul",
	"https://ex.example/a.mp3", "https://ex.example/i.jpg", "https://ex.example/v.webm", "file:///etc/passwd", "https://ex.example/]]>",
}

var zones = []*time.Location{
	time.UTC, time.FixedZone("plus14", 14*3600), time.FixedZone("minus12", -12*3600), time.FixedZone("nepal", 5*3600+45*60),
	time.FixedZone("odd", 13), time.FixedZone("far", 99*3600),
}

func (g gen) str() string {
	if g.r.IntN(2000) == 0 { // a few feeds have one
		return strings.Repeat("huge ]]> & <x> ", 1<<20/15) // about 1 MB
	}
	switch g.r.IntN(40) {
	case 0:
		return ""
	case 1:
		return strings.Repeat("&", 3000)
	case 2:
		return strings.Repeat("ü", 5000)
	case 3:
		b := make([]byte, g.r.IntN(64)) // random bytes, mostly invalid UTF-8
		for i := range b {
			b[i] = byte(g.r.UintN(256))
		}
		return string(b)
	}
	var b strings.Builder
	for range g.r.IntN(7) {
		if g.r.IntN(4) == 0 {
			b.WriteRune(rune(g.r.Int32N(0x110000))) // surrogates become U+FFFD
		} else {
			b.WriteString(pieces[g.r.IntN(len(pieces))])
		}
	}
	return b.String()
}

func (g gen) url() string {
	if g.r.IntN(8) == 0 {
		return g.str()
	}
	return urls[g.r.IntN(len(urls))]
}

func (g gen) time() time.Time {
	z := zones[g.r.IntN(len(zones))]
	switch g.r.IntN(12) {
	case 0:
		return time.Time{}
	case 1:
		return time.Unix(0, 0)
	case 2:
		return time.Date(1, 1, 1, 0, 0, 1, 0, z)
	case 3:
		return time.Date(1899, 12, 31, 23, 59, 59, 0, z)
	case 4:
		return time.Date(9999, 12, 31, 23, 59, 59, 999999999, z)
	case 5:
		return time.Date(10000, 1, 1, 0, 0, 0, 0, z)
	case 6:
		return time.Date(-44, 3, 15, 12, 0, 0, 0, z)
	case 7:
		return time.Unix(1<<62, 0)
	}
	return time.Date(1900+g.r.IntN(8200), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(31), g.r.IntN(24), g.r.IntN(60), g.r.IntN(60), g.r.IntN(1e9), z)
}

func (g gen) int64() int64 {
	switch g.r.IntN(4) {
	case 0:
		return 0
	case 1:
		return -g.r.Int64N(1 << 40)
	case 2:
		return 1<<63 - 1
	}
	return g.r.Int64N(1 << 33)
}

func (g gen) article() feeds.Article {
	a := feeds.Article{
		ID: g.url(), Source: g.str(), Origin: g.url(), Title: g.str(), Link: g.url(),
		Summary: g.str(), Content: g.str(),
		Published: g.time(), Updated: g.time(), FetchedAt: g.time(),
	}
	if g.r.IntN(3) == 0 {
		a.ID = g.str()
	}
	switch g.r.IntN(3) {
	case 0: // nil
	case 1:
		a.Authors = []feeds.Author{}
	default:
		for range 1 + g.r.IntN(3) {
			if g.r.IntN(5) == 0 {
				a.Authors = append(a.Authors, feeds.Author{})
				continue
			}
			a.Authors = append(a.Authors, feeds.Author{Name: g.str(), Email: g.str(), URL: g.url(), Avatar: g.url(), Bio: g.str()})
		}
	}
	switch g.r.IntN(3) {
	case 0: // nil
	case 1:
		a.Image = &feeds.Image{}
	default:
		a.Image = &feeds.Image{URL: g.url(), Caption: g.str(), Credit: g.str(), Type: g.str(),
			Width: int(g.int64() % (1 << 31)), Height: int(g.int64() % (1 << 31)), Length: g.int64()}
	}
	switch g.r.IntN(3) {
	case 0: // nil
	case 1:
		a.Enclosures = []feeds.Enclosure{}
	default:
		for range 1 + g.r.IntN(3) {
			a.Enclosures = append(a.Enclosures, feeds.Enclosure{URL: g.url(), Type: g.str(), Length: g.int64()})
		}
	}
	for range g.r.IntN(4) {
		a.Categories = append(a.Categories, feeds.Category{Term: g.str(), Scheme: g.str(), Label: g.str()})
	}
	if g.r.IntN(3) == 0 {
		a.Podcast = &feeds.Podcast{Duration: time.Duration(g.int64()), Image: g.url(), Explicit: feeds.Explicit(g.r.IntN(4))}
	}
	if g.r.IntN(2) == 0 {
		a.Via = &feeds.SourceFeed{Title: g.str(), ID: g.str(), Link: g.url(), URL: g.url()}
	}
	if g.r.IntN(4) == 0 {
		a.Page = &feeds.PageState{Error: g.str(), ETag: g.str()}
	}
	return a
}

func (g gen) feed() feeds.Feed {
	f := feeds.Feed{
		ID: g.url(), Title: g.str(), Description: g.str(), Link: g.url(), SelfURL: g.url(),
		Generator: g.str(), Updated: g.time(),
		Icon: g.url(), Logo: g.url(), Language: g.str(), Rights: g.str(),
	}
	for range g.r.IntN(6) {
		f.Items = append(f.Items, g.article())
	}
	return f
}

// cleanText is what a rendering keeps of a one-line field: characters XML
// allows (invalid UTF-8 as U+FFFD), without surrounding space.
func cleanText(s string) string {
	return strings.TrimSpace(feeds.StripControl(s))
}

// wantID is the id the renderings promise for a: its own as ItemID
// publishes it, else its link; "" when it has neither and gets a derived
// one.
func wantID(a feeds.Article) string {
	if id := feeds.ItemID(a.Source, a.ID); id != "" {
		return id
	}
	return cleanText(a.Link)
}

// gofeedURL is what gofeed makes of an Atom URL: url.Parse then String,
// when it parses.
func gofeedURL(s string) string {
	if u, err := url.Parse(strings.TrimLeft(s, " ")); err == nil {
		return u.String()
	}
	return s
}

// short cuts s for a message.
func short(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// sameDate reports whether a rendered date is t to the second, the way
// every format writes dates.
func sameDate(got *time.Time, t time.Time) bool {
	return got != nil && got.Equal(t.UTC().Truncate(time.Second))
}

// writable reports whether t survives rendering: years 1900 to 9999 in UTC.
func writable(t time.Time) bool {
	u := t.UTC()
	return !t.IsZero() && u.Year() >= 1900 && u.Year() <= 9999
}

// TestRenderProperty renders random feeds in every format: each rendering
// must be well-formed, the Atom valid against RFC 4287's schema, and a
// feed parser (gofeed) must read back every item with its id, link and
// dates.
func TestRenderProperty(t *testing.T) {
	jing, err := xmlcheck.AtomValidator(".")
	if err != nil {
		xmlcheck.RequireTool(t, "%v", err)
	}
	// The feeds are made in order, so the seed fixes them; they are
	// rendered and checked on every core.
	g := gen{r: rand.New(rand.NewPCG(2024, 6))}
	cases := make([]feeds.Feed, propertyCases)
	items := 0
	for n := range cases {
		cases[n] = g.feed()
		items += len(cases[n].Items)
	}
	labels := make([]string, len(cases))
	for n := range cases {
		labels[n] = fmt.Sprintf("case %d", n)
	}
	for name, f := range regressionFeeds() {
		cases = append(cases, f)
		labels = append(labels, "regression "+name)
		items += len(f.Items)
	}
	atomDocs := make([][]byte, len(cases))
	problems := make([][]string, len(cases))
	var (
		wg   sync.WaitGroup
		next = make(chan int)
		huge atomic.Int32 // renderings with a string of 1 MB
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for n := range next {
				for _, format := range feeds.AllFormats() {
					b, err := feeds.Render(cases[n], format)
					if err != nil {
						problems[n] = append(problems[n], fmt.Sprintf("render %s: %v", format, err))
						continue
					}
					for _, p := range renderProblems(cases[n], format, b) {
						problems[n] = append(problems[n], fmt.Sprintf("%s: %s", format, p))
					}
					if format == feeds.Atom {
						atomDocs[n] = b
						if len(b) > 1<<20 {
							huge.Add(1)
						}
					}
				}
			}
		})
	}
	for n := range cases {
		next <- n
	}
	close(next)
	wg.Wait()
	atoms := xmlcheck.NewSet(t.TempDir())
	for n, ps := range problems {
		for _, p := range ps {
			t.Errorf("%s: %s", labels[n], p)
		}
		if atomDocs[n] != nil {
			if err := atoms.Add(labels[n], atomDocs[n]); err != nil {
				t.Fatal(err)
			}
		}
	}
	invalid, err := atoms.Validate(context.Background(), jing)
	if err != nil {
		t.Fatalf("jing: %v", err)
	}
	for label, msgs := range invalid {
		t.Errorf("%s: Atom invalid against RFC 4287's schema:\n\t%s", label, strings.Join(msgs, "\n\t"))
	}
	t.Logf("%d feeds (%d random, %d with a 1 MB string), %d items, %d renderings, %d Atom documents validated by jing",
		len(cases), propertyCases, huge.Load(), items, 3*len(cases), atoms.Len())
}

// regressionFeeds are the random cases that once failed, kept by hand so
// that a change of generator cannot lose them.
func regressionFeeds() map[string]feeds.Feed {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	return map[string]feeds.Feed{
		// An author e-mail that is no address made the Atom invalid.
		"author e-mail": {Title: "e-mail", Items: []feeds.Article{{
			ID: "urn:x:1", Title: "t", Published: at,
			Authors: []feeds.Author{{Name: "A", Email: "n/a"}, {Name: "B", Email: "@handle"}, {Name: "C", Email: "c@"},
				{Email: "x\n@y"}, {Name: "D", Email: "d@example.org"}},
		}}},
		// An enclosure type that is no MIME type made the Atom invalid.
		"media type": {Title: "types", Items: []feeds.Article{{
			ID: "urn:x:2", Link: "https://a.example/2", Published: at,
			Image:      &feeds.Image{URL: "https://a.example/i.png", Type: "png"},
			Enclosures: []feeds.Enclosure{{URL: "https://a.example/a.mp3", Type: "mp3"}, {URL: "https://a.example/b", Type: "audio/\nmpeg"}},
		}}},
	}
}

// renderProblems returns every way the rendering b of f in format breaks
// the property.
func renderProblems(f feeds.Feed, format feeds.Format, b []byte) []string {
	var out []string
	if !utf8.Valid(b) {
		out = append(out, "not valid UTF-8")
	}
	switch format {
	case feeds.RSS, feeds.Atom:
		if err := xmlcheck.WellFormed(b); err != nil {
			return append(out, fmt.Sprintf("not well-formed: %v", err))
		}
		dates, err := xmlcheck.Dates(b)
		if err != nil {
			out = append(out, err.Error())
		}
		for _, d := range dates {
			if t, err := d.Time(); err != nil {
				out = append(out, err.Error())
			} else if t.Year() < 1900 {
				out = append(out, fmt.Sprintf("date <%s> %s", d.Name, d.Value))
			}
		}
	case feeds.JSON:
		var doc struct {
			Version string            `json:"version"`
			Items   []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			return append(out, fmt.Sprintf("not valid JSON: %v", err))
		}
		if doc.Version != "https://jsonfeed.org/version/1.1" || doc.Items == nil {
			out = append(out, fmt.Sprintf("version %q, items %v: not JSON Feed 1.1", doc.Version, doc.Items != nil))
		}
	}
	parsed, err := gofeed.NewParser().Parse(bytes.NewReader(b))
	if err != nil {
		return append(out, fmt.Sprintf("gofeed: %v", err))
	}
	if len(parsed.Items) != len(f.Items) {
		return append(out, fmt.Sprintf("gofeed reads %d items, want %d", len(parsed.Items), len(f.Items)))
	}
	for i, it := range parsed.Items {
		a := f.Items[i]
		id, link := it.GUID, it.Link
		wantLink := cleanText(a.Link)
		if format == feeds.Atom {
			// Atom ids are IRIs: a link used as the id that is not one is
			// written as a URN (ItemID without a source). gofeed reads
			// Atom ids and links as URLs that xml:base applies to, and
			// writes them back normalized.
			if want := wantID(a); id == gofeedURL(feeds.ItemID("", want)) {
				id = want
			}
			wantLink = gofeedURL(wantLink)
		}
		switch want := wantID(a); {
		case want == "" && !strings.HasPrefix(it.GUID, "urn:tributary:item:"):
			out = append(out, fmt.Sprintf("item %d: id %q, want a derived urn:tributary:item: id", i, short(it.GUID)))
		case want != "" && id != want:
			out = append(out, fmt.Sprintf("item %d: id %q, want %q", i, short(it.GUID), short(want)))
		}
		if link != wantLink {
			out = append(out, fmt.Sprintf("item %d: link %q, want %q", i, short(link), short(wantLink)))
		}
		// Published falls back to FetchedAt; a date is kept when it can
		// be written, to the second.
		pub := a.Published
		if !writable(pub) {
			pub = a.FetchedAt
		}
		if writable(pub) && !sameDate(it.PublishedParsed, pub) {
			out = append(out, fmt.Sprintf("item %d: published %v, want %v", i, it.PublishedParsed, pub.UTC()))
		}
	}
	return out
}

// BenchmarkRenderRandom renders one random feed of the property test in
// every format.
func BenchmarkRenderRandom(b *testing.B) {
	g := gen{r: rand.New(rand.NewPCG(1, 2))}
	f := g.feed()
	for len(f.Items) < 3 {
		f = g.feed()
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, format := range feeds.AllFormats() {
			if _, err := feeds.Render(f, format); err != nil {
				b.Fatal(err)
			}
		}
	}
}
