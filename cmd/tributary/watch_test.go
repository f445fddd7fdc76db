package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// withFeed returns the test configuration with one more feed of the local
// source (feeds come last in it).
func withFeed(conf, name string) string {
	return conf + "  - name: " + name + "\n    sources: [local]\n"
}

// watchedProject is the test project with debug logs (the watcher says
// at DEBUG when a file was touched without changing), and its text.
func watchedProject(t *testing.T, addr, remoteURL string) (string, string) {
	t.Helper()
	conf := project(t, addr, remoteURL)
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	good := "log_level: debug\n" + string(b)
	writeFile(t, conf, good)
	return conf, good
}

func TestServeWatchReloadsOnEveryKindOfSave(t *testing.T) {
	srv, _ := remote(t)
	addr := freeAddr(t)
	conf, good := watchedProject(t, addr, srv.URL)
	cmd, log := startServe(t, tributaryBinary(t), conf, "--watch")
	base := "http://" + addr + "/feeds/"
	waitStatus(t, base+"all.atom", 200, log)

	// Written in place.
	writeFile(t, conf, withFeed(good, "one"))
	waitStatus(t, base+"one.json", 200, log)

	// vim: the original renamed to a backup, a new file written.
	if err := os.Rename(conf, conf+"~"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, conf, withFeed(good, "two"))
	waitStatus(t, base+"two.json", 200, log)

	// Others: a temporary file renamed over the original.
	writeFile(t, conf+".tmp", withFeed(good, "three"))
	if err := os.Rename(conf+".tmp", conf); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, base+"three.json", 200, log)
	waitLog(t, log, "trigger=\"file changed\"")
	if n := strings.Count(log.String(), `msg="configuration reloaded"`); n != 3 {
		t.Fatalf("%d reloads for three saves; log:\n%s", n, log)
	}

	// The same bytes again: nothing to reload.
	writeFile(t, conf, withFeed(good, "three"))
	waitLog(t, log, "its bytes unchanged")
	if n := strings.Count(log.String(), `msg="reload requested"`); n != 3 {
		t.Fatalf("a save of the same bytes was reloaded; log:\n%s", log)
	}

	// An invalid file is refused with its line; the running configuration
	// keeps serving.
	bad := strings.Replace(withFeed(good, "three"), `schedule: "@every 1h"`, `schedule: "every now and then"`, 1)
	line := 1 + strings.Count(bad[:strings.Index(bad, "every now and then")], "\n")
	writeFile(t, conf, bad)
	waitLog(t, log, "reload refused")
	if want := fmt.Sprintf("config.yaml:%d", line); !strings.Contains(log.String(), want) {
		t.Fatalf("the refused reload does not name %s; log:\n%s", want, log)
	}
	waitStatus(t, base+"three.json", 200, log)

	// SIGHUP still works beside the watch: the same file, refused again.
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(t, log, "trigger=SIGHUP")
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(log.String(), "reload refused") < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := strings.Count(log.String(), "reload refused"); n != 2 {
		t.Fatalf("SIGHUP with the invalid file: %d refusals, want 2; log:\n%s", n, log)
	}

	// Deleted: a warning, and the feeds stay; back: reloaded.
	if err := os.Remove(conf); err != nil {
		t.Fatal(err)
	}
	waitLog(t, log, `level=WARN msg="configuration file removed`)
	waitStatus(t, base+"three.json", 200, log)
	writeFile(t, conf, withFeed(good, "four"))
	waitStatus(t, base+"four.json", 200, log)
	waitLog(t, log, "configuration file is back")

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, log); code != 0 {
		t.Fatalf("exit code %d, want 0; log:\n%s", code, log)
	}
	if !strings.Contains(log.String(), "msg=stopped") {
		t.Fatalf("no stopped line; log:\n%s", log)
	}
}

func TestServeWithoutWatchIgnoresEdits(t *testing.T) {
	srv, _ := remote(t)
	addr := freeAddr(t)
	conf, good := watchedProject(t, addr, srv.URL)
	cmd, log := startServe(t, tributaryBinary(t), conf)
	base := "http://" + addr + "/feeds/"
	waitStatus(t, base+"all.atom", 200, log)

	writeFile(t, conf, withFeed(good, "one"))
	// Several times the watcher's quiet time: --watch would have
	// reloaded by now.
	time.Sleep(2 * time.Second)
	waitStatus(t, base+"one.json", 404, log)
	if strings.Contains(log.String(), "reload requested") {
		t.Fatalf("an edit was reloaded without --watch; log:\n%s", log)
	}
	// The edit was valid: SIGHUP applies it.
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, base+"one.json", 200, log)
}

// TestServeWatchFollowsAConfigMapUpdate mounts config.yaml as the kubelet
// does (config.yaml -> ..data/config.yaml, ..data -> a timestamped
// directory) and updates it the same way: a new directory, and a new
// ..data link renamed over the old one. config.yaml itself never changes.
func TestServeWatchFollowsAConfigMapUpdate(t *testing.T) {
	srv, _ := remote(t)
	addr := freeAddr(t)
	conf, good := watchedProject(t, addr, srv.URL)
	dir := filepath.Dir(conf)
	mount := func(stamp, body string) {
		t.Helper()
		if err := os.Mkdir(filepath.Join(dir, stamp), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, stamp, "config.yaml"), body)
		if err := os.Symlink(stamp, filepath.Join(dir, "..data_tmp")); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
			t.Fatal(err)
		}
	}
	mount("..2026_01_01", good)
	if err := os.Remove(conf); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..data/config.yaml", conf); err != nil {
		t.Fatal(err)
	}
	cmd, log := startServe(t, tributaryBinary(t), conf, "--watch")
	base := "http://" + addr + "/feeds/"
	waitStatus(t, base+"all.atom", 200, log)

	mount("..2026_01_02", withFeed(good, "one"))
	if err := os.RemoveAll(filepath.Join(dir, "..2026_01_01")); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, base+"one.json", 200, log)
	mount("..2026_01_03", withFeed(good, "two"))
	if err := os.RemoveAll(filepath.Join(dir, "..2026_01_02")); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, base+"two.json", 200, log)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, log); code != 0 {
		t.Fatalf("exit code %d, want 0; log:\n%s", code, log)
	}
}
