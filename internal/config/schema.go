package config

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

var (
	configType   = reflect.TypeFor[Config]()
	durationType = reflect.TypeFor[time.Duration]()
)

// parseYAML parses the expanded text into the root node of its single
// document; nil for a file with no content.
func parseYAML(data []byte, file string) (ast.Node, Errors) {
	// YAML allows a byte order mark, which some Windows editors write;
	// goccy/go-yaml would read it as part of the first key.
	data = bytes.TrimPrefix(data, []byte(byteOrderMark))
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		fe := yamlError(file, "syntax error", err)
		fe.Err = errors.New(unquoteSyntax(fe.Err.Error()))
		return nil, Errors{fe}
	}
	var root ast.Node
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if _, ok := doc.Body.(*ast.CommentGroupNode); ok {
			continue
		}
		if root != nil {
			return nil, Errors{{File: file, Line: nodeLine(doc.Body),
				Err: errors.New("the configuration must be a single YAML document")}}
		}
		root = doc.Body
	}
	return root, nil
}

// yamlError turns an error from goccy/go-yaml into a one-line FieldError
// at the line the library points to.
func yamlError(file, what string, err error) *FieldError {
	var ye yaml.Error
	if errors.As(err, &ye) {
		line := 0
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			line = tk.Position.Line
		}
		return &FieldError{File: file, Line: line, Err: fmt.Errorf("%s: %s", what, ye.GetMessage())}
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe
	}
	// Errors without a position (a custom decoder's) keep their first line.
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return &FieldError{File: file, Err: fmt.Errorf("%s: %s", what, msg)}
}

// valueQuotedRE matches the syntax errors in which the YAML parser quotes
// part of a value: a block scalar header ("invalid header option:
// \"s3cr3t\"", for a value that starts with | or >) and a tag.
var valueQuotedRE = regexp.MustCompile(`(invalid header option: |default value for )"(?:[^"\\]|\\.)*"`)

// unquoteSyntax removes from a syntax error the part of a value the YAML
// parser quotes: it may be a credential, such as a header value or a
// password, and the line number already points at it. Quoted keys stay.
func unquoteSyntax(msg string) string {
	return valueQuotedRE.ReplaceAllString(msg, "${1}(value not shown; quote the value if it is text)")
}

// schema walks the YAML tree against the Go types before decoding. It
// records the line of every field path, reports every unknown key and every
// value of the wrong shape (all of them, in file order, with their line)
// and prunes those entries so the decoder only sees what it can decode.
// goccy's own strict mode stops at the first unknown key, picked from a map,
// so it cannot report them all.
type schema struct {
	file string
	pos  map[string]int
	errs Errors
	// merging is set while checking a mapping merged in with "<<".
	merging bool
	// abort is set when the tree cannot be decoded at all (it nests too
	// deep, or refers to itself), so the decode is skipped.
	abort bool
	depth int
	// standIns are the placeholders put in for refused list entries, and
	// refused the keys of the values removed from each mapping. Anchors
	// are inlined by sharing nodes, so an alias site meets the same
	// placeholder or lacks the same key: its path is then marked quiet,
	// since the problem was reported where the walk first met the value.
	standIns map[ast.Node]bool
	refused  map[*ast.MappingNode][]string
	// quiet holds those paths, for Config.reported.
	quiet map[string]bool
	// shadowed is set while checking a merged value that a key written
	// in the mapping overrides: the decoder does not use it, so it must
	// not quiet a path.
	shadowed bool
}

// maxDepth bounds the walk through aliases that refer to themselves.
const maxDepth = 64

// decodeOptions configure the decoder for the tree the walk has checked.
var decodeOptions = []yaml.DecodeOption{
	yaml.CustomUnmarshaler(sizeFromYAML),
	yaml.CustomUnmarshaler(intFromYAML),
	yaml.CustomUnmarshaler(durationFromYAML),
	// The schema walk has reported and pruned unknown keys; Strict is a
	// second line of defence.
	yaml.Strict(),
	yaml.AllowFieldPrefixes(extensionPrefix),
	// The parser refuses duplicate keys; this only lets a key override one
	// merged in with "<<", as YAML intends.
	yaml.AllowDuplicateMapKey(),
}

