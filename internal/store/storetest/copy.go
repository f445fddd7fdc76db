package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

// CopyOpener opens the two ends of a copy: each call returns a store on a
// new, empty database, closed when t ends. From and To may be different
// implementations (SQLite to PostgreSQL and back).
type CopyOpener struct {
	From, To func(t *testing.T) store.Copier
}

// RunCopy runs the suite of store.Copy and store.Verify between the stores
// o opens: everything a store keeps arrives whole, a rerun writes nothing,
// a damaged destination is reported and repaired by a rerun, and reading
// and writing go a batch at a time.
func RunCopy(t *testing.T, o CopyOpener) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, o CopyOpener)
	}{
		{"Everything", testCopyEverything},
		{"Rerun", testCopyRerun},
		{"Repair", testCopyRepair},
		{"Empty", testCopyEmpty},
		{"ExportPages", testExportPages},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, o)
		})
	}
}

// copyFixture counts what fillForCopy stores: every field of an article and a
// source state set somewhere, listed and unlisted articles, failed and
// extracted pages, several sources, a last cleanup run.
type copyFixture struct {
	articles int
	states   int
}

// fillForCopy stores the fixture in s.
func fillForCopy(t *testing.T, s store.Store) copyFixture {
	t.Helper()
	ctx := context.Background()
	full := feeds.Article{
		ID:      "tag:example.com,2024:posts/ünïcødé-1?x=1&y=2",
		Source:  "Le Monde 🌍",
		Origin:  "https://www.example.fr/rss/une.xml",
		Title:   `Grève à l'Élysée — "quotes" & <brackets> 日本語 🎉`,
		Link:    "https://www.example.fr/politique/2024/05/01/greve.html",
		Summary: `<p>Résumé avec <a href="https://x.example/">lien</a></p>`,
		Content: "<p>Line one.\r\nLine two\twith tab.</p>" + strings.Repeat("<p>Long paragraph ✓.</p>", 200),
		Authors: []feeds.Author{
			{Name: "Zoë Dupont", Email: "zoe@example.fr", URL: "https://www.example.fr/zoe", Avatar: "https://img.example/zoe.png", Bio: "Journaliste."},
		},
		Image: &feeds.Image{URL: "https://img.example/lead.jpg?w=1200", Caption: "Devant l'Élysée", Credit: "AFP", Type: "image/jpeg", Width: 1200, Height: 630, Length: 1 << 33},
		Enclosures: []feeds.Enclosure{
			{URL: "https://cdn.example/ep1.mp3", Type: "audio/mpeg", Length: 52428800},
		},
		Categories: []feeds.Category{{Term: "politique", Scheme: "https://example.fr/rubriques", Label: "Politique"}},
		Podcast:    &feeds.Podcast{Duration: 2*time.Hour + 5*time.Second, Image: "https://cdn.example/ep1.jpg", Explicit: feeds.ExplicitNo},
		Published:  time.Date(2024, 5, 1, 14, 30, 15, 0, time.UTC),
		Updated:    time.Date(2024, 5, 2, 9, 5, 0, 0, time.UTC),
		FetchedAt:  time.Date(2024, 5, 2, 1, 0, 59, 0, time.UTC),
		Page: &feeds.PageState{
			ExtractedAt: time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC), ETag: `W/"abc"`, LastModified: "Thu, 02 May 2024 01:00:00 GMT",
			Error: "extract: no article body found", Attempts: 3,
			AttemptedAt: time.Date(2024, 5, 2, 10, 30, 0, 0, time.UTC), RetryAt: time.Date(2024, 5, 2, 18, 30, 0, 0, time.UTC),
		},
	}
	allSet(t, reflect.ValueOf(full), "Article")
	var arts []feeds.Article
	arts = append(arts, full)
	for i := range 9 {
		a := art("Le Monde 🌍", fmt.Sprintf("a%02d", i), base.Add(time.Duration(i)*time.Hour))
		switch i % 3 {
		case 0: // extracted
			a.Page = &feeds.PageState{ExtractedAt: base, ETag: `"p"`, AttemptedAt: base}
		case 1: // the same HTML as summary and content, no date, bare terms
			a.Summary, a.Published = a.Content, time.Time{}
			a.Categories = feeds.Terms("bare", "terms")
		}
		arts = append(arts, a)
	}
	for i := range 7 {
		a := art("go-blog", fmt.Sprintf("g%d", i), base.Add(-time.Duration(i)*time.Minute))
		a.Podcast = &feeds.Podcast{Explicit: feeds.ExplicitYes}
		arts = append(arts, a)
	}
	arts = append(arts, art("zz", "only", time.Time{}))
	if _, err := s.UpsertArticles(ctx, arts); err != nil {
		t.Fatalf("UpsertArticles: %v", err)
	}
	// Some listed, some not.
	if err := s.MarkListed(ctx, "go-blog", []string{"g0", "g1", "g2"}); err != nil {
		t.Fatalf("MarkListed: %v", err)
	}
	fullState := store.SourceState{
		Name: "Le Monde 🌍", ETag: `W/"5e"`, LastModified: "Wed, 01 May 2024 12:00:00 GMT",
		LastAttempt: base.Add(time.Hour), LastSuccess: base, LastStatus: "failed",
		LastError: "fetch https://example.fr/rss: 503 Service Unavailable", Failures: 7, NextAttempt: base.Add(3 * time.Hour),
		Boilerplate: []string{"abonnez-vous à notre newsletter", "share on x"},
		FeedURL:     "https://example.fr/rss/une.xml", DiscoveredFrom: "https://example.fr/", ValidatorsURL: "https://example.fr/rss/une.xml",
		ConfigFingerprint: strings.Repeat("ab", 32), PagesFingerprint: strings.Repeat("cd", 32),
		Feed: feeds.SourceFeed{Title: "Le Monde", ID: "urn:lemonde", Link: "https://example.fr/", URL: "https://example.fr/rss/une.xml"},
	}
	allSet(t, reflect.ValueOf(fullState), "SourceState")
	states := []store.SourceState{
		fullState,
		{Name: "go-blog", LastStatus: "unchanged", LastAttempt: base, LastSuccess: base, ETag: `"v1"`},
		{Name: "never-stored-articles", LastStatus: "failed", Failures: 1, LastError: "dial: refused"},
	}
	for _, st := range states {
		if err := s.SaveSourceState(ctx, st); err != nil {
			t.Fatalf("SaveSourceState: %v", err)
		}
	}
	if err := s.SaveRetention(ctx, store.RetentionRun{At: base, Duration: 1500 * time.Millisecond, Deleted: 12, Orphans: 1}); err != nil {
		t.Fatalf("SaveRetention: %v", err)
	}
	return copyFixture{articles: len(arts), states: len(states)}
}

