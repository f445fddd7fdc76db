package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics, that every problem it reports
// is a located FieldError, and that a Config it returns is valid.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"full.yaml", "minimal.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"listen: ${PORT:-8080}\n",
		"sources: &a [*a]\n",
		"x-d: &d {kind: page}\nsources: [{<<: *d, name: a, url: \"https://a.example/\"}]\nfeeds: [{name: all}]\n",
		"fetch: {max_body_size: 1.5GiB, timeout: 1h}\n",
		"- a\n- b\n",
		"a: b\n---\nc: d\n",
		"sources:\n  - name: a\n    url: file:///nonexistent\n    kind: page\n    selectors: {item: 'a[', link: '@'}\n",
	} {
		f.Add([]byte(s))
	}
	path := filepath.Join(f.TempDir(), "config.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parse(data, path, func(string) (string, bool) { return "", false })
		if err == nil {
			if c == nil {
				t.Fatal("Parse returned neither a Config nor an error")
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("Parse returned a Config that fails Validate: %v", err)
			}
			return
		}
		if c != nil {
			t.Fatalf("Parse returned a Config along with %v", err)
		}
		var errs Errors
		if !errors.As(err, &errs) || len(errs) == 0 {
			t.Fatalf("error %v (%T) is not a non-empty config.Errors", err, err)
		}
		for _, fe := range errs {
			if fe == nil || fe.Err == nil || fe.Line < 0 || fe.File != path {
				t.Fatalf("malformed problem %#v in %v", fe, err)
			}
		}
	})
}
