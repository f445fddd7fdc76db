package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tributary/tributary/internal/publish"
)

// TestCORS: the feeds and OPML lists are readable from any origin, with
// their validators and Link header exposed, and a preflight is answered;
// the other routes, the feeds' HTML pages included, stay same-origin.
func TestCORS(t *testing.T) {
	srv, _, _ := setup(t)
	for _, path := range []string{"/feeds/all.rss", "/feeds/all.atom", "/feeds/all.json", "/feeds.opml", "/sources.opml"} {
		t.Run(path, func(t *testing.T) {
			for _, method := range []string{"GET", "HEAD"} {
				resp, _ := get(t, method, srv.URL+path, map[string]string{"Origin": "https://reader.example"})
				if resp.StatusCode != 200 {
					t.Fatalf("%s: status %d", method, resp.StatusCode)
				}
				checkHeader(t, resp, "Access-Control-Allow-Origin", "*")
				checkHeader(t, resp, "Access-Control-Expose-Headers", "ETag, Last-Modified, Link")
			}
			resp, body := get(t, "OPTIONS", srv.URL+path, map[string]string{
				"Origin": "https://reader.example", "Access-Control-Request-Method": "GET",
				"Access-Control-Request-Headers": "if-none-match",
			})
			if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
				t.Fatalf("preflight: status %d, body %q; want 204 and no body", resp.StatusCode, body)
			}
			checkHeader(t, resp, "Access-Control-Allow-Origin", "*")
			checkHeader(t, resp, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
			checkHeader(t, resp, "Access-Control-Allow-Headers", "If-None-Match, If-Modified-Since")
			checkHeader(t, resp, "Access-Control-Max-Age", "86400")
			checkHeader(t, resp, "X-Content-Type-Options", "nosniff")
		})
	}
	// A feed's page at a built site's path is a feed too: a script
	// revalidating it (If-None-Match) sends a preflight first.
	if resp, _ := get(t, "OPTIONS", srv.URL+"/feeds/all/page/2.atom", map[string]string{
		"Origin": "https://reader.example", "Access-Control-Request-Method": "GET",
		"Access-Control-Request-Headers": "if-none-match",
	}); resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("preflight /feeds/all/page/2.atom: status %d, want 204 with CORS", resp.StatusCode)
	}
	// A 304 is read cross-origin too.
	resp, _ := get(t, "GET", srv.URL+"/feeds/all.json", nil)
	resp, _ = get(t, "GET", srv.URL+"/feeds/all.json", map[string]string{"If-None-Match": resp.Header.Get("ETag")})
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation: status %d", resp.StatusCode)
	}
	checkHeader(t, resp, "Access-Control-Allow-Origin", "*")
	// The pages people read are not feeds: same-origin like the home page.
	for _, path := range []string{"/", "/healthz", "/metrics", "/feeds/all", "/feeds/all/", "/feeds/all/index.html", "/feeds/all/page/2.html"} {
		if resp, _ := get(t, "GET", srv.URL+path, nil); resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s is readable from other origins", path)
		}
		if resp, _ := get(t, "OPTIONS", srv.URL+path, nil); resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("OPTIONS %s: status %d, want 405", path, resp.StatusCode)
		}
	}
}

// TestLinkHeader: with a hub, every feed response (200, HEAD, 304) names
// the hub and the feed's own URL in a Link header; without one, none.
func TestLinkHeader(t *testing.T) {
	_, st, _ := setup(t)
	const hub = "https://hub.example.net/"
	pub := publish.New(st, publish.Options{BaseURL: "http://feeds.test", Hub: hub,
		Feeds: []publish.Feed{{Name: "all", Sources: []string{"a", "b"}, Limit: 50}}})
	srv := httptest.NewServer(New(Options{Publisher: pub}))
	t.Cleanup(srv.Close)
	for _, ext := range []string{"rss", "atom", "json"} {
		url := srv.URL + "/feeds/all." + ext
		want := `<https://hub.example.net/>; rel="hub", <http://feeds.test/feeds/all.` + ext + `>; rel="self"`
		resp, _ := get(t, "GET", url, nil)
		checkHeader(t, resp, "Link", want)
		head, _ := get(t, "HEAD", url, nil)
		checkHeader(t, head, "Link", want)
		notMod, _ := get(t, "GET", url, map[string]string{"If-None-Match": resp.Header.Get("ETag")})
		if notMod.StatusCode != http.StatusNotModified {
			t.Fatalf("%s: revalidation status %d", ext, notMod.StatusCode)
		}
		checkHeader(t, notMod, "Link", want)
	}
	plain, _, _ := setup(t)
	if resp, _ := get(t, "GET", plain.URL+"/feeds/all.atom", nil); resp.Header.Get("Link") != "" {
		t.Errorf("Link %q without a hub", resp.Header.Get("Link"))
	}
}

func checkHeader(t *testing.T, resp *http.Response, name, want string) {
	t.Helper()
	if got := resp.Header.Get(name); got != want {
		t.Errorf("%s %s: %s %q, want %q", resp.Request.Method, resp.Request.URL.Path, name, got, want)
	}
}

// TestCORSOnPages: a feed's later pages, at ?page=N and at a built site's
// paths, are readable from any origin and answer a preflight like the
// first; their Link header names the page itself as self.
func TestCORSOnPages(t *testing.T) {
	_, st, _ := setup(t)
	const hub = "https://hub.example.net/"
	pub := publish.New(st, publish.Options{BaseURL: "http://feeds.test", Hub: hub,
		Feeds: []publish.Feed{{Name: "all", Sources: []string{"a", "b"}, Limit: 1}}})
	srv := httptest.NewServer(New(Options{Publisher: pub}))
	t.Cleanup(srv.Close)
	for path, self := range map[string]string{
		"/feeds/all.json?page=2": "http://feeds.test/feeds/all.json?page=2",
		"/feeds/all/page/2.atom": "http://feeds.test/feeds/all.atom?page=2",
	} {
		resp, _ := get(t, "GET", srv.URL+path, map[string]string{"Origin": "https://reader.example"})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", path, resp.StatusCode)
		}
		checkHeader(t, resp, "Access-Control-Allow-Origin", "*")
		checkHeader(t, resp, "Link", `<`+hub+`>; rel="hub", <`+self+`>; rel="self"`)
		resp, _ = get(t, "OPTIONS", srv.URL+path, map[string]string{"Origin": "https://reader.example", "Access-Control-Request-Method": "GET"})
		if resp.StatusCode != http.StatusNoContent {
			t.Errorf("preflight %s: status %d, want 204", path, resp.StatusCode)
		}
	}
}
