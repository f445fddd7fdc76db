package main

// The tests in this file point Tributary at hostile sources: servers that
// stall, flood, bomb, loop, lie or refuse, documents built to hurt a parser
// or a reader, and links that try to reach private addresses. Each bad
// source must fail (or be repaired) alone, with a reason an operator can act
// on, while a good source in the same configuration is fetched and
// published; memory stays bounded and nothing hangs.
//
// This file holds the cases and the tests that run them; the servers are in
// hostile_servers_test.go, each case's further checks in
// hostile_checks_test.go, what must hold of every published output in
// hostile_published_test.go, and the configuration, build and memory
// helpers in hostile_helpers_test.go.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

const (
	// hostileTimeout is fetch.timeout (and connect_timeout, which also
	// bounds the TLS handshake) in the test configurations: short, so
	// that the servers that never finish cost seconds, not minutes, yet
	// long enough for a 15 MiB body to be inflated under the race detector
	// on a busy machine.
	hostileTimeout = "5s"
	// heapBound and sysBound are generous ceilings for the whole test
	// process. Bodies are capped at 15 MiB decoded, so the few in flight
	// fit many times over; one bomb or endless body read whole would not.
	heapBound = 512 << 20
	sysBound  = 1 << 30
	// maxItems is fetch.max_items_per_source in the test configurations.
	maxItems = 100
	// retryAfterSeconds is what the 429 source asks for.
	retryAfterSeconds = 3600
)

// hostileCase is one bad source.
type hostileCase struct {
	name string
	url  func(h *hostile) string
	// failed says the source must fail; otherwise it must be fetched (its
	// defects repaired or dropped) without failing.
	failed bool
	// want is what the source's `tributary fetch` line must contain after
	// "NAME: ".
	want string
	// allowPrivate sets fetch.allow_private_networks: true; fulltext sets
	// the source's fulltext. Cases that allow private networks are positive
	// controls and stay out of the daemon test.
	allowPrivate, fulltext bool
	// check makes further assertions about the outcome.
	check func(t *testing.T, h *hostile, r *hostileResult)
}

// hostileResult is what one fetch-and-build of a case produced.
type hostileResult struct {
	dir            string
	start          time.Time
	line           string // the bad source's line of `tributary fetch`
	stdout, stderr string
	outputs        map[string][]byte       // file name ("all.atom") -> bytes
	feeds          map[string]*gofeed.Feed // file name -> parsed feed
}

// badItems returns, per output file, the items not from the good source.
func (r *hostileResult) badItems() map[string][]*gofeed.Item {
	out := map[string][]*gofeed.Item{}
	for name, f := range r.feeds {
		out[name] = []*gofeed.Item{}
		for _, it := range f.Items {
			if !strings.HasPrefix(it.Title, "Good ") {
				out[name] = append(out[name], it)
			}
		}
	}
	return out
}

func fixture(name string) func(h *hostile) string {
	return func(h *hostile) string { return h.url("/fixture/" + name) }
}

func path(p string) func(h *hostile) string {
	return func(h *hostile) string { return h.url(p) }
}

