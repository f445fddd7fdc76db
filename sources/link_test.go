package sources

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// TestLocalDocumentsKeepLocalLinks: a feed or listing read from a local
// file keeps its items' links to local files (their pages, which full text
// reads beside the file as the source's policy allows); one fetched over
// http(s) never yields a file: link, and no document keeps a link that runs
// code.
func TestLocalDocumentsKeepLocalLinks(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, docURL, link, want string
	}{
		{"relative page of a local feed", "file:///srv/site/feed.xml", "story.html", "file:///srv/site/story.html"},
		{"absolute file link of a local feed", "file:///srv/site/feed.xml", "file:///srv/site/story.html", "file:///srv/site/story.html"},
		// Kept as written: the fetch policy, not the parser, refuses
		// what lies outside the source's directory.
		{"file link elsewhere of a local feed", "file:///srv/site/feed.xml", "../../etc/passwd", "file:///etc/passwd"},
		{"web link of a local feed", "file:///srv/site/feed.xml", "https://news.example/story", "https://news.example/story"},
		{"script link of a local feed", "file:///srv/site/feed.xml", "javascript:alert(1)", ""},
		{"relative link of a web feed", "https://news.example/feed.xml", "story.html", "https://news.example/story.html"},
		{"file link of a web feed", "https://news.example/feed.xml", "file:///etc/passwd", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rss := fmt.Sprintf(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>`+
				`<item><title>Story</title><guid>s1</guid><link>%s</link><description>Teaser</description></item></channel></rss>`, tt.link)
			res, err := Parse([]byte(rss), "application/rss+xml", tt.docURL, "s", now)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Articles) != 1 || res.Articles[0].Link != tt.want {
				t.Fatalf("feed: articles %+v, want one linking to %q", res.Articles, tt.want)
			}
			page := fmt.Sprintf(`<html><body><article><h2><a href="%s">Story</a></h2></article></body></html>`, tt.link)
			arts, err := Scrape([]byte(page), tt.docURL, "s", Selectors{Item: "article", Title: "h2", Link: "h2 a@href"}, now)
			if err != nil {
				t.Fatal(err)
			}
			if len(arts) != 1 || arts[0].Link != tt.want {
				t.Fatalf("listing: articles %+v, want one linking to %q", arts, tt.want)
			}
		})
	}
}

// TestRelativeLinksAreNoted: a feed item whose link is relative is
// resolved against the document, and Result.RelativeLinks keeps the link
// as written under the article's id (what `tributary preview` warns of);
// absolute links, guid permalinks and scraped pages are not noted.
func TestRelativeLinksAreNoted(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	rss := `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>` +
		`<item><title>Rel</title><guid isPermaLink="false">r</guid><link>/2026/rel.html</link></item>` +
		`<item><title>Proto</title><guid isPermaLink="false">p</guid><link>//cdn.example/p.html</link></item>` +
		`<item><title>Abs</title><guid isPermaLink="false">a</guid><link>https://news.example/abs.html</link></item>` +
		`<item><title>Guid</title><guid>https://news.example/guid.html</guid></item>` +
		`<item><title>None</title><guid isPermaLink="false">n</guid></item>` +
		"<item><title>Ctl</title><guid isPermaLink=\"false\">c</guid><link>x\x1b[31m.html</link></item>" +
		`</channel></rss>`
	res, err := Parse([]byte(rss), "application/rss+xml", "https://news.example/feed/", "s", now)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"r": "/2026/rel.html", "p": "//cdn.example/p.html", "c": "x[31m.html"}
	if len(res.RelativeLinks) != len(want) {
		t.Errorf("RelativeLinks = %q, want %q", res.RelativeLinks, want)
	}
	for id, raw := range want {
		if res.RelativeLinks[id] != raw {
			t.Errorf("RelativeLinks[%q] = %q, want %q", id, res.RelativeLinks[id], raw)
		}
	}
	if a := res.Articles[0]; a.Link != "https://news.example/2026/rel.html" {
		t.Errorf("relative link resolved to %q", a.Link)
	}

	page := `<html><body><article><h2><a href="/story">Story</a></h2></article></body></html>`
	srv := newFixtureServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(page))
	})
	pres, err := Fetch(t.Context(), srv.Client(), Request{Source: Source{Name: "s", URL: srv.URL, Kind: KindPage, Selectors: Selectors{Item: "article"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pres.Articles) != 1 || pres.RelativeLinks != nil {
		t.Errorf("scraped page: %d articles, RelativeLinks %q; want 1 and none", len(pres.Articles), pres.RelativeLinks)
	}
}
