package config

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

var (
	configType   = reflect.TypeFor[Config]()
	durationType = reflect.TypeFor[time.Duration]()
)

// parseYAML parses the expanded text into the root node of its single
// document; nil for a file with no content.
func parseYAML(data []byte, file string) (ast.Node, Errors) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, Errors{yamlError(file, "syntax error", err)}
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

// schema walks the YAML tree against the Go types before decoding. It
// records the line of every field path, reports every unknown key and every
// value of the wrong shape (all of them, in file order, with their line)
// and prunes those entries so the decoder only sees what it can decode.
// goccy's own strict mode stops at the first unknown key, picked from a map,
// so it cannot report them all.
type schema struct {
	file    string
	pos     map[string]int
	errs    Errors
	anchors map[string]ast.Node
	// merging is set while checking a mapping merged in with "<<".
	merging bool
	// abort is set when a list entry is unusable: pruning it would shift
	// the indexes of the entries after it, so the decode is skipped.
	abort bool
	depth int
}

// maxDepth bounds the walk through aliases that refer to themselves.
const maxDepth = 64

func newSchema(file string) *schema {
	return &schema{file: file, pos: map[string]int{}, anchors: map[string]ast.Node{}}
}

func (s *schema) fail(path string, line int, format string, args ...any) {
	s.errs = append(s.errs, &FieldError{File: s.file, Path: path, Line: line, Err: fmt.Errorf(format, args...)})
}

// resolve looks through anchors, tags and aliases to the node that holds
// the value.
func (s *schema) resolve(n ast.Node) ast.Node {
	for range maxDepth {
		switch v := n.(type) {
		case *ast.AnchorNode:
			if v.Name != nil {
				s.anchors[v.Name.GetToken().Value] = v.Value
			}
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.AliasNode:
			if v.Value == nil {
				return n
			}
			target, ok := s.anchors[v.Value.GetToken().Value]
			if !ok {
				return n // the decoder reports the unknown alias
			}
			n = target
		default:
			return n
		}
	}
	return n
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
	n = s.resolve(n)
	if _, ok := n.(*ast.AliasNode); ok {
		return true
	}
	line := nodeLine(n)
	switch {
	case t == durationType:
		v, ok := scalarString(n)
		if !ok {
			s.fail(path, line, "want a duration like 20s or 1m30s, found %s", describe(n))
			return false
		}
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			if _, isInt := n.(*ast.IntegerNode); isInt {
				s.fail(path, line, "invalid duration %s: a unit is required, like %ss", v, v)
			} else {
				s.fail(path, line, "invalid duration %q: want a Go duration like 20s or 1m30s", v)
			}
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
		if _, err := parseSize(v); err != nil {
			s.fail(path, line, "%v", err)
			return false
		}
		return true
	}
	switch t.Kind() {
	case reflect.Struct:
		return s.checkStruct(n, t, path)
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			s.fail(path, line, "want a list, found %s", describe(n))
			return false
		}
		for i, el := range seq.Values {
			p := fmt.Sprintf("%s[%d]", path, i)
			s.pos[p] = nodeLine(el)
			if isNull(s.resolve(el)) {
				s.fail(p, nodeLine(el), "empty list entry")
				s.abort = true
				continue
			}
			if !s.check(el, t.Elem(), p) {
				s.abort = true
			}
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
		if _, err := strconv.Atoi(strings.TrimSpace(v)); !ok || err != nil {
			s.fail(path, line, "want an integer, found %s", describe(n))
			return false
		}
	}
	return true
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
	kept := m.Values[:0]
	var merges []ast.Node
	for _, mv := range m.Values {
		key, keyLine := mapKey(mv)
		switch {
		case key == "<<": // merge key: checked after the keys written here
			merges = append(merges, mv.Value)
			kept = append(kept, mv)
			continue
		case strings.HasPrefix(key, extensionPrefix):
			s.addAnchors(mv.Value)
			kept = append(kept, mv)
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
		if _, seen := s.pos[p]; !seen || !s.merging {
			s.pos[p] = keyLine
		}
		if isNull(s.resolve(mv.Value)) {
			continue
		}
		if !s.check(mv.Value, field, p) {
			continue
		}
		kept = append(kept, mv)
	}
	clear(m.Values[len(kept):])
	m.Values = kept
	// Merged mappings must fit the same struct; their keys get a line only
	// when the mapping does not write them itself.
	merging := s.merging
	s.merging = true
	for _, mn := range merges {
		v := s.resolve(mn)
		if seq, ok := v.(*ast.SequenceNode); ok {
			for _, el := range seq.Values {
				s.check(el, t, path)
			}
		} else {
			s.check(v, t, path)
		}
	}
	s.merging = merging
	return true
}

// extensionPrefix marks keys that Tributary ignores, at any level, so a
// file can hold YAML anchors for reuse:
//
//	x-defaults: &defaults {fulltext: true, tags: [news]}
const extensionPrefix = "x-"

// addAnchors records the anchors under n, which is not checked itself.
func (s *schema) addAnchors(n ast.Node) {
	ast.Walk(anchorVisitor(s.anchors), n)
}

// anchorVisitor records every anchor it walks past.
type anchorVisitor map[string]ast.Node

func (a anchorVisitor) Visit(n ast.Node) ast.Visitor {
	if an, ok := n.(*ast.AnchorNode); ok && an.Name != nil {
		a[an.Name.GetToken().Value] = an.Value
	}
	return a
}

// yamlFields maps the YAML keys of struct type t to the field types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type, t.NumField())
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
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
