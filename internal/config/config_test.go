package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/sources"
)

// exported returns a copy of c without the position bookkeeping, for
// comparing with an expected Config.
func exported(c *Config) Config {
	cp := *c
	cp.pos, cp.reported = nil, nil
	return cp
}

// writeFile creates dir/name (and its parents) holding content.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// mustLoad loads path and fails the test on any error.
func mustLoad(t *testing.T, path string) *Config {
	t.Helper()
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return c
}

func TestLoadFullExample(t *testing.T) {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	c := mustLoad(t, "testdata/full.yaml")
	want := Config{
		Listen:    "127.0.0.1:9090",
		BaseURL:   "https://news.example.org",
		Title:     "My news",
		LogLevel:  "debug",
		LogFormat: "json",
		Storage:   Storage{Driver: "sqlite", DSN: filepath.Join(dir, "data", "news.db")},
		Schedule:  "@every 1h",
		Fetch: Fetch{
			Timeout:              30 * time.Second,
			ConnectTimeout:       5 * time.Second,
			MaxBodySize:          2 << 20,
			MaxRedirects:         0,
			PerHostConcurrency:   3,
			Workers:              8,
			UserAgent:            "NewsBot/1.0",
			AllowPrivateNetworks: true,
			MaxItemsPerSource:    200,
			Proxy:                "http://proxy.internal:3128",
		},
		Metrics:   Metrics{SourceDurations: true, Allow: []string{"10.0.0.0/8", "192.168.1.7/32"}, Pprof: true},
		Retention: Retention{MaxAge: 30 * 24 * time.Hour, MaxItems: 500, Schedule: "@every 10m", Orphans: 36 * time.Hour},
		WebSub:    WebSub{Hub: "https://pubsubhubbub.example.net/", Timeout: 5 * time.Second},
		Sources: []Source{
			{
				Name:     "go-blog",
				URL:      "https://go.dev/blog/feed.atom",
				Schedule: "*/15 * * * *",
				Tags:     []string{"go", "programming"},
				Kind:     "feed",
				FullText: true,
				Remove:   []string{".share", "#comments"},
				Enabled:  true,
				// max_age 0s: no age limit; max_items from the top level.
				Retention: SourceRetention{MaxAge: 0, MaxItems: 500},
				Headers:   map[string]string{"Authorization": "Bearer t0ken", "X-Api-Key": "k-123"},
				UserAgent: "GoBlogReader/1.0",
				Timeout:   45 * time.Second,
				Exclude:   feeds.Rules{Title: []string{"sponsored"}, Category: []string{"re:^ads?$"}},
			},
			{
				Name:      "local-notes",
				URL:       filepath.Join(dir, "feeds", "notes.xml"),
				Schedule:  "@every 1h",
				Tags:      []string{"notes"},
				Kind:      "feed",
				Enabled:   true,
				Retention: SourceRetention{MaxAge: 7 * 24 * time.Hour},
				Timeout:   30 * time.Second, // fetch.timeout
			},
			{
				Name:     "acme-news",
				URL:      "https://acme.example.com/news",
				Schedule: "@every 1h",
				Kind:     "page",
				Selectors: sources.Selectors{
					Item: "article.post", Title: "h2 a", Link: "h2 a@href",
					Summary: ".excerpt", Image: "img@src", Date: "time@datetime",
				},
				Enabled:   false,
				Retention: SourceRetention{MaxAge: 30 * 24 * time.Hour, MaxItems: 500},
				Timeout:   30 * time.Second,
			},
		},
		Feeds: []Feed{
			{Name: "all", Title: "Everything", Description: "Every story from every source", Limit: 50},
			{Name: "go", Title: "go", Sources: []string{"go-blog"}, Tags: []string{"notes"}, Limit: 10,
				Include: feeds.Rules{Any: []string{"go", "re:gophers?"}}, Exclude: feeds.Rules{Author: []string{"bot"}},
				MaxAge: 30 * 24 * time.Hour, PerSourceLimit: 5},
		},
		Path: "testdata/full.yaml",
	}
	got := exported(c)
	// goccy decodes an absent list as an empty one; treat both alike.
	for i := range got.Sources {
		s := &got.Sources[i]
		if len(s.Tags) == 0 {
			s.Tags = nil
		}
		if len(s.Remove) == 0 {
			s.Remove = nil
		}
		if len(s.Headers) == 0 {
			s.Headers = nil
		}
	}
	for i := range got.Feeds {
		f := &got.Feeds[i]
		if len(f.Sources) == 0 {
			f.Sources = nil
		}
		if len(f.Tags) == 0 {
			f.Tags = nil
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load(full.yaml) =\n%+v\nwant\n%+v", got, want)
	}
	if !c.Sources[1].IsFile() || c.Sources[0].IsFile() {
		t.Errorf("IsFile: local-notes %v, go-blog %v; want true, false", c.Sources[1].IsFile(), c.Sources[0].IsFile())
	}
	if got := c.FeedSources(c.Feeds[0]); !reflect.DeepEqual(got, []string{"go-blog", "local-notes"}) {
		t.Errorf("FeedSources(all) = %v, want the enabled sources", got)
	}
}

func TestDefaults(t *testing.T) {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	c := mustLoad(t, "testdata/minimal.yaml")
	checks := []struct {
		name      string
		got, want any
	}{
		{"listen", c.Listen, "127.0.0.1:8080"},
		{"base_url", c.BaseURL, "http://127.0.0.1:8080"},
		{"title", c.Title, "Tributary"},
		{"log_level", c.LogLevel, "info"},
		{"log_format", c.LogFormat, "text"},
		{"storage.driver", c.Storage.Driver, "sqlite"},
		{"storage.dsn", c.Storage.DSN, filepath.Join(dir, "tributary.db")},
		{"schedule", c.Schedule, "@every 30m"},
		{"fetch.timeout", c.Fetch.Timeout, 20 * time.Second},
		{"fetch.connect_timeout", c.Fetch.ConnectTimeout, 10 * time.Second},
		{"fetch.max_body_size", c.Fetch.MaxBodySize, int64(15 << 20)},
		{"fetch.max_redirects", c.Fetch.MaxRedirects, 10},
		{"fetch.per_host_concurrency", c.Fetch.PerHostConcurrency, 2},
		{"fetch.workers", c.Fetch.Workers, 4},
		{"fetch.user_agent", c.Fetch.UserAgent, ""},
		{"fetch.allow_private_networks", c.Fetch.AllowPrivateNetworks, false},
		{"fetch.max_items_per_source", c.Fetch.MaxItemsPerSource, 1000},
		{"metrics.source_durations", c.Metrics.SourceDurations, false},
		{"metrics.pprof", c.Metrics.Pprof, false},
		{"sources[0].schedule", c.Sources[0].Schedule, "@every 30m"},
		{"sources[0].kind", c.Sources[0].Kind, "feed"},
		{"sources[0].enabled", c.Sources[0].Enabled, true},
		{"sources[0].fulltext", c.Sources[0].FullText, false},
		{"feeds[0].title", c.Feeds[0].Title, "all"},
		{"feeds[0].limit", c.Feeds[0].Limit, 50},
	}
	for _, tc := range checks {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("%s = %#v, want %#v", tc.name, tc.got, tc.want)
			}
		})
	}
}

