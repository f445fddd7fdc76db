package main

// What must hold of everything Tributary publishes, whatever its sources
// sent: valid UTF-8, plausible dates, safe HTML and URLs, no /etc/passwd.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"github.com/tributary/tributary/internal/xmlcheck"
)

// TestUnsafeHTMLCatchesEachVector proves the checker used on published
// content is not blind: each hostile snippet alone is reported, and the
// markup a sanitized article legitimately keeps is not.
func TestUnsafeHTMLCatchesEachVector(t *testing.T) {
	for _, bad := range []string{
		`<script>alert(1)</script>`,
		`<img src="https://example.com/a.jpg" onerror="alert(1)">`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href=" JaVa&#x09;ScRiPt:alert(1)">x</a>`,
		`<a href="vbscript:msgbox(1)">x</a>`,
		`<a href="data:text/html;base64,AAAA">x</a>`,
		`<img srcset="https://example.com/a.jpg 1x, javascript:alert(1) 2x">`,
		`<video poster="javascript:alert(1)"></video>`,
		`<iframe src="https://evil.example/"></iframe>`,
		`<iframe srcdoc="x"></iframe>`,
		`<object data="x.swf"></object>`,
		`<embed src="x.swf">`,
		`<form action="https://evil.example/"><input name="p"></form>`,
		`<button formaction="javascript:alert(1)">x</button>`,
		`<div style="width: expression(alert(1))">x</div>`,
		`<p style="background:url(javascript:alert(1))">x</p>`,
		`<p style="position:fixed;top:0">x</p>`,
		`<style>p{}</style>`,
		`<link rel="stylesheet" href="x.css">`,
		`<meta http-equiv="refresh" content="0">`,
		`<base href="https://evil.example/">`,
		`<svg><circle/></svg>`,
		`<math><mi>x</mi></math>`,
		`<img src="https://example.com/p.gif" width="1" height="1">`,
		`<img src="https://example.com/p.gif" height="0">`,
		`<img src="https://tracker.example/p.gif">`,
	} {
		if len(xmlcheck.UnsafeHTML(bad)) == 0 {
			t.Errorf("checker misses %s", bad)
		}
	}
	good := `<p>Text <a href="https://example.com/">link</a> <a href="mailto:a@example.com">mail</a></p>` +
		`<figure><img src="https://example.com/a.jpg" srcset="https://example.com/a.jpg 1x, https://example.com/b.jpg 2x" width="640" height="480" alt="a"><figcaption>c</figcaption></figure>` +
		`<video src="https://example.com/v.mp4" poster="https://example.com/p.jpg" controls></video><blockquote cite="https://example.com/q">q</blockquote>`
	if p := xmlcheck.UnsafeHTML(good); len(p) != 0 {
		t.Errorf("checker flags safe markup: %q", p)
	}
	for _, u := range []string{"javascript:alert(1)", " JAVASCRIPT:x", "vbscript:x", "data:image/png;base64,AAAA"} {
		if xmlcheck.ScriptScheme(u) == "" {
			t.Errorf("ScriptScheme(%q) = \"\"", u)
		}
	}
	if !yearOneRe.MatchString("<published>0001-01-01T00:00:00Z</published>") || !yearOneRe.MatchString("<pubDate>Mon, 01 Jan 0001 00:00:00 +0000</pubDate>") {
		t.Error("the year-1 pattern misses year-1 dates")
	}
}

var yearOneRe = regexp.MustCompile(`\b0001-\d\d-\d\d|\b\d\d? [A-Z][a-z]{2} 0001\b`)

// earliest is the first date any published item may carry: the sources
// refuse older ones and fall back to the time they first saw the story.
var earliest = time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)

// checkPublished asserts what must hold of any published output: valid
// UTF-8, no year-1 (or pre-1995) dates, safe HTML in every item, no
// /etc/passwd.
func checkPublished(t *testing.T, outputs map[string][]byte, parsed map[string]*gofeed.Feed) {
	t.Helper()
	for name, b := range outputs {
		if !utf8.Valid(b) {
			t.Errorf("%s is not valid UTF-8", name)
		}
		if m := yearOneRe.Find(b); m != nil {
			t.Errorf("%s carries a year-1 date: %q", name, m)
		}
		assertNoPasswd(t, name, string(b))
	}
	for name, f := range parsed {
		for _, it := range f.Items {
			for _, d := range []*time.Time{it.PublishedParsed, it.UpdatedParsed} {
				if d != nil && d.Before(earliest) {
					t.Errorf("%s: item %q dated %s", name, it.Title, d)
				}
			}
			if strings.Contains(strings.ToLower(it.Title), "<script") {
				t.Errorf("%s: item title carries a script: %q", name, it.Title)
			}
			where := name + ": " + it.Title
			// A JSON Feed summary is plain text by the specification (the
			// renderer writes PlainText of the stored HTML); the other
			// formats carry HTML there.
			if !strings.HasSuffix(name, ".json") {
				assertSafeHTML(t, where, it.Description)
			}
			assertSafeHTML(t, where, it.Content)
			assertSafeURL(t, where+" link", it.Link)
			for _, l := range it.Links {
				assertSafeURL(t, where+" link", l)
			}
			if it.Image != nil {
				assertSafeURL(t, where+" image", it.Image.URL)
			}
			for _, e := range it.Enclosures {
				assertSafeURL(t, where+" enclosure", e.URL)
			}
			for _, a := range it.Authors {
				if a != nil {
					assertSafeURL(t, where+" author", a.Email)
				}
			}
		}
	}
}

// passwdNeedles returns strings from /etc/passwd that must never be
// published.
func passwdNeedles(t *testing.T) []string {
	t.Helper()
	needles := []string{"root:x:0:0", "root:*:0:0"}
	if b, err := os.ReadFile("/etc/passwd"); err == nil {
		first, _, _ := strings.Cut(string(b), "\n")
		if first = strings.TrimSpace(first); len(first) > 8 {
			needles = append(needles, first)
		}
	}
	return needles
}

func assertNoPasswd(t *testing.T, where, s string) {
	t.Helper()
	for _, n := range passwdNeedles(t) {
		if strings.Contains(s, n) {
			t.Errorf("%s contains /etc/passwd content %q", where, n)
		}
	}
}

// assertStoreHasNoPasswd greps the raw SQLite files for /etc/passwd.
func assertStoreHasNoPasswd(t *testing.T, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "test.db*"))
	if len(files) == 0 {
		t.Fatalf("no store files in %s", dir)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		assertNoPasswd(t, "store file "+filepath.Base(f), string(b))
	}
}

// assertSafeHTML fails for every problem xmlcheck.UnsafeHTML finds in s.
func assertSafeHTML(t *testing.T, where, s string) {
	t.Helper()
	for _, p := range xmlcheck.UnsafeHTML(s) {
		t.Errorf("%s: published content %s", where, p)
	}
}

// assertSafeURL fails when a published URL runs code.
func assertSafeURL(t *testing.T, where, u string) {
	t.Helper()
	if xmlcheck.ScriptScheme(u) != "" {
		t.Errorf("%s: published URL %q", where, u)
	}
}
