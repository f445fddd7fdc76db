package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/opml"
)

func TestImportOPML(t *testing.T) {
	ctx := context.Background()
	conf := editProject(t)
	before := mustRead(t, conf)
	file, err := filepath.Abs("testdata/opml/feedly.opml")
	if err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCmd(t, ctx, "--config", conf, "import-opml", "--dry-run", file)
	if code != exitOK || mustRead(t, conf) != before {
		t.Fatalf("dry run: exit %d, file changed: %v\n%s%s", code, mustRead(t, conf) != before, out, errOut)
	}
	wantOut := []string{
		"would add the-go-blog https://go.dev/blog/feed.atom [tech]",
		"would add rust-blog https://blog.rust-lang.org/feed.xml [tech]",
		"would add cafe-societe https://cafe.example/feed?a=1&b=2#top [news-politics, europe]",
		"would add untitled-example https://untitled.example/rss",
		`skipped line 10: http://www.first.example/feed.xml: already source "first"`,
		"skipped line 17: https://go.dev/blog/feed.atom/: same URL as line 9",
		"skipped line 19: ftp://notes.example/feed: not an http(s) URL",
		"would add 4 sources to " + conf + ", skipped 3",
	}
	if got := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); !slices.Equal(got, wantOut) {
		t.Errorf("dry run printed:\n%s\nwant:\n%s", out, strings.Join(wantOut, "\n"))
	}

	code, out, errOut = runCmd(t, ctx, "--config", conf, "import-opml", file)
	if code != exitOK || !strings.Contains(out, "added 4 sources") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	added := onlyInserted(t, before, mustRead(t, conf), "    tags: [misc]\n")
	want := "  - name: the-go-blog\n    url: https://go.dev/blog/feed.atom\n    tags: [tech]\n" +
		"  - name: rust-blog\n    url: https://blog.rust-lang.org/feed.xml\n    tags: [tech]\n" +
		"  - name: cafe-societe\n    url: \"https://cafe.example/feed?a=1&b=2#top\"\n    tags: [news-politics, europe]\n" +
		"  - name: untitled-example\n    url: https://untitled.example/rss\n"
	if added != want {
		t.Errorf("added:\n%s\nwant:\n%s", added, want)
	}
	cfg, err := config.Load(conf)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := cfg.Source("cafe-societe"); s.URL != "https://cafe.example/feed?a=1&b=2#top" {
		t.Errorf("URL reads back as %q", s.URL)
	}

	// Importing again adds nothing and writes nothing.
	after := mustRead(t, conf)
	code, out, _ = runCmd(t, ctx, "--config", conf, "import-opml", file)
	if code != exitOK || !strings.Contains(out, "added 0 sources") || mustRead(t, conf) != after {
		t.Errorf("second import: exit %d\n%s", code, out)
	}
}

func TestImportOPMLRefusesHostileFiles(t *testing.T) {
	conf := editProject(t)
	before := mustRead(t, conf)
	big := filepath.Join(t.TempDir(), "big.opml")
	writeFile(t, big, "<opml><body>"+strings.Repeat(`<outline text="f"/>`, opml.MaxOutlines+1)+"</body></opml>")
	for file, want := range map[string]string{
		"testdata/opml/bomb.opml": "DOCTYPE",
		big:                       "more than 20000 outlines",
		"testdata/opml/nope.opml": "no such file",
	} {
		code, _, errOut := runCmd(t, context.Background(), "--config", conf, "import-opml", file)
		if code != exitUsage || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, %q; want 2 and %q", file, code, errOut, want)
		}
	}
	if mustRead(t, conf) != before {
		t.Error("the file changed")
	}
}

// TestSourcesOPMLRoundTrip exports a configuration's sources as serve
// and build do, and imports them into a file without sources: the same
// URLs and tags come back; credentials and local files do not leave.
func TestSourcesOPMLRoundTrip(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "local.xml"), "<rss/>")
	src := filepath.Join(dir, "src.yaml")
	writeFile(t, src, `sources:
  - name: go
    url: https://go.dev/blog/feed.atom
    tags: [go, programming]
  - name: rust
    url: https://blog.rust-lang.org/feed.xml
    tags: [programming]
  - name: lwn
    url: https://lwn.net/headlines/rss
  - name: private
    url: https://reader:s3cret@private.example/feed
    tags: [go]
  - name: local
    url: local.xml
feeds:
  - name: all
`)
	cfg, err := config.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := opml.Write(&b, opml.SourcesDocument("x", time.Now(), opmlSources(cfg))); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "s3cret") || strings.Contains(b.String(), "local.xml") {
		t.Fatalf("the export shows a credential or a local file:\n%s", b.String())
	}
	exported := filepath.Join(dir, "sources.opml")
	writeFile(t, exported, b.String())

	dst := filepath.Join(dir, "dst.yaml")
	writeFile(t, dst, "sources: []\nfeeds:\n  - name: all\n")
	if code, out, errOut := runCmd(t, context.Background(), "--config", dst, "import-opml", exported); code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	got, err := config.Load(dst)
	if err != nil {
		t.Fatal(err)
	}
	var have []string
	for _, s := range got.Sources {
		have = append(have, s.Name+" "+s.URL+" "+strings.Join(s.Tags, ","))
	}
	want := []string{
		"go https://go.dev/blog/feed.atom go,programming",
		"private https://private.example/feed go",
		"rust https://blog.rust-lang.org/feed.xml programming",
		"lwn https://lwn.net/headlines/rss ",
	}
	if !slices.Equal(have, want) {
		t.Errorf("imported:\n%s\nwant:\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"))
	}
}

func TestBuildWritesSourcesOPML(t *testing.T) {
	ctx := context.Background()
	srv, _ := remote(t)
	conf := project(t, "127.0.0.1:0", srv.URL)
	runCmd(t, ctx, "--config", conf, "fetch")
	out := filepath.Join(t.TempDir(), "public")
	if code, _, errOut := runCmd(t, ctx, "--config", conf, "build", "--out", out); code != exitOK {
		t.Fatalf("build: exit %d: %s", code, errOut)
	}
	first := mustRead(t, filepath.Join(out, "sources.opml"))
	f, err := os.Open(filepath.Join(out, "sources.opml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	feeds, _, err := opml.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(feeds) != 2 || feeds[0].XMLURL != srv.URL+"/feed.atom" || !slices.Equal(feeds[0].Folders, []string{"tech"}) {
		t.Errorf("sources.opml lists %+v", feeds)
	}
	lists, _, err := opml.Read(strings.NewReader(mustRead(t, filepath.Join(out, "feeds.opml"))))
	if err != nil || len(lists) != 2 || lists[0].XMLURL != "http://127.0.0.1:0/feeds/all.atom" {
		t.Errorf("feeds.opml lists %+v (%v)", lists, err)
	}
	// Same configuration, same bytes: no date in the file.
	runCmd(t, ctx, "--config", conf, "build", "--out", out)
	if mustRead(t, filepath.Join(out, "sources.opml")) != first {
		t.Error("a second build changed sources.opml")
	}
}
