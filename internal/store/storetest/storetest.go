// Package storetest is the conformance suite every store.Store
// implementation must pass. An implementation's tests call Run with an
// Opener that creates fresh databases:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Opener{Open: ..., Reopen: ...})
//	}
//
// Beyond the letter of the store.Store interface the suite pins down the
// details both implementations share, so renderers and the scheduler can
// rely on them whichever store is configured:
//
//   - Times are kept at second precision and returned in UTC; a zero time
//     stays zero. Empty slices come back nil; a nil Image or Page stays nil.
//   - Text is stored as valid UTF-8 without NUL bytes (PostgreSQL cannot
//     hold either): NULs are dropped and invalid bytes become U+FFFD.
//   - A zero FetchedAt is replaced by the time of the first upsert.
//   - Articles of one UpsertArticles call are applied in order, so the same
//     (source, id) twice in a batch counts as new and then updated.
//   - A change of Page alone (extraction bookkeeping, never rendered) is
//     saved but counts as unchanged and does not move the Version.
//   - Each UpsertArticles call that stores a new or updated article moves
//     Version.Counter up by exactly one; other calls leave it alone. Its
//     Version.ChangedAt is the clock's second at the change, never before
//     the previous change's, and never pushed ahead by earlier changes
//     within the same second.
//   - PagesDue returns only the articles whose page extraction failed and
//     is due (RetryAt, else AttemptedAt, is not after the time asked),
//     ordered by that due time, then id.
//   - Ties in publication time are broken by source, then id, so the order
//     of Articles is stable.
//   - Expire deletes by age (published, else first fetch) before count,
//     never an article the latest MarkListed named, at most DeleteBatch per
//     transaction, each moving Version once.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

// Opener tells Run how to reach the implementation under test.
type Opener struct {
	// Open returns a store on a new, empty database. Run calls it from
	// parallel subtests. It must close the store when t ends (t.Cleanup);
	// Close is also called by some subtests, so it must tolerate being
	// called twice.
	Open func(t *testing.T) store.Store
	// Reopen returns a second, independent handle on the database behind
	// s, the way another process sharing the store would open it (for
	// SQLite: Open of the same file). It must close it when t ends. When
	// nil, the subtests that need it are skipped.
	Reopen func(t *testing.T, s store.Store) store.Store
}

// Run runs the conformance suite against the implementation reached by o.
// Each subtest opens its own empty store and runs in parallel with the
// others; run it under -race to check the concurrency promises.
func Run(t *testing.T, o Opener) {
	t.Helper()
	if o.Open == nil {
		t.Fatal("storetest: Opener.Open is nil")
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, o Opener)
	}{
		{"UpsertCounts", testUpsertCounts},
		{"NoDuplicates", testNoDuplicates},
		{"DuplicateInBatch", testDuplicateInBatch},
		{"UpdateReplacesKeepsFetchedAt", testUpdateKeepsFetchedAt},
		{"ZeroFetchedAtIsFilled", testZeroFetchedAt},
		{"RoundTrip", testRoundTrip},
		{"SummaryIsContent", testSummaryIsContent},
		{"InvalidText", testInvalidText},
		{"PageOnlyChange", testPageOnlyChange},
		{"Order", testOrder},
		{"FilterAndLimit", testFilterAndLimit},
		{"ManySources", testManySources},
		{"NotFound", testNotFound},
		{"PagesDue", testPagesDue},
		{"SourceState", testSourceState},
		{"Version", testVersion},
		{"CanceledContext", testCanceledContext},
		{"ConcurrentUpserts", testConcurrentUpserts},
		{"SecondHandle", testSecondHandle},
		{"SecondHandleConcurrentWriters", testSecondHandleConcurrent},
		{"SourceStates", testSourceStates},
		{"SourceFeeds", testSourceFeeds},
		{"SourceStats", testSourceStats},
		{"ExpireByAge", testExpireByAge},
		{"ExpireByCount", testExpireByCount},
		{"ExpireKeepsListed", testExpireKeepsListed},
		{"ExpireBatches", testExpireBatches},
		{"Orphans", testOrphans},
		{"RetentionRun", testRetentionRun},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, o)
		})
	}
}

// base is a fixed instant the fixtures are built around.
var base = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// art returns a small valid article of source src.
func art(src, id string, published time.Time) feeds.Article {
	return feeds.Article{
		ID:        id,
		Source:    src,
		Origin:    "https://" + src + ".example/feed.xml",
		Title:     "Title of " + id,
		Link:      "https://" + src + ".example/" + id,
		Summary:   "<p>Summary of " + id + "</p>",
		Content:   "<p>Content of " + id + "</p>",
		Published: published,
		FetchedAt: base.Add(time.Hour),
	}
}

func upsert(t *testing.T, s store.Store, arts ...feeds.Article) store.UpsertResult {
	t.Helper()
	res, err := s.UpsertArticles(context.Background(), arts)
	if err != nil {
		t.Fatalf("UpsertArticles: %v", err)
	}
	return res
}

func wantResult(t *testing.T, got store.UpsertResult, n, u, same int) {
	t.Helper()
	want := store.UpsertResult{New: n, Updated: u, Unchanged: same}
	if got != want {
		t.Fatalf("UpsertArticles = %+v, want %+v", got, want)
	}
}

func list(t *testing.T, s store.Store, q store.Query) []feeds.Article {
	t.Helper()
	arts, err := s.Articles(context.Background(), q)
	if err != nil {
		t.Fatalf("Articles(%+v): %v", q, err)
	}
	return arts
}

