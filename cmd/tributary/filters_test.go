package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tributary/tributary/internal/xmlcheck"
)

// wrestlingFeed is an RSS feed of four stories, two about wrestling.
const wrestlingFeed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Sports and more</title><link>https://news.example/</link><description>d</description>
<item><title>WWE Raw recap</title><link>https://news.example/raw</link><guid>https://news.example/raw</guid><category>Sports</category><pubDate>%[1]s</pubDate></item>
<item><title>Summer Slam preview</title><link>https://news.example/slam</link><guid>https://news.example/slam</guid><pubDate>%[1]s</pubDate></item>
<item><title>Cooking with herbs</title><link>https://news.example/herbs</link><guid>https://news.example/herbs</guid><pubDate>%[1]s</pubDate></item>
<item><title>Audience awwed by puppies</title><link>https://news.example/puppies</link><guid>https://news.example/puppies</guid><pubDate>%[1]s</pubDate></item>
</channel></rss>`

// filterConfig is a configuration of one source, the feed "all" and the
// feed "clean" with the rules given (YAML lines, already indented).
func filterConfig(listen, url, sourceRules, cleanRules string) string {
	return fmt.Sprintf(`listen: %s
storage:
  dsn: data/test.db
schedule: "@every 1h"
fetch:
  allow_private_networks: true
sources:
  - name: news
    url: %s
%s
feeds:
  - name: all
  - name: clean
%s
`, listen, url, sourceRules, cleanRules)
}

// TestFilterChangeAppliesAtReloadWithoutFetching runs serve as its own
// process: a feed's exclude rules leave wrestling out of it, counted in
// /metrics and /status; a SIGHUP with other rules (the feed's include, the
// source's exclude) changes what it publishes without a request to the
// source, whose Cache-Control asks for none within the hour.
func TestFilterChangeAppliesAtReloadWithoutFetching(t *testing.T) {
	bin := tributaryBinary(t)
	var requests atomic.Int32
	body := fmt.Sprintf(wrestlingFeed, time.Now().UTC().Add(-time.Hour).Format(time.RFC1123Z))
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Cache-Control", "max-age=3600")
		io.WriteString(w, body)
	}))
	t.Cleanup(src.Close)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "config.yaml")
	addr := freeAddr(t)
	writeFile(t, conf, filterConfig(addr, src.URL+"/feed.rss", "", `    exclude: {title: [wwe, "re:summer ?slam"]}`))
	cmd, log := startServe(t, bin, conf)
	base := "http://" + addr

	// Once the source is stored, the feed "all" has every story.
	waitStatus(t, base+"/feeds/all.json", http.StatusOK, log)
	deadline := time.Now().Add(60 * time.Second)
	for len(feedTitles(t, base+"/feeds/all.json", false)) < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("the source was never stored; log:\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	checkClean(t, base, "Cooking with herbs", "Audience awwed by puppies") // the same date: by id
	checkMetrics(t, base,
		`tributary_feed_items_filtered{feed="clean",reason="exclude"} 2`,
		`tributary_feed_items_filtered{feed="clean",reason="include"} 0`,
		`tributary_feed_items_filtered{feed="all",reason="exclude"} 0`)
	if page := get(t, base+"/status"); !strings.Contains(page, "<tr><td>clean</td><td>2</td><td>0</td><td>2</td><td>0</td><td>0</td></tr>") {
		t.Errorf("/status does not show what clean left out:\n%s", page)
	}
	fetched := requests.Load()

	// Other rules, applied at reload: no fetch, and the feed changes.
	writeFile(t, conf, filterConfig(addr, src.URL+"/feed.rss", `    exclude: {title: [puppies]}`,
		`    include: {any: [cooking, awwed, "re:^wwe"]}`))
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(t, log, "configuration reloaded")
	checkClean(t, base, "Cooking with herbs", "WWE Raw recap")
	if got := feedTitles(t, base+"/feeds/all.json", false); len(got) != 3 {
		t.Errorf("after reload all = %v, want every story but the source's exclude", got)
	}
	checkMetrics(t, base,
		`tributary_feed_items_filtered{feed="clean",reason="exclude"} 1`,
		`tributary_feed_items_filtered{feed="clean",reason="include"} 1`,
		`tributary_feed_items_filtered{feed="all",reason="exclude"} 1`)
	if n := requests.Load(); n != fetched {
		t.Errorf("the source was requested %d times after the reload, want none", n-fetched)
	}

	// tributary status shows the same counts, from the store alone.
	cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, cmd, log); code != 0 {
		t.Fatalf("serve exited %d; log:\n%s", code, log)
	}
	code, out, errOut := runCmd(t, context.Background(), "--config", conf, "status")
	if code != 0 || !strings.Contains(out, "clean: 2 items; left out by include 1, exclude 1, max_age 0, per_source_limit 0") {
		t.Errorf("status = %d\n%s\n%s", code, out, errOut)
	}
}

// checkClean fails unless the feed "clean" of the daemon at base has the
// titles want, in order, in every format.
func checkClean(t *testing.T, base string, want ...string) {
	t.Helper()
	for _, format := range []string{"atom", "rss", "json"} {
		if got := feedTitles(t, base+"/feeds/clean."+format, format == "atom"); !slices.Equal(got, want) {
			t.Errorf("clean.%s = %v, want %v", format, got, want)
		}
	}
}

// checkMetrics fails unless the daemon at base serves each line in
// /metrics.
func checkMetrics(t *testing.T, base string, lines ...string) {
	t.Helper()
	metrics := get(t, base+"/metrics")
	for _, line := range lines {
		if !strings.Contains(metrics, line+"\n") {
			t.Errorf("/metrics lacks %s", line)
		}
	}
}

// get returns the body of a 200 answer to GET url.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d, %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// feedTitles returns the titles of the feed at url, parsed with gofeed,
// in order; an Atom feed is first checked against RFC 4287's schema.
func feedTitles(t *testing.T, url string, atom bool) []string {
	t.Helper()
	body := get(t, url)
	if atom {
		j, err := xmlcheck.AtomValidator(".")
		if err != nil {
			xmlcheck.RequireTool(t, "%v", err)
		}
		file := filepath.Join(t.TempDir(), "feed.atom")
		writeFile(t, file, body)
		probs, err := j.Validate(context.Background(), []string{file})
		if err != nil || len(probs[file]) > 0 {
			t.Errorf("%s is not valid Atom: %v %v", url, err, probs[file])
		}
	}
	f, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatalf("%s does not parse: %v", url, err)
	}
	var out []string
	for _, it := range f.Items {
		out = append(out, it.Title)
	}
	return out
}

// TestCheckPointsAtABadPattern: a bad regular expression is a check
// error at its own line, naming the field and the pattern.
func TestCheckPointsAtABadPattern(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	writeFile(t, bad, `sources:
  - name: a
    url: https://a.example/feed
feeds:
  - name: no-wrestling
    exclude:
      title:
        - wwe
        - "re:summer (slam"
`)
	code, _, errOut := runCmd(t, context.Background(), "--config", bad, "check")
	want := `bad.yaml:9: feeds[0].exclude.title[1]: pattern "re:summer (slam": invalid regular expression: missing closing )`
	if code != exitUsage || !strings.Contains(errOut, want) {
		t.Errorf("check = %d\n%s\nwant %d and %s", code, errOut, exitUsage, want)
	}
}