// hostileCases lists every bad source. The wants are the reasons an
// operator reads; they are quoted in docs/security.md.
// The hostile documents that only the parser and the renderers need to see
// are sources' hostileDocuments.
func hostileCases() []hostileCase {
	return []hostileCase{
		// Slow, endless and compressed-bomb bodies.
		{name: "slow-body", url: path("/slow-body"), failed: true, want: "request exceeded timeout of " + hostileTimeout},
		{name: "slow-headers", url: path("/slow-headers"), failed: true, want: "request exceeded timeout of " + hostileTimeout},
		{name: "endless-body", url: path("/endless"), failed: true, want: "more than 15728640 bytes: fetch: response body too large"},
		{name: "gzip-bomb", url: path("/gzip-bomb"), failed: true, want: "more than 15728640 bytes: fetch: response body too large"},
		{name: "deflate-bomb", url: path("/deflate-bomb"), failed: true, want: "more than 15728640 bytes: fetch: response body too large"},
		{name: "raw-deflate-bomb", url: path("/raw-deflate-bomb"), failed: true, want: "more than 15728640 bytes: fetch: response body too large"},
		// Redirects.
		{name: "redirect-loop", url: path("/loop"), failed: true, want: "stopped after 10 redirects: fetch: too many redirects"},
		{name: "eleven-redirects", url: path("/hops/11"), failed: true, want: "stopped after 10 redirects: fetch: too many redirects"},
		{name: "ten-redirects", url: path("/hops/10"), want: "new (1 new, 0 updated, 0 unchanged)"},
		// Status codes.
		{name: "status-403", url: path("/status/403"), failed: true, want: "http 403 Forbidden from "},
		{name: "status-404", url: path("/status/404"), failed: true, want: "http 404 Not Found from "},
		{name: "status-500", url: path("/status/500"), failed: true, want: "http 500 Internal Server Error from "},
		{name: "status-502", url: path("/status/502"), failed: true, want: "http 502 Bad Gateway from "},
		{
			name: "status-429-retry-after", url: path(fmt.Sprintf("/status/429?retry-after=%d", retryAfterSeconds)),
			failed: true, want: "http 429 Too Many Requests from ",
			check: checkRetryAfter("/status/429", retryAfterSeconds*time.Second),
		},
		{
			name: "status-503-retry-date", url: path("/retry-date"),
			failed: true, want: "http 503 Service Unavailable from ",
			check: checkRetryAfter("/retry-date", 2*time.Hour),
		},
		// Transport failures.
		{name: "tls-untrusted", url: func(h *hostile) string { return h.tls.URL + "/feed" }, failed: true,
			want: "tls: failed to verify certificate: x509: certificate signed by unknown authority"},
		{name: "dns-invalid", url: func(*hostile) string { return "http://feed.invalid/feed" }, failed: true,
			want: "lookup feed.invalid"},
		{name: "reset-mid-body", url: path("/reset"), failed: true, want: "read: connection reset by peer"},
		{name: "short-body", url: path("/short-body"), failed: true, want: "unexpected EOF"},
		// Hostile and broken documents.
		{name: "billion-laughs", url: fixture("billion-laughs.xml"), want: "new (2 new, 0 updated, 0 unchanged)",
			check: checkNoExpansion("lollol")},
		{name: "quadratic-blowup", url: path("/quadratic"), want: "new (1 new, 0 updated, 0 unchanged)",
			check: checkNoExpansion("aaaaaaaaaaaaaaaa")},
		{name: "entity-amplification", url: path("/entity-amplification"), want: "new (1 new, 0 updated, 0 unchanged)",
			check: checkStoredSize(2 << 20)},
		{name: "external-entities", url: fixture("xxe.xml"), want: "new (2 new, 0 updated, 0 unchanged)",
			check: checkNoExternalEntities},
		{name: "truncated", url: fixture("truncated.xml"), want: "new (2 new, 0 updated, 0 unchanged)",
			check: checkTitles("Truncated one", "Truncated two")},
		{name: "binary", url: path("/binary"), failed: true, want: "document is not an RSS, Atom or JSON feed"},
		{name: "html-no-feed", url: fixture("no-feed.html"), failed: true,
			want: "no feed found in HTML page"},
		{name: "invalid-utf8", url: fixture("invalid-utf8.xml"), want: "new (2 new, 0 updated, 0 unchanged)",
			// No valid multi-byte UTF-8 in the whole document: the stray
			// byte is read as windows-1252 rather than replaced.
			check: checkTitles("Café latin-1 byte", "Controls inside")},
		{name: "wrong-charset", url: fixture("wrong-charset.xml"), want: "new (2 new, 0 updated, 0 unchanged)",
			check: checkTitles("Café — naïve ☕ straße", "日本語のタイトル")},
		{name: "impossible-dates", url: fixture("impossible-dates.xml"), want: "new (8 new, 0 updated, 0 unchanged)",
			check: checkFirstSeenDates},
		{name: "bare-items", url: fixture("bare-items.xml"), want: "new (3 new, 0 updated, 0 unchanged)",
			check: checkBareItems},
		{name: "fifty-thousand-items", url: func(h *hostile) string { h.manyItems(); return h.url("/many-items") }, want: fmt.Sprintf("new (%d new, 0 updated, 0 unchanged)", maxItems),
			check: checkItemCount(maxItems)},
		{name: "megabyte-titles", url: func(h *hostile) string { h.hugeTitles(); return h.url("/huge-titles") }, want: "new (3 new, 0 updated, 0 unchanged)",
			check: checkTitleLength},
		{name: "scripts-and-trackers", url: fixture("xss.xml"), want: "new (2 new, 0 updated, 0 unchanged)",
			check: checkSafeContent("Scripted title", "Safe paragraph one.", "Safe paragraph two", "Full text survives.",
				`<a href="https://example.com/full">a full link</a>`)},
		{name: "scripts-atom", url: fixture("xss.atom"), want: "new (1 new, 0 updated, 0 unchanged)",
			check: checkSafeContent("Atom title", "Atom xhtml content.", "Clicked.", "Styled.")},
		{name: "scripts-json", url: fixture("xss.json"), want: "new (1 new, 0 updated, 0 unchanged)",
			check: checkSafeContent("JSON title", "JSON html content.", "Expr.")},
		{name: "scripts-fulltext", url: path("/xss-fulltext-feed"), fulltext: true,
			want: "new (1 new, 0 updated, 0 unchanged), 1 pages extracted",
			check: checkSafeContent("Hostile page", "The hostile article body starts here", `<a href="https://example.com/fine">a fine link</a>`,
				"A third paragraph closes the article body")},
		// Server-side request forgery.
		{name: "redirect-to-private", url: path("/to-canary"), failed: true, want: "fetch: blocked non-public address",
			check: checkCanary("/feed", 0)},
		{name: "redirect-to-private-allowed", url: path("/to-canary"), allowPrivate: true, want: "new (1 new, 0 updated, 0 unchanged)",
			check: checkCanary("/feed", 1)},
		{name: "discovery-to-private", url: path("/discover-private"), failed: true,
			want: "fetch: blocked non-public address", check: checkCanary("/feed", 0)},
		{name: "discovery-loop", url: path("/discover-self"), failed: true,
			want: "parse feed: document is not an RSS, Atom or JSON feed", check: checkLog("fetch feed", "advertised by", "status=failed")},
		{name: "fulltext-private-link", url: path("/fulltext-feed"), fulltext: true,
			want:  "new (1 new, 0 updated, 0 unchanged), 0 pages extracted, 1 failed",
			check: all(checkCanary("/article", 0), checkLog("article extraction failed", "fetch: blocked non-public address"))},
		{name: "fulltext-private-link-allowed", url: path("/fulltext-feed"), fulltext: true, allowPrivate: true,
			want: "new (1 new, 0 updated, 0 unchanged), 1 pages extracted", check: checkCanary("/article", 1)},
	}
}

