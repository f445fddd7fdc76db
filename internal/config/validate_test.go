package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// problem is one expected FieldError.
type problem struct {
	line int
	path string
	msg  string // a substring of the message
}

// parseProblems parses src as dir/config.yaml and returns its problems; the
// test fails if it parses cleanly or fails in another way.
func parseProblems(t *testing.T, dir, src string) Errors {
	t.Helper()
	c, err := Parse([]byte(src), filepath.Join(dir, "config.yaml"))
	if err == nil {
		t.Fatalf("Parse succeeded (%+v), want problems", c)
	}
	if c != nil {
		t.Errorf("Parse returned a Config along with %v", err)
	}
	return asErrors(t, err)
}

// checkProblems compares errs with want, in order, by line and path.
func checkProblems(t *testing.T, errs Errors, want []problem) {
	t.Helper()
	ok := len(errs) == len(want)
	for i := 0; ok && i < len(want); i++ {
		e, w := errs[i], want[i]
		ok = e.Line == w.line && e.Path == w.path && strings.Contains(e.Err.Error(), w.msg)
	}
	if !ok {
		var b strings.Builder
		for _, w := range want {
			b.WriteString("\n  line " + strconv.Itoa(w.line) + " " + w.path + ": ..." + w.msg + "...")
		}
		t.Errorf("got problems:\n%v\nwant:%s", errs, b.String())
	}
}

func TestValidationErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []problem
	}{
		{"unknown top-level key", `listen: 127.0.0.1:8080
titel: News
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{2, "titel", `unknown key "titel" (did you mean "title"?)`}}},

		{"unknown key in a source", `sources:
  - name: a
    url: https://a.example/
    fulltext: true
    full_text: true
feeds: [{name: all}]
`, []problem{{5, "sources[0].full_text", `unknown key "full_text"`}}},

		{"unknown key in selectors", `sources:
  - name: a
    url: https://a.example/
    kind: page
    selectors:
      item: li
      link: a@href
      author: .by
feeds: [{name: all}]
`, []problem{{8, "sources[0].selectors.author", `unknown key "author"`}}},

		{"duplicate source name", `sources:
  - name: a
    url: https://a.example/
  - name: b
    url: https://b.example/
  - name: a
    url: https://c.example/
feeds: [{name: all}]
`, []problem{{6, "sources[2].name", `duplicate source name "a" (first used by sources[0] on line 2)`}}},

		{"duplicate feed name", `sources: [{name: a, url: "https://a.example/"}]
feeds:
  - name: all
  - name: other
  - name: all
    title: Again
`, []problem{{5, "feeds[2].name", `duplicate feed name "all" (first used by feeds[0] on line 3)`}}},

		{"bad top-level schedule", `schedule: "0 25 * * *"
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{1, "schedule", `invalid cron spec "0 25 * * *"`}}},

		{"bad source schedule", `sources:
  - name: a
    url: https://a.example/
  - name: b
    url: https://b.example/
    schedule: "@every banana"
feeds: [{name: all}]
`, []problem{{6, "sources[1].schedule", `invalid cron spec "@every banana"`}}},

		{"four-field cron spec", `sources:
  - name: a
    url: https://a.example/
    schedule: "*/15 * * *"
feeds: [{name: all}]
`, []problem{{4, "sources[0].schedule", `invalid cron spec "*/15 * * *"`}}},

		{"ftp url", `sources:
  - name: a
    url: ftp://files.example.com/feed.xml
feeds: [{name: all}]
`, []problem{{3, "sources[0].url", `unsupported scheme "ftp"`}}},

		{"not a url", `sources:
  - name: a
    url: not a url
feeds: [{name: all}]
`, []problem{{3, "sources[0].url", `not a url does not exist`}}},

		{"url without host", `sources:
  - name: a

    url: https:///feed.xml
feeds: [{name: all}]
`, []problem{{4, "sources[0].url", `missing host`}}},

		{"missing local file", `sources:
  - name: a
    url: feeds/missing.xml
feeds: [{name: all}]
`, []problem{{3, "sources[0].url", `feeds/missing.xml does not exist`}}},

		{"missing url", `sources:
  - name: a
    tags: [x]
feeds: [{name: all}]
`, []problem{{2, "sources[0].url", `required`}}},

		{"bad tag slug", `sources:
  - name: a
    url: https://a.example/
    tags:
      - ok
      - Not OK
feeds: [{name: all}]
`, []problem{{6, "sources[0].tags[1]", `invalid tag "Not OK"`}}},

		{"bad source name", `sources:
  - name: -a
    url: https://a.example/
feeds: [{name: all}]
`, []problem{{2, "sources[0].name", `invalid source name "-a"`}}},

		{"feed names an unknown source", `sources: [{name: a, url: "https://a.example/"}]
feeds:
  - name: all
    sources:
      - a
      - b
`, []problem{{6, "feeds[0].sources[1]", `unknown source "b"`}}},

		{"feed names an unknown tag", `sources: [{name: a, url: "https://a.example/", tags: [go]}]
feeds:
  - name: all
    tags: [go, rust]
`, []problem{{4, "feeds[0].tags[1]", `no source has tag "rust"`}}},

		{"feed selects nothing", `sources:
  - name: a
    url: https://a.example/
    enabled: false
  - name: b
    url: https://b.example/
feeds:
  - name: all
  - name: only-a
    sources: [a]
`, []problem{{9, "feeds[1]", `selects no source`}}},

		{"no feeds key", `sources: [{name: a, url: "https://a.example/"}]
`, []problem{{0, "feeds", `at least one feed is required`}}},

		{"empty feeds list", `sources: [{name: a, url: "https://a.example/"}]
feeds: []
`, []problem{{2, "feeds", `at least one feed is required`}}},

		{"no sources", `title: x
sources:
feeds: [{name: all}]
`, []problem{{2, "sources", `at least one source is required`}}},

		{"page without selectors", `sources:
  - name: a
    url: https://a.example/
    kind: page
feeds: [{name: all}]
`, []problem{{2, "sources[0].selectors", `required for kind: page`}}},

		{"page without link selector", `sources:
  - name: a
    url: https://a.example/
    kind: page
    selectors:
      item: li
      title: h2
feeds: [{name: all}]
`, []problem{{5, "sources[0].selectors.link", `required for kind: page`}}},

		{"selectors on a feed", `sources:
  - name: a
    url: https://a.example/
    selectors:
      item: li
feeds: [{name: all}]
`, []problem{{4, "sources[0].selectors", `only allowed with kind: page`}}},

		{"bad selector", `sources:
  - name: a
    url: https://a.example/
    kind: page
    selectors:
      item: li
      link: "a[href@href"
feeds: [{name: all}]
`, []problem{{7, "sources[0].selectors.link", `invalid CSS selector "a[href"`}}},

		{"unknown kind", `sources:
  - name: a
    url: https://a.example/
    kind: podcast
feeds: [{name: all}]
`, []problem{{4, "sources[0].kind", `unknown kind "podcast"`}}},

		{"bad CSS selector in remove", `sources:
  - name: a
    url: https://a.example/
    remove:
      - .share
      - "div > > p"
feeds: [{name: all}]
`, []problem{{6, "sources[0].remove[1]", `invalid CSS selector "div > > p"`}}},

		{"bad replace rules", `sources:
  - name: a
    url: https://a.example/
    replace:
      - {field: title, pattern: ' - Site$'}
      - {field: title, pattern: "(unclosed", with: x}
      - field: author
        pattern: x
      - {field: content}
feeds: [{name: all}]
`, []problem{
			{6, "sources[0].replace[1]", `invalid pattern: error parsing regexp: missing closing ): ` + "`(unclosed`"},
			{7, "sources[0].replace[2]", `unknown field "author" (want title or content)`},
			{9, "sources[0].replace[3]", `pattern is required`},
		}},

		{"lead image in content off", `sources: [{name: a, url: "https://a.example/"}]
feeds:
  - {name: all, lead_image_in_content: nope}
`, []problem{{3, "feeds[0].lead_image_in_content", `want true or false`}}},

		{"bad listen address", `listen: localhost
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
base_url: http://news.example.org
`, []problem{{1, "listen", `invalid address "localhost"`}}},

		{"listen port out of range", `listen: 127.0.0.1:70000
base_url: http://news.example.org
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{1, "listen", `port "70000"`}}},

		{"relative base_url", `base_url: /news
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{1, "base_url", `want an absolute http:// or https:// URL`}}},

		{"base_url with query", `

base_url: https://news.example.org/?x=1
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{3, "base_url", `query or fragment`}}},

		{"bad storage driver", `storage:
  driver: mysql
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{2, "storage.driver", `unknown driver "mysql"`}}},

		{"postgres without dsn", `storage:
  driver: postgres
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{1, "storage.dsn", `required for driver postgres`}}},

		{"postgres dsn of another database", `storage:
  driver: postgres
  dsn: mysql://root:secret@db/news
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{3, "storage.dsn", `want a postgres:// or postgresql:// URL`}}},

		{"sqlite in memory", `storage:
  dsn: ":memory:"
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{2, "storage.dsn", `in-memory database would lose every story`}}},

		{"sqlite file URI", `storage:
  dsn: "file:test.db?cache=shared"
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{2, "storage.dsn", `want a file path, not a file: URI`}}},

		{"bad log level", `log_level: verbose
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{1, "log_level", `unknown level "verbose"`}}},

		{"bad size", `fetch:
  timeout: 5s
  max_body_size: 15 potatoes
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{3, "fetch.max_body_size", `invalid size "15 potatoes": unknown unit "potatoes"`}}},

		{"bad duration", `fetch:
  timeout: 5 minutes
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{2, "fetch.timeout", `invalid duration "5 minutes"`}}},

		{"duration without unit", `fetch:
  connect_timeout: 10
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{2, "fetch.connect_timeout", `a unit is required, like 10s`}}},

		{"zero workers", `fetch:
  workers: 0
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{2, "fetch.workers", `must be at least 1`}}},

		{"not an integer", `fetch:
  max_redirects: lots
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{2, "fetch.max_redirects", `want an integer, found "lots"`}}},

		{"not a boolean", `sources:
  - name: a
    url: https://a.example/
    enabled: "no"
feeds: [{name: all}]
`, []problem{{4, "sources[0].enabled", `want true or false`}}},

		{"list where a string belongs", `title: [a, b]
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{1, "title", `want a string, found a list`}}},

		{"negative limit", `sources: [{name: a, url: "https://a.example/"}]
feeds:
  - name: all
    limit: -5
`, []problem{{4, "feeds[0].limit", `must be from 1 to 10000, got -5`}}},

		{"limit too large", `sources: [{name: a, url: "https://a.example/"}]
feeds:
  - name: all
    limit: 10001
`, []problem{{4, "feeds[0].limit", `must be from 1 to 10000, got 10001`}}},

		{"feed metadata", `sources: [{name: a, url: "https://a.example/"}]
feeds:
  - name: all
    icon: "ftp://x.example/i.ico"
    logo: "https://user:hunter2@x.example/logo.png"
    language: "english please"
    rights: "line one\nline two"
  - name: other
    icon: "//x.example/i.ico"
    logo: "https:///logo.png"
    language: "en_GB"
`, []problem{
			{4, "feeds[0].icon", `invalid URL "ftp://x.example/i.ico": want an absolute http:// or https:// URL, or a path relative to base_url`},
			{5, "feeds[0].logo", `must not carry credentials: it is published`},
			{6, "feeds[0].language", `invalid language tag "english please": want a BCP 47 tag like en, en-GB or pt-BR`},
			{7, "feeds[0].rights", `must be one line`},
			{9, "feeds[1].icon", `want an absolute http:// or https:// URL, or a path relative to base_url`},
			{10, "feeds[1].logo", `missing host`},
			{11, "feeds[1].language", `invalid language tag "en_GB"`},
		}},

		{"source entry that is not a mapping", `sources:
  - https://a.example/
feeds: [{name: all}]
`, []problem{{2, "sources[0]", `want a mapping of keys`}}},

		{"document that is not a mapping", `- listen
- title
`, []problem{{1, "", `want a mapping of keys, found a list`}}},

		{"two documents", `title: a
---
title: b
`, []problem{{3, "", `single YAML document`}}},

		{"yaml syntax error", `sources:
  - name: a
    url: "https://a.example/
feeds: [{name: all}]
`, []problem{{3, "", `syntax error: `}}},

		{"duplicate key", `title: a
listen: 127.0.0.1:1
title: b
`, []problem{{3, "", `syntax error: mapping key "title" already defined`}}},

		{"fraction of a byte", `fetch:
  max_body_size: 1.5
  workers: 0
sources: [{name: a, url: "https://a.example/"}]
feeds:
  - name: all
    limit: 0
`, []problem{
			{2, "fetch.max_body_size", `invalid size "1.5": a number of bytes must be whole`},
			{3, "fetch.workers", `must be at least 1, got 0`},
			{7, "feeds[0].limit", `must be from 1 to 10000, got 0`},
		}},

		{"body size above what a fetch reads", `fetch:
  max_body_size: 33MiB
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{2, "fetch.max_body_size", `must be at most 32MiB (33554432 bytes), the most a fetch ever reads; got 34603008 bytes`}}},

		{"integers with a leading zero", `fetch:
  max_body_size: 0100
  max_redirects: 010
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{
			{2, "fetch.max_body_size", `ambiguous number 0100: YAML reads a leading 0 as octal`},
			{3, "fetch.max_redirects", `ambiguous number 010`},
		}},

		{"zero duration without a unit", `fetch:
  timeout: 0
  workers: 0
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{
			{2, "fetch.timeout", `invalid duration 0: a unit is required, like 0s`},
			{3, "fetch.workers", `must be at least 1, got 0`},
		}},

		{"quoted numbers", `fetch:
  max_redirects: "-1"
  workers: " 3"
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{
			{2, "fetch.max_redirects", `must not be negative, got -1`},
			{3, "fetch.workers", `want an integer, found " 3"`},
		}},

		{"YAML tags", `title: !!str 2024
fetch:
  allow_private_networks: !!str true
  timeout: !!int 10s
  workers: 0
sources: !!seq [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{
			{3, "fetch.allow_private_networks", `unsupported YAML tag !!str: write the value without it`},
			{4, "fetch.timeout", `unsupported YAML tag !!int`},
			{5, "fetch.workers", `must be at least 1`},
		}},

		{"unknown alias", `title: *name
x-name: &name News
feeds: [{name: all, limit: 0}]
sources: [{name: a, url: "https://a.example/"}]
`, []problem{
			{1, "title", `unknown alias *name: no anchor &name comes before it`},
			{3, "feeds[0].limit", `must be from 1 to 10000`},
		}},

		{"merge of something else than a mapping", `x-n: &n 3
fetch:
  <<: *n
  workers: 0
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{
			{3, "fetch.<<", `a merge takes one mapping without a tag, like <<: *defaults; found the number 3`},
			{4, "fetch.workers", `must be at least 1`},
		}},

		{"merge of a list of mappings", `x-a: &a {workers: 2}
x-b: &b {max_redirects: 3}
fetch:
  <<: [*a, *b]
  timeout: soon
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{
			{4, "fetch.<<", `a merge takes one mapping without a tag, like <<: *defaults; found a list`},
			{5, "fetch.timeout", `invalid duration "soon"`},
		}},

		{"merge key without a space", `{<<:{title: x}, sources: [{name: a, url: "https://a.example/"}], feeds: [{name: all, limit: 0}]}
`, []problem{
			{1, "<<", `unknown key "<<"`},
			{1, "feeds[0].limit", `must be from 1 to 10000`},
		}},

		{"bad list entries keep the others checked", `sources:
  -
  - https://b.example/
  - name: c
    url: https://c.example/
    tags: [ok, [nested], Bad]
feeds:
  - name: all
    sources: [c, ~, nope]
    limit: 0
`, []problem{
			{2, "sources[0]", `empty list entry`},
			{3, "sources[1]", `want a mapping of keys, found "https://b.example/"`},
			{6, "sources[2].tags[1]", `want a string, found a list`},
			{6, "sources[2].tags[2]", `invalid tag "Bad"`},
			{9, "feeds[0].sources[1]", `empty list entry`},
			{9, "feeds[0].sources[2]", `unknown source "nope"`},
			{10, "feeds[0].limit", `must be from 1 to 10000`},
		}},

		{"@every zero", `schedule: "@every 0s"
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{1, "schedule", `invalid cron spec "@every 0s": @every needs an interval of at least 1m0s, got 0s`}}},

		{"@every negative", `sources:
  - name: a
    url: https://a.example/
    schedule: "@every -5m"
feeds: [{name: all}]
`, []problem{{4, "sources[0].schedule", `@every needs an interval of at least 1m0s, got -5m0s`}}},

		{"@every under a second", `schedule: "@every 500ms"
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{1, "schedule", `@every needs an interval of at least 1m0s, got 500ms`}}},

		{"@every under a minute, after a time zone", `schedule: "CRON_TZ=UTC @every 30s"
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{1, "schedule", `@every needs an interval of at least 1m0s, got 30s`}}},

		{"@every with a fraction of a second", `schedule: "@every 1m30.5s"
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{1, "schedule", `@every takes whole seconds, got 1m30.5s`}}},

		{"schedule that never fires", `sources:
  - name: a
    url: https://a.example/
    schedule: "0 0 30 2 *"
feeds: [{name: all}]
`, []problem{{4, "sources[0].schedule", `invalid cron spec "0 0 30 2 *": never fires`}}},

		{"time zone without a schedule", `schedule: "TZ=UTC"
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{{1, "schedule", `a time zone must be followed by a schedule`}}},

		// An alias shares its anchor's nodes, so a stand-in for a refused
		// entry, or a refused key's absence, shows at every alias site.
		{"refused list entry shared through an alias", `sources:
  - {name: a, url: "https://a.example/", tags: &t [[x], news]}
  - {name: b, url: "https://b.example/", tags: *t}
feeds: [{name: all}]
`, []problem{{2, "sources[0].tags[0]", `want a string, found a list`}}},

		{"refused key of a mapping shared through an alias", `sources:
  - {name: a, url: "https://a.example/", kind: page, selectors: &s {item: [x], link: a@href}}
  - {name: b, url: "https://b.example/", kind: page, selectors: *s}
feeds: [{name: all}]
`, []problem{{2, "sources[0].selectors.item", `want a string, found a list`}}},

		{"shared refused entry overridden after a merge", `x-d: &d {tags: [[x]], kind: [y]}
sources:
  - {<<: *d, name: a, url: "https://a.example/"}
  - {<<: *d, name: b, url: "https://b.example/", tags: [Bad], kind: rss}
feeds: [{name: all}]
`, []problem{
			{1, "sources[0].tags[0]", `want a string, found a list`},
			{1, "sources[0].kind", `want a string, found a list`},
			{4, "sources[1].tags[0]", `invalid tag "Bad"`},
			{4, "sources[1].kind", `unknown kind "rss"`},
		}},

		// The decoder's own reading of "\x33" failed, unlocated, and hid
		// what Validate finds.
		{"escaped digits in a number", `fetch: {workers: "\x33", max_body_size: "\x31MiB"}
sources: [{name: a, url: "ftp://a.example/"}]
feeds: [{name: all}]
`, []problem{{2, "sources[0].url", `unsupported scheme "ftp"`}}},

		{"several problems at once", `listen: nowhere
storage:
  driver: oracle
fetch:
  timeout: soon
  max_body_size: 15 potatoes
  wokers: 3
sources:
  - name: a
    url: ftp://a.example/
    schedule: "* * *"
  - name: a
    url: https://b.example/
    tags: [Bad]
feeds:
  - name: all
    sources: [nope]
    limit: -1
`, []problem{
			{1, "listen", `invalid address`},
			{3, "storage.driver", `unknown driver "oracle"`},
			{5, "fetch.timeout", `invalid duration "soon"`},
			{6, "fetch.max_body_size", `invalid size "15 potatoes"`},
			{7, "fetch.wokers", `unknown key "wokers" (did you mean "workers"?)`},
			{10, "sources[0].url", `unsupported scheme "ftp"`},
			{11, "sources[0].schedule", `invalid cron spec "* * *"`},
			{12, "sources[1].name", `duplicate source name "a"`},
			{14, "sources[1].tags[0]", `invalid tag "Bad"`},
			{17, "feeds[0].sources[0]", `unknown source "nope"`},
			{18, "feeds[0].limit", `must be from 1 to 10000`},
		}},
		{"metrics keys", `sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
metrics:
  source_duration: true
  source_durations: "yes"
`, []problem{
			{4, "metrics.source_duration", `unknown key "source_duration" (did you mean "source_durations"?)`},
			{5, "metrics.source_durations", `want true or false, found "yes"`},
		}},
		{"retention keys", `sources:
  - name: a
    url: "https://a.example/"
    retention:
      max_age: 3 days
      max_items: -1
  - name: b
    url: "https://b.example/"
    retention: {max_age: 1.5d, maxitems: 3}
feeds: [{name: all}]
retention:
  max_age: 90
  max_items: -5
  schedule: "@every 500ms"
  orphans: -30d
`, []problem{
			{5, "sources[0].retention.max_age", `invalid duration "3 days": want a duration like 20s, 1m30s or 90d`},
			{6, "sources[0].retention.max_items", `must not be negative (0 means no limit), got -1`},
			{9, "sources[1].retention.max_age", `invalid duration "1.5d"`},
			{9, "sources[1].retention.maxitems", `unknown key "maxitems" (did you mean "max_items"?)`},
			{12, "retention.max_age", `invalid duration 90: a unit is required, like 90s`},
			{13, "retention.max_items", `must not be negative (0 means no limit), got -5`},
			{14, "retention.schedule", `@every needs an interval of at least 1s, got 500ms`},
			{15, "retention.orphans", `invalid duration "-30d"`},
		}},

		{"log format and metrics networks", `log_format: yaml
metrics:
  allow:
    - 10.0.0.0/8
    - 192.168.1.7
    - "fe80::/10"
    - not-a-network
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []problem{
			{1, "log_format", `unknown format "yaml": want text or json`},
			{5, "metrics.allow[1]", `invalid network "192.168.1.7": want a network in CIDR notation, like 10.0.0.0/8 or 192.168.1.7/32`},
			{7, "metrics.allow[3]", `invalid network "not-a-network"`},
		}},

		{"filters", `sources:
  - name: a
    url: https://a.example/
    include:
      title: [ok, "re:("]
      tittle: [x]
feeds:
  - name: no-wrestling
    exclude:
      title:
        - wwe
        - "re:summer (slam"
      category: ["  "]
      link: wwe
    max_age: 30 days
    per_source_limit: -1
`, []problem{
			{5, "sources[0].include.title[1]", `pattern "re:(": invalid regular expression: missing closing )`},
			{6, "sources[0].include.tittle", `unknown key "tittle" (did you mean "title"?)`},
			{12, "feeds[0].exclude.title[1]", `pattern "re:summer (slam": invalid regular expression: missing closing )`},
			{13, "feeds[0].exclude.category[0]", `empty keyword`},
			{14, "feeds[0].exclude.link", `want a list`},
			{15, "feeds[0].max_age", `invalid duration "30 days"`},
			{16, "feeds[0].per_source_limit", `must not be negative (0 means no cap), got -1`},
		}},

		{"websub", `sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
