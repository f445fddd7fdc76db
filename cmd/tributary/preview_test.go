package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode"

	"github.com/mmcdole/gofeed"
)

// runPreview runs `tributary preview ARGS...` and returns its exit code,
// stdout and stderr.
func runPreview(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), append([]string{"preview"}, args...), &o, &e)
	return code, o.String(), e.String()
}

// previewWarningLines returns the warnings a text preview printed, after
// checking that their count is the one announced.
func previewWarningLines(t *testing.T, out string) []string {
	t.Helper()
	_, tail, ok := strings.Cut(out, "\nWarnings (")
	if !ok {
		if !strings.Contains(out, "\nNo warnings.\n") {
			t.Fatalf("neither warnings nor \"No warnings.\" in:\n%s", out)
		}
		return nil
	}
	count, list, _ := strings.Cut(tail, "):\n")
	var ws []string
	for _, l := range strings.Split(strings.TrimRight(list, "\n"), "\n") {
		w, ok := strings.CutPrefix(l, "  - ")
		if !ok {
			t.Fatalf("warning line %q in:\n%s", l, out)
		}
		ws = append(ws, w)
	}
	if n, err := strconv.Atoi(count); err != nil || n != len(ws) {
		t.Fatalf("announced %q warnings, printed %d:\n%s", count, len(ws), out)
	}
	return ws
}

// previewBlock returns the lines of article n (from 1) of a text preview.
func previewBlock(t *testing.T, out string, n int) string {
	t.Helper()
	_, rest, ok := strings.Cut(out, fmt.Sprintf("\n\n%d. ", n))
	if !ok {
		t.Fatalf("no article %d in:\n%s", n, out)
	}
	block, _, _ := strings.Cut(rest, "\n\n")
	return block
}

// hasWarning reports whether one of ws starts with prefix and contains
// every part.
func hasWarning(ws []string, prefix string, parts ...string) bool {
	return slices.ContainsFunc(ws, func(w string) bool {
		if !strings.HasPrefix(w, prefix) {
			return false
		}
		for _, p := range parts {
			if !strings.Contains(w, p) {
				return false
			}
		}
		return true
	})
}

// previewFeed is an RSS feed with an item of each kind preview warns of:
// a relative link (1), an undated item (2), a teaser linking to its page
// (3), and a complete item (4) it has nothing to say about.
const previewFeed = `<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Preview news</title><link>https://news.example/</link><description>d</description>
<item><title>Relative</title><guid isPermaLink="false">rel</guid><link>/stories/relative.html</link>
<pubDate>Mon, 05 Jan 2026 10:00:00 +0000</pubDate><content:encoded>%[1]s</content:encoded></item>
<item><title>Undated</title><guid isPermaLink="false">undated</guid><link>https://news.example/undated.html</link>
<content:encoded>%[1]s</content:encoded></item>
<item><title>Teaser</title><guid isPermaLink="false">teaser</guid><link>https://news.example/teaser.html</link>
<pubDate>Sun, 04 Jan 2026 10:00:00 +0000</pubDate><dc:creator>Ann Writer</dc:creator><description>Only the first lines of the story…</description></item>
<item><title>Complete</title><guid isPermaLink="false">complete</guid><link>https://news.example/complete.html</link>
<pubDate>Sat, 03 Jan 2026 10:00:00 +0000</pubDate><content:encoded>%[1]s</content:encoded></item>
</channel></rss>`

// longStory is more text than a teaser.
var longStory = "<p>" + strings.Repeat("The whole story, told at length. ", 30) + "</p>"

