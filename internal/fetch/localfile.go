package fetch

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"slices"
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
