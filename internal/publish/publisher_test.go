package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
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

// versionFails is a store whose version check fails while down is set.
type versionFails struct {
	*slowReader
	down atomic.Bool
}

func (v *versionFails) Version(ctx context.Context) (store.Version, error) {
	if v.down.Load() {
		return store.Version{}, errors.New("connection reset")
	}
	return v.slowReader.Version(ctx)
}

// newOutagePub returns a store that answers until told otherwise, and a
// Publisher of it whose logs are kept.
func newOutagePub(t *testing.T) (*versionFails, *Publisher, *strings.Builder) {
	t.Helper()
	sr := &slowReader{release: make(chan struct{})}
	close(sr.release)
	r := &versionFails{slowReader: sr}
	logs := &strings.Builder{}
	p := New(r, Options{BaseURL: "http://x.test", Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Feeds: []Feed{{Name: "all", Sources: []string{"s"}, Limit: 10}}})
	return r, p, logs
}

func TestStoreOutageIsLoggedOnceAndServedFromCache(t *testing.T) {
	r, p, logs := newOutagePub(t)
	first, err := p.Render(context.Background(), "all", feeds.Atom)
	if err != nil {
		t.Fatal(err)
	}
	// Dead connections fail one by one, interleaved with live ones: one
	// outage, however the failures and successes alternate.
	for range 3 {
		r.down.Store(true)
		for range 4 {
			if got, err := p.Render(context.Background(), "all", feeds.Atom); err != nil || !same(got, first) {
				t.Fatalf("during the outage: %v, cached rendering %v", err, same(got, first))
			}
		}
		if _, err := p.Render(context.Background(), "all", feeds.RSS); !errors.Is(err, ErrStoreUnavailable) {
			t.Fatalf("nothing cached during the outage: %v, want ErrStoreUnavailable", err)
		}
		if err := p.CheckStore(context.Background()); !errors.Is(err, ErrStoreUnavailable) {
			t.Fatalf("CheckStore during the outage: %v", err)
		}
		r.down.Store(false)
		if err := p.CheckStore(context.Background()); err != nil {
			t.Fatalf("CheckStore once the store answers: %v", err)
		}
	}
	if n := strings.Count(logs.String(), "store unavailable"); n != 1 {
		t.Errorf("one outage logged as %d:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "available again") {
		t.Errorf("the outage was logged as over before the store settled:\n%s", logs.String())
	}
	p.mu.Lock()
	p.settle = 0 // as if outageSettle had passed
	p.mu.Unlock()
	if _, err := p.Render(context.Background(), "all", feeds.Atom); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), "store available again"); n != 1 || !strings.Contains(logs.String(), "served_from_cache=12") {
		t.Errorf("the end of the outage logged %d times, want once with 12 requests served from the cache:\n%s", n, logs.String())
	}
	// A requester that gives up is no outage.
	r.down.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Render(ctx, "all", feeds.Atom); err == nil {
		t.Error("a cancelled request got an answer from a failing store")
	}
	if n := strings.Count(logs.String(), "store unavailable"); n != 1 {
		t.Errorf("a cancelled request was logged as an outage:\n%s", logs.String())
	}
}

func TestModified(t *testing.T) {
	// The earliest date of a store version: after the second it changed
	// in, and never before the bound this configuration sets.
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
}

func TestDates(t *testing.T) {
	// Successive servings of one feed: the same bytes keep their date,
	// other bytes get a later one than any served before, even when the
	// store dates them no later (several changes in one second, or a
	// rendering of an older version served after a newer one).
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	steps := []struct {
		name string
		etag string
		from time.Time
		want time.Time
	}{
		{"first", "a", at(0), at(0)},
		{"same bytes", "a", at(0), at(0)},
		{"same bytes, the store changed since", "a", at(5), at(0)},
		{"other bytes, a later change", "b", at(7), at(7)},
		{"other bytes, same change second", "c", at(7), at(8)},
		{"and again", "d", at(7), at(9)},
		{"older bytes served again", "c", at(7), at(10)},
		{"an older version served late", "e", at(3), at(11)},
		{"the current bytes again", "e", at(12), at(11)},
		{"the clock caught up", "f", at(20), at(20)},
	}
	var d Dates
	key := cacheKey{"all", feeds.Atom, 1}
	for _, s := range steps {
		if got := d.date(key, s.etag, s.from); !got.Equal(s.want) {
			t.Errorf("%s: %s from %v dated %v, want %v", s.name, s.etag, s.from, got, s.want)
		}
	}
	// Each feed and format has its own.
	if got := d.date(cacheKey{"all", feeds.RSS, 1}, "x", at(0)); !got.Equal(at(0)) {
		t.Errorf("another format dated %v, want %v", got, at(0))
	}
	if got := d.date(cacheKey{"other", feeds.Atom, 1}, "x", at(0)); !got.Equal(at(0)) {
		t.Errorf("another feed dated %v, want %v", got, at(0))
	}
}

