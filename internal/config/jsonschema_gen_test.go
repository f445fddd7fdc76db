package config

// The generator of config.schema.json, the JSON Schema editors use to
// complete and check config.yaml. It is built from the Config structs: the
// keys are those the parser accepts (yamlKey, which the schema walk's
// yamlFields uses too), each described by its field's doc comment, with the
// defaults of an empty file. What the structs cannot say (enums, bounds,
// required keys, patterns) is in schemaRules below, by field path.
// TestJSONSchemaFile compares the committed file with a fresh one;
// `go test ./internal/config -run TestJSONSchemaFile -update` rewrites it.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"math"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/sources"
)

// modulePath is the import path of this module: a struct of package
// modulePath+"/x" is documented in ../../x.
const modulePath = "github.com/tributary/tributary"

// envRefPattern matches a value holding a ${VAR} reference: Parse expands
// it before reading the value, so it may stand for any value, while an
// editor sees the text as written.
const envRefPattern = `\$\{`

// schemaRule is what the schema says about one field beyond its Go type.
type schemaRule struct {
	// enum lists the accepted values; fold accepts them in any case (and
	// surrounded by spaces), as the parser does for that key. An empty
	// string always means "use the default".
	enum []string
	fold bool
	// pattern constrains a string value (an env reference always passes).
	pattern string
	// patternMessage says in words what pattern wants.
	patternMessage string
	// minimum and maximum bound a number.
	minimum, maximum *int64
	// minItems bounds a list.
	minItems int
	// required lists the keys a mapping must have.
	required []string
	// keyPattern constrains the keys of a map, and keyNot lists keys it
	// refuses, in any case.
	keyPattern string
	keyNot     []string
}

func bound(n int64) *int64 { return &n }

// cronPattern is the shape of a schedule: an optional time zone, then a
// descriptor, "@every" and a duration, or five fields. Validate checks
// the fields themselves. Empty means the default.
const cronPattern = `^\s*$|^\s*((CRON_)?TZ=\S+\s+)?(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every\s+\S+|\S+(\s+\S+){4})\s*$`

// slugRule is the rule of names and tags.
var slugRule = schemaRule{pattern: slugPattern, patternMessage: "want a slug: lowercase letters, digits, - and _, starting with a letter or digit"}

// scheduleRule is the rule of every cron spec.
var scheduleRule = schemaRule{pattern: cronPattern, patternMessage: `want a cron spec like "*/15 * * * *" or a descriptor like "@hourly" or "@every 1h30m"`}

// schemaRules holds, by field path ("[]" for any list entry), what the
// schema says beyond the Go types. TestJSONSchemaFile fails on a path no
// field has, so a renamed key cannot leave its rule behind.
var schemaRules = map[string]schemaRule{
	"":                              {required: []string{"sources", "feeds"}},
	"base_url":                      {pattern: `^\s*$|^\s*[Hh][Tt][Tt][Pp][Ss]?://`, patternMessage: "want an absolute http:// or https:// URL"},
	"log_level":                     {enum: []string{"debug", "info", "warn", "error"}, fold: true},
	"log_format":                    {enum: []string{"text", "json"}, fold: true},
	"storage.driver":                {enum: []string{DriverSQLite, DriverPostgres}},
	"schedule":                      scheduleRule,
	"fetch.max_body_size":           {minimum: bound(1), maximum: bound(sources.MaxBodyBytes)},
	"fetch.max_redirects":           {minimum: bound(0)},
	"fetch.per_host_concurrency":    {minimum: bound(1)},
	"fetch.workers":                 {minimum: bound(1)},
	"fetch.max_items_per_source":    {minimum: bound(1)},
	"retention.max_items":           {minimum: bound(0)},
	"retention.schedule":            scheduleRule,
	"sources":                       {minItems: 1},
	"sources[]":                     {required: []string{"name", "url"}},
	"sources[].name":                slugRule,
	"sources[].schedule":            scheduleRule,
	"sources[].tags[]":              slugRule,
	"sources[].kind":                {enum: []string{KindFeed, KindPage}},
	"sources[].selectors":           {required: []string{"item", "link"}},
	"sources[].retention.max_items": {minimum: bound(0)},
	"sources[].headers":             {keyPattern: fetch.HeaderNamePattern, keyNot: fetch.ControlledHeaders()},
	"feeds":                         {minItems: 1},
	"feeds[]":                       {required: []string{"name"}},
	"feeds[].name":                  slugRule,
	"feeds[].sources[]":             slugRule,
	"feeds[].tags[]":                slugRule,
	"feeds[].limit":                 {minimum: bound(1), maximum: bound(MaxFeedLimit)},
	"feeds[].per_source_limit":      {minimum: bound(0)},
	"feeds[].language":              {pattern: `^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`, patternMessage: "want a BCP 47 language tag like en, en-GB or pt-BR"},
	"websub.hub":                    {pattern: `^\s*$|^\s*[Hh][Tt][Tt][Pp][Ss]?://`, patternMessage: "want an absolute http:// or https:// URL"},
	"metrics.allow[]":               {pattern: `^\s*[0-9A-Fa-f:.]+/[0-9]+\s*$`, patternMessage: "want a network in CIDR notation, like 10.0.0.0/8 or 192.168.1.7/32"},
}

