package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// addOne is the source most edit cases add.
var addOne = NewSource{Name: "new", URL: "https://example.org/feed.xml", Tags: []string{"news", "tech"}, FullText: true}

func TestAppendSourcesKeepsTheRestOfTheFile(t *testing.T) {
	feedsTail := "\nfeeds:\n  - name: all\n"
	cases := []struct {
		name string
		in   string
		add  []NewSource
		want string
	}{
		{
			name: "block list followed by another key",
			in:   "# top\nsources:\n  - name: a   # first\n    url: https://a.example/feed\n\n# the feeds\nfeeds:\n  - name: all\n",
			add:  []NewSource{addOne},
			want: "# top\nsources:\n  - name: a   # first\n    url: https://a.example/feed\n" +
				"  - name: new\n    url: https://example.org/feed.xml\n    tags: [news, tech]\n    fulltext: true\n" +
				"\n# the feeds\nfeeds:\n  - name: all\n",
		},
		{
			name: "comments after the last item stay after it",
			in:   "sources:\n  - name: a\n    url: https://a.example/feed\n    # tags: [x]\n  # - name: old\n  #   url: https://old.example/\n" + feedsTail,
			add:  []NewSource{{Name: "b", URL: "https://b.example/rss"}},
			want: "sources:\n  - name: a\n    url: https://a.example/feed\n    # tags: [x]\n  - name: b\n    url: https://b.example/rss\n  # - name: old\n  #   url: https://old.example/\n" + feedsTail,
		},
		{
			name: "four-space indentation, dash at column 0, last in the file",
			in:   "feeds:\n    - name: all\nsources:\n-   name: a\n    url: https://a.example/feed\n",
			add:  []NewSource{{Name: "b", URL: "https://b.example/rss"}},
			want: "feeds:\n    - name: all\nsources:\n-   name: a\n    url: https://a.example/feed\n-   name: b\n    url: https://b.example/rss\n",
		},
		{
			name: "no trailing newline",
			in:   "feeds:\n  - name: all\nsources:\n  - name: a\n    url: https://a.example/feed",
			add:  []NewSource{{Name: "b", URL: "https://b.example/rss"}},
			want: "feeds:\n  - name: all\nsources:\n  - name: a\n    url: https://a.example/feed\n  - name: b\n    url: https://b.example/rss",
		},
		{
			name: "CRLF line endings",
			in:   "sources:\r\n  - name: a\r\n    url: https://a.example/feed\r\n\r\nfeeds:\r\n  - name: all\r\n",
			add:  []NewSource{{Name: "b", URL: "https://b.example/rss", Tags: []string{"x"}}},
			want: "sources:\r\n  - name: a\r\n    url: https://a.example/feed\r\n  - name: b\r\n    url: https://b.example/rss\r\n    tags: [x]\r\n\r\nfeeds:\r\n  - name: all\r\n",
		},
		{
			name: "empty flow list on the key's line, comment kept",
			in:   "storage:\n    driver: sqlite\nsources: []   # none yet\nfeeds:\n  - name: all\n",
			add:  []NewSource{{Name: "b", URL: "https://b.example/rss"}},
			want: "storage:\n    driver: sqlite\nsources:    # none yet\n    - name: b\n      url: https://b.example/rss\nfeeds:\n  - name: all\n",
		},
		{
			name: "inline flow list gets flow items",
			in:   "sources: [{name: a, url: \"https://a.example/feed\"}]\nfeeds:\n  - name: all\n",
			add:  []NewSource{{Name: "b", URL: "https://b.example/rss", Tags: []string{"x", "y"}}},
			want: "sources: [{name: a, url: \"https://a.example/feed\"}, {name: \"b\", url: \"https://b.example/rss\", tags: [x, y]}]\nfeeds:\n  - name: all\n",
		},
		{
			name: "key with no value",
			in:   "sources:\nfeeds:\n  - name: all\n",
			add:  []NewSource{{Name: "b", URL: "https://b.example/rss"}},
			want: "sources:\n  - name: b\n    url: https://b.example/rss\nfeeds:\n  - name: all\n",
		},
		{
			name: "null value, comment kept",
			in:   "sources: ~  # later\nfeeds:\n  - name: all\n",
			add:  []NewSource{{Name: "b", URL: "https://b.example/rss"}},
			want: "sources:  # later\n  - name: b\n    url: https://b.example/rss\nfeeds:\n  - name: all\n",
		},
		{
			name: "a block scalar in the last item",
			in:   "sources:\n  - name: a\n    url: https://a.example/feed\n    selectors:\n      link: a\n      item: |\n        article,\n\n        #not-a-comment\n    kind: page\nfeeds:\n  - name: all\n",
			add:  []NewSource{{Name: "b", URL: "https://b.example/rss"}},
			want: "sources:\n  - name: a\n    url: https://a.example/feed\n    selectors:\n      link: a\n      item: |\n        article,\n\n        #not-a-comment\n    kind: page\n  - name: b\n    url: https://b.example/rss\nfeeds:\n  - name: all\n",
		},
		{
			// Windows editors may save UTF-8 with a byte order mark,
			// which YAML allows: the file loads, and keeps its mark.
			name: "byte order mark",
			in:   "\ufeffsources:\n  - name: a\n    url: https://a.example/feed\nfeeds:\n  - name: all\n",
			add:  []NewSource{{Name: "b", URL: "https://b.example/rss"}},
			want: "\ufeffsources:\n  - name: a\n    url: https://a.example/feed\n  - name: b\n    url: https://b.example/rss\nfeeds:\n  - name: all\n",
		},
		{
			name: "byte order mark before an empty flow list",
			in:   "\ufeffsources: []\nfeeds:\n  - name: all\n",
			add:  []NewSource{{Name: "b", URL: "https://b.example/rss"}},
			want: "\ufeffsources:\n  - name: b\n    url: https://b.example/rss\nfeeds:\n  - name: all\n",
		},
		{
			name: "no sources key",
			in:   "feeds:\n  - name: all\n",
			add:  []NewSource{{Name: "b", URL: "https://b.example/rss"}},
			want: "feeds:\n  - name: all\n\nsources:\n  - name: b\n    url: https://b.example/rss\n",
		},
		{
			name: "variables are left as written",
			in:   "listen: ${LISTEN:-127.0.0.1:8080}\nsources:\n  - name: a\n    url: ${A_URL:-https://a.example/feed}\nfeeds:\n  - name: all\n",
			add:  []NewSource{{Name: "b", URL: "https://b.example/rss?x=${not}"}},
			want: "listen: ${LISTEN:-127.0.0.1:8080}\nsources:\n  - name: a\n    url: ${A_URL:-https://a.example/feed}\n  - name: b\n    url: \"https://b.example/rss?x=$${not}\"\nfeeds:\n  - name: all\n",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AppendSources([]byte(tc.in), tc.add)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			// What was added loads as what was meant.
			t.Setenv("LISTEN", "")
			t.Setenv("A_URL", "")
			dir := t.TempDir()
			_, cfg, err := AddSources([]byte(tc.in), filepath.Join(dir, "config.yaml"), tc.add)
			if err != nil {
				t.Fatalf("AddSources: %v", err)
			}
			for _, n := range tc.add {
				s, ok := cfg.Source(n.Name)
				if !ok || s.URL != n.URL || !slices.Equal(s.Tags, n.Tags) || s.FullText != n.FullText {
					t.Errorf("source %q loads as %+v", n.Name, s)
				}
			}
		})
	}
}

