package feeds

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestFilter lists every matching rule of include and exclude.
func TestFilter(t *testing.T) {
	wrestling := Article{
		Title:      "WWE SummerSlam: results",
		Content:    `<p>The main event at <b>Madison&nbsp;Square</b> Garden &amp; more.</p>`,
		Summary:    `<p>A night of <i>surprises</i>.</p>`,
		Authors:    []Author{{Name: "Jane Doe"}, {Name: "Zoë Ångström"}},
		Categories: []Category{{Term: "sports", Label: "Sports"}, {Term: "Entertainment"}},
		Link:       "https://example.com/sports/2026/wwe-results",
	}
	cases := []struct {
		name             string
		include, exclude Rules
		art              Article
		want             string
	}{
		{name: "no rules keep", art: wrestling, want: ""},
		{name: "keyword in title, any case", exclude: Rules{Title: []string{"wwe"}}, art: wrestling, want: ReasonExclude},
		{name: "keyword not inside a word", exclude: Rules{Title: []string{"wwe"}}, art: Article{Title: "The audience awwed"}, want: ""},
		{name: "keyword not at the start of a word", exclude: Rules{Title: []string{"slam"}}, art: wrestling, want: ""},
		{name: "phrase across whitespace", exclude: Rules{Title: []string{"main  event"}}, art: Article{Title: "The Main\tEvent tonight"}, want: ReasonExclude},
		{name: "phrase words in order only", exclude: Rules{Title: []string{"event main"}}, art: Article{Title: "The main event"}, want: ""},
		{name: "keyword unicode case", exclude: Rules{Author: []string{"zoë ÅNGSTRÖM"}}, art: wrestling, want: ReasonExclude},
		{name: "keyword composed, title decomposed (NFD)", exclude: Rules{Title: []string{"zoë"}}, art: Article{Title: "Zoe\u0308 wins"}, want: ReasonExclude},
		{name: "keyword decomposed, title composed", exclude: Rules{Title: []string{"Zoe\u0308"}}, art: Article{Title: "ZOË wins"}, want: ReasonExclude},
		{name: "keyword not before a combining mark", exclude: Rules{Title: []string{"zoe"}}, art: Article{Title: "Zoe\u0308 wins"}, want: ""},
		{name: "keyword unicode word boundary", exclude: Rules{Title: []string{"über"}}, art: Article{Title: "Überall"}, want: ""},
		{name: "keyword after accented letter is inside a word", exclude: Rules{Title: []string{"mer"}}, art: Article{Title: "Amé mer"}, want: ReasonExclude},
		{name: "keyword ending in a symbol", exclude: Rules{Title: []string{"c++"}}, art: Article{Title: "Modern C++20 tricks"}, want: ReasonExclude},
		{name: "keyword with punctuation around", exclude: Rules{Title: []string{"wwe"}}, art: Article{Title: "(WWE)"}, want: ReasonExclude},
		{name: "regex case-insensitive", exclude: Rules{Title: []string{"re:summer ?slam"}}, art: wrestling, want: ReasonExclude},
		{name: "regex case-sensitive with (?-i)", exclude: Rules{Title: []string{"re:(?-i)summerslam"}}, art: wrestling, want: ""},
		{name: "regex matches inside words", exclude: Rules{Title: []string{"re:ww"}}, art: Article{Title: "awwed"}, want: ReasonExclude},
		{name: "content: tags stripped", exclude: Rules{Content: []string{"madison square garden"}}, art: wrestling, want: ReasonExclude},
		{name: "content: entities decoded", exclude: Rules{Content: []string{"garden & more"}}, art: wrestling, want: ReasonExclude},
		{name: "content: summary too", exclude: Rules{Content: []string{"surprises"}}, art: wrestling, want: ReasonExclude},
		{name: "content: not the markup", exclude: Rules{Content: []string{"re:<b>"}}, art: wrestling, want: ""},
		{name: "content: not the title", exclude: Rules{Content: []string{"wwe"}}, art: Article{Title: "WWE"}, want: ""},
		{name: "author: each name", exclude: Rules{Author: []string{"jane doe"}}, art: wrestling, want: ReasonExclude},
		{name: "category: each term", exclude: Rules{Category: []string{"sports"}}, art: wrestling, want: ReasonExclude},
		{name: "category: whole term words", exclude: Rules{Category: []string{"sport"}}, art: wrestling, want: ""},
		{name: "link", exclude: Rules{Link: []string{"re:^https://example\\.com/sports/"}}, art: wrestling, want: ReasonExclude},
		{name: "link keyword between slashes", exclude: Rules{Link: []string{"sports"}}, art: wrestling, want: ReasonExclude},
		{name: "any: title", exclude: Rules{Any: []string{"summerslam"}}, art: wrestling, want: ReasonExclude},
		{name: "any: content", exclude: Rules{Any: []string{"surprises"}}, art: wrestling, want: ReasonExclude},
		{name: "any: author", exclude: Rules{Any: []string{"doe"}}, art: wrestling, want: ReasonExclude},
		{name: "any: category", exclude: Rules{Any: []string{"entertainment"}}, art: wrestling, want: ReasonExclude},
		{name: "any: link", exclude: Rules{Any: []string{"2026"}}, art: wrestling, want: ReasonExclude},
		{name: "any: none", exclude: Rules{Any: []string{"cooking"}}, art: wrestling, want: ""},
		{name: "exclude: one match of many drops", exclude: Rules{Title: []string{"cooking", "wwe"}}, art: wrestling, want: ReasonExclude},
		{name: "exclude: another field drops", exclude: Rules{Title: []string{"cooking"}, Category: []string{"sports"}}, art: wrestling, want: ReasonExclude},
		{name: "include: one pattern of the field", include: Rules{Title: []string{"cooking", "wwe"}}, art: wrestling, want: ""},
		{name: "include: no pattern of the field", include: Rules{Title: []string{"cooking"}}, art: wrestling, want: ReasonInclude},
		{name: "include: every field must match", include: Rules{Title: []string{"wwe"}, Category: []string{"cooking"}}, art: wrestling, want: ReasonInclude},
		{name: "include: every field matches", include: Rules{Title: []string{"wwe"}, Category: []string{"sports"}}, art: wrestling, want: ""},
		{name: "include: a field with no value", include: Rules{Author: []string{"doe"}}, art: Article{Title: "x"}, want: ReasonInclude},
		{name: "include then exclude", include: Rules{Title: []string{"wwe"}}, exclude: Rules{Category: []string{"sports"}}, art: wrestling, want: ReasonExclude},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := NewFilter(c.include, c.exclude)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Reason(&c.art); got != c.want {
				t.Errorf("Reason = %q, want %q", got, c.want)
			}
		})
	}
}