// docGlossary replaces the Go names that doc comments use for things a
// reader of config.yaml knows by another name (whole words). The generator
// fails on an entry no comment uses any more.
var docGlossary = map[string]string{
	"MinEvery":             formatDuration(MinEvery),
	"MinRetentionEvery":    formatDuration(MinRetentionEvery),
	"MaxWebSubTimeout":     formatDuration(MaxWebSubTimeout),
	"sources.MaxBodyBytes": formatSize(sources.MaxBodyBytes),
	"Load":                 "Tributary",
	"with Selectors":       "with selectors",
	"as for Schedule":      "as for schedule",
}

// durationPattern matches what parseDuration accepts and the schema walk
// lets through: "0", a Go duration that is not negative, or whole days
// followed by one ("90d", "1d12h").
const durationPattern = `^([-+]?0|[0-9]{1,5}d|([0-9]{1,5}d)?\+?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$`

// sizePattern matches what parseSize accepts: a number of bytes, or a
// number and a unit.
const sizePattern = `^\s*([0-9]+\s*([Bb]|[KkMmGgTt]([Ii]?[Bb])?)?|([0-9]+\.[0-9]*|\.[0-9]+)\s*[KkMmGgTt]([Ii]?[Bb])?)\s*$`

// jsonSchema is one schema of draft 2020-12, its keywords in the order they
// are written. patternErrorMessage is the message editors built on
// vscode-json-languageservice (the YAML extension among them) show when
// the pattern fails; validators ignore it.
type jsonSchema struct {
	Schema               string                 `json:"$schema,omitempty"`
	Title                string                 `json:"title,omitempty"`
	Description          string                 `json:"description,omitempty"`
	Type                 []string               `json:"type,omitempty"`
	Default              any                    `json:"default,omitempty"`
	Enum                 []string               `json:"enum,omitempty"`
	AnyOf                []*jsonSchema          `json:"anyOf,omitempty"`
	Pattern              string                 `json:"pattern,omitempty"`
	PatternErrorMessage  string                 `json:"patternErrorMessage,omitempty"`
	Minimum              *int64                 `json:"minimum,omitempty"`
	Maximum              *int64                 `json:"maximum,omitempty"`
	MinItems             int                    `json:"minItems,omitempty"`
	Items                *jsonSchema            `json:"items,omitempty"`
	Required             []string               `json:"required,omitempty"`
	Properties           properties             `json:"properties,omitempty"`
	PatternProperties    map[string]*jsonSchema `json:"patternProperties,omitempty"`
	AdditionalProperties any                    `json:"additionalProperties,omitempty"`
	PropertyNames        *jsonSchema            `json:"propertyNames,omitempty"`
	Not                  *jsonSchema            `json:"not,omitempty"`
}

// properties keeps the keys of a mapping in the order of the struct fields.
type properties []property

type property struct {
	key    string
	schema *jsonSchema
}

