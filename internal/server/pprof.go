package server

import (
	"fmt"
	"math"
	"net/http"
	"net/http/pprof"
	"strconv"
	"strings"
)

// MaxProfileSeconds is the most a /debug/pprof/ request may ask for in its
// seconds parameter: a CPU profile or a trace runs that long (and holds a
// connection and, for a CPU profile, the one profiler of the process), a
// named profile's delta waits that long. More is answered 400.
const MaxProfileSeconds = 60

// pprofProfiles are the runtime profiles served by name under
// /debug/pprof/ (runtime/pprof's predefined ones).
var pprofProfiles = [...]string{"heap", "goroutine", "allocs", "block", "mutex", "threadcreate"}

// handlePprof routes /debug/pprof/ to net/http/pprof's handlers, each
// behind the rule of /metrics (guardMetrics) and the bound on seconds.
// They are registered here, on the Server's own mux, one by one:
// net/http/pprof also adds them to http.DefaultServeMux when imported,
// which nothing of Tributary serves.
func (s *Server) handlePprof() {
	handle := func(pattern string, h http.Handler) {
		s.mux.Handle(pattern, guardMetrics(boundSeconds(h), s.opts.MetricsAllow, pprofForbidden))
	}
	// pprof.Index reads the profile's name after "/debug/pprof/": these
	// paths must stay as they are.
	handle("GET /debug/pprof/{$}", http.HandlerFunc(pprof.Index))
	handle("GET /debug/pprof/cmdline", http.HandlerFunc(pprof.Cmdline))
	handle("GET /debug/pprof/profile", http.HandlerFunc(pprof.Profile))
	handle("GET /debug/pprof/symbol", http.HandlerFunc(pprof.Symbol))
	handle("POST /debug/pprof/symbol", http.HandlerFunc(pprof.Symbol)) // go tool pprof posts its addresses
	handle("GET /debug/pprof/trace", http.HandlerFunc(pprof.Trace))
	for _, name := range pprofProfiles {
		handle("GET /debug/pprof/"+name, pprof.Handler(name))
	}
}

// boundSeconds answers 400 to a GET whose seconds parameter, as a number,
// is more than MaxProfileSeconds (or NaN); other values go on to h, whose
// own rules apply (net/http/pprof falls back to its default duration or
// refuses them).
func boundSeconds(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			// The value net/http/pprof reads: for a GET, the query's first.
			if v := r.URL.Query().Get("seconds"); v != "" {
				sec, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err == nil && (sec > MaxProfileSeconds || math.IsNaN(sec)) {
					w.Header().Set("Content-Type", "text/plain; charset=utf-8")
					w.Header().Set("Cache-Control", "no-store")
					w.WriteHeader(http.StatusBadRequest)
					fmt.Fprintf(w, "bad request: seconds is at most %d on this server\n", MaxProfileSeconds)
					return
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}
