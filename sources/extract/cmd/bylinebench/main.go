// Command bylinebench measures how often the extract package names a page's
// author, over a corpus of pages with known bylines, and compares it with
// go-readability used alone on the same pages.
//
// A corpus is a directory of page directories, each holding source.html
// and expected-metadata.json (whose "byline" is the expected author), the
// layout of Mozilla Readability's test pages, which go-readability ships
// in its module. Without an argument the command reads those, from the
// module cache:
//
//	go run ./sources/extract/cmd/bylinebench [-v] [-raw] [DIR]
//
// See docs/full-text.md (Authors) for how a page is scored.
package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"codeberg.org/readeck/go-readability/v2"

	"github.com/tributary/tributary/sources/extract"
)

// corrections lists, per page of Mozilla's corpus, the bylines accepted
// besides (or, with replace, instead of) the expected one: Mozilla's
// expectations record what Readability.js printed, which on a few pages is
// a date or a button label rather than a name.
//
//go:embed corrections.json
var corrections []byte

// pageURL is the URL the pages are read as coming from, the one
// go-readability's own tests use.
const pageURL = "http://fakehost/test/page.html"

func main() {
	verbose := flag.Bool("v", false, "print every scored page, not only the misses")
	raw := flag.Bool("raw", false, "score against the corpus's expected bylines alone, without corrections.json")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: bylinebench [-v] [-raw] [DIR]\n\nDIR defaults to go-readability's test-pages in the module cache.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	dir := flag.Arg(0)
	if dir == "" {
		d, err := defaultCorpus()
		if err != nil {
			fmt.Fprintln(os.Stderr, "bylinebench:", err)
			os.Exit(2)
		}
		dir = d
	}
	fix := map[string]correction{}
	if !*raw {
		if err := json.Unmarshal(corrections, &fix); err != nil {
			fmt.Fprintln(os.Stderr, "bylinebench: corrections.json:", err)
			os.Exit(2)
		}
	}
	rep, err := run(dir, fix, os.Stdout, *verbose)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bylinebench:", err)
		os.Exit(1)
	}
	fmt.Println(rep)
}

// correction is an entry of corrections.json.
type correction struct {
	// Accept lists bylines that are right besides the expected one.
	Accept []string `json:"accept"`
	// Replace drops the expected byline: it names no one.
	Replace bool `json:"replace"`
	// Note says why.
	Note string `json:"note"`
}

// defaultCorpus returns go-readability's test-pages directory.
func defaultCorpus() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "codeberg.org/readeck/go-readability/v2").Output()
	if err != nil {
		return "", fmt.Errorf("find go-readability in the module cache (run from the module, or pass DIR): %w", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "test-pages")
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("corpus: %w", err)
	}
	return dir, nil
}

// report is the outcome of a run.
type report struct {
	pages, tributary, library int
}

func (r report) String() string {
	pct := func(n int) float64 {
		if r.pages == 0 {
			return 0
		}
		return 100 * float64(n) / float64(r.pages)
	}
	return fmt.Sprintf("tributary %d/%d (%.1f%%), go-readability alone %d/%d (%.1f%%)",
		r.tributary, r.pages, pct(r.tributary), r.library, r.pages, pct(r.library))
}

// run scores every page of dir that has a non-empty expected byline,
// printing the misses (every page when verbose) to w.
func run(dir string, fix map[string]correction, w io.Writer, verbose bool) (report, error) {
	var rep report
	entries, err := os.ReadDir(dir)
	if err != nil {
		return rep, fmt.Errorf("read corpus: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		meta, err := os.ReadFile(filepath.Join(dir, name, "expected-metadata.json"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return rep, fmt.Errorf("page %s: %w", name, err)
		}
		var want struct {
			Byline string `json:"byline"`
		}
		if err := json.Unmarshal(meta, &want); err != nil {
			return rep, fmt.Errorf("page %s: expected-metadata.json: %w", name, err)
		}
		accepted := acceptedBylines(want.Byline, fix[name])
		if len(accepted) == 0 {
			continue
		}
		body, err := os.ReadFile(filepath.Join(dir, name, "source.html"))
		if err != nil {
			return rep, fmt.Errorf("page %s: %w", name, err)
		}
		trib := tributaryByline(body)
		lib := libraryByline(body)
		okT, okL := match(trib, accepted), match(lib, accepted)
		rep.pages++
		if okT {
			rep.tributary++
		}
		if okL {
			rep.library++
		}
		if verbose || !okT || !okL {
			fmt.Fprintf(w, "%-40s want %q\n%40s tributary %s %q, go-readability %s %q\n", name, accepted, "", mark(okT), trib, mark(okL), lib)
		}
	}
	return rep, nil
}

func mark(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISS"
}

// acceptedBylines returns the bylines that count as right for a page:
// the expected one unless the correction replaces it, and the correction's.
func acceptedBylines(expected string, c correction) []string {
	var out []string
	if strings.TrimSpace(expected) != "" && !c.Replace {
		out = append(out, expected)
	}
	return append(out, c.Accept...)
}

// tributaryByline is the authors the extract package finds, joined.
func tributaryByline(body []byte) string {
	// A page without readable content still carries its metadata.
	res, _ := extract.Extract(body, pageURL, extract.Options{})
	names := make([]string, 0, len(res.Authors))
	for _, a := range res.Authors {
		names = append(names, a.Name)
	}
	return strings.Join(names, ", ")
}

// libraryByline is the byline go-readability finds alone.
func libraryByline(body []byte) string {
	u, _ := url.Parse(pageURL)
	art, err := readability.FromReader(bytes.NewReader(body), u)
	if err != nil {
		return ""
	}
	return art.Byline()
}

// match reports whether got is one of the accepted bylines, compared as
// bags of words: case, punctuation (but for the "@" of a handle), order, a
// leading "By" and the words joining names ("and", "&") do not count.
func match(got string, accepted []string) bool {
	g := words(got)
	if len(g) == 0 {
		return false
	}
	for _, a := range accepted {
		if slices.Equal(g, words(a)) {
			return true
		}
	}
	return false
}

// words returns the sorted, lower-cased words of a byline, without a
// leading "by" or "par" and without "and"/"et"/"und".
func words(s string) []string {
	// "@" stays: a handle is not the name it spells.
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '@' })
	if len(f) > 0 && (f[0] == "by" || f[0] == "par" || f[0] == "von") {
		f = f[1:]
	}
	f = slices.DeleteFunc(f, func(w string) bool { return w == "and" || w == "et" || w == "und" })
	slices.Sort(f)
	return f
}
