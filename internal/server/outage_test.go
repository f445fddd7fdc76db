package server

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/publish"
	"github.com/tributary/tributary/internal/store"
)

// flakyStore is a store whose version check fails while down is set, as
// a database does while its connections are being terminated.
type flakyStore struct {
	store.Store
	down atomic.Bool
}

func (f *flakyStore) Version(ctx context.Context) (store.Version, error) {
	if f.down.Load() {
		return store.Version{}, errors.New("connection terminated by administrator")
	}
	return f.Store.Version(ctx)
}

// logCount counts log records by message; handlers log on the server's
// goroutines.
type logCount struct {
	mu   sync.Mutex
	msgs map[string]int
}

func (c *logCount) Enabled(context.Context, slog.Level) bool { return true }
func (c *logCount) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *logCount) WithGroup(string) slog.Handler            { return c }

func (c *logCount) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.msgs == nil {
		c.msgs = map[string]int{}
	}
	c.msgs[r.Message]++
	return nil
}

// count returns how many records had a message starting with prefix.
func (c *logCount) count(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for m, k := range c.msgs {
		if strings.HasPrefix(m, prefix) {
			n += k
		}
	}
	return n
}

func TestStoreOutageServesCachedRenderings(t *testing.T) {
	_, st, _ := setup(t)
	fs := &flakyStore{Store: st}
	logs := &logCount{}
	log := slog.New(logs)
	pub := publish.New(fs, publish.Options{BaseURL: "http://feeds.test", Logger: log, Feeds: []publish.Feed{
		{Name: "all", Sources: []string{"a", "b"}, Limit: 50},
	}})
	srv := httptest.NewServer(New(Options{Publisher: pub, Logger: log}))
	t.Cleanup(srv.Close)
	url := srv.URL + "/feeds/all.atom"

	// A feed changed within the current second is served without
	// Last-Modified until the second is over: wait for it, so the outage
	// is compared with a response that carries both validators.
	before, cached := get(t, "GET", url, nil)
	for deadline := time.Now().Add(3 * time.Second); before.Header.Get("Last-Modified") == "" && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		before, cached = get(t, "GET", url, nil)
	}
	if before.StatusCode != 200 || before.Header.Get("Last-Modified") == "" {
		t.Fatalf("status %d, Last-Modified %q before the outage", before.StatusCode, before.Header.Get("Last-Modified"))
	}
	fs.down.Store(true)
	for i := range 5 {
		resp, body := get(t, "GET", url, nil)
		if resp.StatusCode != 200 || !bytes.Equal(body, cached) {
			t.Fatalf("request %d during the outage: status %d, %d bytes (cached %d)", i, resp.StatusCode, len(body), len(cached))
		}
		for _, h := range []string{"ETag", "Last-Modified"} {
			if resp.Header.Get(h) != before.Header.Get(h) {
				t.Errorf("%s %q during the outage, %q before", h, resp.Header.Get(h), before.Header.Get(h))
			}
		}
	}
	if r, _ := get(t, "GET", url, map[string]string{"If-None-Match": before.Header.Get("ETag")}); r.StatusCode != 304 {
		t.Errorf("revalidation during the outage: status %d, want 304", r.StatusCode)
	}
	// Nothing cached to fall back on: still unavailable.
	if r, _ := get(t, "GET", srv.URL+"/feeds/all.rss", nil); r.StatusCode != 503 {
		t.Errorf("a rendering never made: status %d during the outage, want 503", r.StatusCode)
	}
	r, b := get(t, "GET", srv.URL+"/healthz", nil)
	if r.StatusCode != 503 || !strings.Contains(string(b), "store") || !strings.Contains(string(b), "connection terminated") {
		t.Errorf("healthz during the outage: %d %q, want 503 naming the store's problem", r.StatusCode, b)
	}
	if n := logs.count("store unavailable"); n != 1 {
		t.Errorf("the outage was logged %d times, want once", n)
	}

	fs.down.Store(false)
	if r, b := get(t, "GET", srv.URL+"/healthz", nil); r.StatusCode != 200 {
		t.Errorf("healthz after the outage: %d %q", r.StatusCode, b)
	}
	if r, _ := get(t, "GET", srv.URL+"/feeds/all.rss", nil); r.StatusCode != 200 {
		t.Errorf("after the outage: status %d", r.StatusCode)
	}
}
