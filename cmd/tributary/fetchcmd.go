package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"golang.org/x/sync/errgroup"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/pipeline"
)

func cmdFetch(ctx context.Context, confPath string, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("fetch", "fetch [--config FILE] [--force] [SOURCE...]", &confPath, stdout, stderr)
	force := fs.Bool("force", false, "fetch afresh: drop the validators so that the document is parsed again, and extract the pages of full-text sources again")
	names, err := flagsAnywhere(fs, args)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(confPath)
	if err != nil {
		return err
	}
	var srcs []*config.Source
	if len(names) == 0 {
		srcs = enabledSources(cfg)
	} else {
		seen := map[string]bool{}
		for _, name := range names {
			s, ok := cfg.Source(name)
			switch {
			case !ok:
				return usagef("unknown source %q", name)
			case !s.Enabled:
				return usagef("source %q is disabled (enabled: false): no feed would publish it", name)
			case seen[name]:
				continue
			}
			seen[name] = true
			srcs = append(srcs, &s)
		}
	}
	// On a terminal, one live line stands for the per-source lines; the
	// log, when it shares the terminal, is printed above it, WARN and up
	// only unless log_level is debug.
	var live *progress
	if isTerminal(stdout) {
		live = newProgress(stdout, len(srcs))
	}
	log := newLogger(cfg, stderr)
	if live != nil && isTerminal(stderr) {
		log = newLogger(cfg, live.above(stderr))
		if cfg.LogLevel != "debug" {
			log = slog.New(atLeast{log.Handler(), slog.LevelWarn})
		}
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)
	logUncleanEnd(log, st)
	client := newFetcher(cfg, log)
	defer client.Close()
	runner := &pipeline.Runner{Doer: client, Store: st, Log: log}

	outcomes := make([]pipeline.Outcome, len(srcs))
	// A plain Group, not WithContext: a failed source is an outcome, not
	// an error, and must not cancel the others.
	var g errgroup.Group
	g.SetLimit(max(cfg.Fetch.Workers, 1))
	if live != nil {
		live.begin()
	}
	for i, s := range srcs {
		g.Go(func() error {
			// A manual fetch is the operator asking now: it does not wait
			// for a backoff to end.
			if *force {
				outcomes[i] = runner.RunAfresh(ctx, pipelineSource(cfg, *s))
			} else {
				outcomes[i] = runner.Run(ctx, pipelineSource(cfg, *s), true)
			}
			if live != nil {
				live.add(outcomes[i])
			}
			return nil
		})
	}
	_ = g.Wait() // every function returns nil
	if live != nil {
		live.finish()
	}
	failed := 0
	for _, o := range outcomes {
		if live == nil {
			fmt.Fprintln(stdout, o.String())
		}
		if failedOutcome(o) {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "tributary: %d of %d sources failed\n", failed, len(outcomes))
		return errSilentFailure
	}
	return nil
}

// flagsAnywhere parses args with fs and returns the other arguments, the
// source names: flags may come after them too (`fetch blog --force`), as
// the flag package alone stops at the first name. After "--" every
// argument is a name.
func flagsAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var names []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return names, nil
		}
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(names, rest...), nil
		}
		names = append(names, rest[0])
		args = rest[1:]
	}
}
