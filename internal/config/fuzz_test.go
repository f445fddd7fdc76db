package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that every problem it reports
// is a located FieldError, that the decoder never refuses a value the
// schema walk let through (its message would be "decode: ..." and less
// clear), and that a Config it returns is valid.
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
		"listen: ${HOST}:${PORT}\nsources: [{name: ${A}, url: \"https://${B}/\", tags: [${C}, x]}]\nfeeds: [{name: all, sources: [${A}], limit: ${N}}]\n",
		"x-d: &d {fulltext: ${T}, tags: ${TAGS}}\nsources: [{<<: *d, name: a}, *d]\n${K}: |\n  ${V}\n",
		"title: ${1X} ${UNTERMINATED\nfetch: [${A}]\n",
		"sources: &a [*a]\n",
		"x-d: &d {kind: page}\nsources: [{<<: *d, name: a, url: \"https://a.example/\"}]\nfeeds: [{name: all}]\n",
		"fetch: {max_body_size: 1.5GiB, timeout: 1h}\n",
		"- a\n- b\n",
		"a: b\n---\nc: d\n",
		"sources:\n  - name: a\n    url: file:///nonexistent\n    kind: page\n    selectors: {item: 'a[', link: '@'}\n",
		"fetch: {max_body_size: 1.5, workers: 0}\n",
		"fetch: {max_body_size: !!float 10, max_redirects: 010, timeout: 0}\n",
		"fetch: {max_redirects: \"-1\", allow_private_networks: !!str true, timeout: !!int 10s}\n",
		"fetch: !!map {workers: 3}\ntitle: *nope\nx-a: !!bool 3\n",
		"x-a: &a 3\nfetch: {<<: *a}\nsources: [~, 3, {tags: [[a], !!int 1]}]\n",
		"fetch: {<<: &a {workers: 3}, max_redirects: *a}\n",
		"fetch: {<<: [{workers: 2}]}\n",
		"{<<:{}}\n",
		"schedule: TZ=UTC\n",
		"schedule: '@every 500ms'\n",
		"fetch: {workers: \"\\x33\", max_body_size: \"\\x31MiB\"}\nsources: [{tags: &t [[x]]}, {tags: *t}]\n",
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
			if strings.HasPrefix(fe.Err.Error(), "decode: ") {
				t.Fatalf("the schema walk let through what the decoder refuses: %v", fe)
			}
		}
	})
}
