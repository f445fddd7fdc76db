package fetch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tributary/tributary/internal/redact"
)

// DefaultUserAgent is sent when Options.UserAgent is empty.
const DefaultUserAgent = "Tributary/dev (+https://github.com/tributary/tributary)"

// Defaults for the zero values of Options.
const (
	DefaultTimeout            = 20 * time.Second
	DefaultConnectTimeout     = 10 * time.Second
	DefaultHeaderTimeout      = 15 * time.Second
	DefaultMaxBodySize        = 15 << 20
	DefaultMaxRedirects       = 10
	DefaultPerHostConcurrency = 2
)

// Options configures a Client. A zero field takes its default.
type Options struct {
	// Timeout bounds a whole request, redirects and body read included,
	// counted from the moment a per-host slot is obtained. Default 20s.
	Timeout time.Duration
	// ConnectTimeout bounds establishing a TCP connection, and separately
	// the TLS handshake. Default 10s.
	ConnectTimeout time.Duration
	// HeaderTimeout bounds the wait for response headers once the request
	// is sent. Default 15s.
	HeaderTimeout time.Duration
	// MaxBodySize caps a response body, counted after decompression; reads
	// beyond it fail with ErrTooLarge. Default 15 MiB.
	MaxBodySize int64
	// MaxRedirects is how many redirects a request may follow before Do
	// fails with ErrTooManyRedirects. Default 10; negative follows none and
	// returns the redirect response itself.
	MaxRedirects int
	// PerHostConcurrency is how many requests may be in flight to one host
	// name at once. Default 2.
	PerHostConcurrency int
	// UserAgent is sent on requests without a User-Agent header, typically
	// "Tributary/VERSION (+URL)". Default DefaultUserAgent.
	UserAgent string
	// AllowPrivateNetworks turns the address policy off: any address may be
	// dialed. For operators whose sources all live on an internal network.
	AllowPrivateNetworks bool
	// AllowedOrigins are origins ("http://10.0.0.5:8080" or "host:port")
	// every request may connect to even when they are not public, as if
	// every Client were For a Policy allowing them.
	AllowedOrigins []string
	// Proxy, when set, is the http or https proxy every http(s) request
	// goes through (the environment's HTTP_PROXY and the like are never
	// read): plain http requests are forwarded to it, https ones tunneled
	// with CONNECT. Credentials in its userinfo are sent to the proxy as
	// Proxy-Authorization and shown masked. With a proxy the client dials
	// the proxy's address and nothing else, so the address policy applies
	// to the proxy (whose own origin is allowed, wherever it is) and the
	// destination's address is the proxy's to judge: the client only
	// refuses, before sending, destinations written as a non-public IP
	// address or named localhost, which it can tell without resolving.
	// See the package comment.
	Proxy *url.URL
	// Logger receives debug events (redirects followed). Optional.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = DefaultHeaderTimeout
	}
	if o.MaxBodySize <= 0 {
		o.MaxBodySize = DefaultMaxBodySize
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.PerHostConcurrency <= 0 {
		o.PerHostConcurrency = DefaultPerHostConcurrency
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Client is the polite HTTP client described in the package comment. It is
// safe for concurrent use; share one per process.
type Client struct {
	opts Options
	// allow is what this Client's requests may do beyond the address
	// policy: Options.AllowedOrigins, and the Policies it was made For.
	allow   allowance
	limiter *hostLimiter
	// public dials public addresses only (any address when
	// AllowPrivateNetworks). origin carries requests whose host:port is an
	// allowed origin; keeping its connections apart means a connection
	// opened for an allowed origin is never reused by a request that is not
	// allowed there. origin is nil when AllowPrivateNetworks.
	public *http.Transport
	origin *http.Transport
	// proxied is set when Options.Proxy is: public then dials the proxy
	// only, and origin is nil.
	proxied bool
	files   http.RoundTripper
	hc      *http.Client
}

// New returns a Client for opts. It has no side effects: connections are
// made on demand.
func New(opts Options) *Client {
	opts = opts.withDefaults()
	c := &Client{
		opts:    opts,
		limiter: newHostLimiter(opts.PerHostConcurrency),
		files:   fileTransport{max: opts.MaxBodySize},
	}
	c.allow = c.allow.with(Policy{AllowedOrigins: opts.AllowedOrigins})
	publicDialer := &net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second}
	if opts.Proxy != nil {
		c.proxied = true
		c.public = c.newProxyTransport(opts.Proxy, publicDialer)
		c.hc = &http.Client{Transport: roundTripper{c}, CheckRedirect: c.checkRedirect}
		return c
	}
	if opts.AllowPrivateNetworks {
		c.public = c.newTransport(publicDialer.DialContext)
	} else {
		publicDialer.ControlContext = checkDial
		c.public = c.newTransport(publicDialer.DialContext)
		anyDialer := &net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second}
		c.origin = c.newTransport(func(ctx context.Context, network, addr string) (net.Conn, error) {
			// Requests are routed here only for allowed origins; check
			// again in case that ever changes.
			if allowed(ctx).origin(addrHostPort(addr)) {
				return anyDialer.DialContext(ctx, network, addr)
			}
			return publicDialer.DialContext(ctx, network, addr)
		})
	}
	c.hc = &http.Client{Transport: roundTripper{c}, CheckRedirect: c.checkRedirect}
	return c
}