func get(t *testing.T, s store.Store, source, id string) feeds.Article {
	t.Helper()
	a, err := s.Article(context.Background(), source, id)
	if err != nil {
		t.Fatalf("Article(%q, %q): %v", source, id, err)
	}
	return a
}

func version(t *testing.T, s store.Store) store.Version {
	t.Helper()
	v, err := s.Version(context.Background())
	if err != nil {
		t.Fatalf("Version: %v", err)
	}
	return v
}

func keys(arts []feeds.Article) []string {
	out := make([]string, len(arts))
	for i, a := range arts {
		out[i] = a.Source + "/" + a.ID
	}
	return out
}

func wantKeys(t *testing.T, arts []feeds.Article, want ...string) {
	t.Helper()
	got := keys(arts)
	if len(want) == 0 {
		want = []string{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("articles = %q, want %q", got, want)
	}
}

// sameArticle fails unless got equals want as reflect.DeepEqual compares
// them, listing the fields that differ.
func sameArticle(t *testing.T, got, want feeds.Article) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Article differs (-want +got):\n%s", diff(got, want))
	}
}

// exactTime compares times as reflect.DeepEqual does: the same instant in
// another location differs, since a store must give back the zone it was
// given. go-cmp would otherwise compare them with Time.Equal.
var exactTime = cmp.Comparer(func(a, b time.Time) bool { return reflect.DeepEqual(a, b) })

// diff lists the paths at which got and want differ, want's value marked -
// and got's +, times with their zones; it shows both values whole if
// go-cmp sees no difference.
func diff(got, want any) string {
	if d := cmp.Diff(want, got, exactTime); d != "" {
		return d
	}
	return fmt.Sprintf(" got %#v\nwant %#v", got, want)
}

