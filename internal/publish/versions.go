package publish

import (
	"context"
	"fmt"
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
}

type versionRead struct {
	done chan struct{}
	// waiters are the requests still waiting for it: none left, it is
	// not started.
	waiters int
	v       store.Version
	err     error
}

// read returns r's version, read after read was called.
func (vr *versionReads) read(ctx context.Context, r Reader) (store.Version, error) {
	vr.mu.Lock()
	if !vr.running {
		vr.running = true
		vr.mu.Unlock()
		// Deferred: a Reader that panics (the HTTP server recovers the
		// request) must not leave the reads marked running for good.
		defer vr.finish(r)
		// On the request's own context: a request that gives up fails
		// only its own read.
		rctx, cancel := context.WithTimeout(ctx, versionReadTimeout)
		defer cancel()
		return r.Version(rctx)
	}
	if vr.next == nil {
		vr.next = &versionRead{done: make(chan struct{})}
	}
	w := vr.next
	w.waiters++
	vr.mu.Unlock()
	select {
	case <-w.done:
		return w.v, w.err
	case <-ctx.Done():
		vr.mu.Lock()
		w.waiters--
		vr.mu.Unlock()
		return store.Version{}, ctx.Err()
	}
}

// finish ends the running read, and starts the one that the requests
// which arrived meanwhile wait for, if any still do.
func (vr *versionReads) finish(r Reader) {
	vr.mu.Lock()
	w := vr.next
	vr.next = nil
	if w == nil || w.waiters == 0 {
		vr.running = false
		vr.mu.Unlock()
		return
	}
	vr.mu.Unlock()
	go func() {
		defer vr.finish(r)
		defer close(w.done)
		defer func() {
			// In its own goroutine, a Reader's panic would end the
			// process: it fails the waiting requests instead, as a
			// store that does not answer would.
			if p := recover(); p != nil {
				w.v, w.err = store.Version{}, fmt.Errorf("read store version: panic: %v", p)
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), versionReadTimeout)
		defer cancel()
		w.v, w.err = r.Version(ctx)
	}()
}
