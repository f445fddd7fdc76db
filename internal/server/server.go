// Package server serves the published feeds over HTTP: the feeds in every
// format with validators (ETag, Last-Modified) and gzip, an index page, an
// OPML lists of the feeds and of the sources, a health check, Prometheus
// metrics and, when asked for, Go's runtime profiles.
package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/opml"
	"github.com/tributary/tributary/internal/publish"
	"github.com/tributary/tributary/internal/site"
	"github.com/tributary/tributary/internal/status"
)

// Options configure a Server.
type Options struct {
	// Title names the site in the OPML lists and /status (the Publisher
	// has its own, for the HTML pages).
	Title string
	// Publisher renders the feeds.
	Publisher *publish.Publisher
	// Health reports whether the daemon can serve, beyond the store's
	// answering the Publisher (which /healthz always checks); nil adds no
	// check.
	Health func(ctx context.Context) error
	// Status reports every source's state, served at /status when not nil.
	Status func(ctx context.Context) (status.Report, error)
	// Metrics is served at /metrics when not nil, to loopback clients and
	// those of MetricsAllow (see MetricsAllowed); others get 403.
	Metrics http.Handler
	// MetricsAllow lists the networks besides loopback whose clients may
	// read /metrics.
	MetricsAllow []netip.Prefix
	// Pprof serves Go's runtime profiles under /debug/pprof/ (see
	// handlePprof) to the same clients as /metrics; false leaves them
	// out (404).
	Pprof bool
	// Sources are the configured sources, listed at /sources.opml.
	Sources []opml.Source
	Logger  *slog.Logger
}

// Server is the HTTP front of Tributary. It implements http.Handler.
type Server struct {
	opts Options
	mux  *http.ServeMux
	log  *slog.Logger

	gzMu sync.Mutex
	// gzEnc holds, per feed file ("all.atom"), the gzipped body of the
	// rendering last compressed and that rendering's ETag (see gzipped):
	// one entry per configured feed and format.
	gzEnc map[string]gzEntry
	// compressions counts the bodies gzipped (for tests). Guarded by gzMu.
	compressions int
}

// gzEntry is the gzipped body of the rendering whose ETag is etag.
type gzEntry struct {
	etag string
	body []byte
}

// New returns a Server; it does not listen: the caller serves it with an
// http.Server (cmd/tributary's serve).
func New(opts Options) *Server {
	s := &Server{opts: opts, mux: http.NewServeMux(), log: opts.Logger, gzEnc: map[string]gzEntry{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.mux.HandleFunc("GET /feeds/{file}", s.handleFeed)
	s.mux.HandleFunc("GET /feeds/{name}/{$}", s.handleFeedDir)
	s.mux.HandleFunc("GET /feeds/{name}/index.html", s.handleFeedDir)
	s.mux.HandleFunc("GET /feeds/{name}/page/{file}", s.handleStaticPage)
	s.mux.HandleFunc("GET /index.html", s.handleIndex)
	s.mux.HandleFunc("GET /healthz", s.handleHealth)
	s.mux.HandleFunc("GET /feeds.opml", cors(s.handleOPML))
	s.mux.HandleFunc("GET /sources.opml", cors(s.handleSourcesOPML))
	s.mux.HandleFunc("OPTIONS /feeds/{file}", handleFeedPreflight)
	s.mux.HandleFunc("OPTIONS /feeds/{name}/page/{file}", handleFeedPreflight)
	for _, p := range []string{"/feeds.opml", "/sources.opml"} {
		s.mux.HandleFunc("OPTIONS "+p, handlePreflight)
	}
	s.mux.HandleFunc("GET /{$}", s.handleIndex)
	if opts.Status != nil {
		s.mux.HandleFunc("GET /status", s.handleStatus)
	}
	if opts.Metrics != nil {
		s.mux.Handle("GET /metrics", guardMetrics(opts.Metrics, opts.MetricsAllow, metricsForbidden))
	}
	if opts.Pprof {
		s.handlePprof()
	}
	return s
}

// ServeHTTP dispatches a request. GET routes also answer HEAD. Every
// response, errors included, carries the security headers (see
// setSecurityHeaders).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	s.mux.ServeHTTP(w, r)
}

// contentSecurityPolicy is the policy of every response but the pages
// people read, which replace it with site.CSP (their stylesheet and
// images): everything is refused, framing included, for a feed or an error
// opened in a browser.
const contentSecurityPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// setSecurityHeaders sets the headers every response carries, so no route
// can forget them: no content sniffing (a feed or a plain-text error is
// never run as HTML), the policy above, and no Referer sent from the
// index page to the feeds' sites.
func setSecurityHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Referrer-Policy", "no-referrer")
}

// handleFeed serves /feeds/NAME.FORMAT and its pages (?page=N), readable
// from any origin (CORS), and /feeds/NAME, the feed's page to read, which
// is not (see servePage).
func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	name, format := file, publish.HTML
	if dot := strings.LastIndexByte(file, '.'); dot >= 0 {
		f, ok := feeds.ParseFormat(file[dot+1:])
		if !ok || dot == 0 {
			http.NotFound(w, r)
			return
		}
		name, format = file[:dot], f
	}
	n, ok := queryPage(w, r)
	if !ok {
		return
	}
	s.servePage(w, r, name, format, n)
}

