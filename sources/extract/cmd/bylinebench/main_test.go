package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		got      string
		accepted []string
		want     bool
	}{
		{"Erin Cunningham", []string{"By Erin Cunningham"}, true},
		{"erin  CUNNINGHAM.", []string{"Erin Cunningham"}, true},
		{"Jennifer Jett, Stella Kim", []string{"Stella Kim, Jennifer Jett"}, true},
		{"Stella Kim and Jennifer Jett", []string{"Stella Kim, Jennifer Jett"}, true},
		{"Kooman, F., Jong, Michiel de", []string{"Jong, Michiel de", "Kooman, F.; Jong, Michiel de"}, true},
		{"@erinmcunningham", []string{"By Erin Cunningham"}, false},
		{"@Sleyca", []string{"Sleyca"}, false},
		{"Erin Cunningham, More Erin Cunningham", []string{"Erin Cunningham"}, false},
		{"Erin", []string{"Erin Cunningham"}, false},
		{"", []string{"Erin Cunningham"}, false},
		{"By", []string{"By"}, false},
	}
	for _, tt := range tests {
		if got := match(tt.got, tt.accepted); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.got, tt.accepted, got, tt.want)
		}
	}
}

// TestRun scores a corpus of two pages with a byline and one without.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, byline, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		meta, _ := json.Marshal(map[string]any{"byline": byline})
		if byline == "" {
			meta = []byte(`{"byline": null}`)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "expected-metadata.json"), meta, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "source.html"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	story := strings.Repeat("<p>The council met on Tuesday and voted to keep the library open on Sundays, after a long debate about the budget.</p>", 6)
	write("named", "By Jane Doe", `<html><head><meta name="author" content="Jane Doe"></head><body><article><h1>Library</h1><p class="byline">By Jane Doe</p>`+story+`</article></body></html>`)
	write("wrong", "Someone Else", `<html><head><meta name="author" content="Jane Doe"></head><body><article><h1>Library</h1>`+story+`</article></body></html>`)
	write("unnamed", "", `<html><body><article><h1>Library</h1>`+story+`</article></body></html>`)
	var out bytes.Buffer
	rep, err := run(dir, map[string]correction{"wrong": {Accept: []string{"Jane Doe"}}}, &out, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.pages != 2 || rep.tributary != 2 {
		t.Errorf("report = %+v, want 2 pages scored, both right for tributary\n%s", rep, out.String())
	}
	rep, err = run(dir, nil, &out, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.pages != 2 || rep.tributary != 1 {
		t.Errorf("without corrections: report = %+v, want 1 of 2", rep)
	}
	if !strings.Contains(out.String(), "wrong") {
		t.Errorf("the miss is not printed:\n%s", out.String())
	}
}

// TestCorpusAtLeastLibrary runs the benchmark on go-readability's test
// pages: Tributary names the right author at least as often as the library
// alone, and on every page where the library does.
func TestCorpusAtLeastLibrary(t *testing.T) {
	// The pages take seconds, and a minute and a half under the race
	// detector, which has nothing to find in this single goroutine.
	if testing.Short() || raceEnabled {
		t.Skip("the corpus is slow: skipped with -short and -race; run go test ./sources/extract/cmd/bylinebench")
	}
	dir, err := defaultCorpus()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("go-readability's test pages: %v", err)
		}
		t.Skipf("go-readability's test pages: %v", err)
	}
	fix := map[string]correction{}
	if err := json.Unmarshal(corrections, &fix); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep, err := run(dir, fix, &out, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	if rep.pages < 70 || rep.tributary < rep.library {
		t.Errorf("%s\n%s", rep, out.String())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "tributary MISS") && strings.Contains(line, "go-readability ok") {
			t.Errorf("the library alone names the author, Tributary does not:\n%s", out.String())
			break
		}
	}
}
