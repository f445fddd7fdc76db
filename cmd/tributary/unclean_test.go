package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// uncleanLine is what fetch and serve log when the store was left by a
// process that ended without closing it, and the full check ran.
const uncleanLine = "a process ended without closing the store; the full integrity check found it sound"

// killServe starts `serve`, waits for it to answer /healthz (the store is
// open by then) and kills it with SIGKILL.
func killServe(t *testing.T, bin, conf, addr string) {
	t.Helper()
	cmd := exec.Command(bin, "--config", conf, "serve")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("serve did not answer /healthz within 30 s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
}

// TestKilledProcessTriggersFullCheck kills `serve` with SIGKILL while it
// has the store open: the next fetch runs the full integrity check, once,
// and says so; a fetch after a clean end does not. A store damaged while
// no process had it open is then found by the open after the next kill,
// and by check --store.
func TestKilledProcessTriggersFullCheck(t *testing.T) {
	bin := tributaryBinary(t)
	small, err := os.ReadFile(filepath.Join("testdata", "crash", "small.atom"))
	if err != nil {
		t.Fatal(err)
	}
	var failing atomic.Bool
	feedSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Write(small)
	}))
	t.Cleanup(feedSrv.Close)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "tributary.db")
	addr := freeAddr(t)
	conf := fromTemplate(t, "crash.yaml", filepath.Join(dir, "config.yaml"), map[string]string{
		"LISTEN": addr, "DB": dbPath, "FEED": feedSrv.URL + "/feed.atom",
	})
	ctx := context.Background()
	fetch := func() (int, string) {
		t.Helper()
		code, _, errOut := runCmd(t, ctx, "--config", conf, "fetch")
		return code, errOut
	}

	if code, errOut := fetch(); code != exitOK || strings.Contains(errOut, uncleanLine) {
		t.Fatalf("first fetch: exit %d\n%s", code, errOut)
	}
	killServe(t, bin, conf, addr)
	code, errOut := fetch()
	if code != exitOK || !strings.Contains(errOut, uncleanLine) || !strings.Contains(errOut, "unclean_sessions=1") {
		t.Fatalf("fetch after serve was killed: exit %d, want 0 and the full check logged\n%s", code, errOut)
	}
	if code, errOut := fetch(); code != exitOK || strings.Contains(errOut, uncleanLine) {
		t.Fatalf("fetch after a clean end: exit %d, want no full check\n%s", code, errOut)
	}

	// Damage the articles (the last fetch closed cleanly, so the file
	// holds them all), then leave an unclean end that writes no article:
	// serve fetches a failing feed and is killed.
	overwriteTableRoot(t, dbPath, "articles")
	failing.Store(true)
	killServe(t, bin, conf, addr)
	for range 2 { // the record of the unclean end stays while the check fails
		code, errOut = fetch()
		if code != exitFailed || !strings.Contains(errOut, "sqlite: open "+dbPath) || !strings.Contains(errOut, "the database is corrupt") {
			t.Fatalf("fetch of a damaged store after an unclean end: exit %d, want 1 naming the file and the corruption\n%s", code, errOut)
		}
	}
	code, out, errOut := runCmd(t, ctx, "--config", conf, "check", "--store")
	if code != exitFailed || !strings.Contains(errOut, "the database is corrupt") {
		t.Errorf("check --store: exit %d, want 1\n%s%s", code, out, errOut)
	}
}
