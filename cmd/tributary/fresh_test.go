package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/pipeline"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/sqlite"
	"github.com/tributary/tributary/sources"
)

// listingPage is a listing of two posts beside a sidebar of three
// link-less entries: the sidebar is what a wrong item selector picks.
const listingPage = `<!doctype html><html><head><title>Blog</title></head><body>
<aside><ul><li><span>Popular</span></li><li><span>Archive</span></li><li><span>About us</span></li></ul></aside>
<main>
<article><h2><a href="/posts/one">Post one</a></h2><p>First.</p></article>
<article><h2><a href="/posts/two">Post two</a></h2><p>Second.</p></article>
</main></body></html>`

// listingServer serves listingPage with an ETag and answers 304 to a
// request that sends it back; it counts the 304s and the 200s.
func listingServer(t *testing.T) (srv *httptest.Server, notModified, full *atomic.Int32) {
	t.Helper()
	notModified, full = new(atomic.Int32), new(atomic.Int32)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/blog" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("If-None-Match") == `"listing-1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("ETag", `"listing-1"`)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, listingPage)
	}))
	t.Cleanup(srv.Close)
	return srv, notModified, full
}

// pageProject writes a configuration with one kind: page source, "blog",
// whose source entry ends with extra (indented lines), and returns its
// path; rewriting it keeps the store.
func pageProject(t *testing.T, dir, url, extra string) string {
	t.Helper()
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, conf, fmt.Sprintf(`storage:
  dsn: store.db
schedule: "@every 1h"
fetch:
  allow_private_networks: true
sources:
  - name: blog
    url: %s/blog
    kind: page
%s
feeds:
  - name: all
`, url, extra))
	return conf
}

// storedLinks returns the links of the stored articles of source, "" for
// an article without one, newest first.
func storedLinks(t *testing.T, path, source string) []string {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	arts, err := st.Articles(context.Background(), store.Query{Sources: []string{source}})
	if err != nil {
		t.Fatal(err)
	}
	links := make([]string, len(arts))
	for i, a := range arts {
		links[i] = a.Link
	}
	return links
}

// countLinks counts the links that are empty and those that are not.
func countLinks(links []string) (empty, set int) {
	for _, l := range links {
		if l == "" {
			empty++
		} else {
			set++
		}
	}
	return empty, set
}

// TestFixedSelectorsAreFetchedAfresh is the operator's story of issue 10
// point 2 on a real SQLite file: a page source with a wrong item selector
// stores the sidebar; once the selector is fixed, the next fetch parses the
// page again although the server would answer 304, and the posts appear.
// An unchanged configuration is conditional again; --force parses anyway;
// a change of schedule or tags does not drop the validators. The recipe of
// docs/operations.md then clears the sidebar's articles.
func TestFixedSelectorsAreFetchedAfresh(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "store.db")
	srv, notModified, full := listingServer(t)
	wrong := "    selectors:\n      item: aside li\n      title: span\n      link: a"
	right := "    selectors:\n      item: article\n      link: h2 a"
	conf := pageProject(t, dir, srv.URL, wrong)

	fetch := func(args ...string) (string, string) {
		t.Helper()
		code, out, errOut := runCmd(t, ctx, append([]string{"--config", conf, "fetch"}, args...)...)
		if code != exitOK {
			t.Fatalf("fetch %v: exit %d\n%s%s", args, code, out, errOut)
		}
		return out, errOut
	}
	if out, _ := fetch(); !strings.Contains(out, "blog: new (3 new, 0 updated, 0 unchanged)") {
		t.Fatalf("first fetch:\n%s", out)
	}
	if empty, set := countLinks(storedLinks(t, db, "blog")); empty != 3 || set != 0 {
		t.Fatalf("wrong selector stored %d link-less and %d linked articles, want the 3 of the sidebar", empty, set)
	}
	if out, _ := fetch(); !strings.Contains(out, "blog: unchanged (not modified since the last fetch)") || notModified.Load() != 1 {
		t.Fatalf("second fetch was not conditional (304s: %d):\n%s", notModified.Load(), out)
	}

	// The operator fixes the selector: the page is parsed again, not
	// answered 304, and the log says why.
	pageProject(t, dir, srv.URL, right)
	before := notModified.Load()
	out, errOut := fetch()
	if !strings.Contains(out, "blog: new (2 new, 0 updated, 0 unchanged)") || notModified.Load() != before {
		t.Fatalf("fetch after the fix did not parse the page again (304s: %d, were %d):\n%s", notModified.Load(), before, out)
	}
	if !regexp.MustCompile(`level=INFO msg="source configuration changed: fetching it afresh" source=blog document=true`).MatchString(errOut) {
		t.Errorf("no INFO line about the changed configuration:\n%s", errOut)
	}
	// The sidebar's articles stay (deleting is the operator's call), the
	// posts are there with their links.
	links := storedLinks(t, db, "blog")
	if empty, set := countLinks(links); empty != 3 || set != 2 {
		t.Fatalf("after the fix: links %q; want the 2 posts beside the 3 old articles", links)
	}
	for _, want := range []string{srv.URL + "/posts/one", srv.URL + "/posts/two"} {
		if !strings.Contains(strings.Join(links, " "), want) {
			t.Errorf("stored links %q lack %s", links, want)
		}
	}

	// The new configuration is remembered: conditional again, no log.
	before = notModified.Load()
	if out, errOut := fetch(); !strings.Contains(out, "blog: unchanged (not modified since the last fetch)") || notModified.Load() != before+1 ||
		strings.Contains(errOut, "configuration changed") {
		t.Fatalf("fetch after the fixed one was not conditional:\n%s%s", out, errOut)
	}

	// --force parses the unchanged configuration again, by name (the flag
	// before or after it) or all.
	for _, args := range [][]string{{"--force", "blog"}, {"blog", "--force"}, {"--force"}} {
		before, fulls := notModified.Load(), full.Load()
		if out, _ := fetch(args...); !strings.Contains(out, "blog: unchanged (0 new, 0 updated, 2 unchanged)") ||
			notModified.Load() != before || full.Load() != fulls+1 {
			t.Fatalf("fetch %v did not parse the page again (304s %d→%d, 200s %d→%d):\n%s", args, before, notModified.Load(), fulls, full.Load(), out)
		}
	}

	// Changing when it is fetched and how it is tagged is no reason to
	// parse it again.
	pageProject(t, dir, srv.URL, right+"\n    schedule: \"@every 2h\"\n    tags: [tech]\n    retention: {max_items: 500}")
	before = notModified.Load()
	if out, errOut := fetch(); !strings.Contains(out, "blog: unchanged (not modified since the last fetch)") || notModified.Load() != before+1 ||
		strings.Contains(errOut, "configuration changed") {
		t.Fatalf("a schedule and tags change dropped the validators:\n%s%s", out, errOut)
	}

	// The documented recipe: prune the source, fetch it: only the posts.
	if code, out, errOut := runCmd(t, ctx, "--config", conf, "prune", "--source", "blog", "--yes"); code != exitOK {
		t.Fatalf("prune: exit %d\n%s%s", code, out, errOut)
	}
	if out, _ := fetch("blog"); !strings.Contains(out, "blog: new (2 new, 0 updated, 0 unchanged)") {
		t.Fatalf("fetch after prune:\n%s", out)
	}
	if empty, set := countLinks(storedLinks(t, db, "blog")); empty != 0 || set != 2 {
		t.Fatalf("after the recipe: %d link-less and %d linked articles, want the 2 posts only", empty, set)
	}
}

