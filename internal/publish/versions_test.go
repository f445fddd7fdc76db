package publish

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

// countedReader answers Version with the number of the read, each read
// held until the test lets it go.
type countedReader struct {
	mu    sync.Mutex
	reads int64
	gate  chan struct{}
}

func (c *countedReader) Articles(context.Context, store.Query) ([]feeds.Article, error) {
	return nil, nil
}

func (c *countedReader) Version(ctx context.Context) (store.Version, error) {
	c.mu.Lock()
	c.reads++
	n := c.reads
	c.mu.Unlock()
	select {
	case <-c.gate:
		return store.Version{Counter: n}, nil
	case <-ctx.Done():
		return store.Version{}, ctx.Err()
	}
}

// count is how many reads r has begun.
func (c *countedReader) count() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads
}

// nextWaiters is how many requests wait for vr's next read.
func nextWaiters(vr *versionReads) int {
	vr.mu.Lock()
	defer vr.mu.Unlock()
	if vr.next == nil {
		return 0
	}
	return vr.next.waiters
}

// isRunning reports whether a read of vr is under way.
func isRunning(vr *versionReads) bool {
	vr.mu.Lock()
	defer vr.mu.Unlock()
	return vr.running
}

// readAsync reads r's version through vr in a goroutine of its own and
// sends what it got; an error fails the test.
func readAsync(t *testing.T, vr *versionReads, r Reader) <-chan store.Version {
	got := make(chan store.Version, 1)
	go func() {
		v, err := vr.read(context.Background(), r)
		if err != nil {
			t.Error(err)
		}
		got <- v
	}()
	return got
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestVersionReadsShareTheNextRead: 50 requests arriving while a read runs
// are answered by one more read, started after that one ended; none gets
// the answer of the read that was under way when it arrived.
func TestVersionReadsShareTheNextRead(t *testing.T) {
	r := &countedReader{gate: make(chan struct{})}
	var vr versionReads
	first := readAsync(t, &vr, r)
	waitFor(t, "the first read", func() bool { return r.count() == 1 })

	const n = 50
	got := make([]<-chan store.Version, n)
	for i := range got {
		got[i] = readAsync(t, &vr, r)
	}
	waitFor(t, "50 waiting requests", func() bool { return nextWaiters(&vr) == n })
	close(r.gate) // every read answers from now on
	if v := <-first; v.Counter != 1 {
		t.Errorf("the first request got read %d, want 1", v.Counter)
	}
	for _, c := range got {
		if v := <-c; v.Counter != 2 {
			t.Errorf("a request that arrived during read 1 got read %d, want 2 (the one started after it)", v.Counter)
		}
	}
	waitFor(t, "the reads to end", func() bool { return !isRunning(&vr) })
	if reads := r.count(); reads != 2 {
		t.Errorf("%d reads of the store for %d requests, want 2", reads, n+1)
	}
	// Alone, a request reads at once, on its own.
	if v, err := vr.read(context.Background(), r); err != nil || v.Counter != 3 {
		t.Errorf("a lone request got %v, %v; want read 3", v, err)
	}
}

// TestVersionReadsCancelled: a waiting request that gives up returns its
// context's error and leaves the others their read; a request whose own
// read is cancelled fails alone, and the next request reads again.
func TestVersionReadsCancelled(t *testing.T) {
	r := &countedReader{gate: make(chan struct{})}
	var vr versionReads
	ctx1, cancel1 := context.WithCancel(context.Background())
	err1 := make(chan error)
	go func() {
		_, err := vr.read(ctx1, r)
		err1 <- err
	}()
	waitFor(t, "the first read", func() bool { return r.count() == 1 })

	ctx2, cancel2 := context.WithCancel(context.Background())
	err2 := make(chan error)
	go func() {
		_, err := vr.read(ctx2, r)
		err2 <- err
	}()
	v3 := readAsync(t, &vr, r)
	waitFor(t, "two waiting requests", func() bool { return nextWaiters(&vr) == 2 })
	cancel2()
	if err := <-err2; !errors.Is(err, context.Canceled) {
		t.Errorf("a waiting request that gave up got %v, want context.Canceled", err)
	}
	cancel1()
	if err := <-err1; !errors.Is(err, context.Canceled) {
		t.Errorf("the request whose read was cancelled got %v, want context.Canceled", err)
	}
	close(r.gate)
	if v := <-v3; v.Counter != 2 {
		t.Errorf("the waiting request got read %d, want 2", v.Counter)
	}
}

// silentStore is a store whose version read never answers while hung is
// set: a database gone silent.
type silentStore struct {
	*versionFails
	hung atomic.Bool
}

func (s *silentStore) Version(ctx context.Context) (store.Version, error) {
	if s.hung.Load() {
		<-ctx.Done()
		return store.Version{}, ctx.Err()
	}
	return s.versionFails.Version(ctx)
}

// TestSilentStoreServesCachedRenderings: when the store stops answering,
// the request whose read hangs and those queued behind it get the cached
// rendering once the read's bound passes, not a wait without end.
func TestSilentStoreServesCachedRenderings(t *testing.T) {
	defer func(d time.Duration) { versionReadTimeout = d }(versionReadTimeout)
	versionReadTimeout = 100 * time.Millisecond
	vf, _, _ := newOutagePub(t)
	s := &silentStore{versionFails: vf}
	p := New(s, Options{BaseURL: "http://x.test", Feeds: []Feed{{Name: "all", Sources: []string{"s"}, Limit: 10}}})
	first, err := p.Render(context.Background(), "all", feeds.Atom)
	if err != nil {
		t.Fatal(err)
	}
	s.hung.Store(true)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			got, err := p.Render(ctx, "all", feeds.Atom)
			if err != nil || !same(got, first) {
				t.Errorf("while the store is silent: %v, cached rendering %v", err, err == nil && same(got, first))
			}
		})
	}
	wg.Wait()
	s.hung.Store(false)
	if got, err := p.Render(context.Background(), "all", feeds.Atom); err != nil || !same(got, first) {
		t.Fatalf("once the store answers again: %v", err)
	}
}

