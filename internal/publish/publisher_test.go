package publish

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

// slowReader is an in-memory Reader whose article reads block until
// released, counting them.
type slowReader struct {
	reads   atomic.Int32
	release chan struct{}
	fail    atomic.Bool
	version atomic.Int64
}

func (s *slowReader) Articles(ctx context.Context, q store.Query) ([]feeds.Article, error) {
	s.reads.Add(1)
	select { // like a real store, give up when the context ends
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if s.fail.Load() {
		return nil, errors.New("disk on fire")
	}
	return []feeds.Article{{ID: "a", Source: "s", Title: "A", Link: "https://example.com/a", FetchedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}, nil
}

func (s *slowReader) Version(ctx context.Context) (store.Version, error) {
	return store.Version{Counter: s.version.Load(), ChangedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, nil
}

func newPub(r Reader) *Publisher {
	return New(r, Options{BaseURL: "http://x.test", Feeds: []Feed{{Name: "all", Sources: []string{"s"}, Limit: 10}}})
}

func TestConcurrentRequestsRenderOnce(t *testing.T) {
	r := &slowReader{release: make(chan struct{})}
	p := newPub(r)
	var wg sync.WaitGroup
	results := make([]*Rendering, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rend, err := p.Render(context.Background(), "all", feeds.Atom)
			if err != nil {
				t.Error(err)
			}
			results[i] = rend
		}()
	}
	for r.reads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the others queue behind the first
	close(r.release)
	wg.Wait()
	if n := r.reads.Load(); n != 1 {
		t.Fatalf("8 concurrent requests read the store %d times, want 1", n)
	}
	for _, rend := range results {
		if rend == nil || rend != results[0] {
			t.Fatal("requests got different renderings")
		}
	}
	// A new store version renders again.
	r.version.Add(1)
	if _, err := p.Render(context.Background(), "all", feeds.Atom); err != nil || r.reads.Load() != 2 {
		t.Fatalf("after a change: %v, %d reads", err, r.reads.Load())
	}
}

func TestFailedRenderIsNotCached(t *testing.T) {
	r := &slowReader{release: make(chan struct{})}
	close(r.release)
	r.fail.Store(true)
	p := newPub(r)
	if _, err := p.Render(context.Background(), "all", feeds.RSS); err == nil {
		t.Fatal("no error from a failing store")
	}
	r.fail.Store(false)
	if _, err := p.Render(context.Background(), "all", feeds.RSS); err != nil {
		t.Fatalf("the failure was cached: %v", err)
	}
	if _, err := p.Render(context.Background(), "nope", feeds.RSS); !errors.Is(err, ErrUnknownFeed) {
		t.Fatalf("unknown feed: %v", err)
	}
}

func TestCancelledRequesterDoesNotFailOthers(t *testing.T) {
	r := &slowReader{release: make(chan struct{})}
	p := newPub(r)
	waiting := make(chan struct{})
	p.onWait = func() { close(waiting) } // only the second request waits
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { _, err := p.Render(ctx, "all", feeds.JSON); first <- err }()
	for r.reads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	second := make(chan error, 1)
	go func() { _, err := p.Render(context.Background(), "all", feeds.JSON); second <- err }()
	<-waiting // the second request waits for the first one's rendering
	cancel()
	close(r.release)
	if err := <-second; err != nil {
		t.Fatalf("second requester failed because the first went away: %v", err)
	}
	<-first
}

func TestModified(t *testing.T) {
	// Every store version gets its own Last-Modified, later for the later
	// version, also across the bound this configuration sets: a version
	// stored before it and one stored in its very second differ.
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return created.Add(d) }
	article := func(d time.Duration) []feeds.Article {
		return []feeds.Article{{ID: "a", Source: "s", Published: at(d), FetchedAt: at(d)}}
	}
	tests := []struct {
		name    string
		changed time.Time
		items   []feeds.Article
		want    time.Time
	}{
		{"empty store", time.Time{}, nil, created},
		{"never changed, items older than the configuration", time.Time{}, article(-time.Hour), created},
		{"never changed, items newer", time.Time{}, article(time.Hour), at(time.Hour)},
		{"changed before the configuration", at(-time.Hour), nil, created},
		{"changed the second before", at(-time.Second), nil, created},
		{"changed in the configuration's second", created, nil, at(time.Second)},
		{"changed later", at(time.Minute), nil, at(time.Minute + time.Second)},
		{"fraction of a second", at(time.Minute + 300*time.Millisecond), nil, at(time.Minute + time.Second)},
	}
	p := newPub(&slowReader{})
	p.created = created
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.modified(store.Version{Counter: 1, ChangedAt: tt.changed}, tt.items); !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("modified = %v, want %v", got, tt.want)
			}
		})
	}
	// Consecutive versions, as the store dates them (never the same second
	// twice), across the configuration's bound.
	var prev time.Time
	for i, c := range []time.Time{at(-time.Second), created, at(time.Second), at(2 * time.Second)} {
		got := p.modified(store.Version{Counter: int64(i + 1), ChangedAt: c}, nil)
		if i > 0 && !got.After(prev) {
			t.Errorf("version changed at %v dated %v, not after the previous %v", c, got, prev)
		}
		prev = got
	}
}