websub:
  hub: hub.example.net/publish
  timeout: 5m
`, []problem{
			{4, "websub.hub", `invalid URL "hub.example.net/publish": want an absolute http:// or https:// URL`},
			{5, "websub.timeout", `must be at most 1m0s, got 5m0s`},
		}},

		{"websub hub without host, zero timeout", `sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
websub: {hub: "https:///publish#x", timeout: 0s}
`, []problem{
			{3, "websub.hub", `invalid URL "https:///publish#x": missing host`},
			{3, "websub.timeout", `must be positive, got 0s`},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := parseProblems(t, t.TempDir(), tc.yaml)
			checkProblems(t, errs, tc.want)
		})
	}
}

func TestFieldErrorFormat(t *testing.T) {
	src := `# Sources fetched every half hour,
# except c.
sources:
  - name: a
    url: https://a.example/
  - name: b
    url: https://b.example/

  # The third source is busy.
  - name: c
    url: https://c.example/
    tags:
      - busy
    schedule: "*/99 * * *"
feeds:
  - name: all
`
	_, err := Parse([]byte(src), "config.yaml")
	errs := asErrors(t, err)
	const want = `config.yaml:14: sources[2].schedule: invalid cron spec "*/99 * * *": `
	if len(errs) != 1 || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error = %q, want one line starting %q", err, want)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Line != 14 || fe.Path != "sources[2].schedule" || fe.File != "config.yaml" {
		t.Errorf("errors.As(*FieldError) = %+v", fe)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("one problem spans several lines: %q", err)
	}
}

