package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tributary/tributary/feeds"
)

func cmdBuild(ctx context.Context, confPath string, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("build", "build [--config FILE] --out DIR", &confPath, stderr)
	out := fs.String("out", "", "directory to write the feeds into (created if missing)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return usagef("build needs --out DIR and no arguments")
	}
	cfg, err := loadConfig(confPath)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	pub := newPublisher(cfg, st)
	// Render everything before writing anything, so a failure leaves the
	// previous outputs as they were rather than half replaced.
	type file struct {
		path string
		body []byte
	}
	var files []file
	for _, f := range pub.Feeds() {
		for _, format := range feeds.AllFormats() {
			r, err := pub.Render(ctx, f.Name, format)
			if err != nil {
				return fmt.Errorf("build: %w", err)
			}
			files = append(files, file{filepath.Join(*out, f.Name+"."+format.Ext()), r.Body})
		}
	}
	for _, f := range files {
		if err := writeAtomic(f.path, f.body); err != nil {
			return fmt.Errorf("build: %w", err)
		}
		fmt.Fprintln(stdout, f.path)
	}
	return nil
}

// writeAtomic replaces path with body: written to a temporary file in the
// same directory, synced, then renamed over path, so readers see either the
// old file or the new one, never a partial one.
func writeAtomic(path string, body []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(body); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return nil
}