// decode decodes the checked tree onto the defaults. The walk has pruned
// every value it refused, so the decoder should take the rest. Should it
// still refuse a value the walk let through, that value is reported at
// its field path and line and pruned like the others, and decoding starts
// again: one such value must not hide the problems Validate finds in the
// rest of the file. decode returns nil, with the problem recorded, only
// when the decoder's complaint cannot be tied to a field.
func (s *schema) decode(root ast.Node) *Config {
	for range maxDecodes {
		c := defaults()
		err := yaml.NodeToValue(root, c, decodeOptions...)
		if err == nil {
			return c
		}
		fe := yamlError(s.file, "decode", err)
		s.errs = append(s.errs, fe)
		var ye yaml.Error
		if !errors.As(err, &ye) || ye.GetToken() == nil {
			return nil
		}
		path, line, ok := s.prune(root, configType, "", ye.GetToken())
		if !ok {
			return nil
		}
		fe.Path, fe.Line = path, line
	}
	return nil
}

// maxDecodes bounds the attempts of decode, each of which prunes a value.
const maxDecodes = 100

// prune finds the value that holds token tk in the mapping n of struct type
// t at path, removes it (a list entry is replaced by a placeholder, so that
// the entries after it keep their index) and returns its path and line; ok
// is false when tk is not under n.
func (s *schema) prune(n ast.Node, t reflect.Type, path string, tk *token.Token) (string, int, bool) {
	m, ok := s.resolve(n).(*ast.MappingNode)
	if !ok || t.Kind() != reflect.Struct {
		return "", 0, false
	}
	fields := yamlFields(t)
	for i, mv := range m.Values {
		if !holds(mv, tk, map[ast.Node]bool{}) {
			continue
		}
		key, line := mapKey(mv)
		p := joinPath(path, key)
		ft, known := fields[key]
		if known && ft.Kind() == reflect.Struct {
			if q, l, ok := s.prune(mv.Value, ft, p, tk); ok {
				return q, l, true
			}
		}
		if seq, ok := s.resolve(mv.Value).(*ast.SequenceNode); ok && known && ft.Kind() == reflect.Slice {
			for j, el := range seq.Values {
				if !holds(el, tk, map[ast.Node]bool{}) {
					continue
				}
				q := fmt.Sprintf("%s[%d]", p, j)
				if r, l, ok := s.prune(el, ft.Elem(), q, tk); ok {
					return r, l, true
				}
				seq.Values[j] = s.placeholder(ft.Elem(), el)
				return q, nodeLine(el), true
			}
		}
		m.Values = slices.Delete(m.Values, i, i+1)
		return p, line, true
	}
	return "", 0, false
}

// placeholder stands in for a refused list entry of type t, so that the
// entries after it keep their index: an empty mapping for a struct, an
// empty string otherwise. Validate says nothing about it, as the entry's
// path has a problem already, and an alias site that meets it again is
// quiet too (see standIns).
func (s *schema) placeholder(t reflect.Type, entry ast.Node) ast.Node {
	pos := &token.Position{Line: nodeLine(entry), Column: 1}
	var n ast.Node
	if t.Kind() == reflect.Struct {
		n = ast.Mapping(&token.Token{Type: token.MappingStartType, Value: "{", Origin: "{", Position: pos}, true)
	} else {
		n = ast.String(&token.Token{Type: token.SingleQuoteType, Value: "", Origin: "''", Position: pos})
	}
	s.standIns[n] = true
	return n
}

// canonical returns a plain decimal integer node holding the value the walk
// read from n, an accepted int or size of type t: the decoder then reads
// that value and nothing else. Its custom decoders re-read the value from
// text formatted out of the node, and could refuse it (as with "\x33")
// with an error that names no field. Other values are returned as they are.
func canonical(n ast.Node, t reflect.Type) ast.Node {
	if t == durationType {
		return n
	}
	r, _ := resolveTag(n)
	v, ok := scalarString(r)
	var num int64
	var err error
	switch t.Kind() {
	case reflect.Int64:
		num, err = parseSize(v)
	case reflect.Int:
		var i int
		i, err = strconv.Atoi(v)
		num = int64(i)
	default:
		return n
	}
	if !ok || err != nil {
		return n
	}
	pos := &token.Position{Line: nodeLine(n), Column: 1}
	text := strconv.FormatInt(num, 10)
	return ast.Integer(&token.Token{Type: token.IntegerType, Value: text, Origin: text, Position: pos})
}