// TestAddSourcesShippedConfig proves the edit of the config.yaml a
// newcomer starts from adds lines and changes nothing else.
func TestAddSourcesShippedConfig(t *testing.T) {
	path := filepath.Join("..", "..", "config.yaml")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	add := []NewSource{addOne, {Name: "odd", URL: "https://example.net/a feed?q=1#frag: x"}}
	out, cfg, err := AddSources(orig, path, add)
	if err != nil {
		t.Fatal(err)
	}
	inserted := "  - name: new\n    url: https://example.org/feed.xml\n    tags: [news, tech]\n    fulltext: true\n" +
		"  - name: odd\n    url: \"https://example.net/a feed?q=1#frag: x\"\n"
	anchor := "    tags: [linux]\n"
	i := strings.Index(string(orig), anchor) + len(anchor)
	want := string(orig[:i]) + inserted + string(orig[i:])
	if string(out) != want {
		t.Errorf("edited config.yaml:\n%s\nwant:\n%s", out, want)
	}
	if len(cfg.Sources) != 6 || cfg.Sources[5].URL != add[1].URL {
		t.Errorf("sources after the edit: %+v", cfg.Sources)
	}
}

func TestScalarRoundTrips(t *testing.T) {
	for _, s := range []string{
		"https://example.org/feed", "https://x.example/a#b", "https://x.example/?a=b: c", "true", "null", "123",
		"1e3", "- x", "'quoted'", "\"dq\"", "a\\b", "ünï ©ode", "tab\there", "${HOME}", "$${x}", "x:", "@at", "#x", "[x]", "{x}", "",
	} {
		text := "sources:\n  - name: a\n    url: " + Scalar(s) + "\n"
		var c struct {
			Sources []struct {
				URL string `yaml:"url"`
			} `yaml:"sources"`
		}
		expanded, probs := expandEnv([]byte(text), func(string) (string, bool) { return "EXPANDED", true })
		if len(probs) > 0 {
			t.Errorf("%q: env problems %v", s, probs)
			continue
		}
		if err := yaml.Unmarshal(expanded, &c); err != nil || len(c.Sources) != 1 || c.Sources[0].URL != s {
			t.Errorf("Scalar(%q) = %s reads back as %+v (err %v)", s, Scalar(s), c, err)
		}
	}
}

