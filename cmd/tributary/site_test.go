package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store/sqlite"
	"github.com/tributary/tributary/internal/xmlcheck"
)

// siteConfig writes a configuration of one feed, "all", in pages of limit,
// over a store holding n stories of source "a", and returns its path.
func siteConfig(t *testing.T, n, limit int, extra func(i int, a *feeds.Article)) string {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var arts []feeds.Article
	for i := range n {
		a := feeds.Article{ID: fmt.Sprint(i), Source: "a", Title: fmt.Sprintf("Story %d", i),
			Link: fmt.Sprintf("https://example.com/%d", i), Summary: "<p>Summary of the story.</p>",
			Authors: []feeds.Author{{Name: "Ann Writer"}}, Published: base.Add(-time.Duration(i) * time.Hour), FetchedAt: base}
		if extra != nil {
			extra(i, &a)
		}
		arts = append(arts, a)
	}
	if _, err := st.UpsertArticles(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, conf, fmt.Sprintf(`base_url: https://feeds.example.org
title: Paged site
storage:
  dsn: test.db
sources:
  - name: a
    url: https://example.com/feed.xml
feeds:
  - name: all
    title: Everything
    limit: %d
`, limit))
	return conf
}

// staticServer serves dir with http.FileServer, as any static host would:
// no Tributary, no query strings.
func staticServer(t *testing.T, dir string) string {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv.URL
}

func httpGet(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return b
}

// TestBuiltSiteIsWalkedToTheEnd builds 7 stories in pages of 3 with
// --base-url, serves the tree with http.FileServer, and walks each format
// from its first page through the next links: every story once, each
// file's self link is the URL it was read from, every Atom page is valid
// (jing), and python's feedparser walks RSS and Atom the same way.
func TestBuiltSiteIsWalkedToTheEnd(t *testing.T) {
	ctx := context.Background()
	conf := siteConfig(t, 7, 3, nil)
	out := t.TempDir()
	url := staticServer(t, out)
	// An earlier build's layout and a page that no longer exists.
	writeFile(t, filepath.Join(out, "all.atom"), "old layout")
	if err := os.MkdirAll(filepath.Join(out, "feeds", "all", "page"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(out, "feeds", "all", "page", "9.atom"), "stale page")
	writeFile(t, filepath.Join(out, "feeds", "all", "notes.txt"), "not ours")
	if code, stdout, stderr := runCmd(t, ctx, "--config", conf, "build", "--out", out, "--base-url", url+"/"); code != exitOK {
		t.Fatalf("build exit %d: %s %s", code, stdout, stderr)
	}
	for _, p := range []string{"index.html", "feeds.opml", "sources.opml", "feeds/all.rss", "feeds/all.atom", "feeds/all.json",
		"feeds/all/index.html", "feeds/all/page/2.html", "feeds/all/page/3.html", "feeds/all/page/3.rss", "feeds/all/notes.txt"} {
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	for _, p := range []string{"all.atom", "feeds/all/page/9.atom", "feeds/all/page/4.atom", "feeds/all/page/1.atom"} {
		if _, err := os.Stat(filepath.Join(out, p)); !os.IsNotExist(err) {
			t.Errorf("%s is there (%v), want it removed or never written", p, err)
		}
	}
	var atomPages []string
	for _, format := range feeds.AllFormats() {
		seen := map[string]bool{}
		pages := 0
		for u := url + "/feeds/all." + format.Ext(); u != ""; pages++ {
			if pages > 10 {
				t.Fatal("more than 10 pages")
			}
			body := httpGet(t, u)
			self, next, err := xmlcheck.FeedLinks(body, format == feeds.JSON)
			if err != nil {
				t.Fatal(err)
			}
			if self != u {
				t.Errorf("%s: self link %q", u, self)
			}
			f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", u, err)
			}
			for _, it := range f.Items {
				if seen[it.Title] {
					t.Errorf("%s: %s seen again", u, it.Title)
				}
				seen[it.Title] = true
			}
			if format == feeds.Atom {
				p := filepath.Join(t.TempDir(), "page.atom")
				writeFile(t, p, string(body))
				atomPages = append(atomPages, p)
			}
			u = next
		}
		if pages != 3 || len(seen) != 7 {
			t.Errorf("%s: %d stories on %d pages, want 7 on 3", format.Ext(), len(seen), pages)
		}
	}
	html := string(httpGet(t, url+"/feeds/all/page/2.html"))
	for _, want := range []string{"Story 3", `href="` + url + `/feeds/all/page/3.html" rel="next"`, `href="` + url + `/feeds/all/" rel="prev"`} {
		if !strings.Contains(html, want) {
			t.Errorf("page 2 lacks %s", want)
		}
	}
	if home := string(httpGet(t, url+"/")); !strings.Contains(home, `href="`+url+`/feeds/all/"`) || !strings.Contains(home, "Story 0") {
		t.Errorf("home page:\n%s", home)
	}
	t.Run("jing", func(t *testing.T) {
		jing, err := xmlcheck.AtomValidator(".")
		if err != nil {
			xmlcheck.RequireTool(t, "%v", err)
		}
		problems, err := jing.Validate(ctx, atomPages)
		if err != nil || len(problems) > 0 {
			t.Errorf("jing rejects a page: %v %v", err, problems)
		}
	})
	t.Run("feedparser", func(t *testing.T) {
		py := "/usr/bin/python3"
		if exec.Command(py, "-c", "import feedparser").Run() != nil {
			xmlcheck.RequireTool(t, "no /usr/bin/python3 with feedparser (apt-get install python3-feedparser)")
		}
		const walk = `
import feedparser, sys
url, seen, pages = sys.argv[1], [], 0
while url:
    d = feedparser.parse(url)
    if d.bozo:
        sys.exit("bozo %s: %s" % (url, d.bozo_exception))
    self = [l.href for l in d.feed.get("links", []) if l.rel == "self"]
    if self != [url]:
        sys.exit("self %s on %s" % (self, url))
    seen += [e.title for e in d.entries]
    nxt = [l.href for l in d.feed.get("links", []) if l.rel == "next"]
    url = nxt[0] if nxt else None
    pages += 1
print(pages, len(seen), len(set(seen)))
`
		for _, ext := range []string{"rss", "atom"} {
			got, err := exec.Command(py, "-c", walk, url+"/feeds/all."+ext).CombinedOutput()
			if err != nil || strings.TrimSpace(string(got)) != "3 7 7" {
				t.Errorf("%s: feedparser walk: %v %s, want 3 pages of 7 stories, each once", ext, err, got)
			}
		}
	})
}

// TestBuildBaseURLIsValidated: --base-url is checked as base_url is.
func TestBuildBaseURLIsValidated(t *testing.T) {
	conf := siteConfig(t, 1, 3, nil)
	for _, bad := range []string{"ftp://x.example", "https://x.example/?q=1", "/relative", "https://user:secret@"} {
		code, _, stderr := runCmd(t, context.Background(), "--config", conf, "build", "--out", t.TempDir(), "--base-url", bad)
		if code != exitUsage || !strings.Contains(stderr, "--base-url") {
			t.Errorf("--base-url %q: exit %d, %s", bad, code, stderr)
		}
		assertNotShown(t, "secret", "stderr", stderr)
	}
}
