package pipeline

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/tributary/tributary/sources"
)

func TestFeedDateWinsAndPageDateFillsIn(t *testing.T) {
	// The feed's date is kept when it has a plausible one; the page's
	// (here Parse.ly's and Dublin Core's tags) fills in when it has none
	// or one no story can have.
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	page := `<html><head><meta name="parsely-pub-date" content="2025-06-01T09:00:00Z"><meta name="dcterms.modified" content="2025-06-02T09:00:00Z"></head>
<body><article><h1>Story</h1>` + storyParagraphs + `</article></body></html>`
	srv := serveFeedAndPages(t, `<rss version="2.0"><channel><title>t</title>
<item><guid>dated</guid><title>Dated</title><link>%[1]s/dated</link><pubDate>Fri, 02 Jan 2026 10:00:00 GMT</pubDate><description>teaser</description></item>
<item><guid>undated</guid><title>Undated</title><link>%[1]s/undated</link><description>teaser</description></item>
<item><guid>epoch</guid><title>Epoch</title><link>%[1]s/epoch</link><pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate><description>teaser</description></item>
</channel></rss>`, "application/rss+xml", map[string]string{"/dated": page, "/undated": page, "/epoch": page})
	r := newRunner(st)
	now := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)
	r.Now = func() time.Time { return now }
	if out := r.Run(ctx, Source{Source: sources.Source{Name: "s", URL: srv.URL + "/feed"}, FullText: true}, false); out.New != 3 || out.Pages != 3 {
		t.Fatalf("run: %+v (%v)", out, out.Err)
	}
	fromPage := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	for id, want := range map[string]time.Time{
		"dated":   time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC),
		"undated": fromPage,
		"epoch":   fromPage,
	} {
		a, err := st.Article(ctx, "s", id)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Published.Equal(want) {
			t.Errorf("%s: published %v, want %v", id, a.Published, want)
		}
		if !a.Updated.Equal(time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: updated %v, want the page's", id, a.Updated)
		}
	}
}
