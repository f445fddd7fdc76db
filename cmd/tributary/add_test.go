package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tributary/tributary/internal/config"
)

// editProject writes a configuration with comments, a ${VAR} reference
// and a section after the sources, mode 0600, and returns its path.
func editProject(t *testing.T) string {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "config.yaml")
	body := `# My feeds.
title: ${EDIT_TITLE:-Edited}   # from the environment

sources:
  # the first one
  - name: first
    url: https://first.example/feed.xml
    tags: [misc]
  # - name: old
  #   url: https://old.example/

feeds:
  - name: all
`
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return conf
}

// feedSite serves /feed.atom (titled "Remote"), /other.atom (titled
// "Other Blog") advertised by the page /blog, and 404 elsewhere; it counts
// requests.
func feedSite(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/feed.atom", "/feed2.atom":
			w.Header().Set("Content-Type", "application/atom+xml")
			io.WriteString(w, atomFeed)
		case "/other.atom":
			w.Header().Set("Content-Type", "application/atom+xml")
			io.WriteString(w, strings.Replace(atomFeed, "<title>Remote</title>", "<title>Other Blog</title>", 1))
		case "/blog":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `<html><head><title>Blog</title><link rel="alternate" type="application/atom+xml" href="/other.atom"></head><body>hi</body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// mustRead returns the file's content.
func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// onlyInserted checks that after is before with lines inserted at one
// place (after the line ending with anchor) and returns them.
func onlyInserted(t *testing.T, before, after, anchor string) string {
	t.Helper()
	i := strings.Index(before, anchor)
	if i < 0 {
		t.Fatalf("anchor %q not in the file", anchor)
	}
	i += len(anchor)
	if !strings.HasPrefix(after, before[:i]) || !strings.HasSuffix(after, before[i:]) || len(after) < len(before) {
		t.Fatalf("the edit changed more than it added:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	return after[i : len(after)-len(before)+i]
}

func TestAdd(t *testing.T) {
	ctx := context.Background()
	srv, hits := feedSite(t)
	conf := editProject(t)
	anchor := "    tags: [misc]\n"

	before := mustRead(t, conf)
	code, out, errOut := runCmd(t, ctx, "--config", conf, "add", srv.URL+"/feed.atom", "--tags", "tech, go", "--fulltext")
	if code != exitOK {
		t.Fatalf("add: exit %d: %s %s", code, out, errOut)
	}
	added := onlyInserted(t, before, mustRead(t, conf), anchor)
	want := fmt.Sprintf("  - name: remote\n    url: %s/feed.atom\n    tags: [tech, go]\n    fulltext: true\n", srv.URL)
	if added != want {
		t.Errorf("added:\n%s\nwant:\n%s", added, want)
	}
	if !strings.Contains(out, `added source "remote"`) {
		t.Errorf("stdout %q", out)
	}
	if info, err := os.Stat(conf); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("mode after the edit: %v %v, want 0600", info.Mode(), err)
	}

	t.Run("same URL again is refused with the source's name", func(t *testing.T) {
		before := mustRead(t, conf)
		dup := strings.Replace(srv.URL, "http://", "HTTP://", 1) + "/feed.atom/?utm_source=x"
		code, _, errOut := runCmd(t, ctx, "--config", conf, "add", dup)
		if code != exitUsage || !strings.Contains(errOut, `is already source "remote"`) {
			t.Errorf("exit %d, %q", code, errOut)
		}
		if mustRead(t, conf) != before {
			t.Error("the file changed")
		}
	})

	t.Run("a page adds the feed it advertises, a taken name gets a suffix", func(t *testing.T) {
		before := mustRead(t, conf)
		code, out, errOut := runCmd(t, ctx, "--config", conf, "add", srv.URL+"/blog")
		if code != exitOK || !strings.Contains(out, "adding the feed it advertises: "+srv.URL+"/other.atom") {
			t.Fatalf("exit %d: %q %q", code, out, errOut)
		}
		code, _, errOut = runCmd(t, ctx, "--config", conf, "add", srv.URL+"/feed2.atom")
		if code != exitOK {
			t.Fatalf("exit %d: %q", code, errOut)
		}
		added := onlyInserted(t, before, mustRead(t, conf), "    fulltext: true\n")
		want := fmt.Sprintf("  - name: other-blog\n    url: %s/other.atom\n  - name: remote-2\n    url: %s/feed2.atom\n", srv.URL, srv.URL)
		if added != want {
			t.Errorf("added:\n%s\nwant:\n%s", added, want)
		}
	})

	t.Run("--no-fetch needs --name and fetches nothing; credentials are not shown", func(t *testing.T) {
		if code, _, errOut := runCmd(t, ctx, "--config", conf, "add", "--no-fetch", "https://x.example/feed"); code != exitUsage || !strings.Contains(errOut, "needs --name") {
			t.Errorf("exit %d, %q", code, errOut)
		}
		n := hits.Load()
		code, out, errOut := runCmd(t, ctx, "--config", conf, "add", "--no-fetch", "--name", "private", "https://reader:s3cret@private.example/feed#x: y")
		if code != exitOK || hits.Load() != n {
			t.Fatalf("exit %d (%d requests): %q %q", code, hits.Load()-n, out, errOut)
		}
		if strings.Contains(out+errOut, "s3cret") {
			t.Errorf("output shows the password: %q %q", out, errOut)
		}
		cfg, err := config.Load(conf)
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := cfg.Source("private"); s.URL != "https://reader:s3cret@private.example/feed#x: y" {
			t.Errorf("URL reads back as %q", s.URL)
		}
		if cfg.Title != "Edited" {
			t.Errorf("title %q: the ${VAR} reference was not kept", cfg.Title)
		}
	})

	t.Run("an invalid result leaves the file as it was", func(t *testing.T) {
		before := mustRead(t, conf)
		code, _, errOut := runCmd(t, ctx, "--config", conf, "add", "--no-fetch", "--name", "Not A Slug", "https://y.example/feed")
		if code != exitUsage || !strings.Contains(errOut, "nothing was written") || !strings.Contains(errOut, conf+":") || !strings.Contains(errOut, ".name") {
			t.Errorf("exit %d, %q", code, errOut)
		}
		code, _, errOut = runCmd(t, ctx, "--config", conf, "add", srv.URL+"/missing.xml")
		if code != exitFailed || !strings.Contains(errOut, "404") {
			t.Errorf("missing feed: exit %d, %q", code, errOut)
		}
		if mustRead(t, conf) != before {
			t.Error("the file changed")
		}
		entries, _ := os.ReadDir(filepath.Dir(conf))
		if len(entries) != 1 {
			t.Errorf("files beside the config: %v", entries)
		}
	})
}

// TestAddToAFileWithoutSources adds the first source of a file that lists
// none, which is invalid until then.
func TestAddToAFileWithoutSources(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, conf, "title: New\nsources: []\nfeeds:\n  - name: all\n")
	code, _, errOut := runCmd(t, context.Background(), "--config", conf, "add", "--no-fetch", "--name", "a", "https://a.example/feed")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got, want := mustRead(t, conf), "title: New\nsources:\n  - name: a\n    url: https://a.example/feed\nfeeds:\n  - name: all\n"; got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// Any other problem is reported, not edited around.
	writeFile(t, conf, "title: New\nsources: []\nfeeds:\n  - name: all\n    limit: 0\n")
	if code, _, errOut := runCmd(t, context.Background(), "--config", conf, "add", "--no-fetch", "--name", "a", "https://a.example/feed"); code != exitUsage || !strings.Contains(errOut, ":5: feeds[0].limit") {
		t.Errorf("exit %d, %q", code, errOut)
	}
}