func TestHostileSourcesAreIsolated(t *testing.T) {
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHostile(t)
			extra := ""
			if tc.allowPrivate {
				extra = "  allow_private_networks: true\n"
			}
			conf, dir := writeHostileConfig(t, "127.0.0.1:0", extra, []hostileSource{
				{name: "good", url: goodServer(t, "good")},
				{name: "bad", url: tc.url(h), fulltext: tc.fulltext},
			})
			r := &hostileResult{dir: dir, start: time.Now()}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()

			code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch")
			r.stdout, r.stderr = out, errOut
			if ctx.Err() != nil {
				t.Fatalf("fetch did not finish within its deadline:\n%s", out)
			}
			wantCode := exitOK
			if tc.failed {
				wantCode = exitFailed
			}
			if code != wantCode {
				t.Errorf("fetch exit %d, want %d\n%s\n%s", code, wantCode, out, errOut)
			}
			r.line = sourceLine(out, "bad")
			t.Logf("fetch: %s", r.line)
			if !strings.Contains(r.line, tc.want) {
				t.Errorf("bad source line %q lacks %q", r.line, tc.want)
			}
			if tc.failed && !strings.HasPrefix(r.line, "bad: failed: ") {
				t.Errorf("bad source line %q does not say it failed", r.line)
			}
			if tc.failed && !regexp.MustCompile(`msg="source failed" source=bad status=failed .*`+regexp.QuoteMeta(strings.TrimSpace(tc.want))).MatchString(errOut) {
				t.Errorf("no failure log line with the reason for the bad source:\n%s", errOut)
			}
			if got := sourceLine(out, "good"); got != "good: new (2 new, 0 updated, 0 unchanged)" {
				t.Errorf("good source line %q, want it fetched in full", got)
			}

			r.outputs, r.feeds = buildAll(t, ctx, conf)
			for name, f := range r.feeds {
				assertHasTitles(t, name, f, goodTitles("good"))
			}
			checkPublished(t, r.outputs, r.feeds)
			assertNoPasswd(t, "fetch output", out+errOut)
			assertStoreHasNoPasswd(t, dir)
			if tc.check != nil {
				tc.check(t, h, r)
			}
			checkMemory(t)
		})
	}
}

// TestTruncatedFetchLeavesNoDuplicate fetches a feed cut in the middle of
// an item, then the whole feed: the story the cut hid is published once,
// complete, and no truncated copy of it stays behind.
func TestTruncatedFetchLeavesNoDuplicate(t *testing.T) {
	const whole = `<item><title>One</title><link>http://example.com/one</link><description>First.</description></item>
<item><title>Two is a long title</title><link>http://example.com/two</link><description>Second.</description></item>`
	for _, cut := range []string{"long title", "example.com/two", "Second."} {
		t.Run("cut before "+cut, func(t *testing.T) {
			full := rssDoc("Cut", whole)
			var served sync.Mutex
			body := full[:strings.Index(full, cut)]
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				served.Lock()
				defer served.Unlock()
				w.Header().Set("Content-Type", "application/rss+xml")
				io.WriteString(w, body)
				body = full // the next fetch gets the whole document
			}))
			t.Cleanup(srv.Close)
			conf, _ := writeHostileConfig(t, "127.0.0.1:0", "", []hostileSource{{name: "cut", url: srv.URL + "/feed"}})
			ctx := context.Background()
			code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch")
			if code != exitOK || !strings.Contains(out, "cut: new (1 new, 0 updated, 0 unchanged)") {
				t.Fatalf("truncated fetch: exit %d\n%s%s", code, out, errOut)
			}
			if code, out, errOut = runCmd(t, ctx, "--config", conf, "fetch"); code != exitOK {
				t.Fatalf("whole fetch: exit %d\n%s%s", code, out, errOut)
			}
			_, parsed := buildAll(t, ctx, conf)
			for name, f := range parsed {
				var titles []string
				for _, it := range f.Items {
					titles = append(titles, it.Title)
				}
				slices.Sort(titles)
				if want := []string{"One", "Two is a long title"}; !slices.Equal(titles, want) {
					t.Errorf("%s: titles %q, want %q", name, titles, want)
				}
			}
		})
	}
}

