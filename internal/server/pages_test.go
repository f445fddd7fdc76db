package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/publish"
	"github.com/tributary/tributary/internal/xmlcheck"
)

// pagedServer serves feed "all" of n stories in pages of limit, with
// links to the server's own URL, and returns the server's URL.
func pagedServer(t *testing.T, n, limit int) string {
	t.Helper()
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var arts []feeds.Article
	for i := range n {
		arts = append(arts, feeds.Article{ID: fmt.Sprint(i), Source: "a", Title: fmt.Sprintf("Story %d", i),
			Link: fmt.Sprintf("https://example.com/%d", i), Summary: "<p>Summary</p>", Published: base.Add(-time.Duration(i) * time.Hour)})
	}
	if _, err := st.UpsertArticles(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	// The links name the server's own address: known once it listens,
	// before it serves.
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	url := "http://" + srv.Listener.Addr().String()
	pub := publish.New(st, publish.Options{BaseURL: url, Feeds: []publish.Feed{{Name: "all", Sources: []string{"a"}, Limit: limit}}})
	srv.Config.Handler = New(Options{Publisher: pub})
	srv.Start()
	return srv.URL
}

// TestPagedFeedWalkedToTheEnd follows next links over HTTP in every
// format: 7 stories in pages of 3 are 3 pages, every story once; each
// page has its own ETag and answers 304 to it.
func TestPagedFeedWalkedToTheEnd(t *testing.T) {
	url := pagedServer(t, 7, 3)
	for _, format := range feeds.AllFormats() {
		t.Run(format.Ext(), func(t *testing.T) {
			seen := map[string]bool{}
			etags := map[string]bool{}
			pages := 0
			for u := url + "/feeds/all." + format.Ext(); u != ""; pages++ {
				if pages > 10 {
					t.Fatal("more than 10 pages")
				}
				resp, body := get(t, "GET", u, nil)
				if resp.StatusCode != 200 {
					t.Fatalf("%s: status %d", u, resp.StatusCode)
				}
				etag := resp.Header.Get("ETag")
				if etags[etag] {
					t.Errorf("%s: ETag %s of another page", u, etag)
				}
				etags[etag] = true
				if r, _ := get(t, "GET", u, map[string]string{"If-None-Match": etag}); r.StatusCode != http.StatusNotModified {
					t.Errorf("%s: revalidation status %d, want 304", u, r.StatusCode)
				}
				f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if f.FeedLink != u {
					t.Errorf("self link %q on %s", f.FeedLink, u)
				}
				for _, it := range f.Items {
					if seen[it.Title] {
						t.Errorf("%s seen twice", it.Title)
					}
					seen[it.Title] = true
				}
				_, u, err = xmlcheck.FeedLinks(body, format == feeds.JSON)
				if err != nil {
					t.Fatal(err)
				}
			}
			if pages != 3 || len(seen) != 7 {
				t.Errorf("%d stories on %d pages, want 7 on 3", len(seen), pages)
			}
		})
	}
}

// TestPageURLs: ?page=1 redirects to the feed's URL; a page past the end,
// 0 and numbers written otherwise are 404; the static paths a built site
// has answer the same bytes as ?page=N.
func TestPageURLs(t *testing.T) {
	url := pagedServer(t, 7, 3)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(url + "/feeds/all.atom?page=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/feeds/all.atom" {
		t.Errorf("?page=1: %d to %q, want 301 to /feeds/all.atom", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, p := range []string{"/feeds/all.atom?page=4", "/feeds/all.atom?page=0", "/feeds/all.atom?page=02", "/feeds/all.atom?page=x",
		"/feeds/all.atom?page=-2", "/feeds/all.atom?page=2&page=3", "/feeds/all?page=4", "/feeds/all/page/4.atom", "/feeds/all/page/1.atom",
		"/feeds/all/page/2.xml", "/feeds/nope/page/2.atom", "/feeds/nope/", "/feeds/all/page/2.html?page=3"} {
		if r, _ := get(t, "GET", url+p, nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, r.StatusCode)
		}
	}
	for _, pair := range [][2]string{
		{"/feeds/all.atom?page=2", "/feeds/all/page/2.atom"},
		// A reader's tracking parameters are ignored, as on the first page.
		{"/feeds/all.atom?utm_source=reader&page=2", "/feeds/all/page/2.atom"},
		{"/feeds/all.atom?utm_source=reader", "/feeds/all.atom"},
		{"/feeds/all.json?page=3", "/feeds/all/page/3.json"},
		{"/feeds/all?page=2", "/feeds/all/page/2.html"},
		{"/feeds/all", "/feeds/all/"},
		{"/feeds/all", "/feeds/all/index.html"},
		{"/", "/index.html"},
	} {
		r1, b1 := get(t, "GET", url+pair[0], nil)
		r2, b2 := get(t, "GET", url+pair[1], nil)
		if r1.StatusCode != 200 || r2.StatusCode != 200 || !bytes.Equal(b1, b2) {
			t.Errorf("%s (%d) and %s (%d) differ", pair[0], r1.StatusCode, pair[1], r2.StatusCode)
		}
	}
	r, b := get(t, "GET", url+"/feeds/all?page=2", nil)
	if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" || !strings.Contains(string(b), "Story 3") ||
		!strings.Contains(string(b), `href="`+url+`/feeds/all?page=3" rel="next"`) || !strings.Contains(string(b), `href="`+url+`/feeds/all" rel="prev"`) {
		t.Errorf("HTML page 2 (%s):\n%s", ct, b)
	}
}
