package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func TestFetchRetriesFailedPagesWhenTheFeedIsUnchanged(t *testing.T) {
	// The pages' server is down for the first fetch and back for the
	// second, while the feed answers 304: the second fetch still completes
	// the story from its page.
	ctx := context.Background()
	var down atomic.Bool
	down.Store(true)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed" {
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>t</title><item><guid>s1</guid><title>Story</title><link>%s/story</link><description>teaser</description></item></channel></rss>`, srv.URL)
			return
		}
		if down.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><meta name="author" content="Jane Roe"></head><body><article><h1>Story</h1>`+
			strings.Repeat(`<p>The whole story, long enough for readability to keep it as the article body.</p>`, 6)+`</article></body></html>`)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, conf, fmt.Sprintf(`storage:
  dsn: %s
fetch:
  allow_private_networks: true
sources:
  - name: wire
    url: %s/feed
    fulltext: true
feeds:
  - name: all
`, filepath.Join(dir, "t.db"), srv.URL))

	code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch")
	if code != exitOK || !strings.Contains(out, "wire: new (1 new, 0 updated, 0 unchanged), 0 pages extracted, 1 failed") {
		t.Fatalf("first fetch: exit %d\n%s%s", code, out, errOut)
	}
	down.Store(false)
	code, out, errOut = runCmd(t, ctx, "--config", conf, "fetch")
	if want := "wire: updated (not modified since the last fetch; 1 updated, 0 unchanged), 1 pages extracted"; code != exitOK || !strings.Contains(out, want) {
		t.Fatalf("second fetch: exit %d, want %q\n%s%s", code, want, out, errOut)
	}
	code, out, errOut = runCmd(t, ctx, "--config", conf, "build", "--out", filepath.Join(dir, "public"))
	if code != exitOK {
		t.Fatalf("build: exit %d\n%s%s", code, out, errOut)
	}
	b, err := os.ReadFile(filepath.Join(dir, "public", "feeds", "all.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "The whole story") || !strings.Contains(string(b), "Jane Roe") {
		t.Errorf("the built feed lacks the page's text or author:\n%s", b)
	}
}