func (c *Client) newTransport(dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Transport {
	return &http.Transport{
		// No proxy from the environment: the address policy must judge
		// the real destination. newProxyTransport sets Options.Proxy.
		Proxy:               nil,
		DialContext:         dial,
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: c.opts.ConnectTimeout,
		// The wait for response headers is bounded per request, by
		// awaitHeaders: it depends on the Policy.
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   c.opts.PerHostConcurrency,
		IdleConnTimeout:       90 * time.Second,
		// Decompression is done by body, so that the size cap counts
		// decoded bytes.
		DisableCompression: true,
	}
}

// Close closes idle connections. The Client stays usable.
func (c *Client) Close() {
	c.public.CloseIdleConnections()
	if c.origin != nil {
		c.origin.CloseIdleConnections()
	}
}

// Do sends req and returns its response, with the contract of
// http.Client.Do: on success the caller must close resp.Body; a non-2xx
// status is not an error. The request's context bounds the whole exchange,
// together with Options.Timeout. Errors wrap ErrTooManyRedirects,
// ErrBlockedAddress, or context.DeadlineExceeded when the timeout fired;
// reads of resp.Body past Options.MaxBodySize fail with ErrTooLarge. When
// the body was gzip or deflate encoded, it is returned decoded and the
// Content-Encoding and Content-Length headers are removed. req is not
// modified.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if req == nil || req.URL == nil {
		return nil, errors.New("fetch: do: nil request or URL")
	}
	switch req.URL.Scheme {
	case "http", "https":
	case "file":
		if h := req.URL.Host; h != "" && h != "localhost" {
			return nil, fmt.Errorf("fetch: do %s: file URL with a remote host", redact.URL(req.URL.String()))
		}
		if !c.allow.file(req.URL) {
			return nil, fmt.Errorf("fetch: do %s: %w", redact.URL(req.URL.String()), ErrLocalFile)
		}
	default:
		return nil, fmt.Errorf("fetch: do %s: unsupported scheme %q", redact.URL(req.URL.String()), req.URL.Scheme)
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	dl := &deadline{d: cmp.Or(c.allow.timeout, c.opts.Timeout), cancel: cancel}
	ctx = context.WithValue(ctx, deadlineKey{}, dl)
	ctx = context.WithValue(ctx, allowanceKey{}, c.allow)
	r := req.Clone(ctx)
	if r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", cmp.Or(c.allow.userAgent, c.opts.UserAgent))
	}
	if r.URL.Scheme != "file" && r.Header.Get("Accept-Encoding") == "" {
		r.Header.Set("Accept-Encoding", "gzip, deflate")
	}

	resp, err := c.hc.Do(r)
	if err != nil {
		dl.stop()
		if ctx.Err() != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				ue.Err = context.Cause(ctx)
			}
		}
		cancel(nil)
		if resp != nil {
			resp.Body.Close() // already closed by http.Client; be sure
		}
		// net/http masks only the password of the URL it names, and quotes
		// a bad redirect's Location as it came.
		return nil, redact.Error(err)
	}

	enc := contentEncoding(resp, r.Method)
	if enc != "" {
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	resp.Body = &body{
		ctx:      ctx,
		raw:      resp.Body,
		encoding: enc,
		left:     c.opts.MaxBodySize,
		max:      c.opts.MaxBodySize,
		url:      resp.Request.URL,
		onClose: func() {
			dl.stop()
			cancel(nil)
		},
	}
	return resp, nil
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if c.opts.MaxRedirects < 0 {
		return http.ErrUseLastResponse
	}
	if len(via) > c.opts.MaxRedirects {
		return fmt.Errorf("fetch: stopped after %d redirects: %w", c.opts.MaxRedirects, ErrTooManyRedirects)
	}
	if s := req.URL.Scheme; s != "http" && s != "https" {
		return fmt.Errorf("fetch: refusing redirect to %q scheme", s)
	}
	c.opts.Logger.LogAttrs(req.Context(), slog.LevelDebug, "fetch redirect",
		slog.String("from", redact.URL(via[len(via)-1].URL.String())),
		slog.String("to", redact.URL(req.URL.String())))
	return nil
}

