package sources

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// corpusDir is the W3C feed validator test suite, shared by the project.
const corpusDir = "../../shared/corpus/w3c-feedvalidator"

// TestParseCorpus runs Parse over every file of the W3C feed validator
// suite (valid and invalid feeds, and non-feeds): it must never panic, and
// every article it produces must have an id and no year-1 dates.
func TestParseCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus %s missing: %v", corpusDir, err)
		}
		t.Skipf("corpus %s missing (%v); set it up to run this test", corpusDir, err)
	}
	files, parsed, articles := 0, 0, 0
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic: %v", path, r)
				}
			}()
			res, err := Parse(data, "", "http://www.example.com/feed.xml", "corpus", testNow)
			if err != nil {
				return
			}
			parsed++
			for _, a := range res.Articles {
				articles++
				if a.ID == "" {
					t.Errorf("%s: article without id: %+v", path, a)
				}
				if a.Published.Year() == 1 && !a.Published.IsZero() || a.Updated.Year() == 1 && !a.Updated.IsZero() {
					t.Errorf("%s: year-1 date: %+v", path, a)
				}
				if !a.Published.IsZero() && a.Published.Year() < 1995 {
					t.Errorf("%s: implausible date %v", path, a.Published)
				}
			}
		}()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 1000 || parsed < files*9/10 {
		t.Errorf("parsed %d of %d files; expected nearly all of the suite to parse", parsed, files)
	}
	t.Logf("%d files, %d parsed, %d articles", files, parsed, articles)
}
