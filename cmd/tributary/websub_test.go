package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/xmlcheck"
)

// versionedSources serves one RSS feed per path (/a, /b), whose content is
// its version: bumping a path's version changes its feed. It answers a
// matching If-None-Match with 304, as a real site does.
type versionedSources struct {
	*httptest.Server
	mu      sync.Mutex
	version map[string]int
}

func newVersionedSources(t *testing.T) *versionedSources {
	t.Helper()
	v := &versionedSources{version: map[string]int{}}
	v.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v.mu.Lock()
		n := v.version[r.URL.Path]
		v.mu.Unlock()
		etag := fmt.Sprintf(`"%s-%d"`, strings.Trim(r.URL.Path, "/"), n)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>%[1]s</title><link>http://example.com/</link>`, r.URL.Path)
		for i := 0; i <= n; i++ {
			fmt.Fprintf(w, `<item><title>Story %[1]s %[2]d</title><link>http://example.com%[1]s/%[2]d</link><guid>http://example.com%[1]s/%[2]d</guid><pubDate>Mon, 0%[2]d Jun 2026 10:00:00 GMT</pubDate></item>`, r.URL.Path, i+1)
		}
		io.WriteString(w, `</channel></rss>`)
	}))
	t.Cleanup(v.Close)
	return v
}

func (v *versionedSources) bump(path string) {
	v.mu.Lock()
	v.version[path]++
	v.mu.Unlock()
}

// hubRecorder is a WebSub hub that records the publish requests it
// accepts; while down, it holds each request until the client gives up.
type hubRecorder struct {
	*httptest.Server
	down  atomic.Bool
	mu    sync.Mutex
	posts []url.Values
	auth  []string
}

func newHubRecorder(t *testing.T) *hubRecorder {
	t.Helper()
	h := &hubRecorder{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.down.Load() {
			// A hub that hangs: the notifier's timeout ends it. (The
			// body read first, the server notices the client leaving.)
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
			return
		}
		if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
			http.Error(w, "want a form POST", http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.posts = append(h.posts, r.PostForm)
		h.auth = append(h.auth, r.Header.Get("Authorization"))
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Close)
	return h
}

// topics returns the hub.url of the requests accepted from the i-th on.
func (h *hubRecorder) topics(from int) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, p := range h.posts[min(from, len(h.posts)):] {
		if p.Get("hub.mode") != "publish" {
			out = append(out, "bad hub.mode "+p.Get("hub.mode"))
		}
		out = append(out, p["hub.url"]...)
	}
	return out
}

// waitTopics waits until the hub accepted want (in any order) from the
// from-th request on, and returns what it accepted.
func (h *hubRecorder) waitTopics(t *testing.T, from int, want []string, log *syncBuffer) []string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := h.topics(from)
		missing := false
		for _, w := range want {
			missing = missing || !slices.Contains(got, w)
		}
		if !missing {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub got %q, want %q; log:\n%s", got, want, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func topicsOf(base string, feeds ...string) []string {
	var out []string
	for _, f := range feeds {
		for _, ext := range []string{"rss", "atom", "json"} {
			out = append(out, base+"/feeds/"+f+"."+ext)
		}
	}
	return out
}

func websubConfig(t *testing.T, addr, sources, hub string, feeds string) string {
	t.Helper()
	u, err := url.Parse(hub + "/hub")
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("publisher", "HUB-SECRET")
	conf := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, conf, fmt.Sprintf(`listen: %s
log_level: debug
storage:
  dsn: tributary.db
schedule: "@every 1h"
websub:
  hub: %s
  timeout: 1s
sources:
  - name: a
    url: %s/a
  - name: b
    url: %s/b
feeds:
%s`, addr, u, sources, sources, feeds))
	return conf
}

// countLog counts the lines of log holding s.
func countLog(log *syncBuffer, s string) int { return strings.Count(log.String(), s) }

