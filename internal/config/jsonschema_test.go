package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var update = flag.Bool("update", false, "rewrite ../../config.schema.json from the Config structs")

// schemaFile is the committed schema, beside the shipped config.yaml.
const schemaFile = "../../config.schema.json"

// TestJSONSchemaFile checks that the committed config.schema.json is the
// one the Config structs make, byte for byte: a key added, renamed or
// documented differently must be regenerated.
func TestJSONSchemaFile(t *testing.T) {
	want, err := generateJSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(schemaFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatalf("%v\nrun: go test ./internal/config -run TestJSONSchemaFile -update", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		i := 0
		for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
			i++
		}
		line := func(ls []string) string {
			if i < len(ls) {
				return ls[i]
			}
			return "(end of file)"
		}
		t.Fatalf("config.schema.json is out of date with the Config structs; regenerate it with\n"+
			"\tgo test ./internal/config -run TestJSONSchemaFile -update\n"+
			"first difference at line %d:\n\tcommitted: %s\n\tgenerated: %s", i+1, line(gl), line(wl))
	}
}

// compileSchema compiles the committed schema with a validator of draft
// 2020-12, which also checks the schema against the draft's metaschema.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", schemaFile, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("config.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("config.schema.json")
	if err != nil {
		t.Fatalf("compile %s: %v", schemaFile, err)
	}
	return sch
}

var english = message.NewPrinter(language.English)

// schemaProblem is one place a document breaks the schema.
type schemaProblem struct {
	line int    // in the YAML text; 0 when not found
	path string // JSON pointer, like /sources/0/kind
	msg  string
}

func (p schemaProblem) String() string {
	return fmt.Sprintf("line %d: %s: %s", p.line, p.path, p.msg)
}

// validateYAML validates YAML text, as written (an editor does not expand
// ${VAR}), against sch. It returns the innermost problems, each at the line
// of the value it is about.
func validateYAML(t *testing.T, sch *jsonschema.Schema, data []byte) []schemaProblem {
	t.Helper()
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatalf("YAML to JSON: %v\n%s", err, data)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("validate: %v", err)
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []schemaProblem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		// A refused key (propertyNames): the validator's location for it
		// is a slice it goes on reusing (santhosh-tekuri/jsonschema
		// v6.0.3), so the key is found by its name.
		if pn, ok := e.ErrorKind.(*kind.PropertyNames); ok {
			out = append(out, schemaProblem{
				line: yamlKeyLine(file, pn.Property),
				path: "key " + strconv.Quote(pn.Property),
				msg:  e.ErrorKind.LocalizedString(english),
			})
			return
		}
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		loc := e.InstanceLocation
		// An unknown key is reported on its mapping: point at the key.
		if ap, ok := e.ErrorKind.(*kind.AdditionalProperties); ok && len(ap.Properties) == 1 {
			if l := yamlLine(file, append(slices.Clone(loc), ap.Properties[0])); l > 0 {
				loc = append(slices.Clone(loc), ap.Properties[0])
			}
		}
		out = append(out, schemaProblem{
			line: yamlLine(file, loc),
			path: "/" + strings.Join(loc, "/"),
			msg:  e.ErrorKind.LocalizedString(english),
		})
	}
	walk(ve)
	return out
}

// yamlLine returns the line of the value at a JSON instance location in
// a parsed YAML file; 0 when the YAML has no node there (a merged key).
// yamlKeyLine returns the line of the first mapping key named key in f,
// 0 when there is none.
func yamlKeyLine(f *ast.File, key string) int {
	v := &keyFinder{key: key}
	for _, doc := range f.Docs {
		if v.line == 0 && doc.Body != nil {
			ast.Walk(v, doc.Body)
		}
	}
	return v.line
}

type keyFinder struct {
	key  string
	line int
}

func (v *keyFinder) Visit(n ast.Node) ast.Visitor {
	if mv, ok := n.(*ast.MappingValueNode); ok && v.line == 0 && mv.Key != nil && strings.Trim(mv.Key.String(), `"'`) == v.key {
		v.line = mv.Key.GetToken().Position.Line
	}
	return v
}

func yamlLine(f *ast.File, loc []string) int {
	b := (&yaml.PathBuilder{}).Root()
	for _, tok := range loc {
		if i, err := strconv.ParseUint(tok, 10, 32); err == nil {
			b = b.Index(uint(i))
		} else {
			b = b.Child(tok)
		}
	}
	n, err := b.Build().FilterFile(f)
	if err != nil || n == nil {
		return 0
	}
	return nodeLine(n)
}

