package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

func testSourceStates(t *testing.T, o Opener) {
	s := o.Open(t)
	ctx := context.Background()
	got, err := s.SourceStates(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("SourceStates on an empty store = %v, %v; want none", got, err)
	}
	failing := store.SourceState{
		Name: "zeta", LastAttempt: base, LastSuccess: base.Add(-time.Hour), LastStatus: "failed",
		LastError: "fetch https://xxxxx@zeta.example/feed: 503", Failures: 3, NextAttempt: base.Add(time.Hour),
		FeedURL: "https://zeta.example/feed", DiscoveredFrom: "https://zeta.example/", Boilerplate: []string{"subscribe"},
	}
	ok := store.SourceState{Name: "Alpha", LastAttempt: base, LastSuccess: base, LastStatus: "new", ETag: `"e"`}
	for _, st := range []store.SourceState{failing, ok, {Name: "mid", LastStatus: "unchanged"}} {
		if err := s.SaveSourceState(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	got, err = s.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by name, bytewise; every member as SourceState returns it.
	want := []store.SourceState{ok, {Name: "mid", LastStatus: "unchanged"}, failing}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("SourceStates differs (-want +got):\n%s", diff(got, want))
	}
	for _, w := range want {
		one, err := s.SourceState(ctx, w.Name)
		if err != nil || !reflect.DeepEqual(one, w) {
			t.Errorf("SourceState(%q) = %+v, %v; SourceStates said %+v", w.Name, one, err, w)
		}
	}
	// A source with articles but no saved state is not listed.
	upsert(t, s, art("articles-only", "1", base))
	if got, err := s.SourceStates(ctx); err != nil || len(got) != 3 {
		t.Errorf("SourceStates after an upsert = %d states, %v; want 3", len(got), err)
	}
}

func testSourceStats(t *testing.T, o Opener) {
	s := o.Open(t)
	ctx := context.Background()
	got, err := s.SourceStats(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("SourceStats on an empty store = %v, %v; want none", got, err)
	}
	page := func(src, id string, p *feeds.PageState) feeds.Article {
		a := art(src, id, base)
		a.Page = p
		return a
	}
	extracted := &feeds.PageState{ExtractedAt: base, AttemptedAt: base}
	failed := &feeds.PageState{Error: "article page: http 500", Attempts: 1, AttemptedAt: base, RetryAt: base.Add(time.Hour)}
	// Extracted once, failed since: it counts as failed, not extracted.
	refailed := &feeds.PageState{ExtractedAt: base, Error: "article page: http 404", Attempts: 1, AttemptedAt: base}
	// Attempted, not failed, never extracted (e.g. nothing to extract).
	attempted := &feeds.PageState{AttemptedAt: base}
	upsert(t, s,
		art("plain", "1", base), art("plain", "2", base), art("plain", "3", base),
		page("full", "a", extracted), page("full", "b", extracted), page("full", "c", failed),
		page("full", "d", refailed), page("full", "e", attempted), art("full", "f", base),
		page("broken", "x", failed),
	)
	if err := s.SaveSourceState(ctx, store.SourceState{Name: "state-only", LastStatus: "failed"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]store.SourceStats{
		"plain":  {Articles: 3},
		"full":   {Articles: 6, PagesExtracted: 2, PagesFailed: 2},
		"broken": {Articles: 1, PagesFailed: 1},
	}
	got, err = s.SourceStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("SourceStats differs (-want +got):\n%s", diff(got, want))
	}
	// A page that succeeds on retry moves from failed to extracted.
	upsert(t, s, page("full", "c", extracted))
	want["full"] = store.SourceStats{Articles: 6, PagesExtracted: 3, PagesFailed: 1}
	if got, err = s.SourceStats(ctx); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("SourceStats after a retry differs (%v) (-want +got):\n%s", err, diff(got, want))
	}
}
