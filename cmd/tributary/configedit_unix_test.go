//go:build unix

package main

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
)

// sudo tributary add on a configuration the daemon's user owns (mode
// 0600): the edited file must stay that user's, or the daemon can no
// longer read it at its next reload or start.
func TestAddKeepsTheFilesOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	conf := editProject(t)
	const nobody = 65534
	if err := os.Chown(conf, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, context.Background(), "--config", conf, "add", "--no-fetch", "--name", "b", "https://b.example/rss")
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	info, err := os.Stat(conf)
	if err != nil {
		t.Fatal(err)
	}
	st := info.Sys().(*syscall.Stat_t)
	if st.Uid != nobody || st.Gid != nobody || info.Mode().Perm() != 0o600 {
		t.Errorf("after add: owner %d:%d mode %v, want %d:%d 0600", st.Uid, st.Gid, info.Mode().Perm(), nobody, nobody)
	}
	if !strings.Contains(mustRead(t, conf), "name: b\n") {
		t.Error("the source was not added")
	}
}
