package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
	"golang.org/x/text/unicode/norm"

	"github.com/tributary/tributary/feeds"
)

// NewSource is a source to add to a configuration file with AddSources.
type NewSource struct {
	Name     string
	URL      string
	Tags     []string
	FullText bool
}

// byteOrderMark is UTF-8's, which a configuration file may begin with.
const byteOrderMark = "\ufeff"

// MaxNameLen is how long a name Slug makes may be, in bytes.
const MaxNameLen = 60

// AddSources returns data, the text of the configuration file at path,
// with srcs appended to its sources list, and the Config the result
// loads as. Everything else in the file stays byte for byte as it was:
// comments, blank lines, key order, line endings and ${VAR} references
// (see AppendSources). The result is validated as Load would, except
// that a ${VAR} unset here is left to the daemon's environment
// (ParseForEdit): when it is invalid the error is the configuration's
// (an Errors value) and the caller should write nothing.
func AddSources(data []byte, path string, srcs []NewSource) ([]byte, *Config, error) {
	out, err := AppendSources(data, srcs)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := ParseForEdit(out, path)
	if err != nil {
		return nil, nil, err
	}
	// The edit is text: make sure it reads back as what was meant.
	for _, n := range srcs {
		s, ok := cfg.Source(n.Name)
		if !ok || feeds.CanonicalLink(s.URL) != feeds.CanonicalLink(n.URL) || s.FullText != n.FullText || !slices.Equal(s.Tags, n.Tags) {
			return nil, nil, fmt.Errorf("edit %s: source %q does not read back as written", path, n.Name)
		}
	}
	return out, cfg, nil
}

// AppendSources returns data with srcs added at the end of its top-level
// sources list, inserting text where the YAML syntax tree says the list
// ends: the rest of the file is byte-identical. A block list gets block
// items indented like its last item; a flow list ("sources: []" or
// "[{...}]") gets flow items, except an empty one on the key's line,
// which becomes a block list; a missing or empty "sources:" gets a block
// list. Values are quoted when YAML would read them otherwise, and a
// literal "${" is written "$${" so that it is not expanded. It does not
// validate the result: see AddSources.
func AppendSources(data []byte, srcs []NewSource) ([]byte, error) {
	if len(srcs) == 0 {
		return data, nil
	}
	if rest, ok := bytes.CutPrefix(data, []byte(byteOrderMark)); ok {
		// Positions count from after the mark (parseYAML drops it).
		out, err := AppendSources(rest, srcs)
		if err != nil {
			return nil, err
		}
		return append([]byte(byteOrderMark), out...), nil
	}
	root, errs := parseYAML(data, "")
	if len(errs) > 0 {
		return nil, errs
	}
	e := newEditor(data)
	var entries []*ast.MappingValueNode
	switch r := root.(type) {
	case nil:
	case *ast.MappingNode:
		entries = r.Values
	case *ast.MappingValueNode:
		entries = []*ast.MappingValueNode{r}
	default:
		return nil, errors.New("the configuration is not a mapping of keys to values")
	}
	var mv *ast.MappingValueNode
	for _, m := range entries {
		if k, _ := mapKey(m); k == "sources" {
			mv = m
		}
	}
	unit := indentUnit(root)
	if mv == nil {
		// No sources key: a new block at the end of the file.
		text := "sources:" + e.eol + e.block(srcs, unit, 2)
		return e.insert(len(data), text, true), nil
	}
	keyTok := mv.Key.GetToken()
	keyLine := keyTok.Position.Line
	keyIndent := keyTok.Position.Column - 1
	switch v := mv.Value.(type) {
	case *ast.SequenceNode:
		if v.IsFlowStyle {
			if len(v.Values) == 0 && v.Start.Position.Line == keyLine && v.End.Position.Line == keyLine {
				// "sources: []": the brackets go, a block list follows.
				start := e.offset(v.Start.Position.Line, v.Start.Position.Column)
				end := e.offset(v.End.Position.Line, v.End.Position.Column) + 1
				e2 := newEditor(cut(data, start, end))
				return e2.insert(e2.lineEnd(keyLine), e2.block(srcs, keyIndent+unit, 2), false), nil
			}
			end := e.offset(v.End.Position.Line, v.End.Position.Column)
			var items []string
			for _, s := range srcs {
				items = append(items, flowItem(s))
			}
			text := strings.Join(items, ", ")
			if len(v.Values) > 0 {
				text = ", " + text
			}
			out := append(append(append([]byte{}, data[:end]...), text...), data[end:]...)
			return out, nil
		}
		if len(v.Entries) == 0 {
			return nil, errors.New("sources: cannot find the end of the list")
		}
		last := v.Entries[len(v.Entries)-1]
		dash := last.Start.Position
		dashIndent := dash.Column - 1
		inner := 2
		if last.Value != nil {
			if tk := firstToken(last.Value); tk != nil && tk.Position.Line == dash.Line && tk.Position.Column > dash.Column {
				inner = tk.Position.Column - dash.Column
			}
		}
		end := dash.Line
		for l := dash.Line + 1; l <= len(e.lines); l++ {
			line := e.lines[l-1]
			if strings.TrimSpace(line) == "" {
				continue
			}
			if indentOf(line) <= dashIndent {
				break
			}
			end = l
		}
		return e.insert(e.lineEnd(end), e.block(srcs, dashIndent, inner), false), nil
	case *ast.NullNode, nil:
		// "sources:" alone (or "sources: ~"): a block list after the key.
		out := data
		line := e.lines[keyLine-1]
		code := line
		if c := commentStart([]byte(line)); c >= 0 {
			code = line[:c]
		}
		colon := strings.Index(code[keyIndent:], ":")
		if colon >= 0 {
			at := keyIndent + colon + 1
			rest := strings.TrimRight(code[at:], " \t\r\n")
			if v := strings.TrimSpace(rest); v != "" {
				start := e.offset(keyLine, 1) + at
				out = cut(data, start, start+len(rest))
			}
		}
		e2 := newEditor(out)
		return e2.insert(e2.lineEnd(keyLine), e2.block(srcs, keyIndent+unit, 2), false), nil
	default:
		return nil, fmt.Errorf("line %d: sources is not a list (%s): add the source by hand", keyLine, describe(mv.Value))
	}
}

