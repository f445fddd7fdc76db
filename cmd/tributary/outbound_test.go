package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// headerSecret is in every header value the outbound tests configure; no
// output, log, page, metric or store file may show it.
const headerSecret = "s3cr3t-TOKEN"

// recorder keeps the headers of the requests a server received, by path.
type recorder struct {
	mu   sync.Mutex
	seen map[string][]http.Header
}

func (r *recorder) record(req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string][]http.Header{}
	}
	r.seen[req.URL.Path] = append(r.seen[req.URL.Path], req.Header.Clone())
}

func (r *recorder) get(path string) []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]http.Header(nil), r.seen[path]...)
}

// articleHTML is a page readability extracts.
func articleHTML(title string) string {
	return `<!doctype html><title>` + title + `</title><article><h1>` + title + `</h1>
<p>The full story of ` + title + `, for members only, long enough to be taken for the body of an article.</p>
<p>A second paragraph long enough to count as the body of an article, so that extraction keeps it whole.</p>
<p>A third paragraph, because readability wants some text before it believes there is an article here.</p>
</article>`
}

// outboundServers are an origin that wants the configured headers and
// another origin that must never receive them.
func outboundServers(t *testing.T) (origin, other *httptest.Server, otherSeen *recorder) {
	t.Helper()
	otherSeen = &recorder{}
	other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherSeen.record(r)
		switch r.URL.Path {
		case "/posts/2":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, articleHTML("Elsewhere"))
		case "/feed.atom":
			w.Header().Set("Content-Type", "application/atom+xml")
			io.WriteString(w, `<feed xmlns="http://www.w3.org/2005/Atom"><title>Other</title><id>urn:other</id>
<entry><title>Landed</title><id>urn:other:1</id><link href="/posts/9"/><updated>2026-01-02T00:00:00Z</updated><summary>Landed</summary></entry></feed>`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(other.Close)
	authorized := func(r *http.Request) bool {
		return r.Header.Get("Authorization") == "Bearer "+headerSecret &&
			r.Header.Get("Cookie") == "session="+headerSecret+"-cookie" &&
			r.Header.Get("User-Agent") == "NewsBot/2.0"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.atom", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r) {
			// A hostile server echoes what it got: Tributary never shows a body.
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+r.Header.Get("Authorization")+`"`)
			http.Error(w, "unauthorized: "+r.Header.Get("Authorization"), http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/atom+xml")
		fmt.Fprintf(w, `<feed xmlns="http://www.w3.org/2005/Atom"><title>Private</title><id>urn:private</id>
<entry><title>Members one</title><id>urn:private:1</id><link href="/posts/1"/><updated>2026-01-02T00:00:00Z</updated><summary>Teaser</summary></entry>
<entry><title>Members two</title><id>urn:private:2</id><link href="%s/posts/2"/><updated>2026-01-01T00:00:00Z</updated><summary>Teaser two</summary></entry>
</feed>`, other.URL)
	})
	mux.HandleFunc("/posts/1", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r) {
			http.Error(w, "who are you?", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, articleHTML("Members one"))
	})
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/feed.atom", http.StatusFound)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	origin = httptest.NewServer(mux)
	t.Cleanup(origin.Close)
	return origin, other, otherSeen
}

// assertNoHeaderSecret fails when s shows a configured header value.
func assertNoHeaderSecret(t *testing.T, where, s string) {
	t.Helper()
	assertNotShown(t, headerSecret, where, s)
}

