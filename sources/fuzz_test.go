package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tributary/tributary/feeds"
)

// FuzzParse feeds arbitrary bytes to Parse: it must not panic, and any
// article it returns must have an id, valid UTF-8 text and no implausible
// dates.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	// The hostile feeds of robustness_test.go are seeds too.
	hostile, err := filepath.Glob(filepath.Join("testdata", "hostile", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range append(files, hostile...) {
		if st, err := os.Stat(name); err != nil || st.IsDir() || strings.HasSuffix(name, ".html") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "")
	}
	f.Add([]byte(`<rss><channel><item><title>x`), "text/xml; charset=koi8-r")
	f.Fuzz(func(t *testing.T, data []byte, contentType string) {
		res, err := Parse(data, contentType, testFeedURL, "fuzz", testNow)
		if err != nil {
			return
		}
		for _, a := range res.Articles {
			if a.ID == "" {
				t.Fatalf("article without id: %+v", a)
			}
			for _, s := range []string{a.Title, a.Summary, a.Content, a.Link} {
				if !utf8.ValidString(s) {
					t.Fatalf("invalid UTF-8 in %q", s)
				}
			}
			if !a.Published.IsZero() && (a.Published.Year() < 1995 || a.Published.After(testNow.Add(maxFutureSkew))) {
				t.Fatalf("implausible date %v", a.Published)
			}
			if n := utf8.RuneCountInString(a.Title); n > feeds.MaxTitleRunes {
				t.Fatalf("title of %d runes", n)
			}
		}
	})
}
