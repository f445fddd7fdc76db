package fetch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/tributary/tributary/internal/redact"
)

// ErrLocalFile is returned for a file: URL that the Client's Policy does
// not allow (see Policy.LocalFiles and Policy.LocalDirs).
var ErrLocalFile = errors.New("fetch: local file not configured as a source")

// localPath returns the cleaned absolute path of a file URL or path, or ""
// when raw is neither.
func localPath(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Scheme == "file" {
		raw = u.Path
	}
	if !filepath.IsAbs(raw) {
		return ""
	}
	return filepath.Clean(raw)
}

// fileTransport answers GET and HEAD requests for file: URLs from disk,
// like a static file server: Content-Type from the extension or the first
// bytes, 404 for a missing file, and a strong ETag that is a hash of the
// content, so that If-None-Match yields 304 exactly when the bytes are the
// ones the caller already has. If-Modified-Since never does: a file's
// modification time says nothing about a rewrite within the same second
// (or the same tick of a coarser file system), nor about a copy that kept
// an older time. Last-Modified is still sent, for information. Unlike
// http.NewFileTransport it serves the file named, whatever it is called (a
// file server redirects ".../index.html" to "./") and never lists a
// directory.
type fileTransport struct {
	// max is the client's body size cap: a file is read into memory, to
	// hash exactly the bytes served, up to one byte more than that (enough
	// for the body to fail with ErrTooLarge).
	max int64
}

func (t fileTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return fileResponse(req, http.StatusMethodNotAllowed, nil, nil), nil
	}
	path := localPath(req.URL.String())
	if path == "" {
		return nil, fmt.Errorf("fetch: %s is not a local file URL", redact.URL(req.URL.String()))
	}
	f, err := openAllowed(allowed(req.Context()), path)
	switch {
	case errors.Is(err, ErrLocalFile):
		return nil, err
	case errors.Is(err, fs.ErrNotExist):
		return fileResponse(req, http.StatusNotFound, nil, nil), nil
	case errors.Is(err, fs.ErrPermission):
		return fileResponse(req, http.StatusForbidden, nil, nil), nil
	case err != nil:
		return nil, fmt.Errorf("fetch: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("fetch: %s is a directory, not a feed file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, t.max+1))
	if err != nil {
		return nil, fmt.Errorf("fetch: read %s: %w", path, err)
	}
	h := http.Header{}
	h.Set("Last-Modified", fi.ModTime().UTC().Format(http.TimeFormat))
	if int64(len(data)) <= t.max {
		etag := fileETag(data)
		h.Set("ETag", etag)
		if etagListed(req.Header.Get("If-None-Match"), etag) {
			return fileResponse(req, http.StatusNotModified, h, nil), nil
		}
	}
	ctype := mime.TypeByExtension(filepath.Ext(path))
	if ctype == "" {
		ctype = http.DetectContentType(data[:min(len(data), 512)])
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	var body io.ReadCloser
	if req.Method == http.MethodGet {
		body = io.NopCloser(bytes.NewReader(data))
	}
	resp := fileResponse(req, http.StatusOK, h, body)
	resp.ContentLength = int64(len(data))
	return resp, nil
}

// openAllowed opens the file at path as a allows it: a file the
// allowance names as it is (the operator named it, whatever links lead to
// it); a file in one of its directories within that directory, so that a
// symbolic link leading out of it is refused with ErrLocalFile, and only
// when it is a regular file (a FIFO would block the open for good).
func openAllowed(a allowance, path string) (*os.File, error) {
	if slices.Contains(a.files, path) {
		return os.Open(path)
	}
	dir := a.dir(path)
	if dir == "" {
		// Client.Do checks first; a request that reached here otherwise
		// was not sent through it.
		return nil, fmt.Errorf("%w: open %s", ErrLocalFile, path)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	name := filepath.Base(path)
	fi, err := root.Stat(name)
	if err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrLocalFile, path)
	}
	var f *os.File
	if err == nil {
		f, err = root.Open(name)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
		// os.Root refuses a link out of dir with an error of its own.
		return nil, fmt.Errorf("%w: %s is outside its source's directory: %w", ErrLocalFile, path, err)
	}
	return f, err
}

// fileETag is the strong validator of a file's content.
func fileETag(data []byte) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// etagListed reports whether an If-None-Match value lists etag (or is
// "*"). The comparison is weak, as If-None-Match requires.
func etagListed(inm, etag string) bool {
	for t := range strings.SplitSeq(inm, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// fileResponse builds the response to a file: request; body nil means
// empty.
func fileResponse(req *http.Request, code int, h http.Header, body io.ReadCloser) *http.Response {
	if h == nil {
		h = http.Header{}
	}
	if body == nil {
		body = http.NoBody
	}
	return &http.Response{
		Status:     strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode: code,
		Proto:      "HTTP/1.0",
		ProtoMajor: 1,
		Header:     h,
		Body:       body,
		Request:    req,
		Close:      true,
	}
}