func TestSourceHeadersReachTheOriginOnlyAndAreNeverShown(t *testing.T) {
	t.Setenv("TRIB_TEST_TOKEN", headerSecret)
	ctx := context.Background()
	origin, _, otherSeen := outboundServers(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "test.db")
	addr := freeAddr(t)
	headers := `
    user_agent: NewsBot/2.0
    headers:
      Authorization: "Bearer ${TRIB_TEST_TOKEN}"
      Cookie: "session=${TRIB_TEST_TOKEN}-cookie"`
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, conf, fmt.Sprintf(`listen: %s
log_level: debug
storage:
  dsn: %s
schedule: "@every 1h"
fetch:
  allow_private_networks: true
sources:
  - name: private
    url: %s/feed.atom
    fulltext: true%s
  - name: away
    url: %s/away%s
  - name: slow
    url: %s/slow
    timeout: 1s%s
  - name: denied
    url: %s/feed.atom
    headers:
      Authorization: "Bearer ${TRIB_TEST_TOKEN}-expired"
feeds:
  - name: all
`, addr, dbPath, origin.URL, headers, origin.URL, headers, origin.URL, headers, origin.URL))

	var shown strings.Builder // every output a person or a program reads
	code, out, errOut := runCmd(t, ctx, "--config", conf, "check")
	if code != exitOK {
		t.Fatalf("check exit %d\n%s%s", code, out, errOut)
	}
	shown.WriteString(out + errOut)

	code, out, errOut = runCmd(t, ctx, "--config", conf, "fetch")
	if code != exitFailed {
		t.Fatalf("fetch exit %d, want %d\n%s%s", code, exitFailed, out, errOut)
	}
	for _, want := range []string{
		"private: new (2 new, 0 updated, 0 unchanged), 2 pages extracted",
		"away: new (1 new, 0 updated, 0 unchanged)",
		"slow: failed:",
		"request exceeded timeout of 1s",
		"denied: failed: http 401 Unauthorized",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("fetch output lacks %q:\n%s", want, out)
		}
	}
	shown.WriteString(out + errOut)

	code, out, errOut = runCmd(t, ctx, "--config", conf, "status", "--json")
	if code != exitFailed && code != exitOK {
		t.Fatalf("status exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, `"denied"`) {
		t.Errorf("status --json lacks the sources:\n%s", out)
	}
	shown.WriteString(out + errOut)

	// The daemon: its log, /status, /metrics and the feeds.
	d := serveInProcess(t, conf)
	base := "http://" + addr
	waitStatus(t, base+"/feeds/all.atom", http.StatusOK, d.log)
	for _, path := range []string{"/status", "/metrics", "/feeds/all.atom", "/feeds/all.json", "/"} {
		b := getBody(t, base+path)
		if path == "/feeds/all.atom" && !strings.Contains(b, "The full story of Members one") {
			t.Errorf("the page read with the source's headers is not published:\n%s", b)
		}
		shown.WriteString(b)
	}
	d.stopAndWait(t)
	shown.WriteString(d.log.String())
	assertNoHeaderSecret(t, "check, fetch, status, serve and its pages", shown.String())

	// The other origin got the article page on it and the redirected
	// feed, without the source's headers.
	for _, path := range []string{"/posts/2", "/feed.atom"} {
		hs := otherSeen.get(path)
		if len(hs) == 0 {
			t.Errorf("the other origin never received %s", path)
		}
		for _, h := range hs {
			if h.Get("Authorization") != "" || h.Get("Cookie") != "" {
				t.Errorf("the other origin received the source's headers on %s", path)
			}
			if h.Get("User-Agent") != "NewsBot/2.0" {
				t.Errorf("%s: User-Agent %q, want the source's", path, h.Get("User-Agent"))
			}
		}
	}
	assertStoreLacks(t, dbPath, headerSecret)
}

func TestBadHeaderIsReportedByNameOnly(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, conf, `sources:
  - name: a
    url: https://a.example/feed
    headers:
      X-Token: "Bearer `+headerSecret+`\r\nHost: evil.example"
      Accept-Encoding: "`+headerSecret+`"
feeds:
  - name: all
`)
	code, out, errOut := runCmd(t, context.Background(), "--config", conf, "check")
	if code != exitUsage {
		t.Fatalf("check exit %d, want %d\n%s%s", code, exitUsage, out, errOut)
	}
	for _, want := range []string{
		"config.yaml:5: sources[0].headers.X-Token: header X-Token: value contains a line break",
		"config.yaml:6: sources[0].headers.Accept-Encoding: header Accept-Encoding cannot be set",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("check output lacks %q:\n%s", want, errOut)
		}
	}
	assertNoHeaderSecret(t, "check", out+errOut)
}