// TestPreviewFeedWarnings: a feed on 127.0.0.1 (allowed: the user typed
// it) is printed article by article, and the warnings name the relative
// link (as written and as resolved), the undated item and the teaser, and
// nothing about the complete item.
func TestPreviewFeedWarnings(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, previewFeed, longStory)
	}))
	defer srv.Close()
	code, out, errOut := runPreview(t, srv.URL+"/feed.xml")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"Source:   " + srv.URL + "/feed.xml\n", "Title:    Preview news\n", "Articles: 4\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if b := previewBlock(t, out, 1); !strings.Contains(b, "link:      "+srv.URL+"/stories/relative.html") ||
		!strings.Contains(b, "published: 2026-01-05T10:00:00Z") || !strings.Contains(b, "content:   (") {
		t.Errorf("article 1:\n%s", b)
	}
	if b := previewBlock(t, out, 3); !strings.Contains(b, "author:    Ann Writer") || !strings.Contains(b, "summary:   (34 characters) Only the first lines of the story…") {
		t.Errorf("article 3:\n%s", b)
	}
	ws := previewWarningLines(t, out)
	if len(ws) != 3 {
		t.Errorf("want 3 warnings, got %q", ws)
	}
	if !hasWarning(ws, "article 1: relative link", `"/stories/relative.html"`, srv.URL+"/stories/relative.html") {
		t.Errorf("no relative link warning in %q", ws)
	}
	if !hasWarning(ws, "article 2: no date") {
		t.Errorf("no undated warning in %q", ws)
	}
	if !hasWarning(ws, "article 3: only a teaser", "--fulltext") {
		t.Errorf("no teaser warning in %q", ws)
	}
}

// TestPreviewSaysWhenItemsAreLeftOut: a feed longer than
// fetch.max_items_per_source is previewed as a source keeps it, the first
// items, and a warning says the rest are left out; a feed within the cap
// gets no such warning.
func TestPreviewSaysWhenItemsAreLeftOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Long</title><link>https://long.example/</link><description>d</description>`)
		for i := range n {
			fmt.Fprintf(w, `<item><title>Story %d</title><link>https://long.example/%d</link><pubDate>Mon, 05 Jan 2026 10:00:00 +0000</pubDate><description>Text.</description></item>`, i, i)
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	defer srv.Close()
	conf := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, conf, "fetch:\n  max_items_per_source: 5\nsources:\n  - name: x\n    url: https://long.example/feed\nfeeds:\n  - name: all\n")
	code, out, errOut := runPreview(t, "--config", conf, srv.URL+"/feed?n=8")
	if code != exitOK || !strings.Contains(out, "Articles: 5\n") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if ws := previewWarningLines(t, out); !hasWarning(ws, "the document lists more than 5 articles", "fetch.max_items_per_source") {
		t.Errorf("warnings %q", ws)
	}
	code, out, errOut = runPreview(t, "--config", conf, srv.URL+"/feed?n=5")
	if code != exitOK || !strings.Contains(out, "Articles: 5\n") || strings.Contains(out, "more than") {
		t.Errorf("a feed of exactly the cap: exit %d\n%s%s", code, out, errOut)
	}
}

// previewSite serves a page advertising its feed, the feed (a teaser
// item whose link is the shipped sample story, served here), and the
// story page; pages counts the story's requests.
func previewSite(t *testing.T) (srv *httptest.Server, pages *atomic.Int32) {
	t.Helper()
	story, err := os.ReadFile("../../examples/putin-trump-cyber-crime-pact.html")
	if err != nil {
		t.Fatal(err)
	}
	pages = &atomic.Int32{}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><head><title>Home</title><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>Home</body></html>`)
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Site news</title><link>/</link><description>d</description>`+
				`<item><title>Putin, Trump Forms Pact</title><guid isPermaLink="false">pact</guid><link>`+"http://"+r.Host+`/pact.html</link>`+
				`<pubDate>Mon, 10 Jul 2017 08:30:00 +0000</pubDate><dc:creator>Nico Parungo</dc:creator><description>A teaser.</description></item></channel></rss>`)
		case "/pact.html":
			pages.Add(1)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(story)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, pages
}

// TestPreviewDiscoveryAndFullText: a home page is followed to the feed it
// advertises; with --fulltext the story's page gives the full text, the
// author's bio and the image credit; without it, no page is fetched and
// the teaser is a warning.
func TestPreviewDiscoveryAndFullText(t *testing.T) {
	srv, pages := previewSite(t)
	code, out, errOut := runPreview(t, srv.URL+"/", "--fulltext")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "Feed:     "+srv.URL+"/feed.xml (advertised by the page)\n") || !strings.Contains(out, "Articles: 1 (full text: 1 pages extracted, 0 failed)") {
		t.Errorf("header:\n%s", out)
	}
	b := previewBlock(t, out, 1)
	for _, want := range []string{"     bio:     " + firstRunBio, "     credit:  " + firstRunCredit, "page:      extracted", "content:   ("} {
		if !strings.Contains(b, want) {
			t.Errorf("article lacks %q:\n%s", want, b)
		}
	}
	if ws := previewWarningLines(t, out); len(ws) != 0 {
		t.Errorf("warnings %q", ws)
	}
	if pages.Load() != 1 {
		t.Errorf("story page fetched %d times, want 1", pages.Load())
	}

	code, out, _ = runPreview(t, srv.URL+"/")
	if code != exitOK || pages.Load() != 1 {
		t.Fatalf("without --fulltext: exit %d, %d page fetches\n%s", code, pages.Load(), out)
	}
	if ws := previewWarningLines(t, out); len(ws) != 1 || !hasWarning(ws, "article 1: only a teaser") {
		t.Errorf("without --fulltext: warnings %q", ws)
	}
}

