package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/store/sqlite"
)

// secretMark is in every credential the secrets test puts in a URL; it must
// never be shown.
const secretMark = "SECRET"

// secretSources is a server whose every way of failing involves a URL with
// credentials, and the config pointing sources at it.
func secretSources(t *testing.T) (conf, dbPath string, names []string, discoveries *atomic.Int32) {
	discoveries = new(atomic.Int32)
	t.Helper()
	// elsewhere is another loopback origin: not the sources' own, so a
	// redirect there is refused by the address policy.
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the blocked address was reached: %s", r.URL)
	}))
	t.Cleanup(elsewhere.Close)
	blocked := strings.Replace(elsewhere.URL, "http://", "http://user:"+secretMark+"-blocked@", 1)

	var self string // this server's URL with credentials, set below
	mux := http.NewServeMux()
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u == "" || !strings.Contains(u+p, secretMark) {
			t.Errorf("%s: the credentials of the URL were not sent (basic auth %q %q %v)", r.URL, u, p, ok)
		}
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		loc := strings.Replace(self, "user:"+secretMark+"-pw@", "other:"+secretMark+"-location@", 1)
		http.Redirect(w, r, loc+"/500", http.StatusFound)
	})
	mux.HandleFunc("/bad-location", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://u:"+secretMark+"-location@127.0.0.1:port/")
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/ftp-location", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "ftp://u:"+secretMark+"-location@127.0.0.1/feed")
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/to-blocked", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, blocked+"/feed", http.StatusFound)
	})
	mux.HandleFunc("/garbage", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		io.WriteString(w, "\x00\x01 not a feed")
	})
	mux.HandleFunc("/no-feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!doctype html><title>Nothing</title><p>No feed here.")
	})
	mux.HandleFunc("/advertises", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<!doctype html><head><link rel="alternate" type="application/atom+xml" href="/missing.atom"></head><p>Hi.`)
	})
	mux.HandleFunc("/discover", func(w http.ResponseWriter, r *http.Request) {
		discoveries.Add(1)
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<!doctype html><head><link rel="alternate" type="application/atom+xml" href="/private.atom"></head><p>Hi.`)
	})
	mux.HandleFunc("/private.atom", func(w http.ResponseWriter, r *http.Request) {
		if _, p, _ := r.BasicAuth(); !strings.Contains(p, secretMark) {
			http.Error(w, "who are you?", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/atom+xml")
		io.WriteString(w, `<feed xmlns="http://www.w3.org/2005/Atom"><title>D</title><id>urn:d</id>
<entry><title>Discovered</title><id>urn:d:1</id><link href="/posts/d"/><updated>2026-01-02T00:00:00Z</updated><summary>Found</summary></entry></feed>`)
	})
	mux.HandleFunc("/fulltext.atom", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		io.WriteString(w, `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Private</title><id>urn:private</id><updated>2026-01-02T00:00:00Z</updated>
<entry><title>Members only</title><id>urn:private:1</id><link href="/posts/1"/><updated>2026-01-02T00:00:00Z</updated><summary>Teaser</summary></entry>
<entry><title>Members too</title><id>urn:private:2</id><link href="/posts/2"/><updated>2026-01-01T00:00:00Z</updated><summary>Teaser two</summary></entry>
</feed>`)
	})
	mux.HandleFunc("/posts/1", func(w http.ResponseWriter, r *http.Request) {
		// Members only: the page wants the credentials of the feed.
		if _, p, _ := r.BasicAuth(); !strings.Contains(p, secretMark) {
			http.Error(w, "who are you?", http.StatusUnauthorized)
			return
		}
		http.Error(w, "page broken", http.StatusInternalServerError)
	})
	mux.HandleFunc("/posts/2", func(w http.ResponseWriter, r *http.Request) {
		if _, p, _ := r.BasicAuth(); !strings.Contains(p, secretMark) {
			http.Error(w, "who are you?", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<!doctype html><title>Members too</title><article><h1>Members too</h1>
<p>The full story, for members, with <a href="/posts/3">a link</a> to the next one and a picture.</p>
<img src="/images/chart.png" width="600" height="400" alt="A chart">
<p>A second paragraph long enough to count as the body of an article, so that extraction keeps it whole.</p>
<p>A third paragraph, because readability wants some text before it believes there is an article here.</p>
</article>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	self = strings.Replace(srv.URL, "http://", "http://user:"+secretMark+"-pw@", 1)
	token := strings.Replace(srv.URL, "http://", "http://"+secretMark+"-token@", 1)

	srcs := []struct{ name, url, extra string }{
		{"status500", self + "/500", ""},
		{"token500", token + "/500", ""},
		{"redirect", self + "/redirect", ""},
		{"badlocation", self + "/bad-location", ""},
		{"ftplocation", self + "/ftp-location", ""},
		{"blocked", self + "/to-blocked", ""},
		{"garbage", self + "/garbage", ""},
		{"nofeed", self + "/no-feed", ""},
		{"advertises", self + "/advertises", ""},
		{"fulltext", self + "/fulltext.atom", "\n    fulltext: true"},
		{"discovers", self + "/discover", ""},
	}
	dir := t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, "listen: %s\nlog_level: debug\nstorage:\n  dsn: %s\nschedule: \"@every 1h\"\nsources:\n", freeAddr(t), filepath.Join(dir, "test.db"))
	for _, s := range srcs {
		fmt.Fprintf(&b, "  - name: %s\n    url: %s%s\n", s.name, s.url, s.extra)
		names = append(names, s.name)
	}
	b.WriteString("feeds:\n  - name: all\n")
	conf = filepath.Join(dir, "config.yaml")
	writeFile(t, conf, b.String())
	return conf, filepath.Join(dir, "test.db"), names, discoveries
}

// assertNoSecret fails when s shows a credential of a source URL.
func assertNoSecret(t *testing.T, where, s string) {
	t.Helper()
	assertNotShown(t, secretMark, where, s)
}

// assertNotShown fails when s shows secret, naming each line that does.
func assertNotShown(t *testing.T, secret, where, s string) {
	t.Helper()
	for line := range strings.Lines(s) {
		if strings.Contains(line, secret) {
			t.Errorf("%s shows a credential: %.300s", where, strings.TrimSpace(line))
		}
	}
}

// assertStoreLacks fails when a file of the SQLite store at dbPath (the
// database, its WAL and shared memory) holds secret.
func assertStoreLacks(t *testing.T, dbPath, secret string) {
	t.Helper()
	stored, _ := filepath.Glob(dbPath + "*")
	for _, f := range stored {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) {
			t.Errorf("the store file %s holds a credential", filepath.Base(f))
		}
	}
}

func TestFetchNeverShowsURLCredentials(t *testing.T) {
	ctx := context.Background()
	conf, dbPath, names, discoveries := secretSources(t)

	code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch")
	if code != exitFailed {
		t.Fatalf("fetch exit %d, want %d\n%s\n%s", code, exitFailed, out, errOut)
	}
	for name, want := range map[string]string{
		"status500":   "status500: failed: http 500 Internal Server Error from http://xxxxx@127.0.0.1:",
		"token500":    "token500: failed: http 500 Internal Server Error from http://xxxxx@127.0.0.1:",
		"redirect":    "redirect: failed: http 500 Internal Server Error from http://xxxxx@127.0.0.1:",
		"badlocation": "badlocation: failed:",
		"ftplocation": "ftplocation: failed:",
		"blocked":     "blocked non-public address",
		"garbage":     "garbage: failed:",
		"nofeed":      "no feed found in HTML page http://xxxxx@127.0.0.1:",
		"advertises":  "advertises: failed:",
		"fulltext":    "fulltext: new (2 new, 0 updated, 0 unchanged), 1 pages extracted, 1 failed",
		"discovers":   "discovers: new (1 new, 0 updated, 0 unchanged)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("%s: fetch output lacks %q", name, want)
		}
	}
	assertNoSecret(t, "fetch output", out)
	assertNoSecret(t, "fetch log", errOut)
	if !strings.Contains(errOut, "article extraction failed") {
		t.Errorf("no log line for the failed page:\n%s", errOut)
	}

	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		st, err := db.SourceState(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if name != "fulltext" && name != "discovers" && st.LastError == "" {
			t.Errorf("%s: no error stored", name)
		}
		assertNoSecret(t, name+"'s stored error", st.LastError)
	}
	arts, err := db.Article(ctx, "fulltext", "urn:private:1")
	if err != nil {
		t.Fatal(err)
	}
	if arts.Page == nil || arts.Page.Error == "" {
		t.Errorf("the failed page's error is not stored: %+v", arts.Page)
	} else {
		if !strings.Contains(arts.Page.Error, "http 500") {
			t.Errorf("the page was not fetched with the feed's credentials: %s", arts.Page.Error)
		}
		assertNoSecret(t, "the stored page error", arts.Page.Error)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// The discovered feed is fetched directly the next time, with the
	// credentials of its page, though the store keeps its URL without them.
	if code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch", "discovers"); code != exitOK ||
		!strings.Contains(out, "discovers: unchanged") || discoveries.Load() != 1 {
		t.Errorf("second fetch of the discovered feed: exit %d, %d discoveries\n%s%s", code, discoveries.Load(), out, errOut)
	}
	assertStoreLacks(t, dbPath, secretMark)

	// The daemon, on a fresh store so that no backoff holds a source back:
	// its log and its metrics.
	stale, _ := filepath.Glob(dbPath + "*")
	for _, f := range stale {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	addr := configuredListen(t, conf)
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan int, 1)
	var serveLog bytes.Buffer
	go func() { done <- run(sctx, []string{"--config", conf, "serve"}, io.Discard, &serveLog) }()
	var metrics string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// The per-source series every source has once fetched (the
		// per-source histogram is opt-in).
		fetched := 0
		for _, name := range names {
			if strings.Contains(string(b), `tributary_source_fetches_total{source="`+name+`"`) {
				fetched++
			}
		}
		if fetched == len(names) {
			metrics = string(b)
			break
		}
	}
	published := map[string]string{}
	for _, path := range []string{"/feeds/all.atom", "/feeds/all.rss", "/feeds/all.json", "/", "/feeds.opml"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		published[path] = string(b)
	}
	cancel()
	<-done
	if metrics == "" {
		t.Fatalf("serve never reported every source in /metrics; log:\n%s", serveLog.String())
	}
	if !strings.Contains(published["/feeds/all.atom"], "The full story, for members") {
		t.Errorf("the extracted page is not published:\n%s", published["/feeds/all.atom"])
	}
	if !strings.Contains(published["/feeds/all.atom"], "Members only") {
		t.Errorf("the story of the private feed is not published:\n%s", published["/feeds/all.atom"])
	}
	for path, body := range published {
		assertNoSecret(t, path, body)
	}
	assertNoSecret(t, "/metrics", metrics)
	assertNoSecret(t, "serve log", serveLog.String())
}

// configuredListen returns the listen address written in conf.
func configuredListen(t *testing.T, conf string) string {
	t.Helper()
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimPrefix(first, "listen: ")
}

func TestBadPostgresDSNIsNeverShown(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "local.xml"), `<rss version="2.0"><channel><title>x</title></channel></rss>`)
	conf := filepath.Join(dir, "config.yaml")
	// Spaces around "=", which libpq accepts, hid the password from pgx's
	// own masking.
	writeFile(t, conf, `storage:
  driver: postgres
  dsn: host=127.0.0.1 user=postgres password = SECRET dbname=x sslmode=bogus
sources:
  - name: local
    url: local.xml
feeds:
  - name: all
`)
	for _, args := range [][]string{{"fetch"}, {"build", "--out", t.TempDir()}} {
		code, out, errOut := runCmd(t, ctx, append([]string{"--config", conf}, args...)...)
		if code != exitFailed || !strings.Contains(errOut, "postgres: open: invalid dsn: failed to configure TLS (sslmode is invalid)") {
			t.Errorf("%s: exit %d, want %d and the reason\n%s%s", args[0], code, exitFailed, out, errOut)
		}
		assertNoSecret(t, args[0]+" output", out+errOut)
	}
}
