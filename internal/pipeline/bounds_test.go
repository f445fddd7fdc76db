package pipeline

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/sources"
)

// TestStoredArticleIsBounded fetches a feed whose item carries a 700 KB
// description and links to a page of 900 KB of prose whose author has a
// 20 KB bio: what is stored is cut to the bounds of feeds.Bound, and the
// cut HTML is still whole.
func TestStoredArticleIsBounded(t *testing.T) {
	para := "<p>" + strings.Repeat("Words of a long story, sentence after sentence. ", 20) + "</p>\n"
	var page strings.Builder
	fmt.Fprintf(&page, `<!DOCTYPE html><html><head><title>Long story</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Long story","author":{"@type":"Person","name":"Ann Writer","description":%q}}</script>
</head><body><article><h1>Long story</h1>`, strings.Repeat("A long bio. ", 20<<10/12))
	for page.Len() < 900<<10 {
		page.WriteString(para)
	}
	page.WriteString("</article></body></html>")
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/story" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, page.String())
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>%[1]s/</link>
<item><title>Long story</title><link>%[1]s/story</link><guid>urn:long</guid><author>ann@example.com (Ann Writer)</author><description><![CDATA[%[2]s]]></description></item>
</channel></rss>`, srv.URL, strings.Repeat(para, 700<<10/len(para)))
	}))
	t.Cleanup(srv.Close)

	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	out := newRunner(st).Run(ctx, Source{Source: sources.Source{Name: "long", URL: srv.URL + "/feed"}, FullText: true}, false)
	if out.Status != StatusNew || out.Pages != 1 {
		t.Fatalf("run: %+v (%v)", out, out.Err)
	}
	a, err := st.Article(ctx, "long", "urn:long")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(a.Content); n > feeds.MaxContentBytes || n < feeds.MaxContentBytes/2 || !strings.HasSuffix(a.Content, "…</p>") {
		t.Errorf("content of %d bytes ending %q, want at most %d ending with an ellipsis", n, a.Content[max(0, n-20):], feeds.MaxContentBytes)
	}
	if n := len(a.Summary); n > feeds.MaxSummaryBytes || !strings.HasSuffix(a.Summary, "…</p>") {
		t.Errorf("summary of %d bytes, want at most %d beside content, ending with an ellipsis", n, feeds.MaxSummaryBytes)
	}
	if len(a.Authors) != 1 || a.Authors[0].Name != "Ann Writer" {
		t.Fatalf("authors %+v", a.Authors)
	}
	if n := utf8.RuneCountInString(a.Authors[0].Bio); n == 0 || n > feeds.MaxBioRunes {
		t.Errorf("bio of %d runes, want 1 to %d", n, feeds.MaxBioRunes)
	}
}
