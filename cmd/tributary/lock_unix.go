//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// errDirBusy is returned by lockDir when another build holds the directory.
var errDirBusy = errors.New("another build is writing it")

// lockDir takes the lock of the output directory dir, which one build
// holds from before it reads the store until its outputs are in place, and
// returns its release. A second build into dir meanwhile fails with
// errDirBusy rather than mix its files with the first's: each replaces its
// set all or nothing, and the rollback of one would put back files the
// other had just published. The lock is flock(2) on the directory itself,
// so no file is added to what is published, and the kernel drops it when
// the process dies (a kill -9 leaves no stale lock).
func lockDir(dir string) (unlock func(), err error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, reason(err))
	}
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		d.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("lock %s: %w", dir, errDirBusy)
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return func() { d.Close() }, nil
}

// lockFile waits for the exclusive flock(2) of the file at path and
// returns its release. add and import-opml hold it from their last look
// at the configuration file until the edited one has replaced it, so two
// edits at once cannot both see the file unchanged and the later rename
// drop the earlier's source. The lock is on the file that path names when
// it is taken: an edit that waited on a file since replaced finds the
// text changed and stops.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