// exportAll reads every article and state of s through the export, in
// pages of 3.
func exportAll(t *testing.T, s store.Copier) ([]store.StoredArticle, []store.SourceState) {
	t.Helper()
	ctx := context.Background()
	var arts []store.StoredArticle
	var after store.ArticleKey
	for {
		page, err := s.ExportArticles(ctx, after, 3)
		if err != nil {
			t.Fatalf("ExportArticles: %v", err)
		}
		arts = append(arts, page...)
		if len(page) < 3 {
			break
		}
		after = store.ArticleKey{Source: page[len(page)-1].Source, ID: page[len(page)-1].ID}
	}
	var states []store.SourceState
	name := ""
	for {
		page, err := s.ExportSourceStates(ctx, name, 2)
		if err != nil {
			t.Fatalf("ExportSourceStates: %v", err)
		}
		states = append(states, page...)
		if len(page) < 2 {
			break
		}
		name = page[len(page)-1].Name
	}
	return arts, states
}

func copyStores(t *testing.T, from, to store.Copier, opts store.CopyOptions) *store.CopyResult {
	t.Helper()
	res, err := store.Copy(context.Background(), from, to, opts)
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	return res
}

func verify(t *testing.T, from, to store.Copier, res *store.CopyResult) store.Verification {
	t.Helper()
	v, err := store.Verify(context.Background(), from, to, res)
	if err != nil {
		t.Fatalf("Verify: %v\n%s", err, strings.Join(v.Mismatches, "\n"))
	}
	return v
}

