package status

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/store"
)

type fakeReader struct {
	states []store.SourceState
	stats  map[string]store.SourceStats
}

func (f fakeReader) SourceStates(context.Context) ([]store.SourceState, error) { return f.states, nil }
func (f fakeReader) SourceStats(context.Context) (map[string]store.SourceStats, error) {
	return f.stats, nil
}

func TestBuild(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	r := fakeReader{
		states: []store.SourceState{
			{Name: "a-ok", LastAttempt: now.Add(-time.Minute), LastSuccess: now.Add(-time.Minute), LastStatus: "new"},
			{Name: "b-failing", LastAttempt: now, LastStatus: "failed", Failures: 2, NextAttempt: now.Add(time.Hour),
				LastError: "fetch https://u:secret@b.example/feed: 503"},
			{Name: "c-retry-after", LastStatus: "unchanged", NextAttempt: now.Add(time.Minute)},
			{Name: "gone", LastStatus: "new"},
			{Name: "z-failing", Failures: 1, LastStatus: "failed"},
		},
		stats: map[string]store.SourceStats{"a-ok": {Articles: 4, PagesExtracted: 3, PagesFailed: 1}, "only-articles": {Articles: 2}},
	}
	opts := Options{Now: now, Sources: []Configured{
		{Name: "z-failing", URL: "https://z.example/", Schedule: "@hourly", Enabled: true},
		{Name: "a-ok", URL: "https://tok@a.example/", Schedule: "*/15 * * * *", Enabled: true},
		{Name: "b-failing", URL: "https://b.example/", Schedule: "@hourly", Enabled: true},
		{Name: "c-retry-after", URL: "https://c.example/", Schedule: "@hourly", Enabled: true},
		{Name: "d-new", URL: "https://d.example/", Schedule: "@hourly", Enabled: true},
		{Name: "e-off", URL: "https://e.example/", Schedule: "@hourly"},
	}}
	rep, err := Build(context.Background(), r, opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range rep.Sources {
		got = append(got, s.Name+"="+s.State)
	}
	want := "b-failing=failing z-failing=failing c-retry-after=backoff a-ok=ok d-new=never fetched e-off=disabled gone=not configured only-articles=not configured"
	if strings.Join(got, " ") != want {
		t.Errorf("order:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if rep.LastRetention != nil {
		t.Errorf("LastRetention = %v without a hook, want nil (never)", rep.LastRetention)
	}
	by := map[string]Source{}
	for _, s := range rep.Sources {
		by[s.Name] = s
	}
	if s := by["b-failing"]; strings.Contains(s.LastError, "secret") || s.BackoffUntil == nil || !s.BackoffUntil.Equal(now.Add(time.Hour)) {
		t.Errorf("b-failing = %+v: want a masked error and backoff until %v", s, now.Add(time.Hour))
	}
	if s := by["a-ok"]; s.URL != "https://xxxxx@a.example/" || s.NextRun == nil || !s.NextRun.Equal(now.Add(15*time.Minute)) ||
		s.Articles != 4 || s.PagesExtracted != 3 || s.PagesFailed != 1 {
		t.Errorf("a-ok = %+v", s)
	}
	if s := by["e-off"]; s.NextRun != nil {
		t.Errorf("disabled source has a next run: %v", s.NextRun)
	}
	if s := by["gone"]; s.Configured {
		t.Errorf("gone is marked configured")
	}

	if rep.Feeds != nil {
		t.Errorf("Feeds = %v without a hook, want none", rep.Feeds)
	}
	feeds := []Feed{{Name: "clean", Items: 3, Filtered: Filtered{Exclude: 2, MaxAge: 1}}}
	opts.Feeds = func(context.Context) ([]Feed, error) { return feeds, nil }
	if rep, err = Build(context.Background(), r, opts); err != nil || len(rep.Feeds) != 1 || rep.Feeds[0] != feeds[0] {
		t.Errorf("Feeds = %+v, %v; want %+v", rep.Feeds, err, feeds)
	}
	opts.Feeds = func(context.Context) ([]Feed, error) { return nil, errors.New("store gone") }
	if _, err = Build(context.Background(), r, opts); err == nil || !strings.Contains(err.Error(), "store gone") {
		t.Errorf("Build with a failing feeds hook = %v, want its error", err)
	}
	opts.Feeds = nil

	ran := now.Add(-time.Hour)
	opts.LastRetention = func(context.Context) (time.Time, error) { return ran, nil }
	if rep, err = Build(context.Background(), r, opts); err != nil || rep.LastRetention == nil || !rep.LastRetention.Equal(ran) {
		t.Errorf("LastRetention = %v, %v; want %v", rep.LastRetention, err, ran)
	}
}
