package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// heldSources is a server of two feeds, /a and /b, whose responses wait
// until release is closed; it records every request.
type heldSources struct {
	*httptest.Server
	release chan struct{}
	once    sync.Once
	arrived chan string

	mu   sync.Mutex
	seen []string
}

func newHeldSources(t *testing.T) *heldSources {
	h := &heldSources{release: make(chan struct{}), arrived: make(chan string, 16)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.seen = append(h.seen, r.URL.Path)
		h.mu.Unlock()
		select {
		case h.arrived <- r.URL.Path:
		default: // nobody waits for later arrivals
		}
		select {
		case <-h.release:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>%[1]s</title><item><title>Story %[1]s</title><guid>%[1]s-1</guid></item></channel></rss>`, r.URL.Path)
	}))
	t.Cleanup(h.Close)
	t.Cleanup(h.free)
	return h
}

// free lets the held responses go; it may be called more than once.
func (h *heldSources) free() { h.once.Do(func() { close(h.release) }) }

func (h *heldSources) requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.seen...)
}

// startHeldDaemon runs `tributary serve` as a child process with one
// worker and the two held sources, and returns it once the first fetch
// reached the server (the other one is queued behind it).
func startHeldDaemon(t *testing.T, h *heldSources) (*exec.Cmd, *syncBuffer, string) {
	t.Helper()
	bin := tributaryBinary(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, conf, fmt.Sprintf(`listen: %s
storage:
  dsn: tributary.db
schedule: "@every 1h"
fetch:
  workers: 1
sources:
  - name: a
    url: %s/a
  - name: b
    url: %s/b
feeds:
  - name: all
    title: Everything
`, addr, h.URL, h.URL))
	cmd, log := startServe(t, bin, conf)
	select {
	case <-h.arrived:
	case <-time.After(60 * time.Second):
		t.Fatalf("no fetch started; log:\n%s", log)
	}
	return cmd, log, addr
}

// startServe starts `bin --config conf serve [flags...]`, killed when t
// ends, and returns it with its output (stdout and stderr).
func startServe(t *testing.T, bin, conf string, flags ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	log := &syncBuffer{}
	cmd := exec.Command(bin, append([]string{"--config", conf, "serve"}, flags...)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, log
}

// waitLog waits until the daemon's log holds s.
func waitLog(t *testing.T, log *syncBuffer, s string) {
	t.Helper()
	waitLogCount(t, log, s, 1)
}

// waitExit waits for the daemon to end and returns its exit code.
func waitExit(t *testing.T, cmd *exec.Cmd, log *syncBuffer) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(90 * time.Second):
		t.Fatalf("the daemon did not exit; log:\n%s", log)
	}
	return -1
}

func TestSIGTERMStartsNoQueuedFetchWhileHTTPDrains(t *testing.T) {
	h := newHeldSources(t)
	cmd, log, addr := startHeldDaemon(t, h)
	// A client that has connected but not finished its request keeps the
	// HTTP drain busy for seconds: fetches must not start meanwhile.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /feeds/all.atom HTTP/1.1\r\nHost: x\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitLog(t, log, "shutting down")
	h.free() // the running fetch finishes now, while HTTP still drains
	if code := waitExit(t, cmd, log); code != 0 {
		t.Fatalf("exit code %d, want 0; log:\n%s", code, log)
	}
	if got := h.requests(); len(got) != 1 {
		t.Fatalf("sources requested %v: a queued fetch started after SIGTERM; log:\n%s", got, log)
	}
	if !strings.Contains(log.String(), `msg=stopped`) {
		t.Errorf("no stopped line in the log:\n%s", log)
	}
}

func TestSIGTERMDuringReloadStartsNothingNew(t *testing.T) {
	h := newHeldSources(t)
	cmd, log, _ := startHeldDaemon(t, h)
	// The reload waits for the running fetch; shutdown is asked for
	// meanwhile: the new configuration's jobs must never start.
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(t, log, "reload: waiting for running fetches")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitLog(t, log, "shutdown requested") // the daemon knows before the fetch ends
	h.free()
	if code := waitExit(t, cmd, log); code != 0 {
		t.Fatalf("exit code %d, want 0; log:\n%s", code, log)
	}
	if got := h.requests(); len(got) != 1 {
		t.Fatalf("sources requested %v: the reload started fetches after SIGTERM; log:\n%s", got, log)
	}
	if !strings.Contains(log.String(), "reload abandoned") {
		t.Errorf("the log does not say the reload was abandoned:\n%s", log)
	}
}
