package feeds

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Rules map the fields of an article to the patterns that match them, for
// a source's or a feed's include and exclude. A pattern is a keyword or
// phrase, matched case-insensitively as whole words ("wwe" matches
// "WWE Raw" but not "awwed"; "summer slam" matches "Summer  Slam"), or
// "re:" followed by a Go (RE2) regular expression, case-insensitive unless
// it turns that off with (?-i). A field matches when one of its patterns
// matches one of its values.
type Rules struct {
	// Title lists patterns matched against the title.
	Title []string `yaml:"title"`
	// Content lists patterns matched against the text of the content and
	// of the summary: tags removed, entities decoded.
	Content []string `yaml:"content"`
	// Author lists patterns matched against each author's name.
	Author []string `yaml:"author"`
	// Category lists patterns matched against each category.
	Category []string `yaml:"category"`
	// Link lists patterns matched against the link, the URL as published.
	Link []string `yaml:"link"`
	// Any lists patterns matched against every field above.
	Any []string `yaml:"any"`
}

// The fields Rules names, in the order Rules lists them.
const (
	FieldTitle    = "title"
	FieldContent  = "content"
	FieldAuthor   = "author"
	FieldCategory = "category"
	FieldLink     = "link"
	FieldAny      = "any"
)

// fields returns the fields of r in order, each with its patterns.
func (r Rules) fields() []ruleField {
	return []ruleField{
		{FieldTitle, r.Title}, {FieldContent, r.Content}, {FieldAuthor, r.Author},
		{FieldCategory, r.Category}, {FieldLink, r.Link}, {FieldAny, r.Any},
	}
}

type ruleField struct {
	name     string
	patterns []string
}

// Empty reports whether r has no pattern.
func (r Rules) Empty() bool {
	for _, f := range r.fields() {
		if len(f.patterns) > 0 {
			return false
		}
	}
	return true
}

// The bounds of one filter (a source's or a feed's include and exclude
// together): its patterns, each pattern's length, and the size of the
// compiled regular expressions, each and in total (RE2's program
// instructions; a keyword counts too). Matching is linear in the text
// times that size, so they bound the work of filtering one article.
const (
	MaxFilterPatterns     = 200
	MaxPatternBytes       = 1000
	MaxPatternProgram     = 5000
	MaxFilterProgramTotal = 50000
)

// RegexPrefix marks a pattern that is a regular expression.
const RegexPrefix = "re:"

// PatternError is a pattern NewFilter refuses: Rule is "include" or
// "exclude", Field the field it is listed under, Index its place in the
// list (-1 when the problem is the filter as a whole, such as too many
// patterns).
type PatternError struct {
	Rule, Field string
	Index       int
	Pattern     string
	Err         error
}

// Error names the rule, field and pattern.
func (e *PatternError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("filter: %s: %v", e.Rule, e.Err)
	}
	return fmt.Sprintf("filter: %s.%s[%d]: pattern %q: %v", e.Rule, e.Field, e.Index, e.Pattern, e.Err)
}

// Unwrap returns the problem.
func (e *PatternError) Unwrap() error { return e.Err }

// PatternErrors is every pattern NewFilter refused, in the order of the
// rules (include, then exclude) and of their fields.
type PatternErrors []*PatternError

// Error returns one problem per line.
func (e PatternErrors) Error() string {
	lines := make([]string, len(e))
	for i, pe := range e {
		lines[i] = pe.Error()
	}
	return strings.Join(lines, "\n")
}

// Filter decides which articles a source or a feed keeps. The nil *Filter
// keeps every article. It is safe for concurrent use.
type Filter struct {
	include, exclude []fieldMatcher
}

type fieldMatcher struct {
	field    string
	patterns []*Pattern
}

