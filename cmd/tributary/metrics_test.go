package main

import (
	"io"
	"net/http"
	"os"
	"strings"
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
			srv, _ := remote(t)
			addr := freeAddr(t)
			conf := project(t, addr, srv.URL)
			b, err := os.ReadFile(conf)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, conf, string(b)+tc.extra)
			d := serveInProcess(t, conf)
			base := "http://" + addr
			waitStatus(t, base+"/feeds/all.atom", 200, d.log)
			// The start-up fetches have run once every source has a
			// last-success or failure series (30 s at most).
			var body string
			for range 600 {
				body = getBody(t, base+"/metrics")
				if strings.Contains(body, `tributary_source_consecutive_failures{source="broken"}`) &&
					strings.Contains(body, `tributary_source_last_success_timestamp_seconds{source="local"}`) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
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