func TestReloadAppliesChangedHeaders(t *testing.T) {
	seen := make(chan string, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case seen <- r.Header.Get("Authorization"):
		default:
		}
		w.Header().Set("Content-Type", "application/atom+xml")
		io.WriteString(w, atomFeed)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	addr := freeAddr(t)
	conf := filepath.Join(dir, "config.yaml")
	write := func(token string) {
		writeFile(t, conf, fmt.Sprintf(`listen: %s
storage:
  dsn: %s
schedule: "@every 1h"
sources:
  - name: api
    url: %s/feed.atom
    headers:
      Authorization: Bearer %s
feeds:
  - name: all
`, addr, filepath.Join(dir, "test.db"), srv.URL, token))
	}
	wait := func(want string) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case got := <-seen:
				if got == want {
					return
				}
			case <-deadline:
				t.Fatalf("the server never received %q", want)
			}
		}
	}
	write("first-" + headerSecret)
	d := serveInProcess(t, conf)
	wait("Bearer first-" + headerSecret)
	write("second-" + headerSecret)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	wait("Bearer second-" + headerSecret)
	d.stopAndWait(t)
	assertNoHeaderSecret(t, "serve log", d.log.String())
}

func TestFetchThroughTheConfiguredProxy(t *testing.T) {
	var mu sync.Mutex
	var asked, auth []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Method+" "+r.URL.String())
		auth = append(auth, r.Header.Get("Proxy-Authorization"))
		mu.Unlock()
		if r.URL.Host != "feeds.internal.test" {
			http.Error(w, "unknown host", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/atom+xml")
		io.WriteString(w, atomFeed)
	}))
	t.Cleanup(proxy.Close)
	dead := freeAddr(t) // nothing listens there
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.yaml")
	config := func(proxyHost string) string {
		return fmt.Sprintf(`storage:
  dsn: %s
fetch:
  proxy: http://op:%s@%s
sources:
  - name: internal
    url: http://feeds.internal.test/feed.atom
  - name: metadata
    url: http://feeds.internal.test/meta
    headers:
      Authorization: Bearer %s
feeds:
  - name: all
`, filepath.Join(dir, "test.db"), headerSecret, proxyHost, headerSecret)
	}
	writeFile(t, conf, config(strings.TrimPrefix(proxy.URL, "http://")))
	code, out, errOut := runCmd(t, context.Background(), "--config", conf, "fetch", "internal")
	if code != exitOK || !strings.Contains(out, "internal: new (2 new") {
		t.Fatalf("fetch through the proxy: exit %d\n%s%s", code, out, errOut)
	}
	mu.Lock()
	if len(asked) != 1 || asked[0] != "GET http://feeds.internal.test/feed.atom" || !strings.HasPrefix(auth[0], "Basic ") {
		t.Errorf("the proxy was asked %q with credentials %q", asked, auth)
	}
	mu.Unlock()
	assertNoHeaderSecret(t, "fetch through the proxy", out+errOut)

	writeFile(t, conf, config(dead))
	code, out, errOut = runCmd(t, context.Background(), "--config", conf, "fetch")
	if code != exitFailed || !strings.Contains(out, "internal: failed:") || !strings.Contains(out, "metadata: failed:") {
		t.Fatalf("fetch through a dead proxy: exit %d, want %d\n%s%s", code, exitFailed, out, errOut)
	}
	assertNoHeaderSecret(t, "fetch through a dead proxy", out+errOut)
}

// TestPreviewOfAConfiguredSourceSendsItsHeaders: previewing the URL of a
// source behind a token works as the source's runs do, and shows no
// header value; another URL gets none of them.
func TestPreviewOfAConfiguredSourceSendsItsHeaders(t *testing.T) {
	t.Setenv("TRIB_TEST_TOKEN", headerSecret)
	origin, _, _ := outboundServers(t)
	conf := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, conf, fmt.Sprintf(`sources:
  - name: private
    url: %s/feed.atom
    user_agent: NewsBot/2.0
    headers:
      Authorization: "Bearer ${TRIB_TEST_TOKEN}"
      Cookie: "session=${TRIB_TEST_TOKEN}-cookie"
feeds:
  - name: all
`, origin.URL))
	code, out, errOut := runPreview(t, "--config", conf, origin.URL+"/feed.atom")
	if code != exitOK || !strings.Contains(out, "Members one") {
		t.Errorf("preview of the configured source: exit %d\n%s%s", code, out, errOut)
	}
	assertNoHeaderSecret(t, "preview output", out+errOut)
	code, out, errOut = runPreview(t, "--config", conf, origin.URL+"/feed.atom?page=1")
	if code != exitFailed {
		t.Errorf("preview of another URL on the origin: exit %d, want %d (no headers, so 401)\n%s%s", code, exitFailed, out, errOut)
	}
	assertNoHeaderSecret(t, "preview output", out+errOut)
}
