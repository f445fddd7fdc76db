package watch

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a log destination the watcher and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// start watches path with a short debounce and a debug log.
func start(t *testing.T, path string) (*Watcher, *lockedBuffer) {
	t.Helper()
	log := &lockedBuffer{}
	w := New(path, Options{Debounce: 50 * time.Millisecond, Log: slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Error(err)
		}
	})
	return w, log
}

// changed waits for a change, failing the test after 30 s.
func changed(t *testing.T, w *Watcher, log *lockedBuffer, what string) {
	t.Helper()
	select {
	case <-w.Changes():
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: no change reported; log:\n%s", what, log)
	}
}

// waitLog waits until the log holds s n times.
func waitLog(t *testing.T, log *lockedBuffer, s string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(log.String(), s) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the log never said %q %d times:\n%s", s, n, log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWatcherSeesEveryWayOfSaving(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.yaml")
	write(t, conf, "v: 1\n")
	w, log := start(t, conf)

	write(t, conf, "v: 2\n")
	changed(t, w, log, "written in place")

	// vim: the original becomes the backup, a new file takes its name.
	must(t, os.Rename(conf, conf+"~"))
	write(t, conf, "v: 3\n")
	changed(t, w, log, "saved by rename to a backup")

	// Others: a temporary file renamed over the original.
	write(t, filepath.Join(dir, ".config.yaml.tmp"), "v: 4\n")
	must(t, os.Rename(filepath.Join(dir, ".config.yaml.tmp"), conf))
	changed(t, w, log, "temporary file renamed over")

	// The same bytes again are no change; the next real one is.
	write(t, conf, "v: 4\n")
	waitLog(t, log, "its bytes unchanged", 1)
	write(t, conf, "v: 5\n")
	changed(t, w, log, "written after a rewrite of the same bytes")
	select {
	case <-w.Changes():
		t.Fatal("a second change was reported for one write")
	default:
	}

	// A busy neighbour (the SQLite file beside config.yaml) is not looked
	// at: had it been, the file would have been read, unchanged, in the
	// quiet time after the write.
	before := strings.Count(log.String(), "its bytes unchanged")
	write(t, filepath.Join(dir, "tributary.db"), "x")
	time.Sleep(4 * w.opts.Debounce)
	write(t, conf, "v: 5.1\n")
	changed(t, w, log, "written after a neighbour")
	if n := strings.Count(log.String(), "its bytes unchanged"); n != before {
		t.Fatalf("a write to another file of the directory made the watcher read the file:\n%s", log)
	}

	// Removed: logged, nothing to reload; back: reloaded.
	must(t, os.Remove(conf))
	waitLog(t, log, "configuration file removed", 1)
	write(t, conf, "v: 6\n")
	changed(t, w, log, "recreated")
	waitLog(t, log, "configuration file is back", 1)
}

// TestWatcherFollowsAConfigMapSwap replays what the kubelet does to a
// ConfigMap volume: the file is a link through ..data, a link to a
// timestamped directory; an update writes a new directory and renames a
// new ..data link over the old one. config.yaml itself never changes.
func TestWatcherFollowsAConfigMapSwap(t *testing.T) {
	dir := t.TempDir()
	must(t, os.Mkdir(filepath.Join(dir, "..2026_01_01"), 0o755))
	write(t, filepath.Join(dir, "..2026_01_01", "config.yaml"), "v: 1\n")
	must(t, os.Symlink("..2026_01_01", filepath.Join(dir, "..data")))
	must(t, os.Symlink("..data/config.yaml", filepath.Join(dir, "config.yaml")))
	w, log := start(t, filepath.Join(dir, "config.yaml"))

	for i, stamp := range []string{"..2026_01_02", "..2026_01_03"} {
		must(t, os.Mkdir(filepath.Join(dir, stamp), 0o755))
		write(t, filepath.Join(dir, stamp, "config.yaml"), "v: "+stamp+"\n")
		must(t, os.Symlink(stamp, filepath.Join(dir, "..data_tmp")))
		must(t, os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")))
		old := "..2026_01_01"
		if i > 0 {
			old = "..2026_01_02"
		}
		must(t, os.RemoveAll(filepath.Join(dir, old)))
		changed(t, w, log, "ConfigMap update to "+stamp)
	}
}

func TestLinksNamesEveryLinkOnTheWay(t *testing.T) {
	dir := t.TempDir()
	dir, err := filepath.EvalSymlinks(dir)
	must(t, err)
	must(t, os.Mkdir(filepath.Join(dir, "..v1"), 0o755))
	write(t, filepath.Join(dir, "..v1", "config.yaml"), "v: 1\n")
	must(t, os.Symlink("..v1", filepath.Join(dir, "..data")))
	must(t, os.Symlink("..data/config.yaml", filepath.Join(dir, "config.yaml")))
	write(t, filepath.Join(dir, "plain.yaml"), "v: 1\n")
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"plain.yaml", []string{"plain.yaml"}},
		{"config.yaml", []string{"config.yaml", "..data", "..v1/config.yaml"}},
		{"missing.yaml", []string{"missing.yaml"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			var want []string
			for _, p := range tc.want {
				want = append(want, filepath.Join(dir, p))
			}
			got := links(filepath.Join(dir, tc.path))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("links = %q, want %q", got, want)
			}
		})
	}
}

// TestWatcherFollowsALinkToAnotherDirectory: config.yaml is a link to a
// file kept elsewhere, edited there in place; then the link is pointed at
// another directory, where the next edit must be seen too.
func TestWatcherFollowsALinkToAnotherDirectory(t *testing.T) {
	dir, one, two := t.TempDir(), t.TempDir(), t.TempDir()
	write(t, filepath.Join(one, "real.yaml"), "v: 1\n")
	write(t, filepath.Join(two, "real.yaml"), "v: 2\n")
	conf := filepath.Join(dir, "config.yaml")
	must(t, os.Symlink(filepath.Join(one, "real.yaml"), conf))
	w, log := start(t, conf)

	write(t, filepath.Join(one, "real.yaml"), "v: 1.1\n")
	changed(t, w, log, "the link's target written in place")

	must(t, os.Symlink(filepath.Join(two, "real.yaml"), conf+".new"))
	must(t, os.Rename(conf+".new", conf))
	changed(t, w, log, "the link pointed elsewhere")

	write(t, filepath.Join(two, "real.yaml"), "v: 2.1\n")
	changed(t, w, log, "the new target written in place")
}
