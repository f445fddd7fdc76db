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

func TestReloadKeepsRunningConfigWhenTheNewOneIsInvalid(t *testing.T) {
	srv, _ := remote(t)
	addr := freeAddr(t)
	conf := project(t, addr, srv.URL)
	good, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"--config", conf, "serve"}, io.Discard, log) }()
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

	// A valid file with a new feed takes effect without a restart.
	writeFile(t, conf, string(good)+"  - name: extra\n    sources: [local]\n")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, base+"/feeds/extra.json", 200, log)
	waitStatus(t, base+"/feeds/all.atom", 200, log)

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit %d; log:\n%s", code, log.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop")
	}
}