func TestSyntaxErrorIsOneLine(t *testing.T) {
	_, err := Parse([]byte("title: x\nsources:\n  - name: [a\n"), "config.yaml")
	errs := asErrors(t, err)
	if len(errs) != 1 || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "config.yaml:") {
		t.Fatalf("syntax error = %q, want one line starting config.yaml:LINE", err)
	}
	if errs[0].Line < 3 {
		t.Errorf("syntax error on line %d, want line 3 or later", errs[0].Line)
	}
}

func TestValidateBuiltConfig(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.xml", "<rss/>")
	c := defaults()
	c.Sources = []Source{{Name: "a", URL: feed, Kind: KindFeed, Schedule: DefaultSchedule, Enabled: true}}
	c.Feeds = []Feed{{Name: "all", Limit: 10}}
	c.setDefaults()
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate() = %v, want nil", err)
	}
	if err := os.Remove(feed); err != nil {
		t.Fatal(err)
	}
	err := c.Validate()
	errs := asErrors(t, err)
	if len(errs) != 1 || errs[0].Path != "sources[0].url" || errs[0].Line != 0 {
		t.Fatalf("Validate() after removing the file = %v, want one sources[0].url problem without a line", err)
	}
	if got := errs[0].Error(); !strings.HasPrefix(got, "sources[0].url: local file") {
		t.Errorf("message %q, want it to start with the path", got)
	}
}

