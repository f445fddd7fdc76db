package feeds

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestCanonicalLink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/a/b", "https://example.com/a/b"},
		{"HTTP://WWW.Example.COM/a/b/", "https://example.com/a/b"},
		{"http://example.com:80/a", "https://example.com/a"},
		{"https://example.com:443/a", "https://example.com/a"},
		{"https://example.com:8443/a", "https://example.com:8443/a"},
		{"https://example.com/a#comments", "https://example.com/a"},
		{"https://example.com/a?utm_source=rss&utm_medium=feed&UTM_Campaign=x", "https://example.com/a"},
		{"https://example.com/a?id=3&fbclid=abc&gclid=def&ref=home", "https://example.com/a?id=3&ref=home"},
		{"https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"},
		{"https://example.com", "https://example.com/"},
		{"https://example.com/", "https://example.com/"},
		{"https://example.com//", "https://example.com/"},
		{"https://www.example.com./a", "https://example.com/a"},
		{"https://example.com/A/Path", "https://example.com/A/Path"},
		{"  https://example.com/a  ", "https://example.com/a"},
		{"https://[::1]:8080/a", "https://[::1]:8080/a"},
		{"/relative/path", "/relative/path"},
		{"", ""},
		{"urn:isbn:123", "urn:isbn:123"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			checkEqual(t, "CanonicalLink", CanonicalLink(tt.in), tt.want)
		})
	}
	// Path case is significant: two different stories.
	if CanonicalLink("https://example.com/a") == CanonicalLink("https://example.com/A") {
		t.Error("paths differing in case are taken as the same story")
	}
}

func day(d int) time.Time { return time.Date(2024, 5, d, 9, 0, 0, 0, time.UTC) }

func ids(arts []Article) []string {
	var s []string
	for _, a := range arts {
		s = append(s, a.Source+":"+a.ID)
	}
	return s
}

func TestCombineDedupe(t *testing.T) {
	tests := []struct {
		name string
		in   []Article
		want []string
	}{
		{
			name: "same link from two sources",
			in: []Article{
				{ID: "1", Source: "a", Link: "https://news.example/s/1", Published: day(1)},
				{ID: "x", Source: "b", Link: "http://www.news.example/s/1/?utm_source=b#top", Published: day(1)},
			},
			want: []string{"a:urn:tributary:guid:a:1"},
		},
		{
			name: "different links stay apart",
			in: []Article{
				{ID: "1", Source: "a", Link: "https://news.example/s/1", Published: day(1)},
				{ID: "2", Source: "a", Link: "https://news.example/s/2", Published: day(2)},
			},
			want: []string{"a:urn:tributary:guid:a:2", "a:urn:tributary:guid:a:1"},
		},
		{
			name: "without links: same source and id",
			in: []Article{
				{ID: "n1", Source: "notes", Title: "first copy", Published: day(3)},
				{ID: "n1", Source: "notes", Title: "second copy", Published: day(3)},
				{ID: "n1", Source: "other", Published: day(2)},
			},
			want: []string{"notes:urn:tributary:guid:notes:n1", "other:urn:tributary:guid:other:n1"},
		},
		{
			name: "a link and a linkless article with the same id",
			in: []Article{
				{ID: "1", Source: "a", Link: "https://news.example/s/1", Published: day(1)},
				{ID: "1", Source: "a", Published: day(2)},
			},
			want: []string{"a:urn:tributary:guid:a:1", "a:urn:tributary:guid:a:1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkEqual(t, "items", ids(Combine(tt.in, 0)), tt.want)
		})
	}
}

func TestCombineMergePreference(t *testing.T) {
	link := "https://www.bbc.co.uk/news/story-1"
	aggregator := Article{ID: "agg-1", Source: "aggregator", Origin: "https://aggregator.example/feed", Link: link + "?utm_source=agg",
		Content: "<p>A much longer copy of the whole story, longer than the original's teaser.</p>", Published: day(2)}
	own := Article{ID: "bbc-1", Source: "bbc", Origin: "https://feeds.bbci.co.uk/news/rss.xml", Link: link, Summary: "<p>Teaser</p>", Published: day(2)}
	ownSubdomain := own
	ownSubdomain.Origin = "https://feeds.bbc.co.uk/news/rss.xml"
	short := Article{ID: "s", Source: "s", Origin: "https://s.example/", Link: "https://story.example/x", Content: "<p>short</p>", Published: day(1)}
	long := Article{ID: "l", Source: "l", Origin: "https://l.example/", Link: "https://story.example/x", Content: "<p>much longer content</p>", Published: day(1)}
	tests := []struct {
		name string
		in   []Article
		want string
	}{
		// bbci.co.uk is not bbc.co.uk: the aggregator's fuller copy wins.
		{"different registrable domain: more content wins", []Article{own, aggregator}, "aggregator"},
		{"own site wins over more content", []Article{aggregator, ownSubdomain}, "bbc"},
		{"own site wins in either order", []Article{ownSubdomain, aggregator}, "bbc"},
		{"more content wins", []Article{short, long}, "l"},
		{"more content wins in either order", []Article{long, short}, "l"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Combine(tt.in, 0)
			if len(got) != 1 {
				t.Fatalf("got %d items, want 1", len(got))
			}
			checkEqual(t, "chosen copy", got[0].Source, tt.want)
		})
	}
}

