package sources

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// veryDeep is markup nested 3,000 elements deep, past the 512 open elements
// the HTML parser accepts, holding one line of text at the bottom.
var veryDeep = strings.Repeat(`<div class="w">`, 3000) + "<p>Bottom of the pile.</p>" + strings.Repeat("</div>", 3000)

// TestVeryDeepHTML: HTML nested 3,000 deep costs at most its deepest
// markup, whichever way it arrives: a listing page scraped with kind:
// page, a page whose feed is discovered, or a feed item's content.
func TestVeryDeepHTML(t *testing.T) {
	listing := `<!DOCTYPE html><html><head><title>Press</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body><ul>
<li class="entry"><a class="headline" href="/2024/one">First story</a></li>
<li class="entry"><a class="headline" href="/2024/two">Second story</a></li>
</ul><footer>` + veryDeep + `</footer></body></html>`
	item := func(n int, desc string) string {
		return fmt.Sprintf(`<item><title>Story %d</title><link>https://news.example/%d</link><description><![CDATA[%s]]></description></item>`, n, n, desc)
	}
	feed := `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>` +
		item(1, "<p>Before.</p>"+veryDeep) + item(2, "<p>Shallow.</p>") + `</channel></rss>`
	srv := newFixtureServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/press/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(listing))
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			_, _ = w.Write([]byte(feed))
		default:
			http.NotFound(w, r)
		}
	})

	t.Run("kind page", func(t *testing.T) {
		res, err := Fetch(context.Background(), srv.Client(), Request{Source: Source{Name: "press", URL: srv.URL + "/press/", Kind: "page",
			Selectors: Selectors{Item: "li.entry", Title: ".headline", Link: ".headline@href"}}})
		if err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		var titles []string
		for _, a := range res.Articles {
			titles = append(titles, a.Title)
		}
		if strings.Join(titles, "|") != "First story|Second story" {
			t.Errorf("scraped %q, want the two stories", titles)
		}
	})
	t.Run("discovery and item content", func(t *testing.T) {
		res, err := Fetch(context.Background(), srv.Client(), Request{Source: Source{Name: "news", URL: srv.URL + "/press/"}})
		if err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		if want := srv.URL + "/feed.xml"; res.FeedURL != want {
			t.Errorf("FeedURL = %q, want %q", res.FeedURL, want)
		}
		if len(res.Articles) != 2 {
			t.Fatalf("%d articles, want 2", len(res.Articles))
		}
		if s := res.Articles[0].Summary; !strings.Contains(s, "Before.") || !strings.Contains(s, "Bottom of the pile.") {
			t.Errorf("deep item lost its text: %.200q", s)
		}
	})
}
