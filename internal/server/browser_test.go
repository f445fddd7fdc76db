package server

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/publish"
	"github.com/tributary/tributary/internal/xmlcheck"
)

// chromium returns the path of Debian's chromium, skipping the test
// without it (failing it under CI=true, where .ci/run installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	xmlcheck.RequireTool(t, "chromium not installed (apt-get install chromium): cannot test the pages in a browser")
	return ""
}

// browse runs headless chromium on url with args (--dump-dom, say) and
// returns its standard output and its log, which holds the console
// messages, Content-Security-Policy violations among them.
func browse(t *testing.T, url string, args ...string) (out, log string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args = append([]string{"--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--user-data-dir=" + t.TempDir(),
		"--enable-logging=stderr", "--v=0"}, append(args, url)...)
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, chromium(t), args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// browsedSite serves, from a real SQLite store, feed "all" of n stories in
// pages of 3 (story i is changed by edit, when not nil), with lead images
// from a second local server; it returns the site's URL.
func browsedSite(t *testing.T, n int, edit func(i int, a *feeds.Article)) string {
	t.Helper()
	var png1 bytes.Buffer
	if err := png.Encode(&png1, image.NewGray(image.Rect(0, 0, 8, 6))); err != nil {
		t.Fatal(err)
	}
	images := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(png1.Bytes())
	}))
	t.Cleanup(images.Close)
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var arts []feeds.Article
	for i := range n {
		a := feeds.Article{ID: fmt.Sprint(i), Source: "wire", Title: fmt.Sprintf("Story %d", i),
			Link: fmt.Sprintf("https://example.com/%d", i), Summary: fmt.Sprintf("<p>What happened in <b>story %d</b>.</p>", i),
			Authors: []feeds.Author{{Name: "Ann Writer"}}, Published: base.Add(-time.Duration(i) * time.Hour),
			Image: &feeds.Image{URL: fmt.Sprintf("%s/%d.png", images.URL, i), Caption: fmt.Sprintf("Picture %d", i), Width: 8, Height: 6}}
		if i%2 == 1 {
			a.Image.Caption = "" // decorative: empty alt
		}
		if edit != nil {
			edit(i, &a)
		}
		arts = append(arts, a)
	}
	if _, err := st.UpsertArticles(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	// The links name the server's own address: known once it listens,
	// before it serves.
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	url := "http://" + srv.Listener.Addr().String()
	pub := publish.New(st, publish.Options{BaseURL: url, Title: "Browsed", Feeds: []publish.Feed{
		{Name: "all", Title: "Everything", Description: "All the wire's stories", Sources: []string{"wire"}, Limit: 3}}})
	srv.Config.Handler = New(Options{Publisher: pub})
	srv.Start()
	return srv.URL
}

// cspViolations returns the lines of a chromium log that report a
// Content-Security-Policy violation.
func cspViolations(log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "Content Security Policy") || strings.Contains(l, "Content-Security-Policy") {
			out = append(out, l)
		}
	}
	return out
}

func count(re, s string) int { return len(regexp.MustCompile(re).FindAllString(s, -1)) }

