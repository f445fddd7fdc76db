package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/publish"
	"github.com/tributary/tributary/internal/status"
	"github.com/tributary/tributary/internal/store"
)

func cmdStatus(ctx context.Context, confPath string, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("status", "status [--config FILE] [--json]", &confPath, stdout, stderr)
	asJSON := fs.Bool("json", false, "print the status as JSON (field names in docs/operations.md)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("status takes no arguments")
	}
	cfg, st, err := loadReadOnly(ctx, confPath)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)
	rep, err := status.Build(ctx, st, statusOptions(cfg, st, newPublisher(cfg, st, nil, nil, nil)))
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	writeStatus(stdout, rep)
	return nil
}

// statusOptions are the configured sources and hooks status.Build reads
// beside the store; pub, the publisher of cfg's feeds, says what each
// feed holds and leaves out.
func statusOptions(cfg *config.Config, st store.Store, pub *publish.Publisher) status.Options {
	opts := status.Options{LastRetention: lastRetention(st), Feeds: feedStatus(pub)}
	for _, s := range cfg.Sources {
		opts.Sources = append(opts.Sources, status.Configured{Name: s.Name, URL: s.URL, Schedule: s.Schedule, Enabled: s.Enabled})
	}
	return opts
}

// feedStatus is what each feed of pub holds and what its rules leave out,
// as a rendering now would select them.
func feedStatus(pub *publish.Publisher) func(ctx context.Context) ([]status.Feed, error) {
	return func(ctx context.Context) ([]status.Feed, error) {
		var out []status.Feed
		for _, f := range pub.Feeds() {
			left, n, err := pub.Filtered(ctx, f.Name)
			if err != nil {
				return nil, err
			}
			out = append(out, status.Feed{Name: f.Name, Items: n, Filtered: status.Filtered{
				Include: left.Include, Exclude: left.Exclude, MaxAge: left.MaxAge, PerSourceLimit: left.PerSourceLimit}})
		}
		return out, nil
	}
}

// lastRetention is when retention last ran, as any process sharing the
// store recorded it (store.LastRetention): zero, shown as "never", when no
// cleanup ever ran.
func lastRetention(st store.Store) func(ctx context.Context) (time.Time, error) {
	return func(ctx context.Context) (time.Time, error) {
		rr, err := st.LastRetention(ctx)
		return rr.At, err
	}
}

// writeStatus prints rep for people: one block per source, failing first.
func writeStatus(w io.Writer, rep status.Report) {
	fmt.Fprintf(w, "retention last ran: %s\n", when(rep.LastRetention))
	if len(rep.Sources) == 0 {
		fmt.Fprintln(w, "no sources")
	}
	for _, s := range rep.Sources {
		fmt.Fprintf(w, "\n%s: %s", s.Name, s.State)
		switch {
		case s.Failures == 1:
			fmt.Fprint(w, " (1 consecutive failure)")
		case s.Failures > 1:
			fmt.Fprintf(w, " (%d consecutive failures)", s.Failures)
		}
		fmt.Fprintln(w)
		line := func(k, v string) {
			if v != "" {
				fmt.Fprintf(w, "  %-14s %s\n", k+":", v)
			}
		}
		line("url", s.URL)
		line("feed", s.FeedURL)
		attempt := when(s.LastAttempt)
		if s.LastStatus != "" {
			attempt += " (" + s.LastStatus + ")"
		}
		line("last attempt", attempt)
		line("last success", when(s.LastSuccess))
		line("last error", strings.Join(strings.Fields(s.LastError), " "))
		if s.NextRun != nil {
			line("next run", when(s.NextRun))
		}
		if s.BackoffUntil != nil {
			line("backoff until", when(s.BackoffUntil))
		}
		line("articles", fmt.Sprintf("%d stored, pages %d extracted, %d failed", s.Articles, s.PagesExtracted, s.PagesFailed))
	}
	for i, f := range rep.Feeds {
		if i == 0 {
			fmt.Fprintln(w, "\nfeeds:")
		}
		l, items := f.Filtered, "items"
		if f.Items == 1 {
			items = "item"
		}
		fmt.Fprintf(w, "  %s: %d %s; left out by include %d, exclude %d, max_age %d, per_source_limit %d\n",
			f.Name, f.Items, items, l.Include, l.Exclude, l.MaxAge, l.PerSourceLimit)
	}
}

// when formats a status time, "never" when there is none.
func when(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}