func TestCombineFillsIn(t *testing.T) {
	own := Article{
		ID: "own", Source: "site", Origin: "https://site.example/feed", Link: "https://site.example/story",
		Title: "Story", Summary: "<p>Teaser</p>",
		Authors:    []Author{{Name: "Jane Roe"}},
		Image:      &Image{URL: "https://site.example/lead.jpg"},
		Categories: []string{"World", "Politics"},
		Published:  day(4), FetchedAt: day(5),
	}
	other := Article{
		ID: "agg", Source: "agg", Origin: "https://agg.example/feed", Link: "http://site.example/story/",
		Title: "Story (via agg)", Content: "<p>Full text</p>",
		Authors:    []Author{{Name: "jane roe", Bio: "Reporter", Avatar: "https://agg.example/jane.jpg"}, {Name: "Someone Else"}},
		Image:      &Image{URL: "https://site.example/lead.jpg", Caption: "The scene", Credit: "AP", Width: 800, Height: 600},
		Enclosures: []Enclosure{{URL: "https://site.example/a.mp3", Type: "audio/mpeg"}},
		Categories: []string{"politics", "Europe"},
		Updated:    day(6), FetchedAt: day(4),
	}
	in := []Article{other, own}
	got := Combine(in, 0)
	if len(got) != 1 {
		t.Fatalf("got %d items, want 1", len(got))
	}
	m := got[0]
	checkEqual(t, "chosen copy", m.Source, "site")
	checkEqual(t, "id (of the copy seen first)", m.ID, "urn:tributary:guid:agg:agg")
	checkEqual(t, "title", m.Title, "Story")
	checkEqual(t, "summary", m.Summary, "<p>Teaser</p>")
	checkEqual(t, "content (filled)", m.Content, "<p>Full text</p>")
	checkEqual(t, "authors (completed, not extended)", m.Authors, []Author{{Name: "Jane Roe", Bio: "Reporter", Avatar: "https://agg.example/jane.jpg"}})
	checkEqual(t, "image (completed)", *m.Image, Image{URL: "https://site.example/lead.jpg", Caption: "The scene", Credit: "AP", Width: 800, Height: 600})
	checkEqual(t, "categories (union)", m.Categories, []string{"World", "Politics", "Europe"})
	checkEqual(t, "enclosures (union)", m.Enclosures, []Enclosure{{URL: "https://site.example/a.mp3", Type: "audio/mpeg"}})
	checkEqual(t, "published", m.Published, day(4))
	checkEqual(t, "updated (latest)", m.Updated, day(6))
	checkEqual(t, "fetched (first seen)", m.FetchedAt, day(4))

	// The input is left alone, and the output shares nothing with it.
	checkEqual(t, "input authors", in[1].Authors, []Author{{Name: "Jane Roe"}})
	checkEqual(t, "input image", *in[1].Image, Image{URL: "https://site.example/lead.jpg"})
	checkEqual(t, "input categories", in[1].Categories, []string{"World", "Politics"})
	m.Categories[0] = "changed"
	m.Image.URL = "changed"
	if in[1].Categories[0] == "changed" || in[1].Image.URL == "changed" {
		t.Error("the output aliases the input")
	}

	// Missing parts are taken from another copy entirely.
	bare := Article{ID: "bare", Source: "site", Origin: "https://site.example/feed", Link: "https://site.example/story"}
	m = Combine([]Article{bare, other}, 0)[0]
	checkEqual(t, "chosen copy", m.Source, "site")
	checkEqual(t, "id (a copy with a fetch time is seen first)", m.ID, "urn:tributary:guid:agg:agg")
	checkEqual(t, "title", m.Title, "Story (via agg)")
	checkEqual(t, "authors", len(m.Authors), 2)
	checkEqual(t, "image caption", m.Image.Caption, "The scene")
}

func TestCombineSortAndLimit(t *testing.T) {
	in := []Article{
		{ID: "old", Source: "a", Link: "https://a.example/old", Published: day(1)},
		{ID: "fetched-only", Source: "a", Link: "https://a.example/f", FetchedAt: day(3)},
		{ID: "new", Source: "a", Link: "https://a.example/new", Published: day(4)},
		{ID: "tie-b", Source: "a", Link: "https://a.example/tb", Published: day(2)},
		{ID: "tie-a", Source: "a", Link: "https://a.example/ta", Published: day(2)},
		{ID: "undated", Source: "a", Link: "https://a.example/u"},
	}
	var want []string
	for _, id := range []string{"new", "fetched-only", "tie-a", "tie-b", "old", "undated"} {
		want = append(want, "a:"+ItemID("a", id))
	}
	checkEqual(t, "order", ids(Combine(in, 0)), want)
	// Ties are broken by id, whatever the input order.
	rev := slices.Clone(in)
	slices.Reverse(rev)
	checkEqual(t, "order of reversed input", ids(Combine(rev, 0)), want)
	for _, limit := range []int{1, 3, 6, 10} {
		t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
			checkEqual(t, "items", ids(Combine(in, limit)), want[:min(limit, len(want))])
		})
	}
	if got := Combine(nil, 5); len(got) != 0 {
		t.Errorf("Combine(nil) = %v", got)
	}
}

