package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/pipeline"
)

func cmdFetch(ctx context.Context, confPath string, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("fetch", "fetch [--config FILE] [SOURCE...]", &confPath, stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(confPath)
	if err != nil {
		return err
	}
	var srcs []config.Source
	if fs.NArg() == 0 {
		srcs = enabledSources(cfg)
	} else {
		seen := map[string]bool{}
		for _, name := range fs.Args() {
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
			srcs = append(srcs, s)
		}
	}
	log := newLogger(cfg, stderr)
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)
	client := newFetcher(cfg, log)
	defer client.Close()
	runner := &pipeline.Runner{Doer: client, Store: st, Log: log}

	outcomes := make([]pipeline.Outcome, len(srcs))
	sem := make(chan struct{}, max(cfg.Fetch.Workers, 1))
	var wg sync.WaitGroup
	for i, s := range srcs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// A manual fetch is the operator asking now: it does not wait
			// for a backoff to end.
			outcomes[i] = runner.Run(ctx, pipelineSource(cfg, s), true)
		}()
	}
	wg.Wait()
	failed := 0
	for _, o := range outcomes {
		fmt.Fprintln(stdout, o.String())
		if o.Status == pipeline.StatusFailed || o.Status == pipeline.StatusCancelled {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "tributary: %d of %d sources failed\n", failed, len(outcomes))
		return errSilentFailure
	}
	return nil
}
