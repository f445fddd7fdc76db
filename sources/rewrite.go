package sources

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/sources/internal/htmldepth"
)

// Rewrite is what a source's configuration changes in its articles before
// they are sanitized: the elements its Remove selectors match are dropped
// from every article's content and summary (a feed item's, a scraped
// item's, an extracted page's), and its Replace rules rewrite titles and
// content. Rewriting runs before sanitizing, on the HTML as the source
// wrote it, so a selector can match a class the sanitizer would drop and a
// rule cannot put back what the sanitizer removes.
type Rewrite struct {
	// Remove lists CSS selectors, at most MaxRemove; see CheckRemove.
	Remove []string
	// Replace lists rules applied in order, at most MaxReplace.
	Replace []Replace
}

// Replace is one rewriting rule: every match of Pattern in Field is
// replaced with With.
type Replace struct {
	// Field is title (the title, as plain text) or content (the content
	// and summary, as HTML before it is sanitized); required.
	Field string `yaml:"field"`
	// Pattern is a regular expression in RE2 syntax (Go's regexp), at
	// most 1024 bytes (MaxPatternBytes); required.
	Pattern string `yaml:"pattern"`
	// With replaces each match, at most 1024 bytes (MaxWithBytes); $1
	// stands for the match's first group, $$ for a dollar sign. In a
	// configuration file ${...} is an environment variable: write $${1}
	// for a group followed by a letter or digit. Empty or left out deletes
	// the match.
	With string `yaml:"with"`
}

// Fields a Replace rule rewrites.
const (
	ReplaceTitle   = "title"
	ReplaceContent = "content"
)

// Bounds of a Rewrite: the work and memory of rewriting one article stay
// proportionate to the article whatever the rules.
const (
	MaxRemove       = 100
	MaxReplace      = 50
	MaxPatternBytes = 1024
	MaxWithBytes    = 1024
	// maxRewriteMatches bounds the matches one rule replaces in one field;
	// the rest of the field is kept as it was.
	maxRewriteMatches = 10000
)

// CheckRemove reports whether sel is a CSS selector Remove accepts.
func CheckRemove(sel string) error {
	_, err := cascadia.Compile(strings.TrimSpace(sel))
	return err
}

// Check reports what is wrong with r: a field other than title or
// content, a pattern that does not compile or is empty, or one of the
// bounds passed.
func (r Replace) Check() error {
	_, err := r.compile()
	return err
}

func (r Replace) compile() (*regexp.Regexp, error) {
	switch f := strings.ToLower(strings.TrimSpace(r.Field)); f {
	case ReplaceTitle, ReplaceContent:
	case "":
		return nil, fmt.Errorf("field is required: %s or %s", ReplaceTitle, ReplaceContent)
	default:
		return nil, fmt.Errorf("unknown field %q (want %s or %s)", r.Field, ReplaceTitle, ReplaceContent)
	}
	switch {
	case r.Pattern == "":
		return nil, fmt.Errorf("pattern is required")
	case len(r.Pattern) > MaxPatternBytes:
		return nil, fmt.Errorf("pattern is %d bytes, more than %d", len(r.Pattern), MaxPatternBytes)
	case len(r.With) > MaxWithBytes:
		return nil, fmt.Errorf("with is %d bytes, more than %d", len(r.With), MaxWithBytes)
	}
	re, err := regexp.Compile(r.Pattern)
	if err != nil {
		return nil, fmt.Errorf("invalid pattern: %w", err)
	}
	return re, nil
}

// Empty reports whether rw changes nothing.
func (rw Rewrite) Empty() bool {
	return len(rw.Remove) == 0 && len(rw.Replace) == 0
}

// rule is a compiled Replace; refs counts the dollar signs of with, an
// upper bound of the groups one replacement repeats.
type rule struct {
	re   *regexp.Regexp
	with string
	refs int
}

// rewriter is a compiled Rewrite; a nil one changes nothing.
type rewriter struct {
	remove         []cascadia.Selector
	title, content []rule
}

