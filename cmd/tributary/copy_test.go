package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tributary/tributary/internal/store/postgres/pgtest"
)

// shippedOffline copies the shipped config.yaml and examples/ into a
// temporary directory, with the remote sources served by an httptest
// server from the repository's fixtures (go-blog an Atom feed, rust-blog
// an RSS feed with podcast details, lwn failing, so that it backs off)
// and private addresses allowed for it. It returns the config's path.
func shippedOffline(t *testing.T) string {
	t.Helper()
	conf := shippedCopy(t)
	fixture := func(name, ctype string) http.HandlerFunc {
		body, err := os.ReadFile(filepath.Join("../../sources/testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("If-None-Match") == `"`+name+`"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"`+name+`"`)
			w.Header().Set("Last-Modified", "Tue, 05 Mar 2024 15:00:00 GMT")
			w.Header().Set("Content-Type", ctype)
			w.Write(body)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/blog/feed.atom", fixture("atom10.xml", "application/atom+xml"))
	mux.Handle("/feed.xml", fixture("rss2.xml", "application/rss+xml"))
	mux.HandleFunc("/headlines/rss", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer(
		"https://go.dev/blog/feed.atom", srv.URL+"/blog/feed.atom",
		"https://blog.rust-lang.org/feed.xml", srv.URL+"/feed.xml",
		"https://lwn.net/headlines/rss", srv.URL+"/headlines/rss",
		"\nsources:\n", "\nfetch:\n  allow_private_networks: true\n\nsources:\n",
	).Replace(string(b))
	if strings.Contains(text, "https://go.dev") || !strings.Contains(text, "allow_private_networks") {
		t.Fatalf("the shipped config.yaml changed: rewrite its sources here\n%s", text)
	}
	writeFile(t, conf, text)
	return conf
}

// withStore writes a copy of the config at conf using the given store and
// returns its path.
func withStore(t *testing.T, conf, driver, dsn string) string {
	t.Helper()
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer(
		"driver: sqlite", "driver: "+driver,
		"${TRIBUTARY_DB:-tributary.db}", fmt.Sprintf("%q", dsn),
	).Replace(string(b))
	path := filepath.Join(filepath.Dir(conf), driver+"-"+filepath.Base(t.TempDir())+".yaml")
	writeFile(t, path, text)
	return path
}

// buildSite builds the site of conf into a new directory and returns its
// files by path.
func buildSite(t *testing.T, ctx context.Context, conf string) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	if code, out, errOut := runCmd(t, ctx, "--config", conf, "build", "--out", dir); code != exitOK {
		t.Fatalf("build %s: exit %d\n%s%s", conf, code, out, errOut)
	}
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[rel], err = os.ReadFile(path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameSite fails unless the two builds hold the same files, byte for byte.
func sameSite(t *testing.T, what string, want, got map[string][]byte) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: %s missing", what, name)
		case !bytes.Equal(w, g):
			t.Errorf("%s: %s differs:\n--- from the original store\n%s\n--- from the copy\n%s", what, name, w, g)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: %s only in the copy's build", what, name)
		}
	}
}

func copyCmd(t *testing.T, ctx context.Context, from, to string) string {
	t.Helper()
	code, out, errOut := runCmd(t, ctx, "copy", "--from", from, "--to", to)
	if code != exitOK {
		t.Fatalf("copy: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "\nverify: ok: ") {
		t.Fatalf("copy printed no verification:\n%s", out)
	}
	return out
}

// TestCopyRoundTripsShippedExample fetches the shipped example's sources
// (offline: see shippedOffline) into SQLite, copies the store to
// PostgreSQL and from there to a new SQLite file, and builds the site from
// each: the three builds are the same bytes. Copying again writes nothing
// and changes no build.
func TestCopyRoundTripsShippedExample(t *testing.T) {
	ctx := context.Background()
	pg := pgtest.Schema(t)
	conf := shippedOffline(t)
	dir := t.TempDir()
	first, back := filepath.Join(dir, "first.db"), filepath.Join(dir, "back.db")
	t.Setenv("TRIBUTARY_DB", first)
	code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch")
	for _, want := range []string{"sample: new (3 new", "go-blog: new", "rust-blog: new", "lwn: failed"} {
		if !strings.Contains(out, want) {
			t.Fatalf("fetch: exit %d, output lacks %q:\n%s%s", code, want, out, errOut)
		}
	}
	if code, out, errOut := runCmd(t, ctx, "--config", conf, "prune"); code != exitOK {
		t.Fatalf("prune: exit %d\n%s%s", code, out, errOut)
	}
	// A second fetch answers 304 where it can, leaving validators in the
	// states and lwn a second failure.
	runCmd(t, ctx, "--config", conf, "fetch")

	out = copyCmd(t, ctx, "sqlite:"+first, "postgres:"+pg)
	for _, want := range []string{"articles: ", "source states: 4 read, 4 written", "last cleanup run: written"} {
		if !strings.Contains(out, want) {
			t.Errorf("copy to postgres: output lacks %q:\n%s", want, out)
		}
	}
	copyCmd(t, ctx, "postgres:"+pg, "sqlite:"+back)

	want := buildSite(t, ctx, conf)
	if len(want) < 5 || want[filepath.Join("feeds", "all.atom")] == nil {
		t.Fatalf("build of the original store wrote %d files, no feeds/all.atom", len(want))
	}
	if atom := string(want[filepath.Join("feeds", "all.atom")]); !strings.Contains(atom, "Storm") || !strings.Contains(atom, "Prior to the backtracking") {
		t.Fatalf("the original's all.atom lacks the fixtures' stories or the sample's full text:\n%s", atom)
	}
	pgConf, backConf := withStore(t, conf, "postgres", pg), withStore(t, conf, "sqlite", back)
	sameSite(t, "postgres", want, buildSite(t, ctx, pgConf))
	sameSite(t, "back to sqlite", want, buildSite(t, ctx, backConf))

	// Rerunning writes nothing, either way, and the builds stay the same.
	for _, pair := range [][2]string{{"sqlite:" + first, "postgres:" + pg}, {"postgres:" + pg, "sqlite:" + back}} {
		out := copyCmd(t, ctx, pair[0], pair[1])
		if !strings.Contains(out, " read, 0 written\nsource states: 4 read, 0 written\n") || strings.Contains(out, "cleanup run: written") {
			t.Errorf("rerun of copy %s -> %s wrote something:\n%s", pair[0][:6], pair[1][:6], out)
		}
	}
	sameSite(t, "postgres after rerun", want, buildSite(t, ctx, pgConf))
	sameSite(t, "back to sqlite after rerun", want, buildSite(t, ctx, backConf))

	// The copies are the daemon's stores: status reads the same sources.
	_, statusFirst, _ := runCmd(t, ctx, "--config", conf, "status", "--json")
	_, statusBack, _ := runCmd(t, ctx, "--config", backConf, "status", "--json")
	// generated_at and each next_run are read off the clock when status
	// runs: the two runs may straddle a second.
	statusFirst, statusBack = withoutClock(t, statusFirst), withoutClock(t, statusBack)
	if statusFirst == "" || statusFirst != statusBack {
		t.Errorf("status differs between the original and the copy:\n%s\n---\n%s", statusFirst, statusBack)
	}
}

// TestCopyNeverShowsThePassword copies with DSNs holding a password, to a
// server that accepts them and to none, in both DSN forms: the password is
// in no output and no error.
func TestCopyNeverShowsThePassword(t *testing.T) {
	ctx := context.Background()
	pg := pgtest.Schema(t)
	secret := "S3cret-p4ss"
	withPassword := pg
	if u, err := url.Parse(pg); err == nil && u.Scheme != "" {
		if pw, ok := u.User.Password(); ok {
			secret = pw // the test server's own
		} else {
			u.User = url.UserPassword(u.User.Username(), secret)
		}
		withPassword = u.String()
	} else {
		withPassword += " password=" + secret
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, filepath.Join(dir, "feed.xml"), atomFeed)
	writeFile(t, conf, "storage:\n  dsn: src.db\nsources:\n  - name: local\n    url: "+sourceURL+"\nfeeds:\n  - name: all\n")
	if code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch"); code != exitOK {
		t.Fatalf("fetch: exit %d\n%s%s", code, out, errOut)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{"ToServer", []string{"--from", "sqlite:" + src, "--to", "postgres:" + withPassword}, exitOK},
		{"FromServer", []string{"--from", "postgres:" + withPassword, "--to", "sqlite:" + filepath.Join(dir, "back.db")}, exitOK},
		{"URLNoServer", []string{"--from", "sqlite:" + src, "--to", "postgres://tributary:" + secret + "@127.0.0.1:1/news?connect_timeout=2"}, exitFailed},
		{"KeyValueNoServer", []string{"--from", "postgres:host=127.0.0.1 port=1 user=tributary password=" + secret + " dbname=news connect_timeout=2", "--to", "sqlite:" + filepath.Join(dir, "x.db")}, exitFailed},
		{"KeyValueSpaced", []string{"--from", "sqlite:" + src, "--to", "postgres:host=127.0.0.1 port=1 password = '" + secret + "' sslmode=bogus"}, exitUsage},
		{"BadURL", []string{"--from", "sqlite:" + src, "--to", "postgres://tributary:" + secret + "@[::1/news"}, exitUsage},
		{"UnknownDriver", []string{"--from", "sqlite:" + src, "--to", "mysql://root:" + secret + "@db/news"}, exitUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, ctx, append([]string{"copy"}, tc.args...)...)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.wantCode, out, errOut)
			}
			if strings.Contains(out+errOut, secret) {
				t.Errorf("the password is shown:\n%s%s", out, errOut)
			}
		})
	}
}

