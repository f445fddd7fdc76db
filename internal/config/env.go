package config

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// expandEnv replaces ${VAR} and ${VAR:-default} in the configuration text
// before it is parsed, so a variable can stand for any YAML value (a number,
// a boolean, a list). ${VAR:-default} uses default when VAR is unset or
// empty; ${VAR} with VAR unset is a problem. $${ writes a literal ${.
// Comments are left alone, so a commented-out line may name a variable that
// is not set. A value holding a newline is refused: it would shift every
// line number reported after it.
//
// Values are inserted as they are: quote the reference ("${DSN}") when the
// value may contain YAML punctuation such as ": " or " #".
//
// A reference that cannot be expanded does not stop the expansion: an
// unset variable, or one holding a line break, is replaced by its name,
// which reads as a plain YAML word anywhere a value can be; a malformed
// reference is left as written. The rest of the file can then be parsed
// and checked, and every problem reported at once; parse ties each of
// these problems to the field it is in (see locateEnv) and silences what
// the stand-in provokes there.
func expandEnv(data []byte, lookup func(string) (string, bool)) ([]byte, []envProblem) {
	if !bytes.Contains(data, []byte("${")) {
		return data, nil
	}
	var (
		out   bytes.Buffer
		probs []envProblem
	)
	out.Grow(len(data))
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, line := range lines {
		code := len(line)
		if c := commentStart(line); c >= 0 {
			code = c
		}
		expanded, lineProbs := expandLine(string(line[:code]), lookup)
		for _, p := range lineProbs {
			p.line = i + 1
			probs = append(probs, p)
		}
		out.WriteString(expanded)
		out.Write(line[code:])
	}
	return out.Bytes(), probs
}

// envProblem is a reference expandEnv could not expand, placed in the
// expanded text the way the YAML parser counts: a 1-based line, and a
// 1-based column in characters.
type envProblem struct {
	line, col int
	err       error
}

// expandLine expands the references in one line of YAML (comment removed)
// and returns each one it could not expand, with its column in the result.
func expandLine(s string, lookup func(string) (string, bool)) (string, []envProblem) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var (
		b     strings.Builder
		probs []envProblem
	)
	fail := func(err error) {
		probs = append(probs, envProblem{col: utf8.RuneCountInString(b.String()) + 1, err: err})
	}
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), probs
		}
		if i > 0 && s[i-1] == '$' { // $${ is a literal ${
			b.WriteString(s[:i-1] + "${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			fail(fmt.Errorf("expand environment: unterminated %q (write $${ for a literal ${)", strings.TrimRight(s[i:], "\r\n")))
			b.WriteString(s[i:])
			return b.String(), probs
		}
		ref := s[i+2 : i+end]
		s = s[i+end+1:]
		name, def, hasDef := strings.Cut(ref, ":-")
		if !validEnvName(name) {
			fail(fmt.Errorf("expand environment: invalid variable reference ${%s}: names are letters, digits and _ (write $${ for a literal ${)", ref))
			b.WriteString("${" + ref + "}")
			continue
		}
		val, ok := lookup(name)
		if hasDef && val == "" {
			val, ok = def, true
		}
		switch {
		case !ok:
			fail(unsetEnvError{name})
			val = name
		case strings.ContainsAny(val, "\r\n"):
			fail(errors.New("expand environment: value of " + name + " contains a line break"))
			val = name
		}
		b.WriteString(val)
	}
}

// unsetEnvError is a reference to a variable the environment does not
// set (and that has no default).
type unsetEnvError struct{ name string }

func (e unsetEnvError) Error() string {
	return fmt.Sprintf("environment variable ${%s} is not set (write ${%s:-default} to give a fallback)", e.name, e.name)
}

// validEnvName reports whether name is a shell-style variable name.
func validEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// commentStart returns the index of the '#' that starts a comment in one
// line of YAML, or -1. It follows single- and double-quoted scalars that open
// and close on the line; a '#' starts a comment at the line start or after a
// space or tab. It is a heuristic (block scalars and multi-line quoted
// strings are not tracked), good enough to leave commented-out examples
// unexpanded.
func commentStart(line []byte) int {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch quote {
		case '"':
			if c == '\\' {
				i++
			} else if c == '"' {
				quote = 0
			}
			continue
		case '\'':
			if c == '\'' {
				if i+1 < len(line) && line[i+1] == '\'' {
					i++
				} else {
					quote = 0
				}
			}
			continue
		}
		startOfToken := i == 0 || strings.IndexByte(" \t[{,:-", line[i-1]) >= 0
		switch {
		case (c == '"' || c == '\'') && startOfToken:
			quote = c
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return i
		}
	}
	return -1
}

