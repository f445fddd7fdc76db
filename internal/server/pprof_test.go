package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"testing"
)

// pprofServer serves New(opts) over HTTP; a client is seen at remote
// ("ip:port") instead of its loopback address when remote is set.
func pprofServer(t *testing.T, opts Options, remote string) *httptest.Server {
	t.Helper()
	s := New(opts)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if remote != "" {
			r.RemoteAddr = remote
		}
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// fetch GETs url and returns the status and body, failing on an error.
func fetch(t *testing.T, url string) (int, []byte) {
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

// gunzip returns the decompressed b, failing unless it is gzip.
func gunzip(t *testing.T, what string, b []byte) []byte {
	t.Helper()
	if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Fatalf("%s: not gzip (%d bytes, %q...)", what, len(b), b[:min(len(b), 40)])
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return out
}

// TestPprofServesProfiles reads every profile /debug/pprof/ offers, over
// HTTP, when Pprof is on: the profiles go tool pprof reads are gzipped
// protocol buffers naming their sample types, the index lists them.
func TestPprofServesProfiles(t *testing.T) {
	srv := pprofServer(t, Options{Pprof: true}, "")
	base := srv.URL + "/debug/pprof/"

	code, body := fetch(t, base+"heap")
	if code != 200 {
		t.Fatalf("heap: %d %s", code, body)
	}
	if heap := gunzip(t, "heap", body); !bytes.Contains(heap, []byte("inuse_space")) {
		t.Errorf("heap profile has no inuse_space sample type (%d bytes)", len(heap))
	}
	for _, name := range pprofProfiles {
		code, body := fetch(t, base+name)
		if code != 200 {
			t.Errorf("%s: %d %s", name, code, body)
			continue
		}
		if p := gunzip(t, name, body); len(p) == 0 {
			t.Errorf("%s: empty profile", name)
		}
		if code, body := fetch(t, base+name+"?debug=1"); code != 200 || len(body) == 0 {
			t.Errorf("%s?debug=1: %d, %d bytes", name, code, len(body))
		}
	}
	code, body = fetch(t, base+"goroutine?debug=2")
	if code != 200 || !strings.Contains(string(body), "TestPprofServesProfiles") {
		t.Errorf("goroutine?debug=2: %d, no stack of this test:\n%.2000s", code, body)
	}

	code, body = fetch(t, base)
	if code != 200 {
		t.Fatalf("index: %d %s", code, body)
	}
	// Every link of the index leads somewhere (but the CPU profile and
	// the trace, which would run for their default duration).
	linked := map[string]bool{}
	for _, m := range regexp.MustCompile(`href='([^'?]+)[^']*'`).FindAllStringSubmatch(string(body), -1) {
		name := m[1]
		linked[name] = true
		if name == "profile" || name == "trace" {
			continue
		}
		if code, _ := fetch(t, base+m[1]); code != 200 {
			t.Errorf("the index links %s, which answers %d", name, code)
		}
	}
	for _, name := range []string{"heap", "goroutine", "allocs", "block", "mutex", "threadcreate", "cmdline", "profile", "symbol", "trace"} {
		if !linked[name] {
			t.Errorf("index does not link %s:\n%s", name, body)
		}
	}
	if code, body := fetch(t, base+"cmdline"); code != 200 || !strings.Contains(string(body), ".test") {
		t.Errorf("cmdline: %d %q, want this test binary", code, body)
	}
	if code, body := fetch(t, base+"symbol"); code != 200 || !strings.Contains(string(body), "num_symbols") {
		t.Errorf("symbol: %d %q", code, body)
	}
	code, body = fetch(t, base+"profile?seconds=1")
	if code != 200 {
		t.Fatalf("profile: %d %s", code, body)
	}
	if cpu := gunzip(t, "profile", body); !bytes.Contains(cpu, []byte("nanoseconds")) {
		t.Errorf("CPU profile has no nanoseconds sample type (%d bytes)", len(cpu))
	}
	if code, body := fetch(t, base+"trace?seconds=0.1"); code != 200 || !bytes.HasPrefix(body, []byte("go 1.")) {
		t.Errorf("trace: %d %q..., want an execution trace", code, body[:min(len(body), 20)])
	}
	if code, _ := fetch(t, base+"nothing"); code != 404 {
		t.Errorf("an unknown profile: %d, want 404", code)
	}
}

// TestPprofOff checks that without Pprof nothing of /debug/pprof/ is
// served, to loopback clients either.
func TestPprofOff(t *testing.T) {
	prom := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "# metrics\n") })
	srv := pprofServer(t, Options{Metrics: prom}, "")
	for _, p := range []string{"", "heap", "goroutine?debug=2", "cmdline", "profile?seconds=1", "symbol", "trace"} {
		if code, body := fetch(t, srv.URL+"/debug/pprof/"+p); code != 404 {
			t.Errorf("/debug/pprof/%s with pprof off: %d %.200s, want 404", p, code, body)
		}
	}
	if code, _ := fetch(t, srv.URL+"/metrics"); code != 200 {
		t.Errorf("/metrics: %d", code)
	}
}

// TestPprofAccess applies the rule of /metrics to /debug/pprof/: a
// client outside loopback and the allowed networks gets 403 and no
// profile, one inside gets it.
func TestPprofAccess(t *testing.T) {
	allow := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, tc := range []struct {
		remote string
		allow  []netip.Prefix
		want   int
	}{
		{"203.0.113.9:5000", allow, 403},
		{"10.1.2.3:5000", nil, 403},
		{"10.1.2.3:5000", allow, 200},
		{"[::1]:5000", nil, 200},
	} {
		srv := pprofServer(t, Options{Pprof: true, MetricsAllow: tc.allow}, tc.remote)
		for _, p := range []string{"", "heap", "goroutine?debug=2", "cmdline", "symbol", "trace?seconds=0.01"} {
			code, body := fetch(t, srv.URL+"/debug/pprof/"+p)
			if code != tc.want {
				t.Errorf("%s (allow %v) /debug/pprof/%s: %d, want %d", tc.remote, tc.allow, p, code, tc.want)
				continue
			}
			if code == 403 && string(body) != pprofForbidden {
				t.Errorf("%s /debug/pprof/%s: 403 with %q, want %q", tc.remote, p, body, pprofForbidden)
			}
		}
		// Refused before the bound on seconds is looked at.
		if tc.want == 403 {
			if code, _ := fetch(t, srv.URL+"/debug/pprof/profile?seconds=61"); code != 403 {
				t.Errorf("%s profile?seconds=61: %d, want 403", tc.remote, code)
			}
		}
	}
}

// TestPprofBoundsSeconds refuses a profile, trace or delta longer than
// MaxProfileSeconds with 400 and a reason, without running it.
func TestPprofBoundsSeconds(t *testing.T) {
	srv := pprofServer(t, Options{Pprof: true}, "")
	for _, p := range []string{"profile?seconds=61", "trace?seconds=61", "trace?seconds=60.5", "heap?seconds=61",
		"allocs?seconds=3600", "goroutine?seconds=1e9", "profile?seconds=NaN", "profile?seconds=+Inf", "profile?seconds=%2061"} {
		code, body := fetch(t, srv.URL+"/debug/pprof/"+p)
		if code != 400 || string(body) != "bad request: seconds is at most 60 on this server\n" {
			t.Errorf("%s: %d %q, want 400 and the bound", p, code, body)
		}
	}
	// Within the bound, the profile is taken.
	if code, body := fetch(t, srv.URL+"/debug/pprof/profile?seconds=1"); code != 200 || !bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
		t.Errorf("profile?seconds=1: %d, %d bytes", code, len(body))
	}
}
