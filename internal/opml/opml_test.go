package opml

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func readFile(t *testing.T, name string) ([]Feed, []Skipped) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	feeds, skipped, err := Read(f)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return feeds, skipped
}

// brief is a feed in one line, for comparing.
func brief(f Feed) string {
	return f.Title + " | " + f.XMLURL + " | " + f.HTMLURL + " | " + strings.Join(f.Folders, "/")
}

func TestReadExports(t *testing.T) {
	cases := map[string]struct {
		feeds   []string
		skipped int
	}{
		"testdata/feedly.opml": {feeds: []string{
			"The Go Blog | https://go.dev/blog/feed.atom | https://go.dev/blog | Tech",
			"LWN.net | https://lwn.net/headlines/rss | https://lwn.net | Tech",
			"Café Society | https://cafe.example/feed?a=1&b=2#top | https://cafe.example/ | News & Politics",
		}},
		"testdata/inoreader.xml": {feeds: []string{
			"Rust Blog | https://blog.rust-lang.org/feed.xml | https://blog.rust-lang.org/ | Programming",
			"The Go Blog | http://www.go.dev/blog/feed.atom/ | https://go.dev/blog | Programming/Go",
			"Loose feed | https://loose.example/atom.xml | https://loose.example/ | ",
		}, skipped: 1},
		"testdata/netnewswire.opml": {feeds: []string{
			"Daring Fireball | https://daringfireball.net/feeds/main | https://daringfireball.net/ | ",
			"Six Colors | https://sixcolors.com/feed/ | https://sixcolors.com/ | Apple",
			"Daring Fireball (again) | https://daringfireball.net/feeds/main | https://daringfireball.net/ | Apple",
		}},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			feeds, skipped := readFile(t, name)
			var got []string
			for _, f := range feeds {
				got = append(got, brief(f))
			}
			if strings.Join(got, "\n") != strings.Join(want.feeds, "\n") {
				t.Errorf("feeds:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want.feeds, "\n"))
			}
			if len(skipped) != want.skipped {
				t.Errorf("skipped %+v, want %d", skipped, want.skipped)
			}
			for _, f := range feeds {
				if f.Line <= 1 {
					t.Errorf("%s: line %d", f.Title, f.Line)
				}
			}
		})
	}
}

func TestReadRefusesHostileDocuments(t *testing.T) {
	outline := `<outline text="x" xmlUrl="https://x.example/"/>`
	cases := map[string]struct {
		doc  string
		want string
	}{
		"billion laughs":    {`<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><opml version="2.0"><body><outline text="&b;" xmlUrl="https://x.example/"/></body></opml>`, "DOCTYPE"},
		"external entity":   {`<?xml version="1.0"?><!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml><body/></opml>`, "DOCTYPE"},
		"undefined entity":  {`<opml><body><outline text="&xxe;" xmlUrl="https://x.example/"/></body></opml>`, "entity"},
		"too many outlines": {`<opml><body>` + strings.Repeat(outline, MaxOutlines+1) + `</body></opml>`, "more than 20000 outlines"},
		"too deep":          {`<opml><body>` + strings.Repeat(`<outline text="f">`, MaxDepth+1) + strings.Repeat(`</outline>`, MaxDepth+1) + `</body></opml>`, "nested"},
		"too large":         {`<opml><head><title>` + strings.Repeat("x", MaxBytes) + `</title></head></opml>`, "bytes"},
		"not opml":          {`<rss><channel/></rss>`, "not an OPML document"},
		"empty":             {``, "empty"},
		"truncated":         {`<opml><body><outline text="x"`, "opml:"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := Read(strings.NewReader(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
			if strings.Contains(name, "too") && !errors.Is(err, ErrTooLarge) {
				t.Errorf("err = %v, want ErrTooLarge", err)
			}
		})
	}
}

func TestWriteThenRead(t *testing.T) {
	doc := SourcesDocument("T", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), []Source{
		{Name: "a", URL: "https://a.example/feed?x=1&y=<2>", Tags: []string{"t1", "t2"}},
		{Name: "b", URL: "https://b.example/rss", Tags: []string{"t2"}},
		{Name: "c", URL: "https://u:p@c.example/rss"},
		{Name: "d", URL: "file:///etc/feed.xml"},
		{Name: "e", URL: "https://e.example/feed?format=rss&token=s3cr3t&apiKey=s3cr3t2&lang=en&Auth=x"},
		{Name: "f", URL: "https://f.example/private.rss?key=s3cr3t&author=3&feed=rss2&authorization=s3cr3t3"},
	})
	var b bytes.Buffer
	if err := Write(&b, doc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "<dateCreated>Fri, 02 Jan 2026 03:04:05 +0000</dateCreated>") {
		t.Errorf("no dateCreated:\n%s", b.String())
	}
	feeds, _, err := Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range feeds {
		got = append(got, brief(f))
	}
	want := "a | https://a.example/feed?x=1&y=<2> |  | t1/t2\n" +
		"b | https://b.example/rss |  | t2\n" +
		"c | https://c.example/rss |  | \n" +
		"e | https://e.example/feed?format=rss&lang=en |  | \n" +
		"f | https://f.example/private.rss?author=3&feed=rss2 |  | "
	if strings.Contains(b.String(), "s3cr3t") {
		t.Errorf("a credential in a query string was published:\n%s", b.String())
	}
	if strings.Join(got, "\n") != want {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}