// allSet fails when a field of v (recursively) is zero, so a field added
// to the model later cannot escape the round-trip test.
func allSet(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	if v.IsZero() {
		t.Fatalf("fixture leaves %s zero: set it so the round trip covers it", path)
	}
	switch v.Kind() {
	case reflect.Pointer:
		allSet(t, v.Elem(), path)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			if v.Type() == reflect.TypeFor[feeds.Article]() && v.Type().Field(i).Name == "Via" {
				continue // not stored: whoever renders fills it from the source's state
			}
			allSet(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Slice:
		for i := range v.Len() {
			allSet(t, v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

func testUpsertCounts(t *testing.T, o Opener) {
	s := o.Open(t)
	a, b, c := art("s", "a", base), art("s", "b", base.Add(time.Minute)), art("s", "c", base.Add(2*time.Minute))
	wantResult(t, upsert(t, s, a, b, c), 3, 0, 0)
	wantResult(t, upsert(t, s, a, b, c), 0, 0, 3)

	b.Title = "A new title"
	d := art("s", "d", base)
	wantResult(t, upsert(t, s, a, b, c, d), 1, 1, 2)
	wantResult(t, upsert(t, s, d, c), 0, 0, 2)
	wantResult(t, upsert(t, s), 0, 0, 0)
	wantResult(t, upsert(t, s, nil...), 0, 0, 0)

	// Every content field counts as a change.
	edits := []struct {
		name string
		edit func(*feeds.Article)
	}{
		{"Origin", func(a *feeds.Article) { a.Origin = "https://elsewhere.example/" }},
		{"Title", func(a *feeds.Article) { a.Title += "!" }},
		{"Link", func(a *feeds.Article) { a.Link += "?x" }},
		{"Summary", func(a *feeds.Article) { a.Summary += "." }},
		{"Content", func(a *feeds.Article) { a.Content += "<p>more</p>" }},
		{"Authors", func(a *feeds.Article) { a.Authors = []feeds.Author{{Name: "Ann"}} }},
		{"AuthorBio", func(a *feeds.Article) { a.Authors = []feeds.Author{{Name: "Ann", Bio: "Writes."}} }},
		{"Image", func(a *feeds.Article) { a.Image = &feeds.Image{URL: "https://s.example/i.jpg"} }},
		{"ImageCredit", func(a *feeds.Article) { a.Image = &feeds.Image{URL: "https://s.example/i.jpg", Credit: "AP"} }},
		{"Enclosures", func(a *feeds.Article) { a.Enclosures = []feeds.Enclosure{{URL: "https://s.example/a.mp3"}} }},
		{"Categories", func(a *feeds.Article) { a.Categories = feeds.Terms("news") }},
		{"CategoryLabel", func(a *feeds.Article) { a.Categories = []feeds.Category{{Term: "news", Label: "News"}} }},
		{"CategoryScheme", func(a *feeds.Article) {
			a.Categories = []feeds.Category{{Term: "news", Scheme: "https://s.example/tags", Label: "News"}}
		}},
		{"Podcast", func(a *feeds.Article) { a.Podcast = &feeds.Podcast{Duration: time.Minute} }},
		{"PodcastExplicit", func(a *feeds.Article) { a.Podcast = &feeds.Podcast{Duration: time.Minute, Explicit: feeds.ExplicitNo} }},
		{"Published", func(a *feeds.Article) { a.Published = a.Published.Add(time.Second) }},
		{"Updated", func(a *feeds.Article) { a.Updated = base.Add(time.Hour) }},
	}
	cur := a
	for _, e := range edits {
		e.edit(&cur)
		if res := upsert(t, s, cur); res != (store.UpsertResult{Updated: 1}) {
			t.Errorf("changing %s: UpsertArticles = %+v, want one updated", e.name, res)
		}
		sameArticle(t, get(t, s, "s", "a"), cur)
	}
	// FetchedAt is not content: a later fetch of the same story is unchanged.
	cur.FetchedAt = cur.FetchedAt.Add(24 * time.Hour)
	wantResult(t, upsert(t, s, cur), 0, 0, 1)
	// Sub-second differences are below the stored precision.
	cur.Published = cur.Published.Add(300 * time.Millisecond)
	wantResult(t, upsert(t, s, cur), 0, 0, 1)
}

func testNoDuplicates(t *testing.T, o Opener) {
	s := o.Open(t)
	a := art("s", "same", base)
	for i := range 3 {
		a.Title = fmt.Sprintf("version %d", i)
		upsert(t, s, a)
		upsert(t, s, a)
	}
	// The same id in another source is another article.
	other := art("t", "same", base.Add(-time.Hour))
	wantResult(t, upsert(t, s, other), 1, 0, 0)

	all := list(t, s, store.Query{})
	wantKeys(t, all, "s/same", "t/same")
	if all[0].Title != "version 2" {
		t.Errorf("stored title = %q, want the last version", all[0].Title)
	}
	if got := get(t, s, "t", "same").Title; got != other.Title {
		t.Errorf("t/same title = %q, want %q", got, other.Title)
	}
}

func testDuplicateInBatch(t *testing.T, o Opener) {
	s := o.Open(t)
	first := art("s", "a", base)
	second := first
	second.Title = "second"
	second.FetchedAt = first.FetchedAt.Add(time.Hour)
	wantResult(t, upsert(t, s, first, second, second), 1, 1, 1)
	got := list(t, s, store.Query{})
	wantKeys(t, got, "s/a")
	want := second
	want.FetchedAt = first.FetchedAt
	sameArticle(t, got[0], want)
}

func testUpdateKeepsFetchedAt(t *testing.T, o Opener) {
	s := o.Open(t)
	old := art("s", "a", base)
	old.Authors = []feeds.Author{{Name: "Old"}}
	old.Categories = feeds.Terms("old", "stale")
	old.Image = &feeds.Image{URL: "https://s.example/old.jpg"}
	old.Enclosures = []feeds.Enclosure{{URL: "https://s.example/old.mp3"}}
	old.Page = &feeds.PageState{Error: "timeout", Attempts: 1}
	upsert(t, s, old)

	upd := art("s", "a", base.Add(time.Minute))
	upd.Title = "Corrected title"
	upd.Content = "<p>Corrected.</p>"
	upd.Updated = base.Add(2 * time.Hour)
	upd.FetchedAt = old.FetchedAt.Add(48 * time.Hour)
	wantResult(t, upsert(t, s, upd), 0, 1, 0)

	// Nothing of the old version survives except FetchedAt.
	want := upd
	want.FetchedAt = old.FetchedAt
	sameArticle(t, get(t, s, "s", "a"), want)
	got := list(t, s, store.Query{})
	if len(got) != 1 {
		t.Fatalf("Articles returned %d articles, want 1", len(got))
	}
	sameArticle(t, got[0], want)
}

func testZeroFetchedAt(t *testing.T, o Opener) {
	s := o.Open(t)
	a := art("s", "a", time.Time{})
	a.FetchedAt = time.Time{}
	before := time.Now().UTC().Truncate(time.Second)
	upsert(t, s, a)
	after := time.Now().UTC()
	got := get(t, s, "s", "a").FetchedAt
	if got.Before(before) || got.After(after) || got.Location() != time.UTC {
		t.Fatalf("FetchedAt = %v, want the time of the upsert, in UTC, between %v and %v", got, before, after)
	}
	// A later upsert without FetchedAt keeps the first one.
	a.Title = "changed"
	upsert(t, s, a)
	if again := get(t, s, "s", "a").FetchedAt; !again.Equal(got) {
		t.Fatalf("FetchedAt after update = %v, want %v", again, got)
	}
}

// normalized is what a store gives back for a: times at second precision in
// UTC, empty slices nil.
func normalized(a feeds.Article) feeds.Article {
	tm := func(t time.Time) time.Time {
		if t.IsZero() {
			return time.Time{}
		}
		return t.Truncate(time.Second).UTC()
	}
	a.Published, a.Updated, a.FetchedAt = tm(a.Published), tm(a.Updated), tm(a.FetchedAt)
	if len(a.Authors) == 0 {
		a.Authors = nil
	}
	if len(a.Enclosures) == 0 {
		a.Enclosures = nil
	}
	if len(a.Categories) == 0 {
		a.Categories = nil
	}
	if a.Image != nil {
		img := *a.Image
		a.Image = &img
	}
	if a.Page != nil {
		p := *a.Page
		p.ExtractedAt = tm(p.ExtractedAt)
		p.AttemptedAt = tm(p.AttemptedAt)
		p.RetryAt = tm(p.RetryAt)
		a.Page = &p
	}
	return a
}

func testRoundTrip(t *testing.T, o Opener) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CEST", 2*3600)
	}
	tokyo := time.FixedZone("JST", 9*3600)
	full := feeds.Article{
		ID:      "tag:example.com,2024:posts/ünïcødé-1?x=1&y=2",
		Source:  "Le Monde 🌍",
		Origin:  "https://www.example.fr/rss/une.xml",
		Title:   `Grève à l'Élysée — "quotes" & <brackets> 日本語 🎉`,
		Link:    "https://www.example.fr/politique/article/2024/05/01/greve_123.html",
		Summary: `<p>Résumé avec <a href="https://x.example/">lien</a> &amp; entités</p>`,
		Content: "<figure><img src=\"https://img.example/a.jpg\"/><figcaption>Légende</figcaption></figure>\n<p>Line one.\r\nLine two\twith tab.</p>" + strings.Repeat("<p>Long paragraph ✓.</p>", 500),
		Authors: []feeds.Author{
			{Name: "Zoë Dupont", Email: "zoe@example.fr", URL: "https://www.example.fr/signatures/zoe", Avatar: "https://img.example/zoe.png", Bio: "Journaliste au service politique.\nÉcrit sur l'Élysée."},
			{Name: "山田太郎", Email: "taro@example.jp", URL: "https://example.jp/taro", Avatar: "https://example.jp/taro.jpg", Bio: "東京特派員"},
			{Name: "Agence", Email: "desk@example.com", URL: "https://agence.example/", Avatar: "https://agence.example/logo.svg", Bio: "Wire service."},
		},
		Image: &feeds.Image{
			URL:     "https://img.example/2024/05/01/lead.jpg?w=1200&h=630",
			Caption: "Des manifestants devant l'Élysée, le 1er mai.",
			Credit:  "Photo: AFP — Jean Martin",
			Type:    "image/jpeg",
			Width:   1200,
			Height:  630,
			Length:  1 << 33, // larger than 32 bits
		},
		Enclosures: []feeds.Enclosure{
			{URL: "https://cdn.example/podcast/ep1.mp3", Type: "audio/mpeg", Length: 52428800},
			{URL: "https://cdn.example/podcast/ep1.ogg", Type: "audio/ogg", Length: 1 << 40},
		},
		Categories: []feeds.Category{
			{Term: "politique", Scheme: "https://example.fr/rubriques", Label: "Politique"},
			{Term: "societe", Scheme: "tag:example.fr,2024:rubriques", Label: "Société"},
			{Term: "日本", Scheme: "urn:x-topics", Label: "日本"},
		},
		Podcast: &feeds.Podcast{
			Duration: 2*time.Hour + 5*time.Second,
			Image:    "https://cdn.example/podcast/ep1.jpg",
			Explicit: feeds.ExplicitYes,
		},
		Published: time.Date(2024, 5, 1, 14, 30, 15, 987654321, paris),
		Updated:   time.Date(2024, 5, 2, 9, 5, 0, 123, tokyo),
		FetchedAt: time.Date(2024, 5, 2, 1, 0, 59, 999999999, time.UTC),
		Page: &feeds.PageState{
			ExtractedAt:  time.Date(2024, 5, 2, 10, 0, 0, 500, tokyo),
			ETag:         `W/"abc-123"`,
			LastModified: "Thu, 02 May 2024 01:00:00 GMT",
			Error:        "extract: no article body found",
			Attempts:     3,
			AttemptedAt:  time.Date(2024, 5, 2, 10, 30, 0, 999, paris),
			RetryAt:      time.Date(2024, 5, 2, 18, 30, 0, 999, paris),
		},
	}
	allSet(t, reflect.ValueOf(full), "Article")

	minimal := feeds.Article{ID: "m", Source: "s", FetchedAt: base}
	emptyParts := feeds.Article{
		ID: "e", Source: "s", FetchedAt: base,
		Authors:    []feeds.Author{},
		Enclosures: []feeds.Enclosure{},
		Categories: []feeds.Category{},
		Image:      &feeds.Image{},
		Page:       &feeds.PageState{},
	}
	partialAuthor := feeds.Article{
		ID: "p", Source: "s", FetchedAt: base, Published: base,
		Authors:    []feeds.Author{{Name: "Only Name"}, {Email: "only@example.com"}, {}},
		Image:      &feeds.Image{URL: "https://s.example/i.png"},
		Categories: feeds.Terms("", " spaced "),
		Enclosures: []feeds.Enclosure{{}},
		Page:       &feeds.PageState{ExtractedAt: base.Add(time.Minute)},
	}
	old := feeds.Article{
		ID: "old", Source: "s",
		Published: time.Date(1969, 7, 20, 20, 17, 40, 0, time.UTC),
		Updated:   time.Unix(0, 0),
		FetchedAt: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	tests := []struct {
		name string
		a    feeds.Article
	}{
		{"Full", full},
		{"Minimal", minimal},
		{"EmptyParts", emptyParts},
		{"PartialParts", partialAuthor},
		{"FarDates", old},
	}
	s := o.Open(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.a
			wantResult(t, upsert(t, s, in), 1, 0, 0)
			want := normalized(tc.a)
			sameArticle(t, get(t, s, in.Source, in.ID), want)
			found := false
			for _, a := range list(t, s, store.Query{Sources: []string{in.Source}}) {
				if a.ID == in.ID {
					sameArticle(t, a, want)
					found = true
				}
			}
			if !found {
				t.Fatalf("Articles does not list %s/%s", in.Source, in.ID)
			}
			// Storing what was read back changes nothing.
			wantResult(t, upsert(t, s, want), 0, 0, 1)
			// The caller's article is not modified by the store.
			if !reflect.DeepEqual(in, tc.a) {
				t.Fatalf("UpsertArticles modified its argument")
			}
		})
	}
}

// testSummaryIsContent: many feeds send the same HTML as summary and
// content, which a store may keep once; reading must give back the
// article as written, through every change between the two.
func testSummaryIsContent(t *testing.T, o Opener) {
	s := o.Open(t)
	a := art("s", "same", base)
	a.Content = strings.Repeat("<p>The same text as summary and content.</p>", 40)
	a.Summary = a.Content
	empty := art("s", "empty", base.Add(time.Minute))
	empty.Summary, empty.Content = "", ""
	onlySummary := art("s", "only", base.Add(2*time.Minute))
	onlySummary.Content = ""
	wantResult(t, upsert(t, s, a, empty, onlySummary), 3, 0, 0)
	for _, w := range []feeds.Article{a, empty, onlySummary} {
		sameArticle(t, get(t, s, w.Source, w.ID), w)
	}
	wantResult(t, upsert(t, s, a), 0, 0, 1)

	// The summary differs, then is the content again, then the content
	// changes with it.
	b := a
	b.Summary = "<p>A summary of its own.</p>"
	wantResult(t, upsert(t, s, b), 0, 1, 0)
	sameArticle(t, get(t, s, b.Source, b.ID), b)
	wantResult(t, upsert(t, s, a), 0, 1, 0)
	sameArticle(t, get(t, s, a.Source, a.ID), a)
	c := a
	c.Content += "<p>More.</p>"
	c.Summary = c.Content
	wantResult(t, upsert(t, s, c), 0, 1, 0)
	got := list(t, s, store.Query{Sources: []string{"s"}})
	wantKeys(t, got, "s/only", "s/empty", "s/same")
	sameArticle(t, got[2], c)
}

func testInvalidText(t *testing.T, o Opener) {
	s := o.Open(t)
	a := art("s", "bad\x00id", base)
	a.Title = "nul\x00byte and bad \xff\xfe bytes"
	a.Content = "<p>\x00</p>"
	a.Authors = []feeds.Author{{Name: "A\x00B", Bio: "\xc3"}}
	a.Categories = feeds.Terms("x\x00y")
	wantResult(t, upsert(t, s, a), 1, 0, 0)

	got := get(t, s, "s", "badid")
	if got.ID != "badid" || got.Title != "nulbyte and bad \uFFFD bytes" || got.Content != "<p></p>" {
		t.Errorf("cleaned article = id %q title %q content %q", got.ID, got.Title, got.Content)
	}
	if got.Authors[0].Name != "AB" || got.Authors[0].Bio != "\uFFFD" || got.Categories[0].Term != "xy" {
		t.Errorf("cleaned parts = %+v %q", got.Authors, got.Categories)
	}
	// Looking it up with the raw id finds it too, and storing the raw
	// article again is no change.
	get(t, s, "s", "bad\x00id")
	wantResult(t, upsert(t, s, a), 0, 0, 1)
}

func testPageOnlyChange(t *testing.T, o Opener) {
	s := o.Open(t)
	a := art("s", "a", base)
	upsert(t, s, a)
	v0 := version(t, s)

	a.Page = &feeds.PageState{Error: "fetch: 503", Attempts: 1}
	wantResult(t, upsert(t, s, a), 0, 0, 1)
	sameArticle(t, get(t, s, "s", "a"), a)

	a.Page = &feeds.PageState{Error: "fetch: 503", Attempts: 2}
	wantResult(t, upsert(t, s, a), 0, 0, 1)
	sameArticle(t, get(t, s, "s", "a"), a)
	if v := version(t, s); v.Counter != v0.Counter {
		t.Fatalf("Version moved from %d to %d on a Page-only change", v0.Counter, v.Counter)
	}

	// Content and Page changing together is an update that keeps both.
	a.Content = "<p>Full text.</p>"
	a.Page = &feeds.PageState{ExtractedAt: base.Add(3 * time.Hour), ETag: `"e"`}
	wantResult(t, upsert(t, s, a), 0, 1, 0)
	sameArticle(t, get(t, s, "s", "a"), a)

	a.Page = nil
	wantResult(t, upsert(t, s, a), 0, 0, 1)
	sameArticle(t, get(t, s, "s", "a"), a)
}

func testOrder(t *testing.T, o Opener) {
	s := o.Open(t)
	at := func(src, id string, published, fetched time.Time) feeds.Article {
		a := art(src, id, published)
		a.FetchedAt = fetched
		return a
	}
	upsert(t, s,
		at("a", "p10", base.Add(10*time.Hour), base),
		at("b", "nopub-f20", time.Time{}, base.Add(20*time.Hour)),
		at("a", "p30", base.Add(30*time.Hour), base),
		at("c", "nopub-f5", time.Time{}, base.Add(5*time.Hour)),
	)
	upsert(t, s,
		// Updated is later than everything but does not count.
		func() feeds.Article {
			a := at("b", "p1-updated", base.Add(time.Hour), base)
			a.Updated = base.Add(100 * time.Hour)
			return a
		}(),
		// A published date wins over a later fetch time.
		at("c", "p15-f40", base.Add(15*time.Hour), base.Add(40*time.Hour)),
		// Published times in another zone compare as instants.
		at("a", "p25-tokyo", base.Add(25*time.Hour).In(time.FixedZone("JST", 9*3600)), base),
		// Ties are broken by source, then id.
		at("b", "tie-y", base.Add(12*time.Hour), base),
		at("a", "tie-z", base.Add(12*time.Hour), base),
		at("b", "tie-x", base.Add(12*time.Hour), base),
	)
	wantKeys(t, list(t, s, store.Query{}),
		"a/p30", "a/p25-tokyo", "b/nopub-f20", "c/p15-f40", "a/tie-z", "b/tie-x", "b/tie-y",
		"a/p10", "c/nopub-f5", "b/p1-updated")

	// An update that removes the published date falls back to the first FetchedAt.
	upd := at("a", "p30", time.Time{}, base.Add(1000*time.Hour))
	wantResult(t, upsert(t, s, upd), 0, 1, 0)
	got := list(t, s, store.Query{Limit: 3})
	wantKeys(t, got, "a/p25-tokyo", "b/nopub-f20", "c/p15-f40")
	last := list(t, s, store.Query{})
	if k := keys(last)[len(last)-1]; k != "a/p30" {
		t.Fatalf("oldest article = %s, want a/p30 (fetched at %v, first fetch kept)", k, base)
	}
}

func testFilterAndLimit(t *testing.T, o Opener) {
	s := o.Open(t)
	var batch []feeds.Article
	for i := range 5 {
		for _, src := range []string{"a", "b", "c"} {
			batch = append(batch, art(src, fmt.Sprint(i), base.Add(time.Duration(i)*time.Hour)))
		}
	}
	upsert(t, s, batch...)

	tests := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"All", store.Query{}, []string{"a/4", "b/4", "c/4", "a/3", "b/3", "c/3", "a/2", "b/2", "c/2", "a/1", "b/1", "c/1", "a/0", "b/0", "c/0"}},
		{"Limit", store.Query{Limit: 4}, []string{"a/4", "b/4", "c/4", "a/3"}},
		{"LimitAboveCount", store.Query{Limit: 100, Sources: []string{"b"}}, []string{"b/4", "b/3", "b/2", "b/1", "b/0"}},
		{"OneSource", store.Query{Sources: []string{"b"}}, []string{"b/4", "b/3", "b/2", "b/1", "b/0"}},
		{"TwoSources", store.Query{Sources: []string{"c", "a"}}, []string{"a/4", "c/4", "a/3", "c/3", "a/2", "c/2", "a/1", "c/1", "a/0", "c/0"}},
		{"TwoSourcesLimit", store.Query{Sources: []string{"c", "a"}, Limit: 3}, []string{"a/4", "c/4", "a/3"}},
		{"RepeatedSource", store.Query{Sources: []string{"c", "c"}, Limit: 2}, []string{"c/4", "c/3"}},
		{"UnknownSource", store.Query{Sources: []string{"nope"}}, nil},
		{"KnownAndUnknown", store.Query{Sources: []string{"nope", "a"}, Limit: 1}, []string{"a/4"}},
		{"CaseMatters", store.Query{Sources: []string{"A"}}, nil},
		{"EmptySources", store.Query{Sources: []string{}, Limit: 1}, []string{"a/4"}},
		{"NegativeLimitIsNone", store.Query{Limit: -1, Sources: []string{"a"}}, []string{"a/4", "a/3", "a/2", "a/1", "a/0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantKeys(t, list(t, s, tc.q), tc.want...)
		})
	}
}

