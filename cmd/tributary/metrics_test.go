package main

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMetricsSourceDurations checks the metrics key reaches the daemon:
// the per-source duration histogram only when asked for.
func TestMetricsSourceDurations(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		histogram   bool
	}{
		{"default", "", false},
		{"enabled", "metrics:\n  source_durations: true\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, conf, text := projectText(t)
			writeFile(t, conf, text+tc.extra)
			d := serveInProcess(t, conf)
			base := "http://" + addr
			waitStatus(t, base+"/feeds/all.atom", 200, d.log)
			body := waitFetched(t, base)
			if !strings.Contains(body, "tributary_fetch_duration_seconds_count ") {
				t.Errorf("no duration histogram of all sources:\n%s", body)
			}
			if got := strings.Contains(body, `tributary_source_fetch_duration_seconds_count{source="local"}`); got != tc.histogram {
				t.Errorf("per-source histogram present %v, want %v", got, tc.histogram)
			}
			d.stopAndWait(t)
		})
	}
}

// projectText returns a project (see project) on a free address: the
// address, its configuration file and that file's text.
func projectText(t *testing.T) (addr, conf, text string) {
	t.Helper()
	srv, _ := remote(t)
	addr = freeAddr(t)
	conf = project(t, addr, srv.URL)
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	return addr, conf, string(b)
}

// waitFetched waits for the start-up fetches of the project's sources to
// have run, which they have once every source has a last-success or
// failure series (30 s at most), and returns /metrics.
func waitFetched(t *testing.T, base string) string {
	t.Helper()
	var body string
	for range 600 {
		body = getBody(t, base+"/metrics")
		if strings.Contains(body, `tributary_source_consecutive_failures{source="broken"}`) &&
			strings.Contains(body, `tributary_source_last_success_timestamp_seconds{source="local"}`) {
			return body
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Without the fetches, a test that a series is absent would pass on
	// nothing.
	t.Fatalf("the start-up fetches did not run within 30 s:\n%s", body)
	return ""
}

// TestReloadDropsMetricsOfRemovedSource removes the failing source by a
// reload: its series go from /metrics (its consecutive failures would
// alert until a restart), the others stay.
func TestReloadDropsMetricsOfRemovedSource(t *testing.T) {
	addr, conf, text := projectText(t)
	without := regexp.MustCompile(`(?m)^  - name: broken\n    url: .*\n`).ReplaceAllString(text, "")
	if without == text {
		t.Fatal("the test configuration has no source broken to remove")
	}
	d := serveInProcess(t, conf)
	base := "http://" + addr
	waitStatus(t, base+"/feeds/all.atom", 200, d.log)
	if body := waitFetched(t, base); !strings.Contains(body, `tributary_source_consecutive_failures{source="broken"} 1`) {
		t.Fatalf("no failure series of source broken:\n%s", body)
	}
	writeFile(t, conf, without)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for i := 0; !strings.Contains(d.log.String(), "configuration reloaded"); i++ {
		if i == 600 {
			t.Fatalf("no reload in 30 s:\n%s", d.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	body := getBody(t, base+"/metrics")
	if strings.Contains(body, `source="broken"`) {
		t.Errorf("series of the removed source remain:\n%s", body)
	}
	if !strings.Contains(body, `tributary_source_last_success_timestamp_seconds{source="local"}`) {
		t.Errorf("series of a source kept are gone:\n%s", body)
	}
	d.stopAndWait(t)
}

// getBody returns the body of a GET of url, failing the test on an error.
func getBody(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err == nil {
		defer resp.Body.Close()
		var b []byte
		if b, err = io.ReadAll(resp.Body); err == nil {
			return string(b)
		}
	}
	t.Fatal(err)
	return ""
}
