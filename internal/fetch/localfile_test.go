package fetch

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLocalDirReadsOnlyFilesBesideTheSource is the access rule of a local
// source's pages (Policy.LocalDirs): a file directly in the directory is
// read; one reached by "..", in another directory, in a subdirectory or
// through a symbolic link leading out of the directory is refused with
// ErrLocalFile, and its bytes never come back.
func TestLocalDirReadsOnlyFilesBesideTheSource(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "site")
	const secret = "<html><body><p>secret beyond the source's directory</p></body></html>"
	const page = "<html><body><p>the story's page</p></body></html>"
	for path, body := range map[string]string{
		filepath.Join(dir, "feed.xml"):         "<rss/>",
		filepath.Join(dir, "page.html"):        page,
		filepath.Join(dir, "sub", "deep.html"): page,
		filepath.Join(root, "secret.html"):     secret,
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"out.html":    filepath.Join(root, "secret.html"), // absolute, out
		"up.html":     "../secret.html",                   // relative, out
		"inside.html": "page.html",                        // stays in
		"outdir":      root,                               // a directory link, out
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	fileURL := func(p string) string { return "file://" + filepath.ToSlash(p) }
	c := newClient(t, Options{}).For(Policy{LocalFiles: []string{fileURL(filepath.Join(dir, "feed.xml"))}, LocalDirs: []string{dir}})

	tests := []struct {
		name string
		url  string
		// status is the answer's; 0 means refused with ErrLocalFile.
		status int
	}{
		{"the source's file", fileURL(filepath.Join(dir, "feed.xml")), http.StatusOK},
		{"a page beside it", fileURL(filepath.Join(dir, "page.html")), http.StatusOK},
		{"a link to a page beside it", fileURL(filepath.Join(dir, "inside.html")), http.StatusOK},
		{"a missing page beside it", fileURL(filepath.Join(dir, "gone.html")), http.StatusNotFound},
		{"dot-dot", fileURL(dir) + "/../secret.html", 0},
		{"escaped dot-dot", fileURL(dir) + "/%2e%2e/secret.html", 0},
		{"absolute path elsewhere", fileURL(filepath.Join(root, "secret.html")), 0},
		{"the system's files", "file:///etc/passwd", 0},
		{"a subdirectory", fileURL(filepath.Join(dir, "sub", "deep.html")), 0},
		{"a symbolic link out (absolute)", fileURL(filepath.Join(dir, "out.html")), 0},
		{"a symbolic link out (relative)", fileURL(filepath.Join(dir, "up.html")), 0},
		{"through a directory link out", fileURL(filepath.Join(dir, "outdir", "secret.html")), 0},
		{"the directory itself", fileURL(dir), 0},
		{"a directory beside it", fileURL(filepath.Join(dir, "sub")), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, b, err := get(t, t.Context(), c, tt.url, nil)
			if strings.Contains(string(b), "secret") {
				t.Fatalf("read a file outside the source's directory: %q", b)
			}
			if tt.status == 0 {
				if !errors.Is(err, ErrLocalFile) {
					t.Fatalf("error %v, want ErrLocalFile", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}

	// The directory's allowance is only the policy's: the client it came
	// from, and a policy naming only the source's file, read no page.
	for _, nc := range []*Client{newClient(t, Options{}), newClient(t, Options{}).For(Policy{LocalFiles: []string{filepath.Join(dir, "feed.xml")}})} {
		if _, _, err := get(t, t.Context(), nc, fileURL(filepath.Join(dir, "page.html")), nil); !errors.Is(err, ErrLocalFile) {
			t.Errorf("a client without the directory read its page: %v", err)
		}
	}
}
