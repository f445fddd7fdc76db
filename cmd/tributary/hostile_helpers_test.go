package main

// Helpers of the hostile tests: the test configuration, running fetch and
// build, reading the outputs, and bounding memory.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

// hostileSource is one source of a test configuration.
type hostileSource struct {
	name, url string
	fulltext  bool
}

// writeHostileConfig writes a configuration with a short fetch timeout, the
// given sources and one feed of everything, and returns its path and its
// directory (which holds the SQLite store).
func writeHostileConfig(t *testing.T, listen, fetchExtra string, srcs []hostileSource) (conf, dir string) {
	t.Helper()
	dir = t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, `listen: %s
base_url: http://127.0.0.1:8080
title: Hostile
storage:
  dsn: test.db
schedule: "@every 1h"
fetch:
  timeout: %s
  connect_timeout: %s
  max_items_per_source: %d
%s
sources:
`, listen, hostileTimeout, hostileTimeout, maxItems, fetchExtra)
	for _, s := range srcs {
		fmt.Fprintf(&b, "  - name: %s\n    url: %q\n", s.name, s.url)
		if s.fulltext {
			b.WriteString("    fulltext: true\n")
		}
	}
	b.WriteString("feeds:\n  - name: all\n    title: Everything\n    limit: 10000\n")
	conf = filepath.Join(dir, "config.yaml")
	writeFile(t, conf, b.String())
	return conf, dir
}

// sourceLine returns the line of `tributary fetch` output about source.
func sourceLine(out, source string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, source+": ") {
			return l
		}
	}
	return ""
}

// buildAll runs `tributary build` and returns the combined feed in every
// format, raw and parsed.
func buildAll(t *testing.T, ctx context.Context, conf string) (map[string][]byte, map[string]*gofeed.Feed) {
	t.Helper()
	out := t.TempDir()
	if code, stdout, stderr := runCmd(t, ctx, "--config", conf, "build", "--out", out); code != exitOK {
		t.Fatalf("build exit %d: %s %s", code, stdout, stderr)
	}
	raw := map[string][]byte{}
	parsed := map[string]*gofeed.Feed{}
	for _, name := range []string{"all.rss", "all.atom", "all.json"} {
		b, err := os.ReadFile(filepath.Join(out, "feeds", name))
		if err != nil {
			t.Fatal(err)
		}
		f, err := gofeed.NewParser().ParseString(string(b))
		if err != nil {
			t.Fatalf("%s does not parse: %v", name, err)
		}
		raw[name], parsed[name] = b, f
	}
	return raw, parsed
}

// getFeeds fetches the combined feed from a running daemon in every format;
// parsed is nil until all three parse.
func getFeeds(addr string) (raw map[string][]byte, parsed map[string]*gofeed.Feed) {
	raw, parsed = map[string][]byte{}, map[string]*gofeed.Feed{}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, name := range []string{"all.rss", "all.atom", "all.json"} {
		resp, err := client.Get("http://" + addr + "/feeds/" + name)
		if err != nil {
			return nil, nil
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return nil, nil
		}
		f, err := gofeed.NewParser().ParseString(string(b))
		if err != nil {
			return nil, nil
		}
		raw[name], parsed[name] = b, f
	}
	return raw, parsed
}

func hasAllTitles(parsed map[string]*gofeed.Feed, titles []string) bool {
	for _, f := range parsed {
		have := map[string]bool{}
		for _, it := range f.Items {
			have[it.Title] = true
		}
		for _, w := range titles {
			if !have[w] {
				return false
			}
		}
	}
	return true
}

func assertHasTitles(t *testing.T, name string, f *gofeed.Feed, titles []string) {
	t.Helper()
	have := map[string]bool{}
	for _, it := range f.Items {
		have[it.Title] = true
	}
	for _, w := range titles {
		if !have[w] {
			t.Errorf("%s lacks the good story %q", name, w)
		}
	}
}

func checkMemory(t *testing.T) {
	t.Helper()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if m.HeapInuse > heapBound || m.Sys > sysBound {
		t.Errorf("memory not bounded: heap in use %d MiB (bound %d), sys %d MiB (bound %d)", m.HeapInuse>>20, heapBound>>20, m.Sys>>20, sysBound>>20)
	}
}

// sampleMemory samples the heap every 20ms until the test ends and returns
// a function reporting the peak heap in use and the process's Sys.
func sampleMemory(t *testing.T) func() (heap, sys uint64) {
	t.Helper()
	var (
		mu   sync.Mutex
		peak uint64
		stop = make(chan struct{})
		wg   sync.WaitGroup
	)
	read := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapInuse)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				read()
			}
		}
	}()
	var once sync.Once
	halt := func() { once.Do(func() { close(stop); wg.Wait() }) }
	t.Cleanup(halt)
	return func() (uint64, uint64) {
		halt()
		read()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		defer mu.Unlock()
		return peak, m.Sys
	}
}
