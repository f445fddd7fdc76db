package websub

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// hubRecorder is a hub that records every publish request and answers
// with the statuses of its script, then 204.
type hubRecorder struct {
	*httptest.Server
	mu       sync.Mutex
	posts    []url.Values
	auth     []string
	statuses []int
	got      chan struct{}
	hold     chan struct{} // when set, answers wait for it
}

func newHub(t *testing.T, statuses ...int) *hubRecorder {
	t.Helper()
	h := &hubRecorder{statuses: statuses, got: make(chan struct{}, 100)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			http.Error(w, "want a form POST", http.StatusBadRequest)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.posts = append(h.posts, r.PostForm)
		h.auth = append(h.auth, r.Header.Get("Authorization"))
		code := http.StatusNoContent
		if len(h.statuses) > 0 {
			code, h.statuses = h.statuses[0], h.statuses[1:]
		}
		hold := h.hold
		h.mu.Unlock()
		h.got <- struct{}{}
		if hold != nil {
			select {
			case <-hold:
			case <-r.Context().Done():
				return
			}
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(h.Close)
	return h
}

// topics returns the hub.url of every request received, in order.
func (h *hubRecorder) topics() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, p := range h.posts {
		out = append(out, strings.Join(p["hub.url"], " "))
	}
	return out
}

// wait waits for n more requests.
func (h *hubRecorder) wait(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-h.got:
		case <-time.After(30 * time.Second):
			t.Fatalf("the hub got %q, waiting for more", h.topics())
		}
	}
}

// results collects what Observe hears.
type results struct {
	mu  sync.Mutex
	all []string
	ch  chan string
}

func newResults() *results { return &results{ch: make(chan string, 100)} }

func (r *results) observe(s string) {
	r.mu.Lock()
	r.all = append(r.all, s)
	r.mu.Unlock()
	r.ch <- s
}

func (r *results) wait(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		select {
		case got := <-r.ch:
			if got != w {
				t.Fatalf("result %q, want %q (so far %q)", got, w, r.list())
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no result %q (so far %q)", w, r.list())
		}
	}
}

func (r *results) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.all)
}

func start(t *testing.T, opts Options) *Notifier {
	t.Helper()
	n := New(opts)
	n.Start()
	t.Cleanup(n.Close)
	return n
}

