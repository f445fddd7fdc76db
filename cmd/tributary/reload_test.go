package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the daemon's logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitStatus polls url until it answers want, or fails the test.
func waitStatus(t *testing.T, url string, want int, log *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	last := 0
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if last = resp.StatusCode; last == want {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered %d (last %d); log:\n%s", url, want, last, log.String())
}

// daemonRun is `serve` running in this process (SIGHUP reaches it).
type daemonRun struct {
	log    *syncBuffer
	done   chan int
	cancel context.CancelFunc
}

// serveInProcess runs `tributary --config conf serve` in this process until
// stopAndWait; the test fails if it is still running at the end.
func serveInProcess(t *testing.T, conf string) *daemonRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &daemonRun{log: &syncBuffer{}, done: make(chan int, 1), cancel: cancel}
	go func() { d.done <- run(ctx, []string{"--config", conf, "serve"}, io.Discard, d.log) }()
	t.Cleanup(cancel)
	return d
}

// stopAndWait cancels serve and fails unless it exits 0 within a minute.
func (d *daemonRun) stopAndWait(t *testing.T) {
	t.Helper()
	d.cancel()
	select {
	case code := <-d.done:
		if code != exitOK {
			t.Fatalf("exit %d; log:\n%s", code, d.log.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestReloadKeepsRunningConfigWhenTheNewOneIsInvalid(t *testing.T) {
	srv, _ := remote(t)
	addr := freeAddr(t)
	conf := project(t, addr, srv.URL)
	good, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	d := serveInProcess(t, conf)
	log := d.log
	base := "http://" + addr
	waitStatus(t, base+"/feeds/all.atom", 200, log)

	// A broken file is refused; the running configuration keeps serving.
	writeFile(t, conf, strings.Replace(string(good), "schedule: \"@every 1h\"", "schedule: \"every now and then\"", 1))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), "reload refused") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(log.String(), "reload refused") || !strings.Contains(log.String(), "config.yaml:6") {
		t.Fatalf("invalid reload not reported with its line:\n%s", log.String())
	}
	waitStatus(t, base+"/feeds/all.atom", 200, log)

	// So is a file whose only problem is an unset variable: the new feed
	// must not appear with an empty value in its place.
	writeFile(t, conf, string(good)+"  - name: extra\n    sources: [local]\n    description: ${TRIB_RELOAD_UNSET}\n")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), "TRIB_RELOAD_UNSET") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Count(log.String(), "reload refused") != 2 || !strings.Contains(log.String(), "${TRIB_RELOAD_UNSET} is not set") {
		t.Fatalf("reload with an unset variable not refused:\n%s", log.String())
	}
	waitStatus(t, base+"/feeds/extra.json", 404, log)

	// A valid file with a new feed takes effect without a restart.
	writeFile(t, conf, string(good)+"  - name: extra\n    sources: [local]\n")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, base+"/feeds/extra.json", 200, log)
	waitStatus(t, base+"/feeds/all.atom", 200, log)
	d.stopAndWait(t)
}

func TestReloadWithAnotherListenKeepsTheFeedURLs(t *testing.T) {
	// listen changes need a restart; until then, a base_url left to its
	// default must keep naming the address that is actually served, or
	// every feed's id and self link would change.
	srv, _ := remote(t)
	addr := freeAddr(t)
	conf := project(t, addr, srv.URL)
	orig, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	noBase := strings.Replace(string(orig), "base_url: http://"+addr+"\n", "", 1)
	if noBase == string(orig) {
		t.Fatal("the test configuration has no base_url line to remove")
	}
	writeFile(t, conf, noBase)
	d := serveInProcess(t, conf)
	log := d.log
	feed := "http://" + addr + "/feeds/all.atom"
	waitStatus(t, feed, 200, log)
	self := `<link href="http://` + addr + `/feeds/all.atom" rel="self"`
	body := func() string {
		resp, err := http.Get(feed)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if b := body(); !strings.Contains(b, self) {
		t.Fatalf("before the reload, no self link %s in:\n%s", self, b)
	}

	other := freeAddr(t)
	writeFile(t, conf, strings.Replace(noBase, "listen: "+addr, "listen: "+other, 1)+"  - name: extra\n    sources: [local]\n")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, "http://"+addr+"/feeds/extra.json", 200, log) // the reload took effect
	if b := body(); !strings.Contains(b, self) || strings.Contains(b, other) {
		t.Fatalf("after the reload, the feed names another address:\n%s", b)
	}
	d.stopAndWait(t)
}
