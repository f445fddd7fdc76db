package pipeline

import (
	"context"
	"fmt"
	"testing"

	"github.com/tributary/tributary/internal/store"
)

// A run tells a lease another daemon took from a shutdown: both cancel its
// context, but only a lost lease may be reported as one (and write nothing
// for that reason); a shutdown is a plain cancellation.
func TestLeaseLostIsNotAShutdown(t *testing.T) {
	checkCtx := func(ctx context.Context) error { return ctx.Err() }
	lost := func(context.Context) error { return fmt.Errorf("renew: %w", store.ErrNotFound) }

	shutdown, stop := context.WithCancelCause(context.Background())
	stop(nil) // what a shutdown or reload does
	taken, take := context.WithCancelCause(context.Background())
	take(fmt.Errorf("lease of s lost to another daemon: %w", store.ErrNotFound)) // the claimer's renewal

	for _, tc := range []struct {
		name string
		ctx  context.Context
		want bool
	}{
		{"not leased", context.Background(), false},
		{"held", store.WithLeaseCheck(context.Background(), checkCtx), false},
		{"taken, seen by the check", store.WithLeaseCheck(context.Background(), lost), true},
		{"taken, seen by the renewal first", store.WithLeaseCheck(taken, checkCtx), true},
		{"shutdown", store.WithLeaseCheck(shutdown, checkCtx), false},
	} {
		if got := leaseLost(tc.ctx); got != tc.want {
			t.Errorf("%s: leaseLost = %v, want %v", tc.name, got, tc.want)
		}
	}
}
