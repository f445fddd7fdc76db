package feeds

import (
	"net/url"
	"testing"
)

// FuzzSanitizeHTML feeds arbitrary HTML (seeded with the XSS vector set) to
// the sanitizer: the output never holds a dangerous element, attribute or
// URL and is free of characters XML forbids.
func FuzzSanitizeHTML(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v)
	}
	f.Add(`<p>ok <a href="/rel">link</a><img src="x.png" width="1" height="1"></p>`)
	f.Add("<p>\x00\x1b\uFFFE</p>")
	base, _ := url.Parse("https://example.com/dir/page.html")
	f.Fuzz(func(t *testing.T, in string) {
		out := SanitizeHTML(in, base)
		if bad := unsafeNodes(out); len(bad) > 0 {
			t.Fatalf("unsafe output %q for input %q: %v", out, in, bad)
		}
		if StripControl(out) != out {
			t.Fatalf("output keeps characters XML forbids: %q", out)
		}
	})
}
