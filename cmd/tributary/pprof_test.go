package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPprofFollowsReload runs serve with metrics.pprof off, turns it on
// and off again by SIGHUP: /debug/pprof/ answers 404, then a heap profile
// (gzipped protocol buffers), then 404 again, while /metrics stays.
func TestPprofFollowsReload(t *testing.T) {
	addr, conf, text := projectText(t)
	d := serveInProcess(t, conf)
	base := "http://" + addr
	waitStatus(t, base+"/feeds/all.atom", 200, d.log)

	heap := base + "/debug/pprof/heap"
	if code, _ := getStatus(t, heap); code != http.StatusNotFound {
		t.Fatalf("pprof off by default: heap answers %d, want 404", code)
	}
	reloads := 0
	reload := func(text string) {
		t.Helper()
		writeFile(t, conf, text)
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		reloads++
		for i := 0; strings.Count(d.log.String(), "configuration reloaded") < reloads; i++ {
			if i == 600 {
				t.Fatalf("no reload in 30 s:\n%s", d.log.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	if !strings.Contains(d.log.String(), "pprof=false") {
		t.Errorf("serving is not logged with pprof=false:\n%s", d.log.String())
	}
	reload(text + "metrics:\n  pprof: true\n")
	if !strings.Contains(d.log.String(), "msg=\"configuration reloaded\"") || !strings.Contains(d.log.String(), "pprof=true") {
		t.Errorf("the reload is not logged with pprof=true:\n%s", d.log.String())
	}
	code, body := getStatus(t, heap)
	if code != http.StatusOK || !bytes.HasPrefix(body, []byte{0x1f, 0x8b}) || len(body) < 100 {
		t.Fatalf("pprof on: heap answers %d with %d bytes, want a gzipped profile", code, len(body))
	}
	if code, body := getStatus(t, base+"/debug/pprof/profile?seconds=61"); code != http.StatusBadRequest {
		t.Errorf("profile?seconds=61: %d %q, want 400", code, body)
	}

	reload(text + "metrics:\n  pprof: false\n")
	for _, p := range []string{"", "heap", "goroutine?debug=2", "cmdline"} {
		if code, _ := getStatus(t, base+"/debug/pprof/"+p); code != http.StatusNotFound {
			t.Errorf("pprof off again: /debug/pprof/%s answers %d, want 404", p, code)
		}
	}
	if code, _ := getStatus(t, base+"/metrics"); code != http.StatusOK {
		t.Errorf("/metrics answers %d", code)
	}
	d.stopAndWait(t)
}

// getStatus GETs url and returns its status and body, failing the test
// on an error.
func getStatus(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}
