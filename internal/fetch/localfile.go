package fetch

import (
	"context"
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
	"time"
)

// ErrLocalFile is returned for a file: URL that the request's context does
// not allow (see WithLocalFile).
var ErrLocalFile = errors.New("fetch: local file not configured as a source")

type filesKey struct{}

// WithLocalFile returns a copy of ctx that lets requests made with it read
// the local file at raw (a file:// URL or an absolute path). Without it a
// file: URL is refused, so that a link, a discovered feed or an article URL
// taken from a document can never make Tributary read a local file: only a
// source configured as a file can. Calls accumulate.
func WithLocalFile(ctx context.Context, raw string) context.Context {
	p := localPath(raw)
	if p == "" {
		return ctx
	}
	prev, _ := ctx.Value(filesKey{}).([]string)
	return context.WithValue(ctx, filesKey{}, append(slices.Clip(prev), p))
}

// localFileAllowed reports whether ctx allows reading the file of u.
func localFileAllowed(ctx context.Context, u *url.URL) bool {
	allowed, _ := ctx.Value(filesKey{}).([]string)
	return slices.Contains(allowed, localPath(u.String()))
}

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
// like a static file server: Last-Modified, If-Modified-Since (304),
// Content-Type from the extension or the first bytes, 404 for a missing
// file. Unlike http.NewFileTransport it serves the file named, whatever it
// is called (a file server redirects ".../index.html" to "./") and never
// lists a directory.
type fileTransport struct{}

func (fileTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return fileResponse(req, http.StatusMethodNotAllowed, nil, nil), nil
	}
	path := localPath(req.URL.String())
	if path == "" {
		return nil, fmt.Errorf("fetch: %s is not a local file URL", req.URL.Redacted())
	}
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fileResponse(req, http.StatusNotFound, nil, nil), nil
	case errors.Is(err, fs.ErrPermission):
		return fileResponse(req, http.StatusForbidden, nil, nil), nil
	case err != nil:
		return nil, fmt.Errorf("fetch: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("fetch: %w", err)
	}
	if fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("fetch: %s is a directory, not a feed file", path)
	}
	mod := fi.ModTime().UTC().Truncate(time.Second)
	h := http.Header{}
	h.Set("Last-Modified", mod.Format(http.TimeFormat))
	if ims, err := http.ParseTime(req.Header.Get("If-Modified-Since")); err == nil && !mod.After(ims) {
		f.Close()
		return fileResponse(req, http.StatusNotModified, h, nil), nil
	}
	ctype := mime.TypeByExtension(filepath.Ext(path))
	if ctype == "" {
		var head [512]byte
		n, _ := io.ReadFull(f, head[:])
		ctype = http.DetectContentType(head[:n])
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("fetch: %w", err)
		}
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
	if req.Method == http.MethodHead {
		f.Close()
		resp := fileResponse(req, http.StatusOK, h, nil)
		resp.ContentLength = fi.Size()
		return resp, nil
	}
	resp := fileResponse(req, http.StatusOK, h, f)
	resp.ContentLength = fi.Size()
	return resp, nil
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
