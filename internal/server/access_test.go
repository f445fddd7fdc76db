package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// TestMetricsAccess serves /metrics through the Server to clients at
// each kind of address: loopback always, listed networks when allowed,
// 403 with a reason for the rest, whatever X-Forwarded-For claims.
func TestMetricsAccess(t *testing.T) {
	prom := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "# metrics\n") })
	allow := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"), netip.MustParsePrefix("2001:db8::/32")}
	tests := []struct {
		remote string
		allow  []netip.Prefix
		xff    string
		want   int
	}{
		{"127.0.0.1:5000", nil, "", 200},
		{"127.8.9.10:5000", nil, "", 200},
		{"[::1]:5000", nil, "", 200},
		{"[::ffff:127.0.0.1]:5000", nil, "", 200},
		{"[fe80::1%eth0]:5000", nil, "", 403},
		{"10.1.2.3:5000", nil, "", 403},
		{"10.1.2.3:5000", allow, "", 200},
		{"[::ffff:10.1.2.3]:5000", allow, "", 200},
		{"192.168.1.7:5000", allow, "", 200},
		{"192.168.1.8:5000", allow, "", 403},
		{"[2001:db8::5]:5000", allow, "", 200},
		{"[2001:db9::5]:5000", allow, "", 403},
		{"203.0.113.9:5000", allow, "127.0.0.1", 403},
		{"203.0.113.9:5000", allow, "10.0.0.1", 403},
		{"not an address", allow, "", 403},
		{"", nil, "", 403},
	}
	for _, tc := range tests {
		s := New(Options{Metrics: prom, MetricsAllow: tc.allow})
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = tc.remote
		if tc.xff != "" {
			req.Header.Set("X-Forwarded-For", tc.xff)
			req.Header.Set("X-Real-IP", tc.xff)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s (allow %v, X-Forwarded-For %q): status %d, want %d", tc.remote, tc.allow, tc.xff, rec.Code, tc.want)
			continue
		}
		body := rec.Body.String()
		switch tc.want {
		case 200:
			if body != "# metrics\n" {
				t.Errorf("%s: body %q, want the metrics", tc.remote, body)
			}
		case 403:
			if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") || !strings.Contains(body, "metrics.allow") || strings.Contains(body, "# metrics") {
				t.Errorf("%s: 403 with %q (%s), want a plain-text reason naming metrics.allow", tc.remote, body, rec.Header().Get("Content-Type"))
			}
		}
	}
}

// TestMetricsOverLoopback reads /metrics over a real connection to
// 127.0.0.1, and is refused it when the same server sees the client
// elsewhere (a proxy in front setting X-Forwarded-For changes nothing).
func TestMetricsOverLoopback(t *testing.T) {
	srv, _, _ := setup(t)
	resp, body := get(t, "GET", srv.URL+"/metrics", map[string]string{"X-Forwarded-For": "198.51.100.1"})
	if resp.StatusCode != 200 || string(body) != "# metrics\n" {
		t.Fatalf("GET /metrics over 127.0.0.1: %d %q", resp.StatusCode, body)
	}
	if !strings.HasPrefix(srv.Listener.Addr().String(), "127.0.0.1:") {
		t.Fatalf("test server on %s, want 127.0.0.1", srv.Listener.Addr())
	}
}