// compile checks rw and compiles it; nil when rw is empty.
func (rw Rewrite) compile() (*rewriter, error) {
	if rw.Empty() {
		return nil, nil
	}
	if len(rw.Remove) > MaxRemove {
		return nil, fmt.Errorf("rewrite: %d remove selectors, more than %d", len(rw.Remove), MaxRemove)
	}
	if len(rw.Replace) > MaxReplace {
		return nil, fmt.Errorf("rewrite: %d replace rules, more than %d", len(rw.Replace), MaxReplace)
	}
	out := &rewriter{}
	for _, s := range rw.Remove {
		sel, err := cascadia.Compile(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("rewrite: remove selector %q: %w", s, err)
		}
		out.remove = append(out.remove, sel)
	}
	for i, r := range rw.Replace {
		re, err := r.compile()
		if err != nil {
			return nil, fmt.Errorf("rewrite: replace[%d]: %w", i, err)
		}
		ru := rule{re: re, with: r.With, refs: strings.Count(r.With, "$")}
		if strings.EqualFold(strings.TrimSpace(r.Field), ReplaceTitle) {
			out.title = append(out.title, ru)
		} else {
			out.content = append(out.content, ru)
		}
	}
	return out, nil
}

// rewriteTitle applies the title rules to t, a plain-text title, and
// returns it on one line, trimmed and cut to feeds.MaxTitleRunes.
func (rw *rewriter) rewriteTitle(t string) string {
	if rw == nil || len(rw.title) == 0 {
		return t
	}
	t = replaceAll(t, rw.title, feeds.MaxTitleRunes*16)
	return feeds.TruncateRunes(strings.Join(strings.Fields(feeds.StripControl(t)), " "), feeds.MaxTitleRunes)
}

// rewriteContent drops the elements the remove selectors match from h, an
// HTML fragment as the source wrote it, then applies the content rules.
// The result is at most maxSanitizeInput bytes, and is to be sanitized.
func (rw *rewriter) rewriteContent(h string) string {
	if rw == nil || strings.TrimSpace(h) == "" {
		return h
	}
	if len(rw.remove) > 0 {
		h = removeElements(h, rw.remove)
	}
	return replaceAll(h, rw.content, maxSanitizeInput)
}

// replaceContent applies the content rules only (an extracted page had
// the remove selectors applied to the whole page).
func (rw *rewriter) replaceContent(h string) string {
	if rw == nil {
		return h
	}
	return replaceAll(h, rw.content, maxSanitizeInput)
}

// sanitize is the package's sanitize with the rewriting first: s is
// rewritten as HTML (plain text made HTML first) and then sanitized.
func (rw *rewriter) sanitize(s string, isText bool, base *url.URL) string {
	if rw == nil || len(rw.remove)+len(rw.content) == 0 || strings.TrimSpace(s) == "" {
		return sanitize(s, isText, base)
	}
	s = cutUTF8(s, maxSanitizeInput)
	if isText {
		s = textToHTML(s)
	}
	return feeds.SanitizeHTML(rw.rewriteContent(s), base)
}

// removeElements returns the fragment h without the elements sels match.
// A fragment the parser cannot read is returned as it is: the sanitizer
// still runs on it.
func removeElements(h string, sels []cascadia.Selector) string {
	body, err := htmldepth.ParseBody(h)
	if err != nil {
		return h
	}
	removed := false
	for _, sel := range sels {
		for _, n := range sel.MatchAll(body) {
			if n.Parent != nil {
				n.Parent.RemoveChild(n)
				removed = true
			}
		}
	}
	if !removed {
		return h
	}
	var b bytes.Buffer
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			return h
		}
	}
	return b.String()
}

// replaceAll applies rules to s in order. Each rule replaces at most
// maxRewriteMatches matches, and its output stops growing at limit bytes:
// when a replacement could pass it, the text from that match on is
// dropped, so a rule whose With repeats a large group cannot multiply the
// article.
func replaceAll(s string, rules []rule, limit int) string {
	for _, r := range rules {
		matches := r.re.FindAllStringSubmatchIndex(s, maxRewriteMatches)
		if len(matches) == 0 {
			continue
		}
		b := make([]byte, 0, min(len(s), limit))
		last, full := 0, false
		for _, m := range matches {
			b = append(b, s[last:m[0]]...)
			last = m[1]
			if len(b)+len(r.with)+r.refs*(m[1]-m[0]) > limit {
				full = true
				break
			}
			b = r.re.ExpandString(b, r.with, s, m)
		}
		if !full {
			b = append(b, s[last:]...)
		}
		s = cutUTF8(string(b), limit)
	}
	return s
}