func TestDerivedDefaults(t *testing.T) {
	tests := []struct {
		name, yaml  string
		wantBaseURL string
	}{
		{"listen with host", "listen: 10.0.0.5:80\n", "http://10.0.0.5:80"},
		{"listen without host", "listen: \":9000\"\n", "http://localhost:9000"},
		{"trailing slashes trimmed", "base_url: https://example.org/news//\n", "https://example.org/news"},
		{"empty values mean default", "listen:\nbase_url: \"\"\nfetch:\n", "http://127.0.0.1:8080"},
	}
	const rest = "sources: [{name: a, url: \"https://a.example/feed\"}]\nfeeds: [{name: all}]\n"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml+rest), filepath.Join(t.TempDir(), "config.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if c.BaseURL != tc.wantBaseURL {
				t.Errorf("BaseURL = %q, want %q", c.BaseURL, tc.wantBaseURL)
			}
			if c.Fetch.Workers != DefaultWorkers {
				t.Errorf("Fetch.Workers = %d, want the default %d", c.Fetch.Workers, DefaultWorkers)
			}
		})
	}
}

func TestSizes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"1048576", 1 << 20},
		{"15MiB", 15 << 20},
		{"\"512KiB\"", 512 << 10},
		{"2MB", 2_000_000},
		{"1.5 MiB", 3 << 19},
		{"100b", 100},
		{"2.0", 2}, // a whole number written as a decimal
		{"1.", 1},  // YAML reads it as a float
		{"32MiB", sources.MaxBodyBytes},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			src := "fetch:\n  max_body_size: " + tc.in + "\nsources: [{name: a, url: \"https://a.example/\"}]\nfeeds: [{name: all}]\n"
			c, err := Parse([]byte(src), filepath.Join(t.TempDir(), "config.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if c.Fetch.MaxBodySize != tc.want {
				t.Errorf("max_body_size %s = %d, want %d", tc.in, c.Fetch.MaxBodySize, tc.want)
			}
		})
	}
}