func TestAddSourcesInvalidResult(t *testing.T) {
	in := []byte("sources:\n  - name: a\n    url: https://a.example/feed\nfeeds:\n  - name: all\n")
	_, _, err := AddSources(in, "config.yaml", []NewSource{{Name: "Bad Name", URL: "https://b.example/"}})
	var errs Errors
	if !errors.As(err, &errs) || !strings.Contains(err.Error(), "config.yaml:4: sources[1].name") {
		t.Fatalf("err = %v, want a config error at line 4", err)
	}
}

func TestAppendSourcesRefusesWhatItCannotEdit(t *testing.T) {
	for _, in := range []string{
		"sources: https://a.example/\n",
		"sources: {a: b}\n",
		"- a\n- b\n",
	} {
		if _, err := AppendSources([]byte(in), []NewSource{addOne}); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"The Go Blog":             "the-go-blog",
		"  Café Örebro — News! ":  "cafe-orebro-news",
		"LWN.net":                 "lwn-net",
		"日本語":                     "",
		"":                        "",
		strings.Repeat("ab ", 40): strings.TrimRight(strings.Repeat("ab-", 20), "-"),
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNamesAndSourceByURL(t *testing.T) {
	c := &Config{Sources: []Source{{Name: "blog", URL: "https://www.example.com/feed/"}, {Name: "blog-2", URL: "https://b.example/"}}}
	names := c.Names()
	for _, want := range []string{"blog-3", "blog-4", "other", "other-2", "blog-5"} {
		base, _, _ := strings.Cut(want, "-")
		if got := names.Unique(base); got != want {
			t.Errorf("Unique(%q) = %q, want %q", base, got, want)
		}
	}
	long := strings.Repeat("x", MaxNameLen)
	if got := names.Unique(long); got != long {
		t.Errorf("Unique(long) = %q", got)
	}
	if got := names.Unique(long); got != strings.Repeat("x", MaxNameLen-2)+"-2" {
		t.Errorf("Unique(long) again = %q", got)
	}
	if s, ok := c.SourceByURL("http://example.com/feed?utm_source=x"); !ok || s.Name != "blog" {
		t.Errorf("SourceByURL = %v %v, want blog", s.Name, ok)
	}
	if _, ok := c.SourceByURL("https://example.com/other"); ok {
		t.Error("SourceByURL found a different URL")
	}
}

// The daemon's secrets live in its environment (systemd, the container),
// not in the shell an operator runs add from: a ${VAR} the edit does not
// touch need not be set for it, and stays as written. Everything else is
// still checked, and Parse still refuses the unset variable.
func TestAddSourcesLeavesUnsetVariablesToTheDaemon(t *testing.T) {
	in := "storage:\n  dsn: t.db\nsources:\n  - name: a\n    url: https://a.example/feed\n    headers:\n      Authorization: \"Bearer ${TRIBUTARY_TEST_UNSET_TOKEN}\"\nfeeds:\n  - name: all\n"
	path := filepath.Join(t.TempDir(), "config.yaml")
	if _, err := Parse([]byte(in), path); err == nil || !strings.Contains(err.Error(), "TRIBUTARY_TEST_UNSET_TOKEN} is not set") {
		t.Fatalf("Parse: %v, want the unset variable refused", err)
	}
	out, cfg, err := AddSources([]byte(in), path, []NewSource{{Name: "b", URL: "https://b.example/rss"}})
	if err != nil {
		t.Fatalf("AddSources: %v", err)
	}
	if !strings.Contains(string(out), "${TRIBUTARY_TEST_UNSET_TOKEN}") || len(cfg.Sources) != 2 {
		t.Errorf("got %d sources and:\n%s", len(cfg.Sources), out)
	}
	// Other problems still stop the edit.
	bad := strings.Replace(in, "dsn: t.db", "dsn: t.db\n  drvier: sqlite", 1)
	if _, _, err := AddSources([]byte(bad), path, []NewSource{{Name: "b", URL: "https://b.example/rss"}}); err == nil || !strings.Contains(err.Error(), `unknown key "drvier"`) {
		t.Errorf("AddSources with a typo: %v", err)
	}
}