// configFiles returns the configurations kept in the repository: the
// shipped config.yaml and those in testdata here and in cmd/tributary,
// whose {{PLACEHOLDERS}} (filled in by their tests) become plain words.
func configFiles(t *testing.T) map[string][]byte {
	t.Helper()
	var names []string
	for _, pattern := range []string{"../../config.yaml", "testdata/*.yaml", "../../cmd/tributary/testdata/*.yaml", "../../cmd/tributary/testdata/*/*.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, m...)
	}
	placeholder := regexp.MustCompile(`\{\{[A-Z_]+\}\}`)
	files := map[string][]byte{}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = placeholder.ReplaceAll(data, []byte("placeholder"))
	}
	if len(files) < 5 {
		t.Fatalf("found only %d configuration files: %v", len(files), names)
	}
	return files
}

// TestJSONSchemaValidatesShippedConfigs validates every configuration in
// the repository against the committed schema: the valid ones pass, and
// env-problems.yaml, made to be wrong, fails at its mistakes.
func TestJSONSchemaValidatesShippedConfigs(t *testing.T) {
	sch := compileSchema(t)
	invalid := map[string][]string{
		"testdata/env-problems.yaml": {
			"line 4: /log_level",
			"line 7: /fetch/timeout",
			"line 6: /fetch/workers",
			"line 10: /sources/0/name",
			"line 12: /sources/0/schedule",
			"line 14: /sources/0/colour",
		},
	}
	for name, data := range configFiles(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			probs := validateYAML(t, sch, data)
			want, bad := invalid[name]
			if !bad {
				if len(probs) > 0 {
					t.Errorf("%s breaks config.schema.json:\n%s", name, joinProblems(probs))
				}
				return
			}
			got := joinProblems(probs)
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("%s: want a problem at %q; the schema found:\n%s", name, w, got)
				}
			}
		})
	}
}