func TestCombineKeepsItemsOfOneSourceSharingALink(t *testing.T) {
	// A status page whose items all link to its home page, and a
	// changelog whose entries differ only by fragment: different stories.
	in := []Article{
		{ID: "incident-1", Source: "status", Link: "https://status.example/", Published: day(1)},
		{ID: "incident-2", Source: "status", Link: "https://status.example/", Published: day(2)},
		{ID: "incident-3", Source: "status", Link: "https://status.example/", Published: day(3)},
		{ID: "v1.2", Source: "log", Link: "https://app.example/changelog#v1.2", Published: day(1),
			Enclosures: []Enclosure{{URL: "https://app.example/1.2.tgz"}}},
		{ID: "v1.3", Source: "log", Link: "https://app.example/changelog#v1.3", Published: day(2),
			Enclosures: []Enclosure{{URL: "https://app.example/1.3.tgz"}}},
		// Another source carrying one of the changelog entries is still
		// merged into one of them, not into both.
		{ID: "agg-9", Source: "agg", Link: "https://app.example/changelog", Published: day(2)},
	}
	got := Combine(in, 0)
	checkEqual(t, "items", len(got), 5)
	for _, a := range got {
		if a.Source == "log" && len(a.Enclosures) != 1 {
			t.Errorf("%s: enclosures %v, want its own only", a.ID, a.Enclosures)
		}
	}
}

func TestCombineIDStaysWhenAnotherSourcePicksTheStoryUp(t *testing.T) {
	link := "https://site.example/story"
	hn := Article{ID: "https://news.ycombinator.com/item?id=1", Source: "hn", Origin: "https://news.ycombinator.com/rss",
		Link: link, Summary: "<p>short</p>", FetchedAt: day(1)}
	lobsters := Article{ID: "https://lobste.rs/s/abc", Source: "lobsters", Origin: "https://lobste.rs/rss",
		Link: link, Summary: "<p>a little longer</p>", FetchedAt: day(2)}
	own := Article{ID: "42", Source: "site", Origin: "https://site.example/feed", Link: link,
		Content: "<p>the whole story</p>", FetchedAt: day(3)}
	want := hn.ID
	for _, in := range [][]Article{{hn}, {hn, lobsters}, {lobsters, hn}, {own, lobsters, hn}} {
		got := Combine(in, 0)
		if len(got) != 1 {
			t.Fatalf("%d items, want 1", len(got))
		}
		checkEqual(t, fmt.Sprintf("id with %d copies", len(in)), got[0].ID, want)
	}
	// The content still comes from the best copy.
	checkEqual(t, "content", Combine([]Article{own, lobsters, hn}, 0)[0].Content, own.Content)
}

func TestCombineSameGlobalIDIsOneStory(t *testing.T) {
	// A FeedBurner-style proxy link in one source, the real link in the
	// other, the same permalink guid in both.
	guid := "https://site.example/?p=123"
	in := []Article{
		{ID: guid, Source: "direct", Link: "https://site.example/2024/story", FetchedAt: day(1)},
		{ID: guid, Source: "proxy", Link: "https://feedproxy.example/~r/site/~3/abc/", FetchedAt: day(2)},
		{ID: "123", Source: "other", Link: "https://other.example/123", FetchedAt: day(1)},
		{ID: "123", Source: "third", Link: "https://third.example/123", FetchedAt: day(1)},
	}
	checkEqual(t, "ids", ids(Combine(in, 0)), []string{
		"direct:" + guid, "other:urn:tributary:guid:other:123", "third:urn:tributary:guid:third:123"})
}

func TestItemID(t *testing.T) {
	tests := []struct{ source, id, want string }{
		{"a", "https://a.example/p/1", "https://a.example/p/1"},
		{"a", "tag:a.example,2024:1", "tag:a.example,2024:1"},
		{"a", "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427", "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"},
		{"a", "1234", "urn:tributary:guid:a:1234"},
		{"b", "1234", "urn:tributary:guid:b:1234"},
		{"a", "post 7/x", "urn:tributary:guid:a:post%207%2Fx"},
		{"", "1234", "urn:tributary:guid:1234"},
		{"a", "  ", ""},
	}
	for _, tt := range tests {
		checkEqual(t, "ItemID("+tt.source+", "+tt.id+")", ItemID(tt.source, tt.id), tt.want)
	}
}
