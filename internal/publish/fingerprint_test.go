package publish

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

// sourceReader is an in-memory Reader: articles by source, and a version
// moved by put, as a store's is by every article change.
type sourceReader struct {
	mu  sync.Mutex
	ver int64
	by  map[string][]feeds.Article
}

func (m *sourceReader) put(a feeds.Article) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.by == nil {
		m.by = map[string][]feeds.Article{}
	}
	m.by[a.Source] = append(m.by[a.Source], a)
	m.ver++
}

func (m *sourceReader) Articles(_ context.Context, q store.Query) ([]feeds.Article, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []feeds.Article
	for _, s := range q.Sources {
		out = append(out, m.by[s]...)
	}
	return out, nil
}

func (m *sourceReader) Version(context.Context) (store.Version, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return store.Version{Counter: m.ver, ChangedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, nil
}

// TestFingerprintChangesWithTheFeedsBytes: a feed's fingerprint moves
// when an article it publishes changes, and only then: another feed's
// article moves the store's version, not this feed's fingerprint.
func TestFingerprintChangesWithTheFeedsBytes(t *testing.T) {
	ctx := context.Background()
	r := &sourceReader{}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r.put(feeds.Article{ID: "https://a.example/1", Source: "a", Title: "A1", Link: "https://a.example/1", FetchedAt: at})
	r.put(feeds.Article{ID: "https://b.example/1", Source: "b", Title: "B1", Link: "https://b.example/1", FetchedAt: at})
	p := New(r, Options{BaseURL: "http://x.test", Hub: "https://hub.example/", Feeds: []Feed{
		{Name: "a", Sources: []string{"a"}, Limit: 10},
		{Name: "b", Sources: []string{"b"}, Limit: 10},
	}})
	fp := func(name string) string {
		t.Helper()
		s, err := p.Fingerprint(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a0, b0 := fp("a"), fp("b")
	if a0 == b0 || a0 != fp("a") {
		t.Fatalf("fingerprints a %q, b %q: want distinct and stable", a0, b0)
	}
	r.put(feeds.Article{ID: "https://a.example/2", Source: "a", Title: "A2", Link: "https://a.example/2", FetchedAt: at.Add(time.Hour)})
	if fp("a") == a0 {
		t.Error("feed a's fingerprint did not move with its new article")
	}
	if fp("b") != b0 {
		t.Error("feed b's fingerprint moved with another feed's article")
	}
	if _, err := p.Fingerprint(ctx, "nope"); err == nil {
		t.Error("no error for an unknown feed")
	}
	want := []string{"http://x.test/feeds/a.rss", "http://x.test/feeds/a.atom", "http://x.test/feeds/a.json"}
	if got := p.FeedURLs("a"); !slices.Equal(got, want) {
		t.Errorf("FeedURLs = %q, want %q", got, want)
	}
	if p.Hub() != "https://hub.example/" {
		t.Errorf("Hub = %q", p.Hub())
	}
}