// sameStores fails unless a and b hold the same articles, states and last
// cleanup run, read whole.
func sameStores(t *testing.T, a, b store.Copier) {
	t.Helper()
	artsA, statesA := exportAll(t, a)
	artsB, statesB := exportAll(t, b)
	if d := cmp.Diff(artsA, artsB); d != "" {
		t.Errorf("articles differ (-source +destination):\n%s", d)
	}
	if d := cmp.Diff(statesA, statesB); d != "" {
		t.Errorf("source states differ (-source +destination):\n%s", d)
	}
	ctx := context.Background()
	ra, err := a.LastRetention(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := b.LastRetention(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ra != rb {
		t.Errorf("last cleanup run %+v, copied %+v", ra, rb)
	}
	// What the feeds are built from reads the same.
	if d := cmp.Diff(list(t, a, store.Query{}), list(t, b, store.Query{})); d != "" {
		t.Errorf("Articles differ (-source +destination):\n%s", d)
	}
}

func testCopyEverything(t *testing.T, o CopyOpener) {
	from, to := o.From(t), o.To(t)
	fx := fillForCopy(t, from)
	before := version(t, to)
	var progress []int
	res := copyStores(t, from, to, store.CopyOptions{Batch: 4, Sample: 7, Progress: func(read, total int) {
		if total != fx.articles {
			t.Errorf("progress total %d, want %d", total, fx.articles)
		}
		progress = append(progress, read)
	}})
	if res.Articles != fx.articles || res.ArticlesWritten != fx.articles || res.States != fx.states || res.StatesWritten != fx.states || !res.RetentionWritten {
		t.Fatalf("Copy = %+v, want %d articles and %d states read and written, the cleanup run written", res, fx.articles, fx.states)
	}
	// 18 articles in batches of 4.
	if want := []int{4, 8, 12, 16, 18}; !reflect.DeepEqual(progress, want) {
		t.Errorf("progress %v, want %v", progress, want)
	}
	sameStores(t, from, to)
	v := verify(t, from, to, res)
	if v.Sampled != 7 || v.Articles != fx.articles || v.Sources != 3 || v.States != fx.states {
		t.Errorf("Verify = %+v, want 7 sampled, %d articles in 3 sources, %d states", v, fx.articles, fx.states)
	}
	if after := version(t, to); after.Counter <= before.Counter {
		t.Errorf("the destination's version stayed at %d: renderers would keep serving what they cached", after.Counter)
	}
	// The copied bookkeeping works: the failed page is due, the listed
	// articles survive a cleanup that deletes the others.
	ctx := context.Background()
	due, err := to.PagesDue(ctx, "Le Monde 🌍", base.Add(1000*time.Hour), 0)
	if err != nil || len(due) != 1 || due[0].Page.Attempts != 3 {
		t.Errorf("PagesDue on the copy = %d articles, %v; want the failed page", len(due), err)
	}
	exp, err := to.Expire(ctx, store.Retention{Source: "go-blog", MaxItems: 1}, base)
	if err != nil || exp.Count != 4 {
		t.Errorf("Expire on the copy = %+v, %v; want the 4 unlisted articles deleted", exp, err)
	}
}

func testCopyRerun(t *testing.T, o CopyOpener) {
	from, to := o.From(t), o.To(t)
	fx := fillForCopy(t, from)
	copyStores(t, from, to, store.CopyOptions{Batch: 5})
	before := version(t, to)
	res := copyStores(t, from, to, store.CopyOptions{Batch: 5})
	if res.Articles != fx.articles || res.ArticlesWritten != 0 || res.StatesWritten != 0 || res.RetentionWritten {
		t.Fatalf("rerun Copy = %+v, want everything read and nothing written", res)
	}
	if after := version(t, to); after != before {
		t.Errorf("a rerun that wrote nothing moved the version from %+v to %+v", before, after)
	}
	sameStores(t, from, to)
	if v := verify(t, from, to, res); v.Sampled != fx.articles {
		t.Errorf("sampled %d articles, want all %d (fewer than the sample size)", v.Sampled, fx.articles)
	}
}

func testCopyRepair(t *testing.T, o CopyOpener) {
	from, to := o.From(t), o.To(t)
	fillForCopy(t, from)
	res := copyStores(t, from, to, store.CopyOptions{})
	ctx := context.Background()
	// The destination drifts: an article's title, another's listing, a
	// state's backoff, an article of a source the source store lacks.
	changed := art("go-blog", "g3", base.Add(-3*time.Minute))
	changed.Podcast = &feeds.Podcast{Explicit: feeds.ExplicitYes}
	changed.Title = "Edited in the destination"
	if _, err := to.UpsertArticles(ctx, []feeds.Article{changed, art("extra", "x", base)}); err != nil {
		t.Fatal(err)
	}
	if err := to.MarkListed(ctx, "go-blog", []string{"g0", "g1"}); err != nil {
		t.Fatal(err)
	}
	if err := to.SaveSourceState(ctx, store.SourceState{Name: "go-blog", Failures: 3}); err != nil {
		t.Fatal(err)
	}
	v, err := store.Verify(ctx, from, to, res)
	if !errors.Is(err, store.ErrMismatch) {
		t.Fatalf("Verify of a drifted copy = %v, want ErrMismatch", err)
	}
	got := strings.Join(v.Mismatches, "\n")
	for _, want := range []string{
		`source "extra": 0 articles`,
		`source state "go-blog": ETag, LastAttempt, LastSuccess, LastStatus, Failures differ`,
		"article go-blog/g2: Listed differ",
		"article go-blog/g3: Title differ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("mismatches lack %q:\n%s", want, got)
		}
	}
	// A rerun puts back what the source holds; the extra source stays
	// (copy deletes nothing) until deleted.
	res = copyStores(t, from, to, store.CopyOptions{})
	if res.ArticlesWritten != 2 || res.StatesWritten != 1 {
		t.Errorf("rerun Copy = %+v, want the 2 drifted articles and 1 state written", res)
	}
	if v, err := store.Verify(ctx, from, to, res); !errors.Is(err, store.ErrMismatch) || len(v.Mismatches) != 1 {
		t.Fatalf("Verify with an extra source = %q, %v; want that mismatch alone", v.Mismatches, err)
	}
	if _, err := to.DeleteSource(ctx, "extra"); err != nil {
		t.Fatal(err)
	}
	verify(t, from, to, res)
	sameStores(t, from, to)
}

func testCopyEmpty(t *testing.T, o CopyOpener) {
	from, to := o.From(t), o.To(t)
	res := copyStores(t, from, to, store.CopyOptions{})
	if res.Articles+res.ArticlesWritten+res.States+res.StatesWritten != 0 || res.RetentionWritten {
		t.Errorf("Copy of an empty store = %+v, want nothing done", res)
	}
	if v := verify(t, from, to, res); v.Sampled != 0 || v.Articles != 0 {
		t.Errorf("Verify = %+v", v)
	}
	if _, err := to.LastRetention(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// testExportPages pins the key order the copy and its sample rely on: by
// source then id, comparing bytes, whatever the case or script.
func testExportPages(t *testing.T, o CopyOpener) {
	s := o.From(t)
	ids := []string{"B", "a", "b", "É", "é", "Z", "0", "a b", "ab"}
	var arts []feeds.Article
	for _, id := range ids {
		arts = append(arts, art("s", id, base), art("S", id, base))
	}
	upsert(t, s, arts...)
	got, _ := exportAll(t, s)
	var keys []string
	for _, a := range got {
		keys = append(keys, a.Source+"/"+a.ID)
	}
	var want []string
	for _, src := range []string{"S", "s"} {
		for _, id := range []string{"0", "B", "Z", "a", "a b", "ab", "b", "É", "é"} {
			want = append(want, src+"/"+id)
		}
	}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("export order %q, want %q", keys, want)
	}
	// Every article is listed when stored, as UpsertArticles leaves it.
	for _, a := range got {
		if !a.Listed {
			t.Errorf("%s/%s exported unlisted", a.Source, a.ID)
		}
	}
}