func TestNewFilterNoRulesIsNil(t *testing.T) {
	f, err := NewFilter(Rules{}, Rules{})
	if err != nil || f != nil {
		t.Fatalf("NewFilter(empty) = %v, %v; want nil, nil", f, err)
	}
	if !f.Keeps(&Article{Title: "x"}) {
		t.Error("a nil filter must keep everything")
	}
}

// TestNewFilterErrors checks that every refused pattern is named, with
// its rule, field and place.
func TestNewFilterErrors(t *testing.T) {
	many := make([]string, MaxFilterPatterns+1)
	for i := range many {
		many[i] = "w"
	}
	cases := []struct {
		name             string
		include, exclude Rules
		want             []string
	}{
		{name: "bad regex", exclude: Rules{Title: []string{"ok", "re:summer (slam"}},
			want: []string{`exclude.title[1]: pattern "re:summer (slam": invalid regular expression: missing closing )`}},
		{name: "empty regex", include: Rules{Link: []string{"re: "}}, want: []string{`include.link[0]`, "empty regular expression"}},
		{name: "empty keyword", include: Rules{Any: []string{"  "}}, want: []string{`include.any[0]`, "empty keyword"}},
		{name: "too long", exclude: Rules{Content: []string{strings.Repeat("a", MaxPatternBytes+1)}}, want: []string{"exclude.content[0]", "longer than 1000 bytes"}},
		{name: "program too large", exclude: Rules{Title: []string{"re:(ab){1,1000}"}}, want: []string{"exclude.title[0]", "too large"}},
		{name: "programs too large together", exclude: Rules{Title: slicesRepeat("re:[a-z]{1,1000}x", 30)}, want: []string{"instructions together"}},
		{name: "too many patterns", exclude: Rules{Title: many}, want: []string{"more than 200 patterns"}},
		{name: "every error", include: Rules{Author: []string{"re:("}}, exclude: Rules{Category: []string{"re:)"}},
			want: []string{"include.author[0]", "exclude.category[0]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewFilter(c.include, c.exclude)
			if err == nil {
				t.Fatal("no error")
			}
			var pes PatternErrors
			if !errors.As(err, &pes) || len(pes) == 0 {
				t.Fatalf("error %v is not PatternErrors", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func slicesRepeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// BenchmarkFilter is one article of about 10 KB of HTML through a
// filter of ten keywords over every field (any), then of the same and two
// regular expressions.
func BenchmarkFilter(b *testing.B) {
	var content strings.Builder
	for i := range 100 {
		fmt.Fprintf(&content, "<p>Paragraph %d of a story about <b>cooking</b> &amp; gardening, nothing else.</p>", i)
	}
	a := Article{Title: "A story about herbs", Content: content.String(), Summary: "<p>Herbs</p>",
		Authors: []Author{{Name: "Jane Doe"}}, Categories: Terms("Food", "Garden"), Link: "https://example.com/food/herbs"}
	keywords := []string{"wwe", "wrestling", "summer slam", "raw", "smackdown", "nxt", "aew", "royal rumble", "wrestlemania", "tna"}
	for _, bc := range []struct {
		name     string
		patterns []string
	}{
		{"keywords", keywords},
		{"keywords and regexps", append(slices.Clone(keywords), "re:summer ?slam", "re:^https://[^/]+/sports/")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f, err := NewFilter(Rules{}, Rules{Any: bc.patterns})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if !f.Keeps(&a) {
					b.Fatal("left out")
				}
			}
		})
	}
}
