// Package xmlcheck checks rendered feeds the way a strict consumer would:
// well-formedness with encoding/xml in strict mode; validity against a
// RELAX NG schema (RFC 4287's for Atom) with jing, many documents per jing
// run because each run starts a JVM; their date elements (Dates); and the
// safety of the HTML they carry, as a feed reader would render it
// (UnsafeHTML). It is a helper for tests: the end-to-end tests of
// cmd/tributary and the parser tests of sources share these checks.
package xmlcheck

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// DefaultBatchSize is how many documents one jing run validates.
const DefaultBatchSize = 200

// WellFormed returns nil when b is one well-formed XML document: the
// encoding/xml decoder in strict mode reads it to EOF, which rejects
// unbalanced tags, undefined entities and characters XML forbids; and, what
// encoding/xml lets pass, there is exactly one root element and no text
// outside it.
func WellFormed(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if roots == 0 {
				return errors.New("xml: no root element")
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("xml: %w", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return fmt.Errorf("xml: second root element <%s> at offset %d", tok.Name.Local, d.InputOffset())
				}
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(tok)) > 0 {
				return fmt.Errorf("xml: text outside the root element at offset %d", d.InputOffset())
			}
		}
	}
}

// RequireTool skips t with the message, or fails it when the environment
// variable CI is "true", so that a CI machine without a tool or a corpus
// cannot pass silently.
func RequireTool(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// FeedparserPython returns a python3 that can import feedparser, Python's
// feed parser, written independently of ours: /usr/bin/python3 first (the
// Debian package python3-feedparser), then the python3 on PATH. Without
// one it calls RequireTool.
func FeedparserPython(t testing.TB) string {
	t.Helper()
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	for _, py := range candidates {
		if exec.Command(py, "-c", "import feedparser").Run() == nil {
			return py
		}
	}
	RequireTool(t, "no python3 that can import feedparser (apt-get install python3-feedparser)")
	return ""
}

// RepoRoot returns the directory at or above dir that holds go.mod.
func RepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find repository root: no go.mod above the directory")
		}
		dir = parent
	}
}

// SharedDir returns the project's shared directory (schemas, corpora):
// ../shared beside the repository that holds dir.
func SharedDir(dir string) (string, error) {
	root, err := RepoRoot(dir)
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "..", "shared"), nil
}

// Jing validates documents against a RELAX NG compact schema with jing.
type Jing struct {
	// Path is the jing executable; Schema the .rnc file.
	Path, Schema string
	// BatchSize is how many files one run validates; DefaultBatchSize when
	// zero. Workers is how many runs may go at once; 2 when zero.
	BatchSize, Workers int
}

// AtomValidator finds jing on PATH and RFC 4287's schema in the shared
// directory beside the repository that holds dir. The error says what is
// missing and how to get it.
func AtomValidator(dir string) (*Jing, error) {
	shared, err := SharedDir(dir)
	if err != nil {
		return nil, err
	}
	schema := filepath.Join(shared, "schemas", "atom.rnc")
	if _, err := os.Stat(schema); err != nil {
		return nil, fmt.Errorf("atom validator: schema missing: %w", err)
	}
	jing, err := exec.LookPath("jing")
	if err != nil {
		return nil, fmt.Errorf("atom validator: jing not installed (apt-get install jing): %w", err)
	}
	return &Jing{Path: jing, Schema: schema}, nil
}

// Validate validates files and returns, for each invalid one, jing's
// messages about it (line:column: error: text). The error is not nil only
// when jing could not do its job: it did not run, or it failed without
// naming one of the files (a broken schema, for instance).
func (j *Jing) Validate(ctx context.Context, files []string) (map[string][]string, error) {
	size := j.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	workers := j.Workers
	if workers <= 0 {
		workers = 2
	}
	var (
		mu       sync.Mutex
		problems = map[string][]string{}
		errs     []error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, workers)
	)
	for start := 0; start < len(files); start += size {
		batch := files[start:min(start+size, len(files))]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			p, err := j.run(ctx, batch)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			for f, m := range p {
				problems[f] = append(problems[f], m...)
			}
		}()
	}
	wg.Wait()
	return problems, errors.Join(errs...)
}

// run validates one batch with one jing run.
func (j *Jing) run(ctx context.Context, files []string) (map[string][]string, error) {
	args := append([]string{"-c", j.Schema}, files...)
	out, err := exec.CommandContext(ctx, j.Path, args...).CombinedOutput()
	problems := map[string][]string{}
	var unattributed []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "[warning]") || strings.TrimSpace(line) == "" {
			continue // the Debian wrapper's complaints about optional jars
		}
		if f, msg, ok := attribute(line, files); ok {
			problems[f] = append(problems[f], msg)
			continue
		}
		unattributed = append(unattributed, line)
	}
	if len(unattributed) > 0 {
		return problems, fmt.Errorf("run jing: %v: %s", err, strings.Join(unattributed, "\n"))
	}
	if err == nil {
		return problems, nil
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || len(problems) == 0 {
		return problems, fmt.Errorf("run jing: %w", err)
	}
	return problems, nil
}

// attribute finds which file a jing message ("path:line:col: error: text")
// is about.
func attribute(line string, files []string) (file, msg string, ok bool) {
	for _, f := range files {
		if rest, found := strings.CutPrefix(line, f+":"); found {
			return f, rest, true
		}
	}
	return "", "", false
}

// Set collects documents to validate together, each under a label (what
// it was made from, e.g. a corpus file name) by which results are reported.
type Set struct {
	dir    string
	paths  []string
	labels map[string]string // path -> label
}

// NewSet returns an empty set whose documents are written under dir.
func NewSet(dir string) *Set {
	return &Set{dir: dir, labels: map[string]string{}}
}

// Add writes doc to the set's directory, to be validated under label.
func (s *Set) Add(label string, doc []byte) error {
	p := filepath.Join(s.dir, fmt.Sprintf("doc%06d.xml", len(s.paths)))
	if err := os.WriteFile(p, doc, 0o644); err != nil {
		return fmt.Errorf("add document %s: %w", label, err)
	}
	s.paths = append(s.paths, p)
	s.labels[p] = label
	return nil
}

// Len is the number of documents in the set.
func (s *Set) Len() int { return len(s.paths) }

// Validate validates every document of the set with j and returns, by
// label, the messages about the invalid ones; see Jing.Validate.
func (s *Set) Validate(ctx context.Context, j *Jing) (map[string][]string, error) {
	problems, err := j.Validate(ctx, s.paths)
	byLabel := make(map[string][]string, len(problems))
	for p, msgs := range problems {
		byLabel[s.labels[p]] = append(byLabel[s.labels[p]], msgs...)
	}
	return byLabel, err
}
