package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// snapshot returns every file, directory and symbolic link under dir by
// its slash-separated path: a file's content, "dir" or "-> target".
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			tree[filepath.ToSlash(rel)] = "dir"
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			tree[filepath.ToSlash(rel)] = "-> " + target
		default:
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			tree[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// assertTree fails unless dir holds exactly want.
func assertTree(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	got := snapshot(t, dir)
	for _, name := range slices.Sorted(maps.Keys(want)) {
		switch g, ok := got[name]; {
		case !ok:
			t.Errorf("%s is gone", name)
		case g != want[name]:
			t.Errorf("%s holds %q, want %q", name, g, want[name])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[name]; !ok {
			t.Errorf("%s left behind", name)
		}
	}
}

// replaceFixture is a published directory: three files of one feed, a
// symbolic link, and a set that replaces them and adds files in new
// subdirectories.
type replaceFixture struct {
	dir           string
	before, after map[string]string
	files         []outputFile
}

func newReplaceFixture(t *testing.T) *replaceFixture {
	t.Helper()
	dir := t.TempDir()
	f := &replaceFixture{dir: dir, before: map[string]string{}, after: map[string]string{}}
	for _, name := range []string{"a.rss", "a.atom", "a.json"} {
		writeFile(t, filepath.Join(dir, name), "old "+name)
		f.before[name] = "old " + name
	}
	if err := os.Symlink("a.atom", filepath.Join(dir, "latest.atom")); err != nil {
		t.Fatal(err)
	}
	f.before["latest.atom"] = "-> a.atom"
	for _, name := range []string{"a.rss", "latest.atom", "feeds/b.atom", "a.atom", "site/feeds/c.json", "index.html", "a.json"} {
		f.files = append(f.files, outputFile{filepath.Join(dir, filepath.FromSlash(name)), []byte("new " + name)})
		f.after[name] = "new " + name
	}
	maps.Copy(f.after, map[string]string{"feeds": "dir", "site": "dir", "site/feeds": "dir"})
	return f
}

// failingRename renames with os.Rename except at the calls for which fail
// returns true, counted from 1, which fail with EIO.
func failingRename(fail func(call int) bool) (rename func(string, string) error, calls *int) {
	calls = new(int)
	return func(oldpath, newpath string) error {
		*calls++
		if fail(*calls) {
			return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: syscall.EIO}
		}
		return os.Rename(oldpath, newpath)
	}, calls
}

// TestReplaceAllOrNothing fails the k-th rename for every k: the set is
// then exactly as it was, with no temporary file or new directory left,
// and with no failure it is exactly the new set. Both ways of keeping the
// previous versions are tried: hard links, and copies where links fail.
func TestReplaceAllOrNothing(t *testing.T) {
	links := map[string]func(string, string) error{
		"hard links": os.Link,
		"copies":     func(string, string) error { return errors.ErrUnsupported },
	}
	for linkName, link := range links {
		n := len(newReplaceFixture(t).files)
		for k := 1; k <= n+1; k++ {
			t.Run(fmt.Sprintf("%s/rename %d fails", linkName, k), func(t *testing.T) {
				f := newReplaceFixture(t)
				rename, _ := failingRename(func(call int) bool { return call == k })
				err := (&replacer{rename: rename, link: link}).replaceAll(f.files)
				if k > n {
					if err != nil {
						t.Fatal(err)
					}
					assertTree(t, f.dir, f.after)
					return
				}
				if err == nil {
					t.Fatal("replaceAll succeeded, want the error of the failed rename")
				}
				if want := "replace " + f.files[k-1].path + ": input/output error"; !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
				assertTree(t, f.dir, f.before)
			})
		}
	}
}

// TestReplaceAllDirectoryInTheWay is a target that is a non-empty
// directory: it is refused before any file is renamed or written.
func TestReplaceAllDirectoryInTheWay(t *testing.T) {
	f := newReplaceFixture(t)
	blocked := filepath.Join(f.dir, "index.html")
	if err := os.Mkdir(blocked, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(blocked, "keep.txt"), "mine")
	want := snapshot(t, f.dir)
	rename, calls := failingRename(func(int) bool { return false })
	err := (&replacer{rename: rename, link: os.Link}).replaceAll(f.files)
	if err == nil || !strings.Contains(err.Error(), "replace "+blocked+": a directory is in the way") {
		t.Fatalf("error %v, want one naming %s", err, blocked)
	}
	if *calls != 0 {
		t.Errorf("%d renames before the refusal, want none", *calls)
	}
	assertTree(t, f.dir, want)
}

// TestReplaceAllRestoreFails fails every rename from the k-th on, so the
// rollback cannot restore the files already replaced: the error says so
// and where each previous version was kept, and that copy holds it.
func TestReplaceAllRestoreFails(t *testing.T) {
	f := newReplaceFixture(t)
	const k = 5 // a.rss, latest.atom, feeds/b.atom and a.atom are in place
	rename, _ := failingRename(func(call int) bool { return call >= k })
	err := (&replacer{rename: rename, link: os.Link}).replaceAll(f.files)
	if err == nil {
		t.Fatal("replaceAll succeeded")
	}
	t.Logf("error:\n%s", err)
	for _, name := range []string{"a.rss", "latest.atom", "a.atom"} {
		path := filepath.Join(f.dir, name)
		prefix := "restore " + path + ": input/output error (its previous version is in "
		_, rest, ok := strings.Cut(err.Error(), prefix)
		if !ok {
			t.Errorf("error lacks %q", prefix)
			continue
		}
		backup, _, _ := strings.Cut(rest, ")")
		got := snapshot(t, filepath.Dir(backup))[filepath.Base(backup)]
		if got != f.before[name] {
			t.Errorf("kept version of %s holds %q, want %q", name, got, f.before[name])
		}
	}
	// The new file whose directory was created is removed with it.
	if _, err := os.Lstat(filepath.Join(f.dir, "feeds")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("feeds/ is still there: %v", err)
	}
}

// TestReplaceAllLongNames replaces files whose names are as long as a
// file name may be (255 bytes): their temporary names and kept versions
// must fit too, so the set is replaced like any other.
func TestReplaceAllLongNames(t *testing.T) {
	dir := t.TempDir()
	names := []string{
		strings.Repeat("a", 251) + ".rss",
		strings.Repeat("é", 125) + ".atom",
	}
	before, after := map[string]string{}, map[string]string{}
	var files []outputFile
	for _, name := range names {
		writeFile(t, filepath.Join(dir, name), "old")
		before[name], after[name] = "old", "new"
		files = append(files, outputFile{filepath.Join(dir, name), []byte("new")})
	}
	files = append(files, outputFile{filepath.Join(dir, strings.Repeat("b", 250)+".json"), []byte("new")})
	after[strings.Repeat("b", 250)+".json"] = "new"
	if err := newReplacer().replaceAll(files); err != nil {
		t.Fatal(err)
	}
	assertTree(t, dir, after)
}

// fetchedProject returns a project (see project) whose sources are
// fetched, and an empty directory to build it into.
func fetchedProject(t *testing.T) (conf, out string) {
	t.Helper()
	srv, _ := remote(t)
	conf = project(t, "127.0.0.1:0", srv.URL)
	runCmd(t, context.Background(), "--config", conf, "fetch")
	return conf, t.TempDir()
}

// TestBuildRefusesADirectoryAnotherBuildWrites holds the lock of the
// output directory as a running build would: a second build fails, exit
// 1, and leaves the outputs as they were; once the lock is released, it
// succeeds.
func TestBuildRefusesADirectoryAnotherBuildWrites(t *testing.T) {
	ctx := context.Background()
	conf, out := fetchedProject(t)
	writeFile(t, filepath.Join(out, "all.rss"), "previous")
	d, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, ctx, "--config", conf, "build", "--out", out)
	if code != exitFailed || !strings.Contains(stderr, "build: lock "+out+": another build is writing it") {
		t.Fatalf("build while another holds %s: exit %d, %s", out, code, stderr)
	}
	assertTree(t, out, map[string]string{"all.rss": "previous"})
	d.Close()
	if code, _, stderr := runCmd(t, ctx, "--config", conf, "build", "--out", out); code != exitOK {
		t.Fatalf("build once the lock is released: exit %d, %s", code, stderr)
	}
}