func testNotFound(t *testing.T, o Opener) {
	s := o.Open(t)
	upsert(t, s, art("s", "a", base))
	for _, k := range [][2]string{{"s", "b"}, {"t", "a"}, {"", ""}, {"S", "a"}, {"s", "A"}} {
		_, err := s.Article(context.Background(), k[0], k[1])
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Article(%q, %q) error = %v, want store.ErrNotFound", k[0], k[1], err)
		}
	}
	if got := get(t, s, "s", "a"); got.ID != "a" {
		t.Errorf("Article(s, a).ID = %q", got.ID)
	}
}

func testPagesDue(t *testing.T, o Opener) {
	s := o.Open(t)
	ctx := context.Background()
	failed := func(src, id string, retryAt, attemptedAt time.Time) feeds.Article {
		a := art(src, id, base)
		a.Page = &feeds.PageState{Error: "article page: http 500", Attempts: 2, AttemptedAt: attemptedAt, RetryAt: retryAt}
		return a
	}
	now := base.Add(24 * time.Hour)
	ok := art("s", "extracted", base)
	ok.Page = &feeds.PageState{ExtractedAt: base, AttemptedAt: base}
	upsert(t, s,
		art("s", "no-page", base),
		ok,
		failed("s", "later", now.Add(time.Second), base),
		failed("s", "b-due", now.Add(-time.Hour), base),
		failed("s", "a-due", now.Add(-time.Hour), base),
		failed("s", "exactly", now, base),
		// Written before RetryAt existed: due from its last attempt.
		failed("s", "legacy", time.Time{}, now.Add(-2*time.Hour)),
		failed("s", "legacy-recent", time.Time{}, now.Add(time.Minute)),
		failed("other", "a-due", now.Add(-3*time.Hour), base),
	)
	due := func(src string, at time.Time, limit int) []feeds.Article {
		t.Helper()
		arts, err := s.PagesDue(ctx, src, at, limit)
		if err != nil {
			t.Fatalf("PagesDue(%q, %v, %d): %v", src, at, limit, err)
		}
		return arts
	}
	wantKeys(t, due("s", now, 0), "s/legacy", "s/a-due", "s/b-due", "s/exactly")
	wantKeys(t, due("s", now, 2), "s/legacy", "s/a-due")
	wantKeys(t, due("s", base, 0))
	wantKeys(t, due("nobody", now, 0))
	wantKeys(t, due("other", now, 0), "other/a-due")
	// Whole articles come back, page state included.
	arts := due("s", now.Add(-90*time.Minute), 1)
	wantKeys(t, arts, "s/legacy")
	sameArticle(t, arts[0], failed("s", "legacy", time.Time{}, now.Add(-2*time.Hour)))

	// A page extracted at last is no longer due.
	fixed := failed("s", "a-due", time.Time{}, now)
	fixed.Page.Error, fixed.Page.Attempts, fixed.Page.ExtractedAt = "", 0, now
	upsert(t, s, fixed)
	wantKeys(t, due("s", now.Add(time.Hour), 0), "s/legacy", "s/b-due", "s/exactly", "s/later", "s/legacy-recent")
}

