package pipeline

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

	"github.com/tributary/tributary/sources"
)

// TestChangedRemoveExtractsPagesAgain: a full-text source whose feed and
// pages answer 304 to conditional requests. A change of its remove
// selectors makes the next run parse the feed again and fetch the pages
// without validators, extracting them with the new selectors; the run
// after is conditional again; RunAfresh does the same by hand.
func TestChangedRemoveExtractsPagesAgain(t *testing.T) {
	ctx := context.Background()
	page, err := os.ReadFile("testdata/site/fbi-warns-of-phishing.html")
	if err != nil {
		t.Fatal(err)
	}
	var feed304, page304, page200 atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			if r.Header.Get("If-None-Match") == `"f1"` {
				feed304.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"f1"`)
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>%[1]s/</link>`+
				`<item><title>FBI</title><link>%[1]s/story</link><guid>story</guid><description>Teaser</description></item>`+
				`</channel></rss>`, srv.URL)
		case "/story":
			if r.Header.Get("If-None-Match") == `"p1"` {
				page304.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			page200.Add(1)
			w.Header().Set("ETag", `"p1"`)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	r := newRunner(st)
	src := Source{Source: sources.Source{Name: "s", URL: srv.URL + "/feed"}, FullText: true}
	const agents = "Agents said the campaign"
	content := func() string {
		t.Helper()
		a, err := st.Article(ctx, "s", "story")
		if err != nil {
			t.Fatal(err)
		}
		return a.Content
	}
	run := func(what string, afresh bool) Outcome {
		t.Helper()
		var out Outcome
		if afresh {
			out = r.RunAfresh(ctx, src)
		} else {
			out = r.Run(ctx, src, true)
		}
		if out.Status == StatusFailed {
			t.Fatalf("%s: %v", what, out.Err)
		}
		return out
	}
	run("first run", false)
	if page200.Load() != 1 || !strings.Contains(content(), agents) {
		t.Fatalf("first run: %d page fetches, content %.200q", page200.Load(), content())
	}
	// Nothing changed: the feed answers 304, the page is not asked for.
	if out := run("second run", false); !out.NotModified || page200.Load()+page304.Load() != 1 {
		t.Fatalf("second run: %+v, page 200s %d 304s %d; want a 304 and no page fetch", out, page200.Load(), page304.Load())
	}

	// The operator removes a paragraph: the feed is parsed again and the
	// page fetched whole and extracted without it.
	src.Rewrite.Remove = []string{".entry-content > p:nth-of-type(3)"}
	feeds304 := feed304.Load()
	out := run("after the remove change", false)
	if out.NotModified || feed304.Load() != feeds304 || page200.Load() != 2 || page304.Load() != 0 || out.Pages != 1 {
		t.Fatalf("after the change: %+v; feed 304s %d→%d, page 200s %d, 304s %d; want the feed and page fetched whole",
			out, feeds304, feed304.Load(), page200.Load(), page304.Load())
	}
	if c := content(); strings.Contains(c, agents) || !strings.Contains(c, "unusually well written") {
		t.Fatalf("the page was not extracted with the new remove selector: %.400q", c)
	}
	// Remembered: the next run is conditional again.
	if out := run("after that", false); !out.NotModified || page200.Load() != 2 {
		t.Fatalf("the run after the change: %+v, page 200s %d; want a 304 and no page fetch", out, page200.Load())
	}

	// RunAfresh: the feed and its page are fetched whole although nothing
	// changed.
	feeds304 = feed304.Load()
	if out := run("RunAfresh", true); out.NotModified || feed304.Load() != feeds304 || page200.Load() != 3 || out.Pages != 1 {
		t.Fatalf("RunAfresh: %+v, feed 304s %d→%d, page 200s %d; want both fetched whole", out, feeds304, feed304.Load(), page200.Load())
	}

}

// TestChangedRewriteParsesTheFeedAgain: a source without full text whose
// feed answers 304. Adding a replace or remove rule makes the next run
// fetch the feed without validators and store the articles rewritten;
// the run after is conditional again.
func TestChangedRewriteParsesTheFeedAgain(t *testing.T) {
	ctx := context.Background()
	var feed200, feed304 atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"f1"` {
			feed304.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		feed200.Add(1)
		w.Header().Set("ETag", `"f1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://site.example/</link>`+
			`<item><title>Rents frozen - The Ledger</title><link>https://site.example/rents</link>`+
			`<description><![CDATA[<p>The story.</p><p class="share">Share it</p>]]></description></item></channel></rss>`)
	}))
	t.Cleanup(srv.Close)
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	r := newRunner(st)
	src := Source{Source: sources.Source{Name: "s", URL: srv.URL}}
	run := func(what string) Outcome {
		t.Helper()
		out := r.Run(ctx, src, true)
		if out.Status == StatusFailed {
			t.Fatalf("%s: %v", what, out.Err)
		}
		return out
	}
	stored := func() (title, summary string) {
		t.Helper()
		a, err := st.Article(ctx, "s", "https://site.example/rents")
		if err != nil {
			t.Fatal(err)
		}
		return a.Title, a.Summary
	}
	run("first run")
	if out := run("second run"); !out.NotModified {
		t.Fatalf("second run: %+v, want a 304", out)
	}
	src.Rewrite = sources.Rewrite{Remove: []string{".share"}, Replace: []sources.Replace{{Field: "title", Pattern: ` - The Ledger$`}}}
	if out := run("after the change"); out.NotModified || feed200.Load() != 2 {
		t.Fatalf("after the change: %+v, %d full fetches; want the feed fetched whole", out, feed200.Load())
	}
	if title, summary := stored(); title != "Rents frozen" || strings.Contains(summary, "Share") {
		t.Errorf("stored title %q summary %q, want them rewritten", title, summary)
	}
	if out := run("after that"); !out.NotModified || feed304.Load() != 2 {
		t.Fatalf("the run after the change: %+v; want a 304", out)
	}
}