// quieten marks path as reported without a message; see standIns.
func (s *schema) quieten(path string) {
	if !s.shadowed {
		s.quiet[path] = true
	}
}

// holds reports whether the tree under n contains a node whose token is tk.
// seen keeps a tree whose aliases were inlined from being walked twice.
func holds(n ast.Node, tk *token.Token, seen map[ast.Node]bool) bool {
	if isNil(n) || seen[n] {
		return false
	}
	seen[n] = true
	if n.GetToken() == tk {
		return true
	}
	switch v := n.(type) {
	case *ast.MappingNode:
		for _, mv := range v.Values {
			if holds(mv, tk, seen) {
				return true
			}
		}
	case *ast.MappingValueNode:
		return holds(v.Key, tk, seen) || holds(v.Value, tk, seen)
	case *ast.MappingKeyNode:
		return holds(v.Value, tk, seen)
	case *ast.SequenceNode:
		for _, el := range v.Values {
			if holds(el, tk, seen) {
				return true
			}
		}
	case *ast.AnchorNode:
		return holds(v.Value, tk, seen)
	case *ast.TagNode:
		return holds(v.Value, tk, seen)
	case *ast.AliasNode:
		return holds(v.Value, tk, seen)
	case *ast.LiteralNode:
		return v.Value != nil && holds(v.Value, tk, seen)
	}
	return false
}

// isNil reports whether n is nil or a nil pointer in an interface.
func isNil(n ast.Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

func newSchema(file string) *schema {
	return &schema{file: file, pos: map[string]int{}, standIns: map[ast.Node]bool{},
		refused: map[*ast.MappingNode][]string{}, quiet: map[string]bool{}}
}

func (s *schema) fail(path string, line int, format string, args ...any) {
	s.errs = append(s.errs, &FieldError{File: s.file, Path: path, Line: line, Err: fmt.Errorf(format, args...)})
}

// inlineAliases replaces every alias in the tree under n by the value of
// the anchor it names: the last anchor of that name before it, as YAML
// reads them. The tree then no longer depends on anchors, so the walk can
// prune any entry (an unknown key, an x- key holding anchors) without
// breaking an alias elsewhere, and the decoder meets no alias it could fail
// to resolve. An alias with no anchor before it is left for the walk to
// report. An alias inside its own anchor makes a cycle, which the walk's
// depth limit stops.
func inlineAliases(n ast.Node) {
	anchors := map[string]ast.Node{}
	var walk func(slot *ast.Node)
	walk = func(slot *ast.Node) {
		switch v := (*slot).(type) {
		case *ast.AliasNode:
			if target, ok := anchors[aliasName(v)]; ok {
				*slot = target
			}
		case *ast.AnchorNode:
			if v.Name != nil && v.Value != nil {
				anchors[v.Name.GetToken().Value] = v.Value
				walk(&v.Value)
			}
		case *ast.TagNode:
			if v.Value != nil {
				walk(&v.Value)
			}
		case *ast.MappingNode:
			for _, mv := range v.Values {
				if mv.Value != nil {
					walk(&mv.Value)
				}
			}
		case *ast.MappingValueNode:
			if v.Value != nil {
				walk(&v.Value)
			}
		case *ast.SequenceNode:
			for i := range v.Values {
				if v.Values[i] != nil {
					walk(&v.Values[i])
				}
			}
		}
	}
	if n != nil {
		walk(&n)
	}
}

// aliasName returns the anchor name an alias refers to.
func aliasName(a *ast.AliasNode) string {
	if a.Value == nil || a.Value.GetToken() == nil {
		return ""
	}
	return a.Value.GetToken().Value
}

// resolve looks through anchors and tags to the node that holds the value.
func (s *schema) resolve(n ast.Node) ast.Node {
	n, _ = resolveTag(n)
	return n
}

// resolveTag is resolve that also returns the tag (like "!!str") written
// on the value, if any.
func resolveTag(n ast.Node) (ast.Node, string) {
	tag := ""
	for range maxDepth {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			if tag == "" && v.Start != nil {
				tag = v.Start.Value
			}
			n = v.Value
		default:
			return n, tag
		}
	}
	return n, tag
}

