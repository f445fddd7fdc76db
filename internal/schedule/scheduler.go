// Package schedule runs jobs on cron schedules (robfig/cron/v3) through a
// bounded worker pool. A job never overlaps itself: a trigger that fires
// while the previous run of the same job is still going is skipped.
package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Func is the work of a job. It receives the scheduler's context, which is
// cancelled when Stop gives up waiting.
type Func func(ctx context.Context)

// Scheduler triggers jobs on their cron specs and runs at most Workers of
// them at once. Create it with New, add jobs, then Start; Stop undoes Start.
type Scheduler struct {
	cron    *cron.Cron
	log     *slog.Logger
	workers int
	jobs    []*job
	ctx     context.Context
	cancel  context.CancelFunc
	// The jobs triggered and waiting for a worker, oldest first. They
	// wait in this queue, not each in a goroutine of its own: a daemon of
	// 10,000 sources triggers them all at start and on every reload, and
	// 10,000 parked goroutines held some 20 MB of stacks.
	mu       sync.Mutex
	ready    *sync.Cond // signalled when queue grows or halted is set
	queue    []*job
	halted   bool // set by Halt, or when ctx ends: queued jobs give up
	haltOnce sync.Once
	cronDone context.Context // done when cron's running triggers returned
	wg       sync.WaitGroup
	started  bool
}

type job struct {
	name    string
	fn      Func
	mu      sync.Mutex
	running bool
}

// New returns a Scheduler running at most workers jobs at once (at least 1).
func New(workers int, logger *slog.Logger) *Scheduler {
	if workers < 1 {
		workers = 1
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{
		cron:    cron.New(cron.WithParser(parser())),
		log:     logger,
		workers: workers,
	}
	s.ready = sync.NewCond(&s.mu)
	return s
}

// parser reads the cron specs jobs are added with: five fields or a
// descriptor (@every 30m, @hourly).
func parser() cron.Parser {
	return cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
}

// Next returns when a job on spec, added to a scheduler now, next fires
// after t, as Add reads spec. An @every job counts from the scheduler's
// start, which Next cannot know: it answers one interval after t.
func Next(spec string, t time.Time) (time.Time, error) {
	sched, err := parser().Parse(spec)
	if err != nil {
		return time.Time{}, fmt.Errorf("schedule: invalid spec %q: %w", spec, err)
	}
	return sched.Next(t), nil
}

// Add registers a job named name on the cron spec. It must be called
// before Start.
func (s *Scheduler) Add(name, spec string, fn Func) error {
	if s.started {
		return fmt.Errorf("schedule: add %q: scheduler already started", name)
	}
	j := &job{name: name, fn: fn}
	if _, err := s.cron.AddFunc(spec, func() { s.trigger(j) }); err != nil {
		return fmt.Errorf("schedule: add %q: invalid spec %q: %w", name, spec, err)
	}
	s.jobs = append(s.jobs, j)
	return nil
}

// Start begins triggering jobs. With runNow, every job is also triggered
// once immediately (start-up fetch), still through the worker pool.
func (s *Scheduler) Start(ctx context.Context, runNow bool) {
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.started = true
	for range s.workers {
		s.wg.Add(1)
		go s.work()
	}
	// Jobs still queued when the context ends give up, as after Halt.
	go func() {
		<-s.ctx.Done()
		s.setHalted()
	}()
	s.cron.Start()
	if runNow {
		for _, j := range s.jobs {
			s.trigger(j)
		}
	}
}

// trigger queues j for the next free worker, unless a run of j is already
// queued or running, or the scheduler is halted.
//
// The guard is j.running rather than cron.SkipIfStillRunning, which wraps a
// cron entry's job: the start-up run (Start with runNow) is triggered
// outside cron and must count too; the wrapped job would run, and wait for
// a worker, inside cron's goroutine, so cron.Stop's context (which Stop
// waits on before its grace period) would wait for every running job and
// Stop could no longer cancel them when ctx ends; and its skip is logged
// as a bare "skip" through cron's logger, not with the job's name.
func (s *Scheduler) trigger(j *job) {
	j.mu.Lock()
	if j.running {
		j.mu.Unlock()
		s.log.Debug("job still running, trigger skipped", slog.String("job", j.name))
		return
	}
	j.running = true
	j.mu.Unlock()
	s.mu.Lock()
	if s.halted {
		s.mu.Unlock()
		j.done()
		return
	}
	s.queue = append(s.queue, j)
	s.mu.Unlock()
	s.ready.Signal()
}

// work is one worker: it runs queued jobs, oldest first, until the
// scheduler is halted; the jobs still queued then are dropped.
func (s *Scheduler) work() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.halted {
			s.ready.Wait()
		}
		if s.halted {
			dropped := s.queue
			s.queue = nil
			s.mu.Unlock()
			for _, j := range dropped {
				j.done()
			}
			return
		}
		j := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		if len(s.queue) == 0 {
			s.queue = nil // let the backing array go once drained
		}
		s.mu.Unlock()
		if s.ctx.Err() == nil {
			j.fn(s.ctx)
		}
		j.done()
	}
}

// done marks j as neither queued nor running: its next trigger runs it.
func (j *job) done() {
	j.mu.Lock()
	j.running = false
	j.mu.Unlock()
}

// setHalted stops the workers taking queued jobs: each finishes the job it
// runs, if any, and returns.
func (s *Scheduler) setHalted() {
	s.mu.Lock()
	s.halted = true
	s.mu.Unlock()
	s.ready.Broadcast()
}

// Halt stops triggering without waiting: from its return on no job
// starts, and jobs waiting for a worker give up; running jobs go on. Stop
// must still be called to wait for them. Halt may be called more than
// once, and before Stop or not at all.
func (s *Scheduler) Halt() {
	if !s.started {
		return
	}
	s.haltOnce.Do(func() {
		s.cronDone = s.cron.Stop()
		s.setHalted()
	})
}

// Stop stops triggering (see Halt) and waits for running jobs to finish.
// When ctx ends first, the jobs' context is cancelled and Stop still waits
// for them to return, then reports ctx's error.
func (s *Scheduler) Stop(ctx context.Context) error {
	if !s.started {
		return nil
	}
	s.Halt()
	// A trigger cron is running may still add a job: wait for it before
	// waiting for the jobs.
	<-s.cronDone.Done()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		s.cancel()
		<-done
	}
	s.cancel()
	return err
}
