//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// keepOwner gives the file at tmp the owner and group of the file info
// describes, which tmp is about to replace: a configuration edited with
// sudo stays readable by the daemon's user that owns it. It fails when
// that is not allowed (another user's file, without root) rather than
// hand the file over to whoever ran the edit.
func keepOwner(tmp string, info os.FileInfo) error {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if int(st.Uid) == os.Geteuid() && int(st.Gid) == os.Getegid() {
		return nil
	}
	if err := os.Lchown(tmp, int(st.Uid), int(st.Gid)); err != nil {
		return fmt.Errorf("keep its owner (uid %d, gid %d): %w; run the command as that user", st.Uid, st.Gid, reason(err))
	}
	return nil
}
