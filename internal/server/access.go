package server

import (
	"net/http"
	"net/netip"
)

// metricsForbidden is the body of the 403 /metrics answers other clients.
const metricsForbidden = "forbidden: /metrics is served to loopback and the networks in metrics.allow only\n"

// pprofForbidden is the body of the 403 /debug/pprof/ answers other
// clients: the same rule as /metrics.
const pprofForbidden = "forbidden: /debug/pprof/ is served to loopback and the networks in metrics.allow only\n"

// MetricsAllowed reports whether a client at remoteAddr, an
// http.Request's RemoteAddr ("ip:port"), may read /metrics: loopback
// (127.0.0.0/8, ::1, and their IPv4-mapped forms) always may, other
// addresses when one of allow holds them. Only the connection's address
// counts: X-Forwarded-For and the like are set by whoever sends the
// request, so behind a proxy its address is the one judged.
func MetricsAllowed(remoteAddr string, allow []netip.Prefix) bool {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap().WithZone("")
	if ip.IsLoopback() {
		return true
	}
	for _, p := range allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// guardMetrics serves h to the clients MetricsAllowed accepts, 403 with a
// short plain-text reason, forbidden, to the others.
func guardMetrics(h http.Handler, allow []netip.Prefix, forbidden string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !MetricsAllowed(r.RemoteAddr, allow) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(forbidden))
			return
		}
		h.ServeHTTP(w, r)
	})
}
