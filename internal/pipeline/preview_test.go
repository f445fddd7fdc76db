package pipeline

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/sources"
)

// TestPreviewIsTheFirstRun: Preview, with no store at all, yields the
// articles the first run of the same source stores (full text, the bio
// moved onto the author, the image credit, learned boilerplate dropped),
// and counts its pages alike.
func TestPreviewIsTheFirstRun(t *testing.T) {
	ctx := context.Background()
	s := newSite(t)
	src := Source{Source: sources.Source{Name: "wire", URL: s.URL + "/feed.xml"}, FullText: true}

	// No Store: a preview that touched one would panic.
	p, err := (&Runner{Doer: fetch.New(fetch.Options{})}).Preview(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if p.Pages != 3 || p.PageErrors != 0 || len(p.Articles) != 3 || len(p.Teasers) != 0 {
		t.Fatalf("preview: %d pages, %d failed, %d articles, teasers %q", p.Pages, p.PageErrors, len(p.Articles), p.Teasers)
	}
	if len(p.Fetch.RelativeLinks) != 3 {
		t.Errorf("the feed's three relative links are not noted: %q", p.Fetch.RelativeLinks)
	}

	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	if out := newRunner(st).Run(ctx, src, false); out.Status != StatusNew || out.Pages != p.Pages {
		t.Fatalf("first run: %+v (%v)", out, out.Err)
	}
	stored, err := st.Articles(ctx, store.Query{Sources: []string{"wire"}})
	if err != nil {
		t.Fatal(err)
	}
	comparable := func(a feeds.Article) feeds.Article {
		a.FetchedAt, a.Page = time.Time{}, nil // when each was fetched differs
		a.Published, a.Updated = a.Published.UTC(), a.Updated.UTC()
		if len(a.Categories) == 0 {
			a.Categories = nil
		}
		return a
	}
	for _, a := range p.Articles {
		i := slices.IndexFunc(stored, func(b feeds.Article) bool { return b.ID == a.ID })
		if i < 0 {
			t.Errorf("previewed %q is not stored", a.ID)
			continue
		}
		if a.Page == nil || a.Page.ExtractedAt.IsZero() {
			t.Errorf("previewed %q: page state %+v, want extracted", a.ID, a.Page)
		}
		if got, want := comparable(a), comparable(stored[i]); !reflect.DeepEqual(got, want) {
			t.Errorf("previewed %q differs from the stored one:\npreview %+v\nstored  %+v", a.ID, got, want)
		}
	}
	putin := p.Articles[slices.IndexFunc(p.Articles, func(a feeds.Article) bool { return a.ID == "putin-trump-cyber-pact" })]
	if len(putin.Authors) == 0 || putin.Authors[0].Bio != bio || putin.Image == nil || putin.Image.Credit != "FBI" {
		t.Errorf("putin: authors %+v image %+v", putin.Authors, putin.Image)
	}
	if text := feeds.PlainText(putin.Content); strings.Contains(text, note) || strings.Contains(text, cta) {
		t.Errorf("boilerplate kept:\n%s", text)
	}
}

// TestPreviewTeasers: without full text, the articles of a teaser feed
// that link to pages are named as teasers; a failed fetch is an error.
func TestPreviewTeasers(t *testing.T) {
	ctx := context.Background()
	s := newSite(t)
	r := &Runner{Doer: fetch.New(fetch.Options{})}
	p, err := r.Preview(ctx, Source{Source: sources.Source{Name: "wire", URL: s.URL + "/feed.xml"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Pages != 0 || len(p.Teasers) != 3 || p.Articles[0].Content != "" {
		t.Errorf("no full text: %d pages, teasers %q", p.Pages, p.Teasers)
	}
	if _, err := r.Preview(ctx, Source{Source: sources.Source{Name: "wire", URL: s.URL + "/missing.xml"}}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing feed: err = %v", err)
	}
}
