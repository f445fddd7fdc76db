package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/schedule"
	"github.com/tributary/tributary/internal/store"
)

// leaseFactor is how many fetch timeouts a source's lease lasts: a
// replica renews the leases of its running sources every third of it, so
// a run only loses its lease when the replica stops renewing (it died, or
// the database was unreachable for that long), and the sources of a
// replica that died are taken by another one after at most this many
// fetch timeouts.
const leaseFactor = 3

// leaseDuration is the lease of one source run for cfg.
func leaseDuration(cfg *config.Config) time.Duration {
	t := cfg.Fetch.Timeout
	if t <= 0 {
		t = config.DefaultTimeout
	}
	return leaseFactor * t
}

// replicaID names this process in the leases it holds: host, process id
// and a random part (a restarted process may reuse a pid).
func replicaID() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// newClaimer returns the claim loop that runs cfg's sources when the store
// is shared by replicas (it implements store.Leaser), or nil when it is
// not (SQLite): the sources are then scheduled by this process alone.
func newClaimer(cfg *config.Config, st store.Store, holder string, log *slog.Logger) *schedule.Claimer {
	l, ok := st.(store.Leaser)
	if !ok {
		return nil
	}
	return schedule.NewClaimer(l, schedule.ClaimerOptions{
		Holder:  holder,
		Workers: cfg.Fetch.Workers,
		Lease:   leaseDuration(cfg),
		Log:     log,
	})
}