// MarshalJSON writes the properties as a JSON object, in order.
func (ps properties) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(p.key)
		if err != nil {
			return nil, err
		}
		v, err := marshalSchema(p.schema)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshalSchema encodes s without escaping <, > and & (descriptions hold
// them).
func marshalSchema(s any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// schemaGen builds the schema of the Config type.
type schemaGen struct {
	// docs holds the doc comment of every struct type ("pkgpath.Type") and
	// field ("pkgpath.Type.Field") of the packages read.
	docs map[string]string
	// goPaths maps "Type.Field" to its field path, for doc comments that
	// refer to another field.
	goPaths map[string]string
	// seen holds every field path generated, and glossaryUsed every
	// docGlossary entry used, to find stale ones.
	seen         map[string]bool
	glossaryUsed map[string]bool
	errs         []error
}

// generateJSONSchema returns config.schema.json as it should be committed.
// It fails on a field without a doc comment, a Go type it cannot describe,
// and a schemaRules or docGlossary entry that nothing uses any more.
func generateJSONSchema() ([]byte, error) {
	g := &schemaGen{docs: map[string]string{}, goPaths: map[string]string{}, seen: map[string]bool{}, glossaryUsed: map[string]bool{}}
	for _, pkg := range []string{modulePath + "/internal/config", modulePath + "/sources", modulePath + "/feeds"} {
		if err := g.readDocs(pkg); err != nil {
			return nil, err
		}
	}
	g.mapGoPaths(configType, "")
	root := g.object(configType, "", reflect.ValueOf(*defaults()), false)
	root.Schema = "https://json-schema.org/draft/2020-12/schema"
	root.Title = "Tributary config.yaml"
	root.Description = "The configuration of Tributary, the feed aggregator: docs/configuration.md describes every key. " +
		"Generated from internal/config by `go test ./internal/config -run TestJSONSchemaFile -update`; do not edit."
	for path := range schemaRules {
		if !g.seen[path] {
			g.errs = append(g.errs, fmt.Errorf("schemaRules[%q]: no such field path", path))
		}
	}
	for from := range docGlossary {
		if !g.glossaryUsed[from] {
			g.errs = append(g.errs, fmt.Errorf("docGlossary[%q]: no doc comment uses it", from))
		}
	}
	slices.SortFunc(g.errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	if len(g.errs) > 0 {
		return nil, fmt.Errorf("generate config.schema.json:\n%w", errors.Join(g.errs...))
	}
	out, err := marshalSchema(root)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := json.Indent(&b, out, "", "  "); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// readDocs records the doc comments of the struct types of package pkg,
// read from its source files.
func (g *schemaGen) readDocs(pkg string) error {
	rel, ok := strings.CutPrefix(pkg, modulePath+"/")
	if !ok {
		return fmt.Errorf("package %s is outside %s", pkg, modulePath)
	}
	dir := filepath.Join("..", "..", filepath.FromSlash(rel))
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return err
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				g.docs[pkg+"."+ts.Name.Name] = doc.Text()
				// A field without a comment, right below another whose
				// comment names it, shares that comment: "Title, Link,
				// Summary, Image and Date are relative to the item".
				var fieldDoc string
				prevLine := -1
				for _, field := range st.Fields.List {
					line := fset.Position(field.Pos()).Line
					if field.Doc != nil || line != prevLine+1 {
						fieldDoc = field.Doc.Text()
					}
					prevLine = fset.Position(field.End()).Line
					for _, n := range field.Names {
						if field.Doc != nil || regexp.MustCompile(`\b`+n.Name+`\b`).MatchString(fieldDoc) {
							g.docs[pkg+"."+ts.Name.Name+"."+n.Name] = fieldDoc
						}
					}
				}
			}
		}
	}
	return nil
}

// mapGoPaths records the field path of every "Type.Field" under t.
func (g *schemaGen) mapGoPaths(t reflect.Type, path string) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map:
		g.mapGoPaths(t.Elem(), path+"[]")
		return
	case reflect.Struct:
	default:
		return
	}
	if t == durationType {
		return
	}
	for f := range t.Fields() {
		key, ok := yamlKey(f)
		if !ok {
			continue
		}
		p := joinPath(path, key)
		if _, dup := g.goPaths[t.Name()+"."+f.Name]; !dup {
			g.goPaths[t.Name()+"."+f.Name] = strings.ReplaceAll(p, "[]", "")
		}
		g.mapGoPaths(f.Type, p)
	}
}

// describe returns the doc comment of field f of struct t as one
// paragraph, in the words of config.yaml: the field's Go name, and those
// of other fields and constants it mentions, become keys and values.
func (g *schemaGen) describe(t reflect.Type, f reflect.StructField, key string) string {
	doc, ok := g.docs[t.PkgPath()+"."+t.Name()+"."+f.Name]
	if !ok || strings.TrimSpace(doc) == "" {
		g.errs = append(g.errs, fmt.Errorf("%s.%s: no doc comment to describe key %q", t.Name(), f.Name, key))
		return ""
	}
	return g.words(doc, f.Name, key)
}