// TestCopyRefusesNewerDestination refuses to copy into a store migrated by
// a newer Tributary, and from one, saying so, and writes nothing into it.
func TestCopyRefusesNewerDestination(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	writeFile(t, filepath.Join(dir, "feed.xml"), atomFeed)
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, conf, "storage:\n  dsn: src.db\nsources:\n  - name: local\n    url: "+sourceURL+"\nfeeds:\n  - name: all\n")
	if code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch"); code != exitOK {
		t.Fatalf("fetch: exit %d\n%s%s", code, out, errOut)
	}
	newer := filepath.Join(dir, "newer.db")
	if code, _, errOut := runCmd(t, ctx, "copy", "--from", "sqlite:"+src, "--to", "sqlite:"+newer); code != exitOK {
		t.Fatalf("copy: %s", errOut)
	}
	recordFutureMigration(t, "sqlite", newer)
	if _, err := runSQL(t, "sqlite", newer, `DELETE FROM articles`); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, ctx, "copy", "--from", "sqlite:"+src, "--to", "sqlite:"+newer)
	if code != exitFailed || !strings.Contains(errOut, "refusing to copy into sqlite "+newer+": its schema is at version 9999, newer than this Tributary") {
		t.Fatalf("copy into a newer store: exit %d\n%s%s", code, out, errOut)
	}
	if n, err := runSQL(t, "sqlite", newer, `SELECT count(*) FROM articles`); err != nil || n != 0 {
		t.Errorf("the refused copy wrote %d articles (%v)", n, err)
	}
	code, _, errOut = runCmd(t, ctx, "copy", "--from", "sqlite:"+newer, "--to", "sqlite:"+filepath.Join(dir, "x.db"))
	if code != exitFailed || !strings.Contains(errOut, "newer than this Tributary knows") || !strings.Contains(errOut, "upgrade Tributary") {
		t.Fatalf("copy from a newer store: exit %d\n%s", code, errOut)
	}
}

