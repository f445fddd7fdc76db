// Package retention runs cleanup: it deletes the stored articles that each
// source's limits no longer keep (store.Store.Expire), and the articles and
// state of sources the configuration no longer lists (orphans), then
// reclaims space and records the run. serve runs it on retention.schedule;
// `tributary prune` runs it once.
package retention

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tributary/tributary/internal/store"
)

// Reasons an article is deleted, as the metrics and the prune output name
// them.
const (
	ReasonAge    = "age"
	ReasonCount  = "count"
	ReasonOrphan = "orphan"
	ReasonSource = "source" // prune --source
)

// Plan is what one cleanup does.
type Plan struct {
	// Sources are every configured source (disabled ones too) with its
	// limits; any other source in the store is an orphan.
	Sources []store.Retention
	// Orphans is how long after it was last active an orphan is deleted;
	// 0 keeps orphans (unless OrphansNow).
	Orphans time.Duration
	// OrphansNow deletes every orphan whatever its age.
	OrphansNow bool
}

// SourceReport is what cleanup did to one source.
type SourceReport struct {
	Name string
	store.Expired
	// Orphan is set for a source not in the configuration; Orphaned counts
	// its articles deleted, 0 while it is kept (see KeptUntil).
	Orphan   bool
	Orphaned int
	// KeptUntil is when a kept orphan becomes due; zero otherwise, or when
	// orphans are never deleted.
	KeptUntil time.Time
	// Err is why cleaning this source failed.
	Err error
}

// Deleted counts the articles deleted from the source.
func (r SourceReport) Deleted() int { return r.Age + r.Count + r.Orphaned }

// Report is what one cleanup did.
type Report struct {
	At       time.Time
	Duration time.Duration
	// Sources lists the configured sources in Plan order, then the
	// orphans by name.
	Sources []SourceReport
	// Age, Count and Orphaned total the articles deleted by reason;
	// Orphans counts the orphaned sources deleted.
	Age, Count, Orphaned, Orphans int
	// Size is the store's size after the cleanup, in bytes; -1 when it
	// could not be read.
	Size int64
}

// Deleted counts every article deleted.
func (r Report) Deleted() int { return r.Age + r.Count + r.Orphaned }

// Cleaner runs cleanups on a store.
type Cleaner struct {
	Store store.Store
	Log   *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Run runs one cleanup following p and records it in the store. A source
// that fails is reported in its SourceReport and the others are still
// cleaned; the error joins every failure. Cancelling ctx stops between
// batches: what was deleted stays deleted.
func (c *Cleaner) Run(ctx context.Context, p Plan) (Report, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	start := now()
	rep := Report{At: start.UTC().Truncate(time.Second), Size: -1}
	var errs []error
	known := make([]string, len(p.Sources))
	for i, r := range p.Sources {
		known[i] = r.Source
		sr := SourceReport{Name: r.Source}
		sr.Expired, sr.Err = c.Store.Expire(ctx, r, start)
		rep.Age, rep.Count = rep.Age+sr.Age, rep.Count+sr.Count
		if sr.Err != nil {
			errs = append(errs, sr.Err)
		}
		rep.Sources = append(rep.Sources, sr)
	}
	orphans, err := c.Store.Orphans(ctx, known)
	if err != nil {
		errs = append(errs, err)
	}
	for _, o := range orphans {
		sr := SourceReport{Name: o.Name, Orphan: true}
		if due, at := orphanDue(o, p, start); !due {
			sr.KeptUntil = at
		} else {
			sr.Orphaned, sr.Err = c.Store.DeleteSource(ctx, o.Name)
			rep.Orphaned += sr.Orphaned
			if sr.Err != nil {
				errs = append(errs, sr.Err)
			} else {
				rep.Orphans++
			}
		}
		rep.Sources = append(rep.Sources, sr)
	}
	if rep.Deleted() > 0 {
		if err := c.Store.Reclaim(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if n, err := c.Store.Size(ctx); err != nil {
		errs = append(errs, err)
	} else {
		rep.Size = n
	}
	rep.Duration = now().Sub(start)
	// Recorded even when cancelled: what was deleted is gone.
	rr := store.RetentionRun{At: rep.At, Duration: rep.Duration, Deleted: rep.Deleted(), Orphans: rep.Orphans}
	if err := c.Store.SaveRetention(context.WithoutCancel(ctx), rr); err != nil {
		errs = append(errs, err)
	}
	err = errors.Join(errs...)
	c.log(rep, err)
	if err != nil {
		return rep, fmt.Errorf("retention: %w", err)
	}
	return rep, nil
}

// orphanDue reports whether orphan o is deleted by p at now, and when not,
// when it will be (zero when never).
func orphanDue(o store.Orphan, p Plan, now time.Time) (bool, time.Time) {
	switch {
	case p.OrphansNow:
		return true, time.Time{}
	case p.Orphans <= 0:
		return false, time.Time{}
	case o.LastSeen.IsZero(): // neither fetched nor stored anything: nothing to wait for
		return true, time.Time{}
	}
	at := o.LastSeen.Add(p.Orphans)
	return !now.Before(at), at
}

// log writes the one line a cleanup is reported with.
func (c *Cleaner) log(rep Report, err error) {
	if c.Log == nil {
		return
	}
	attrs := []any{
		slog.Int("deleted_age", rep.Age), slog.Int("deleted_count", rep.Count),
		slog.Int("deleted_orphan", rep.Orphaned), slog.Int("orphan_sources", rep.Orphans),
		slog.Duration("duration", rep.Duration), slog.Int64("store_size_bytes", rep.Size),
	}
	if err != nil {
		c.Log.Warn("retention cleanup incomplete", append(attrs, slog.Any("error", err))...)
		return
	}
	c.Log.Info("retention cleanup", attrs...)
}
