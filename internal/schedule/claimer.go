package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/tributary/tributary/internal/store"
)

// DefaultPoll is how often a Claimer asks the store for due sources when
// nothing woke it earlier (a run of its own ending).
const DefaultPoll = 2 * time.Second

// Claimer runs jobs when a shared store says they are due, for daemons
// sharing one store (store.Leaser): each job's due time and lease live in
// the store, so across the daemons each job runs once per due time. A
// job's cron spec says when it is next due after a run. A Claimer holds at
// most Workers leases at once, renews each every third of Lease while its
// job runs, and releases it when the job returns; the lease of a daemon
// that died expires after Lease and another daemon claims the job.
// Create it with NewClaimer, add jobs, then Start; Stop undoes Start.
type Claimer struct {
	leases store.Leaser
	opts   ClaimerOptions
	jobs   map[string]*claimJob
	names  []string

	slots  chan struct{}
	wake   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	// claimCtx is the claim loop's: Halt cancels it, so a store that
	// hangs does not hold up a shutdown in the loop.
	claimCtx    context.Context
	claimCancel context.CancelFunc
	stopping    chan struct{}
	haltOnce    sync.Once
	loopDone    chan struct{}
	wg          sync.WaitGroup
	started     bool
}

// ClaimerOptions are a Claimer's settings.
type ClaimerOptions struct {
	// Holder names this daemon in the store's leases; unique per process.
	Holder string
	// Workers is how many jobs run at once (at least 1).
	Workers int
	// Lease is how long a lease lasts without renewal: how long a job of
	// a daemon that died stays unclaimed.
	Lease time.Duration
	// Poll is how often due jobs are looked for (DefaultPoll when zero).
	Poll time.Duration
	Log  *slog.Logger
	// Now is this process's clock (time.Now when nil). Only the interval
	// until a job is next due is read from it: the due times themselves
	// are the store's clock, so a process whose clock is off cannot make
	// a job due at once again, or hold it back.
	Now func() time.Time
}

type claimJob struct {
	spec string
	fn   Func
}