// roundTripper is the http.Client's transport: one hop of a request, with
// the host slot, the timeout start and the address-policy routing.
type roundTripper struct{ c *Client }

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	c := rt.c
	ctx := req.Context()
	dl, _ := ctx.Value(deadlineKey{}).(*deadline)
	switch req.URL.Scheme {
	case "http", "https":
	case "file":
		if req.Response != nil {
			return nil, errors.New("fetch: refusing redirect to a file URL")
		}
		dl.start()
		return c.files.RoundTrip(req)
	default:
		return nil, fmt.Errorf("fetch: unsupported scheme %q", req.URL.Scheme)
	}

	if c.proxied {
		if err := c.checkProxied(ctx, req.URL); err != nil {
			return nil, err
		}
	}
	// Per hop: the headers of a source go to its origin only, wherever
	// the redirects lead.
	req = allowed(ctx).withHeaders(req)
	release, err := c.limiter.acquire(ctx, hostKey(req.URL))
	if err != nil {
		return nil, err
	}
	dl.start()
	t := c.public
	if c.origin != nil && allowed(ctx).origin(urlHostPort(req.URL)) {
		t = c.origin
	}
	resp, done, err := c.awaitHeaders(t, req)
	if err != nil {
		release()
		return nil, err
	}
	// Give the slot back when the body is closed, or at the latest when
	// the request ends (timeout, cancellation), so a forgotten Close
	// cannot block a host for good.
	stop := context.AfterFunc(ctx, release)
	resp.Body = &releaseBody{ReadCloser: resp.Body, release: func() {
		stop()
		release()
		done()
	}}
	return resp, nil
}

// awaitHeaders sends one hop through t and waits for its response
// headers at most Options.HeaderTimeout once the request is written, or
// the Policy's timeout when that is longer: a source given more time for
// a slow site gets it for a slow first byte too. done releases the hop's
// context once the body is no longer read.
func (c *Client) awaitHeaders(t http.RoundTripper, req *http.Request) (resp *http.Response, done func(), err error) {
	wait := max(c.opts.HeaderTimeout, allowed(req.Context()).timeout)
	ctx, cancel := context.WithCancelCause(req.Context())
	var (
		mu      sync.Mutex
		timer   *time.Timer
		stopped bool
	)
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) {
		mu.Lock()
		defer mu.Unlock()
		if !stopped && timer == nil {
			timer = time.AfterFunc(wait, func() { cancel(headerTimeoutError(wait)) })
		}
	}}
	resp, err = t.RoundTrip(req.WithContext(httptrace.WithClientTrace(ctx, trace)))
	mu.Lock()
	stopped = true
	if timer != nil {
		timer.Stop()
	}
	mu.Unlock()
	if err != nil {
		var hte headerTimeoutError
		if cause := context.Cause(ctx); errors.As(cause, &hte) {
			err = cause
		}
		cancel(nil)
		return nil, nil, err
	}
	return resp, func() { cancel(nil) }, nil
}

// hostKey is the name the per-host limit counts by.
func hostKey(u *url.URL) string {
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

// releaseBody runs release once the body is closed.
type releaseBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

// deadlineKey is the context key of a request's *deadline.
type deadlineKey struct{}

// deadline is Options.Timeout for one request. It starts when the first
// host slot is obtained rather than when Do is called, so that waiting
// politely behind other requests to the same host does not eat the budget.
type deadline struct {
	d      time.Duration
	cancel context.CancelCauseFunc

	mu      sync.Mutex
	timer   *time.Timer
	stopped bool
}

func (d *deadline) start() {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer == nil && !d.stopped {
		d.timer = time.AfterFunc(d.d, func() { d.cancel(timeoutError(d.d)) })
	}
}

func (d *deadline) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	if d.timer != nil {
		d.timer.Stop()
	}
}