// Pattern is one compiled pattern of Rules: a keyword or a regular
// expression.
type Pattern struct {
	// re is the regular expression of a "re:" pattern; nil for a keyword.
	re *regexp.Regexp
	// kw is a keyword or phrase, lowercased, its words separated by one
	// space, searched in text folded the same way (foldText); wordStart
	// and wordEnd say whether its ends are word characters, which must
	// not touch another.
	kw                 string
	wordStart, wordEnd bool
}

// NewFilter compiles include and exclude. An article passes when, for
// every field include lists, one of its patterns matches, and no exclude
// pattern matches. Both empty gives nil, which keeps everything. Every
// pattern refused is reported, as PatternErrors.
func NewFilter(include, exclude Rules) (*Filter, error) {
	if include.Empty() && exclude.Empty() {
		return nil, nil
	}
	var (
		f     Filter
		errs  PatternErrors
		count int
		total int
	)
	for _, rule := range []struct {
		name  string
		rules Rules
		dst   *[]fieldMatcher
	}{{"include", include, &f.include}, {"exclude", exclude, &f.exclude}} {
		for _, fl := range rule.rules.fields() {
			if len(fl.patterns) == 0 {
				continue
			}
			m := fieldMatcher{field: fl.name}
			for i, p := range fl.patterns {
				count++
				if count > MaxFilterPatterns {
					errs = append(errs, &PatternError{Rule: rule.name, Index: -1,
						Err: fmt.Errorf("more than %d patterns in one source's or feed's include and exclude", MaxFilterPatterns)})
					return nil, errs
				}
				pat, size, err := CompilePattern(p)
				if err == nil && total+size > MaxFilterProgramTotal {
					err = fmt.Errorf("the patterns of this filter compile to more than %d instructions together", MaxFilterProgramTotal)
				}
				if err != nil {
					errs = append(errs, &PatternError{Rule: rule.name, Field: fl.name, Index: i, Pattern: p, Err: err})
					continue
				}
				total += size
				m.patterns = append(m.patterns, pat)
			}
			*rule.dst = append(*rule.dst, m)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &f, nil
}

// CompilePattern compiles one pattern of Rules (see Rules for the
// syntax) and returns its size: a regular expression's RE2 program
// instructions, a keyword's length in bytes.
func CompilePattern(p string) (*Pattern, int, error) {
	if len(p) > MaxPatternBytes {
		return nil, 0, fmt.Errorf("longer than %d bytes", MaxPatternBytes)
	}
	if !utf8.ValidString(p) {
		return nil, 0, errors.New("not valid UTF-8")
	}
	rx, ok := strings.CutPrefix(p, RegexPrefix)
	if !ok {
		kw := foldText(p)
		if kw == "" {
			return nil, 0, errors.New("empty keyword")
		}
		first, _ := utf8.DecodeRuneInString(kw)
		last, _ := utf8.DecodeLastRuneInString(kw)
		return &Pattern{kw: kw, wordStart: isWordRune(first), wordEnd: isWordRune(last)}, len(kw), nil
	}
	if strings.TrimSpace(rx) == "" {
		return nil, 0, errors.New("empty regular expression (it would match everything)")
	}
	expr := "(?i)" + rx
	parsed, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			return nil, 0, fmt.Errorf("invalid regular expression: %s", se.Code)
		}
		return nil, 0, fmt.Errorf("invalid regular expression: %w", err)
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, 0, fmt.Errorf("invalid regular expression: %w", err)
	}
	if len(prog.Inst) > MaxPatternProgram {
		return nil, 0, fmt.Errorf("regular expression too large: %d instructions, at most %d", len(prog.Inst), MaxPatternProgram)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, 0, fmt.Errorf("invalid regular expression: %w", err)
	}
	return &Pattern{re: re}, len(prog.Inst), nil
}

// foldText is how a keyword and the text it is searched in are
// compared: lowercased (Unicode) and composed (NFC, so "zoë" typed in the
// config matches a source that writes "e" and a combining diaeresis), every
// run of white space (Unicode's, the no-break space included) one space,
// trimmed.
func foldText(s string) string {
	return strings.Join(strings.Fields(norm.NFC.String(strings.ToLower(s))), " ")
}

