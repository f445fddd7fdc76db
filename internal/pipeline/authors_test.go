package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/sources"
)

// TestPageAuthorReachesStore serves pages of the extract package's author
// fixtures behind a feed that names the handle or the account instead of
// the person: the person the page names is stored, with their own profile,
// avatar and bio, and nothing of the feed's or the account's.
func TestPageAuthorReachesStore(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	// The fixtures share their story (see extract's authorFixture).
	dir := "../../sources/extract/testdata/authors"
	story, err := os.ReadFile(filepath.Join(dir, "story.txt"))
	if err != nil {
		t.Fatal(err)
	}
	fixture := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Replace(string(b), "<!-- story -->", string(story), 1)
	}
	srv := serveFeedAndPages(t, `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id><updated>2025-12-01T00:00:00Z</updated>
<entry><id>urn:handle</id><title>Ferry</title><link href="%[1]s/handle"/><updated>2025-12-01T00:00:00Z</updated><summary>teaser</summary>
<author><name>@erinmcunningham</name></author></entry>
<entry><id>urn:account</id><title>Ferry</title><link href="%[1]s/account"/><updated>2025-12-01T00:00:00Z</updated><summary>teaser</summary>
<author><name>CC7567</name><email>cc7567@wiki.example</email></author></entry>
</feed>`, "application/atom+xml", map[string]string{
		"/handle":  fixture("handle-byline.html"),
		"/account": fixture("jsonld-account.html"),
	})
	if out := newRunner(st).Run(ctx, Source{Source: sources.Source{Name: "wire", URL: srv.URL + "/feed"}, FullText: true}, false); out.New != 2 || out.Pages != 2 {
		t.Fatalf("run: %+v (%v)", out, out.Err)
	}
	for _, tc := range []struct {
		id   string
		want []feeds.Author
	}{
		{"urn:handle", []feeds.Author{{Name: "Erin Cunningham", URL: srv.URL + "/people/erin-cunningham"}}},
		{"urn:account", []feeds.Author{{Name: "James Akinaka", URL: "https://fandom.example/u/CC7567",
			Avatar: srv.URL + "/img/james.jpg", Bio: "James Akinaka writes about ferries, tides and the islands for the wiki."}}},
	} {
		a, err := st.Article(ctx, "wire", tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Authors, tc.want) {
			t.Errorf("%s: authors %+v\nwant %+v", tc.id, a.Authors, tc.want)
		}
	}
}
