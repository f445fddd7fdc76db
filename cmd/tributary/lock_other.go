//go:build !unix

package main

// lockDir does nothing where flock(2) is missing: concurrent builds into
// one directory are not detected there.
func lockDir(dir string) (unlock func(), err error) { return func() {}, nil }

// lockFile does nothing where flock(2) is missing: two configuration
// edits at once are only caught when one sees the other's change.
func lockFile(path string) (unlock func(), err error) { return func() {}, nil }
