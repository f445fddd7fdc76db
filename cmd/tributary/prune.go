package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/metrics"
	"github.com/tributary/tributary/internal/retention"
	"github.com/tributary/tributary/internal/store"
)

func cmdPrune(ctx context.Context, confPath string, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("prune", "prune [--config FILE] [--orphans | --source NAME [--yes]]", &confPath, stdout, stderr)
	orphans := fs.Bool("orphans", false, "delete the articles and state of sources no longer in the configuration now, whatever retention.orphans says")
	source := fs.String("source", "", "delete every stored article and the saved state of this one source (only with --yes)")
	yes := fs.Bool("yes", false, "with --source: really delete; without it, say what would be deleted")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("prune takes no arguments (did you mean --source %s?)", fs.Arg(0))
	case *source != "" && *orphans:
		return usagef("prune: --source and --orphans do not go together")
	case *yes && *source == "":
		return usagef("prune: --yes confirms --source NAME; plain prune and --orphans need no confirmation")
	}
	cfg, err := loadConfig(confPath)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)
	if *source != "" {
		return pruneSource(ctx, st, cfg, *source, *yes, stdout)
	}
	plan := retentionPlan(cfg)
	plan.OrphansNow = *orphans
	c := &retention.Cleaner{Store: st, Log: newLogger(cfg, stderr)}
	rep, runErr := c.Run(ctx, plan)
	printPrune(stdout, rep, cfg)
	return runErr
}

// pruneSource deletes the stored articles and state of one source, or with
// confirm unset says what it would delete.
func pruneSource(ctx context.Context, st store.Store, cfg *config.Config, name string, confirm bool, stdout io.Writer) error {
	n, err := st.CountArticles(ctx, name)
	if err != nil {
		return err
	}
	_, configured := cfg.Source(name)
	if !confirm {
		fmt.Fprintf(stdout, "%s: would delete %d stored articles and the source's saved state (nothing deleted: add --yes to delete)\n", name, n)
		if configured {
			fmt.Fprintf(stdout, "%s: the source is still in %s: its next fetch stores what its document lists again, as new\n", name, cfg.Path)
		}
		return nil
	}
	deleted, err := st.DeleteSource(ctx, name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: deleted %d articles and the source's saved state\n", name, deleted)
	return nil
}

// retentionPlan is the cleanup cfg asks for: every configured source,
// disabled ones too, with its limits.
func retentionPlan(cfg *config.Config) retention.Plan {
	p := retention.Plan{Orphans: cfg.Retention.Orphans}
	for _, s := range cfg.Sources {
		p.Sources = append(p.Sources, store.Retention{Source: s.Name, MaxAge: s.Retention.MaxAge, MaxItems: s.Retention.MaxItems})
	}
	return p
}

// metricsCleanup is what the metrics record of a cleanup.
func metricsCleanup(r retention.Report) metrics.Cleanup {
	return metrics.Cleanup{At: r.At, Age: r.Age, Count: r.Count, Orphan: r.Orphaned, SizeBytes: r.Size}
}

// printPrune prints one line per source, then the totals.
func printPrune(w io.Writer, rep retention.Report, cfg *config.Config) {
	for _, s := range rep.Sources {
		var line string
		switch {
		case s.Err != nil:
			line = fmt.Sprintf("failed: %v", s.Err)
		case s.Orphan && s.KeptUntil.IsZero() && s.Orphaned == 0 && cfg.Retention.Orphans <= 0:
			line = "not in the configuration: kept (retention.orphans is 0s; prune --orphans deletes it)"
		case s.Orphan && !s.KeptUntil.IsZero():
			line = fmt.Sprintf("not in the configuration: kept until %s (retention.orphans %s; prune --orphans deletes it now)",
				s.KeptUntil.UTC().Format(time.DateTime+" UTC"), cfg.Retention.Orphans)
		case s.Orphan:
			line = fmt.Sprintf("not in the configuration: deleted %d articles and its saved state", s.Orphaned)
		case s.Deleted() == 0:
			line = "nothing to delete"
		default:
			line = fmt.Sprintf("deleted %d (%d by age, %d by count)", s.Deleted(), s.Age, s.Count)
		}
		fmt.Fprintf(w, "%s: %s\n", s.Name, line)
	}
	size := "unknown"
	if rep.Size >= 0 {
		size = humanBytes(rep.Size)
	}
	fmt.Fprintf(w, "prune: deleted %d articles (%d by age, %d by count, %d of %d orphaned sources) in %s; store size %s\n",
		rep.Deleted(), rep.Age, rep.Count, rep.Orphaned, rep.Orphans, rep.Duration.Round(time.Millisecond), size)
}

// humanBytes formats n in IEC units, like "1.5 MiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/float64(div)), ".0") + " " + string("KMGTPE"[exp]) + "iB"
}
