package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

// runCmd runs the CLI in-process and returns its exit code and output.
func runCmd(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

const atomFeed = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Remote</title><id>urn:remote</id><updated>2026-01-02T00:00:00Z</updated>
<entry><title>Remote one</title><id>urn:remote:1</id><link href="/posts/1"/><updated>2026-01-02T00:00:00Z</updated><author><name>Ann</name></author><summary>First</summary></entry>
<entry><title>Remote two</title><id>urn:remote:2</id><link href="/posts/2"/><updated>2026-01-01T00:00:00Z</updated><author><name>Bob</name></author><summary>Second</summary></entry>
</feed>`

// remote is an httptest feed server that honours If-None-Match and counts
// the conditional requests it answered with 304.
func remote(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var notModified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/atom+xml")
		io.WriteString(w, atomFeed)
	}))
	t.Cleanup(srv.Close)
	return srv, &notModified
}

// project writes a config with a local sample feed, a remote httptest
// feed and a broken source, and returns the config path.
func project(t *testing.T, listen, remoteURL string) string {
	t.Helper()
	dir := t.TempDir()
	sample, err := os.ReadFile("../../examples/sample-feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "local.xml"), string(sample))
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusInternalServerError)
	}))
	t.Cleanup(broken.Close)
	cfg := fmt.Sprintf(`listen: %s
base_url: http://%s
title: Test site
storage:
  dsn: data/test.db
schedule: "@every 1h"
fetch:
  allow_private_networks: true
sources:
  - name: local
    url: local.xml
    tags: [news]
  - name: remote
    url: %s/feed.atom
    tags: [tech]
  - name: broken
    url: %s/feed
feeds:
  - name: all
    title: Everything
  - name: tech
    tags: [tech]
    limit: 1
`, listen, listen, remoteURL, broken.URL)
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	writeFile(t, path, cfg)
	return path
}

func TestFetchReportsEachSourceAndStoresTheGoodOnes(t *testing.T) {
	ctx := context.Background()
	srv, notModified := remote(t)
	conf := project(t, "127.0.0.1:0", srv.URL)

	code, out, _ := runCmd(t, ctx, "--config", conf, "fetch")
	if code != exitFailed {
		t.Fatalf("exit %d, want %d (one source is broken)\n%s", code, exitFailed, out)
	}
	for _, want := range []string{
		"local: new (3 new, 0 updated, 0 unchanged)",
		"remote: new (2 new, 0 updated, 0 unchanged)",
		"broken: failed: http 500",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// A second fetch of the good sources sends conditional GETs and adds nothing.
	code, out, _ = runCmd(t, ctx, "fetch", "--config", conf, "local", "remote")
	if code != exitOK {
		t.Fatalf("second fetch exit %d\n%s", code, out)
	}
	if strings.Count(out, "unchanged (not modified") != 2 || notModified.Load() != 1 {
		t.Fatalf("second fetch was not conditional (304s: %d):\n%s", notModified.Load(), out)
	}
	if code, _, errOut := runCmd(t, ctx, "--config", conf, "fetch", "nope"); code != exitUsage || !strings.Contains(errOut, `unknown source "nope"`) {
		t.Fatalf("unknown source: exit %d, %q", code, errOut)
	}
}

func TestBuildWritesEveryFeedAtomically(t *testing.T) {
	ctx := context.Background()
	srv, _ := remote(t)
	conf := project(t, "127.0.0.1:0", srv.URL)
	runCmd(t, ctx, "--config", conf, "fetch")
	out := filepath.Join(t.TempDir(), "public")
	// A stale file from an earlier build is replaced, not appended to.
	if err := os.MkdirAll(filepath.Join(out, "feeds"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(out, "feeds", "all.rss"), "stale")

	code, stdout, stderr := runCmd(t, ctx, "--config", conf, "build", "--out", out)
	if code != exitOK {
		t.Fatalf("build exit %d: %s", code, stderr)
	}
	for _, name := range []string{"all", "tech"} {
		for _, ext := range []string{"rss", "atom", "json"} {
			p := filepath.Join(out, "feeds", name+"."+ext)
			if !strings.Contains(stdout, p) {
				t.Errorf("build did not report %s", p)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			f, err := gofeed.NewParser().ParseString(string(b))
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			want := 5
			if name == "tech" {
				want = 1
			}
			if len(f.Items) != want {
				t.Errorf("%s has %d items, want %d", p, len(f.Items), want)
			}
		}
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	if code, _, _ := runCmd(t, ctx, "--config", conf, "build"); code != exitUsage {
		t.Errorf("build without --out: exit %d, want %d", code, exitUsage)
	}
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	srv, _ := remote(t)
	conf := project(t, "127.0.0.1:0", srv.URL)
	if code, out, errOut := runCmd(t, ctx, "--config", conf, "check"); code != exitOK || !strings.Contains(out, "ok (3 sources, 2 feeds)") {
		t.Fatalf("valid config: exit %d %q %q", code, out, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	writeFile(t, bad, `listen: 127.0.0.1:8080
schedule: "61 * * * *"
sources:
  - name: a
    url: ftp://example.com/feed
    colour: blue
feeds:
  - name: all
    sources: [missing]
`)
	code, _, errOut := runCmd(t, ctx, "--config", bad, "check")
	if code != exitUsage {
		t.Fatalf("invalid config: exit %d, want %d", code, exitUsage)
	}
	for _, want := range []string{"bad.yaml:2:", "bad.yaml:5:", "bad.yaml:6:", "bad.yaml:9:"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("check output lacks %q:\n%s", want, errOut)
		}
	}
}

// TestUnsetVariableReportedWithTheRest is a file with two unset variables
// among other problems: check prints every problem at once, each at its
// line and field, and no command starts on it (with an empty value, serve
// would have opened a database in the wrong place).
func TestUnsetVariableReportedWithTheRest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, `listen: 127.0.0.1:0
storage:
  dsn: ${TRIB_CHECK_UNSET_DIR}/news.db
schedule: "61 * * * *"
sources:
  - name: a
    url: ftp://example.com/feed
    colour: blue
  - name: b
    url: "https://${TRIB_CHECK_UNSET_HOST}/feed.xml"
feeds:
  - name: all
    sources: [missing]
`)
	code, _, errOut := runCmd(t, ctx, "--config", bad, "check")
	if code != exitUsage {
		t.Fatalf("check: exit %d, want %d\n%s", code, exitUsage, errOut)
	}
	for _, want := range []string{
		bad + ":3: storage.dsn: environment variable ${TRIB_CHECK_UNSET_DIR} is not set",
		bad + `:4: schedule: invalid cron spec "61 * * * *"`,
		bad + `:7: sources[0].url: `,
		bad + `:8: sources[0].colour: unknown key "colour"`,
		bad + ":10: sources[1].url: environment variable ${TRIB_CHECK_UNSET_HOST} is not set",
		bad + `:13: feeds[0].sources[0]: unknown source "missing"`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("check output lacks %q:\n%s", want, errOut)
		}
	}
	if n := strings.Count(errOut, bad+":"); n != 6 {
		t.Errorf("check printed %d problems, want 6:\n%s", n, errOut)
	}
	for _, args := range [][]string{{"serve"}, {"fetch"}, {"build", "--out", filepath.Join(dir, "public")}} {
		code, _, errOut := runCmd(t, ctx, append([]string{"--config", bad}, args...)...)
		if code != exitUsage || !strings.Contains(errOut, "${TRIB_CHECK_UNSET_DIR} is not set") {
			t.Errorf("%s: exit %d, want %d with the unset variable named:\n%s", args[0], code, exitUsage, errOut)
		}
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 1 {
		t.Errorf("the commands created files beside the configuration: %v %v", entries, err)
	}
}

func TestShippedConfigPublishesOffline(t *testing.T) {
	// The shipped config.yaml must give a non-empty combined feed without
	// internet access: its local sample source alone fills it.
	ctx := context.Background()
	t.Setenv("TRIBUTARY_DB", filepath.Join(t.TempDir(), "shipped.db"))
	if code, out, errOut := runCmd(t, ctx, "--config", "../../config.yaml", "check"); code != exitOK {
		t.Fatalf("shipped config invalid: %s %s", out, errOut)
	}
	if code, out, errOut := runCmd(t, ctx, "--config", "../../config.yaml", "fetch", "sample"); code != exitOK {
		t.Fatalf("fetch sample: %s %s", out, errOut)
	}
	out := t.TempDir()
	if code, _, errOut := runCmd(t, ctx, "--config", "../../config.yaml", "build", "--out", out); code != exitOK {
		t.Fatal(errOut)
	}
	f, err := gofeed.NewParser().ParseURL("file://" + filepath.Join(out, "feeds", "all.atom"))
	if err != nil {
		b, _ := os.ReadFile(filepath.Join(out, "feeds", "all.atom"))
		f, err = gofeed.NewParser().ParseString(string(b))
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(f.Items) == 0 {
		t.Fatal("the shipped config publishes an empty combined feed offline")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestServeFetchesAtStartServesAndShutsDownCleanly(t *testing.T) {
	srv, _ := remote(t)
	addr := freeAddr(t)
	conf := project(t, addr, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errOut bytes.Buffer
	go func() { done <- run(ctx, []string{"--config", conf, "serve"}, io.Discard, &errOut) }()

	var f *gofeed.Feed
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/feeds/all.atom")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				if f, err = gofeed.NewParser().ParseString(string(body)); err == nil && len(f.Items) == 5 {
					break
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if f == nil || len(f.Items) != 5 {
		cancel()
		t.Fatalf("serve never published the 5 stories of the two good sources; log:\n%s", errOut.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("serve exit %d after shutdown; log:\n%s", code, errOut.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(errOut.String(), "stopped") {
		t.Errorf("no shutdown log line:\n%s", errOut.String())
	}
}

// TestUsageAndVersion holds the CLI to its conventions: help asked for
// goes to stdout and exits 0, usage errors go to stderr and exit 2,
// --version is `version`, and only commands that read the configuration
// offer --config.
func TestUsageAndVersion(t *testing.T) {
	ctx := context.Background()
	code, versionOut, _ := runCmd(t, ctx, "version")
	if code != exitOK || versionOut != "tributary "+version+"\n" {
		t.Errorf("version: %d %q", code, versionOut)
	}
	if code, out, errOut := runCmd(t, ctx, "--version"); code != exitOK || out != versionOut || errOut != "" {
		t.Errorf("--version: exit %d, %q %q, want %q", code, out, errOut, versionOut)
	}
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}, {"--config", "x.yaml", "-h"}} {
		code, out, errOut := runCmd(t, ctx, args...)
		if code != exitOK || !strings.Contains(out, "Commands:") || !strings.Contains(out, "healthcheck") || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
		// build writes the served tree (feeds/NAME.EXT, index.html), not DIR/NAME.EXT.
		if strings.Contains(out, "DIR/NAME.rss") || !strings.Contains(out, "DIR/feeds/NAME.rss") {
			t.Errorf("%v: the build line does not say where build writes the feeds: %q", args, out)
		}
	}
	for _, args := range [][]string{{}, {"frobnicate"}, {"--frobnicate", "check"}} {
		code, out, errOut := runCmd(t, ctx, args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, "Commands:") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and the usage on stderr", args, code, out, errOut)
		}
	}
	for _, cmd := range []string{"serve", "fetch", "build", "status", "check", "add", "import-opml", "prune", "healthcheck", "version"} {
		for _, h := range []string{"-h", "--help"} {
			code, out, errOut := runCmd(t, ctx, cmd, h)
			if code != exitOK || !strings.HasPrefix(out, "Usage: tributary "+cmd) || errOut != "" {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q", cmd, h, code, out, errOut)
			}
			if got, want := strings.Contains(out, "-config"), cmd != "version"; got != want {
				t.Errorf("%s %s offers --config: %v, want %v:\n%s", cmd, h, got, want, out)
			}
		}
		code, out, errOut := runCmd(t, ctx, cmd, "--frobnicate")
		if code != exitUsage || out != "" || !strings.Contains(errOut, "flag provided but not defined: -frobnicate") || !strings.Contains(errOut, "Usage: tributary "+cmd) {
			t.Errorf("%s --frobnicate: exit %d, stdout %q, stderr %q; want 2, the error and the usage on stderr", cmd, code, out, errOut)
		}
	}
	if code, _, errOut := runCmd(t, ctx, "version", "--config", "x.yaml"); code != exitUsage || !strings.Contains(errOut, "-config") {
		t.Errorf("version --config: exit %d %q, want a usage error", code, errOut)
	}
	if code, _, errOut := runCmd(t, ctx, "--config", "/nonexistent/config.yaml", "check"); code != exitUsage || errOut == "" {
		t.Errorf("missing config: exit %d %q", code, errOut)
	}
}

func TestFetchRefusesDisabledSource(t *testing.T) {
	srv, _ := remote(t)
	conf := project(t, "127.0.0.1:0", srv.URL)
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, conf, strings.Replace(string(b), "    tags: [news]\n", "    tags: [news]\n    enabled: false\n", 1))
	code, _, errOut := runCmd(t, context.Background(), "--config", conf, "fetch", "local")
	if code != exitUsage || !strings.Contains(errOut, `source "local" is disabled`) {
		t.Fatalf("exit %d: %q", code, errOut)
	}
}
