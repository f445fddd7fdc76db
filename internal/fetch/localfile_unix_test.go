//go:build unix

package fetch

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
)

// TestLocalDirRefusesNamedPipe: a named pipe beside a local source is not
// a page; opening one without a writer would block the fetch for good.
func TestLocalDirRefusesNamedPipe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.html"), 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	c := newClient(t, Options{}).For(Policy{LocalDirs: []string{dir}})
	if _, _, err := get(t, t.Context(), c, "file://"+filepath.ToSlash(filepath.Join(dir, "fifo.html")), nil); !errors.Is(err, ErrLocalFile) {
		t.Fatalf("error %v, want ErrLocalFile", err)
	}
}
