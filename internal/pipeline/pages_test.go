package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/sources"
)

// storyParagraphs is enough text for readability to take a page's article.
var storyParagraphs = strings.Repeat(`<p>A long enough paragraph of the story so that readability keeps it as the article body text.</p>`, 5)

// serveFeedAndPages serves feed (with %[1]s standing for the server's URL)
// at /feed and pages[path] as HTML.
func serveFeedAndPages(t *testing.T, feed, contentType string, pages map[string]string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed" {
			w.Header().Set("Content-Type", contentType)
			fmt.Fprintf(w, feed, srv.URL)
			return
		}
		p, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, p)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestImplausiblePageDatesAreIgnored(t *testing.T) {
	// Teaser items without dates whose pages claim 2099, 1970 or year 0:
	// none of those dates reaches the store, while a sane one does.
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	page := func(published, modified string) string {
		return `<html><head><meta property="og:title" content="Story"><meta property="article:published_time" content="` + published +
			`"><meta property="article:modified_time" content="` + modified + `"></head><body><article><h1>Story</h1>` + storyParagraphs + `</article></body></html>`
	}
	srv := serveFeedAndPages(t, `<rss version="2.0"><channel><title>t</title>
<item><guid>future</guid><title>Future</title><link>%[1]s/future</link><description>teaser</description></item>
<item><guid>past</guid><title>Past</title><link>%[1]s/past</link><description>teaser</description></item>
<item><guid>sane</guid><title>Sane</title><link>%[1]s/sane</link><description>teaser</description></item>
</channel></rss>`, "application/rss+xml", map[string]string{
		"/future": page("2099-01-01T00:00:00Z", "2099-01-02T00:00:00Z"),
		"/past":   page("1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z"),
		"/sane":   page("2025-12-31T10:00:00Z", "2026-01-01T10:00:00Z"),
	})
	r := newRunner(st)
	r.Now = func() time.Time { return now }
	if out := r.Run(ctx, Source{Source: sources.Source{Name: "s", URL: srv.URL + "/feed"}, FullText: true}, false); out.New != 3 || out.Pages != 3 {
		t.Fatalf("run: %+v (%v)", out, out.Err)
	}
	for _, id := range []string{"future", "past"} {
		a, err := st.Article(ctx, "s", id)
		if err != nil {
			t.Fatal(err)
		}
		for name, d := range map[string]time.Time{"published": a.Published, "updated": a.Updated} {
			if d.Year() == 2099 || !d.IsZero() && d.Year() < 1995 {
				t.Errorf("%s: %s %v, a date the page should not have been trusted with", id, name, d)
			}
		}
	}
	a, err := st.Article(ctx, "s", "sane")
	if err != nil {
		t.Fatal(err)
	}
	if !a.Published.Equal(time.Date(2025, 12, 31, 10, 0, 0, 0, time.UTC)) || !a.Updated.Equal(time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("sane: published %v updated %v", a.Published, a.Updated)
	}
}

func TestFeedAuthorTakesBioFromAnonymousAuthorBox(t *testing.T) {
	// Pages shaped like ../../../shared/samples/news-story.txt: no byline, an
	// "About the author" box that names no one. The feed names the author;
	// the bio goes to that author and leaves the story.
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	story := func(box string) string {
		return `<html><head><meta property="og:title" content="Putin, Trump Forms Pact"></head><body><article><h1>Putin, Trump Forms Pact</h1>` +
			storyParagraphs + box + `</article></body></html>`
	}
	srv := serveFeedAndPages(t, `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id><updated>2025-12-01T00:00:00Z</updated>
<author><name>The Editors</name></author>
<entry><id>urn:one</id><title>One</title><link href="%[1]s/one"/><updated>2025-12-01T00:00:00Z</updated><summary>teaser</summary>
<author><name>Nico Parungo</name><email>nico@news.example</email></author></entry>
<entry><id>urn:two</id><title>Two</title><link href="%[1]s/two"/><updated>2025-12-01T00:00:00Z</updated><summary>teaser</summary>
<author><name>Jane Doe</name></author><author><name>Nico Parungo</name></author></entry>
<entry><id>urn:three</id><title>Three</title><link href="%[1]s/three"/><updated>2025-12-01T00:00:00Z</updated><summary>teaser</summary></entry>
<entry><id>urn:four</id><title>Four</title><link href="%[1]s/four"/><updated>2025-12-01T00:00:00Z</updated><summary>teaser</summary>
<author><name>The Editors</name></author></entry>
</feed>`, "application/atom+xml", map[string]string{
		"/one": story(`<h4>About the author</h4><p>` + bio + `</p>`),
		"/two": story(`<h4>About Nico Parungo</h4><p>` + bio + `</p>`),
		// No author of its own: the feed's "The Editors" did not write
		// it, so the writer's bio must not become theirs.
		"/three": story(`<h4>About the author</h4><p>` + bio + `</p>`),
		// Its own author, who happens to be the feed's too (single-author
		// blogs): the bio is theirs.
		"/four": story(`<h4>About the author</h4><p>` + bio + `</p>`),
	})
	if out := newRunner(st).Run(ctx, Source{Source: sources.Source{Name: "wire", URL: srv.URL + "/feed"}, FullText: true}, false); out.New != 4 || out.Pages != 4 {
		t.Fatalf("run: %+v (%v)", out, out.Err)
	}
	three, err := st.Article(ctx, "wire", "urn:three")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(three.Authors, []feeds.Author{{Name: "The Editors"}}) || !strings.Contains(feeds.PlainText(three.Content), "graduated with a bachelor") {
		t.Errorf("urn:three: authors %+v; the bio must stay in the content, not go to the feed's author:\n%s", three.Authors, three.Content)
	}
	for _, tc := range []struct {
		id   string
		want []feeds.Author
	}{
		{"urn:one", []feeds.Author{{Name: "Nico Parungo", Email: "nico@news.example", Bio: bio}}},
		{"urn:two", []feeds.Author{{Name: "Jane Doe"}, {Name: "Nico Parungo", Bio: bio}}},
		{"urn:four", []feeds.Author{{Name: "The Editors", Bio: bio}}},
	} {
		a, err := st.Article(ctx, "wire", tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Authors, tc.want) {
			t.Errorf("%s: authors %+v\nwant %+v", tc.id, a.Authors, tc.want)
		}
		text := feeds.PlainText(a.Content)
		if strings.Contains(text, "graduated with a bachelor") || strings.Contains(text, "About ") {
			t.Errorf("%s: the author box is still in the content:\n%s", tc.id, text)
		}
		if !strings.Contains(text, "A long enough paragraph of the story") {
			t.Errorf("%s: the story is missing:\n%s", tc.id, text)
		}
	}
}
