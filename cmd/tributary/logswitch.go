package main

import (
	"context"
	"log/slog"
	"slices"
	"sync/atomic"
)

// logSwitch is a slog.Handler that passes every record to a handler a
// reload may replace (log_format, log_level), so that the loggers handed
// out at start, and those derived from them with With, follow the change.
type logSwitch struct {
	cur *atomic.Pointer[slog.Handler]
	// derive re-applies, in order, the With and WithGroup calls that made
	// this handler from the root one.
	derive []func(slog.Handler) slog.Handler
}

var _ slog.Handler = logSwitch{}

// newLogSwitch returns a switch passing records to h.
func newLogSwitch(h slog.Handler) logSwitch {
	s := logSwitch{cur: new(atomic.Pointer[slog.Handler])}
	s.cur.Store(&h)
	return s
}

// Set makes every logger of this switch write with h from now on.
func (s logSwitch) Set(h slog.Handler) { s.cur.Store(&h) }

func (s logSwitch) current() slog.Handler {
	h := *s.cur.Load()
	for _, d := range s.derive {
		h = d(h)
	}
	return h
}

// Enabled reports whether the current handler takes records of level l.
func (s logSwitch) Enabled(ctx context.Context, l slog.Level) bool {
	return s.current().Enabled(ctx, l)
}

// Handle passes r to the current handler.
func (s logSwitch) Handle(ctx context.Context, r slog.Record) error {
	return s.current().Handle(ctx, r)
}

// WithAttrs returns a switch whose records carry attrs.
func (s logSwitch) WithAttrs(attrs []slog.Attr) slog.Handler {
	return s.with(func(h slog.Handler) slog.Handler { return h.WithAttrs(attrs) })
}

// WithGroup returns a switch whose records' attributes are in group name.
func (s logSwitch) WithGroup(name string) slog.Handler {
	return s.with(func(h slog.Handler) slog.Handler { return h.WithGroup(name) })
}

func (s logSwitch) with(d func(slog.Handler) slog.Handler) logSwitch {
	return logSwitch{cur: s.cur, derive: append(slices.Clip(s.derive), d)}
}