// waitLogCount waits until the log holds s at least n times.
func waitLogCount(t *testing.T, log *syncBuffer, s string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for countLog(log, s) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the log never said %q %d times:\n%s", s, n, log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWebSubPingsTheFeedsAFetchChanged runs serve with a hub recorder:
// the first fetch changes every feed, and the hub is told about each URL;
// then a source changes, and only the feeds that publish it are pinged
// (not the feed of the source that answered 304); a cycle where nothing
// changes pings nothing. The feeds link to the hub, without its
// credentials, in their bodies and Link headers, and the Atom rendering
// stays valid.
func TestWebSubPingsTheFeedsAFetchChanged(t *testing.T) {
	bin := tributaryBinary(t)
	src := newVersionedSources(t)
	hub := newHubRecorder(t)
	addr := freeAddr(t)
	base := "http://" + addr
	conf := websubConfig(t, addr, src.URL, hub.URL, `  - name: a
    sources: [a]
  - name: b
    sources: [b]
  - name: all
`)
	cmd, log := startServe(t, bin, conf)
	const checked = `msg="websub: feeds checked"`

	// Start-up: an empty store, then the first fetches change every feed.
	hub.waitTopics(t, 0, topicsOf(base, "a", "b", "all"), log)
	waitLogCount(t, log, "websub: hub notified", 9)
	hub.mu.Lock()
	for i, a := range hub.auth {
		if a != "Basic cHVibGlzaGVyOkhVQi1TRUNSRVQ=" {
			t.Errorf("request %d: Authorization %q, want the hub URL's credentials", i, a)
		}
	}
	first := len(hub.posts)
	hub.mu.Unlock()

	// Source a changes; a reload fetches both, b answers 304.
	src.bump("/a")
	checks := countLog(log, checked)
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	hub.waitTopics(t, first, topicsOf(base, "a", "all"), log)
	waitLogCount(t, log, checked, checks+2) // at the reload, and after its fetches
	if got := hub.topics(first); len(got) != 6 || slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "/feeds/b.") }) {
		t.Errorf("after source a changed the hub got %q, want the URLs of a and all, once each", got)
	}

	// Nothing changes: a reload's fetches all answer 304, no ping.
	hub.mu.Lock()
	second := len(hub.posts)
	hub.mu.Unlock()
	checks = countLog(log, checked)
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLogCount(t, log, "configuration reloaded", 2)
	waitLogCount(t, log, checked, checks+2)
	if got := hub.topics(second); len(got) != 0 {
		t.Errorf("an unchanged cycle pinged %q", got)
	}

	checkHubLinks(t, base, hub.URL+"/hub")
	if strings.Contains(log.String(), "HUB-SECRET") {
		t.Errorf("the log shows the hub's password:\n%s", log)
	}
}

// checkHubLinks checks every format of feed "all" links the hub (without
// credentials) and itself, in its body and its Link header.
func checkHubLinks(t *testing.T, base, hub string) {
	t.Helper()
	for _, ext := range []string{"rss", "atom", "json"} {
		self := base + "/feeds/all." + ext
		resp, err := http.Get(self)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := "<" + hub + `>; rel="hub", <` + self + `>; rel="self"`; resp.Header.Get("Link") != want {
			t.Errorf("%s: Link %q, want %q", ext, resp.Header.Get("Link"), want)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: not readable from other origins", ext)
		}
		if strings.Contains(string(body), "HUB-SECRET") || strings.Contains(string(body), "publisher@") {
			t.Errorf("%s: the body shows the hub's credentials", ext)
		}
		switch ext {
		case "json":
			var doc struct {
				FeedURL string `json:"feed_url"`
				Hubs    []struct{ Type, URL string }
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.FeedURL != self || len(doc.Hubs) != 1 || doc.Hubs[0].Type != "WebSub" || doc.Hubs[0].URL != hub {
				t.Errorf("json: feed_url %q, hubs %+v", doc.FeedURL, doc.Hubs)
			}
		default:
			for _, want := range []string{`href="` + hub + `" rel="hub"`, `href="` + self + `" rel="self"`} {
				if !strings.Contains(string(body), want) {
					t.Errorf("%s: no link %s in\n%s", ext, want, body)
				}
			}
		}
		if ext == "atom" {
			validateAtom(t, body)
		}
	}
}

// validateAtom validates an Atom document against RFC 4287's schema.
func validateAtom(t *testing.T, body []byte) {
	t.Helper()
	j, err := xmlcheck.AtomValidator(".")
	if err != nil {
		xmlcheck.RequireTool(t, "%v", err)
		return
	}
	path := filepath.Join(t.TempDir(), "feed.atom")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	problems, err := j.Validate(t.Context(), []string{path})
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("jing rejects the Atom feed: %v", problems)
	}
}

