package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/status"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/sqlite"
)

func TestStatusPage(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now().UTC().Truncate(time.Second)
	for _, s := range []store.SourceState{
		{Name: "aaa-fine", LastAttempt: now, LastSuccess: now, LastStatus: "new"},
		{Name: "zzz-broken", LastAttempt: now, LastStatus: "failed", Failures: 4, NextAttempt: now.Add(time.Hour),
			LastError: `parse: unexpected <script>alert(1)</script> at https://bob:hunter2@z.example/feed`},
	} {
		if err := st.SaveSourceState(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.UpsertArticles(ctx, []feeds.Article{{Source: "aaa-fine", ID: "1", Title: "x", FetchedAt: now}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(Options{
		Title: `Ops <b>"board"</b>`,
		Status: func(ctx context.Context) (status.Report, error) {
			return status.Build(ctx, st, status.Options{Sources: []status.Configured{
				{Name: "aaa-fine", URL: "https://a.example/feed", Schedule: "@hourly", Enabled: true},
				{Name: "zzz-broken", URL: "https://bob:hunter2@z.example/feed", Schedule: "@hourly", Enabled: true},
			}, Feeds: func(context.Context) ([]status.Feed, error) {
				return []status.Feed{{Name: "no-wrestling", Items: 12, Filtered: status.Filtered{Include: 1, Exclude: 7, MaxAge: 3, PerSourceLimit: 2}}}, nil
			}})
		},
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /status = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, bad := range []string{"<script", "hunter2", "bob:", "<b>"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q:\n%s", bad, page)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "https://xxxxx@z.example/feed", `name="viewport"`,
		"Retention last ran: never", "Ops &lt;b&gt;&#34;board&#34;&lt;/b&gt;",
		"<tr><td>no-wrestling</td><td>12</td><td>1</td><td>7</td><td>3</td><td>2</td></tr>"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
	// Failing first, although its name sorts last.
	if b, f := strings.Index(page, "<td>zzz-broken</td>"), strings.Index(page, "<td>aaa-fine</td>"); b < 0 || f < 0 || b > f {
		t.Errorf("zzz-broken at %d, aaa-fine at %d: want the failing source first", b, f)
	}
	// The security headers, with the page's one inline style allowed by
	// its hash and nothing else loosened.
	csp := resp.Header.Get("Content-Security-Policy")
	css := page[strings.Index(page, "<style>")+len("<style>") : strings.Index(page, "</style>")]
	sum := sha256.Sum256([]byte(css))
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") ||
		strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("security headers missing: %v", resp.Header)
	}
	if strings.Contains(page, "http://") || strings.Contains(strings.ToLower(page), "<link") {
		t.Errorf("page loads or links something external:\n%s", page)
	}
}

func TestStatusPageUnavailable(t *testing.T) {
	failing := New(Options{Status: func(context.Context) (status.Report, error) {
		return status.Report{}, context.DeadlineExceeded
	}})
	if code := statusCode(t, failing); code != http.StatusServiceUnavailable {
		t.Errorf("GET /status with a failing store = %d, want 503", code)
	}
	if code := statusCode(t, New(Options{})); code != http.StatusNotFound {
		t.Errorf("GET /status without Options.Status = %d, want 404", code)
	}
}

// statusCode returns the status code h answers GET /status with.
func statusCode(t *testing.T, h http.Handler) int {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