func testSourceState(t *testing.T, o Opener) {
	s := o.Open(t)
	ctx := context.Background()
	load := func(name string) store.SourceState {
		t.Helper()
		st, err := s.SourceState(ctx, name)
		if err != nil {
			t.Fatalf("SourceState(%q): %v", name, err)
		}
		return st
	}
	save := func(st store.SourceState) {
		t.Helper()
		if err := s.SaveSourceState(ctx, st); err != nil {
			t.Fatalf("SaveSourceState(%q): %v", st.Name, err)
		}
	}
	sameState := func(got, want store.SourceState) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("SourceState differs (-want +got):\n%s", diff(got, want))
		}
	}

	sameState(load("never"), store.SourceState{Name: "never"})

	full := store.SourceState{
		Name:           "Le Monde 🌍",
		ETag:           `W/"5e-abc"`,
		LastModified:   "Wed, 01 May 2024 12:00:00 GMT",
		LastAttempt:    time.Date(2024, 5, 1, 14, 0, 0, 999, time.FixedZone("CEST", 2*3600)),
		LastSuccess:    time.Date(2024, 5, 1, 11, 59, 59, 500000000, time.UTC),
		LastStatus:     "failed",
		LastError:      "fetch https://example.fr/rss: 503 Service Unavailable — réessayer",
		Failures:       7,
		NextAttempt:    time.Date(2024, 5, 1, 13, 0, 0, 0, time.UTC),
		Boilerplate:    []string{"Abonnez-vous à notre newsletter", "share on x", "日本語のテキスト"},
		FeedURL:        "https://example.fr/rss/une.xml",
		DiscoveredFrom: "https://example.fr/",
		ValidatorsURL:  "https://example.fr/rss/une.xml",
		// What pipeline.Fingerprints gives: hex SHA-256.
		ConfigFingerprint: "4f2d9c0b1e7a5d3c8b6a4f2d9c0b1e7a5d3c8b6a4f2d9c0b1e7a5d3c8b6a4f2d",
		PagesFingerprint:  "0e3b9a7c5d1f2e4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2a",
		Feed: feeds.SourceFeed{
			Title: "Le Monde.fr — Actualités et Infos en France et dans le monde",
			ID:    "tag:lemonde.fr,2024:une",
			Link:  "https://www.lemonde.fr/",
			URL:   "https://example.fr/rss/une.xml",
		},
	}
	allSet(t, reflect.ValueOf(full), "SourceState")
	save(full)
	want := full
	want.LastAttempt = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	want.LastSuccess = time.Date(2024, 5, 1, 11, 59, 59, 0, time.UTC)
	sameState(load(full.Name), want)

	// Saving again replaces every member, clearing those now empty.
	next := store.SourceState{
		Name:        full.Name,
		LastAttempt: base,
		LastSuccess: base,
		LastStatus:  "unchanged",
		Boilerplate: []string{},
	}
	save(next)
	next.Boilerplate = nil
	sameState(load(full.Name), next)

	// Other sources are independent; source state is not article content.
	v := version(t, s)
	save(store.SourceState{Name: "other", Failures: 1, LastStatus: "failed", LastError: "x"})
	sameState(load(full.Name), next)
	sameState(load("other"), store.SourceState{Name: "other", Failures: 1, LastStatus: "failed", LastError: "x"})
	if got := version(t, s); got != v {
		t.Errorf("Version = %+v after SaveSourceState, want %+v", got, v)
	}

	if err := s.SaveSourceState(ctx, store.SourceState{}); err == nil {
		t.Error("SaveSourceState with an empty name succeeded, want an error")
	}
}

