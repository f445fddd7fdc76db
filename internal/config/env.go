package config

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// expandEnv replaces ${VAR} and ${VAR:-default} in the configuration text
// before it is parsed, so a variable can stand for any YAML value (a number,
// a boolean, a list). ${VAR:-default} uses default when VAR is unset or
// empty; ${VAR} with VAR unset is an error. $${ writes a literal ${.
// Comments are left alone, so a commented-out line may name a variable that
// is not set. A value holding a newline is refused: it would shift every
// line number reported after it.
//
// Values are inserted as they are: quote the reference ("${DSN}") when the
// value may contain YAML punctuation such as ": " or " #".
func expandEnv(data []byte, file string, lookup func(string) (string, bool)) ([]byte, Errors) {
	if !bytes.Contains(data, []byte("${")) {
		return data, nil
	}
	var (
		out  bytes.Buffer
		errs Errors
	)
	out.Grow(len(data))
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, line := range lines {
		code := len(line)
		if c := commentStart(line); c >= 0 {
			code = c
		}
		expanded, err := expandLine(string(line[:code]), lookup)
		if err != nil {
			errs = append(errs, &FieldError{File: file, Line: i + 1, Err: err})
		}
		out.WriteString(expanded)
		out.Write(line[code:])
	}
	return out.Bytes(), errs
}

// expandLine expands the references in one line of YAML (comment removed).
// It reports the first bad reference; the rest of the line is kept as is.
func expandLine(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		if i > 0 && s[i-1] == '$' { // $${ is a literal ${
			b.WriteString(s[:i-1] + "${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return b.String() + s[i:], fmt.Errorf("expand environment: unterminated %q (write $${ for a literal ${)", s[i:])
		}
		ref := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(ref, ":-")
		if !validEnvName(name) {
			return b.String() + s[i:], fmt.Errorf("expand environment: invalid variable reference ${%s}: names are letters, digits and _ (write $${ for a literal ${)", ref)
		}
		val, ok := lookup(name)
		if hasDef && val == "" {
			val, ok = def, true
		}
		if !ok {
			return b.String() + s[i:], fmt.Errorf("expand environment: variable %s is not set (use ${%s:-default} to give a fallback)", name, name)
		}
		if strings.ContainsAny(val, "\r\n") {
			return b.String() + s[i:], errors.New("expand environment: value of " + name + " contains a line break")
		}
		b.WriteString(val)
		s = s[i+end+1:]
	}
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