// locateEnv turns the expansion problems into FieldErrors at the line of
// each reference and the path of the field it is in: the field whose key
// or value starts last at or before the reference (a value spanning lines,
// like a block scalar, starts before it). Merged mappings ("<<") count as
// the mapping they merge into. root is the tree with aliases inlined, so a
// value written once may sit at several paths: the problem is reported at
// the first, where the value is written, and quiet lists them all, for
// parse to silence what the stand-in provokes at each.
func locateEnv(root ast.Node, file string, probs []envProblem) (errs Errors, quiet []string) {
	if len(probs) == 0 {
		return nil, nil
	}
	var sp []spot
	if root != nil {
		spots(root, "", 0, &sp)
	}
	for _, p := range probs {
		best := spot{}
		for _, s := range sp {
			atOrBefore := s.line < p.line || s.line == p.line && s.col <= p.col
			if atOrBefore && (s.line > best.line || s.line == best.line && s.col > best.col) {
				best = s
			}
		}
		errs = append(errs, &FieldError{File: file, Line: p.line, Path: best.path, Err: p.err})
		for _, s := range sp {
			if s.line == best.line && s.col == best.col && s.path != "" {
				quiet = append(quiet, s.path)
			}
		}
	}
	return errs, quiet
}

// spot is where a key or a value starts, and its field path.
type spot struct {
	line, col int
	path      string
}

// maxSpots bounds the walk of spots through a tree whose aliases, once
// inlined, make it far larger than the file.
const maxSpots = 1 << 16

// spots appends the start of n and of every key and value under it, in
// file order, with their field paths. Past maxDepth or maxSpots it stops:
// a problem is then still reported, at a less precise path.
func spots(n ast.Node, path string, depth int, out *[]spot) {
	if isNil(n) || depth > maxDepth || len(*out) >= maxSpots {
		return
	}
	depth++
	add := func(tk *token.Token) {
		if tk != nil && tk.Position != nil {
			*out = append(*out, spot{tk.Position.Line, tk.Position.Column, path})
		}
	}
	switch v := n.(type) {
	case *ast.MappingNode:
		if v.IsFlowStyle {
			add(v.Start)
		}
		for _, mv := range v.Values {
			if mv.Key != nil && mv.Key.IsMergeKey() {
				add(mv.Key.GetToken())
				spots(mv.Value, path, depth, out)
				continue
			}
			key, _ := mapKey(mv)
			p := joinPath(path, key)
			if mv.Key != nil {
				spots(mv.Key, p, depth, out)
			}
			spots(mv.Value, p, depth, out)
		}
	case *ast.SequenceNode:
		add(v.Start)
		for i, el := range v.Values {
			spots(el, fmt.Sprintf("%s[%d]", path, i), depth, out)
		}
	case *ast.AnchorNode:
		add(v.Start)
		spots(v.Value, path, depth, out)
	case *ast.TagNode:
		add(v.Start)
		spots(v.Value, path, depth, out)
	case *ast.LiteralNode:
		add(v.Start)
		if v.Value != nil {
			spots(v.Value, path, depth, out)
		}
	case *ast.MappingKeyNode:
		add(v.Start)
		spots(v.Value, path, depth, out)
	default: // scalars and aliases
		add(n.GetToken())
	}
}

// within reports whether path is one of paths or lies under one of them.
func within(path string, paths []string) bool {
	for _, p := range paths {
		if path == p || strings.HasPrefix(path, p) && (path[len(p)] == '.' || path[len(p)] == '[') {
			return true
		}
	}
	return false
}
