package server

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
)

// checkStyleAllowed fails unless every <style> element of body is allowed
// by csp's style-src, by its hash, and images only over http(s).
func checkStyleAllowed(t *testing.T, csp, body string) {
	t.Helper()
	styles := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(body, -1)
	if len(styles) != 1 {
		t.Fatalf("%d style elements, want the one stylesheet", len(styles))
	}
	sum := sha256.Sum256([]byte(styles[0][1]))
	if want := "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "';"; !strings.Contains(csp, want) {
		t.Errorf("Content-Security-Policy %q does not allow the stylesheet (%s)", csp, want)
	}
	if !strings.Contains(csp, "img-src http: https:;") {
		t.Errorf("Content-Security-Policy %q: images want img-src http: https:", csp)
	}
}

// TestSecurityHeadersOnEveryResponse checks every endpoint, including
// errors: no response may be sniffed into HTML, and the HTML page allows no
// script, no framing, no base or form target and sends no referrer.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	srv, _, _ := setup(t)
	for _, tc := range []struct {
		method, path string
		status       int
		html         bool
	}{
		{"GET", "/", 200, true},
		{"HEAD", "/", 200, true},
		{"GET", "/feeds.opml", 200, false},
		{"GET", "/sources.opml", 200, false},
		{"GET", "/healthz", 200, false},
		{"GET", "/metrics", 200, false},
		{"GET", "/feeds/all.rss", 200, false},
		{"GET", "/feeds/all.atom", 200, false},
		{"GET", "/feeds/all.json", 200, false},
		{"GET", "/feeds/all", 200, true},
		{"GET", "/feeds/all/", 200, true},
		{"GET", "/feeds/nope.atom", 404, false},
		{"GET", "/elsewhere", 404, false},
		{"POST", "/", 405, false},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			resp, body := get(t, tc.method, srv.URL+tc.path, nil)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", got)
			}
			isHTML := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html")
			if isHTML != tc.html {
				t.Fatalf("Content-Type %q", resp.Header.Get("Content-Type"))
			}
			// The policy allows no script, and no style but the page's
			// own stylesheet: the page must need no more, or a browser
			// would show it broken.
			for _, needs := range []string{"<script", " style=", "<iframe", "<form", "<object", "<embed"} {
				if strings.Contains(string(body), needs) {
					t.Errorf("the body uses %s, which the policy blocks", needs)
				}
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if tc.html && tc.method == "GET" {
				checkStyleAllowed(t, csp, string(body))
			}
			for _, d := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("Content-Security-Policy %q lacks %s", csp, d)
				}
			}
			if strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe") {
				t.Errorf("Content-Security-Policy %q allows more than the page needs", csp)
			}
			if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("Referrer-Policy %q, want no-referrer", got)
			}
		})
	}
}