// isWordRune reports whether r is a word character: a letter, mark or
// digit in any script, or the underscore.
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r)
}

// matches reports whether p matches value, whose folded form (foldText)
// is folded.
func (p *Pattern) matches(value, folded string) bool {
	if p.re != nil {
		return p.re.MatchString(value)
	}
	for from := 0; from <= len(folded)-len(p.kw); {
		i := strings.Index(folded[from:], p.kw)
		if i < 0 {
			return false
		}
		i += from
		before, _ := utf8.DecodeLastRuneInString(folded[:i])
		after, _ := utf8.DecodeRuneInString(folded[i+len(p.kw):])
		if !(p.wordStart && isWordRune(before)) && !(p.wordEnd && isWordRune(after)) {
			return true
		}
		_, size := utf8.DecodeRuneInString(folded[i:])
		from = i + size
	}
	return false
}

// The reasons a filter leaves an article out.
const (
	ReasonInclude = "include"
	ReasonExclude = "exclude"
)

// Reason returns why f leaves a out: ReasonInclude when a field include
// lists matches none of its patterns, ReasonExclude when an exclude
// pattern matches; "" when f keeps a (always, for a nil f).
func (f *Filter) Reason(a *Article) string {
	if f == nil {
		return ""
	}
	t := articleText{a: a}
	for _, m := range f.include {
		if !m.matches(&t) {
			return ReasonInclude
		}
	}
	for _, m := range f.exclude {
		if m.matches(&t) {
			return ReasonExclude
		}
	}
	return ""
}

// Keeps reports whether f keeps a.
func (f *Filter) Keeps(a *Article) bool { return f.Reason(a) == "" }

func (m fieldMatcher) matches(t *articleText) bool {
	values, folded := t.values(m.field), t.foldedValues(m.field)
	for i, v := range values {
		for _, p := range m.patterns {
			if p.matches(v, folded[i]) {
				return true
			}
		}
	}
	return false
}

// articleText is the text of each field of one article, the content's
// made once, when a pattern first needs it.
type articleText struct {
	a       *Article
	content []string
	// folded holds each field's values as foldText makes them.
	folded map[string][]string
}

// foldedValues returns values(field), each folded (foldText), made once.
func (t *articleText) foldedValues(field string) []string {
	if f, ok := t.folded[field]; ok {
		return f
	}
	values := t.values(field)
	f := make([]string, len(values))
	for i, v := range values {
		f[i] = foldText(v)
	}
	if t.folded == nil {
		t.folded = map[string][]string{}
	}
	t.folded[field] = f
	return f
}

// values returns the texts field matches: a pattern matches the field
// when it matches one of them.
func (t *articleText) values(field string) []string {
	a := t.a
	switch field {
	case FieldTitle:
		return []string{a.Title}
	case FieldContent:
		if t.content == nil {
			t.content = []string{PlainText(a.Content), PlainText(a.Summary)}
		}
		return t.content
	case FieldAuthor:
		names := make([]string, len(a.Authors))
		for i, au := range a.Authors {
			names[i] = au.Name
		}
		return names
	case FieldCategory:
		return categoryTerms(a)
	case FieldLink:
		return []string{a.Link}
	case FieldAny:
		var all []string
		for _, f := range []string{FieldTitle, FieldContent, FieldAuthor, FieldCategory, FieldLink} {
			all = append(all, t.values(f)...)
		}
		return all
	}
	return nil
}

// categoryTerms returns the categories a filter's category patterns
// match, each one's term and its label when it has another: the one
// place filters read Article.Categories.
func categoryTerms(a *Article) []string {
	out := make([]string, 0, len(a.Categories))
	for _, c := range a.Categories {
		out = append(out, c.Term)
		if c.Label != "" && !strings.EqualFold(c.Label, c.Term) {
			out = append(out, c.Label)
		}
	}
	return out
}
