package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/status"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/sqlite"
)

// TestStatusCommand fetches a project with a failing source whose URL
// carries a password, then reads `status` and `status --json` from the
// SQLite file: failing first, the password masked, the JSON parsed back.
func TestStatusCommand(t *testing.T) {
	ctx := context.Background()
	srv, _ := remote(t)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusInternalServerError)
	}))
	t.Cleanup(broken.Close)
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, conf, fmt.Sprintf(`storage:
  dsn: %s
schedule: "*/20 * * * *"
fetch:
  allow_private_networks: true
sources:
  - name: a-remote
    url: %s/feed.atom
  - name: z-broken
    url: http://alice:s3cr3t@%s/feed
feeds:
  - name: all
`, filepath.Join(dir, "t.db"), srv.URL, strings.TrimPrefix(broken.URL, "http://")))
	if code, _, stderr := runCmd(t, ctx, "--config", conf, "fetch"); code != exitFailed {
		t.Fatalf("fetch exit %d, want %d (one source fails):\n%s", code, exitFailed, stderr)
	}
	code, out, stderr := runCmd(t, ctx, "--config", conf, "status")
	if code != exitOK {
		t.Fatalf("status exit %d:\n%s", code, stderr)
	}
	if strings.Contains(out, "s3cr3t") || strings.Contains(out, "alice") {
		t.Errorf("status shows the password:\n%s", out)
	}
	b, a := strings.Index(out, "z-broken: failing (1 consecutive failure)"), strings.Index(out, "a-remote: ok")
	if b < 0 || a < 0 || b > a || !strings.Contains(out, "retention last ran: never") ||
		!strings.Contains(out, "articles:      2 stored") || !strings.Contains(out, "xxxxx@") {
		t.Errorf("status output:\n%s", out)
	}

	code, out, stderr = runCmd(t, ctx, "--config", conf, "status", "--json")
	if code != exitOK {
		t.Fatalf("status --json exit %d:\n%s", code, stderr)
	}
	var rep status.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("status --json is not JSON: %v\n%s", err, out)
	}
	if len(rep.Sources) != 2 || rep.Sources[0].Name != "z-broken" || rep.Sources[1].Name != "a-remote" {
		t.Fatalf("sources = %+v", rep.Sources)
	}
	zb, ar := rep.Sources[0], rep.Sources[1]
	if zb.State != status.StateFailing || zb.Failures != 1 || zb.LastError == "" || zb.BackoffUntil == nil ||
		strings.Contains(out, "s3cr3t") || zb.LastSuccess != nil || zb.NextRun == nil || zb.NextRun.Minute()%20 != 0 {
		t.Errorf("z-broken = %+v", zb)
	}
	if ar.State != status.StateOK || ar.Articles != 2 || ar.LastSuccess == nil || ar.LastStatus != "new" || rep.LastRetention != nil {
		t.Errorf("a-remote = %+v, last retention %v", ar, rep.LastRetention)
	}
	// The documented field names, as scripts read them.
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	src := raw["sources"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "state", "url", "feed_url", "configured", "enabled", "schedule", "last_attempt", "last_status",
		"last_success", "consecutive_failures", "last_error", "next_run", "backoff_until", "articles", "pages_extracted", "pages_failed"} {
		if _, ok := src[k]; !ok {
			t.Errorf("status --json source lacks %q: %v", k, src)
		}
	}
	if _, ok := raw["last_retention"]; !ok {
		t.Errorf("status --json lacks last_retention")
	}
}

// TestServeExportsStoredFailureBeforeFetching starts a real daemon on a
// store where a source failed before and is in backoff: before any fetch
// (its server is never asked) /metrics shows its consecutive failures
// and last error, the log warns once, and /status lists it first. A
// source its server deferred, without failing, is logged at INFO only.
func TestServeExportsStoredFailureBeforeFetching(t *testing.T) {
	bin := tributaryBinary(t)
	var hits atomic.Int32
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	t.Cleanup(down.Close)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "t.db")
	db, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
	if err := db.SaveSourceState(context.Background(), store.SourceState{Name: "down", Failures: 3, LastStatus: "failed",
		LastAttempt: time.Now(), NextAttempt: until, LastError: "fetch http://bob:hunter2@down.example/feed: http 503"}); err != nil {
		t.Fatal(err)
	}
	// A source whose server asked for time (max-age) has not failed.
	if err := db.SaveSourceState(context.Background(), store.SourceState{Name: "quiet", LastStatus: "new",
		LastAttempt: time.Now(), LastSuccess: time.Now(), NextAttempt: until}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	addr := freeAddr(t)
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, conf, fmt.Sprintf(`listen: %s
storage:
  dsn: %s
schedule: "@every 1h"
fetch:
  allow_private_networks: true
sources:
  - name: down
    url: %s/feed
  - name: quiet
    url: %s/quiet
feeds:
  - name: all
`, addr, dbPath, down.URL, down.URL))
	cmd, log := startServe(t, bin, conf)
	base := "http://" + addr
	waitStatus(t, base+"/healthz", 200, log)
	metrics := getBody(t, base+"/metrics")
	for _, want := range []string{`tributary_source_consecutive_failures{source="down"} 3`,
		`tributary_source_last_error_info{error="fetch http://xxxxx@down.example/feed: http 503",source="down"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grepLines(metrics, "down"))
		}
	}
	page := getBody(t, base+"/status")
	if !strings.Contains(page, "<td>down</td><td>failing</td><td>3</td>") || strings.Contains(page, "hunter2") {
		t.Errorf("/status:\n%s", page)
	}
	// status reads the same file while serve runs.
	out, err := exec.Command(bin, "--config", conf, "status", "--json").Output()
	var rep status.Report
	if err != nil || json.Unmarshal(out, &rep) != nil || len(rep.Sources) != 2 || rep.Sources[0].Name != "down" || rep.Sources[0].Failures != 3 ||
		rep.Sources[0].BackoffUntil == nil || !rep.Sources[0].BackoffUntil.Equal(until) {
		t.Errorf("status --json beside serve: %v\n%s", err, out)
	}
	cmd.Process.Signal(os.Interrupt)
	waitExit(t, cmd, log)
	if n := hits.Load(); n != 0 {
		t.Errorf("the source in backoff was fetched %d times", n)
	}
	logged := log.String()
	if strings.Count(logged, "source in backoff") != 1 || strings.Contains(logged, "hunter2") ||
		!strings.Contains(logged, "level=WARN msg=\"source in backoff\" source=down failures=3") {
		t.Errorf("want one WARN \"source in backoff\", masked; log:\n%s", logged)
	}
	if !strings.Contains(logged, "level=INFO msg=\"source deferred by its server\" source=quiet") || strings.Contains(logged, "source in backoff\" source=quiet") {
		t.Errorf("want the deferred source at INFO, not as in backoff; log:\n%s", logged)
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
