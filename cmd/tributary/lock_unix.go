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
