package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"text/tabwriter"
	"time"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/redact"
	"github.com/tributary/tributary/internal/store/schema"
)

// cmdMigrate shows (status) or applies (up) the schema migrations of the
// configured store. Applying is what every start does: the store's own
// Open, so PostgreSQL's run under the same advisory lock and two daemons,
// or a daemon and this command, take turns.
func cmdMigrate(ctx context.Context, confPath string, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "migrate [--config FILE] status|up", &confPath, stdout, stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// The flags may follow the action too: `migrate status --config FILE`.
	action := fs.Arg(0)
	if fs.NArg() > 0 {
		if err := parseFlags(fs, fs.Args()[1:]); err != nil {
			return err
		}
	}
	if fs.NArg() != 0 || (action != "status" && action != "up") {
		fs.Usage()
		return usagef("migrate needs one of: status, up")
	}
	cfg, err := loadConfig(confPath)
	if err != nil {
		return err
	}
	addr, err := configStoreAddr(cfg)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if action == "status" {
		err = migrateStatus(ctx, addr, stdout)
	} else {
		err = migrateUp(ctx, addr, stdout)
	}
	return redact.Error(err)
}

// migrateStatus prints every migration of the store, applied or pending,
// and the schema version. A store behind or ahead of this program is no
// error: saying so is the point.
func migrateStatus(ctx context.Context, addr storeAddr, w io.Writer) error {
	ss, err := addr.status(ctx)
	if err != nil {
		return fmt.Errorf("migrate status: %w", err)
	}
	fmt.Fprintf(w, "store: %s\n", addr.name)
	if addr.driver == config.DriverSQLite {
		if _, err := os.Stat(addr.dsn); errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintln(w, "no database file yet: the first start (or `tributary migrate up`) creates it")
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range ss {
		switch {
		case !s.Known:
			fmt.Fprintf(tw, "  %s\tapplied %s\tunknown to this Tributary (%s)\n", s.Name, appliedAt(s), version)
		case s.Applied:
			fmt.Fprintf(tw, "  %s\tapplied %s\n", s.Name, appliedAt(s))
		default:
			fmt.Fprintf(tw, "  %s\tpending\n", s.Name)
		}
	}
	tw.Flush()
	fmt.Fprintln(w, schemaSummary(ss))
	return nil
}

// schemaSummary is the last line of migrate status.
func schemaSummary(ss schema.Statuses) string {
	switch cur, latest := ss.Current(), ss.Latest(); {
	case len(ss.Unknown()) > 0:
		return fmt.Sprintf("schema version %d, newer than this Tributary knows (%d): upgrade Tributary before running it on this store", cur, latest)
	case len(ss.Pending()) > 0:
		return fmt.Sprintf("schema version %d of %d: %d pending (`tributary migrate up` applies them; so does the next start)", cur, latest, len(ss.Pending()))
	default:
		return fmt.Sprintf("schema version %d of %d: up to date", cur, latest)
	}
}

func appliedAt(s schema.Status) string {
	if s.AppliedAt.IsZero() {
		return "(time not recorded)"
	}
	return s.AppliedAt.UTC().Format(time.DateTime + " UTC")
}

// migrateUp applies the pending migrations by opening the store as a
// start does, then prints those it found applied.
func migrateUp(ctx context.Context, addr storeAddr, w io.Writer) error {
	before, err := addr.status(ctx)
	if err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	fmt.Fprintf(w, "store: %s\n", addr.name)
	if len(before.Unknown()) > 0 {
		return fmt.Errorf("migrate up: %s: %w", addr.name, currentSchema(before))
	}
	pending := before.Pending()
	if len(pending) == 0 {
		fmt.Fprintln(w, schemaSummary(before))
		return nil
	}
	st, err := addr.open(ctx)
	if err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	if err := st.Close(); err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	after, err := addr.status(ctx)
	if err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	applied := map[int]bool{}
	for _, s := range after {
		applied[s.Version] = s.Applied
	}
	for _, p := range pending {
		if applied[p.Version] {
			fmt.Fprintf(w, "  applied %s\n", p.Name)
		}
	}
	fmt.Fprintln(w, schemaSummary(after))
	if len(after.Pending()) > 0 {
		return fmt.Errorf("migrate up: %d migrations still pending", len(after.Pending()))
	}
	return nil
}