// TestItemSelectorMatchingNothingFails: a page source whose item selector
// fits nothing on a 200 answer is a failure naming the selector, counted
// as one (exit status, status's consecutive failures and last error), not
// "unchanged (0 new...)".
func TestItemSelectorMatchingNothingFails(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv, _, _ := listingServer(t)
	conf := pageProject(t, dir, srv.URL, "    selectors:\n      item: div.post\n      link: a")
	for i := 1; i <= 2; i++ {
		code, out, _ := runCmd(t, ctx, "--config", conf, "fetch")
		want := regexp.MustCompile(`(?m)^blog: failed: fetch http://127\.0\.0\.1:\d+/blog: page: item selector "div\.post" matched nothing \(next attempt after \S+\)$`)
		if code != exitFailed || !want.MatchString(out) {
			t.Fatalf("fetch %d: exit %d, want %d and a line matching %s:\n%s", i, code, exitFailed, want, out)
		}
	}
	code, out, errOut := runCmd(t, ctx, "--config", conf, "status")
	if code != exitOK || !strings.Contains(out, "2 consecutive failures") || !strings.Contains(out, `page: item selector "div.post" matched nothing`) {
		t.Fatalf("status: exit %d\n%s%s", code, out, errOut)
	}
}

// TestFetchSaysWhichPagesTheAddressPolicyRefused: a full-text source whose
// stories link to another non-public origin has those pages refused by
// the address policy, and its fetch line says so and names the setting;
// once that setting is on, the same pages are extracted.
func TestFetchSaysWhichPagesTheAddressPolicyRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	page, err := os.ReadFile("../../internal/pipeline/testdata/site/fbi-warns-of-phishing.html")
	if err != nil {
		t.Fatal(err)
	}
	var pageHits atomic.Int32
	pages := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pageHits.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	t.Cleanup(pages.Close)
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>%[1]s/</link>`+
			`<item><title>A</title><link>%[1]s/a</link><guid>a</guid><description>Teaser</description></item>`+
			`<item><title>B</title><link>%[1]s/b</link><guid>b</guid><description>Teaser</description></item>`+
			`<item><title>C</title><link>%[1]s/c</link><guid>c</guid><description>Teaser</description></item>`+
			`</channel></rss>`, pages.URL)
	}))
	t.Cleanup(feed.Close)
	write := func(allow bool) string {
		conf := filepath.Join(dir, "config.yaml")
		writeFile(t, conf, fmt.Sprintf("storage:\n  dsn: store.db\nfetch:\n  allow_private_networks: %t\nsources:\n"+
			"  - name: news\n    url: %s/feed\n    fulltext: true\nfeeds:\n  - name: all\n", allow, feed.URL))
		return conf
	}
	// The feed's own origin is the source's, allowed; the pages' is not.
	code, out, _ := runCmd(t, ctx, "--config", write(false), "fetch")
	want := "news: new (3 new, 0 updated, 0 unchanged), 0 pages extracted, 3 failed, " +
		"3 pages refused by the address policy (set fetch.allow_private_networks: true to allow)"
	if code != exitOK || strings.TrimSpace(out) != want || pageHits.Load() != 0 {
		t.Fatalf("exit %d, page requests %d, output:\n%s\nwant:\n%s", code, pageHits.Load(), out, want)
	}
	// The docs show the line as it is.
	for _, doc := range []string{"../../docs/operations.md", "../../docs/security.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		if _, suffix, _ := strings.Cut(want, "failed, "); !strings.Contains(string(b), suffix) {
			t.Errorf("%s does not quote %q", doc, suffix)
		}
	}
	// The setting it names is the one that allows them.
	code, out, _ = runCmd(t, ctx, "--config", write(true), "fetch")
	if code != exitOK || !strings.Contains(out, "3 pages extracted") || strings.Contains(out, "refused") || pageHits.Load() != 3 {
		t.Fatalf("with the setting on: exit %d, page requests %d:\n%s", code, pageHits.Load(), out)
	}
}

// TestFetchLineNamesARealSetting checks that the key the fetch line tells
// operators to set is one the configuration reads, the one that lets the
// fetch client reach private addresses.
func TestFetchLineNamesARealSetting(t *testing.T) {
	dir := t.TempDir()
	section, key, ok := strings.Cut(pipeline.AllowPrivateNetworksKey, ".")
	if !ok {
		t.Fatalf("AllowPrivateNetworksKey %q is not section.key", pipeline.AllowPrivateNetworksKey)
	}
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, filepath.Join(dir, "f.xml"), rssFile("x", 1, time.Now()))
	writeFile(t, conf, fmt.Sprintf("%s:\n  %s: true\nsources:\n  - name: s\n    url: f.xml\nfeeds:\n  - name: all\n", section, key))
	cfg, err := config.Load(conf)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Fetch.AllowPrivateNetworks {
		t.Fatalf("%s: true did not set fetch.allow_private_networks", pipeline.AllowPrivateNetworksKey)
	}
}

// TestFingerprintsFollowTheConfiguration lists, by configuration key,
// which changes of a source make its next run fetch afresh: what the
// fetch reads moves a fingerprint; schedule, tags, retention, enabled and
// the URL's password do not.
func TestFingerprintsFollowTheConfiguration(t *testing.T) {
	base := func() (*config.Config, config.Source) {
		cfg := &config.Config{Fetch: config.Fetch{MaxItemsPerSource: 1000}}
		s := config.Source{Name: "blog", URL: "https://u:pw@blog.example/", Kind: "page", Enabled: true, Schedule: "@every 1h",
			Tags: []string{"a"}, Selectors: sources.Selectors{Item: "article"}, FullText: true, Remove: []string{".share"},
			Replace: []sources.Replace{{Field: "title", Pattern: " - Blog$"}}}
		return cfg, s
	}
	tests := []struct {
		key    string
		change func(*config.Config, *config.Source)
		moves  bool
	}{
		{"url", func(_ *config.Config, s *config.Source) { s.URL = "https://u:pw@blog.example/news" }, true},
		{"kind", func(_ *config.Config, s *config.Source) { s.Kind = "feed" }, true},
		{"selectors", func(_ *config.Config, s *config.Source) { s.Selectors.Item = "div.post" }, true},
		{"fulltext", func(_ *config.Config, s *config.Source) { s.FullText = false }, true},
		{"remove", func(_ *config.Config, s *config.Source) { s.Remove = nil }, true},
		{"replace", func(_ *config.Config, s *config.Source) { s.Replace[0].With = "!" }, true},
		{"fetch.max_items_per_source", func(c *config.Config, _ *config.Source) { c.Fetch.MaxItemsPerSource = 10 }, true},
		{"schedule", func(_ *config.Config, s *config.Source) { s.Schedule = "@every 2h" }, false},
		{"tags", func(_ *config.Config, s *config.Source) { s.Tags = []string{"b"} }, false},
		{"retention", func(_ *config.Config, s *config.Source) { s.Retention.MaxItems = 5 }, false},
		{"enabled", func(_ *config.Config, s *config.Source) { s.Enabled = false }, false},
		{"url password", func(_ *config.Config, s *config.Source) { s.URL = "https://u:other@blog.example/" }, false},
		{"fetch.timeout", func(c *config.Config, _ *config.Source) { c.Fetch.Timeout = 1 }, false},
	}
	cfg, s := base()
	want := pipelineSource(cfg, s).Fingerprints()
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			cfg, s := base()
			tt.change(cfg, &s)
			got := pipelineSource(cfg, s).Fingerprints()
			if moved := got != want; moved != tt.moves {
				t.Errorf("changing %s moved the fingerprints = %t, want %t", tt.key, moved, tt.moves)
			}
		})
	}
}