// goName matches a Go name that may refer to a field or constant: a
// qualified one ("Retention.MaxAge") or a CamelCase one ("MinEvery").
var goName = regexp.MustCompile(`\b[A-Za-z]+\.[A-Z][A-Za-z]*\b|\b[A-Z][a-z]+[A-Z][A-Za-z]*\b`)

// words turns a doc comment into a description: one paragraph, with Go
// names replaced by what config.yaml calls them.
func (g *schemaGen) words(doc, name, key string) string {
	text := strings.Join(strings.Fields(doc), " ")
	if rest, ok := strings.CutPrefix(text, name+" "); ok {
		text = key + " " + rest
	}
	for _, from := range slices.Sorted(maps.Keys(docGlossary)) {
		to := docGlossary[from]
		re := regexp.MustCompile(`\b` + regexp.QuoteMeta(from) + `\b`)
		if re.MatchString(text) {
			g.glossaryUsed[from] = true
			text = re.ReplaceAllLiteralString(text, to)
		}
	}
	return goName.ReplaceAllStringFunc(text, func(s string) string {
		if p, ok := g.goPaths[s]; ok {
			return p
		}
		return s
	})
}

// object returns the schema of struct type t at path, whose defaults are
// def (the zero Value when it has none).
func (g *schemaGen) object(t reflect.Type, path string, def reflect.Value, entry bool) *jsonSchema {
	g.seen[path] = true
	s := &jsonSchema{
		Type:                 valueTypes(path == "", entry, "object"),
		PatternProperties:    map[string]*jsonSchema{"^" + extensionPrefix: {Description: "ignored by Tributary: a place for YAML anchors to reuse"}},
		AdditionalProperties: false,
	}
	if path != "" {
		s.Pattern = envRefPattern
		s.PatternErrorMessage = "want a mapping of keys"
	}
	if rule, ok := schemaRules[path]; ok {
		s.Required = rule.required
	}
	for f := range t.Fields() {
		key, ok := yamlKey(f)
		if !ok {
			continue
		}
		var fd reflect.Value
		if def.IsValid() {
			fd = def.FieldByIndex(f.Index)
		}
		p := g.value(f.Type, joinPath(path, key), fd, false)
		p.Description = g.describe(t, f, key)
		s.Properties = append(s.Properties, property{key, p})
	}
	return s
}

// valueTypes returns the JSON types a value may have besides its own: an
// env reference is a string, and a mapping value may be empty (null) to
// mean "use the default". The root is a mapping and nothing else.
func valueTypes(root, entry bool, own ...string) []string {
	if root {
		return own
	}
	types := slices.Clone(own)
	if !slices.Contains(types, "string") {
		types = append(types, "string")
	}
	if !entry {
		types = append(types, "null")
	}
	return types
}

