package pipeline

import (
	"strings"
	"testing"

	"github.com/tributary/tributary/sources"
)

// TestFingerprints lists which configuration changes move which
// fingerprint: the document's when what the document reads changes, the
// pages' when what extraction removes changes, neither when only when or
// where articles go changes.
func TestFingerprints(t *testing.T) {
	base := func() Source {
		return Source{
			Source: sources.Source{
				Name: "blog", URL: "https://user:secret@blog.example/news", Kind: "page", MaxItems: 1000,
				Selectors: sources.Selectors{Item: "article", Title: "h2", Link: "a@href", Summary: "p", Image: "img", Date: "time"},
				Rewrite: sources.Rewrite{
					Remove:  []string{".share", "#comments"},
					Replace: []sources.Replace{{Field: "title", Pattern: " - Blog$", With: ""}},
				},
			},
			FullText: true,
		}
	}
	tests := []struct {
		name          string
		change        func(*Source)
		document, pgs bool // which fingerprint moves
	}{
		{"nothing", func(*Source) {}, false, false},
		{"url", func(s *Source) { s.URL = "https://user:secret@blog.example/news/" }, true, false},
		{"url scheme", func(s *Source) { s.URL = "http://user:secret@blog.example/news" }, true, false},
		{"kind", func(s *Source) { s.Kind = "feed" }, true, false},
		{"item selector", func(s *Source) { s.Selectors.Item = "div.post" }, true, false},
		{"title selector", func(s *Source) { s.Selectors.Title = "h3" }, true, false},
		{"link selector", func(s *Source) { s.Selectors.Link = "a" }, true, false},
		{"summary selector", func(s *Source) { s.Selectors.Summary = "" }, true, false},
		{"image selector", func(s *Source) { s.Selectors.Image = "img@data-src" }, true, false},
		{"date selector", func(s *Source) { s.Selectors.Date = "span.date" }, true, false},
		// A value moved to the next field is another configuration.
		{"selector moved to another field", func(s *Source) { s.Selectors.Title, s.Selectors.Link = "a@href", "h2" }, true, false},
		{"max items", func(s *Source) { s.MaxItems = 50 }, true, false},
		{"fulltext", func(s *Source) { s.FullText = false }, true, false},
		// Rewriting applies to the document's articles and to the pages.
		{"remove added", func(s *Source) { s.Rewrite.Remove = append(s.Rewrite.Remove, ".ad") }, true, true},
		{"remove changed", func(s *Source) { s.Rewrite.Remove[1] = "#comment" }, true, true},
		{"remove reordered", func(s *Source) { s.Rewrite.Remove[0], s.Rewrite.Remove[1] = s.Rewrite.Remove[1], s.Rewrite.Remove[0] }, true, true},
		{"remove emptied", func(s *Source) { s.Rewrite.Remove = nil }, true, true},
		{"replace added", func(s *Source) {
			s.Rewrite.Replace = append(s.Rewrite.Replace, sources.Replace{Field: "content", Pattern: "<hr>", With: ""})
		}, true, true},
		{"replace pattern", func(s *Source) { s.Rewrite.Replace[0].Pattern = " – Blog$" }, true, true},
		{"replace with", func(s *Source) { s.Rewrite.Replace[0].With = "!" }, true, true},
		{"replace field", func(s *Source) { s.Rewrite.Replace[0].Field = "content" }, true, true},
		{"replace emptied", func(s *Source) { s.Rewrite.Replace = nil }, true, true},
		// What Fetch reads the same way moves nothing.
		{"selector spacing", func(s *Source) { s.Selectors.Item = "  article " }, false, false},
		{"kind case", func(s *Source) { s.Kind = " Page" }, false, false},
		{"remove spacing", func(s *Source) { s.Rewrite.Remove[0] = " .share" }, false, false},
		{"replace field case", func(s *Source) { s.Rewrite.Replace[0].Field = " Title" }, false, false},
		// When and where articles go, and the URL's credentials (never
		// hashed: they could be guessed from the stored hash).
		{"name", func(s *Source) { s.Name = "blog2" }, false, false},
		{"password", func(s *Source) { s.URL = "https://user:other@blog.example/news" }, false, false},
		{"no credentials", func(s *Source) { s.URL = "https://blog.example/news" }, false, false},
	}
	want := base().Fingerprints()
	for _, h := range []string{want.Document, want.Pages} {
		if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
			t.Fatalf("fingerprint %q is not a hex SHA-256", h)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.change(&s)
			got := s.Fingerprints()
			if moved := got.Document != want.Document; moved != tt.document {
				t.Errorf("document fingerprint moved = %t, want %t", moved, tt.document)
			}
			if moved := got.Pages != want.Pages; moved != tt.pgs {
				t.Errorf("pages fingerprint moved = %t, want %t", moved, tt.pgs)
			}
		})
	}
	// A source without rewriting keeps the fingerprints it had before
	// rewriting applied to documents: an upgrade fetches it afresh only
	// when it has some.
	plain := base()
	plain.Rewrite = sources.Rewrite{}
	fp := plain.Fingerprints()
	// The hashes of this very source computed before rewriting applied
	// to documents (at 1a98b85).
	if fp.Document != "9348840d95940360d603ec146c826a0183bafa2555a441bc43d19abfcc604d48" ||
		fp.Pages != "c6b40a695d5b5d17c5be80cfa2e4e364cd82be194d4fc317f3f601e15205d4b4" {
		t.Errorf("a source without rewriting has new fingerprints %+v: an upgrade would fetch it afresh", fp)
	}
	// An empty kind is a feed, as Fetch reads it.
	a, b := base(), base()
	a.Kind, b.Kind = "", "feed"
	if a.Fingerprints() != b.Fingerprints() {
		t.Error("kind \"\" and kind feed have different fingerprints")
	}
}