// TestPreviewOfflineSampleStoresNothing previews the shipped sample with
// --fulltext beside a copy of the shipped config.yaml (whose store is a
// SQLite file in that directory): the bio and the credit "FBI" are shown,
// as text and as JSON Feed (read by encoding/json and gofeed), and no
// database file appears.
func TestPreviewOfflineSampleStoresNothing(t *testing.T) {
	conf := shippedCopy(t)
	dir := filepath.Dir(conf)
	t.Chdir(dir)
	before := dirDigest(t, dir)

	code, out, errOut := runPreview(t, "examples/sample-feed.xml", "--fulltext")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	b := previewBlock(t, out, 1)
	for _, want := range []string{"author:    " + firstRunAuthor, "bio:     " + firstRunBio, "credit:  " + firstRunCredit, "page:      extracted"} {
		if !strings.Contains(b, want) {
			t.Errorf("sample story lacks %q:\n%s", want, b)
		}
	}

	code, js, errOut := runPreview(t, "--config", conf, "--json", "--fulltext", filepath.Join(dir, "examples", "sample-feed.xml"))
	if code != exitOK {
		t.Fatalf("--json: exit %d\n%s", code, errOut)
	}
	var doc struct {
		Version string `json:"version"`
		Items   []struct {
			Title string `json:"title"`
			Ext   struct {
				Authors []struct{ Name, Bio string }
				Image   struct{ Credit string }
			} `json:"_tributary"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, js)
	}
	if doc.Version != "https://jsonfeed.org/version/1.1" || len(doc.Items) != 3 {
		t.Fatalf("JSON Feed: version %q, %d items", doc.Version, len(doc.Items))
	}
	x := doc.Items[0].Ext
	if len(x.Authors) != 1 || x.Authors[0].Name != firstRunAuthor || x.Authors[0].Bio != firstRunBio || x.Image.Credit != firstRunCredit {
		t.Errorf("_tributary of the sample story: %+v", x)
	}
	f, err := gofeed.NewParser().ParseString(js)
	if err != nil || f.FeedType != "json" || len(f.Items) != 3 || !strings.Contains(f.Items[0].Content, firstRunBody[0]) {
		t.Errorf("gofeed reads the --json output: %v, %+v", err, f)
	}
	if !strings.Contains(errOut, "Warnings (1):") || !strings.Contains(errOut, "relative link") {
		t.Errorf("--json: the warnings go to stderr:\n%s", errOut)
	}

	if after := dirDigest(t, dir); after != before {
		t.Error("preview changed the project directory (a store was created?)")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "tributary.db*")); len(m) > 0 {
		t.Errorf("preview created %q", m)
	}
}

// previewListing is a listing page for --kind page.
const previewListing = `<html><head><title>Press</title></head><body><ul>
<li class="entry"><h2 class="headline"><a href="/press/launch">Product launch</a></h2><span class="when">2026-01-05</span></li>
<li class="entry"><h2 class="headline"><a href="/press/hire">New hire</a></h2><span class="when">2026-01-04</span></li>
</ul></body></html>`

// TestPreviewPageSelectors: --kind page scrapes with the --selector
// given; a selector that matches nothing is a warning (an item selector
// too: exit 0, no articles); an invalid or unknown selector, or one
// without --kind page, is a usage error before anything is fetched.
func TestPreviewPageSelectors(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, previewListing)
	}))
	defer srv.Close()

	code, out, errOut := runPreview(t, srv.URL+"/press/", "--kind", "page", "--selector", "item=li.entry", "--selector", "title=.headline",
		"--selector", "date=.when", "--selector", "image=figure img")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "Articles: 2\n") || !strings.Contains(previewBlock(t, out, 1), "link:      "+srv.URL+"/press/launch") ||
		!strings.Contains(previewBlock(t, out, 2), "published: 2026-01-04T00:00:00Z") {
		t.Errorf("scraped:\n%s", out)
	}
	// The listing gives no summaries: each item is a teaser of its page.
	ws := previewWarningLines(t, out)
	if len(ws) != 3 || !hasWarning(ws, `selector image "figure img" matched nothing in any item`) ||
		!hasWarning(ws, "article 1: only a teaser") || !hasWarning(ws, "article 2: only a teaser") {
		t.Errorf("warnings %q", ws)
	}

	code, out, errOut = runPreview(t, srv.URL+"/press/", "--kind", "page", "--selector", "item=div.post")
	if code != exitOK || !strings.Contains(out, "Articles: 0\n") {
		t.Fatalf("item matching nothing: exit %d\n%s%s", code, out, errOut)
	}
	if ws := previewWarningLines(t, out); len(ws) != 1 || !hasWarning(ws, `selector item "div.post" matched nothing`) {
		t.Errorf("item matching nothing: warnings %q", ws)
	}

	fetched := hits.Load()
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"invalid css", []string{"--kind", "page", "--selector", "item=li.entry", "--selector", "title=h2["}, `--selector: selector title "h2["`},
		{"unknown key", []string{"--kind", "page", "--selector", "item=li", "--selector", "headline=h2"}, `unknown selector key "headline"`},
		{"no value", []string{"--kind", "page", "--selector", "item"}, "want KEY=CSS"},
		{"twice", []string{"--kind", "page", "--selector", "item=li", "--selector", "item=div"}, "selector item given twice"},
		{"no item", []string{"--kind", "page", "--selector", "title=h2"}, "--kind page needs --selector item=CSS"},
		{"feed kind", []string{"--selector", "item=li"}, "--selector needs --kind page"},
		{"unknown kind", []string{"--kind", "listing"}, `unknown --kind "listing"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runPreview(t, append([]string{srv.URL + "/press/"}, tt.args...)...)
			if code != exitUsage || !strings.Contains(errOut, tt.want) || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, out, errOut, tt.want)
			}
		})
	}
	if hits.Load() != fetched {
		t.Errorf("a usage error fetched the page")
	}
}