// panicky panics on the reads whose numbers it lists, and answers the
// others with their number.
type panicky struct {
	countedReader
	on map[int64]bool
}

func (p *panicky) Version(ctx context.Context) (store.Version, error) {
	v, err := p.countedReader.Version(ctx)
	if p.on[v.Counter] {
		panic("driver bug")
	}
	return v, err
}

// TestVersionReadsSurvivePanics: a Reader that panics in a request's own
// read (the HTTP server recovers the request) or in a shared read (which
// would end the process) leaves later requests their reads.
func TestVersionReadsSurvivePanics(t *testing.T) {
	r := &panicky{countedReader: countedReader{gate: make(chan struct{})}, on: map[int64]bool{1: true, 2: true}}
	var vr versionReads
	recovered := make(chan any)
	go func() {
		defer func() { recovered <- recover() }()
		vr.read(context.Background(), r)
	}()
	waitFor(t, "the first read", func() bool { return r.count() == 1 })
	shared := make(chan error)
	go func() {
		_, err := vr.read(context.Background(), r)
		shared <- err
	}()
	waitFor(t, "a waiting request", func() bool { return nextWaiters(&vr) == 1 })
	close(r.gate)
	if p := <-recovered; p == nil {
		t.Error("the first read did not panic")
	}
	if err := <-shared; err == nil || !strings.Contains(err.Error(), "panic: driver bug") {
		t.Errorf("the shared read that panicked gave %v, want an error", err)
	}
	if v, err := vr.read(context.Background(), r); err != nil || v.Counter != 3 {
		t.Errorf("after the panics: %v, %v; want read 3", v, err)
	}
}

// TestVersionReadsNoneLeft: when every request waiting for the next read
// gives up, that read is not made.
func TestVersionReadsNoneLeft(t *testing.T) {
	r := &countedReader{gate: make(chan struct{})}
	var vr versionReads
	first := make(chan struct{})
	go func() {
		vr.read(context.Background(), r)
		close(first)
	}()
	waitFor(t, "the first read", func() bool { return r.count() == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() { vr.read(ctx, r) })
	}
	waitFor(t, "5 waiting requests", func() bool { return nextWaiters(&vr) == 5 })
	cancel()
	wg.Wait()
	close(r.gate)
	<-first
	if running, reads := isRunning(&vr), r.count(); running || reads != 1 {
		t.Errorf("after every waiting request gave up: running %v, %d reads; want no second read", running, reads)
	}
}