// cut returns data without data[start:end], a value on a key's line,
// and without the spaces before it when nothing but spaces follows it on
// the line: "sources: []" becomes "sources:", "sources: [] # x"
// becomes "sources:  # x".
func cut(data []byte, start, end int) []byte {
	rest := end
	for rest < len(data) && (data[rest] == ' ' || data[rest] == '\t') {
		rest++
	}
	if rest == len(data) || data[rest] == '\n' || data[rest] == '\r' {
		for start > 0 && data[start-1] == ' ' {
			start--
		}
		end = rest
	}
	return append(append([]byte{}, data[:start]...), data[end:]...)
}

// editor splices text into a configuration file by line.
type editor struct {
	data  []byte
	lines []string // each with its line ending, if any
	eol   string
}

func newEditor(data []byte) *editor {
	e := &editor{data: data, eol: "\n"}
	if bytes.Contains(data, []byte("\r\n")) {
		e.eol = "\r\n"
	}
	if len(data) > 0 {
		e.lines = strings.SplitAfter(string(data), "\n")
		if e.lines[len(e.lines)-1] == "" {
			e.lines = e.lines[:len(e.lines)-1]
		}
	}
	return e
}

// offset is the byte offset of the 1-based line and column (in
// characters, as the YAML parser counts).
func (e *editor) offset(line, col int) int {
	off := 0
	for _, l := range e.lines[:line-1] {
		off += len(l)
	}
	n := 0
	for i := range e.lines[line-1] {
		if n == col-1 {
			return off + i
		}
		n++
	}
	return off + len(e.lines[line-1])
}

// lineEnd is the offset just past the 1-based line, its ending included.
func (e *editor) lineEnd(line int) int {
	off := 0
	for _, l := range e.lines[:line] {
		off += len(l)
	}
	return off
}

// insert puts text (lines each ending with e.eol) at off, the start of a
// line or the end of the file. At the end of a file whose last line has
// no line ending, the text begins with one and ends without, so the file
// keeps not ending with a newline; blank asks for a blank line before
// text when it starts a new section.
func (e *editor) insert(off int, text string, blank bool) []byte {
	before := e.data[:off]
	if len(before) > 0 && !bytes.HasSuffix(before, []byte("\n")) {
		text = e.eol + strings.TrimSuffix(text, e.eol)
	}
	if blank && len(before) > 0 && !bytes.HasSuffix(bytes.TrimRight(before, " \t\r"), []byte("\n\n")) {
		text = e.eol + text
	}
	out := make([]byte, 0, len(e.data)+len(text))
	out = append(out, before...)
	out = append(out, text...)
	return append(out, e.data[off:]...)
}

// block renders srcs as block list items: the dash indented by dash
// spaces, the keys by dash+inner.
func (e *editor) block(srcs []NewSource, dash, inner int) string {
	var b strings.Builder
	pad := strings.Repeat(" ", dash+inner)
	for _, s := range srcs {
		b.WriteString(strings.Repeat(" ", dash) + "-" + strings.Repeat(" ", inner-1))
		b.WriteString("name: " + Scalar(s.Name) + e.eol)
		b.WriteString(pad + "url: " + Scalar(s.URL) + e.eol)
		if len(s.Tags) > 0 {
			b.WriteString(pad + "tags: " + flowList(s.Tags) + e.eol)
		}
		if s.FullText {
			b.WriteString(pad + "fulltext: true" + e.eol)
		}
	}
	return b.String()
}

