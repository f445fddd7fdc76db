package publish

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/sqlite"
)

// TestAttributionAndFeedMetadata: with a real SQLite store, items are
// attributed to the feed their source fetched as it describes itself
// (saved with the source's state), completed with the configured name and
// URL, credentials left out; the feed's icon, logo, language and rights
// reach the renderings.
func TestAttributionAndFeedMetadata(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	arts := []feeds.Article{
		{ID: "1", Source: "described", Origin: "https://user:pw@a.example/feed.xml?token=s3cr3t&lang=en", Title: "One", Link: "https://a.example/1", Published: now},
		{ID: "2", Source: "page", Origin: "https://b.example/news?api_key=k3y", Title: "Two", Link: "https://b.example/2", Published: now.Add(-time.Hour)},
		{ID: "3", Source: "local", Origin: "file:///srv/feed.xml", Title: "Three", Link: "https://c.example/3", Published: now.Add(-2 * time.Hour)},
	}
	if _, err := st.UpsertArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveSourceState(ctx, store.SourceState{Name: "described", Feed: feeds.SourceFeed{
		Title: "A News", ID: "tag:a.example,2026:feed", Link: "https://a.example/",
		URL: "https://a.example/feed.xml?token=s3cr3t&lang=en",
	}}); err != nil {
		t.Fatal(err)
	}
	p := New(st, Options{BaseURL: "https://pub.example", Feeds: []Feed{{
		Name: "all", Sources: []string{"described", "page", "local"}, Limit: 10,
		Icon: "https://pub.example/favicon.ico", Logo: "https://pub.example/logo.png", Language: "fr-CA", Rights: "© Pub",
	}}})
	items, err := p.Articles(ctx, "all")
	if err != nil {
		t.Fatal(err)
	}
	want := []feeds.SourceFeed{
		{Title: "A News", ID: "tag:a.example,2026:feed", Link: "https://a.example/", URL: "https://a.example/feed.xml?lang=en"},
		{Title: "page", URL: "https://b.example/news"},
		{Title: "local"},
	}
	for i, it := range items {
		if it.Via == nil || *it.Via != want[i] {
			t.Errorf("item %s attributed to %+v, want %+v", it.ID, it.Via, want[i])
		}
	}

	r, err := p.Render(ctx, "all", feeds.JSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"s3cr3t", "k3y", "pw@"} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("the JSON Feed shows a credential %q:\n%s", secret, r.Body)
		}
	}
	var doc struct {
		Icon, Favicon, Language string
		Ext                     struct{ Rights string } `json:"_tributary"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Icon != "https://pub.example/logo.png" || doc.Favicon != "https://pub.example/favicon.ico" || doc.Language != "fr-CA" || doc.Ext.Rights != "© Pub" {
		t.Errorf("JSON Feed metadata %+v", doc)
	}
	atom, err := p.Render(ctx, "all", feeds.Atom)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{`xml:lang="fr-CA"`, "<icon>https://pub.example/favicon.ico</icon>", "<logo>https://pub.example/logo.png</logo>", "<rights>© Pub</rights>",
		"<source>", "<id>tag:a.example,2026:feed</id>", `<link href="https://a.example/feed.xml?lang=en" rel="self"></link>`} {
		if !strings.Contains(string(atom.Body), part) {
			t.Errorf("Atom rendering lacks %s:\n%s", part, atom.Body)
		}
	}
}