func joinProblems(probs []schemaProblem) string {
	lines := make([]string, len(probs))
	for i, p := range probs {
		lines[i] = "\t" + p.String()
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// schemaBaseConfig is a valid configuration to which the cases below add.
const schemaBaseConfig = `sources:
  - name: blog
    url: https://blog.example.org/feed.xml
feeds:
  - name: all
`

// TestJSONSchemaAgreesWithParser gives the schema and Parse the same
// files: the schema must refuse what Parse refuses for the shape of a value
// (an unknown key, a bad enum, a duration without unit) and accept what
// Parse accepts, even when it reads oddly (JSON for json, 2024 as a
// title, ${VAR} anywhere). Some problems need more than the file's shape
// (a feed naming a source that does not exist): only Parse finds those.
func TestJSONSchemaAgreesWithParser(t *testing.T) {
	sch := compileSchema(t)
	t.Setenv("TRIB_SCHEMA_WORKERS", "3")
	t.Setenv("TRIB_SCHEMA_MINUTES", "5")
	cases := []struct {
		name string
		yaml string // added before schemaBaseConfig, or replacing it when it has "sources:"
		ok   bool
		// parserOnly is why only Parse refuses this file, schemaOnly why
		// only the schema does.
		parserOnly, schemaOnly string
	}{
		{"every key of full.yaml", "", true, "", ""},
		{"unknown top-level key", "colour: red\n", false, "", ""},
		{"unknown fetch key", "fetch: {workerz: 3}\n", false, "", ""},
		{"x- keys hold anchors", "x-tags: &tags [a, b]\nfetch: {x-note: anything}\n", true, "", ""},
		{"log_level enum", "log_level: loud\n", false, "", ""},
		{"log_format in capitals", "log_format: JSON\n", true, "", ""},
		{"log_level empty means default", "log_level: \"\"\n", true, "", ""},
		{"driver enum", "storage: {driver: mysql}\n", false, "", ""},
		{"driver is case sensitive", "storage: {driver: SQLite}\n", false, "", ""},
		{"empty value means default", "title:\nfetch:\n  timeout:\n", true, "", ""},
		{"number as a title", "title: 2024\n", true, "", ""},
		{"duration without unit", "fetch: {timeout: 10}\n", false, "", ""},
		{"duration in days", "retention: {max_age: 1d12h, orphans: 0s}\n", true, "", ""},
		{"negative duration", "retention: {max_age: -1h}\n", false, "", ""},
		{"size with unit", "fetch: {max_body_size: 2MB}\n", true, "", ""},
		{"size with spaces and fraction", "fetch: {max_body_size: 1.5 MiB}\n", true, "", ""},
		{"size over the cap", "fetch: {max_body_size: 67108864}\n", false, "", ""},
		{"size with a unit over the cap", "fetch: {max_body_size: 64MiB}\n", false, "a bound applies to a number, not to a string with a unit", ""},
		{"size with unknown unit", "fetch: {max_body_size: 2 parsecs}\n", false, "", ""},
		{"workers below one", "fetch: {workers: 0}\n", false, "", ""},
		{"workers from the environment", "fetch:\n  workers: ${TRIB_SCHEMA_WORKERS}\n", true, "", ""},
		{"schedule from the environment", "schedule: \"@every ${TRIB_SCHEMA_MINUTES}m\"\n", true, "", ""},
		{"boolean as yes", "fetch: {allow_private_networks: yes}\n", false, "", ""},
		{"list as a string", "metrics: {allow: 10.0.0.0/8}\n", false, "", ""},
		{"network without a prefix length", "metrics: {allow: [10.0.0.1]}\n", false, "", ""},
		{"network", "metrics: {allow: [\"10.0.0.0/8\", \"::1/128\"]}\n", true, "", ""},
		{"base_url scheme", "base_url: ftp://example.org\n", false, "", ""},
		{"schedule with four fields", "schedule: \"* * * *\"\n", false, "", ""},
		{"schedule that never fires", "schedule: \"0 0 30 2 *\"\n", false, "only Parse knows the calendar", ""},
		{"feeds required", "sources:\n  - {name: a, url: https://example.org/f}\n", false, "", ""},
		{"empty feed list", "sources:\n  - {name: a, url: https://example.org/f}\nfeeds: []\n", false, "", ""},
		{"source without url", "sources:\n  - {name: a}\nfeeds:\n  - {name: all}\n", false, "", ""},
		{"source name not a slug", "sources:\n  - {name: My Blog, url: https://example.org/f}\nfeeds:\n  - {name: all}\n", false, "", ""},
		{"empty list entry", "sources:\n  -\n  - {name: a, url: https://example.org/f}\nfeeds:\n  - {name: all}\n", false, "", ""},
		{"enabled: yes", "sources:\n  - {name: a, url: https://example.org/f, enabled: yes}\nfeeds:\n  - {name: all}\n", false, "", ""},
		{"kind enum", "sources:\n  - {name: a, url: https://example.org/f, kind: html}\nfeeds:\n  - {name: all}\n", false, "", ""},
		{"page without link selector", "sources:\n  - {name: a, url: https://example.org/f, kind: page, selectors: {item: li}}\nfeeds:\n  - {name: all}\n", false, "", ""},
		{"unknown selector", "sources:\n  - {name: a, url: https://example.org/f, kind: page, selectors: {item: li, link: a, author: .by}}\nfeeds:\n  - {name: all}\n", false, "", ""},
		{"merged defaults", "x-d: &d {fulltext: true, tags: [news]}\nsources:\n  - {<<: *d, name: a, url: https://example.org/f}\nfeeds:\n  - {name: all}\n", true, "", ""},
		{"unknown key merged in", "x-d: &d {fulltext: true, colour: red}\nsources:\n  - {<<: *d, name: a, url: https://example.org/f}\nfeeds:\n  - {name: all}\n", false, "", ""},
		{"feed limit over the cap", "sources:\n  - {name: a, url: https://example.org/f}\nfeeds:\n  - {name: all, limit: 10001}\n", false, "", ""},
		{"feed naming an unknown source", "sources:\n  - {name: a, url: https://example.org/f}\nfeeds:\n  - {name: all, sources: [b]}\n", false, "a reference between keys", ""},
		{"local source file missing", "sources:\n  - {name: a, url: missing.xml}\nfeeds:\n  - {name: all}\n", false, "the file system", ""},
		{"source headers", "sources:\n  - {name: a, url: https://example.org/f, headers: {Authorization: Bearer x, x-api-key: k}}\nfeeds:\n  - {name: all}\n", true, "", ""},
		{"header name not a token", "sources:\n  - {name: a, url: https://example.org/f, headers: {Bad Name: x}}\nfeeds:\n  - {name: all}\n", false, "", ""},
		{"header Tributary controls", "sources:\n  - {name: a, url: https://example.org/f, headers: {host: x}}\nfeeds:\n  - {name: all}\n", false, "", ""},
		{"header Tributary controls, in capitals", "sources:\n  - {name: a, url: https://example.org/f, headers: {IF-NONE-MATCH: x}}\nfeeds:\n  - {name: all}\n", false, "", ""},
		{"source timeout over the cap", "sources:\n  - {name: a, url: https://example.org/f, timeout: 100h}\nfeeds:\n  - {name: all}\n", false, "a bound applies to a number, not to a duration", ""},
		{"quoted integer", "fetch: {workers: \"3\"}\n", true, "", "the schema wants numbers unquoted"},
		{"whole bytes with a fraction", "fetch: {max_body_size: \"1.0\"}\n", true, "", "the schema wants a fraction with a unit"},
	}
	full, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text := tc.yaml + schemaBaseConfig
			switch {
			case tc.yaml == "":
				text = string(full)
			case strings.Contains(tc.yaml, "sources:"):
				text = tc.yaml
			}
			// Parse as if the file were full.yaml, whose local source exists.
			_, perr := Parse([]byte(text), "testdata/full.yaml")
			if parsed := perr == nil; parsed != tc.ok {
				t.Fatalf("Parse: ok = %v, want %v (error: %v)\n%s", parsed, tc.ok, perr, text)
			}
			probs := validateYAML(t, sch, []byte(text))
			schemaOK := len(probs) == 0
			wantSchema := (tc.ok || tc.parserOnly != "") && tc.schemaOnly == ""
			if schemaOK != wantSchema {
				t.Fatalf("schema: ok = %v, want %v; Parse said: %v\nschema problems:\n%s\n%s", schemaOK, wantSchema, perr, joinProblems(probs), text)
			}
			if schemaOK || perr == nil {
				return
			}
			// The schema points at the line Parse points at.
			var errs Errors
			if !errors.As(perr, &errs) {
				t.Fatalf("Parse error %T, want Errors", perr)
			}
			parserLines := map[int]bool{}
			for _, fe := range errs {
				if fe.Line == 0 || strings.Contains(text, "<<") {
					// A key missing from the file has no line; a key
					// merged in has two (Parse names the anchor's).
					return
				}
				parserLines[fe.Line] = true
			}
			for _, p := range probs {
				if parserLines[p.line] {
					return
				}
			}
			t.Errorf("no schema problem is on a line Parse names:\nParse: %v\nschema:\n%s", perr, joinProblems(probs))
		})
	}
}

