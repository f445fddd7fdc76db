package sources

import (
	"fmt"
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