// TestPreviewHostileText: a feed whose title, author, bio-less byline,
// link and text carry escape sequences, a bell, a carriage return and a
// bidi override prints none of them: every byte of the output is
// printable but the newlines.
func TestPreviewHostileText(t *testing.T) {
	const evil = "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\r\u202eevil\u009b"
	feed := `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T` + evil + `</title><link>https://news.example/</link><description>d</description>` +
		`<item><title>Story ` + evil + `</title><guid isPermaLink="false">s</guid><link>story` + evil + `.html</link>` +
		`<dc:creator>Eve ` + evil + `</dc:creator><category>tag` + evil + `</category><description>Text ` + evil + ` &#27;[1m &amp;#x1b;</description></item></channel></rss>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, feed)
	}))
	defer srv.Close()
	code, out, errOut := runPreview(t, srv.URL+"/feed.xml")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "1. Story ") || !strings.Contains(out, "author:    Eve ") || !strings.Contains(out, "summary:   (") {
		t.Fatalf("the story is not shown:\n%s", out)
	}
	for _, r := range out + errOut {
		if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)) {
			t.Fatalf("output carries %U:\n%q", r, out)
		}
	}
}

// TestPreviewExitCodes: a fetch that fails exits 1 with the reason, a
// password in the URL shown nowhere; bad arguments exit 2.
func TestPreviewExitCodes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "reader" || p != "s3cret-pw" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Path != "/feed.xml" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, previewFeed, longStory)
	}))
	defer srv.Close()
	withPassword := strings.Replace(srv.URL, "http://", "http://reader:s3cret-pw@", 1)

	code, out, errOut := runPreview(t, withPassword+"/feed.xml")
	if code != exitOK || !strings.Contains(out, "Articles: 4") {
		t.Fatalf("with credentials: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "s3cret-pw") {
		t.Errorf("the password is printed:\n%s%s", out, errOut)
	}
	code, out, errOut = runPreview(t, withPassword+"/missing.xml")
	if code != exitFailed || !regexp.MustCompile(`^tributary: preview: http 404 Not Found from http://xxxxx@127\.0\.0\.1:\d+/missing\.xml\n$`).MatchString(errOut) || out != "" {
		t.Errorf("404: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if strings.Contains(out+errOut, "s3cret-pw") {
		t.Errorf("the password is printed: %s", errOut)
	}
	code, _, errOut = runPreview(t, "--json", withPassword+"/missing.xml")
	if code != exitFailed || strings.Contains(errOut, "s3cret-pw") {
		t.Errorf("--json 404: exit %d, stderr %q", code, errOut)
	}

	missing := filepath.Join(t.TempDir(), "nope.xml")
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no argument", nil, exitUsage, "preview takes one URL or file (got 0 arguments)"},
		{"two arguments", []string{"a.xml", "b.xml"}, exitUsage, "preview takes one URL or file (got 2 arguments)"},
		{"unsupported scheme", []string{"ftp://news.example/feed"}, exitUsage, `unsupported scheme "ftp"`},
		{"missing file", []string{missing}, exitFailed, "local file " + missing + " does not exist"},
		{"directory", []string{t.TempDir()}, exitFailed, "is a directory"},
		{"refused", []string{"http://127.0.0.1:1/feed"}, exitFailed, "tributary: preview: fetch http://127.0.0.1:1/feed:"},
		{"bad config", []string{"--config", missing, srv.URL}, exitUsage, "nope.xml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runPreview(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.want)
			}
		})
	}
}