// TestFeedMetadata: valid icon, logo, language and rights load; a path
// icon or logo is a URL below base_url.
func TestFeedMetadata(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "config.yaml", `base_url: https://example.org/news/
sources: [{name: a, url: "https://a.example/"}]
feeds:
  - name: all
    icon: /favicon.ico
    logo: "https://cdn.example.org/logo.png?v=2"
    language: pt-BR
    rights: "© 2026 Example News"
  - name: bare
`)
	c := mustLoad(t, path)
	f := c.Feeds[0]
	if got := c.FeedImageURL(f.Icon); got != "https://example.org/news/favicon.ico" {
		t.Errorf("icon = %q", got)
	}
	if got := c.FeedImageURL(f.Logo); got != "https://cdn.example.org/logo.png?v=2" {
		t.Errorf("logo = %q", got)
	}
	if f.Language != "pt-BR" || f.Rights != "© 2026 Example News" {
		t.Errorf("language %q, rights %q", f.Language, f.Rights)
	}
	if got := c.FeedImageURL(c.Feeds[1].Icon); got != "" {
		t.Errorf("unset icon = %q, want empty", got)
	}
}

// TestRetentionDefaultsAndInheritance: retention is on by default; a
// source takes the top-level limits for the keys it leaves out, and 0
// turns a limit off.
func TestRetentionDefaultsAndInheritance(t *testing.T) {
	src := `retention: {max_items: 200, schedule: "@every 1s"}
sources:
  - {name: a, url: "https://a.example/"}
  - {name: b, url: "https://b.example/", retention: {max_age: 0s}}
  - {name: c, url: "https://c.example/", retention: {max_items: 0, max_age: 2d6h}}
  - {name: d, url: "https://d.example/", retention: {max_age: null}}
feeds: [{name: all}]
`
	c, err := Parse([]byte(src), filepath.Join(t.TempDir(), "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Retention{MaxAge: 90 * day, MaxItems: 200, Schedule: "@every 1s", Orphans: 30 * day}); c.Retention != want {
		t.Errorf("retention = %+v, want %+v", c.Retention, want)
	}
	want := []SourceRetention{{90 * day, 200}, {0, 200}, {54 * time.Hour, 0}, {90 * day, 200}}
	for i, s := range c.Sources {
		if s.Retention != want[i] {
			t.Errorf("sources[%d].retention = %+v, want %+v", i, s.Retention, want[i])
		}
	}
}

func TestSchedulesAccepted(t *testing.T) {
	for _, spec := range []string{
		"@every 1m",
		"@every 1h30m",
		"@hourly",
		"*/15 * * * *",
		"0 0 29 2 *", // 29 February comes within robfig/cron's five-year look-ahead
		"0 0 30 2 1", // day of month or day of week: every Monday in February
		"CRON_TZ=UTC 0 6 * * *",
		"TZ=UTC @every 2h",
	} {
		t.Run(spec, func(t *testing.T) {
			src := "schedule: \"" + spec + "\"\nsources: [{name: a, url: \"https://a.example/\"}]\nfeeds: [{name: all}]\n"
			if _, err := Parse([]byte(src), filepath.Join(t.TempDir(), "config.yaml")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestURLProblemsHideCredentials(t *testing.T) {
	src := `listen: 127.0.0.1:8080
base_url: ftp://admin:SECRET-base@site.example/
sources:
  - {name: a, url: "ftp://user:SECRET-a@a.example/feed"}
  - {name: b, url: "http://user:SECRET-b@b.example:port/feed"}
  - {name: c, url: "http://user:SECRET/c@c.example/feed"}
  - {name: d, url: "http://SECRET-d@/feed"}
  - {name: e, url: "http://user:SECRET e@e.example/feed"}
feeds: [{name: all}]
websub: {hub: "ftp://publisher:SECRET-hub@hub.example/"}
`
	errs := parseProblems(t, t.TempDir(), src)
	checkProblems(t, errs, []problem{
		{2, "base_url", `invalid URL "ftp://xxxxx@site.example": want an absolute`},
		{4, "sources[0].url", `invalid URL "ftp://xxxxx@a.example/feed": unsupported scheme "ftp"`},
		{5, "sources[1].url", `invalid URL "http://xxxxx@b.example:port/feed": malformed`},
		{6, "sources[2].url", `invalid URL "http://xxxxx@c.example/feed": malformed`},
		{7, "sources[3].url", `invalid URL "http://xxxxx@/feed": missing host`},
		{8, "sources[4].url", `invalid URL "http://xxxxx@e.example/feed": malformed`},
		{10, "websub.hub", `invalid URL "ftp://xxxxx@hub.example/": want an absolute`},
	})
	if strings.Contains(errs.Error(), "SECRET") {
		t.Errorf("the problems show a credential:\n%v", errs)
	}
}

// TestWebSubHub: the hub is off by default, and the feeds link to it
// without the credentials that go with publishing.
func TestWebSubHub(t *testing.T) {
	base := "sources: [{name: a, url: \"https://a.example/\"}]\nfeeds: [{name: all}]\n"
	c, err := Parse([]byte(base), filepath.Join(t.TempDir(), "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.WebSub.Hub != "" || c.WebSub.PublicHub() != "" || c.WebSub.Timeout != DefaultWebSubTimeout {
		t.Errorf("defaults: %+v, public %q", c.WebSub, c.WebSub.PublicHub())
	}
	c, err = Parse([]byte(base+"websub: {hub: \" https://pub:SECRET@hub.example.net/hub?x=1 \", timeout: 3s}\n"), filepath.Join(t.TempDir(), "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.WebSub.Hub != "https://pub:SECRET@hub.example.net/hub?x=1" || c.WebSub.Timeout != 3*time.Second {
		t.Errorf("parsed %+v", c.WebSub)
	}
	if got := c.WebSub.PublicHub(); got != "https://hub.example.net/hub?x=1" {
		t.Errorf("PublicHub = %q", got)
	}
}
