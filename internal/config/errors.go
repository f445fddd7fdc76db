package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// FieldError is one problem in a configuration file. It names the file, the
// line and the field path (like "sources[2].schedule") so that an operator
// can go straight to the mistake.
type FieldError struct {
	// File is the configuration file as given to Load or Parse; may be empty.
	File string
	// Path is the field path, like "feeds[0].sources[1]"; empty for problems
	// that belong to no field (YAML syntax).
	Path string
	// Line is the 1-based line in File, or 0 when the field is absent from
	// the file (a required top-level key, or a Config built in Go).
	Line int
	// Err is the problem itself.
	Err error
}

// Error formats the problem as "file:line: path: problem", leaving out the
// parts that are unknown.
func (e *FieldError) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("invalid value")
	}
	return b.String()
}

// Unwrap returns the underlying problem.
func (e *FieldError) Unwrap() error { return e.Err }

// Errors is every problem found in one configuration, ordered by line
// (problems without a line last). Load, Parse and Validate return it as an
// Errors value: use errors.As(err, &errs) with `var errs config.Errors`, or
// errors.As with a *FieldError to get the first problem.
type Errors []*FieldError

// Error returns one problem per line.
func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, fe := range e {
		lines[i] = fe.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns each *FieldError, so errors.Is and errors.As see all of them.
func (e Errors) Unwrap() []error {
	errs := make([]error, len(e))
	for i, fe := range e {
		errs[i] = fe
	}
	return errs
}

// sortErrors orders problems by line, keeping problems without a line last
// and the discovery order among equals.
func sortErrors(errs Errors) {
	slices.SortStableFunc(errs, func(a, b *FieldError) int {
		if (a.Line == 0) != (b.Line == 0) {
			if a.Line == 0 {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.Line, b.Line)
	})
}

// orNil turns an empty list into a nil error, so callers can test err != nil.
func (e Errors) orNil() error {
	if len(e) == 0 {
		return nil
	}
	sortErrors(e)
	return e
}