// TestWebSubHubDownIsRetriedWithoutDelayingFetches: a hub that hangs
// costs the notifier its timeout per attempt, in the background: a
// reload's fetches still run and their stories are served. Once the hub
// answers, the notifications retried with backoff get through, and the
// metrics count both.
func TestWebSubHubDownIsRetriedWithoutDelayingFetches(t *testing.T) {
	bin := tributaryBinary(t)
	src := newVersionedSources(t)
	hub := newHubRecorder(t)
	hub.down.Store(true)
	addr := freeAddr(t)
	base := "http://" + addr
	conf := websubConfig(t, addr, src.URL, hub.URL, "  - name: all\n")
	cmd, log := startServe(t, bin, conf)
	waitLog(t, log, "websub: hub notification failed, will retry")

	src.bump("/a")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/feeds/all.json")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), "Story /a 2") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reload's fetch was never served while the hub hangs; log:\n%s", log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(hub.topics(0)) != 0 {
		t.Fatal("the hub accepted a notification while down")
	}

	hub.down.Store(false)
	hub.waitTopics(t, 0, topicsOf(base, "all"), log)
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`tributary_websub_publish_total{result="success"} `, `tributary_websub_publish_total{result="retry"} `} {
		i := strings.Index(string(metrics), want)
		if i < 0 || strings.HasPrefix(string(metrics[i+len(want):]), "0\n") {
			t.Errorf("metrics: %s is 0 or missing:\n%s", want, metrics)
		}
	}
}

// TestBuildPingsTheHubForChangedFeeds: build tells the hub about the
// feeds whose written bytes changed, and about nothing when a build
// writes the same bytes again; a hub that does not answer is a warning,
// not a failed build.
func TestBuildPingsTheHubForChangedFeeds(t *testing.T) {
	src := newVersionedSources(t)
	hub := newHubRecorder(t)
	addr := freeAddr(t)
	base := "http://" + addr
	conf := websubConfig(t, addr, src.URL, hub.URL, "  - name: a\n    sources: [a]\n  - name: b\n    sources: [b]\n")
	ctx := t.Context()
	if code, _, errOut := runCmd(t, ctx, "--config", conf, "fetch"); code != exitOK {
		t.Fatalf("fetch: exit %d: %s", code, errOut)
	}
	if got := hub.topics(0); len(got) != 0 {
		t.Fatalf("fetch alone pinged %q: it publishes nothing", got)
	}
	out := filepath.Join(t.TempDir(), "public")
	build := func() string {
		t.Helper()
		code, _, errOut := runCmd(t, ctx, "--config", conf, "build", "--out", out)
		if code != exitOK {
			t.Fatalf("build: exit %d: %s", code, errOut)
		}
		return errOut
	}
	build()
	if got := hub.topics(0); !sameSet(got, topicsOf(base, "a", "b")) {
		t.Errorf("first build pinged %q", got)
	}
	if errOut := build(); len(hub.topics(6)) != 0 || strings.Contains(errOut, "websub") {
		t.Errorf("a build of the same bytes pinged %q (%s)", hub.topics(6), errOut)
	}
	src.bump("/b")
	if code, _, errOut := runCmd(t, ctx, "--config", conf, "fetch"); code != exitOK {
		t.Fatalf("fetch: exit %d: %s", code, errOut)
	}
	errOut := build()
	if got := hub.topics(6); !sameSet(got, topicsOf(base, "b")) {
		t.Errorf("after b changed build pinged %q", got)
	}
	if !strings.Contains(errOut, "websub: told the hub http://xxxxx@127.0.0.1") || strings.Contains(errOut, "HUB-SECRET") {
		t.Errorf("build's message: %q", errOut)
	}

	hub.Close() // refused at once
	src.bump("/a")
	if code, _, errOut := runCmd(t, ctx, "--config", conf, "fetch"); code != exitOK {
		t.Fatalf("fetch: exit %d: %s", code, errOut)
	}
	if errOut := build(); !strings.Contains(errOut, "warning: websub: the hub http://xxxxx@127.0.0.1") {
		t.Errorf("build with the hub down: %q", errOut)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