// TestNumbersDecodeAsChecked checks that the decoder reads ints and sizes
// as the schema walk read them, whatever way they are written.
func TestNumbersDecodeAsChecked(t *testing.T) {
	src := `fetch:
  workers: "\x33"
  max_redirects: +7
  per_host_concurrency: &n '5'
  max_items_per_source: *n
  max_body_size: "\x31.5MiB"
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`
	c, err := Parse([]byte(src), filepath.Join(t.TempDir(), "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Fetch
	if got.Workers != 3 || got.MaxRedirects != 7 || got.PerHostConcurrency != 5 ||
		got.MaxItemsPerSource != 5 || got.MaxBodySize != 3<<19 {
		t.Errorf("fetch = %+v, want workers 3, max_redirects 7, per_host_concurrency 5, max_items_per_source 5, max_body_size 1.5MiB", got)
	}
}

func TestEnvExpansion(t *testing.T) {
	t.Setenv("TRIB_PORT", "9191")
	t.Setenv("TRIB_WORKERS", "7")
	t.Setenv("TRIB_EMPTY", "")
	t.Setenv("TRIB_FEED_URL", "https://env.example.com/feed.xml")
	dir := t.TempDir()
	path := writeFile(t, dir, "config.yaml", `# ${TRIB_UNSET} in a comment is left alone
listen: 127.0.0.1:${TRIB_PORT}
title: "${TRIB_TITLE:-Default title}"
log_level: ${TRIB_EMPTY:-warn}   # ${TRIB_UNSET_TOO}
fetch:
  workers: ${TRIB_WORKERS}
  user_agent: "cost $${NOT_A_VAR}"
sources:
  - name: env
    url: "${TRIB_FEED_URL}"
feeds:
  - name: all
`)
	c := mustLoad(t, path)
	checks := []struct {
		name      string
		got, want any
	}{
		{"listen", c.Listen, "127.0.0.1:9191"},
		{"title", c.Title, "Default title"},
		{"log_level", c.LogLevel, "warn"},
		{"fetch.workers", c.Fetch.Workers, 7},
		{"fetch.user_agent", c.Fetch.UserAgent, "cost ${NOT_A_VAR}"},
		{"sources[0].url", c.Sources[0].URL, "https://env.example.com/feed.xml"},
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("%s = %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
}

func TestEnvErrors(t *testing.T) {
	t.Setenv("TRIB_MULTILINE", "a\nb")
	// Each file is valid but for its references: the problem is reported
	// at the reference's line and field, and nothing its stand-in might
	// provoke there (an integer that is not one, a bad URL) is.
	const valid = "sources: [{name: a, url: \"https://a.example/\"}]\nfeeds: [{name: all}]\n"
	tests := []struct {
		name string
		yaml string
		want []string // line: path: problem, in order
	}{
		{"unset", "title: x\nlisten: ${TRIB_SURELY_UNSET}\n" + valid,
			[]string{"2: listen: environment variable ${TRIB_SURELY_UNSET} is not set (write ${TRIB_SURELY_UNSET:-default} to give a fallback)"}},
		{"unset in a quoted string", "title: \"News from ${TRIB_SURELY_UNSET}\"\n" + valid,
			[]string{"1: title: environment variable ${TRIB_SURELY_UNSET} is not set"}},
		{"unset in a URL", valid + "base_url: https://${TRIB_SURELY_UNSET}/news\n",
			[]string{"3: base_url: environment variable ${TRIB_SURELY_UNSET} is not set"}},
		{"unset port", "listen: 127.0.0.1:${TRIB_SURELY_UNSET}\n" + valid,
			[]string{"1: listen: environment variable ${TRIB_SURELY_UNSET} is not set"}},
		{"unset integer", "fetch:\n  workers: ${TRIB_SURELY_UNSET}\n" + valid,
			[]string{"2: fetch.workers: environment variable ${TRIB_SURELY_UNSET} is not set"}},
		{"unset boolean and list", "fetch: {allow_private_networks: ${TRIB_A}}\nsources: ${TRIB_B}\nfeeds: [{name: all}]\n",
			[]string{"1: fetch.allow_private_networks: environment variable ${TRIB_A} is not set",
				"2: sources: environment variable ${TRIB_B} is not set"}},
		{"two on one line", "listen: ${TRIB_HOST}:${TRIB_PORT}\n" + valid,
			[]string{"1: listen: environment variable ${TRIB_HOST} is not set",
				"1: listen: environment variable ${TRIB_PORT} is not set"}},
		{"in a flow list", "sources: [{name: a, url: \"https://a.example/\", tags: [news, ${TRIB_TAG}]}]\nfeeds: [{name: all}]\n",
			[]string{"1: sources[0].tags[1]: environment variable ${TRIB_TAG} is not set"}},
		{"in a block scalar", valid + "title: |\n  first\n  ${TRIB_SURELY_UNSET}\n",
			[]string{"5: title: environment variable ${TRIB_SURELY_UNSET} is not set"}},
		{"in a merged mapping", "x-d: &d {fulltext: ${TRIB_FT}}\nsources: [{<<: *d, name: a, url: \"https://a.example/\"}]\nfeeds: [{name: all}]\n",
			[]string{"1: x-d.fulltext: environment variable ${TRIB_FT} is not set"}},
		{"unterminated", "\n\ntitle: ${TRIB\n" + valid,
			[]string{`3: title: expand environment: unterminated "${TRIB" (write $${ for a literal ${)`}},
		{"bad name", "title: ${1X}\n" + valid,
			[]string{"1: title: expand environment: invalid variable reference ${1X}"}},
		{"newline", "title: x\n\n\nlisten: ${TRIB_MULTILINE}\n" + valid,
			[]string{"4: listen: expand environment: value of TRIB_MULTILINE contains a line break"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "config.yaml")
			errs := asErrors(t, err)
			if len(errs) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(errs), len(tc.want), err)
			}
			for i, fe := range errs {
				if got := strings.TrimPrefix(fe.Error(), "config.yaml:"); !strings.HasPrefix(got, tc.want[i]) {
					t.Errorf("problem %d is\n\t%s\nwant\n\t%s", i, got, tc.want[i])
				}
			}
		})
	}
}

// TestEnvUnsetAmongOtherProblems is a file with unset variables and other
// problems: every one is reported at once, at its line and field.
func TestEnvUnsetAmongOtherProblems(t *testing.T) {
	path, err := filepath.Abs(filepath.Join("testdata", "env-problems.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TRIB_SET": "true"}
	_, err = parse(data, path, func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	})
	unset := func(name string) string {
		return "environment variable ${" + name + "} is not set (write ${" + name + ":-default} to give a fallback)"
	}
	want := []string{
		"3: listen: " + unset("TRIB_PORT"),
		`4: log_level: unknown level "loud"`,
		"6: fetch.workers: must be at least 1, got 0",
		"7: fetch.timeout: invalid duration 10: a unit is required",
		"8: fetch.user_agent: " + unset("TRIB_UA"),
		"8: fetch.user_agent: " + unset("TRIB_UA_VERSION"),
		`10: sources[0].name: invalid source name "Bad Name"`,
		"11: sources[0].url: " + unset("TRIB_HOST"),
		`12: sources[0].schedule: invalid cron spec "every now and then"`,
		"13: sources[0].tags[1]: " + unset("TRIB_TAG"),
		`14: sources[0].colour: unknown key "colour"`,
		"16: sources[1].url: " + unset("TRIB_HOST"),
		"17: sources[1].fulltext: " + unset("TRIB_FULLTEXT"),
		`22: feeds[0].sources[0]: unknown source "nope"`,
		"23: feeds[0].limit: " + unset("TRIB_LIMIT"),
		"26: feeds[0].description: " + unset("TRIB_DESCRIPTION"),
	}
	errs := asErrors(t, err)
	for i := range max(len(errs), len(want)) {
		got, w := "(none)", "(none)"
		if i < len(errs) {
			got = strings.TrimPrefix(errs[i].Error(), path+":")
		}
		if i < len(want) {
			w = want[i]
		}
		if !strings.HasPrefix(got, w) {
			t.Errorf("problem %d is\n\t%s\nwant\n\t%s", i, got, w)
		}
	}
}

func TestRelativePaths(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feeds/local.xml", "<rss/>")
	writeFile(t, dir, "feeds/other file.xml", "<rss/>")
	path := writeFile(t, dir, "conf/config.yaml", `storage:
  dsn: ../db/news.db
sources:
  - name: relative
    url: ../feeds/local.xml
  - name: absolute
    url: `+feed+`
  - name: file-url
    url: file://`+filepath.Join(dir, "feeds", "other%20file.xml")+`
feeds:
  - name: all
`)
	// Load must not depend on the working directory.
	t.Chdir(t.TempDir())
	c := mustLoad(t, path)
	want := map[string]string{
		"relative": feed,
		"absolute": feed,
		"file-url": filepath.Join(dir, "feeds", "other file.xml"),
	}
	for name, url := range want {
		s, ok := c.Source(name)
		if !ok {
			t.Fatalf("Source(%q) not found", name)
		}
		if s.URL != url || !s.IsFile() {
			t.Errorf("source %s URL = %q (IsFile %v), want %q", name, s.URL, s.IsFile(), url)
		}
	}
	if wantDSN := filepath.Join(dir, "db", "news.db"); c.Storage.DSN != wantDSN {
		t.Errorf("storage.dsn = %q, want %q", c.Storage.DSN, wantDSN)
	}
	if _, ok := c.Source("missing"); ok {
		t.Error(`Source("missing") found a source`)
	}
}

func TestStorageDSNPassThrough(t *testing.T) {
	tests := []struct{ driver, dsn string }{
		{"sqlite", "/var/lib/tributary/news.db"},
		{"postgres", "postgres://u:p@127.0.0.1:5432/news?sslmode=disable"},
		{"postgres", "host=127.0.0.1 dbname=news"},
	}
	for _, tc := range tests {
		t.Run(tc.dsn, func(t *testing.T) {
			src := "storage:\n  driver: " + tc.driver + "\n  dsn: \"" + tc.dsn + "\"\nsources: [{name: a, url: \"https://a.example/\"}]\nfeeds: [{name: all}]\n"
			c, err := Parse([]byte(src), filepath.Join(t.TempDir(), "config.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if c.Storage.DSN != tc.dsn {
				t.Errorf("DSN = %q, want it unchanged %q", c.Storage.DSN, tc.dsn)
			}
		})
	}
}

func TestAnchorsAndMerge(t *testing.T) {
	src := `x-defaults: &defaults
  fulltext: true
  tags: [news]
sources:
  - <<: *defaults
    name: a
    url: https://a.example/feed
  - <<: *defaults
    name: b
    url: https://b.example/feed
    fulltext: false
feeds:
  - name: news
    tags: [news]
`
	c, err := Parse([]byte(src), filepath.Join(t.TempDir(), "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Sources[0].FullText || c.Sources[1].FullText {
		t.Errorf("fulltext = %v, %v; want merged true, overridden false", c.Sources[0].FullText, c.Sources[1].FullText)
	}
	if got := c.FeedSources(c.Feeds[0]); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("FeedSources = %v, want [a b]", got)
	}
}

func TestAnchorsUnderIgnoredKeys(t *testing.T) {
	// An x- key is never decoded, whatever it holds, and an anchor under a
	// key that is refused still serves the aliases after it.
	src := `x-notes: !!bool maybe
x-name: &name News
titel: &ua NewsBot/1.0
title: *name
fetch: {user_agent: *ua}
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`
	_, err := Parse([]byte(src), filepath.Join(t.TempDir(), "config.yaml"))
	errs := asErrors(t, err)
	if len(errs) != 1 || errs[0].Path != "titel" || errs[0].Line != 3 {
		t.Fatalf("problems:\n%v\nwant only the unknown key titel on line 3", err)
	}
	c, err := Parse([]byte(strings.Replace(src, "titel:", "x-ua:", 1)), filepath.Join(t.TempDir(), "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "News" || c.Fetch.UserAgent != "NewsBot/1.0" {
		t.Errorf("title %q, user_agent %q; want the anchored News and NewsBot/1.0", c.Title, c.Fetch.UserAgent)
	}
}

// TestDecodeRefusalIsLocated hands the decoder values the schema walk
// would have refused, to check that each is reported at its field and line
// and the rest of the file is still decoded.
func TestDecodeRefusalIsLocated(t *testing.T) {
	src := `fetch:
  allow_private_networks: !!str true
  workers: 3
sources:
  - name: a
    url: https://a.example/
    tags: [!!bool maybe, news]
  - !!str b
  - name: c
    url: https://c.example/
`
	root, errs := parseYAML([]byte(src), "config.yaml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	sc := newSchema("config.yaml")
	c := sc.decode(root) // no check: the walk missed these values
	if c == nil {
		t.Fatalf("decode gave up: %v", sc.errs)
	}
	want := []problem{
		{2, "fetch.allow_private_networks", "decode: "},
		{7, "sources[0].tags[0]", "decode: "},
		{8, "sources[1]", "decode: "},
	}
	sortErrors(sc.errs)
	checkProblems(t, sc.errs, want)
	if c.Fetch.Workers != 3 || len(c.Sources) != 3 || c.Sources[2].Name != "c" ||
		!reflect.DeepEqual(c.Sources[0].Tags, []string{"", "news"}) {
		t.Errorf("decoded %+v, want workers 3 and sources a (tags [\"\" news]), a stand-in, c", c)
	}
}

func TestFeedSources(t *testing.T) {
	c := &Config{Sources: []Source{
		{Name: "zeta", Tags: []string{"go"}, Enabled: true},
		{Name: "alpha", Tags: []string{"rust"}, Enabled: true},
		{Name: "off", Tags: []string{"go"}, Enabled: false},
		{Name: "mid", Enabled: true},
	}}
	tests := []struct {
		name string
		feed Feed
		want []string
	}{
		{"neither key takes every enabled source", Feed{}, []string{"alpha", "mid", "zeta"}},
		{"by name", Feed{Sources: []string{"mid"}}, []string{"mid"}},
		{"by tag skips disabled", Feed{Tags: []string{"go"}}, []string{"zeta"}},
		{"union of names and tags", Feed{Sources: []string{"mid", "zeta"}, Tags: []string{"rust", "go"}}, []string{"alpha", "mid", "zeta"}},
		{"disabled only", Feed{Sources: []string{"off"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.FeedSources(tc.feed); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("FeedSources(%+v) = %v, want %v", tc.feed, got, tc.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load(missing) = %v, want an error wrapping os.ErrNotExist", err)
	}
}

func TestParseEmptyFile(t *testing.T) {
	for _, src := range []string{"", "# just a comment\n", "---\n"} {
		_, err := Parse([]byte(src), "config.yaml")
		errs := asErrors(t, err)
		got := paths(errs)
		if want := []string{"sources", "feeds"}; !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q) problems at %v, want %v: %v", src, got, want, err)
		}
	}
}

// asErrors fails unless err is an Errors value and returns it.
func asErrors(t *testing.T, err error) Errors {
	t.Helper()
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error %v (%T) is not a config.Errors", err, err)
	}
	return errs
}

// paths lists the field paths of errs.
func paths(errs Errors) []string {
	var ps []string
	for _, e := range errs {
		ps = append(ps, e.Path)
	}
	return ps
}

func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, "testdata/full.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLeadImageInContent: a feed puts lead images in its content unless
// it says lead_image_in_content: false.
func TestLeadImageInContent(t *testing.T) {
	for _, tt := range []struct {
		value string
		want  bool
	}{{"", true}, {"\n    lead_image_in_content: true", true}, {"\n    lead_image_in_content: false", false}} {
		path := writeFile(t, t.TempDir(), "config.yaml", `sources: [{name: a, url: "https://a.example/"}]
feeds:
  - name: all`+tt.value+"\n")
		if got := mustLoad(t, path).Feeds[0].LeadImage(); got != tt.want {
			t.Errorf("%q: LeadImage() = %t, want %t", tt.value, got, tt.want)
		}
	}
}

// TestReplaceDecodes: a source's replace rules reach the Config as
// written, with a group in "with".
func TestReplaceDecodes(t *testing.T) {
	path := writeFile(t, t.TempDir(), "config.yaml", `sources:
  - name: a
    url: "https://a.example/"
    remove: [.share]
    replace:
      - {field: title, pattern: '\s+-\s+Site$'}
      - {field: content, pattern: 'Read (\w+)', with: 'See $1 and $${1}x'}
feeds: [{name: all}]
`)
	s := mustLoad(t, path).Sources[0]
	want := []sources.Replace{{Field: "title", Pattern: `\s+-\s+Site$`}, {Field: "content", Pattern: `Read (\w+)`, With: "See $1 and ${1}x"}}
	if !reflect.DeepEqual(s.Replace, want) || !reflect.DeepEqual(s.Remove, []string{".share"}) {
		t.Errorf("replace %+v remove %v", s.Replace, s.Remove)
	}
}