func testVersion(t *testing.T, o Opener) {
	s := o.Open(t)
	v0 := version(t, s)
	if v0.Counter < 0 {
		t.Fatalf("initial Version.Counter = %d", v0.Counter)
	}
	step := func(name string, moves bool, arts ...feeds.Article) {
		t.Helper()
		before := version(t, s)
		start := time.Now().UTC().Truncate(time.Second)
		upsert(t, s, arts...)
		end := time.Now().UTC()
		after := version(t, s)
		if !moves {
			if after != before {
				t.Fatalf("%s: Version went from %+v to %+v, want no change", name, before, after)
			}
			return
		}
		if after.Counter != before.Counter+1 {
			t.Fatalf("%s: Version.Counter went from %d to %d, want +1", name, before.Counter, after.Counter)
		}
		// The time of the upsert, never earlier than the previous change,
		// and never ahead of the clock: a change is not dated later
		// because others came before it within the same second.
		if after.ChangedAt.Before(before.ChangedAt) || after.ChangedAt.Before(start) || after.ChangedAt.After(end) || after.ChangedAt.Location() != time.UTC {
			t.Fatalf("%s: Version.ChangedAt = %v after %v, want the time of the upsert in UTC (%v..%v), not before the previous change", name, after.ChangedAt, before.ChangedAt, start, end)
		}
	}
	a, b := art("s", "a", base), art("s", "b", base)
	step("new", true, a, b)
	step("unchanged", false, a, b)
	step("empty", false)
	b.Summary = "changed"
	step("updated", true, a, b)
	step("unchanged again", false, b)
	step("new and unchanged", true, a, b, art("t", "c", base))
	a.FetchedAt = a.FetchedAt.Add(time.Hour)
	step("only FetchedAt differs", false, a)
	// Changes in quick succession, as a refresh storing into many sources
	// makes them: each is dated by the clock, however many share a second.
	for i := range 20 {
		b.Summary = fmt.Sprintf("changed again %d", i)
		step(b.Summary, true, b)
	}
}

