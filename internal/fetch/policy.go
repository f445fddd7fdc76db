package fetch

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"time"
)

// Policy is what the requests of one source may do beyond what the
// Client's Options allow every request. Client.For applies it.
type Policy struct {
	// AllowedOrigins are origins the requests may connect to even when
	// they resolve to a non-public address: each a URL
	// ("http://127.0.0.1:8081/feed": scheme, host and port count, the path
	// is ignored; a missing port is the scheme's default) or a bare
	// "host:port". An origin that cannot be parsed allows nothing. Only
	// requests to exactly that host and port benefit; a redirect to any
	// other non-public address is still refused.
	AllowedOrigins []string
	// LocalFiles are the local files the requests may read: file:// URLs
	// or absolute paths. Without one a file: URL is refused, so that a
	// link, a discovered feed or an article URL taken from a document can
	// never make Tributary read a local file: only a source configured as
	// a file can.
	LocalFiles []string
	// LocalDirs are directories whose files the requests may read too
	// (absolute paths or file:// URLs): only files directly in one, not in
	// its subdirectories, and never through a symbolic link that leads
	// out of it. It is how a local source's pages are read: a local feed
	// lists stories whose pages are files beside it.
	LocalDirs []string
	// Headers are set on every request to HeadersOrigin, replacing the
	// request's own values of the same names: credentials
	// ("Authorization: Bearer ...", a Cookie) or what a site asks for.
	// They go to that origin only, on each hop of a redirect that lands
	// there, and never to another host (article pages elsewhere, a
	// redirect away), whatever the header. Headers CheckHeader refuses are
	// left out.
	Headers http.Header
	// HeadersOrigin is the origin Headers go to: an http(s) URL whose
	// scheme, host and port count (the path is ignored). An http origin on
	// the default port also gets them over https on the default port,
	// never the other way round. Without one, Headers go nowhere.
	HeadersOrigin string
	// UserAgent replaces Options.UserAgent on the requests that carry no
	// User-Agent of their own, to any host.
	UserAgent string
	// Timeout replaces Options.Timeout when positive.
	Timeout time.Duration
}

// For returns a Client that sends requests as c does, sharing its options,
// connections and per-host limits, and that also allows what p allows.
// Policies accumulate: c.For(p).For(q) allows what p and q allow and
// sends the headers of both (q's win for the same name and origin); q's
// UserAgent and Timeout, when set, replace p's.
func (c *Client) For(p Policy) *Client {
	cp := *c
	cp.allow = c.allow.with(p)
	return &cp
}

// allowance is a Policy in normal form: origins as host:port (see
// originHostPort), files as cleaned absolute paths (see localPath).
type allowance struct {
	origins []string
	files   []string
	dirs    []string
	// headers are applied in order, so a later Policy's win.
	headers   []originHeaders
	userAgent string
	timeout   time.Duration
}

// with returns a copy of a that also allows what p allows; the parts of p
// that cannot be parsed allow nothing.
func (a allowance) with(p Policy) allowance {
	next := allowance{origins: slices.Clone(a.origins), files: slices.Clone(a.files), dirs: slices.Clone(a.dirs),
		headers: slices.Clone(a.headers), userAgent: a.userAgent, timeout: a.timeout}
	if h := policyHeaders(p.Headers); h != nil {
		if o, ok := parseOrigin(p.HeadersOrigin); ok {
			next.headers = append(next.headers, originHeaders{origin: o, header: h})
		}
	}
	if p.UserAgent != "" && CheckUserAgent(p.UserAgent) == nil {
		next.userAgent = p.UserAgent
	}
	if p.Timeout > 0 {
		next.timeout = p.Timeout
	}
	for _, o := range p.AllowedOrigins {
		if hp, ok := originHostPort(o); ok {
			next.origins = append(next.origins, hp)
		}
	}
	for _, f := range p.LocalFiles {
		if lp := localPath(f); lp != "" {
			next.files = append(next.files, lp)
		}
	}
	for _, d := range p.LocalDirs {
		if lp := localPath(d); lp != "" {
			next.dirs = append(next.dirs, lp)
		}
	}
	return next
}

// origin reports whether a allows connecting to hostPort (normal form).
func (a allowance) origin(hostPort string) bool {
	return slices.Contains(a.origins, hostPort)
}

// file reports whether a allows reading the file of u: a file it names,
// or one directly in a directory it names (which the file transport opens
// within that directory, see fileTransport).
func (a allowance) file(u *url.URL) bool {
	p := localPath(u.String())
	return slices.Contains(a.files, p) || a.dir(p) != ""
}

// dir returns the directory of a that holds the file at path (a cleaned
// absolute path) directly, or "" when none does. path is cleaned, so a
// ".." cannot lead out of the directory; a symbolic link can, which is why
// such a file is opened within its directory (os.OpenInRoot).
func (a allowance) dir(path string) string {
	if path == "" || path == "/" {
		return ""
	}
	if d := filepath.Dir(path); slices.Contains(a.dirs, d) {
		return d
	}
	return ""
}

// allowanceKey is the context key of the allowance of a request in
// flight. Do sets it from the Client the request was sent through, the
// way it sets the deadline: the hops of a redirect and the dialer of the
// shared transports see nothing else of that Client.
type allowanceKey struct{}

// allowed returns the allowance Do set on ctx.
func allowed(ctx context.Context) allowance {
	a, _ := ctx.Value(allowanceKey{}).(allowance)
	return a
}