// titledReader is a Reader whose articles and version a test sets.
type titledReader struct {
	mu    sync.Mutex
	title string
	v     store.Version
}

func (r *titledReader) set(title string, changed time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.title = title
	r.v = store.Version{Counter: r.v.Counter + 1, ChangedAt: changed}
}

func (r *titledReader) Articles(ctx context.Context, q store.Query) ([]feeds.Article, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return []feeds.Article{{ID: "a", Source: "s", Title: r.title, Link: "https://example.com/a", FetchedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}, nil
}

func (r *titledReader) Version(ctx context.Context) (store.Version, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.v, nil
}

func TestRenderDatesWhatItServes(t *testing.T) {
	ctx := context.Background()
	// Store changes dated in one second, far enough ahead that the
	// configuration's bound (the clock at the first Render) is below.
	changed := time.Now().UTC().Truncate(time.Second).Add(time.Hour)
	r := &titledReader{}
	r.set("one", changed)
	dates := &Dates{}
	opts := Options{BaseURL: "http://x.test", Feeds: []Feed{{Name: "all", Sources: []string{"s"}, Limit: 10}}, Dates: dates}
	p := New(r, opts)
	render := func(p *Publisher) *Rendering {
		t.Helper()
		rend, err := p.Render(ctx, "all", feeds.Atom)
		if err != nil {
			t.Fatal(err)
		}
		return rend
	}
	first := render(p)
	if want := changed.Add(time.Second); !first.Modified.Equal(want) {
		t.Fatalf("first rendering dated %v, want the end of the change's second %v", first.Modified, want)
	}
	// Another change within the same second: other bytes, a later date.
	r.set("two", changed.Add(500*time.Millisecond))
	second := render(p)
	if second.ETag == first.ETag || !second.Modified.After(first.Modified) {
		t.Fatalf("second change dated %v (ETag %s), want later than %v (ETag %s)", second.Modified, second.ETag, first.Modified, first.ETag)
	}
	// A change elsewhere in the store: the same bytes keep their date.
	r.set("two", changed.Add(time.Minute))
	if again := render(p); again.ETag != second.ETag || !again.Modified.Equal(second.Modified) {
		t.Fatalf("unchanged bytes dated %v, want %v as before", again.Modified, second.Modified)
	}
	// A reload: the new configuration (another title) shares the dates,
	// and while the old Publisher still answers requests neither serves
	// other bytes with a date the other used.
	opts.Feeds = []Feed{{Name: "all", Title: "Renamed", Sources: []string{"s"}, Limit: 10}}
	next := New(r, opts)
	seen := map[time.Time]string{second.Modified: second.ETag}
	serve := func(name string, p *Publisher) {
		t.Helper()
		rend := render(p)
		if etag, ok := seen[rend.Modified]; ok && etag != rend.ETag {
			t.Fatalf("%s: date %v served before with other bytes", name, rend.Modified)
		}
		seen[rend.Modified] = rend.ETag
	}
	serve("new configuration", next)
	// A change within the second of the last one, served by both.
	r.set("three", changed.Add(time.Minute+500*time.Millisecond))
	serve("old configuration, after the change", p)
	serve("new configuration, after the change", next)
	serve("old configuration, again", p)
}

// TestStoreFailsWhileRerendering is a store that answers its version check
// with a new version, then fails to give the articles (a dropped
// connection between two queries), and then stops answering at all: the
// rendering made before the change is served throughout, once logged;
// a feed never rendered is ErrStoreUnavailable; once the store is back,
// the new version is rendered.
func TestStoreFailsWhileRerendering(t *testing.T) {
	r, p, logs := newOutagePub(t)
	first, err := p.Render(context.Background(), "all", feeds.Atom)
	if err != nil {
		t.Fatal(err)
	}
	r.version.Add(1)
	r.fail.Store(true)
	for range 3 {
		if got, err := p.Render(context.Background(), "all", feeds.Atom); err != nil || !same(got, first) {
			t.Fatalf("articles failing after a change: %v, earlier rendering %v", err, same(got, first))
		}
	}
	if _, err := p.Render(context.Background(), "all", feeds.RSS); !errors.Is(err, ErrStoreUnavailable) {
		t.Fatalf("never rendered, articles failing: %v, want ErrStoreUnavailable", err)
	}
	r.down.Store(true)
	if got, err := p.Render(context.Background(), "all", feeds.Atom); err != nil || !same(got, first) {
		t.Fatalf("then the version check failing too: %v, earlier rendering %v", err, same(got, first))
	}
	if n := strings.Count(logs.String(), `msg="store unavailable`); n != 1 {
		t.Errorf("one outage logged as %d:\n%s", n, logs.String())
	}
	r.down.Store(false)
	r.fail.Store(false)
	r.version.Add(1)
	got, err := p.Render(context.Background(), "all", feeds.Atom)
	if err != nil || got == first { // a rendering made anew (its bytes may be the same)
		t.Fatalf("store back: %v, new rendering %v", err, got != first)
	}
}

// TestArticlesReadFailureIsLogged is a store that answers its version
// check but fails to give the articles of a feed never rendered: a 503
// (ErrStoreUnavailable), which the server does not log, so the outage is
// logged here, once.
func TestArticlesReadFailureIsLogged(t *testing.T) {
	r, p, logs := newOutagePub(t)
	r.fail.Store(true)
	for range 3 {
		if _, err := p.Render(context.Background(), "all", feeds.JSON); !errors.Is(err, ErrStoreUnavailable) {
			t.Fatalf("articles failing: %v, want ErrStoreUnavailable", err)
		}
	}
	if n := strings.Count(logs.String(), `msg="store unavailable`); n != 1 {
		t.Errorf("the outage logged %d times, want once:\n%s", n, logs.String())
	}
}

// gatedReader is a Reader whose i-th article read waits for gates[i] and
// then fails if fails[i].
type gatedReader struct {
	mu      sync.Mutex
	calls   int
	gates   []chan struct{}
	fails   []bool
	version atomic.Int64
}

func (g *gatedReader) Articles(ctx context.Context, q store.Query) ([]feeds.Article, error) {
	g.mu.Lock()
	i := g.calls
	g.calls++
	g.mu.Unlock()
	<-g.gates[i]
	if g.fails[i] {
		return nil, errors.New("connection reset")
	}
	return []feeds.Article{{ID: fmt.Sprint(i), Source: "s", Title: fmt.Sprint("Story ", i), Link: "https://example.com/a", FetchedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}, nil
}

func (g *gatedReader) Version(ctx context.Context) (store.Version, error) {
	return store.Version{Counter: g.version.Load()}, nil
}

// reading reports how many article reads have started.
func (g *gatedReader) reading() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls
}

// TestRenderingOfAVersionPassedStillStandsIn renders version 1 while the
// store moves to version 2, whose rendering then fails: the rendering of
// version 1, finished meanwhile, is what is served, not a 503.
func TestRenderingOfAVersionPassedStillStandsIn(t *testing.T) {
	g := &gatedReader{gates: []chan struct{}{make(chan struct{}), make(chan struct{}), make(chan struct{})}, fails: []bool{false, false, true}}
	p := newPub(g)
	close(g.gates[0])
	if _, err := p.Render(context.Background(), "all", feeds.Atom); err != nil {
		t.Fatal(err)
	}
	g.version.Store(1)
	one := make(chan *Rendering, 1)
	go func() { r, _ := p.Render(context.Background(), "all", feeds.Atom); one <- r }()
	for g.reading() < 2 {
		time.Sleep(time.Millisecond)
	}
	g.version.Store(2)
	type result struct {
		r   *Rendering
		err error
	}
	two := make(chan result, 1)
	go func() { r, err := p.Render(context.Background(), "all", feeds.Atom); two <- result{r, err} }()
	for g.reading() < 3 {
		time.Sleep(time.Millisecond)
	}
	close(g.gates[1]) // version 1 rendered
	r1 := <-one
	close(g.gates[2]) // version 2 fails
	got := <-two
	if got.err != nil || !same(got.r, r1) {
		t.Fatalf("version 2 failing: %v, the rendering of version 1 %v", got.err, same(got.r, r1))
	}
}

// same reports whether a and b are the same rendering served with the same
// date (a fallback may be a copy dated for serving, see Publisher.dated).
func same(a, b *Rendering) bool {
	return a != nil && b != nil && a.ETag == b.ETag && a.Modified.Equal(b.Modified) && bytes.Equal(a.Body, b.Body)
}