// flowItem renders s as a flow mapping, every string quoted.
func flowItem(s NewSource) string {
	parts := []string{"name: " + quoted(s.Name), "url: " + quoted(s.URL)}
	if len(s.Tags) > 0 {
		parts = append(parts, "tags: "+flowList(s.Tags))
	}
	if s.FullText {
		parts = append(parts, "fulltext: true")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func flowList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = quoted(s)
		if slugRE.MatchString(s) && Scalar(s) == s {
			q[i] = s
		}
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// plainRE is what Scalar writes unquoted: no YAML indicator, no space, no
// '#', no ": ".
var plainRE = regexp.MustCompile(`^[A-Za-z0-9_./~][A-Za-z0-9_./~%+=?&@:;!*'()-]*$`)

// Scalar returns s as a YAML scalar that reads back as the string s from
// a configuration file: plain when that is safe, else double-quoted; a
// literal "${" becomes "$${" so that ${VAR} expansion leaves it alone.
func Scalar(s string) string {
	s = strings.ReplaceAll(s, "${", "$${")
	if plainRE.MatchString(s) && !strings.HasSuffix(s, ":") {
		var m map[string]any
		if yaml.Unmarshal([]byte("v: "+s), &m) == nil {
			if got, ok := m["v"].(string); ok && got == s {
				return s
			}
		}
	}
	return quotedRaw(s)
}

// quoted is s double-quoted, "${" escaped.
func quoted(s string) string {
	return quotedRaw(strings.ReplaceAll(s, "${", "$${"))
}

// quotedRaw double-quotes s: a JSON string is a YAML double-quoted one.
func quotedRaw(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// firstToken is the first token of n: a mapping's first key.
func firstToken(n ast.Node) *token.Token {
	switch m := n.(type) {
	case *ast.MappingNode:
		if len(m.Values) > 0 {
			return m.Values[0].Key.GetToken()
		}
	case *ast.MappingValueNode:
		return m.Key.GetToken()
	}
	return n.GetToken()
}

// indentUnit is the indentation the file uses for a nested block mapping
// (2 when it has none).
func indentUnit(root ast.Node) int {
	m, ok := root.(*ast.MappingNode)
	if !ok {
		return 2
	}
	for _, mv := range m.Values {
		child, ok := mv.Value.(*ast.MappingNode)
		if !ok || len(child.Values) == 0 {
			continue
		}
		k, c := mv.Key.GetToken().Position, child.Values[0].Key.GetToken().Position
		if c.Line > k.Line && c.Column > k.Column {
			return c.Column - k.Column
		}
	}
	return 2
}

// indentOf counts the spaces that begin line.
func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}

// Slug returns a name made from title: lowercase ASCII letters and digits
// joined by single hyphens, accents dropped ("Café Örebro" is
// "cafe-orebro"), at most MaxNameLen bytes; "" when title has no letter
// or digit it can keep.
func Slug(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFKD.String(title) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case r >= 'A' && r <= 'Z':
			r = unicode.ToLower(r)
		default:
			hyphen = b.Len() > 0
			continue
		}
		if hyphen {
			b.WriteByte('-')
			hyphen = false
		}
		b.WriteRune(r)
	}
	s := b.String()
	if len(s) > MaxNameLen {
		s = strings.TrimRight(s[:MaxNameLen], "-")
	}
	return s
}

// Names hands out source names: each unique among the sources of the
// Config it was made from and the names it handed out before.
type Names struct {
	used map[string]bool
	next map[string]int // base: the first suffix not yet tried
}

// Names returns a Names for c's sources.
func (c *Config) Names() *Names {
	n := &Names{used: make(map[string]bool, len(c.Sources)), next: map[string]int{}}
	for _, s := range c.Sources {
		n.used[s.Name] = true
	}
	return n
}

// Unique returns base, or base-2, base-3... the first name not in use
// (cut so that it stays within MaxNameLen), and marks it used.
func (n *Names) Unique(base string) string {
	name := base
	for i := max(n.next[base], 2); n.used[name]; i++ {
		suffix := "-" + strconv.Itoa(i)
		b := base
		if len(b)+len(suffix) > MaxNameLen {
			b = strings.TrimRight(b[:MaxNameLen-len(suffix)], "-")
		}
		name = b + suffix
		n.next[base] = i + 1
	}
	n.used[name] = true
	return name
}

// SourceByURL returns the source of c whose URL is the same as rawURL,
// compared as the duplicate-URL warning compares them (feeds.CanonicalLink:
// "http://www.example.com/feed/" is "https://example.com/feed").
func (c *Config) SourceByURL(rawURL string) (Source, bool) {
	key := URLKey(rawURL)
	for _, s := range c.Sources {
		if URLKey(s.URL) == key {
			return s, true
		}
	}
	return Source{}, false
}

// URLKey is the form two source URLs are compared in (feeds.CanonicalLink):
// sources with the same key fetch the same document.
func URLKey(u string) string {
	return feeds.CanonicalLink(strings.TrimSpace(u))
}
