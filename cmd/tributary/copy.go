package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/redact"
	"github.com/tributary/tributary/internal/store"
)

// copyProgressEvery is how often copy reports how far it got.
const copyProgressEvery = 5 * time.Second

// cmdCopy copies a whole installation from one store to another (SQLite
// to PostgreSQL, back, or SQLite to SQLite), then verifies the copy. It
// reads no configuration: both stores are named on the command line.
func cmdCopy(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("copy", "copy --from sqlite:PATH|postgres:DSN --to sqlite:PATH|postgres:DSN [--batch N] [--sample N]", nil, stdout, stderr)
	from := fs.String("from", "", "the store to copy from, sqlite:PATH or postgres:DSN; only read")
	to := fs.String("to", "", "the store to copy into, sqlite:PATH or postgres:DSN; created or migrated as a start would")
	batch := fs.Int("batch", store.CopyBatch, "articles read, then written in one transaction, at a time")
	sample := fs.Int("sample", store.CopySample, "articles compared field by field after the copy, spread over the store (0: none)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		fs.Usage()
		return usagef("copy needs --from and --to, and no arguments")
	}
	if *batch <= 0 || *sample < 0 {
		return usagef("copy: --batch must be positive and --sample not negative")
	}
	src, err := parseStoreAddr("from", *from)
	if err != nil {
		return err
	}
	dst, err := parseStoreAddr("to", *to)
	if err != nil {
		return err
	}
	if src.same(dst) {
		return usagef("copy: --from and --to name the same store")
	}
	// Whatever goes wrong, the DSNs' passwords stay out of the message.
	defer func() { err = redact.Error(err) }()
	fmt.Fprintf(stdout, "copy: from %s\n        to %s\n", src.name, dst.name)
	if err := checkCopySchemas(ctx, src, dst); err != nil {
		return err
	}
	fromSt, err := src.openReadOnly(ctx)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer closeStore(fromSt, &err)
	toSt, err := dst.open(ctx)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer closeStore(toSt, &err)

	start := time.Now()
	last := start
	opts := store.CopyOptions{Batch: *batch, Sample: *sample, Progress: func(read, total int) {
		if now := time.Now(); now.Sub(last) >= copyProgressEvery {
			last = now
			fmt.Fprintf(stderr, "copy: %d of %d articles\n", read, total)
		}
	}}
	if *sample == 0 {
		opts.Sample = -1
	}
	res, err := store.Copy(ctx, fromSt, toSt, opts)
	if err != nil {
		return fmt.Errorf("%w (rerun the same command: it resumes, writing only what is missing or differs)", err)
	}
	fmt.Fprintf(stdout, "articles: %d read, %d written\n", res.Articles, res.ArticlesWritten)
	fmt.Fprintf(stdout, "source states: %d read, %d written\n", res.States, res.StatesWritten)
	if res.RetentionWritten {
		fmt.Fprintln(stdout, "last cleanup run: written")
	}
	v, err := store.Verify(ctx, fromSt, toSt, res)
	if errors.Is(err, store.ErrMismatch) {
		fmt.Fprintf(stdout, "verify: the destination differs from the source:\n")
		for _, m := range v.Mismatches {
			fmt.Fprintf(stdout, "  %s\n", m)
		}
		return errors.New("copy: verify: the destination differs from the source (above); " +
			"stop whatever writes to either store and rerun the copy; articles or states only the destination holds stay until deleted")
	}
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	fmt.Fprintf(stdout, "verify: ok: %d articles of %d sources counted alike (pages extracted and failed too), %d source states and the last cleanup run equal, %d sampled articles equal field by field\n",
		v.Articles, v.Sources, v.States, v.Sampled)
	fmt.Fprintf(stdout, "copy: done in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// checkCopySchemas refuses a copy this program cannot make faithfully: a
// source whose schema is not this program's (older: migrate it first;
// newer: it may hold what this program would not carry), or a destination
// migrated by a newer Tributary. A destination behind is migrated by
// opening it, as a start would.
func checkCopySchemas(ctx context.Context, src, dst storeAddr) error {
	if src.driver == config.DriverSQLite {
		if _, err := os.Stat(src.dsn); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("copy: source %s: no such file", src.name)
		}
	}
	ss, err := src.status(ctx)
	if err != nil {
		return fmt.Errorf("copy: source: %w", err)
	}
	if err := currentSchema(ss); err != nil {
		return fmt.Errorf("copy: source %s: %w", src.name, err)
	}
	ds, err := dst.status(ctx)
	if err != nil {
		return fmt.Errorf("copy: destination: %w", err)
	}
	if u := ds.Unknown(); len(u) > 0 {
		names := make([]string, len(u))
		for i, s := range u {
			names[i] = s.Name
		}
		return fmt.Errorf("copy: refusing to copy into %s: its schema is at version %d, newer than this Tributary (%s) knows (%d; unknown: %s); "+
			"what it reads from the source could not fill the newer columns: copy with a Tributary at least as new as the one that migrated the destination",
			dst.name, ds.Current(), version, ds.Latest(), strings.Join(names, ", "))
	}
	return nil
}
