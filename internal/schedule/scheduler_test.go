package schedule

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestStartRunsEveryJobOnceImmediately(t *testing.T) {
	s := New(2, nil)
	var mu sync.Mutex
	ran := map[string]int{}
	done := make(chan struct{}, 3)
	for _, name := range []string{"a", "b", "c"} {
		if err := s.Add(name, "@every 1h", func(context.Context) {
			mu.Lock()
			ran[name]++
			mu.Unlock()
			done <- struct{}{}
		}); err != nil {
			t.Fatal(err)
		}
	}
	s.Start(context.Background(), true)
	for range 3 {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("start-up runs did not happen")
		}
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b", "c"} {
		if ran[name] != 1 {
			t.Errorf("job %s ran %d times, want 1", name, ran[name])
		}
	}
}

func TestWorkerPoolBoundsConcurrency(t *testing.T) {
	const workers = 2
	s := New(workers, nil)
	var inFlight, peak atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{}, 6)
	for range 6 {
		if err := s.Add("job", "@every 1h", func(context.Context) {
			n := inFlight.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			started <- struct{}{}
			<-release
			inFlight.Add(-1)
		}); err != nil {
			t.Fatal(err)
		}
	}
	s.Start(context.Background(), true)
	for range workers {
		<-started
	}
	// Give a third job the chance to (wrongly) start before releasing.
	select {
	case <-started:
		t.Fatal("a third job started while two held the workers")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p != workers {
		t.Fatalf("peak concurrency %d, want %d", p, workers)
	}
}

func TestJobNeverOverlapsItself(t *testing.T) {
	s := New(4, nil)
	var runs atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{})
	j := &job{name: "slow", fn: func(context.Context) { runs.Add(1); close(started); <-release }}
	s.jobs = append(s.jobs, j)
	s.Start(context.Background(), false)
	s.trigger(j)
	// Wait until the first run holds a worker: Stop skips runs that have
	// not started yet, so stopping earlier would prove nothing.
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the first run never started")
	}
	for range 5 { // triggers while the first run is still going are skipped
		s.trigger(j)
	}
	close(release)
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("job ran %d times, want 1", n)
	}
}

func TestStopCancelsJobsAfterDeadline(t *testing.T) {
	s := New(1, nil)
	cancelled := make(chan struct{})
	started := make(chan struct{})
	if err := s.Add("stuck", "@every 1h", func(ctx context.Context) {
		close(started)
		<-ctx.Done()
		close(cancelled)
	}); err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background(), true)
	select { // a run that has not started yet is skipped by Stop
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the job never started")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Stop(ctx); err == nil {
		t.Fatal("Stop returned nil although the job outlived its deadline")
	}
	select {
	case <-cancelled:
	default:
		t.Fatal("Stop returned before the job saw its context cancelled")
	}
}

func TestAddRejectsBadSpec(t *testing.T) {
	s := New(1, nil)
	if err := s.Add("bad", "61 * * * *", func(context.Context) {}); err == nil {
		t.Fatal("invalid cron spec accepted")
	}
}

func TestCronTriggers(t *testing.T) {
	s := New(1, nil)
	fired := make(chan struct{}, 10)
	if err := s.Add("tick", "@every 1s", func(context.Context) { fired <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background(), false)
	defer s.Stop(context.Background())
	select {
	case <-fired:
	case <-time.After(10 * time.Second):
		t.Fatal("cron trigger never fired")
	}
}

func TestStopDropsQueuedJobs(t *testing.T) {
	// One worker busy, three jobs queued: Stop waits for the running one
	// only; the queued ones never start.
	s := New(1, nil)
	release := make(chan struct{})
	var started atomic.Int32
	running := make(chan struct{}, 4)
	for range 4 {
		if err := s.Add("job", "@every 1h", func(context.Context) {
			started.Add(1)
			running <- struct{}{}
			<-release
		}); err != nil {
			t.Fatal(err)
		}
	}
	s.Start(context.Background(), true)
	<-running
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop(context.Background()) }()
	// Stop halts the queue before it waits for the running job.
	deadline := time.Now().Add(10 * time.Second)
	for !s.isHalted() {
		if time.Now().After(deadline) {
			t.Fatal("Stop never halted the queue")
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if n := started.Load(); n != 1 {
		t.Fatalf("%d jobs started, want only the one running at Stop", n)
	}
}

func TestHaltStartsNothingButLetsRunningJobsFinish(t *testing.T) {
	s := New(1, nil)
	release := make(chan struct{})
	started := make(chan string, 4)
	for _, name := range []string{"first", "queued"} {
		if err := s.Add(name, "@every 1h", func(context.Context) { started <- name; <-release }); err != nil {
			t.Fatal(err)
		}
	}
	s.Start(context.Background(), true)
	first := <-started // one worker: the other job waits for it
	s.Halt()
	s.Halt() // harmless twice
	close(release)
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(started)
	for name := range started {
		t.Errorf("%s started after Halt (first was %s)", name, first)
	}
}

func TestNext(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 7, 30, 0, time.UTC)
	for _, tc := range []struct {
		spec string
		want time.Time
	}{
		{"*/15 * * * *", time.Date(2024, 5, 1, 12, 15, 0, 0, time.UTC)},
		{"@hourly", time.Date(2024, 5, 1, 13, 0, 0, 0, time.UTC)},
		{"@every 30m", at.Add(30 * time.Minute)},
		{"0 6 * * *", time.Date(2024, 5, 2, 6, 0, 0, 0, time.UTC)},
	} {
		got, err := Next(tc.spec, at)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("Next(%q) = %v, %v; want %v", tc.spec, got, err, tc.want)
		}
	}
	if _, err := Next("every day", at); err == nil {
		t.Error("Next of an invalid spec succeeded")
	}
}

// isHalted reports whether queued jobs give up (after Halt or Stop).
func (s *Scheduler) isHalted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.halted
}

func TestTenThousandQueuedJobsHoldNoGoroutines(t *testing.T) {
	// A daemon of 10,000 sources triggers them all at once; they wait in
	// the queue, not in goroutines of their own, and each still runs once.
	s := New(2, nil)
	release := make(chan struct{})
	var ran atomic.Int32
	const n = 10000
	for range n {
		if err := s.Add("job", "@every 1h", func(context.Context) {
			<-release
			ran.Add(1)
		}); err != nil {
			t.Fatal(err)
		}
	}
	before := runtime.NumGoroutine()
	s.Start(context.Background(), true)
	if g := runtime.NumGoroutine() - before; g > 20 {
		t.Errorf("%d goroutines after triggering %d jobs on 2 workers, want a handful", g, n)
	}
	close(release)
	deadline := time.Now().Add(30 * time.Second)
	for ran.Load() < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := ran.Load(); got != n {
		t.Fatalf("%d of %d jobs ran", got, n)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}