// TestPagesInChromium loads the home page and page 2 of a feed in headless
// chromium: one h1, landmarks, the stories with their links, dates and
// images (alt from the caption, empty when decorative), the feed links,
// no script, and no policy violation: the stylesheet and images load.
func TestPagesInChromium(t *testing.T) {
	chromium(t)
	url := browsedSite(t, 7, nil)
	for _, tc := range []struct {
		path    string
		stories []string
		links   []string
	}{
		{"/", []string{"Story 0", "Story 1", "Story 2"}, []string{url + "/feeds/all", url + "/feeds/all.atom", url + "/feeds/all.rss", url + "/feeds/all.json", url + "/feeds.opml"}},
		{"/feeds/all?page=2", []string{"Story 3", "Story 4", "Story 5"}, []string{url + "/feeds/all?page=3", url + "/feeds/all", url + "/feeds/all.atom"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			dom, log := browse(t, url+tc.path, "--dump-dom")
			if v := cspViolations(log); len(v) > 0 {
				t.Errorf("policy violations:\n%s", strings.Join(v, "\n"))
			}
			if count(`<h1[ >]`, dom) != 1 || count(`<main[ >]`, dom) != 1 || count(`<html lang="en"`, dom) != 1 {
				t.Errorf("want one h1, one main and a lang:\n%s", dom)
			}
			if count(`<script`, dom) != 0 {
				t.Errorf("a script element:\n%s", dom)
			}
			if count(`<article>`, dom) != len(tc.stories) {
				t.Errorf("%d articles, want %d", count(`<article>`, dom), len(tc.stories))
			}
			for _, s := range tc.stories {
				n := strings.TrimPrefix(s, "Story ")
				if !strings.Contains(dom, `<a href="https://example.com/`+n+`">`+s+`</a>`) {
					t.Errorf("no linked title %q", s)
				}
				alt := `alt=""`
				if n[0]%2 == 0 {
					alt = `alt="Picture ` + n + `"`
				}
				if !regexp.MustCompile(`<img src="http://127\.0\.0\.1:\d+/` + n + `\.png" ` + alt + ` width="8" height="6" loading="lazy">`).MatchString(dom) {
					t.Errorf("no image of %s with %s", s, alt)
				}
				if !strings.Contains(dom, "What happened in story "+n+".") {
					t.Errorf("no plain-text summary of %s", s)
				}
			}
			if count(`<time datetime="2026-03-01T\d\d:00:00Z">1 March 2026</time>`, dom) != len(tc.stories) {
				t.Errorf("dates missing:\n%s", dom)
			}
			for _, l := range tc.links {
				if !strings.Contains(dom, `href="`+l+`"`) {
					t.Errorf("no link to %s", l)
				}
			}
			for _, typ := range []string{"application/rss+xml", "application/atom+xml", "application/feed+json"} {
				if !strings.Contains(dom, `<link rel="alternate" type="`+typ+`"`) {
					t.Errorf("no autodiscovery link of %s", typ)
				}
			}
		})
	}
	t.Run("phone", func(t *testing.T) {
		shot := filepath.Join(t.TempDir(), "phone.png")
		browse(t, url+"/", "--screenshot="+shot, "--window-size=390,844", "--hide-scrollbars")
		f, err := os.Open(shot)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 390 || b.Dy() != 844 {
			t.Errorf("screenshot %v, want 390x844", b)
		}
		st, _ := f.Stat()
		if st.Size() < 5000 {
			t.Errorf("screenshot of %d bytes: a blank page?", st.Size())
		}
	})
}

// TestHostileStoriesAreInertInChromium stores stories whose title, author,
// summary, source, link and image try to run script or break out of their
// attributes: in chromium they are text, their links are gone, nothing
// runs and nothing is blocked (nothing tried to load).
func TestHostileStoriesAreInertInChromium(t *testing.T) {
	chromium(t)
	url := browsedSite(t, 3, func(i int, a *feeds.Article) {
		a.Title = `<script>document.title="pwned"</script>"><img src=x onerror=alert(1)>`
		a.Authors = []feeds.Author{{Name: `"><svg onload=alert(2)>`}}
		a.Summary = `<p>&lt;script&gt;alert(3)&lt;/script&gt; "><img src=x onerror=alert(4)></p>`
		a.Link = "javascript:alert(5)"
		a.Image = &feeds.Image{URL: "javascript:alert(6)", Caption: `" onerror="alert(7)`}
	})
	for _, path := range []string{"/", "/feeds/all"} {
		dom, log := browse(t, url+path, "--dump-dom")
		if v := cspViolations(log); len(v) > 0 {
			t.Errorf("%s: policy violations (something tried to run or load):\n%s", path, strings.Join(v, "\n"))
		}
		for _, bad := range []string{`<script`, `<svg`, `javascript:`, `<img`} {
			if strings.Contains(dom, bad) {
				t.Errorf("%s: the DOM holds %s:\n%s", path, bad, dom)
			}
		}
		if n := count(`<[^>]*\son\w+=`, dom); n > 0 {
			t.Errorf("%s: %d elements with an event handler attribute:\n%s", path, n, dom)
		}
		if n := count(`<title>Browsed</title>`, dom); path == "/" && n != 1 {
			t.Errorf("%s: the document title changed:\n%s", path, dom)
		}
		for _, text := range []string{`&lt;script&gt;document.title="pwned"&lt;/script&gt;"&gt;&lt;img src=x onerror=alert(1)&gt;`,
			`by "&gt;&lt;svg onload=alert(2)&gt;`, `&lt;script&gt;alert(3)&lt;/script&gt;`} {
			if !strings.Contains(dom, text) {
				t.Errorf("%s: %s is not shown as text:\n%s", path, text, dom)
			}
		}
	}
}