// TestBuildRemovesLeftoversOfAKilledBuild puts beside the outputs what a
// build killed midway leaves (a temporary file, a kept previous version):
// the next build removes them, and leaves alone files that only look
// alike.
func TestBuildRemovesLeftoversOfAKilledBuild(t *testing.T) {
	ctx := context.Background()
	conf, out := fetchedProject(t)
	if err := os.MkdirAll(filepath.Join(out, "feeds"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"feeds/.all.rss.tmp-123", "feeds/.tech.json.tmp-4567.old", "feeds/.all.atom.tmp-9.old", ".index.html.tmp-77"} {
		writeFile(t, filepath.Join(out, name), "leftover")
	}
	mine := []string{"feeds/.all.rss.tmp-notes", "feeds/.other.rss.tmp-1", ".all.rss.tmp-1", "keep.txt"}
	for _, name := range mine {
		writeFile(t, filepath.Join(out, name), "mine")
	}
	if code, _, stderr := runCmd(t, ctx, "--config", conf, "build", "--out", out); code != exitOK {
		t.Fatalf("build: exit %d, %s", code, stderr)
	}
	got := snapshot(t, out)
	for name := range got {
		if strings.Contains(name, ".tmp-") && !slices.Contains(mine, name) {
			t.Errorf("%s left behind", name)
		}
	}
	for _, name := range mine {
		if got[name] != "mine" {
			t.Errorf("%s removed", name)
		}
	}
}
