package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/fetch"
)

// secretToken is the secret the outbound tests put in header values: no message
// may quote it.
const secretToken = "s3cr3t-TOKEN"

func TestOutboundKeys(t *testing.T) {
	t.Setenv("TRIBUTARY_TEST_TOKEN", secretToken)
	src := `fetch:
  timeout: 30s
  proxy: http://op:pr0xy-PASS@127.0.0.1:3128
sources:
  - name: private
    url: https://api.example.org/feed
    headers:
      Authorization: "Bearer ${TRIBUTARY_TEST_TOKEN}"
      x-api-key: k-123
      X-Count: 3
    user_agent: NewsBot/2.0 (+https://news.example.org)
    timeout: 2m
  - name: plain
    url: https://example.org/feed
feeds: [{name: all}]
`
	c, err := Parse([]byte(src), filepath.Join(t.TempDir(), "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Sources[0]
	want := map[string]string{"Authorization": "Bearer " + secretToken, "x-api-key": "k-123", "X-Count": "3"}
	if len(s.Headers) != len(want) {
		t.Errorf("headers %d, want %d (x- keys are headers, not extensions)", len(s.Headers), len(want))
	}
	for k, v := range want {
		if s.Headers[k] != v {
			t.Errorf("headers[%s] read wrong", k)
		}
	}
	if s.UserAgent != "NewsBot/2.0 (+https://news.example.org)" || s.Timeout != 2*time.Minute {
		t.Errorf("user_agent %q, timeout %s", s.UserAgent, s.Timeout)
	}
	if p := c.Sources[1]; p.Timeout != 30*time.Second || p.Headers != nil || p.UserAgent != "" {
		t.Errorf("a source without the keys: timeout %s (want fetch.timeout), headers %d, user_agent %q", p.Timeout, len(p.Headers), p.UserAgent)
	}
	u, err := ParseProxy(c.Fetch.Proxy)
	if err != nil || u.Host != "127.0.0.1:3128" || u.User.Username() != "op" {
		t.Errorf("proxy %v, %v", u, err)
	}
	if line := c.line("sources[0].headers.x-api-key"); line != 9 {
		t.Errorf("line of a header %d, want 9", line)
	}
}

func TestOutboundProblems(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "local.xml", "<rss/>")
	t.Setenv("TRIBUTARY_TEST_TOKEN", secretToken)
	t.Setenv("TRIBUTARY_TEST_BAD", "Bearer "+secretToken+"\r\nX-Injected: yes")
	src := `fetch:
  proxy: socks5://op:pr0xy-PASS@127.0.0.1:1080
sources:
  - name: a
    url: https://a.example/feed
    headers:
      Host: other.example
      Bad Name: "Bearer ${TRIBUTARY_TEST_TOKEN}"
      Authorization: "${TRIBUTARY_TEST_BAD}"
      X-Injected: "Bearer ${TRIBUTARY_TEST_TOKEN}\r\nHost: evil.example"
      Accept-Encoding: br
      If-None-Match: '"${TRIBUTARY_TEST_TOKEN}"'
      X-List: [a, "${TRIBUTARY_TEST_TOKEN}"]
      X-Empty:
    user_agent: "Bot\u0007"
    timeout: 0s
  - name: b
    url: local.xml
    headers: {Authorization: "Bearer ${TRIBUTARY_TEST_TOKEN}"}
    timeout: 11m
  - name: c
    url: https://c.example/feed
    headers: "Bearer ${TRIBUTARY_TEST_TOKEN}"
  - name: d
    url: https://d.example/feed
    headers: {authorization: "a ${TRIBUTARY_TEST_TOKEN}", Authorization: "b ${TRIBUTARY_TEST_TOKEN}"}
feeds: [{name: all}]
`
	errs := parseProblems(t, dir, src)
	checkProblems(t, errs, []problem{
		{2, "fetch.proxy", `invalid proxy URL "socks5://xxxxx@127.0.0.1:1080": want an http:// or https:// URL`},
		{7, "sources[0].headers.Host", "header Host cannot be set"},
		{8, "sources[0].headers.Bad Name", `invalid header name "Bad Name"`},
		{9, "sources[0].headers.Authorization", "value of TRIBUTARY_TEST_BAD contains a line break"},
		{10, "sources[0].headers.X-Injected", "header X-Injected: value contains a line break"},
		{11, "sources[0].headers.Accept-Encoding", "decompresses bodies itself"},
		{12, "sources[0].headers.If-None-Match", "conditional GET is Tributary's"},
		{13, "sources[0].headers.X-List", "want a string, found a list"},
		{14, "sources[0].headers.X-Empty", "empty value"},
		{15, "sources[0].user_agent", "control characters"},
		{16, "sources[0].timeout", "must be more than 0s and at most 10m0s, got 0s"},
		{19, "sources[1].headers", "only for http(s) sources"},
		{20, "sources[1].timeout", "at most 10m0s, got 11m0s"},
		{23, "sources[2].headers", "want a mapping of keys, found a string"},
		{26, "sources[3].headers.authorization", `header Authorization is also set as "Authorization"`},
	})
	for _, e := range errs {
		if msg := e.Error(); strings.Contains(msg, secretToken) || strings.Contains(msg, "pr0xy-PASS") {
			t.Errorf("a problem shows a secret: %s", msg)
		}
	}
}

func TestOutboundHeaderBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("sources:\n  - name: a\n    url: https://a.example/feed\n    headers:\n")
	for i := range 33 {
		b.WriteString("      X-H" + strings.Repeat("a", i) + ": v\n")
	}
	b.WriteString("      X-Long: " + strings.Repeat(secretToken, 400) + "\nfeeds: [{name: all}]\n")
	errs := parseProblems(t, t.TempDir(), b.String())
	checkProblems(t, errs, []problem{
		{4, "sources[0].headers", "at most 32 headers, got 34"},
		{38, "sources[0].headers.X-Long", "value longer than 4096 bytes"},
	})
	for _, e := range errs {
		if strings.Contains(e.Error(), secretToken) {
			t.Errorf("a problem shows the value: %.200s", e.Error())
		}
	}
}

