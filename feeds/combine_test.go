package feeds

import (
	"fmt"
	"math/rand/v2"
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
			// One source, one id: one story (the store could not even
			// hold both), never two items under one id.
			name: "a link and a linkless article with the same id",
			in: []Article{
				{ID: "1", Source: "a", Link: "https://news.example/s/1", Published: day(1)},
				{ID: "1", Source: "a", Published: day(2)},
			},
			want: []string{"a:urn:tributary:guid:a:1"},
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
		Categories: Terms("World", "Politics"),
		Published:  day(4), FetchedAt: day(5),
	}
	other := Article{
		ID: "agg", Source: "agg", Origin: "https://agg.example/feed", Link: "http://site.example/story/",
		Title: "Story (via agg)", Content: "<p>Full text</p>",
		Authors:    []Author{{Name: "jane roe", Bio: "Reporter", Avatar: "https://agg.example/jane.jpg"}, {Name: "Someone Else"}},
		Image:      &Image{URL: "https://site.example/lead.jpg", Caption: "The scene", Credit: "AP", Width: 800, Height: 600},
		Enclosures: []Enclosure{{URL: "https://site.example/a.mp3", Type: "audio/mpeg"}},
		Categories: []Category{{Term: "politics", Scheme: "https://agg.example/topics", Label: "Politics"}, {Term: "Europe"}},
		Podcast:    &Podcast{Duration: time.Minute, Explicit: ExplicitNo},
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
	checkEqual(t, "categories (union, the scheme and label filled)", m.Categories, []Category{{Term: "World"}, {Term: "Politics", Scheme: "https://agg.example/topics", Label: "Politics"}, {Term: "Europe"}})
	checkEqual(t, "podcast (filled)", *m.Podcast, Podcast{Duration: time.Minute, Explicit: ExplicitNo})
	checkEqual(t, "enclosures (union)", m.Enclosures, []Enclosure{{URL: "https://site.example/a.mp3", Type: "audio/mpeg"}})
	checkEqual(t, "published", m.Published, day(4))
	checkEqual(t, "updated (latest)", m.Updated, day(6))
	checkEqual(t, "fetched (first seen)", m.FetchedAt, day(4))

	// The input is left alone, and the output shares nothing with it.
	checkEqual(t, "input authors", in[1].Authors, []Author{{Name: "Jane Roe"}})
	checkEqual(t, "input image", *in[1].Image, Image{URL: "https://site.example/lead.jpg"})
	checkEqual(t, "input categories", in[1].Categories, Terms("World", "Politics"))
	m.Categories[0].Term = "changed"
	m.Image.URL = "changed"
	m.Podcast.Duration = time.Hour
	if in[1].Categories[0].Term == "changed" || in[1].Image.URL == "changed" || in[0].Podcast.Duration != time.Minute {
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

// trickyArticles are the cases where grouping could depend on input order.
func trickyArticles() []Article {
	home := "https://pod.example/"
	return []Article{
		// One story under a tag: id with two links, and a third copy that
		// shares only one of the links.
		{ID: "tag:x.example,2024:1", Source: "a", Link: "https://x.example/1", Title: "X", FetchedAt: day(1)},
		{ID: "tag:x.example,2024:1", Source: "b", Link: "https://mirror.example/x1", Title: "X", FetchedAt: day(1)},
		{ID: "77", Source: "c", Link: "https://x.example/1", Title: "X via c", FetchedAt: day(1)},
		// A podcast whose episodes all link home, and a mirror of episode 2.
		{ID: "tag:pod.example,2024:ep1", Source: "pod", Origin: home + "feed", Link: home, Title: "Ep 1", FetchedAt: day(2)},
		{ID: "tag:pod.example,2024:ep2", Source: "pod", Origin: home + "feed", Link: home, Title: "Ep 2", FetchedAt: day(3)},
		{ID: "tag:pod.example,2024:ep2", Source: "mirror", Link: home, Title: "Ep 2 (mirror)", FetchedAt: day(3),
			Enclosures: []Enclosure{{URL: "https://cdn.example/ep2.mp3"}}},
		// A blog that moved its guids from http to https.
		{ID: "http://blog.example/?p=1", Source: "blog", Link: "http://blog.example/hello/", Title: "Hello", Published: day(4), FetchedAt: day(4)},
		{ID: "https://blog.example/?p=1", Source: "blog", Link: "https://blog.example/hello/", Title: "Hello", Published: day(4), FetchedAt: day(9)},
		// Scheme-like ids that are unique only within their feed.
		{ID: "post:1", Source: "a", Link: "https://a.example/p1", Title: "A's first", FetchedAt: day(5)},
		{ID: "post:1", Source: "b", Link: "https://b.example/p1", Title: "B's first", FetchedAt: day(5)},
	}
}

func TestCombineDoesNotDependOnInputOrder(t *testing.T) {
	in := trickyArticles()
	describe := func(arts []Article) []string {
		var out []string
		for _, a := range arts {
			var encs []string
			for _, e := range a.Enclosures {
				encs = append(encs, e.URL)
			}
			out = append(out, fmt.Sprintf("%s|%s|%s|%v", a.ID, a.Source, a.Title, encs))
		}
		return out
	}
	want := describe(Combine(in, 0))
	ids := map[string]bool{}
	for _, a := range Combine(in, 0) {
		if ids[a.ID] {
			t.Errorf("two items share the id %q", a.ID)
		}
		ids[a.ID] = true
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		shuffled := slices.Clone(in)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := describe(Combine(shuffled, 0)); !slices.Equal(got, want) {
			t.Fatalf("another input order gives another feed:\n%q\nwant\n%q", got, want)
		}
	}
	// What the groups must be, whatever the order.
	byTitle := map[string]Article{}
	for _, a := range Combine(in, 0) {
		byTitle[a.Title] = a
	}
	checkEqual(t, "items", len(byTitle), 6)
	checkEqual(t, "the tag story's copies are one", byTitle["X"].ID, "tag:x.example,2024:1")
	checkEqual(t, "the mirror joins episode 2", len(byTitle["Ep 2"].Enclosures), 1)
	checkEqual(t, "episode 1 has no mirror copy", len(byTitle["Ep 1"].Enclosures), 0)
	checkEqual(t, "a guid moved to https is one story", byTitle["Hello"].ID, "http://blog.example/?p=1")
	checkEqual(t, "scheme-like local ids are qualified", []string{byTitle["A's first"].ID, byTitle["B's first"].ID},
		[]string{"urn:tributary:guid:a:post:1", "urn:tributary:guid:b:post:1"})
}

func TestCombineNeverRepeatsAnID(t *testing.T) {
	// Source t's two stories both claim the tag of the story source s
	// published: only one can join it; the other must not repeat its id.
	in := []Article{
		{ID: "tag:s.example,2024:1", Source: "s", Link: "https://s.example/1", Title: "S", FetchedAt: day(1)},
		{ID: "t-1", Source: "t", Link: "https://s.example/1", Title: "T one", FetchedAt: day(2)},
		{ID: "tag:s.example,2024:1", Source: "t", Link: "https://t.example/other", Title: "T two", FetchedAt: day(3)},
	}
	seen := map[string]bool{}
	for _, a := range Combine(in, 0) {
		if seen[a.ID] {
			t.Fatalf("two items share the id %q: %+v", a.ID, Combine(in, 0))
		}
		seen[a.ID] = true
	}
}

// BenchmarkCombineSharedLink is a status page: one source whose thousands
// of items all link to the same page. Each item is its own story.
func BenchmarkCombineSharedLink(b *testing.B) {
	arts := make([]Article, 20000)
	for i := range arts {
		arts[i] = Article{ID: fmt.Sprint("incident-", i), Source: "status", Link: "https://status.example/",
			Title: fmt.Sprint("Incident ", i), FetchedAt: day(1).Add(time.Duration(i) * time.Minute)}
	}
	b.ReportAllocs()
	for b.Loop() {
		if got := Combine(arts, 50); len(got) != 50 {
			b.Fatalf("got %d items", len(got))
		}
	}
}

func TestCombineJoinsThroughAnotherCopy(t *testing.T) {
	// b and f link to a proxy URL, c and a to the post; f and a share a
	// tag. All four are one story, whatever joins first.
	post, proxy := "https://blog.example/post", "https://feedproxy.example/~r/blog/post"
	in := []Article{
		{ID: "b-1", Source: "b", Link: proxy, Title: "Post", FetchedAt: day(1)},
		{ID: "c-1", Source: "c", Link: post, Title: "Post", FetchedAt: day(1)},
		{ID: "tag:blog.example,2024:post", Source: "f", Link: proxy, Title: "Post", FetchedAt: day(2)},
		{ID: "tag:blog.example,2024:post", Source: "a", Link: post, Title: "Post", FetchedAt: day(2)},
	}
	if got := Combine(in, 0); len(got) != 1 {
		t.Fatalf("%d items, want the one story: %v", len(got), ids(got))
	}
}

func TestCombineGivesEachItemItsOwnID(t *testing.T) {
	// s publishes G then H; t publishes H first, then G as the same story
	// (same link, title and date). t's story joins s's H by id, leaving
	// t's G copy's id to the other group: two items would claim tag:H.
	in := []Article{
		{ID: "tag:x.example,2024:G", Source: "s", Link: "https://s.example/g", Title: "G", FetchedAt: day(2)},
		{ID: "tag:x.example,2024:H", Source: "s", Link: "https://s.example/h", Title: "H", FetchedAt: day(3)},
		{ID: "tag:x.example,2024:H", Source: "t", Link: "https://t.example/x", Title: "X", Published: day(1), FetchedAt: day(1)},
		{ID: "tag:x.example,2024:G", Source: "t", Link: "https://t.example/x", Title: "X", Published: day(1), FetchedAt: day(4)},
	}
	got := Combine(in, 0)
	seen := map[string]bool{}
	for _, a := range got {
		if seen[a.ID] {
			t.Fatalf("two items share the id %q: %v", a.ID, ids(got))
		}
		seen[a.ID] = true
	}
}

// BenchmarkCombineMirroredLink is a status page and a mirror of it, each
// with 10,000 items linking to the same page.
func BenchmarkCombineMirroredLink(b *testing.B) {
	arts := make([]Article, 0, 20000)
	for i := range 10000 {
		for _, src := range []string{"status", "mirror"} {
			arts = append(arts, Article{ID: fmt.Sprint(src, "-", i), Source: src, Link: "https://status.example/",
				Title: fmt.Sprint("Incident ", i), FetchedAt: day(1).Add(time.Duration(i) * time.Minute)})
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if got := Combine(arts, 50); len(got) != 50 {
			b.Fatalf("got %d items", len(got))
		}
	}
}