// allowedTag returns the one YAML tag a value of type t may carry, which
// the decoder reads as if it were absent; "" when none is. ("!!map" is not
// one: the decoder refuses it on a mapping.)
func allowedTag(t reflect.Type) string {
	switch {
	case t == durationType:
		return ""
	case t.Kind() == reflect.String:
		return "!!str"
	case t.Kind() == reflect.Slice:
		return "!!seq"
	}
	return ""
}

// check validates node n against type t at path; false means the value is
// unusable and its entry must be removed before decoding.
func (s *schema) check(n ast.Node, t reflect.Type, path string) bool {
	s.depth++
	defer func() { s.depth-- }()
	if s.depth > maxDepth {
		s.fail(path, nodeLine(n), "nesting too deep")
		s.abort = true
		return false
	}
	if s.standIns[n] {
		s.quieten(path)
		return true
	}
	n, tag := resolveTag(n)
	line := nodeLine(n)
	if a, ok := n.(*ast.AliasNode); ok {
		s.fail(path, line, "unknown alias *%s: no anchor &%s comes before it", aliasName(a), aliasName(a))
		return false
	}
	// The decoder converts a tagged value by the tag, not by the field's
	// type, and would then refuse it, or read it differently from this
	// walk.
	if tag != "" && tag != allowedTag(t) {
		s.fail(path, line, "unsupported YAML tag %s: write the value without it", tag)
		return false
	}
	switch {
	case t == durationType:
		v, ok := scalarString(n)
		if !ok {
			s.fail(path, line, "want a duration like 20s, 1m30s or 90d, found %s", describe(n))
			return false
		}
		if _, isNum := n.(*ast.IntegerNode); isNum {
			// Even 0: the decoder takes only strings for a duration.
			s.fail(path, line, "invalid duration %s: a unit is required, like %ss", v, v)
			return false
		}
		d, err := parseDuration(v) // the decoder does not trim either
		if _, isString := n.(*ast.StringNode); err != nil || !isString {
			s.fail(path, line, "invalid duration %q: want a duration like 20s, 1m30s or 90d", v)
			return false
		}
		if d < 0 {
			s.fail(path, line, "invalid duration %q: must not be negative", v)
			return false
		}
		return true
	case t.Kind() == reflect.Int64: // the config types use int64 only for byte sizes
		v, ok := scalarString(n)
		if !ok {
			s.fail(path, line, "want a size like 15MiB, found %s", describe(n))
			return false
		}
		if octal(n) {
			s.fail(path, line, "ambiguous number %s: YAML reads a leading 0 as octal; write it without the 0", v)
			return false
		}
		if _, err := parseSize(v); err != nil {
			s.fail(path, line, "%v", err)
			return false
		}
		return true
	}
	switch t.Kind() {
	case reflect.Pointer: // an optional value whose absence has a meaning
		return s.check(n, t.Elem(), path)
	case reflect.Struct:
		return s.checkStruct(n, t, path)
	case reflect.Map:
		return s.checkMap(n, t, path)
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			s.fail(path, line, "want a list, found %s", describe(n))
			return false
		}
		for i, el := range seq.Values {
			p := fmt.Sprintf("%s[%d]", path, i)
			if _, seen := s.pos[p]; !seen || !s.merging {
				s.pos[p] = nodeLine(el)
			}
			if isNull(s.resolve(el)) {
				s.fail(p, nodeLine(el), "empty list entry")
				seq.Values[i] = s.placeholder(t.Elem(), el)
				continue
			}
			if !s.check(el, t.Elem(), p) {
				seq.Values[i] = s.placeholder(t.Elem(), el)
				continue
			}
			seq.Values[i] = canonical(el, t.Elem())
		}
		return true
	case reflect.String:
		if _, ok := scalarString(n); !ok {
			s.fail(path, line, "want a string, found %s", describe(n))
			return false
		}
	case reflect.Bool:
		if _, ok := n.(*ast.BoolNode); !ok {
			s.fail(path, line, "want true or false, found %s", describe(n))
			return false
		}
	case reflect.Int:
		v, ok := scalarString(n)
		if _, err := strconv.Atoi(v); !ok || err != nil { // " 3" would fail to decode
			s.fail(path, line, "want an integer, found %s", describe(n))
			return false
		}
		if octal(n) {
			s.fail(path, line, "ambiguous number %s: YAML reads a leading 0 as octal; write it without the 0", v)
			return false
		}
	}
	return true
}

