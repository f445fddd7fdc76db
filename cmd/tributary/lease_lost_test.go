package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/store/postgres/pgtest"
)

// A replica paused mid-fetch for longer than its lease (SIGSTOP: a VM
// paused, a machine swapping) loses the source to another replica, which
// fetches it. When the paused one resumes, its stale run must not write
// over what the other stored: here its answer was a 503, and the source,
// fetched fine since, must not be left failed and in backoff.
func TestReplicaPausedPastItsLeaseWritesNothing(t *testing.T) {
	dsn := pgtest.Schema(t) // skips without a server (fails under CI=true)
	bin := tributaryBinary(t)
	const timeout = 3 * time.Second // lease 9s
	var mu sync.Mutex
	var first string // the replica whose request is answered late, with a 503
	got := make(chan string, 1)
	release := make(chan struct{}) // closed once that replica is paused
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		isFirst := first == ""
		if isFirst {
			first = r.UserAgent()
		}
		mu.Unlock()
		if isFirst {
			got <- r.UserAgent()
			<-release
			time.Sleep(200 * time.Millisecond)
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>s</title><link>https://example.com/</link>
<item><title>one</title><link>https://example.com/1</link><guid>s-1</guid><description>First.</description></item>
</channel></rss>`)
	}))
	t.Cleanup(srv.Close)
	procs := map[string]*exec.Cmd{}
	logs := map[string]*syncBuffer{}
	for i := range 2 {
		ua := fmt.Sprintf("replica-%d", i)
		conf := filepath.Join(t.TempDir(), "config.yaml")
		writeFile(t, conf, fmt.Sprintf(`listen: %s
storage:
  driver: postgres
  dsn: %q
schedule: "@every 1h"
fetch:
  timeout: %s
  user_agent: %s
  allow_private_networks: true
sources:
  - name: s
    url: %s/feed
feeds:
  - name: all
`, freeAddr(t), dsn, timeout, ua, srv.URL))
		cmd, log := startServe(t, bin, conf)
		procs[ua], logs[ua] = cmd, log
	}
	var paused string
	select {
	case paused = <-got:
	case <-time.After(30 * time.Second):
		t.Fatalf("source s not fetched in 30s; logs:\n%s\n%s", logs["replica-0"], logs["replica-1"])
	}
	// Paused mid-fetch, not inside the cleanup it runs at start: a process
	// paused in a transaction holds its locks, and the other replica's
	// writes would wait for it.
	for wait := time.Now().Add(timeout / 2); !strings.Contains(logs[paused].String(), "retention cleanup") && time.Now().Before(wait); {
		time.Sleep(10 * time.Millisecond)
	}
	procs[paused].Process.Signal(syscall.SIGSTOP)
	close(release)
	// The other replica takes the source after the lease (9s) and a poll.
	deadline := time.Now().Add(25 * time.Second)
	for {
		n, err := runSQL(t, "postgres", dsn, `SELECT count(*) FROM source_state WHERE name = 's' AND last_status = 'new'`)
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			procs[paused].Process.Signal(syscall.SIGCONT)
			t.Fatalf("the source was not fetched by the other replica within 25s of pausing %s; logs:\n%s\n%s", paused, logs["replica-0"], logs["replica-1"])
		}
		time.Sleep(200 * time.Millisecond)
	}
	procs[paused].Process.Signal(syscall.SIGCONT)
	time.Sleep(5 * time.Second) // the paused replica resumes its stale run
	failures, err := runSQL(t, "postgres", dsn, `SELECT failures FROM source_state WHERE name = 's'`)
	if err != nil {
		t.Fatal(err)
	}
	ok, err := runSQL(t, "postgres", dsn, `SELECT count(*) FROM source_state WHERE name = 's' AND last_status = 'new' AND next_attempt IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	if failures != 0 || ok != 1 {
		t.Errorf("after %s resumed, source s has %d failures (want 0: fetched fine by the other replica since) and its success was overwritten (%d); log of %s:\n%s",
			paused, failures, 1-ok, paused, logs[paused])
	}
	if !strings.Contains(logs[paused].String(), "lease") {
		t.Logf("log of %s:\n%s", paused, logs[paused])
	}
}