// schemaKeyPaths returns the field path of every key the schema defines,
// like "sources[].retention.max_age".
func schemaKeyPaths(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	var walk func(s map[string]any, path string)
	walk = func(s map[string]any, path string) {
		if items, ok := s["items"].(map[string]any); ok {
			walk(items, path+"[]")
		}
		props, _ := s["properties"].(map[string]any)
		for key, sub := range props {
			p := joinPath(path, key)
			paths = append(paths, p)
			walk(sub.(map[string]any), p)
		}
	}
	walk(doc.(map[string]any), "")
	slices.Sort(paths)
	return paths
}

// withKey returns schemaBaseConfig with one more key at path (entries of a
// list are its first entry), set to value.
func withKey(t *testing.T, path string, value any) []byte {
	t.Helper()
	var base map[string]any
	if err := yaml.Unmarshal([]byte(schemaBaseConfig), &base); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(strings.ReplaceAll(path, "[]", ".[]"), ".")
	var cur any = base
	for i, part := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[part] = value
				break
			}
			if next := parts[i+1]; next == "[]" {
				if _, ok := c[part].([]any); !ok {
					c[part] = []any{map[string]any{}}
				}
			} else if _, ok := c[part].(map[string]any); !ok {
				c[part] = map[string]any{}
			}
			cur = c[part]
		case []any:
			cur = c[0]
		default:
			t.Fatalf("%s: cannot set under %T", path, cur)
		}
	}
	out, err := yaml.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestJSONSchemaKeysAreParserKeys checks, key by key, that the schema and