// TestCopyReportsMismatch copies into a store that already holds another
// source: everything is copied, the verification names the extra source
// and the command exits 1.
func TestCopyReportsMismatch(t *testing.T) {
	ctx := context.Background()
	dir := feedDir(t)
	src, dst := filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db")
	for _, c := range []struct{ db, name string }{{src, "local"}, {dst, "elsewhere"}} {
		conf := filepath.Join(dir, c.name+".yaml")
		writeFile(t, conf, fmt.Sprintf("storage:\n  dsn: %s\nsources:\n  - name: %s\n    url: %s\nfeeds:\n  - name: all\n", filepath.Base(c.db), c.name, sourceURL))
		if code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch"); code != exitOK {
			t.Fatalf("fetch: exit %d\n%s%s", code, out, errOut)
		}
	}
	code, out, errOut := runCmd(t, ctx, "copy", "--from", "sqlite:"+src, "--to", "sqlite:"+dst)
	if code != exitFailed || !strings.Contains(out, "articles: 2 read, 2 written") ||
		!strings.Contains(out, `source "elsewhere": 0 articles (0 pages extracted, 0 failed) in the source, 2 (0, 0) in the destination`) ||
		!strings.Contains(out, `source state "elsewhere": in the destination only`) ||
		!strings.Contains(errOut, "the destination differs from the source") {
		t.Fatalf("copy into a store with another source: exit %d\n%s%s", code, out, errOut)
	}
}

// withoutClock returns status --json output without the fields status
// reads off the clock when it runs (generated_at, each source's next_run).
func withoutClock(t *testing.T, out string) string {
	t.Helper()
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	delete(rep, "generated_at")
	srcs, _ := rep["sources"].([]any)
	if len(srcs) == 0 {
		t.Fatalf("status --json lists no sources:\n%s", out)
	}
	for _, s := range srcs {
		delete(s.(map[string]any), "next_run")
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCopyRefusesTheSameFile refuses to copy a SQLite file onto itself,
// however the two paths name it (a symbolic link, a hard link, a path
// that is not clean), and leaves it as it was.
func TestCopyRefusesTheSameFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	writeFile(t, filepath.Join(dir, "feed.xml"), atomFeed)
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, conf, "storage:\n  dsn: src.db\nsources:\n  - name: local\n    url: "+sourceURL+"\nfeeds:\n  - name: all\n")
	if code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch"); code != exitOK {
		t.Fatalf("fetch: exit %d\n%s%s", code, out, errOut)
	}
	if err := os.Symlink("src.db", filepath.Join(dir, "symlink.db")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(src, filepath.Join(dir, "hardlink.db")); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{src, filepath.Join(dir, ".", "sub", "..", "src.db"), filepath.Join(dir, "symlink.db"), filepath.Join(dir, "hardlink.db")} {
		t.Run(filepath.Base(to), func(t *testing.T) {
			for _, args := range [][]string{{"--from", "sqlite:" + src, "--to", "sqlite:" + to}, {"--from", "sqlite:" + to, "--to", "sqlite:" + src}} {
				code, out, errOut := runCmd(t, ctx, append([]string{"copy"}, args...)...)
				if code != exitUsage || !strings.Contains(errOut, "--from and --to name the same store") {
					t.Errorf("copy %s: exit %d, want %d and the same store refused\n%s%s", strings.Join(args, " "), code, exitUsage, out, errOut)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "symlink.db-lock")); err == nil {
		t.Errorf("the refused copy opened the file under its other name")
	}
}
