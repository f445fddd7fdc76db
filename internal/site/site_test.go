package site

import (
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
)

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"cut at the last space before the bound", 20, "cut at the last…"},
		{"wordswithoutanyspaceatall", 10, "wordswitho…"},
		{"ééééé ééééé", 8, "ééééé…"},
		{"a, b, c, d", 7, "a, b…"},
	} {
		if got := excerpt(tc.in, tc.n); got != tc.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestWebURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com/a?b=c": "https://example.com/a?b=c",
		" http://example.com/ ":     "http://example.com/",
		"javascript:alert(1)":       "",
		"JavaScript:alert(1)":       "",
		"data:text/html,<script>":   "",
		"/relative":                 "",
		"https://":                  "",
		"ftp://example.com/x":       "",
	} {
		if got := webURL(in); got != want {
			t.Errorf("webURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRenderBoundsAndEscapes: a summary is a bounded plain-text excerpt,
// titles are text, and a story without a date shows none.
func TestRenderBoundsAndEscapes(t *testing.T) {
	b, err := Render(Page{SiteTitle: "S", Title: "S", Number: 1, Stories: []feeds.Article{{
		Title:   "Why <b> & </b> matter",
		Summary: "<p>" + strings.Repeat("word ", 200) + "</p>",
		Link:    "https://example.com/x",
	}, {Title: "Dated", Published: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.Contains(s, "Why &lt;b&gt; &amp; &lt;/b&gt; matter") {
		t.Errorf("title not shown as text:\n%s", s)
	}
	if strings.Count(s, "word") > MaxSummaryRunes/5+1 || !strings.Contains(s, "word…") {
		t.Errorf("summary not cut to %d characters:\n%s", MaxSummaryRunes, s)
	}
	if strings.Count(s, "<time ") != 1 {
		t.Errorf("want one date, for the dated story:\n%s", s)
	}
}