// TestDaemonAmongHostileSourcesKeepsPublishing runs `serve` pointed at every
// hostile source at once plus two good ones, with the default worker and
// per-host limits, and checks that the good stories are published, every
// bad source is logged with its reason, the private canary is never
// reached, memory stays bounded, and shutdown is clean.
func TestDaemonAmongHostileSourcesKeepsPublishing(t *testing.T) {
	h := newHostile(t)
	srcs := []hostileSource{
		{name: "good-alpha", url: goodServer(t, "alpha")},
		{name: "good-beta", url: goodServer(t, "beta")},
	}
	var cases []hostileCase
	for _, tc := range hostileCases() {
		if tc.allowPrivate {
			continue
		}
		cases = append(cases, tc)
		srcs = append(srcs, hostileSource{name: tc.name, url: tc.url(h), fulltext: tc.fulltext})
	}
	addr := freeAddr(t)
	conf, _ := writeHostileConfig(t, addr, "", srcs)

	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"--config", conf, "serve"}, io.Discard, &logs) }()

	peak := sampleMemory(t)
	outcomes := regexp.MustCompile(`msg="source (failed|fetched)"`)
	want := append(goodTitles("alpha"), goodTitles("beta")...)
	var (
		outputs map[string][]byte
		parsed  map[string]*gofeed.Feed
	)
	deadline := time.Now().Add(45 * time.Second)
	for {
		if len(outcomes.FindAllString(logs.String(), -1)) >= len(srcs) {
			outputs, parsed = getFeeds(addr)
			if parsed != nil && hasAllTitles(parsed, want) {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("the daemon did not publish the good stories and an outcome for all %d sources in time; log:\n%s", len(srcs), logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	log := logs.String()
	timedOut := "request exceeded timeout of " + hostileTimeout
	for _, tc := range cases {
		line := regexp.MustCompile(`.*msg="source (?:failed|fetched)" source=` + tc.name + ` .*`).FindString(log)
		switch {
		case !tc.failed:
			if !strings.Contains(line, `msg="source fetched"`) {
				t.Errorf("%s: not logged as fetched: %s", tc.name, line)
			}
		case !strings.Contains(line, `msg="source failed"`):
			t.Errorf("%s: not logged as failed: %s", tc.name, line)
		case strings.Contains(line, strings.TrimSpace(tc.want)):
		case strings.Contains(line, timedOut):
			// All these sources share one host name, and so its two
			// request slots, with the ones that never finish: a redirect
			// hop or a slow inflate can run out of time waiting. The exact
			// reasons are proven one source at a time above.
			t.Logf("%s: timed out under contention rather than %q", tc.name, tc.want)
		default:
			t.Errorf("%s: logged without its reason %q: %s", tc.name, tc.want, line)
		}
	}
	for _, s := range srcs[:2] {
		if !strings.Contains(log, `msg="source fetched" source=`+s.name+` status=new`) {
			t.Errorf("good source %s not logged as fetched", s.name)
		}
	}
	if n := h.hitCount("canary", ""); n != 0 {
		t.Errorf("the private canary origin received %d requests; the address policy should have refused them all", n)
	}
	checkPublished(t, outputs, parsed)
	assertNoPasswd(t, "daemon log", log)

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exit %d after shutdown; log:\n%s", code, logs.String())
		}
	case <-time.After(40 * time.Second):
		t.Fatalf("serve did not shut down; log:\n%s", logs.String())
	}
	heap, sys := peak()
	t.Logf("peak heap in use %d MiB, sys %d MiB", heap>>20, sys>>20)
	if heap > heapBound || sys > sysBound {
		t.Errorf("memory not bounded: peak heap in use %d MiB (bound %d), sys %d MiB (bound %d)", heap>>20, heapBound>>20, sys>>20, sysBound>>20)
	}
}
