// Package status computes what `tributary status` and GET /status show:
// every source's fetch state, schedule and stored articles, and when
// retention last ran. It is the one place that decides what a source's
// state is and in which order sources are listed; the command and the
// page only render a Report.
package status

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tributary/tributary/internal/redact"
	"github.com/tributary/tributary/internal/schedule"
	"github.com/tributary/tributary/internal/store"
)

// The states of a source, in the order a Report lists them.
const (
	// StateFailing: the last fetch failed (Failures > 0).
	StateFailing = "failing"
	// StateBackoff: not failing, but the source asked not to be fetched
	// before BackoffUntil (Retry-After, Cache-Control max-age).
	StateBackoff = "backoff"
	// StateOK: the last fetch succeeded.
	StateOK = "ok"
	// StateNever: configured, never fetched.
	StateNever = "never fetched"
	// StateDisabled: configured with enabled: false.
	StateDisabled = "disabled"
	// StateRemoved: stored, but no longer in the configuration.
	StateRemoved = "not configured"
)

// Source is the status of one source. The JSON names are the stable
// interface of `tributary status --json` (docs/operations.md); a time
// that never happened is null.
type Source struct {
	Name string `json:"name"`
	// State is one of the State constants.
	State string `json:"state"`
	// URL is the configured URL (or file), FeedURL the feed discovered on
	// it when it is a page; both with their userinfo masked.
	URL     string `json:"url"`
	FeedURL string `json:"feed_url"`
	// Configured is false for a source stored but no longer configured.
	Configured bool   `json:"configured"`
	Enabled    bool   `json:"enabled"`
	Schedule   string `json:"schedule"`
	// LastAttempt is when the last fetch started, LastStatus its outcome
	// (new, updated, unchanged, failed); LastSuccess when one last
	// succeeded.
	LastAttempt *time.Time `json:"last_attempt"`
	LastStatus  string     `json:"last_status"`
	LastSuccess *time.Time `json:"last_success"`
	// Failures counts consecutive failed fetches; LastError is the reason
	// of the last one (masked), empty after a success.
	Failures  int    `json:"consecutive_failures"`
	LastError string `json:"last_error"`
	// NextRun is the next time the source's schedule fires; a run before
	// BackoffUntil is deferred.
	NextRun      *time.Time `json:"next_run"`
	BackoffUntil *time.Time `json:"backoff_until"`
	// Articles counts the stored articles; PagesExtracted and PagesFailed
	// their full-text pages (see store.SourceStats).
	Articles       int `json:"articles"`
	PagesExtracted int `json:"pages_extracted"`
	PagesFailed    int `json:"pages_failed"`
}

// Report is the status of the whole daemon.
type Report struct {
	GeneratedAt time.Time `json:"generated_at"`
	// LastRetention is when retention (pruning) last ran; null when never
	// or unknown.
	LastRetention *time.Time `json:"last_retention"`
	// Sources are sorted failing first, then in backoff, then by name
	// (see Build).
	Sources []Source `json:"sources"`
	// Feeds are the configured feeds, in configuration order: how many
	// items each publishes and how many its rules leave out.
	Feeds []Feed `json:"feeds"`
}

// Feed is what one feed publishes now and what its rules (include,
// exclude, max_age, per_source_limit) leave out of it.
type Feed struct {
	Name string `json:"name"`
	// Items is how many items the feed holds.
	Items int `json:"items"`
	// Filtered counts the items left out, by reason.
	Filtered Filtered `json:"filtered"`
}

// Filtered counts the items a feed's rules leave out of it, by reason;
// each item counts once, for the first rule that applies (see
// docs/configuration.md).
type Filtered struct {
	Include        int `json:"include"`
	Exclude        int `json:"exclude"`
	MaxAge         int `json:"max_age"`
	PerSourceLimit int `json:"per_source_limit"`
}

// Configured is a source of the configuration, as plain values.
type Configured struct {
	Name, URL, Schedule string
	Enabled             bool
}

// Reader is what Build reads from the store.
type Reader interface {
	SourceStates(ctx context.Context) ([]store.SourceState, error)
	SourceStats(ctx context.Context) (map[string]store.SourceStats, error)
}

