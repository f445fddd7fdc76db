package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store/sqlite"
)

// TestCheckWarns runs check on a valid file with one of each warning:
// each is a `warning:` line on stderr with its file and line, and check
// still exits 0; a clean file gets none.
func TestCheckWarns(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, conf, `listen: 0.0.0.0:8080
schedule: "@every 1m"
sources:
  - name: a
    url: https://news.example.org/feed
  - name: b
    url: https://NEWS.example.org/feed/
feeds:
  - name: all
`)
	code, out, errOut := runCmd(t, context.Background(), "--config", conf, "check")
	if code != exitOK {
		t.Fatalf("exit %d, want 0 with warnings only:\n%s", code, errOut)
	}
	want := []string{
		"warning: " + conf + `:1: listen: "0.0.0.0:8080" listens on every interface but base_url is not set`,
		"warning: " + conf + `:5: sources[0].url: sources a, b fetch news.example.org up to 120 times an hour together`,
		"warning: " + conf + `:7: sources[1].url: same URL as source "a" (sources[0] on line 4)`,
	}
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("stderr has %d lines, want %d:\n%s", len(lines), len(want), errOut)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %q\nwant it to start with %q", i+1, lines[i], w)
		}
	}
	if out != conf+": ok (2 sources, 1 feeds), 3 warnings\n" {
		t.Errorf("stdout %q", out)
	}

	writeFile(t, conf, `listen: 0.0.0.0:8080
base_url: https://feeds.example.org
sources:
  - name: a
    url: https://news.example.org/feed
feeds:
  - name: all
`)
	if code, out, errOut := runCmd(t, context.Background(), "--config", conf, "check"); code != exitOK || errOut != "" || out != conf+": ok (1 sources, 1 feeds)\n" {
		t.Errorf("clean file: exit %d, %q %q", code, out, errOut)
	}
}

// TestCheckWarnsOfPublicPprof warns when metrics.pprof is on and
// metrics.allow admits public networks, naming the entry; private
// networks, or the same list without pprof, say nothing.
func TestCheckWarnsOfPublicPprof(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "config.yaml")
	body := `sources:
  - name: a
    url: https://news.example.org/feed
feeds:
  - name: all
metrics:
  pprof: %s
  allow: [10.0.0.0/8, %s]
`
	for _, tc := range []struct {
		pprof, network string
		warn           bool
	}{
		{"true", "0.0.0.0/0", true},
		{"true", `"2001:db8::/32"`, true},
		{"true", "192.168.0.0/16", false},
		{"false", "0.0.0.0/0", false},
	} {
		writeFile(t, conf, fmt.Sprintf(body, tc.pprof, tc.network))
		code, out, errOut := runCmd(t, context.Background(), "--config", conf, "check")
		if code != exitOK {
			t.Fatalf("pprof %s, allow %s: exit %d, want 0:\n%s", tc.pprof, tc.network, code, errOut)
		}
		want := "warning: " + conf + `:8: metrics.allow[1]: metrics.pprof is on and ` + strings.Trim(tc.network, `"`) + ` holds addresses outside loopback, private and link-local networks`
		if tc.warn && (!strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 || !strings.HasSuffix(out, ", 1 warning\n")) {
			t.Errorf("pprof %s, allow %s: stderr %q, stdout %q\nwant one warning starting %q", tc.pprof, tc.network, errOut, out, want)
		}
		if !tc.warn && (errOut != "" || !strings.HasSuffix(out, "ok (1 sources, 1 feeds)\n")) {
			t.Errorf("pprof %s, allow %s: stderr %q, stdout %q, want no warning", tc.pprof, tc.network, errOut, out)
		}
	}
}

// TestCheckStore runs check --store on a sound store, then on the same
// store with a page overwritten: the full integrity check finds the
// damage, which an open after a clean close does not look for.
func TestCheckStore(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "tributary.db")
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, conf, "storage:\n  dsn: "+dbPath+"\nsources:\n  - name: a\n    url: https://news.example.org/feed\nfeeds:\n  - name: all\n")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	var arts []feeds.Article
	for i := range 300 {
		arts = append(arts, feeds.Article{Source: "a", ID: fmt.Sprintf("urn:%d", i), Title: "Story",
			Content: strings.Repeat(fmt.Sprintf("<p>Story %d.</p>", i), 100)})
	}
	if _, err := db.UpsertArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCmd(t, ctx, "--config", conf, "check", "--store")
	if code != exitOK || !strings.Contains(out, dbPath+": ok (integrity_check)") {
		t.Fatalf("check --store on a sound store: exit %d\n%s%s", code, out, errOut)
	}

	overwriteTableRoot(t, dbPath, "articles")
	// A clean close was the last thing done to the file: open looks no
	// further than the schema and succeeds.
	db, err = sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatalf("open after a clean close reads the whole file: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCmd(t, ctx, "--config", conf, "check", "--store")
	if code != exitFailed || !strings.Contains(errOut, "the database is corrupt") || !strings.Contains(errOut, dbPath) {
		t.Errorf("check --store on a damaged store: exit %d, want 1 naming the file and the corruption\n%s%s", code, out, errOut)
	}
}

// overwriteTableRoot overwrites the root page of table in the SQLite
// file at path (closed cleanly, so its WAL is empty) with garbage.
func overwriteTableRoot(t *testing.T, path, table string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var root, pageSize int64
	err = raw.QueryRow(`SELECT rootpage FROM sqlite_schema WHERE name = ?`, table).Scan(&root)
	if err == nil {
		err = raw.QueryRow(`PRAGMA page_size`).Scan(&pageSize)
	}
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xa5}, int(pageSize)), (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
}
