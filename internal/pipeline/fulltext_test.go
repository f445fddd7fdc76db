package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/publish"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/sources"
)

// site serves testdata/site: a teaser-only feed and its article pages,
// with ETags, counting page requests.
type site struct {
	*httptest.Server
	mu       sync.Mutex
	pageHits map[string]int
	notMod   int
	broken   map[string]bool
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{pageHits: map[string]int{}, broken: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed.xml" {
			b, err := os.ReadFile("testdata/site/feed.xml")
			if err != nil {
				t.Error(err)
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(b)
			return
		}
		slug := strings.Trim(r.URL.Path, "/")
		if slug == "press" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			b, _ := os.ReadFile("testdata/site/press.html")
			w.Write(b)
			return
		}
		s.mu.Lock()
		s.pageHits[slug]++
		broken := s.broken[slug]
		s.mu.Unlock()
		if broken {
			http.Error(w, "oops", http.StatusInternalServerError)
			return
		}
		b, err := os.ReadFile(filepath.Join("testdata/site", slug+".html"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("If-None-Match") == `"`+slug+`"` {
			s.mu.Lock()
			s.notMod++
			s.mu.Unlock()
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"`+slug+`"`)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *site) hits(slug string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pageHits[slug]
}

const (
	bio = "Nico Parungo graduated with a bachelor degree in film making, before pursuing a writing career. He has been writing for more than four years, focusing on video games, comic books and WWE."
	cta = "Like and Follow our Facebook page"
	// note is furniture no single-page heuristic knows: only seeing it in
	// several articles of the source tells it apart.
	note = "every story on this site is checked by two independent editors"
)

func TestFullTextFromTeaserFeed(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	s := newSite(t)
	src := Source{Source: sources.Source{Name: "wire", URL: s.URL + "/feed.xml"}, FullText: true}
	r := newRunner(st)

	out := r.Run(ctx, src, false)
	if out.Status != StatusNew || out.New != 3 || out.Pages != 3 || out.PageErrors != 0 {
		t.Fatalf("first run: %+v (%v)", out, out.Err)
	}
	a, err := st.Article(ctx, "wire", "putin-trump-cyber-pact")
	if err != nil {
		t.Fatal(err)
	}
	text := feeds.PlainText(a.Content)
	for _, want := range []string{"impenetrable cyber crime group", "Fake News said 17 intel agencies", "Image from FBI"} {
		if !strings.Contains(text, want) {
			t.Errorf("full text lacks %q:\n%s", want, text)
		}
	}
	for _, unwanted := range []string{cta, note, "For comments and suggestions", "Share on Facebook", "About the author", "graduated with a bachelor", "First comment text", "Related stories", "newsletter", "All rights reserved", "sidebar story"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("full text still has %q:\n%s", unwanted, text)
		}
	}
	if len(a.Authors) != 1 {
		t.Fatalf("authors %+v", a.Authors)
	}
	au := a.Authors[0]
	if au.Name != "Nico Parungo" || au.URL != s.URL+"/author/nico-parungo/" || au.Avatar != s.URL+"/wp-content/uploads/avatars/nico.jpg" || au.Bio != bio {
		t.Errorf("author %+v", au)
	}
	if a.Image == nil || a.Image.URL != s.URL+"/wp-content/uploads/fbi-seal.jpg" || a.Image.Credit != "FBI" || a.Image.Width != 1024 || a.Image.Height != 576 {
		t.Errorf("image %+v", a.Image)
	}
	if a.Summary == "" || a.Page == nil || a.Page.ExtractedAt.IsZero() || a.Page.ETag != `"putin-trump-cyber-pact"` {
		t.Errorf("summary %q, page %+v", a.Summary, a.Page)
	}

	// A refresh does not fetch the pages again...
	out = r.Run(ctx, src, false)
	if out.Status != StatusUnchanged || out.Pages != 0 || s.hits("putin-trump-cyber-pact") != 1 {
		t.Fatalf("refresh: %+v, page fetched %d times", out, s.hits("putin-trump-cyber-pact"))
	}
	// ...and the stored full text survives it.
	if b, _ := st.Article(ctx, "wire", "putin-trump-cyber-pact"); b.Content != a.Content {
		t.Fatal("refresh replaced the extracted content")
	}

	// Syndicating sites get it all in every format.
	pub := publish.New(st, publish.Options{BaseURL: "http://pub.test", Feeds: []publish.Feed{{Name: "all", Sources: []string{"wire"}, Limit: 10}}})
	rend, err := pub.Render(ctx, "all", feeds.JSON)
	if err != nil {
		t.Fatal(err)
	}
	var jf struct {
		Items []struct {
			ID      string `json:"id"`
			Image   string `json:"image"`
			Authors []struct{ Name, URL, Avatar string }
			Ext     struct {
				Authors []struct{ Bio string }
				Image   struct{ Credit string }
			} `json:"_tributary"`
		}
	}
	if err := json.Unmarshal(rend.Body, &jf); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range jf.Items {
		if it.ID != feeds.ItemID("wire", "putin-trump-cyber-pact") {
			continue
		}
		found = true
		if it.Image != a.Image.URL || len(it.Authors) != 1 || it.Authors[0].Avatar != au.Avatar || it.Authors[0].URL != au.URL ||
			len(it.Ext.Authors) != 1 || it.Ext.Authors[0].Bio != bio || it.Ext.Image.Credit != "FBI" {
			t.Errorf("JSON item %+v", it)
		}
	}
	if !found {
		t.Fatalf("story missing from JSON feed: %s", rend.Body)
	}
	for _, format := range []feeds.Format{feeds.RSS, feeds.Atom} {
		rend, err := pub.Render(ctx, "all", format)
		if err != nil {
			t.Fatal(err)
		}
		body := string(rend.Body)
		for _, want := range []string{"<media:credit", ">FBI</media:credit>", "Nico Parungo", s.URL + "/author/nico-parungo/"} {
			if format == feeds.RSS && want == s.URL+"/author/nico-parungo/" {
				continue // RSS has no author link
			}
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q", format, want)
			}
		}
		if _, err := gofeed.NewParser().ParseString(body); err != nil {
			t.Errorf("%s does not parse: %v", format, err)
		}
	}
}

func TestFailedExtractionKeepsSummaryAndRetries(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	s := newSite(t)
	s.broken["fbi-warns-of-phishing"] = true
	now := time.Now()
	r := newRunner(st)
	r.Now = func() time.Time { return now }
	src := Source{Source: sources.Source{Name: "wire", URL: s.URL + "/feed.xml"}, FullText: true}

	out := r.Run(ctx, src, false)
	if out.Status != StatusNew || out.New != 3 || out.Pages != 2 || out.PageErrors != 1 {
		t.Fatalf("run: %+v", out)
	}
	a, err := st.Article(ctx, "wire", "fbi-warns-of-phishing")
	if err != nil {
		t.Fatal(err)
	}
	if a.Summary == "" || a.Page == nil || !strings.Contains(a.Page.Error, "500") || a.Page.Attempts != 1 {
		t.Fatalf("failed article: summary %q page %+v", a.Summary, a.Page)
	}
	// Not retried on the very next run (backoff)...
	r.Run(ctx, src, false)
	if n := s.hits("fbi-warns-of-phishing"); n != 1 {
		t.Fatalf("retried immediately: %d fetches", n)
	}
	// ...but later, and then it succeeds.
	s.mu.Lock()
	s.broken["fbi-warns-of-phishing"] = false
	s.mu.Unlock()
	now = now.Add(2 * time.Hour)
	out = r.Run(ctx, src, false)
	if out.Pages != 1 || out.PageErrors != 0 {
		t.Fatalf("retry: %+v", out)
	}
	a, _ = st.Article(ctx, "wire", "fbi-warns-of-phishing")
	if a.Page.Error != "" || !strings.Contains(feeds.PlainText(a.Content), "unusually well written") {
		t.Fatalf("after retry: page %+v content %q", a.Page, a.Content)
	}
}

func TestBoilerplateLearnedPerSource(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	s := newSite(t)
	r := newRunner(st)
	r.Run(ctx, Source{Source: sources.Source{Name: "wire", URL: s.URL + "/feed.xml"}, FullText: true}, false)
	state, err := st.SourceState(ctx, "wire")
	if err != nil {
		t.Fatal(err)
	}
	learned := strings.Join(state.Boilerplate, "\n")
	if !strings.Contains(learned, note) {
		t.Fatalf("recurring paragraph not learned: %q", state.Boilerplate)
	}
	arts, _ := st.Articles(ctx, store.Query{Sources: []string{"wire"}})
	if len(arts) != 3 {
		t.Fatalf("%d articles", len(arts))
	}
	for _, a := range arts {
		if strings.Contains(a.Content, note) || strings.Contains(a.Content, cta) {
			t.Errorf("%s still carries boilerplate: %s", a.ID, a.Content)
		}
		if len(feeds.PlainText(a.Content)) < 300 {
			t.Errorf("%s lost its story: %s", a.ID, a.Content)
		}
	}
}

func TestListingPageWithFullText(t *testing.T) {
	// A site without a feed: its listing page is scraped with selectors and
	// each item becomes a full article from its own page.
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	s := newSite(t)
	src := Source{Source: sources.Source{
		Name: "press", URL: s.URL + "/press", Kind: "page",
		Selectors: sources.Selectors{Item: "article.release", Title: "h2", Link: "h2 a@href", Summary: ".teaser", Date: "time@datetime"},
	}, FullText: true}
	out := newRunner(st).Run(ctx, src, false)
	if out.Status != StatusNew || out.New != 2 || out.Pages != 2 {
		t.Fatalf("run: %+v (%v)", out, out.Err)
	}
	arts, err := st.Articles(ctx, store.Query{Sources: []string{"press"}})
	if err != nil || len(arts) != 2 {
		t.Fatalf("%d articles, %v", len(arts), err)
	}
	a := arts[0]
	if a.Link != s.URL+"/putin-trump-cyber-pact/" || !a.Published.Equal(time.Date(2017, 7, 10, 8, 30, 0, 0, time.UTC)) {
		t.Errorf("scraped link %q published %v", a.Link, a.Published)
	}
	if !strings.Contains(feeds.PlainText(a.Content), "impenetrable cyber crime group") || len(a.Authors) == 0 || a.Authors[0].Bio != bio {
		t.Errorf("not a full article: authors %+v content %q", a.Authors, a.Content)
	}
}

func TestCaptionAndCreditInEveryFormat(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	s := newSite(t)
	if out := newRunner(st).Run(ctx, Source{Source: sources.Source{Name: "wire", URL: s.URL + "/feed.xml"}, FullText: true}, false); out.Pages != 3 {
		t.Fatalf("run: %+v", out)
	}
	a, err := st.Article(ctx, "wire", "fbi-warns-of-phishing")
	if err != nil {
		t.Fatal(err)
	}
	// The caption as written, beside the credit parsed from it.
	const caption, credit = "Phishing emails imitate official registration notices. Photo: Jane Doe/Reuters", "Jane Doe/Reuters"
	if a.Image == nil || a.Image.Caption != caption || a.Image.Credit != credit {
		t.Fatalf("image %+v", a.Image)
	}
	pub := publish.New(st, publish.Options{BaseURL: "http://pub.test", Feeds: []publish.Feed{{Name: "all", Sources: []string{"wire"}, Limit: 10}}})
	for _, format := range feeds.AllFormats() {
		rend, err := pub.Render(ctx, "all", format)
		if err != nil {
			t.Fatal(err)
		}
		f, err := gofeed.NewParser().ParseString(string(rend.Body))
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		var item *gofeed.Item
		for _, it := range f.Items {
			if strings.HasSuffix(it.Link, "/fbi-warns-of-phishing/") {
				item = it
			}
		}
		if item == nil {
			t.Fatalf("%s: story missing", format)
		}
		switch format {
		case feeds.JSON:
			var jf struct {
				Items []struct {
					URL string `json:"url"`
					Ext struct {
						Image struct{ Caption, Credit string }
					} `json:"_tributary"`
				}
			}
			if err := json.Unmarshal(rend.Body, &jf); err != nil {
				t.Fatal(err)
			}
			ok := false
			for _, it := range jf.Items {
				if strings.HasSuffix(it.URL, "/fbi-warns-of-phishing/") {
					ok = it.Ext.Image.Caption == caption && it.Ext.Image.Credit == credit
				}
			}
			if !ok {
				t.Errorf("JSON: caption or credit missing")
			}
		default:
			mc := item.Extensions["media"]["content"]
			if len(mc) == 0 {
				t.Fatalf("%s: no media:content", format)
			}
			got := map[string]string{}
			for name, exts := range mc[0].Children {
				got[name] = exts[0].Value
			}
			if mc[0].Attrs["url"] != a.Image.URL || got["credit"] != credit || got["description"] != caption {
				t.Errorf("%s: media:content %v %v", format, mc[0].Attrs, got)
			}
		}
	}
}

func TestPageTitleAndDateSurviveRefresh(t *testing.T) {
	// A feed entry with neither title nor date takes both from its page,
	// and keeps them on later runs that reuse the extraction.
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed" {
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>t</title><item><guid>x</guid><link>%s/story</link><description>teaser</description></item></channel></rss>`, srv.URL)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><meta property="og:title" content="The Real Title"><meta property="article:published_time" content="2021-03-04T05:06:07Z"></head><body><article><h1>The Real Title</h1>`+
			strings.Repeat(`<p>A long enough paragraph of the story so that readability keeps it as the article body text.</p>`, 5)+`</article></body></html>`)
	}))
	defer srv.Close()
	r := newRunner(st)
	src := Source{Source: sources.Source{Name: "s", URL: srv.URL + "/feed"}, FullText: true}
	if out := r.Run(ctx, src, false); out.New != 1 || out.Pages != 1 {
		t.Fatalf("first run: %+v", out)
	}
	for range 2 {
		if out := r.Run(ctx, src, false); out.Status != StatusUnchanged {
			t.Fatalf("refresh: %+v", out)
		}
	}
	a, err := st.Article(ctx, "s", "x")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "The Real Title" || !a.Published.Equal(time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)) {
		t.Fatalf("title %q published %v", a.Title, a.Published)
	}
}

func TestFullTextFromJSONLDAndBylinePages(t *testing.T) {
	// The extract package's JSON-LD-only and byline-only pages, served over
	// HTTP behind a teaser feed: the whole story reaches the store.
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	pages := map[string]string{"/berlin": "jsonld.html", "/night-shift": "byline.html"}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed" {
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>t</title>
<item><guid>berlin</guid><title>Berlin</title><link>%[1]s/berlin</link><description>teaser</description></item>
<item><guid>night</guid><title>Night</title><link>%[1]s/night-shift</link><description>teaser</description></item></channel></rss>`, srv.URL)
			return
		}
		b, err := os.ReadFile(filepath.Join("../../sources/extract/testdata", pages[r.URL.Path]))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b)
	}))
	defer srv.Close()
	if out := newRunner(st).Run(ctx, Source{Source: sources.Source{Name: "mixed", URL: srv.URL + "/feed"}, FullText: true}, false); out.Pages != 2 {
		t.Fatalf("run: %+v", out)
	}
	for _, tc := range []struct{ id, author, authorURL, bioStart string }{
		{"berlin", "Anna Keller", srv.URL + "/staff/anna-keller", "Anna Keller is the Ledger's Berlin correspondent."},
		{"night", "Jane Doe", srv.URL + "/authors/jane", "Jane Doe writes about the harbor"},
	} {
		a, err := st.Article(ctx, "mixed", tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Authors) != 1 || a.Authors[0].Name != tc.author || a.Authors[0].URL != tc.authorURL || !strings.HasPrefix(a.Authors[0].Bio, tc.bioStart) {
			t.Errorf("%s: authors %+v", tc.id, a.Authors)
		}
		if a.Image == nil || a.Image.URL == "" || a.Published.IsZero() || len(feeds.PlainText(a.Content)) < 500 {
			t.Errorf("%s: image %+v, published %v, %d characters of text", tc.id, a.Image, a.Published, len(feeds.PlainText(a.Content)))
		}
		if strings.Contains(feeds.PlainText(a.Content), tc.bioStart) {
			t.Errorf("%s: the bio is still in the content", tc.id)
		}
	}
}