// octal reports whether n is an integer written with a leading zero, like
// 010: the decoder follows YAML 1.1 and reads 8, where a person (and
// strconv.Atoi) reads 10.
func octal(n ast.Node) bool {
	if _, ok := n.(*ast.IntegerNode); !ok {
		return false
	}
	digits := strings.TrimLeft(n.GetToken().Value, "+-")
	return len(digits) > 1 && digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9'
}

// checkStruct validates a mapping against a struct type, pruning unknown
// keys, empty values (an empty value means "use the default") and values
// of the wrong shape.
func (s *schema) checkStruct(n ast.Node, t reflect.Type, path string) bool {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		s.fail(path, nodeLine(n), "want a mapping of keys, found %s", describe(n))
		return false
	}
	fields := yamlFields(t)
	for _, key := range s.refused[m] {
		p := joinPath(path, key)
		if _, seen := s.pos[p]; !seen || !s.merging {
			s.quieten(p)
		}
	}
	kept := m.Values[:0]
	var merges []ast.Node
	for _, mv := range m.Values {
		key, keyLine := mapKey(mv)
		switch {
		case mv.Key != nil && mv.Key.IsMergeKey(): // checked after the keys written here
			key = "<<"
			if !mergeable(mv.Value) {
				v := s.resolve(mv.Value)
				if a, ok := v.(*ast.AliasNode); ok {
					s.fail(joinPath(path, key), nodeLine(v), "unknown alias *%s: no anchor &%s comes before it", aliasName(a), aliasName(a))
				} else {
					s.fail(joinPath(path, key), keyLine, "a merge takes one mapping without a tag, like <<: *defaults; found %s", describe(v))
				}
				continue
			}
			merges = append(merges, mv.Value)
			kept = append(kept, mv)
			continue
		case strings.HasPrefix(key, extensionPrefix):
			// Aliases to its anchors are inlined: nothing needs it now.
			continue
		}
		p := joinPath(path, key)
		field, ok := fields[key]
		if !ok {
			msg := fmt.Sprintf("unknown key %q", key)
			if guess := closest(key, fields); guess != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", guess)
			}
			s.fail(p, keyLine, "%s", msg)
			continue
		}
		_, seen := s.pos[p]
		if !seen || !s.merging {
			s.pos[p] = keyLine
		}
		if isNull(s.resolve(mv.Value)) {
			continue
		}
		shadowed := s.shadowed
		s.shadowed = shadowed || seen && s.merging
		ok = s.check(mv.Value, field, p)
		s.shadowed = shadowed
		if !ok {
			s.refused[m] = append(s.refused[m], key)
			continue
		}
		mv.Value = canonical(mv.Value, field)
		kept = append(kept, mv)
	}
	clear(m.Values[len(kept):])
	m.Values = kept
	// Merged mappings must fit the same struct; their keys get a line only
	// when the mapping does not write them itself.
	merging := s.merging
	s.merging = true
	for _, mn := range merges {
		s.check(mn, t, path)
	}
	s.merging = merging
	return true
}