// value returns the schema of a value of type t at path; entry is true for
// a list entry, which may not be empty. def is the default, if known.
func (g *schemaGen) value(t reflect.Type, path string, def reflect.Value, entry bool) *jsonSchema {
	g.seen[path] = true
	rule := schemaRules[path]
	var s *jsonSchema
	switch {
	case t == durationType:
		s = &jsonSchema{Type: valueTypes(false, entry), Pattern: durationPattern + "|" + envRefPattern,
			PatternErrorMessage: `want a duration like "20s", "1m30s" or "90d"`}
	case t.Kind() == reflect.Int64: // byte sizes, as in the schema walk
		s = &jsonSchema{Type: valueTypes(false, entry, "integer"), Pattern: sizePattern + "|" + envRefPattern,
			PatternErrorMessage: `want a number of bytes or a size like "15MiB", "512KiB" or "2MB"`}
	case t.Kind() == reflect.Int:
		s = &jsonSchema{Type: valueTypes(false, entry, "integer"), Pattern: envRefPattern,
			PatternErrorMessage: "want an integer"}
	case t.Kind() == reflect.Bool:
		s = &jsonSchema{Type: valueTypes(false, entry, "boolean"), Pattern: envRefPattern,
			PatternErrorMessage: "want true or false"}
	case t.Kind() == reflect.String:
		// Any scalar reads as a string: title: 2024 is the title "2024".
		s = &jsonSchema{Type: valueTypes(false, entry, "string", "number", "boolean")}
		if len(rule.enum) > 0 {
			s.Type = valueTypes(false, entry, "string")
			s.AnyOf = []*jsonSchema{{Enum: rule.enum}, {Pattern: enumVariants(rule.enum, rule.fold) + "|" + envRefPattern}}
		}
		if rule.pattern != "" {
			s.Pattern = rule.pattern + "|" + envRefPattern
			s.PatternErrorMessage = rule.patternMessage
		}
	case t.Kind() == reflect.Slice:
		var el reflect.Value
		s = &jsonSchema{Type: valueTypes(false, entry, "array"), Pattern: envRefPattern,
			PatternErrorMessage: "want a list", MinItems: rule.minItems}
		s.Items = g.value(t.Elem(), path+"[]", el, true)
		if t.Elem().Kind() == reflect.Struct {
			s.Items.Description = g.words(g.docs[t.Elem().PkgPath()+"."+t.Elem().Name()], t.Elem().Name(), "each entry")
		}
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		s = &jsonSchema{Type: valueTypes(false, entry, "object"), Pattern: envRefPattern,
			PatternErrorMessage: "want a mapping", AdditionalProperties: g.value(t.Elem(), path+"[]", reflect.Value{}, true)}
		if rule.keyPattern != "" || len(rule.keyNot) > 0 {
			s.PropertyNames = &jsonSchema{Pattern: rule.keyPattern}
			if len(rule.keyNot) > 0 {
				s.PropertyNames.Not = &jsonSchema{Pattern: "^(" + anyCase(rule.keyNot) + ")$"}
			}
		}
	case t.Kind() == reflect.Pointer:
		return g.value(t.Elem(), path, def, entry)
	case t.Kind() == reflect.Struct:
		if !def.IsValid() {
			def = entryDefaults(t)
		}
		return g.object(t, path, def, entry)
	default:
		g.errs = append(g.errs, fmt.Errorf("%s: no JSON Schema for Go type %s: teach jsonschema_gen_test.go", path, t))
		return &jsonSchema{}
	}
	if rule.minimum != nil || rule.maximum != nil {
		s.Minimum, s.Maximum = rule.minimum, rule.maximum
	}
	if def.IsValid() {
		s.Default = defaultValue(t, def)
	}
	return s
}

// enumVariants matches the spellings of values the parser also accepts:
// empty (the default), and with fold any case, surrounded by spaces.
func enumVariants(values []string, fold bool) string {
	if !fold {
		return "^$"
	}
	return `^\s*(` + anyCase(values) + `)?\s*$`
}

// anyCase matches any of values, in any case: "a|b" alternatives whose
// letters are each a class of both cases (JSON Schema's regular
// expressions have no case-insensitive flag).
func anyCase(values []string) string {
	alts := make([]string, len(values))
	for i, v := range values {
		var b strings.Builder
		for _, r := range v {
			up, low := strings.ToUpper(string(r)), strings.ToLower(string(r))
			if up == low {
				b.WriteString(regexp.QuoteMeta(string(r)))
				continue
			}
			b.WriteString("[" + up + low + "]")
		}
		alts[i] = b.String()
	}
	return strings.Join(alts, "|")
}

// entryDefaults returns the defaults of a list entry of struct type t: what
// its UnmarshalYAML fills in before decoding, if it has one.
func entryDefaults(t reflect.Type) reflect.Value {
	v := reflect.New(t)
	if u, ok := v.Interface().(interface {
		UnmarshalYAML(func(any) error) error
	}); ok {
		_ = u.UnmarshalYAML(func(any) error { return nil })
	}
	return v.Elem()
}

// defaultValue returns def as config.yaml would write it, or nil for a
// zero value or a marker for "inherit" (negative).
func defaultValue(t reflect.Type, def reflect.Value) any {
	if def.IsZero() {
		return nil
	}
	switch {
	case t == durationType:
		d := time.Duration(def.Int())
		if d < 0 {
			return nil
		}
		return formatDuration(d)
	case t.Kind() == reflect.Int64:
		if s := formatSize(def.Int()); strings.HasSuffix(s, "B") {
			return s
		}
		return def.Int()
	case t.Kind() == reflect.Int:
		if def.Int() < 0 || def.Int() == math.MinInt {
			return nil
		}
		return def.Int()
	case t.Kind() == reflect.Bool:
		return def.Bool()
	case t.Kind() == reflect.String:
		return def.String()
	}
	return nil
}

// formatDuration writes d as config.yaml would: whole days as "90d", else
// Go's form without zero units ("30m", not "30m0s").
func formatDuration(d time.Duration) string {
	if d > 0 && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// formatSize writes n bytes with the largest IEC unit that divides it.
func formatSize(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d%s", n/u.size, u.name)
		}
	}
	return strconv.FormatInt(n, 10)
}
