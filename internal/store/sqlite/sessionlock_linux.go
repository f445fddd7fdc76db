//go:build linux

package sqlite

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// sessionLocks says that this system has the locks sessions need:
// open-file-description locks (Linux), which belong to one open file
// rather than to a process, so two stores open on the same file in one
// process see each other's locks.
const sessionLocks = true

// holdByte takes a read lock on byte n of f, failing at once when another
// open file holds a write lock there. A read lock needs only read access
// to f, and byteHeld sees it all the same. Closing f releases it, as does
// the death of the process.
func holdByte(f *os.File, n int64) error {
	lk := unix.Flock_t{Type: unix.F_RDLCK, Whence: io.SeekStart, Start: n, Len: 1}
	return unix.FcntlFlock(f.Fd(), unix.F_OFD_SETLK, &lk)
}

// byteHeld reports whether another open file holds a lock on byte n of f:
// asking about a write lock reports any lock in its way, read locks too.
func byteHeld(f *os.File, n int64) (bool, error) {
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: io.SeekStart, Start: n, Len: 1}
	if err := unix.FcntlFlock(f.Fd(), unix.F_OFD_GETLK, &lk); err != nil {
		return false, err
	}
	return lk.Type != unix.F_UNLCK, nil
}