// checkMap validates a mapping against a map type with string keys (the
// headers of a source): every key is kept, "x-" ones too (X-Api-Key is a
// header, not an extension), and each value is checked against the
// element type. Values are never quoted in messages: they may be
// credentials.
func (s *schema) checkMap(n ast.Node, t reflect.Type, path string) bool {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		s.fail(path, nodeLine(n), "want a mapping of keys, found %s", describeSecret(n))
		return false
	}
	kept := m.Values[:0]
	for _, mv := range m.Values {
		key, keyLine := mapKey(mv)
		p := joinPath(path, key)
		if mv.Key != nil && mv.Key.IsMergeKey() {
			s.fail(p, keyLine, "merges (<<) are not supported here: write the entries, or reuse the whole mapping with an alias")
			continue
		}
		if _, seen := s.pos[p]; !seen || !s.merging {
			s.pos[p] = keyLine
		}
		v, tag := resolveTag(mv.Value)
		if tag != "" && tag != allowedTag(t.Elem()) {
			s.fail(p, keyLine, "unsupported YAML tag (a value that starts with ! must be quoted)")
			continue
		}
		if isNull(v) {
			s.fail(p, keyLine, "empty value")
			continue
		}
		if _, scalar := scalarString(v); !scalar {
			s.fail(p, keyLine, "want a string, found %s", describeSecret(v))
			continue
		}
		if !s.check(mv.Value, t.Elem(), p) {
			continue
		}
		kept = append(kept, mv)
	}
	clear(m.Values[len(kept):])
	m.Values = kept
	return true
}

// describeSecret is describe for a value that may be a credential: the
// kind of node, never its text.
func describeSecret(n ast.Node) string {
	switch n.(type) {
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.IntegerNode, *ast.FloatNode:
		return "a number"
	}
	return describe(n)
}

// extensionPrefix marks keys that Tributary ignores, at any level, so a
// file can hold YAML anchors for reuse:
//
//	x-defaults: &defaults {fulltext: true, tags: [news]}
const extensionPrefix = "x-"

// mergeable reports whether the value of a "<<" key is what the decoder
// can merge into a struct: one mapping without a tag. (YAML also allows a
// list of mappings; goccy/go-yaml refuses it.)
func mergeable(n ast.Node) bool {
	n, tag := resolveTag(n)
	_, ok := n.(*ast.MappingNode)
	return ok && tag == ""
}

// yamlFields maps the YAML keys of struct type t to the field types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type, t.NumField())
	for f := range t.Fields() {
		if name, ok := yamlKey(f); ok {
			fields[name] = f.Type
		}
	}
	return fields
}

// yamlKey returns the YAML key of a struct field: its yaml tag, else its
// name in lower case; false for a field a file cannot set (unexported, or
// tagged "-").
func yamlKey(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	switch name {
	case "-":
		return "", false
	case "":
		return strings.ToLower(f.Name), true
	}
	return name, true
}

// mapKey returns a mapping entry's key as text and its line.
func mapKey(mv *ast.MappingValueNode) (string, int) {
	k := mv.Key
	line := nodeLine(k)
	switch v := k.(type) {
	case *ast.StringNode:
		return v.Value, line
	case *ast.MergeKeyNode:
		return "<<", line
	}
	if tk := k.GetToken(); tk != nil {
		return tk.Value, line
	}
	return k.String(), line
}

// scalarString returns the text of a scalar node.
func scalarString(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", true
		}
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, true
	}
	return "", false
}

// isNull reports whether n is an empty value (nothing, ~ or null).
func isNull(n ast.Node) bool {
	if n == nil {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok
}

// describe names the kind of a node for messages.
func describe(n ast.Node) string {
	switch v := n.(type) {
	case *ast.MappingNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.BoolNode:
		return "a boolean"
	case *ast.IntegerNode, *ast.FloatNode:
		return "the number " + n.GetToken().Value
	case *ast.StringNode:
		return strconv.Quote(v.Value)
	case nil:
		return "nothing"
	}
	return n.Type().YAMLName()
}

// nodeLine returns the line a node starts on; for a mapping, its first key.
func nodeLine(n ast.Node) int {
	if n == nil {
		return 0
	}
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		return nodeLine(m.Values[0].Key)
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

// joinPath appends key to a field path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// parentPath removes the last element of a field path: "a.b[2]" -> "a.b",
// "a.b" -> "a", "a" -> "".
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// closest returns the known key nearest to an unknown one, if it is a
// plausible typo (edit distance at most 2).
func closest(key string, fields map[string]reflect.Type) string {
	best, bestDist := "", 3
	for name := range fields {
		if d := editDistance(key, name); d < bestDist || d == bestDist && name < best {
			best, bestDist = name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
