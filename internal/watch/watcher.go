// Package watch tells when the bytes of a configuration file change on disk,
// however the file was replaced: written in place, saved by rename (vim
// renames the original to a backup and writes a new file; other editors
// write a temporary file and rename it over), or swapped behind symlinks
// (Kubernetes ConfigMap volumes).
package watch

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long a file must stay quiet after an event before
// it is read, when Options.Debounce is zero: an editor's save or a
// ConfigMap update is a burst of events, and one reload is wanted.
const DefaultDebounce = 300 * time.Millisecond

// maxLinks bounds how many symbolic links are followed from the watched
// path, as the kernel does (ELOOP).
const maxLinks = 40

// Options configure a Watcher.
type Options struct {
	// Debounce is the quiet time after the last event before the file is
	// read; zero means DefaultDebounce.
	Debounce time.Duration
	// Log receives a WARN line when the file disappears, an INFO line
	// when it is back, and watch errors; nil discards them.
	Log *slog.Logger
}

// Watcher watches one file. It watches the directories holding the file
// and each symbolic link on the way to it, not the file itself (a watch on
// the file would follow the old inode after a rename), keeps only the
// events naming those entries, waits for a burst of them to end, and then
// reads the file: Changes receives a value when its bytes differ from the
// last bytes read. A file that disappears is logged and nothing is sent;
// when it is back with other bytes, Changes receives a value.
type Watcher struct {
	path string
	opts Options

	changes chan struct{}
	fsw     *fsnotify.Watcher
	cancel  context.CancelFunc
	done    chan struct{}

	// Owned by the goroutine once started.
	sum     [sha256.Size]byte
	missing bool
	entries map[string]bool // the paths whose events matter
	dirs    map[string]bool // the directories watched
}

// New returns a Watcher of the file at path; it watches nothing until
// Start.
func New(path string, opts Options) *Watcher {
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Watcher{path: path, opts: opts, changes: make(chan struct{}, 1)}
}

// Start reads the file, as the bytes later ones are compared with, and
// starts watching. It fails when the file's directory cannot be watched.
// Close stops the watching.
func (w *Watcher) Start() error {
	abs, err := filepath.Abs(w.path)
	if err != nil {
		return fmt.Errorf("watch %s: %w", w.path, err)
	}
	w.path = abs
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", w.path, err)
	}
	w.fsw = fsw
	w.entries, w.dirs = map[string]bool{}, map[string]bool{}
	// The file's own directory must be watched; the others (where links
	// lead) are tried again at every change.
	if err := fsw.Add(filepath.Dir(abs)); err != nil {
		fsw.Close()
		return fmt.Errorf("watch %s: %w", filepath.Dir(abs), err)
	}
	w.dirs[filepath.Dir(abs)] = true
	w.follow()
	data, err := os.ReadFile(abs)
	switch {
	case err == nil:
		w.sum = sha256.Sum256(data)
	case errors.Is(err, fs.ErrNotExist):
		w.missing = true
	default:
		fsw.Close()
		return fmt.Errorf("watch %s: %w", w.path, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel, w.done = cancel, make(chan struct{})
	go w.loop(ctx)
	return nil
}

// Changes receives a value each time the file's bytes changed; changes
// that arrive while a value is waiting to be received are merged into it.
func (w *Watcher) Changes() <-chan struct{} { return w.changes }

// Close stops the watching goroutine, waits for it and releases the
// watches. It may be called more than once, and without Start.
func (w *Watcher) Close() error {
	if w.done == nil {
		return nil
	}
	w.cancel()
	<-w.done
	if err := w.fsw.Close(); err != nil {
		return fmt.Errorf("watch %s: close: %w", w.path, err)
	}
	return nil
}

func (w *Watcher) loop(ctx context.Context) {
	defer close(w.done)
	quiet := time.NewTimer(w.opts.Debounce)
	quiet.Stop()
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if w.entries[filepath.Clean(ev.Name)] {
				quiet.Reset(w.opts.Debounce)
			}
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			w.opts.Log.Warn("watching the file failed", slog.String("file", w.path), slog.Any("error", err))
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: look at the file anyway.
				quiet.Reset(w.opts.Debounce)
			}
		case <-quiet.C:
			w.check()
		}
	}
}

// check follows the links again (a ConfigMap update points them
// elsewhere), then reads the file and tells whether its bytes changed.
func (w *Watcher) check() {
	w.follow()
	data, err := os.ReadFile(w.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !w.missing {
			w.missing = true
			w.opts.Log.Warn("configuration file removed: the running configuration stays until it is back", slog.String("file", w.path))
		}
		return
	case err != nil:
		w.opts.Log.Warn("cannot read the watched file: the running configuration stays", slog.String("file", w.path), slog.Any("error", err))
		return
	}
	if w.missing {
		w.missing = false
		w.opts.Log.Info("configuration file is back", slog.String("file", w.path))
	}
	sum := sha256.Sum256(data)
	if sum == w.sum {
		w.opts.Log.Debug("configuration file touched, its bytes unchanged: not reloading", slog.String("file", w.path))
		return
	}
	w.sum = sum
	select {
	case w.changes <- struct{}{}:
	default: // one is already waiting
	}
}

// follow recomputes the entries whose events matter and watches the
// directories holding them.
func (w *Watcher) follow() {
	entries := links(w.path)
	dirs := map[string]bool{filepath.Dir(w.path): true}
	w.entries = map[string]bool{}
	for _, e := range entries {
		w.entries[e] = true
		dirs[filepath.Dir(e)] = true
	}
	for d := range dirs {
		if w.dirs[d] {
			continue
		}
		if err := w.fsw.Add(d); err != nil {
			w.opts.Log.Warn("cannot watch a directory a link of the file leads to", slog.String("file", w.path), slog.String("dir", d), slog.Any("error", err))
			continue
		}
		w.dirs[d] = true
	}
	for d := range w.dirs {
		if !dirs[d] {
			_ = w.fsw.Remove(d) // gone with its directory, often
			delete(w.dirs, d)
		}
	}
}

// links returns path (absolute and clean) and, when it is a symbolic link
// or its directory is one, each link on the way to the file it names and
// that file: the entries whose replacement changes what reading path
// returns. A Kubernetes ConfigMap volume gives DIR/config.yaml ->
// ..data/config.yaml, DIR/..data -> ..2024_01_01..., and the update
// replaces DIR/..data.
func links(path string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	cur := path
	add(cur)
	for range maxLinks {
		dir := filepath.Dir(cur)
		if fi, err := os.Lstat(dir); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			add(dir)
		}
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			cur = filepath.Join(real, filepath.Base(cur))
			add(cur)
		}
		fi, err := os.Lstat(cur)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			break
		}
		target, err := os.Readlink(cur)
		if err != nil {
			break
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(cur), target)
		}
		cur = filepath.Clean(target)
	}
	return out
}
