package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRewriteAndLeadImage runs the published side as an operator sets
// it up: a source whose remove and replace rules clean its items (a
// share bar by class, " - The Ledger" in titles), and two feeds of it,
// one with the default lead image figure and one with
// lead_image_in_content: false. The built JSON Feeds show the items
// rewritten, and the lead image with its caption and credit at the top
// of the first feed's content only.
func TestRewriteAndLeadImage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>The Ledger</title><link>https://ledger.example/</link>
<item><title>Rents frozen - The Ledger</title><link>https://ledger.example/rents</link><guid>rents</guid>
<content:encoded><![CDATA[<p id="lead" class="intro">The story.</p><div class="share-bar"><a href="https://ledger.example/share">Share</a></div>]]></content:encoded>
<media:content url="https://cdn.ledger.example/rents.jpg" medium="image"><media:description>Tenants march. Photo: Jane Doe</media:description></media:content>
</item></channel></rss>`)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, conf, fmt.Sprintf(`storage:
  dsn: store.db
sources:
  - name: ledger
    url: %s/feed
    remove: [.share-bar]
    replace:
      - {field: title, pattern: '\s+-\s+The Ledger$'}
feeds:
  - name: all
  - name: plain
    lead_image_in_content: false
`, srv.URL))
	ctx := context.Background()
	if code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch"); code != exitOK {
		t.Fatalf("fetch: exit %d\n%s%s", code, out, errOut)
	}
	out := filepath.Join(dir, "public")
	if code, _, errOut := runCmd(t, ctx, "--config", conf, "build", "--out", out); code != exitOK {
		t.Fatalf("build: %s", errOut)
	}
	item := func(name string) (title, content string) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, "feeds", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var jf struct {
			Items []struct {
				Title   string `json:"title"`
				Content string `json:"content_html"`
			} `json:"items"`
		}
		if err := json.Unmarshal(b, &jf); err != nil || len(jf.Items) != 1 {
			t.Fatalf("%s.json: %d items, %v", name, len(jf.Items), err)
		}
		return jf.Items[0].Title, jf.Items[0].Content
	}
	const story = "<p>The story.</p>"
	title, content := item("all")
	const figure = `<figure><img src="https://cdn.ledger.example/rents.jpg" alt="Tenants march. Photo: Jane Doe">` +
		`<figcaption>Tenants march. Photo: Jane Doe</figcaption></figure>`
	if title != "Rents frozen" || content != figure+story {
		t.Errorf("all.json: title %q content %q; want %q and the figure before %q", title, content, "Rents frozen", story)
	}
	if title, content := item("plain"); title != "Rents frozen" || content != story {
		t.Errorf("plain.json: title %q content %q; want %q and %q", title, content, "Rents frozen", story)
	}
	if strings.Contains(content, "Share") {
		t.Errorf("the share bar is left: %q", content)
	}
}
