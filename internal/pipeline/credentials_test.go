package pipeline

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/sources"
)

// TestDeferredOutcomeMasksAnOldStoredError: a store written by a version
// that kept credentials in its errors does not show them in the outcome of
// a source in backoff.
func TestDeferredOutcomeMasksAnOldStoredError(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	old := store.SourceState{
		Name: "private", LastStatus: StatusFailed, Failures: 1, NextAttempt: now.Add(time.Hour),
		LastError: "http 500 Internal Server Error from https://user:SECRET@news.example/feed",
	}
	if err := st.SaveSourceState(ctx, old); err != nil {
		t.Fatal(err)
	}
	r := newRunner(st)
	r.Now = func() time.Time { return now }
	out := r.Run(ctx, Source{Source: sources.Source{Name: "private", URL: "https://user:SECRET@news.example/feed"}}, false)
	if out.Status != StatusDeferred || !strings.Contains(out.String(), "https://xxxxx@news.example/feed") ||
		strings.Contains(out.String(), "SECRET") {
		t.Errorf("deferred outcome %q", out.String())
	}
}