// servePage serves page n of feed name in format: its current rendering,
// gzipped when the client accepts it, with its validators and, with a
// WebSub hub, its Link header; 304 to a
// conditional request that matches, 404 for an unknown feed or format or a
// page past the end, 503 when it cannot be rendered.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, name string, format feeds.Format, n int) {
	rend, err := s.opts.Publisher.RenderPage(r.Context(), name, format, n)
	file := name + "." + string(format)
	if n > 1 {
		file += "?page=" + strconv.Itoa(n)
	}
	if format != publish.HTML {
		// A feed is readable from any origin; its HTML page is not.
		setCORS(w.Header())
	}
	if err == nil && format != publish.HTML {
		if link := feedLinkHeader(s.opts.Publisher.Hub(), s.opts.Publisher.PageURL(name, format, n)); link != "" {
			w.Header().Set("Link", link) // on a 304 too: it describes the feed, not the body
		}
	}
	s.serveRendering(w, r, file, n, rend, err)
}

// serveRendering answers with rend, the rendering of page n of file (or
// err).
func (s *Server) serveRendering(w http.ResponseWriter, r *http.Request, file string, n int, rend *publish.Rendering, err error) {
	switch {
	case errors.Is(err, publish.ErrUnknownFeed), errors.Is(err, publish.ErrNoPage):
		http.NotFound(w, r)
		return
	case err != nil && r.Context().Err() != nil:
		return // the client went away; nothing to answer or report
	case errors.Is(err, publish.ErrStoreUnavailable):
		// The publisher logged the outage when it began.
		http.Error(w, "feed unavailable", http.StatusServiceUnavailable)
		return
	case err != nil:
		s.log.Error("render feed", slog.String("feed", file), slog.Any("error", err))
		http.Error(w, "feed unavailable", http.StatusServiceUnavailable)
		return
	}
	gz := acceptsGzip(r)
	etag := rend.ETag
	if gz {
		// Each encoding is its own representation with its own strong
		// validator (RFC 9110 8.8.3); both match a conditional request.
		etag = gzipETag(rend.ETag)
	}
	h := w.Header()
	h.Set("Content-Type", contentType(rend.Format))
	if rend.Format == publish.HTML {
		h.Set("Content-Security-Policy", site.CSP)
	}
	h.Set("ETag", etag)
	if !rend.Modified.After(time.Now()) {
		// A Last-Modified ahead of the clock (for the rest of the second
		// after a change, longer while the feed's served bytes change more
		// than once a second: see publish.Rendering.Modified) must not be
		// sent (RFC 9110 8.8.2.1); the ETag alone validates meanwhile.
		h.Set("Last-Modified", rend.Modified.UTC().Format(http.TimeFormat))
	}
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Vary", "Accept-Encoding")
	if notModified(r, rend) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := rend.Body
	if gz {
		body = s.gzipped(file, rend, n <= publish.CachedPages)
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

// notModified applies RFC 9110's precedence: If-None-Match when present,
// else If-Modified-Since.
//
// handleFeed answers conditional requests itself rather than through
// http.ServeContent, which would change its answers: ServeContent matches
// If-None-Match only against the one ETag of this response, where a feed
// matches the validators of both its encodings, identity and gzip; it
// evaluates If-Modified-Since only when given a modification time, and
// then always sends it as Last-Modified, where a feed withholds a
// Last-Modified ahead of the clock yet still honours If-Modified-Since
// against it; and it adds byte ranges (Accept-Ranges, 206, If-Range) and
// drops Content-Type and Last-Modified from a 304.
func notModified(r *http.Request, rend *publish.Rendering) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(t)
			t = strings.TrimPrefix(t, "W/")
			if t == "*" || t == rend.ETag || t == gzipETag(rend.ETag) {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !rend.Modified.Truncate(time.Second).After(t)
	}
	return false
}

// gzipETag is the validator of the gzip encoding of a rendering.
func gzipETag(etag string) string {
	return strings.TrimSuffix(etag, `"`) + `-gz"`
}

// acceptsGzip reports whether Accept-Encoding allows gzip: named (or
// matched by "*") with a q-value above zero, and not refused by name.
func acceptsGzip(r *http.Request) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		switch name = strings.ToLower(strings.TrimSpace(name)); name {
		case "gzip", "x-gzip":
			gzipQ = q
		case "*":
			starQ = q
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

// gzipped returns rend, the current rendering of the feed file file,
// compressed once per rendering: the entry of a file is replaced when its
// ETag changes, so the map holds one body per configured feed, format and
// page the publisher caches (keep is false for the others, compressed on
// every request). Compression runs outside the lock: one large
// feed does not hold up the others.
func (s *Server) gzipped(file string, rend *publish.Rendering, keep bool) []byte {
	s.gzMu.Lock()
	e, ok := s.gzEnc[file]
	s.gzMu.Unlock()
	if ok && e.etag == rend.ETag {
		return e.body
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	_, _ = zw.Write(rend.Body)
	_ = zw.Close()
	s.gzMu.Lock()
	defer s.gzMu.Unlock()
	s.compressions++
	if !keep {
		return buf.Bytes()
	}
	s.gzEnc[file] = gzEntry{etag: rend.ETag, body: buf.Bytes()}
	return buf.Bytes()
}

// handleHealth answers 200 "ok" when the store answers (the publisher's
// version check, whose success also ends an outage that cached renderings
// were riding out) and opts.Health passes, else 503 with the reason.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	var err error
	if s.opts.Publisher != nil {
		err = s.opts.Publisher.CheckStore(ctx)
	}
	if err == nil && s.opts.Health != nil {
		err = s.opts.Health(ctx)
	}
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "unhealthy: %v\n", err)
		return
	}
	fmt.Fprintln(w, "ok")
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	rend, err := s.opts.Publisher.RenderIndex(r.Context())
	s.serveRendering(w, r, "index.html", 1, rend, err)
}
