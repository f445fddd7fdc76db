package fetch

import (
	"context"
	"sync"
)

// hostLimiter bounds the number of requests in flight per host. Hosts with
// nobody holding or waiting for a slot are forgotten, so the map does not
// grow with every host ever contacted.
type hostLimiter struct {
	limit int

	mu    sync.Mutex
	hosts map[string]*hostSlots
}

// hostSlots is one host's semaphore; refs counts holders and waiters.
type hostSlots struct {
	sem  chan struct{}
	refs int
}

func newHostLimiter(limit int) *hostLimiter {
	return &hostLimiter{limit: limit, hosts: make(map[string]*hostSlots)}
}

// acquire waits for a slot for host or for ctx to end. The returned release
// function gives the slot back; it is safe to call more than once and from
// several goroutines, only the first call counts.
func (l *hostLimiter) acquire(ctx context.Context, host string) (release func(), err error) {
	l.mu.Lock()
	s := l.hosts[host]
	if s == nil {
		s = &hostSlots{sem: make(chan struct{}, l.limit)}
		l.hosts[host] = s
	}
	s.refs++
	l.mu.Unlock()

	select {
	case s.sem <- struct{}{}:
	default:
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			l.unref(host, s)
			return nil, context.Cause(ctx)
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-s.sem
			l.unref(host, s)
		})
	}, nil
}

func (l *hostLimiter) unref(host string, s *hostSlots) {
	l.mu.Lock()
	s.refs--
	if s.refs == 0 {
		delete(l.hosts, host)
	}
	l.mu.Unlock()
}
