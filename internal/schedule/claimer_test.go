package schedule

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/store"
)

// memLeases is store.Leaser in memory, as the PostgreSQL store behaves (its
// own test runs the real claims against the server); time.Now is the
// store's clock.
type memLeases struct {
	mu   sync.Mutex
	rows map[string]*memLease
	down atomic.Bool // the database is unreachable
}

var errDown = errors.New("connection refused")

type memLease struct {
	due, until time.Time
	holder     string
}

func (m *memLeases) ScheduleSources(ctx context.Context, due []store.SourceDue) error {
	if m.down.Load() {
		return errDown
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rows == nil {
		m.rows = map[string]*memLease{}
	}
	for _, d := range due {
		r, ok := m.rows[d.Source]
		switch {
		case !ok:
			m.rows[d.Source] = &memLease{due: time.Now()}
		case r.due.After(time.Now().Add(d.Within)):
			r.due = time.Now().Add(d.Within)
		}
	}
	return nil
}

func (m *memLeases) ClaimDue(ctx context.Context, holder string, sources []string, limit int, lease time.Duration) ([]string, error) {
	if m.down.Load() {
		return nil, errDown
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	var out []string
	for _, s := range sources {
		r := m.rows[s]
		if len(out) == limit || r == nil || r.due.After(now) || (r.holder != "" && r.until.After(now)) {
			continue
		}
		r.holder, r.until = holder, now.Add(lease)
		out = append(out, s)
	}
	return out, nil
}

func (m *memLeases) RenewLease(ctx context.Context, holder, source string, lease time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.rows[source]; r != nil && r.holder == holder {
		r.until = time.Now().Add(lease)
		return nil
	}
	return store.ErrNotFound
}

func (m *memLeases) ReleaseLease(ctx context.Context, holder, source string, after time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.rows[source]; r != nil && r.holder == holder {
		r.holder, r.until, r.due = "", time.Time{}, time.Now().Add(after)
		return nil
	}
	return store.ErrNotFound
}

func (m *memLeases) due(source string) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rows[source].due
}

func TestClaimersRunEachJobOncePerDueTime(t *testing.T) {
	leases := &memLeases{}
	var runs [6]atomic.Int32
	var claimers []*Claimer
	for i := range 3 {
		c := NewClaimer(leases, ClaimerOptions{Holder: fmt.Sprint("h", i), Workers: 2, Lease: 150 * time.Millisecond, Poll: 10 * time.Millisecond})
		for j := range runs {
			err := c.Add(fmt.Sprint("job", j), "@every 1h", func(ctx context.Context) {
				runs[j].Add(1)
				time.Sleep(400 * time.Millisecond) // longer than the lease: renewed
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		claimers = append(claimers, c)
	}
	for _, c := range claimers {
		c.Start(context.Background())
	}
	time.Sleep(1500 * time.Millisecond)
	for _, c := range claimers {
		if err := c.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for j := range runs {
		if n := runs[j].Load(); n != 1 {
			t.Errorf("job%d ran %d times, want once", j, n)
		}
		if d := time.Until(leases.due(fmt.Sprint("job", j))); d < 59*time.Minute {
			t.Errorf("job%d next due in %s, want an hour (its spec)", j, d)
		}
	}
}

func TestClaimerStopReleasesCancelledJobsDueNow(t *testing.T) {
	leases := &memLeases{}
	c := NewClaimer(leases, ClaimerOptions{Holder: "h", Lease: time.Minute, Poll: 10 * time.Millisecond})
	started := make(chan struct{})
	if err := c.Add("slow", "@every 1h", func(ctx context.Context) { close(started); <-ctx.Done() }); err != nil {
		t.Fatal(err)
	}
	c.Start(context.Background())
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := c.Stop(ctx); err == nil {
		t.Fatal("Stop returned nil, want the grace period's error")
	}
	if d := time.Until(leases.due("slow")); d > 0 {
		t.Fatalf("cancelled job due in %s, want now: another daemon takes it", d)
	}
	other, err := leases.ClaimDue(context.Background(), "other", []string{"slow"}, 1, time.Minute)
	if err != nil || len(other) != 1 {
		t.Fatalf("another daemon claims %v, %v; want the cancelled job", other, err)
	}
}

func TestClaimerResumesWhenTheStoreIsBack(t *testing.T) {
	leases := &memLeases{}
	leases.down.Store(true)
	ran := make(chan struct{}, 1)
	c := NewClaimer(leases, ClaimerOptions{Holder: "h", Lease: time.Minute, Poll: 10 * time.Millisecond})
	if err := c.Add("a", "@every 1h", func(ctx context.Context) { ran <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	c.Start(context.Background())
	defer c.Stop(context.Background())
	select {
	case <-ran:
		t.Fatal("ran while the store was down")
	case <-time.After(200 * time.Millisecond):
	}
	leases.down.Store(false)
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("did not run within 5s of the store coming back")
	}
}

// A process whose clock is behind the store's by more than a job's
// interval must not find the job due again as soon as it ran: due times
// are the store's clock, only the interval comes from the process.
func TestClaimerDueTimesAreTheStoresClock(t *testing.T) {
	for _, skew := range []time.Duration{-10 * time.Minute, 10 * time.Minute} {
		t.Run(fmt.Sprint("clock ", skew), func(t *testing.T) {
			leases := &memLeases{}
			var runs atomic.Int32
			c := NewClaimer(leases, ClaimerOptions{Holder: "h", Lease: time.Minute, Poll: 10 * time.Millisecond,
				Now: func() time.Time { return time.Now().Add(skew) }})
			if err := c.Add("job", "@every 1m", func(ctx context.Context) { runs.Add(1) }); err != nil {
				t.Fatal(err)
			}
			c.Start(context.Background())
			time.Sleep(500 * time.Millisecond)
			if err := c.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := runs.Load(); n != 1 {
				t.Errorf("job on @every 1m ran %d times in 0.5s with the process clock %s off the store's, want once", n, skew)
			}
			if d := time.Until(leases.due("job")); d < 55*time.Second || d > time.Minute {
				t.Errorf("job next due in %s by the store's clock, want a minute (its spec) whatever the process clock", d)
			}
		})
	}
}