func TestParseProxy(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:3128", "https://proxy.internal", "http://u:p@proxy:8080/"} {
		if _, err := ParseProxy(ok); err != nil {
			t.Errorf("ParseProxy(%q): %v", ok, err)
		}
	}
	for raw, msg := range map[string]string{
		"proxy:3128":                       "want an http:// or https:// URL",
		"socks5://proxy:1080":              "socks and other schemes are not supported",
		"http://":                          "missing host",
		"http://proxy:3128/path":           "without a path",
		"http://proxy:99999":               "port \"99999\"",
		"http://u:pr0xy-PASS@proxy:3128/x": "without a path",
		"http://u:pr0xy-PASS@pro xy:3128":  "malformed",
	} {
		_, err := ParseProxy(raw)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseProxy(%q) = %v, want %q", raw, err, msg)
		}
		if err != nil && strings.Contains(err.Error(), "pr0xy-PASS") {
			t.Errorf("ParseProxy(%q) shows the password: %v", raw, err)
		}
	}
}

func TestOutboundHeadersReusedWithAnAlias(t *testing.T) {
	src := `x-auth: &auth {Authorization: "Bearer t0ken"}
sources:
  - {name: a, url: "https://a.example/feed", headers: *auth}
  - name: b
    url: https://b.example/feed
    headers:
      <<: *auth
feeds: [{name: all}]
`
	errs := parseProblems(t, t.TempDir(), src)
	checkProblems(t, errs, []problem{
		{7, "sources[1].headers.<<", "merges (<<) are not supported here"},
	})
	c, err := Parse([]byte(strings.Replace(src, "    headers:\n      <<: *auth\n", "", 1)), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Sources[0].Headers["Authorization"] != "Bearer t0ken" {
		t.Errorf("headers from an alias: %d read", len(c.Sources[0].Headers))
	}
}

// Values YAML reads as something else than text must not be quoted back
// either: a tag, or a block scalar header, as a header value.
func TestOutboundValuesNotQuotedBackByYAML(t *testing.T) {
	for _, value := range []string{"!" + secretToken + " x", "|" + secretToken, ">" + secretToken, "*" + secretToken, "&" + secretToken} {
		src := "sources:\n  - name: a\n    url: https://a.example/\n    headers:\n      Authorization: " + value + "\nfeeds: [{name: all}]\n"
		_, err := Parse([]byte(src), "config.yaml")
		if err == nil {
			t.Errorf("%q accepted", value)
			continue
		}
		if !strings.Contains(err.Error(), "config.yaml:5:") {
			t.Errorf("%q: problem not at its line: %v", value, err)
		}
		if strings.Contains(err.Error(), secretToken) {
			t.Errorf("%q: the problem shows the value: %v", value, err)
		}
	}
}

// TestOutboundBoundsDocumented keeps the bounds written in the docs and in
// the field comments (which the JSON Schema is made from) those enforced.
func TestOutboundBoundsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	code, err := os.ReadFile("config.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		fmt.Sprintf("At most %d headers of %d bytes each", fetch.MaxHeaders, fetch.MaxHeaderValue),
		fmt.Sprintf("at most `%s`", strings.TrimSuffix(MaxSourceTimeout.String(), "0s")),
	} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("docs/configuration.md does not say %q", want)
		}
	}
	comment := strings.Join(strings.Fields(string(code)), " ")
	for _, want := range []string{
		fmt.Sprintf("At most %d headers of %d bytes // each", fetch.MaxHeaders, fetch.MaxHeaderValue),
		fmt.Sprintf("at most // %s;", strings.TrimSuffix(MaxSourceTimeout.String(), "0s")),
	} {
		if !strings.Contains(comment, want) {
			t.Errorf("config.go's field comments do not say %q", want)
		}
	}
}
