package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/sources"
)

// policySite is a source on a loopback (non-public) origin: a feed whose
// items link to a page on its own origin, a page that redirects within
// it, a page of the other source's origin and a page that redirects
// there. Its /trap path is what the other source's links point at, and
// counts the requests that reached it.
type policySite struct {
	*httptest.Server
	traps atomic.Int32
	other *policySite
}

func newPolicySite(t *testing.T, page []byte) *policySite {
	t.Helper()
	s := &policySite{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>%[1]s/</link>`+
				`<item><title>Own</title><link>%[1]s/own</link><guid>own</guid><description>Teaser</description></item>`+
				`<item><title>Moved</title><link>%[1]s/moved</link><guid>moved</guid><description>Teaser</description></item>`+
				`<item><title>Other</title><link>%[2]s/trap</link><guid>other</guid><description>Teaser</description></item>`+
				`<item><title>Away</title><link>%[1]s/away</link><guid>away</guid><description>Teaser</description></item>`+
				`</channel></rss>`, s.URL, s.other.URL)
		case "/own", "/own-2":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
		case "/moved":
			http.Redirect(w, r, "/own-2", http.StatusFound)
		case "/away":
			http.Redirect(w, r, s.other.URL+"/trap", http.StatusFound)
		case "/trap":
			s.traps.Add(1)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// TestSourcePolicyCoversItsPagesOnly runs two sources on two non-public
// origins at once through one Runner, so through one shared fetch client.
// Each source's article pages get its allowance (its own origin, also
// after a redirect within it) and no more: a page on the other source's
// origin, linked or redirected to, is refused, however the runs interleave.
func TestSourcePolicyCoversItsPagesOnly(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	page, err := os.ReadFile("testdata/site/fbi-warns-of-phishing.html")
	if err != nil {
		t.Fatal(err)
	}
	a, b := newPolicySite(t, page), newPolicySite(t, page)
	a.other, b.other = b, a
	r := newRunner(st)
	// Each round runs the two sources under new names, so that every
	// page is fetched again.
	for round := range 3 {
		var wg sync.WaitGroup
		outs := make([]Outcome, 2)
		for i, s := range []*policySite{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[i] = r.Run(ctx, Source{Source: sources.Source{Name: fmt.Sprintf("s%d-%d", i, round), URL: s.URL + "/feed"}, FullText: true}, true)
			}()
		}
		wg.Wait()
		for i, out := range outs {
			if out.Status == StatusFailed || out.Pages != 2 || out.PageErrors != 2 {
				t.Fatalf("round %d, source s%d: %+v; want 2 pages extracted and 2 refused", round, i, out)
			}
			for _, id := range []string{"own", "moved"} {
				art, err := st.Article(ctx, fmt.Sprintf("s%d-%d", i, round), id)
				if err != nil {
					t.Fatal(err)
				}
				if art.Page == nil || art.Page.Error != "" || !strings.Contains(art.Content, "unusually well written") {
					t.Errorf("round %d, s%d %s: page %+v, content %.60q; want the page's text", round, i, id, art.Page, art.Content)
				}
			}
			for _, id := range []string{"other", "away"} {
				art, err := st.Article(ctx, fmt.Sprintf("s%d-%d", i, round), id)
				if err != nil {
					t.Fatal(err)
				}
				if art.Page == nil || !strings.Contains(art.Page.Error, strings.TrimPrefix(fetch.ErrBlockedAddress.Error(), "fetch: ")) {
					t.Errorf("round %d, s%d %s: page %+v; want the address refused", round, i, id, art.Page)
				}
			}
		}
	}
	if n, m := a.traps.Load(), b.traps.Load(); n != 0 || m != 0 {
		t.Errorf("a source's page reached the other source's origin: %d, %d requests", n, m)
	}
}

// TestLocalSourceReadsPagesBesideItOnly runs a local feed with full text
// whose items link to pages: one beside the feed is read and extracted;
// one up a directory, one elsewhere by absolute path, one in a
// subdirectory and one through a symbolic link out of the directory are
// refused, recorded as page errors, and their text never reaches the
// store.
func TestLocalSourceReadsPagesBesideItOnly(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	site := filepath.Join(root, "site")
	page, err := os.ReadFile("testdata/site/fbi-warns-of-phishing.html")
	if err != nil {
		t.Fatal(err)
	}
	// The pages outside say so in their text, which must never be stored.
	outside := strings.ReplaceAll(string(page), "unusually well written", "outside the source's directory")
	for path, body := range map[string]string{
		filepath.Join(site, "story.html"):        string(page),
		filepath.Join(site, "sub", "story.html"): outside,
		filepath.Join(root, "private.html"):      outside,
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../private.html", filepath.Join(site, "link.html")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	items := map[string]string{
		"beside":   "story.html",
		"up":       "../private.html",
		"absolute": "file://" + filepath.ToSlash(filepath.Join(root, "private.html")),
		"sub":      "sub/story.html",
		"symlink":  "link.html",
	}
	var feed strings.Builder
	feed.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title>`)
	for guid, link := range items {
		fmt.Fprintf(&feed, `<item><title>%[1]s</title><guid>%[1]s</guid><link>%[2]s</link><description>Teaser</description></item>`, guid, link)
	}
	feed.WriteString(`</channel></rss>`)
	feedPath := filepath.Join(site, "feed.xml")
	if err := os.WriteFile(feedPath, []byte(feed.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	src := Source{Source: sources.Source{Name: "local", URL: "file://" + filepath.ToSlash(feedPath)}, FullText: true}
	out := newRunner(st).Run(ctx, src, true)
	if out.Status != StatusNew || out.Pages != 1 || out.PageErrors != 4 {
		t.Fatalf("outcome %+v; want 1 page extracted and 4 refused", out)
	}
	for guid := range items {
		art, err := st.Article(ctx, "local", guid)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(art.Content, "outside the source's directory") {
			t.Fatalf("%s: a page outside the source's directory was read: %.200q", guid, art.Content)
		}
		if guid == "beside" {
			if art.Page == nil || art.Page.Error != "" || !strings.Contains(art.Content, "unusually well written") {
				t.Errorf("beside: page %+v, content %.60q; want the page's text", art.Page, art.Content)
			}
			continue
		}
		if art.Page == nil || !strings.Contains(art.Page.Error, strings.TrimPrefix(fetch.ErrLocalFile.Error(), "fetch: ")) {
			t.Errorf("%s: page %+v; want the file refused", guid, art.Page)
		}
	}
}
