package main

import (
	"context"
	"fmt"
	"io"

	"github.com/tributary/tributary/internal/config"
)

// cmdCheck validates the configuration: problems exit 2, warnings (see
// config.Warnings) are printed and exit 0. With --store it then checks the
// store: SQLite's full PRAGMA integrity_check, which reads the whole file;
// a damaged store exits 1.
func cmdCheck(ctx context.Context, confPath string, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", "check [--config FILE] [--store]", &confPath, stdout, stderr)
	withStore := fs.Bool("store", false, "also check the store's every page (SQLite: PRAGMA integrity_check, read-only; takes time in proportion to the file)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("check takes no arguments")
	}
	cfg, err := loadConfig(confPath)
	if err != nil {
		return err
	}
	// Warnings refuse nothing: on stderr like problems, exit 0.
	ws := cfg.Warnings()
	for _, w := range ws {
		fmt.Fprintln(stderr, "warning:", w)
	}
	switch len(ws) {
	case 0:
		fmt.Fprintf(stdout, "%s: ok (%d sources, %d feeds)\n", confPath, len(cfg.Sources), len(cfg.Feeds))
	case 1:
		fmt.Fprintf(stdout, "%s: ok (%d sources, %d feeds), 1 warning\n", confPath, len(cfg.Sources), len(cfg.Feeds))
	default:
		fmt.Fprintf(stdout, "%s: ok (%d sources, %d feeds), %d warnings\n", confPath, len(cfg.Sources), len(cfg.Feeds), len(ws))
	}
	if *withStore {
		return checkStore(ctx, cfg, stdout)
	}
	return nil
}

// checkStore opens the configured store read-only and runs its full
// integrity check where it has one (SQLite). PostgreSQL checks its own
// pages: opening it is the whole check here.
func checkStore(ctx context.Context, cfg *config.Config, stdout io.Writer) (err error) {
	st, err := openStoreReadOnly(ctx, cfg)
	if err != nil {
		return fmt.Errorf("check store: %w", err)
	}
	defer closeStore(st, &err)
	ic, ok := st.(interface{ IntegrityCheck(context.Context) error })
	if !ok {
		// Never the DSN: it may hold a password.
		fmt.Fprintf(stdout, "store (%s): ok (reachable, schema current)\n", cfg.Storage.Driver)
		return nil
	}
	if err := ic.IntegrityCheck(ctx); err != nil {
		return fmt.Errorf("check store: %w", err)
	}
	fmt.Fprintf(stdout, "%s: ok (integrity_check)\n", cfg.Storage.DSN)
	return nil
}