// TestPreviewHonoursFetchSettings: a story page on another loopback
// origin than the one typed is refused by the default address policy (a
// warning naming the setting that allows it, the teaser kept); with a
// configuration that allows private networks it is extracted.
func TestPreviewHonoursFetchSettings(t *testing.T) {
	pagesSrv, pages := previewSite(t)
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Elsewhere</title><link>https://news.example/</link><description>d</description>`+
			`<item><title>Pact</title><guid isPermaLink="false">pact</guid><link>`+pagesSrv.URL+`/pact.html</link><pubDate>Mon, 10 Jul 2017 08:30:00 +0000</pubDate><description>A teaser.</description></item></channel></rss>`)
	}))
	defer feed.Close()

	code, out, errOut := runPreview(t, feed.URL, "--fulltext")
	if code != exitOK || pages.Load() != 0 {
		t.Fatalf("exit %d, %d page fetches\n%s%s", code, pages.Load(), out, errOut)
	}
	if !strings.Contains(out, "(full text: 0 pages extracted, 1 failed)") || !strings.Contains(previewBlock(t, out, 1), "summary:   (9 characters) A teaser.") {
		t.Errorf("refused page:\n%s", out)
	}
	if ws := previewWarningLines(t, out); len(ws) != 1 || !hasWarning(ws, "article 1: page not extracted", "set fetch.allow_private_networks: true to allow") {
		t.Errorf("warnings %q", ws)
	}

	conf := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, conf, "fetch:\n  allow_private_networks: true\nsources:\n  - name: x\n    url: https://news.example/feed\nfeeds:\n  - name: all\n")
	code, out, errOut = runPreview(t, "--config", conf, feed.URL, "--fulltext")
	if code != exitOK || pages.Load() != 1 || !strings.Contains(previewBlock(t, out, 1), "bio:     "+firstRunBio) {
		t.Errorf("allowed by the configuration: exit %d, %d page fetches\n%s%s", code, pages.Load(), out, errOut)
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(conf), "*.db*")); len(m) > 0 {
		t.Errorf("preview created %q", m)
	}
}

// TestPreviewTarget: what the argument of preview names.
func TestPreviewTarget(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "feed.xml")
	writeFile(t, file, "<rss/>")
	t.Chdir(dir)
	for _, tt := range []struct{ arg, want string }{
		{"https://news.example/feed?a=B", "https://news.example/feed?a=B"},
		{"HTTP://News.example/Feed", "http://News.example/Feed"},
		{"feed.xml", file},
		{"./feed.xml", file},
		{file, file},
		{"file://" + file, file},
		{"file://localhost" + file, file},
	} {
		got, err := previewTarget(tt.arg)
		if err != nil || got != tt.want {
			t.Errorf("previewTarget(%q) = %q, %v; want %q", tt.arg, got, err, tt.want)
		}
	}
	for _, arg := range []string{"file://otherhost/feed.xml", "gopher://news.example/", "https:///feed"} {
		if _, err := previewTarget(arg); err == nil {
			t.Errorf("previewTarget(%q): no error", arg)
		}
	}
}