// the parser know the same keys: each key the schema defines is one Parse
// takes (left empty, it is no unknown key), and the same key misspelt is
// refused by both. The schema's keys come from yamlKey, which the
// parser's walk uses too, so the walk's own key list is covered as well.
func TestJSONSchemaKeysAreParserKeys(t *testing.T) {
	sch := compileSchema(t)
	paths := schemaKeyPaths(t)
	want := 0
	for _, fields := range allFields(configType) {
		want += fields
	}
	if len(paths) != want {
		t.Errorf("the schema has %d keys, the Config structs %d:\n%s", len(paths), want, strings.Join(paths, "\n"))
	}
	unknownAt := func(err error) []string {
		var errs Errors
		errors.As(err, &errs)
		var out []string
		for _, fe := range errs {
			if strings.Contains(fe.Err.Error(), "unknown key") {
				out = append(out, fe.Path)
			}
		}
		return out
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			_, err := Parse(withKey(t, path, nil), "config.yaml")
			if u := unknownAt(err); len(u) > 0 {
				t.Errorf("the schema has %s, Parse calls it unknown: %v", path, err)
			}
			typo := path + "zz"
			data := withKey(t, typo, nil)
			_, err = Parse(data, "config.yaml")
			indexed := strings.ReplaceAll(typo, "[]", "[0]")
			if u := unknownAt(err); !slices.Contains(u, indexed) {
				t.Errorf("Parse took %s: %v", indexed, err)
			}
			if probs := validateYAML(t, sch, data); len(probs) == 0 {
				t.Errorf("the schema took %s:\n%s", typo, data)
			}
		})
	}
}

// allFields returns, for every struct type under t (by field path), how
// many keys the file may set in it.
func allFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		switch {
		case t == durationType:
		case t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer || t.Kind() == reflect.Map:
			walk(t.Elem(), path+"[]")
		case t.Kind() == reflect.Struct:
			fields := yamlFields(t)
			out[path] = len(fields)
			for key, ft := range fields {
				walk(ft, joinPath(path, key))
			}
		}
	}
	walk(t, "")
	return out
}

// TestSchemaPatternsMatchParsers compares the duration and size patterns
// of the schema with the functions Parse reads those values with.
func TestSchemaPatternsMatchParsers(t *testing.T) {
	dur := regexp.MustCompile(durationPattern)
	for _, s := range []string{"0", "20s", "1m30s", "90d", "1d12h", "1.5h", ".5s", "300ms", "2h45m", "10µs", "0s",
		"+1h", "1d+1h", "-0",
		"10", "", "d", "-1h", "1d-1h", "1x", "1.5d", "h", "1 h", " 1h", "1h "} {
		d, err := parseDuration(s)
		parsed := err == nil && d >= 0 && s == strings.TrimSpace(s)
		if matched := dur.MatchString(s); matched != parsed {
			t.Errorf("duration %q: pattern matches = %v, parseDuration accepts = %v (%v)", s, matched, parsed, err)
		}
	}
	// The pattern wants a unit with a fraction: it refuses "1.0" (bytes),
	// which parseSize takes as a whole number.
	size := regexp.MustCompile(sizePattern)
	for _, s := range []string{"15MiB", "512 KiB", "2MB", "1.5GiB", "1048576", "0.3MiB", "1b", "1kb", "2 TiB", " 3 MB ",
		"", "MiB", "1.5", "1.5B", "2 parsecs", "1.2.3MB", "-1MB", "1e6"} {
		_, err := parseSize(s)
		if matched := size.MatchString(s); matched != (err == nil) {
			t.Errorf("size %q: pattern matches = %v, parseSize error = %v", s, matched, err)
		}
	}
	if got := formatDuration(DefaultRetentionMaxAge); got != "90d" {
		t.Errorf("formatDuration(90 days) = %q", got)
	}
	if got := formatDuration(30 * time.Minute); got != "30m" {
		t.Errorf("formatDuration(30m) = %q", got)
	}
}

// TestShippedConfigPointsToSchema checks the first line of the shipped
// config.yaml, which tells editors with the YAML language server (the VS
// Code YAML extension, Neovim, Helix...) where the schema is: relative to
// config.yaml, so a copy next to it (the container image has one) works.
func TestShippedConfigPointsToSchema(t *testing.T) {
	data, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	ref, ok := strings.CutPrefix(first, "# yaml-language-server: $schema=")
	if !ok {
		t.Fatalf("config.yaml starts with %q, want a yaml-language-server $schema comment", first)
	}
	if ref != "./config.schema.json" {
		t.Errorf("config.yaml points to %q, want ./config.schema.json", ref)
	}
	if _, err := os.Stat(filepath.Join("../..", ref)); err != nil {
		t.Errorf("config.yaml points to a schema that is not there: %v", err)
	}
}
