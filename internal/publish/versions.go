package publish

import (
	"context"
	"sync"
	"time"

	"github.com/tributary/tributary/internal/store"
)

// versionReadTimeout bounds a read of the store's version: the requests
// queued behind a read that hangs (a database gone silent) then get the
// cached renderings an outage serves, not a wait without end. Each
// request also waits no longer than its own context allows.
var versionReadTimeout = 10 * time.Second

// versionReads coalesces the reads of the store's version that every
// request makes, so that under load one read answers many requests: on
// PostgreSQL each is a round trip to the server. A request never takes
// the answer of a read already under way when it arrived, which may
// predate a change it should see: it starts a read when none runs, and
// otherwise waits for the next one, which starts as the running one ends
// and answers every request that arrived meanwhile. Its zero value is
// ready to use.
type versionReads struct {
	mu      sync.Mutex
	running bool
	next    *versionRead // what the requests arriving while a read runs wait for
	waiting int          // requests waiting for next (for the tests)
}

type versionRead struct {
	done chan struct{}
	v    store.Version
	err  error
}

// read returns r's version, read after read was called.
func (vr *versionReads) read(ctx context.Context, r Reader) (store.Version, error) {
	vr.mu.Lock()
	if !vr.running {
		vr.running = true
		vr.mu.Unlock()
		// On the request's own context: a request that gives up fails
		// only its own read.
		rctx, cancel := context.WithTimeout(ctx, versionReadTimeout)
		v, err := r.Version(rctx)
		cancel()
		vr.finish(r)
		return v, err
	}
	if vr.next == nil {
		vr.next = &versionRead{done: make(chan struct{})}
	}
	w := vr.next
	vr.waiting++
	vr.mu.Unlock()
	select {
	case <-w.done:
		return w.v, w.err
	case <-ctx.Done():
		return store.Version{}, ctx.Err()
	}
}

// finish ends the running read, and starts the one that the requests
// which arrived meanwhile wait for, if any.
func (vr *versionReads) finish(r Reader) {
	vr.mu.Lock()
	w := vr.next
	vr.next, vr.waiting = nil, 0
	if w == nil {
		vr.running = false
		vr.mu.Unlock()
		return
	}
	vr.mu.Unlock()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), versionReadTimeout)
		w.v, w.err = r.Version(ctx)
		cancel()
		close(w.done)
		vr.finish(r)
	}()
}