func testCanceledContext(t *testing.T, o Opener) {
	s := o.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.UpsertArticles(ctx, []feeds.Article{art("s", "a", base)}); err == nil {
		t.Fatal("UpsertArticles with a canceled context succeeded")
	}
	if _, err := s.Articles(ctx, store.Query{}); err == nil {
		t.Fatal("Articles with a canceled context succeeded")
	}
	wantKeys(t, list(t, s, store.Query{}))
	if v := version(t, s); v.Counter != 0 {
		t.Fatalf("Version.Counter = %d after a canceled upsert, want 0", v.Counter)
	}
}

// hammer runs writers goroutines, each upserting rounds batches over the
// handles round-robin: batches of its own articles plus a shared set all
// writers race to create and update. It checks counts, duplicates and that
// Version moved once per changing call.
func hammer(t *testing.T, handles []store.Store) {
	t.Helper()
	const writers, rounds, shared = 6, 8, 5
	v0 := version(t, handles[0])
	var (
		mu       sync.Mutex
		newTotal int
		changing int64
		wg       sync.WaitGroup
		errs     = make(chan error, writers)
	)
	for w := range writers {
		wg.Go(func() {
			s := handles[w%len(handles)]
			for r := range rounds {
				var batch []feeds.Article
				for k := range shared {
					a := art("shared", fmt.Sprint(k), base.Add(time.Duration(k)*time.Minute))
					a.Title = fmt.Sprintf("round %d", r) // writers agree per round
					batch = append(batch, a)
				}
				for k := range 3 {
					batch = append(batch, art(fmt.Sprintf("w%d", w), fmt.Sprintf("r%dk%d", r, k), base))
				}
				res, err := s.UpsertArticles(context.Background(), batch)
				if err != nil {
					errs <- fmt.Errorf("writer %d round %d: %w", w, r, err)
					return
				}
				if res.New+res.Updated+res.Unchanged != len(batch) {
					errs <- fmt.Errorf("writer %d round %d: result %+v does not add up to %d", w, r, res, len(batch))
					return
				}
				mu.Lock()
				newTotal += res.New
				if res.New+res.Updated > 0 {
					changing++
				}
				mu.Unlock()
				if _, err := s.Articles(context.Background(), store.Query{Limit: 10}); err != nil {
					errs <- fmt.Errorf("writer %d round %d: Articles: %w", w, r, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
	want := writers*rounds*3 + shared
	for i, s := range handles {
		all := list(t, s, store.Query{})
		if len(all) != want {
			t.Fatalf("handle %d: %d articles stored, want %d", i, len(all), want)
		}
		seen := map[string]bool{}
		for _, k := range keys(all) {
			if seen[k] {
				t.Fatalf("handle %d: %s stored twice", i, k)
			}
			seen[k] = true
		}
	}
	if newTotal != want {
		t.Fatalf("UpsertArticles counted %d new articles in all, want %d", newTotal, want)
	}
	if v := version(t, handles[len(handles)-1]); v.Counter != v0.Counter+changing {
		t.Fatalf("Version.Counter = %d, want %d (+1 for each of %d changing upserts)", v.Counter, v0.Counter+changing, changing)
	}
}

func testConcurrentUpserts(t *testing.T, o Opener) {
	hammer(t, []store.Store{o.Open(t)})
}

func testSecondHandle(t *testing.T, o Opener) {
	if o.Reopen == nil {
		t.Skip("storetest: Opener.Reopen not set")
	}
	ctx := context.Background()
	a := o.Open(t)
	b := o.Reopen(t, a)
	if va, vb := version(t, a), version(t, b); va != vb {
		t.Fatalf("handles disagree on Version: %+v and %+v", va, vb)
	}

	v0 := version(t, b)
	upsert(t, a, art("s", "1", base))
	v1 := version(t, b)
	if v1.Counter <= v0.Counter {
		t.Fatalf("second handle's Version = %d after a write through the first, want more than %d", v1.Counter, v0.Counter)
	}
	wantKeys(t, list(t, b, store.Query{}), "s/1")

	// The second handle sees the first FetchedAt and reports the update.
	upd := art("s", "1", base)
	upd.Title = "changed"
	upd.FetchedAt = base.Add(99 * time.Hour)
	wantResult(t, upsert(t, b, upd), 0, 1, 0)
	if got := get(t, a, "s", "1"); got.Title != "changed" || !got.FetchedAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("first handle reads title %q fetched %v, want the update with the first FetchedAt", got.Title, got.FetchedAt)
	}
	if v2 := version(t, a); v2.Counter <= v1.Counter {
		t.Fatalf("first handle's Version = %d after a write through the second, want more than %d", v2.Counter, v1.Counter)
	}

	if err := b.SaveSourceState(ctx, store.SourceState{Name: "s", ETag: `"x"`}); err != nil {
		t.Fatal(err)
	}
	if st, err := a.SourceState(ctx, "s"); err != nil || st.ETag != `"x"` {
		t.Fatalf("first handle reads source state %+v, %v", st, err)
	}

	// Closing one handle leaves the other working.
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	upsert(t, a, art("s", "2", base))
	wantKeys(t, list(t, a, store.Query{}), "s/1", "s/2")
}

func testSecondHandleConcurrent(t *testing.T, o Opener) {
	if o.Reopen == nil {
		t.Skip("storetest: Opener.Reopen not set")
	}
	a := o.Open(t)
	hammer(t, []store.Store{a, o.Reopen(t, a)})
}
