package pipeline

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/sources"
)

func TestSourceCredentials(t *testing.T) {
	tests := []struct{ page, source, want string }{
		{"https://news.example/story", "https://u:pw@news.example/feed", "https://u:pw@news.example/story"},
		{"https://NEWS.example/story", "https://TOKEN@news.example/feed", "https://TOKEN@NEWS.example/story"},
		// Another origin, scheme or port never gets them.
		{"https://other.example/story", "https://u:pw@news.example/feed", "https://other.example/story"},
		{"http://news.example/story", "https://u:pw@news.example/feed", "http://news.example/story"},
		{"https://news.example:8443/story", "https://u:pw@news.example/feed", "https://news.example:8443/story"},
		// A link's own credentials stay; a source without any gives none.
		{"https://me@news.example/story", "https://u:pw@news.example/feed", "https://me@news.example/story"},
		{"https://news.example/story", "https://news.example/feed", "https://news.example/story"},
		{"https://news.example/story", "file:///srv/feed.xml", "https://news.example/story"},
	}
	for _, tc := range tests {
		u, err := url.Parse(tc.page)
		if err != nil {
			t.Fatal(err)
		}
		sourceCredentials(u, tc.source)
		if got := u.String(); got != tc.want {
			t.Errorf("page %s of source %s: %s, want %s", tc.page, tc.source, got, tc.want)
		}
	}
}

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