// Options are the inputs of Build beside the store.
type Options struct {
	// Sources are the configured sources.
	Sources []Configured
	// LastRetention returns when retention last ran, zero when never; nil
	// shows it as never. It is the hook for store.LastRetention.
	LastRetention func(ctx context.Context) (time.Time, error)
	// Now is the time the report is made at; zero means time.Now().
	Now time.Time
	// Feeds returns the configured feeds' counts (Report.Feeds); nil
	// reports no feed. It is the hook for the publisher's selection.
	Feeds func(ctx context.Context) ([]Feed, error)
}

// Build returns the status of every configured source and of every stored
// source no longer configured (by saved state or stored articles), sorted
// failing first, then in backoff, then the others; by name within each.
// Every URL and error is masked with internal/redact.
func Build(ctx context.Context, r Reader, opts Options) (Report, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC().Truncate(time.Second)
	states, err := r.SourceStates(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("status: %w", err)
	}
	stats, err := r.SourceStats(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("status: %w", err)
	}
	rep := Report{GeneratedAt: now}
	if opts.LastRetention != nil {
		t, err := opts.LastRetention(ctx)
		if err != nil {
			return Report{}, fmt.Errorf("status: last retention: %w", err)
		}
		rep.LastRetention = timePtr(t)
	}
	if opts.Feeds != nil {
		if rep.Feeds, err = opts.Feeds(ctx); err != nil {
			return Report{}, fmt.Errorf("status: feeds: %w", err)
		}
	}
	byName := make(map[string]store.SourceState, len(states))
	for _, st := range states {
		byName[st.Name] = st
	}
	seen := map[string]bool{}
	for _, c := range opts.Sources {
		seen[c.Name] = true
		src := Source{Name: c.Name, URL: redact.URL(c.URL), Configured: true, Enabled: c.Enabled, Schedule: c.Schedule}
		st, ok := byName[c.Name]
		fill(&src, st, stats[c.Name], now)
		switch {
		case !c.Enabled:
			src.State = StateDisabled
		case !ok && src.State == StateOK:
			src.State = StateNever
		}
		if c.Enabled {
			if next, err := schedule.Next(c.Schedule, now); err == nil {
				src.NextRun = &next
			}
		}
		rep.Sources = append(rep.Sources, src)
	}
	var gone []string
	for _, st := range states {
		gone = append(gone, st.Name)
	}
	for name := range stats {
		gone = append(gone, name)
	}
	slices.Sort(gone)
	for _, name := range slices.Compact(gone) {
		if seen[name] {
			continue
		}
		src := Source{Name: name}
		fill(&src, byName[name], stats[name], now)
		src.State = StateRemoved
		rep.Sources = append(rep.Sources, src)
	}
	slices.SortStableFunc(rep.Sources, func(a, b Source) int {
		return cmp.Or(cmp.Compare(rank(a.State), rank(b.State)), cmp.Compare(a.Name, b.Name))
	})
	return rep, nil
}

// fill sets what the saved state and the stored articles say of src, and
// its state as they tell it: failing, in backoff or ok.
func fill(src *Source, st store.SourceState, stats store.SourceStats, now time.Time) {
	src.FeedURL = redact.URL(st.FeedURL)
	src.LastAttempt, src.LastSuccess = timePtr(st.LastAttempt), timePtr(st.LastSuccess)
	src.LastStatus, src.Failures, src.LastError = st.LastStatus, st.Failures, redact.Text(st.LastError)
	if st.NextAttempt.After(now) {
		src.BackoffUntil = timePtr(st.NextAttempt)
	}
	src.Articles, src.PagesExtracted, src.PagesFailed = stats.Articles, stats.PagesExtracted, stats.PagesFailed
	switch {
	case st.Failures > 0:
		src.State = StateFailing
	case src.BackoffUntil != nil:
		src.State = StateBackoff
	default:
		src.State = StateOK
	}
}

// rank orders the states: failing first, then in backoff, then the rest
// together, by name.
func rank(state string) int {
	switch state {
	case StateFailing:
		return 0
	case StateBackoff:
		return 1
	}
	return 2
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