// NewClaimer returns a Claimer on leases.
func NewClaimer(leases store.Leaser, opts ClaimerOptions) *Claimer {
	if opts.Workers < 1 {
		opts.Workers = 1
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.Lease <= 0 {
		opts.Lease = time.Minute
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Claimer{
		leases:   leases,
		opts:     opts,
		jobs:     map[string]*claimJob{},
		slots:    make(chan struct{}, opts.Workers),
		wake:     make(chan struct{}, 1),
		stopping: make(chan struct{}),
		loopDone: make(chan struct{}),
	}
}

// Add registers a job named name, due on the cron spec. It must be called
// before Start.
func (c *Claimer) Add(name, spec string, fn Func) error {
	if c.started {
		return fmt.Errorf("schedule: add %q: claimer already started", name)
	}
	if _, err := parser().Parse(spec); err != nil {
		return fmt.Errorf("schedule: add %q: invalid spec %q: %w", name, spec, err)
	}
	if _, ok := c.jobs[name]; ok {
		return fmt.Errorf("schedule: add %q: job already added", name)
	}
	c.jobs[name] = &claimJob{spec: spec, fn: fn}
	c.names = append(c.names, name)
	sort.Strings(c.names)
	return nil
}

// Start begins claiming. A job never known to the store is due at once; one
// another daemon ran moments ago waits for its next due time.
func (c *Claimer) Start(ctx context.Context) {
	c.ctx, c.cancel = context.WithCancel(ctx)
	c.claimCtx, c.claimCancel = context.WithCancel(c.ctx)
	c.started = true
	go c.loop()
}

func (c *Claimer) loop() {
	defer close(c.loopDone)
	scheduled := false
	failing := false
	t := time.NewTicker(c.opts.Poll)
	defer t.Stop()
	for {
		err := c.claim(&scheduled)
		switch {
		case err != nil && c.claimCtx.Err() != nil:
			// Halted mid-claim: not the store's fault.
		case err != nil && !failing:
			failing = true
			c.opts.Log.Warn("cannot claim due sources from the store; retrying", slog.Any("error", err), slog.Duration("every", c.opts.Poll))
		case err == nil && failing:
			failing = false
			c.opts.Log.Info("claiming due sources again")
		}
		select {
		case <-c.stopping:
			return
		case <-c.ctx.Done():
			return
		case <-t.C:
		case <-c.wake:
		}
	}
}

// claim registers the jobs (once, until it succeeds), then claims as many
// due jobs as there are free workers and starts them.
func (c *Claimer) claim(scheduled *bool) error {
	if !*scheduled {
		now := c.opts.Now()
		due := make([]store.SourceDue, 0, len(c.names))
		for _, n := range c.names {
			next, _ := Next(c.jobs[n].spec, now) // parsed by Add
			due = append(due, store.SourceDue{Source: n, Within: next.Sub(now)})
		}
		if err := c.leases.ScheduleSources(c.claimCtx, due); err != nil {
			return err
		}
		*scheduled = true
	}
	free := cap(c.slots) - len(c.slots)
	if free == 0 || len(c.names) == 0 {
		return nil
	}
	claimed, err := c.leases.ClaimDue(c.claimCtx, c.opts.Holder, c.names, free, c.opts.Lease)
	if err != nil {
		return err
	}
	for _, name := range claimed {
		select {
		case <-c.stopping:
			c.release(name, 0) // due still: another daemon takes it
			continue
		default:
		}
		c.slots <- struct{}{} // free: only this loop fills slots
		c.wg.Add(1)
		go c.run(name)
	}
	return nil
}

// run runs a claimed job, renewing its lease, and releases it due at the
// next time its spec fires; a job cancelled by Stop is released due now.
func (c *Claimer) run(name string) {
	defer c.wg.Done()
	defer func() {
		<-c.slots
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}()
	j := c.jobs[name]
	ctx, cancel := context.WithCancelCause(c.ctx)
	defer cancel(nil)
	var lose sync.Once
	renew := func(ctx context.Context) error {
		err := c.leases.RenewLease(ctx, c.opts.Holder, name, c.opts.Lease)
		if errors.Is(err, store.ErrNotFound) {
			lose.Do(func() {
				c.opts.Log.Warn("lease lost to another daemon, run cancelled", slog.String("source", name))
				// The cause tells the run (store.CheckLease's callers) a
				// lost lease from a shutdown.
				cancel(fmt.Errorf("lease of %s lost to another daemon: %w", name, store.ErrNotFound))
			})
		}
		return err
	}
	// The job asks before it writes (store.CheckLease): a run that lost
	// its lease while this process was paused, or cut off from the
	// store, must not write over what the new holder stored, and the
	// ticker below may not have noticed yet.
	ctx = store.WithLeaseCheck(ctx, renew)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(c.opts.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			err := renew(ctx)
			if errors.Is(err, store.ErrNotFound) {
				return
			}
			if err != nil && ctx.Err() == nil {
				c.opts.Log.Warn("cannot renew lease", slog.String("source", name), slog.Any("error", err))
			}
		}
	}()
	j.fn(ctx)
	lost := ctx.Err() != nil && c.ctx.Err() == nil
	cancel(nil)
	<-renewed
	if lost {
		return
	}
	var after time.Duration // cancelled by Stop: due now
	if c.ctx.Err() == nil {
		now := c.opts.Now()
		next, _ := Next(j.spec, now)
		after = next.Sub(now)
	}
	c.release(name, after)
}

// release ends the lease of name, due again after that long by the
// store's clock.
func (c *Claimer) release(name string, after time.Duration) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), 10*time.Second)
	defer cancel()
	if err := c.leases.ReleaseLease(ctx, c.opts.Holder, name, after); err != nil {
		// The lease expires on its own; the source is then run again.
		c.opts.Log.Warn("cannot release lease", slog.String("source", name), slog.Any("error", err))
	}
}

// Halt stops claiming without waiting: running jobs go on. Stop must
// still be called to wait for them.
func (c *Claimer) Halt() {
	if !c.started {
		return
	}
	c.haltOnce.Do(func() {
		close(c.stopping)
		// A claim that commits as it is cancelled leaves its leases to
		// expire; the sources stay due for the other daemons.
		c.claimCancel()
	})
}

// Stop stops claiming and waits for running jobs to finish and release
// their leases. When ctx ends first, the jobs' context is cancelled (their
// sources are released due at once, for another daemon), Stop still waits
// for them, then reports ctx's error.
func (c *Claimer) Stop(ctx context.Context) error {
	if !c.started {
		return nil
	}
	c.Halt()
	<-c.loopDone
	done := make(chan struct{})
	go func() { c.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		c.cancel()
		<-done
	}
	c.cancel()
	return err
}