func TestPublishSendsOneFormPerTopicWithCredentialsHidden(t *testing.T) {
	hub := newHub(t)
	res := newResults()
	var logs bytes.Buffer
	u, _ := url.Parse(hub.URL + "/publish")
	u.User = url.UserPassword("pub", "SECRET")
	n := start(t, Options{Hub: u.String(), Observe: res.observe, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	n.Publish(Topic{"all", "http://feeds.test/feeds/all.rss"}, Topic{"all", "http://feeds.test/feeds/all.atom"})
	res.wait(t, ResultSuccess, ResultSuccess)
	n.Close() // its goroutine, which logs, is done
	if got, want := hub.topics(), []string{"http://feeds.test/feeds/all.rss", "http://feeds.test/feeds/all.atom"}; !slices.Equal(got, want) {
		t.Errorf("hub.url sent: %q, want %q", got, want)
	}
	hub.mu.Lock()
	for i, p := range hub.posts {
		if p.Get("hub.mode") != "publish" || len(p) != 2 {
			t.Errorf("request %d: form %v, want hub.mode=publish and hub.url", i, p)
		}
		if want := "Basic cHViOlNFQ1JFVA=="; hub.auth[i] != want {
			t.Errorf("request %d: Authorization %q, want %q", i, hub.auth[i], want)
		}
	}
	hub.mu.Unlock()
	if strings.Contains(logs.String(), "SECRET") || strings.Count(logs.String(), "websub: hub notified") != 2 || !strings.Contains(logs.String(), "hub=http://xxxxx@127.0.0.1") {
		t.Errorf("log: one line per notification, hub masked:\n%s", logs.String())
	}
}

func TestFailuresAreRetriedWithBackoffThenGivenUp(t *testing.T) {
	t.Run("recovers", func(t *testing.T) {
		hub := newHub(t, 503, 500)
		res := newResults()
		n := start(t, Options{Hub: hub.URL, Observe: res.observe, Backoff: 10 * time.Millisecond})
		n.Publish(Topic{"all", "http://feeds.test/feeds/all.json"})
		res.wait(t, ResultRetry, ResultRetry, ResultSuccess)
		if got := len(hub.topics()); got != 3 {
			t.Errorf("%d requests, want 3", got)
		}
		if p := n.Pending(); len(p) != 0 {
			t.Errorf("still pending: %v", p)
		}
	})
	t.Run("gives up after MaxAttempts", func(t *testing.T) {
		hub := newHub(t, 500, 502, 503, 504)
		res := newResults()
		n := start(t, Options{Hub: hub.URL, Observe: res.observe, Backoff: 10 * time.Millisecond, MaxAttempts: 3})
		n.Publish(Topic{"all", "http://feeds.test/feeds/all.json"})
		res.wait(t, ResultRetry, ResultRetry, ResultFailure)
		n.Close()
		if got := len(hub.topics()); got != 3 {
			t.Errorf("%d requests, want 3", got)
		}
	})
	t.Run("refused for good", func(t *testing.T) {
		hub := newHub(t, 400)
		res := newResults()
		n := start(t, Options{Hub: hub.URL, Observe: res.observe, Backoff: 10 * time.Millisecond})
		n.Publish(Topic{"all", "http://feeds.test/feeds/all.json"}, Topic{"b", "http://feeds.test/feeds/b.json"})
		res.wait(t, ResultFailure, ResultSuccess)
		if got := hub.topics(); len(got) != 2 {
			t.Errorf("requests %q: a refusal is not retried", got)
		}
	})
	t.Run("hub unreachable", func(t *testing.T) {
		hub := newHub(t)
		hub.Close()
		res := newResults()
		n := start(t, Options{Hub: hub.URL, Observe: res.observe, Backoff: 10 * time.Millisecond, MaxAttempts: 2})
		n.Publish(Topic{"all", "http://feeds.test/feeds/all.json"})
		res.wait(t, ResultRetry, ResultFailure)
	})
}

func TestBackoffDoublesUpToItsCap(t *testing.T) {
	n := New(Options{Backoff: time.Second, MaxBackoff: 5 * time.Second})
	var got []time.Duration
	for i := 1; i <= 5; i++ {
		got = append(got, n.backoff(i))
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("backoff %v, want %v", got, want)
	}
}

// TestQueueIsBoundedAndHoldsATopicOnce: while the hub hangs, publishing
// never blocks; a topic queued again is not sent twice, and past the
// queue's size topics are dropped and counted. Close cancels the request
// in flight and leaves what was not sent for Pending.
func TestQueueIsBoundedAndHoldsATopicOnce(t *testing.T) {
	hub := newHub(t)
	hub.hold = make(chan struct{})
	res := newResults()
	n := start(t, Options{Hub: hub.URL, Observe: res.observe, QueueSize: 3})
	n.Publish(Topic{"a", "http://x/a"})
	hub.wait(t, 1) // a is in flight, and stays queued until answered
	n.Publish(Topic{"a", "http://x/a"}, Topic{"b", "http://x/b"}, Topic{"b", "http://x/b"}, Topic{"c", "http://x/c"}, Topic{"d", "http://x/d"})
	res.wait(t, ResultDropped)
	if got := res.list(); !slices.Equal(got, []string{ResultDropped}) {
		t.Errorf("results %q, want one drop (d)", got)
	}
	n.Close()
	if got := n.Pending(); !slices.Equal(got, []Topic{{"a", "http://x/a"}, {"b", "http://x/b"}, {"c", "http://x/c"}}) {
		t.Errorf("pending after Close: %v", got)
	}
}

// TestChangedIsDebounced: a burst of changes runs Check once, and its
// topics are sent.
func TestChangedIsDebounced(t *testing.T) {
	hub := newHub(t)
	res := newResults()
	checks := make(chan struct{}, 10)
	n := start(t, Options{Hub: hub.URL, Observe: res.observe, Debounce: 200 * time.Millisecond,
		Check: func(ctx context.Context) []Topic {
			checks <- struct{}{}
			return []Topic{{"all", "http://x/all.rss"}}
		}})
	for range 20 {
		n.Changed()
	}
	res.wait(t, ResultSuccess)
	if len(checks) != 1 {
		t.Errorf("Check ran %d times for one burst, want 1", len(checks))
	}
}

func TestCloseWithoutStart(t *testing.T) {
	n := New(Options{Hub: "http://127.0.0.1:1/"})
	n.Publish(Topic{"a", "http://x/a"})
	n.Close()
	n.Close()
	if len(n.Pending()) != 1 {
		t.Error("the queued topic was lost")
	}
}
