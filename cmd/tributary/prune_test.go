package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/sqlite"
)

// rssFile is an RSS document listing items "<prefix>-1" to "<prefix>-n",
// dated one day apart from date down.
func rssFile(prefix string, n int, date time.Time) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://example.com/</link>`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `<item><title>Story %[1]s-%[2]d</title><link>https://example.com/%[1]s/%[2]d</link><guid>%[1]s-%[2]d</guid><pubDate>%[3]s</pubDate></item>`,
			prefix, i, date.Add(-time.Duration(i)*24*time.Hour).Format(time.RFC1123Z))
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// pruneProject writes a configuration of the given sources (name: file)
// and their retention lines, and returns its path.
func pruneProject(t *testing.T, dir, extra string, names ...string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "storage:\n  dsn: store.db\n%s\nsources:\n", extra)
	for _, n := range names {
		fmt.Fprintf(&b, "  - name: %s\n    url: %s.xml\n", n, n)
	}
	b.WriteString("feeds:\n  - name: all\n")
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, conf, b.String())
	return conf
}

// tributary runs the binary and returns its exit code and output.
func tributary(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, string(out)
}

// storedCount opens the SQLite file after the process ended and counts the
// articles of source.
func storedCount(t *testing.T, path, source string) int {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.CountArticles(context.Background(), source)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func wantLine(t *testing.T, out, pattern string) {
	t.Helper()
	if !regexp.MustCompile(`(?m)^` + pattern + `$`).MatchString(out) {
		t.Fatalf("output has no line matching %q:\n%s", pattern, out)
	}
}

// TestPruneCommand runs `tributary prune` as a process on a real SQLite
// file: what the feed still lists stays, what it dropped goes by age,
// an orphan waits for retention.orphans or --orphans, and --source deletes
// only with --yes.
func TestPruneCommand(t *testing.T) {
	bin := tributaryBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "store.db")
	old := time.Now().AddDate(-1, 0, 0)
	writeFile(t, filepath.Join(dir, "news.xml"), rssFile("old", 4, old))
	writeFile(t, filepath.Join(dir, "gone.xml"), rssFile("gone", 2, time.Now()))
	conf := pruneProject(t, dir, "retention: {max_age: 90d, max_items: 1000}", "news", "gone")
	if code, out := tributary(t, bin, "--config", conf, "fetch"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s", code, out)
	}
	// Year-old stories the feed still lists are kept.
	code, out := tributary(t, bin, "--config", conf, "prune")
	if code != 0 {
		t.Fatalf("prune: exit %d\n%s", code, out)
	}
	wantLine(t, out, `news: nothing to delete`)
	if n := storedCount(t, db, "news"); n != 4 {
		t.Fatalf("stored %d news articles after the first prune, want 4", n)
	}
	// The feed moves on: the year-old stories go by age. "gone" leaves
	// the configuration: an orphan, kept for retention.orphans (30d).
	writeFile(t, filepath.Join(dir, "news.xml"), rssFile("new", 2, time.Now()))
	if code, out := tributary(t, bin, "--config", conf, "fetch"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s", code, out)
	}
	conf = pruneProject(t, dir, "retention: {max_age: 90d, max_items: 1000}", "news")
	code, out = tributary(t, bin, "--config", conf, "prune")
	if code != 0 {
		t.Fatalf("prune: exit %d\n%s", code, out)
	}
	wantLine(t, out, `news: deleted 4 \(4 by age, 0 by count\)`)
	wantLine(t, out, `gone: not in the configuration: kept until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(retention.orphans 720h0m0s; prune --orphans deletes it now\)`)
	wantLine(t, out, `prune: deleted 4 articles \(4 by age, 0 by count, 0 of 0 orphaned sources\) in \d+ms; store size [0-9.]+ [KM]iB`)
	if n := storedCount(t, db, "news"); n != 2 {
		t.Fatalf("stored %d news articles, want the 2 listed", n)
	}
	code, out = tributary(t, bin, "--config", conf, "prune", "--orphans")
	if code != 0 {
		t.Fatalf("prune --orphans: exit %d\n%s", code, out)
	}
	wantLine(t, out, `gone: not in the configuration: deleted 2 articles and its saved state`)
	if n := storedCount(t, db, "gone"); n != 0 {
		t.Fatalf("stored %d articles of the orphan, want 0", n)
	}
	// --source without --yes deletes nothing and says so.
	code, out = tributary(t, bin, "--config", conf, "prune", "--source", "news")
	if code != 0 {
		t.Fatalf("prune --source: exit %d\n%s", code, out)
	}
	wantLine(t, out, `news: would delete 2 stored articles and the source's saved state \(nothing deleted: add --yes to delete\)`)
	if n := storedCount(t, db, "news"); n != 2 {
		t.Fatalf("prune --source without --yes left %d articles, want 2", n)
	}
	code, out = tributary(t, bin, "--config", conf, "prune", "--source", "news", "--yes")
	if code != 0 {
		t.Fatalf("prune --source --yes: exit %d\n%s", code, out)
	}
	wantLine(t, out, `news: deleted 2 articles and the source's saved state`)
	if n := storedCount(t, db, "news"); n != 0 {
		t.Fatalf("prune --source --yes left %d articles", n)
	}
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rr, err := st.LastRetention(context.Background())
	if err != nil || rr.At.IsZero() || rr.Deleted != 2 || rr.Orphans != 1 {
		t.Fatalf("last retention run = %+v, %v; want the --orphans run", rr, err)
	}
	// tributary status shows that run, not "never".
	code, out = tributary(t, bin, "--config", conf, "status")
	if code != 0 {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
	wantLine(t, out, "retention last ran: "+rr.At.UTC().Format(time.RFC3339))
}

func TestPruneUsage(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.xml"), rssFile("a", 1, time.Now()))
	conf := pruneProject(t, dir, "", "a")
	for _, args := range [][]string{
		{"prune", "--source", "a", "--orphans"},
		{"prune", "--yes"},
		{"prune", "a"},
	} {
		code, _, stderr := runCmd(t, context.Background(), append([]string{"--config", conf}, args...)...)
		if code != exitUsage || stderr == "" {
			t.Errorf("%q: exit %d, stderr %q; want a usage error", args, code, stderr)
		}
	}
}

// TestServeRunsRetentionOnItsSchedule: serve cleans up on
// retention.schedule, not only at start, and reports it in its log and
// /metrics; an orphan past retention.orphans is deleted.
func TestServeRunsRetentionOnItsSchedule(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.xml"), rssFile("a", 2, time.Now()))
	writeFile(t, filepath.Join(dir, "gone.xml"), rssFile("gone", 3, time.Now()))
	conf := pruneProject(t, dir, "", "a", "gone")
	if code, out, errOut := runCmd(t, context.Background(), "--config", conf, "fetch"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s%s", code, out, errOut)
	}
	addr := freeAddr(t)
	conf = pruneProject(t, dir, fmt.Sprintf("listen: %s\nretention: {schedule: \"@every 1s\", orphans: 1s}", addr), "a")
	d := serveInProcess(t, conf)
	defer d.stopAndWait(t)
	deadline := time.Now().Add(60 * time.Second)
	for strings.Count(d.log.String(), `msg="retention cleanup"`) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("fewer than 3 cleanups in 60 s:\n%s", d.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(d.log.String(), "deleted_orphan=3 orphan_sources=1") {
		t.Fatalf("no cleanup deleted the orphan:\n%s", d.log.String())
	}
	body := getBody(t, "http://"+addr+"/metrics")
	for _, want := range []string{
		`tributary_retention_deleted_total{reason="orphan"} 3`,
		`tributary_retention_deleted_total{reason="age"} 0`,
		"tributary_store_size_bytes ",
		"tributary_retention_last_run_timestamp_seconds ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "tributary_store_size_bytes 0\n") {
		t.Error("store size is 0")
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if arts, err := st.Articles(context.Background(), store.Query{}); err != nil || len(arts) != 2 {
		t.Fatalf("stored %d articles (%v), want the 2 of a", len(arts), err)
	}
}
