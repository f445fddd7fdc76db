package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/store/postgres/pgtest"
)

// replicaSources serves one RSS document per source and records every
// request: which source, when, and from which replica (its User-Agent).
// Once armed, the first request for "hang" is held until its client goes
// away.
type replicaSources struct {
	*httptest.Server
	mu      sync.Mutex
	hits    map[string][]replicaHit
	armed   bool
	hanging chan string // the replica whose request for "hang" is held
}

type replicaHit struct {
	at      time.Time
	replica string
}

func newReplicaSources(t *testing.T) *replicaSources {
	t.Helper()
	s := &replicaSources{hits: map[string][]replicaHit{}, hanging: make(chan string, 1)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		s.mu.Lock()
		s.hits[name] = append(s.hits[name], replicaHit{time.Now(), r.UserAgent()})
		hang := name == "hang" && s.armed
		if hang {
			s.armed = false
		}
		s.mu.Unlock()
		if name == "later" {
			// Busy for an hour: no replica may ask again within the test.
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		if hang {
			s.hanging <- r.UserAgent()
			<-r.Context().Done() // the replica was killed
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>%[1]s</title><link>https://example.com/%[1]s</link>
<item><title>%[1]s one</title><link>https://example.com/%[1]s/1</link><guid>%[1]s-1</guid><pubDate>Mon, 02 Jan 2006 15:04:05 GMT</pubDate><description>First of %[1]s.</description></item>
<item><title>%[1]s two</title><link>https://example.com/%[1]s/2</link><guid>%[1]s-2</guid><pubDate>Tue, 03 Jan 2006 15:04:05 GMT</pubDate><description>Second of %[1]s.</description></item>
</channel></rss>`, name)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *replicaSources) arm() {
	s.mu.Lock()
	s.armed = true
	s.mu.Unlock()
}

func (s *replicaSources) snapshot() map[string][]replicaHit {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]replicaHit{}
	for k, v := range s.hits {
		out[k] = append([]replicaHit(nil), v...)
	}
	return out
}

// Three `serve` processes on one PostgreSQL schema: every source is
// fetched once per due time (never twice within the interval, start-up
// included), a replica killed mid-fetch loses its source to another after
// the lease bound, and all replicas serve the same bytes and ETags.
func TestReplicasFetchEachSourceOncePerDueTime(t *testing.T) {
	dsn := pgtest.Schema(t) // skips without a server (fails under CI=true)
	bin := tributaryBinary(t)
	src := newReplicaSources(t)
	const (
		every   = time.Minute     // the shortest @every a configuration may have
		timeout = 3 * time.Second // lease: leaseFactor x timeout = 9s
		lease   = leaseFactor * timeout
	)
	names := []string{"s0", "s1", "s2", "s3", "s4", "s5", "hang"}
	var srcConf strings.Builder
	for _, n := range append(names, "later") {
		fmt.Fprintf(&srcConf, "  - name: %s\n    url: %s/%s\n", n, src.URL, n)
	}
	type replica struct {
		addr string
		log  *syncBuffer
		kill func()
	}
	replicas := map[string]*replica{}
	for i := range 3 {
		ua := fmt.Sprintf("replica-%d", i)
		addr := freeAddr(t)
		conf := filepath.Join(t.TempDir(), "config.yaml")
		writeFile(t, conf, fmt.Sprintf(`listen: %s
base_url: http://feeds.example
storage:
  driver: postgres
  dsn: %q
schedule: "@every 1m"
fetch:
  workers: 2
  timeout: %s
  user_agent: %s
sources:
%sfeeds:
  - name: all
    title: Everything
`, addr, dsn, timeout, ua, srcConf.String()))
		cmd, log := startServe(t, bin, conf)
		replicas[ua] = &replica{addr: addr, log: log, kill: func() { cmd.Process.Signal(syscall.SIGKILL); cmd.Wait() }}
	}
	for _, r := range replicas {
		waitHTTP(t, "http://"+r.addr+"/healthz", r.log)
	}

	// Every replica serves the same bytes and ETag once the sources are in.
	time.Sleep(5 * time.Second)
	for _, format := range []string{"rss", "atom", "json"} {
		var first []byte
		var firstTag, firstUA string
		for ua, r := range replicas {
			body, tag := getFeed(t, "http://"+r.addr+"/feeds/all."+format)
			if !bytes.Contains(body, []byte("s5 two")) {
				t.Fatalf("%s all.%s lacks source s5 after 5s:\n%s", ua, format, body)
			}
			if first == nil {
				first, firstTag, firstUA = body, tag, ua
				continue
			}
			if !bytes.Equal(body, first) || tag != firstTag {
				t.Errorf("all.%s: %s serves ETag %s and\n%s\n%s serves ETag %s and\n%s", format, firstUA, firstTag, first, ua, tag, body)
			}
		}
	}

	// The next request for "hang" is held; its replica is killed mid-fetch.
	src.arm()
	var killedUA string
	var killedAt time.Time
	select {
	case killedUA = <-src.hanging:
		killedAt = time.Now()
		replicas[killedUA].kill()
	case <-time.After(every + 10*time.Second):
		t.Fatal("source hang was not fetched again within its interval")
	}
	deadline := killedAt.Add(lease + 2*schedulePoll + 5*time.Second)
	for time.Now().Before(deadline) {
		if h := src.snapshot()["hang"]; h[len(h)-1].replica != killedUA {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The other sources came due with hang: let their runs end.
	time.Sleep(3 * time.Second)
	hits := src.snapshot()

	h := hits["hang"]
	var took *replicaHit
	for i := range h {
		if h[i].at.After(killedAt) {
			took = &h[i]
			break
		}
	}
	if took == nil {
		t.Fatalf("source hang was not fetched again after its replica was killed (lease %s): %v", lease, h)
	}
	if took.replica == killedUA {
		t.Fatalf("hang fetched again by the killed replica %s", killedUA)
	}
	if wait := took.at.Sub(killedAt); wait > lease+2*schedulePoll+time.Second {
		t.Errorf("hang taken over %s after the kill, want within the lease %s plus a poll", wait, lease)
	}
	t.Logf("hang: held by %s, taken by %s %s after the kill", killedUA, took.replica, took.at.Sub(killedAt).Round(100*time.Millisecond))

	// Retry-After is honoured across replicas: "later" answered 503 with
	// an hour's Retry-After at start; it came due again after a minute,
	// and whichever replica claimed it deferred the run (the backoff of
	// one failure alone, 48-72 s, would let it run about half the time).
	if h := hits["later"]; len(h) != 1 {
		t.Errorf("later (503, Retry-After: 3600) fetched %d times, want once: %v", len(h), h)
	}

	// Never twice for one due time: consecutive fetches of a source are at
	// least its interval apart, except a lease taken over from a dead
	// replica, which is at least the lease apart; a duplicate fetch would
	// be milliseconds apart.
	for _, n := range names {
		hs := hits[n]
		if len(hs) < 2 {
			t.Errorf("%s fetched %d times, want at least 2 (start and one interval)", n, len(hs))
		}
		for i := 1; i < len(hs); i++ {
			if gap := hs[i].at.Sub(hs[i-1].at); gap < lease-time.Second {
				t.Errorf("%s fetched twice %s apart (by %s then %s): want one fetch per due time", n, gap, hs[i-1].replica, hs[i].replica)
			}
		}
		var by []string
		for _, x := range hs {
			by = append(by, fmt.Sprintf("%s@%s", x.replica, x.at.Format("15:04:05.0")))
		}
		t.Logf("%s: %s", n, strings.Join(by, " "))
	}
}

// schedulePoll mirrors schedule.DefaultPoll for the bounds above.
const schedulePoll = 2 * time.Second

// getFeed returns a feed's body and ETag, failing on any other status than 200.
func getFeed(t *testing.T, url string) ([]byte, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
	return body, resp.Header.Get("ETag")
}

// waitHTTP waits until url answers 200.
func waitHTTP(t *testing.T, url string, log *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not answer 200 in 30s; log:\n%s", url, log)
}
