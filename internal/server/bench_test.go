package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkServeFeed measures a cached feed request through the handler
// (no network): the hot path of a busy server.
func BenchmarkServeFeed(b *testing.B) {
	for _, tc := range []struct {
		name string
		hdr  map[string]string
	}{
		{"plain", nil},
		{"gzip", map[string]string{"Accept-Encoding": "gzip"}},
		{"not-modified", nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv, _, _ := setup(b)
			h := srv.Config.Handler
			req := httptest.NewRequest("GET", "/feeds/all.atom", nil)
			for k, v := range tc.hdr {
				req.Header.Set(k, v)
			}
			if tc.name == "not-modified" {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				req.Header.Set("If-None-Match", w.Header().Get("ETag"))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK && w.Code != http.StatusNotModified {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
