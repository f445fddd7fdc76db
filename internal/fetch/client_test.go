package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// newClient returns a client for opts, closed at the end of the test.
func newClient(t testing.TB, opts Options) *Client {
	t.Helper()
	c := New(opts)
	t.Cleanup(c.Close)
	return c
}

// get performs a GET of rawURL with ctx and extra headers and reads the
// whole body. err is the error of Do or of reading the body.
func get(t testing.TB, ctx context.Context, c *Client, rawURL string, hdr http.Header) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// private are options for tests of behaviour other than the address
// policy: httptest servers live on 127.0.0.1.
func private(o Options) Options {
	o.AllowPrivateNetworks = true
	return o
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("User-Agent"))
	}))
	t.Cleanup(srv.Close)

	tests := []struct {
		name   string
		optUA  string
		reqUA  string
		wantUA string
	}{
		{"default", "", "", DefaultUserAgent},
		{"configured", "Tributary/1.2.3 (+https://example.org)", "", "Tributary/1.2.3 (+https://example.org)"},
		{"request wins", "Tributary/1.2.3 (+https://example.org)", "Custom/1", "Custom/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, private(Options{UserAgent: tt.optUA}))
			hdr := http.Header{}
			if tt.reqUA != "" {
				hdr.Set("User-Agent", tt.reqUA)
			}
			_, b, err := get(t, t.Context(), c, srv.URL, hdr)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.wantUA {
				t.Errorf("server saw User-Agent %q, want %q", b, tt.wantUA)
			}
		})
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	// /chain/N redirects N times before answering.
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			io.WriteString(w, "arrived")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/tofile", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/hostname", http.StatusFound)
	})
	mux.HandleFunc("/toftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.org/x", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	tests := []struct {
		name    string
		path    string
		opts    Options
		want    string
		wantErr error // nil: success expected; errAny: any error
	}{
		{"ten hops", "/chain/10", Options{}, "arrived", nil},
		{"eleven hops", "/chain/11", Options{}, "", ErrTooManyRedirects},
		{"loop", "/loop", Options{}, "", ErrTooManyRedirects},
		{"custom limit", "/chain/3", Options{MaxRedirects: 2}, "", ErrTooManyRedirects},
		{"to file", "/tofile", Options{}, "", errAny},
		{"to ftp", "/toftp", Options{}, "", errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, private(tt.opts))
			resp, b, err := get(t, t.Context(), c, srv.URL+tt.path, nil)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr == nil:
				if string(b) != tt.want {
					t.Errorf("body %q, want %q", b, tt.want)
				}
			case err == nil:
				t.Fatalf("got status %d body %q, want an error", resp.StatusCode, b)
			case tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			if err != nil && resp != nil {
				t.Errorf("response returned together with error %v", err)
			}
		})
	}

	t.Run("follow none", func(t *testing.T) {
		c := newClient(t, private(Options{MaxRedirects: -1}))
		resp, _, err := get(t, t.Context(), c, srv.URL+"/chain/1", nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/chain/0" {
			t.Errorf("got %d Location %q, want the 302 itself", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// errAny marks a test case expecting an error of any kind.
var errAny = errors.New("any error")

func TestTimeoutCutsSlowBody(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		w.WriteHeader(http.StatusOK)
		for {
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}))
	t.Cleanup(srv.Close)

	c := newClient(t, private(Options{Timeout: 700 * time.Millisecond}))
	resp, b, err := get(t, t.Context(), c, srv.URL, nil)
	if err == nil {
		t.Fatalf("read %d bytes without error", len(b))
	}
	if resp == nil {
		t.Fatalf("Do failed (%v); the headers came at once, the body read should fail", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want one matching context.DeadlineExceeded", err)
	}
	if len(b) == 0 {
		t.Errorf("no byte read before the cut; the server sent one at once")
	}
}

func TestHeaderTimeout(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) })

	c := newClient(t, private(Options{HeaderTimeout: 200 * time.Millisecond, Timeout: time.Minute}))
	_, _, err := get(t, t.Context(), c, srv.URL, nil)
	if err == nil {
		t.Fatal("request without response headers succeeded")
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("error %v is not a timeout", err)
	}
	if strings.Contains(err.Error(), "request exceeded timeout") {
		t.Errorf("error %v came from the overall timeout, want the header timeout", err)
	}
	if !strings.Contains(err.Error(), "awaiting response headers") {
		t.Errorf("error %q does not say it was waiting for headers", err)
	}
}

func TestPerHostLimit(t *testing.T) {
	t.Parallel()
	const limit, requests = 2, 6
	var (
		mu            sync.Mutex
		inFlight, top int
		arrived       int
		pair          = make(chan struct{}) // closed once `limit` requests arrived
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		top = max(top, inFlight)
		arrived++
		if arrived == limit {
			close(pair)
		}
		mu.Unlock()
		// Hold until the limit was reached at least once, so the test
		// also proves that `limit` requests do run side by side, then
		// linger so that excess requests would overlap.
		select {
		case <-pair:
		case <-r.Context().Done():
		}
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		io.WriteString(w, "ok") // after the decrement: the client cannot finish first
	}))
	t.Cleanup(srv.Close)

	c := newClient(t, private(Options{PerHostConcurrency: limit, Timeout: 30 * time.Second}))
	var wg sync.WaitGroup
	errs := make(chan error, requests)
	for range requests {
		wg.Go(func() {
			_, _, err := get(t, t.Context(), c, srv.URL, nil)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("request failed: %v", err)
		}
	}
	if top > limit {
		t.Errorf("server saw %d requests in flight, limit is %d", top, limit)
	}
	if arrived != requests {
		t.Errorf("server saw %d requests, want %d", arrived, requests)
	}
}

func TestHostSlotReleased(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close() // its port now refuses connections

	// With one slot per host, any slot not given back makes a later
	// request wait until its context ends.
	c := newClient(t, private(Options{PerHostConcurrency: 1}))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	steps := []struct {
		name string
		do   func() error
	}{
		{"body closed after reading", func() error { _, _, err := get(t, ctx, c, srv.URL, nil); return err }},
		{"error status", func() error { _, _, err := get(t, ctx, c, srv.URL+"/missing", nil); return err }},
		{"connection refused", func() error {
			if _, _, err := get(t, ctx, c, closedURL, nil); err == nil {
				return errors.New("request to a closed port succeeded")
			}
			return nil
		}},
		{"body closed unread", func() error {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			resp, err := c.Do(req)
			if err != nil {
				return err
			}
			return errors.Join(resp.Body.Close(), resp.Body.Close())
		}},
		{"body never closed, context canceled", func() error {
			rctx, rcancel := context.WithCancel(ctx)
			req, _ := http.NewRequestWithContext(rctx, http.MethodGet, srv.URL, nil)
			_, err := c.Do(req)
			rcancel()
			return err
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if _, _, err := get(t, ctx, c, srv.URL, nil); err != nil {
			t.Fatalf("request after %q: %v (slot not released?)", s.name, err)
		}
	}
}

func TestTimeoutStartsWithSlot(t *testing.T) {
	t.Parallel()
	const timeout = time.Second
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(timeout / 2)
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)

	c := newClient(t, private(Options{PerHostConcurrency: 1, Timeout: timeout}))
	// The first request keeps the only slot until its own timeout ends it.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	first, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Body.Close()
	// The second waits about one timeout for the slot, then needs half a
	// timeout more: it succeeds only if the wait is not counted.
	ctx, cancel := context.WithTimeout(t.Context(), 10*timeout) // fail, not hang, if never released
	defer cancel()
	_, b, err := get(t, ctx, c, srv.URL+"/slow", nil)
	if err != nil || string(b) != "ok" {
		t.Errorf("queued request: got %q, %v; want ok", b, err)
	}
}

func TestNotModifiedPassesThrough(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Encoding", "gzip") // must not make an empty 304 fail
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, "full")
	}))
	t.Cleanup(srv.Close)

	c := newClient(t, private(Options{}))
	resp, b, err := get(t, t.Context(), c, srv.URL, http.Header{"If-None-Match": {`"v1"`}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNotModified || len(b) != 0 || resp.Header.Get("ETag") != `"v1"` {
		t.Errorf("got %d body %q ETag %q, want an untouched 304", resp.StatusCode, b, resp.Header.Get("ETag"))
	}
}

func TestFileURL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "feed.xml")
	const content = "<rss version=\"2.0\"><channel><title>local</title></channel></rss>"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	u := "file://" + filepath.ToSlash(path)
	// Only files the caller names may be read (a configured file source).
	base := newClient(t, Options{}) // the address policy does not apply to files
	c := base.For(Policy{LocalFiles: []string{u}}).For(Policy{LocalFiles: []string{filepath.Join(dir, "nope.xml")}})
	first, _, err := get(t, t.Context(), c, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	etag := first.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
		t.Fatalf("ETag %q, want a strong validator", etag)
	}
	if lm := first.Header.Get("Last-Modified"); lm != mtime.Format(http.TimeFormat) {
		t.Errorf("Last-Modified %q, want %q", lm, mtime.Format(http.TimeFormat))
	}
	tests := []struct {
		name       string
		url        string
		hdr        http.Header
		wantStatus int
		wantBody   string
	}{
		{"full", u, nil, http.StatusOK, content},
		{"not modified", u, http.Header{"If-None-Match": {`"other", ` + etag}}, http.StatusNotModified, ""},
		{"other validator", u, http.Header{"If-None-Match": {`"other"`}}, http.StatusOK, content},
		// The modification time is too coarse to prove the bytes unchanged.
		{"if-modified-since alone", u, http.Header{"If-Modified-Since": {mtime.Format(http.TimeFormat)}}, http.StatusOK, content},
		{"missing", "file://" + filepath.ToSlash(filepath.Join(dir, "nope.xml")), nil, http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, b, err := get(t, t.Context(), c, tt.url, tt.hdr)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus != http.StatusNotFound && string(b) != tt.wantBody {
				t.Errorf("body %q, want %q", b, tt.wantBody)
			}
		})
	}

	t.Run("rewritten within the same second", func(t *testing.T) {
		// Same size, same modification time, other bytes: not the
		// validator the caller holds.
		changed := strings.Replace(content, "local", "LOCAL", 1)
		other := filepath.Join(dir, "rewritten.xml")
		if err := os.WriteFile(other, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(other, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		ou := "file://" + filepath.ToSlash(other)
		oc := base.For(Policy{LocalFiles: []string{ou}})
		resp, _, err := get(t, t.Context(), oc, ou, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(other, []byte(changed), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(other, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		hdr := http.Header{"If-None-Match": {resp.Header.Get("ETag")}, "If-Modified-Since": {resp.Header.Get("Last-Modified")}}
		resp, b, err := get(t, t.Context(), oc, ou, hdr)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || string(b) != changed {
			t.Fatalf("status %d, body %q; want 200 with the new content", resp.StatusCode, b)
		}
	})

	t.Run("size cap", func(t *testing.T) {
		small := newClient(t, Options{MaxBodySize: 10}).For(Policy{LocalFiles: []string{u}})
		_, _, err := get(t, t.Context(), small, u, nil)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("error %v, want ErrTooLarge", err)
		}
	})

	t.Run("not allowed", func(t *testing.T) {
		for _, nc := range []*Client{base, base.For(Policy{LocalFiles: []string{filepath.Join(dir, "other.xml")}})} {
			if _, _, err := get(t, t.Context(), nc, u, nil); !errors.Is(err, ErrLocalFile) {
				t.Errorf("error %v, want ErrLocalFile", err)
			}
		}
		if _, _, err := get(t, t.Context(), c, "file:///etc/passwd", nil); !errors.Is(err, ErrLocalFile) {
			t.Errorf("/etc/passwd: error %v, want ErrLocalFile", err)
		}
	})
}

func TestConnectionResetMidBody(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
		buf.WriteString(strings.Repeat("a", 1000))
		buf.Flush()
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // close with RST
		}
		conn.Close()
	}))
	t.Cleanup(srv.Close)

	c := newClient(t, private(Options{}))
	resp, b, err := get(t, t.Context(), c, srv.URL, nil)
	if resp == nil {
		t.Fatalf("Do failed (%v); the headers were complete", err)
	}
	if err == nil {
		t.Fatalf("read %d of 100000 bytes without error", len(b))
	}
}

func TestUnsupportedScheme(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	for _, u := range []string{"ftp://example.org/feed", "gopher://example.org/", "file://otherhost/etc/hostname"} {
		if _, _, err := get(t, t.Context(), c, u, nil); err == nil {
			t.Errorf("GET %s succeeded", u)
		}
	}
}

// BenchmarkDo measures one small GET over loopback, body read and closed:
// through Client (plain and gzip-encoded), and through a bare http.Client
// for comparison. Server-side allocations are included in all three.
func BenchmarkDo(b *testing.B) {
	payload := []byte(strings.Repeat("<item><title>hello</title></item>\n", 60)) // ~2 KiB
	zipped := gzipBytes(b, payload)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gzip" {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(zipped)
			return
		}
		w.Write(payload)
	}))
	b.Cleanup(srv.Close)
	c := newClient(b, private(Options{PerHostConcurrency: 8}))
	std := &http.Client{}
	b.Cleanup(std.CloseIdleConnections)

	for _, bc := range []struct {
		name string
		path string
		do   func(*http.Request) (*http.Response, error)
	}{
		{"fetch", "/", c.Do},
		{"fetch-gzip", "/gzip", c.Do},
		{"stdlib", "/", std.Do},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+bc.path, nil)
				resp, err := bc.do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || n != int64(len(payload)) {
					b.Fatalf("read %d bytes, %v; want %d", n, err, len(payload))
				}
			}
		})
	}
}

// A local source may be called index.html (a file server would redirect it
// to "./"), and a directory is an error, never a listing.
func TestLocalFileNamedIndexAndDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "site", "index.html")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	const page = `<html><head><title>Local</title></head><body><p>Hello</p></body></html>`
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, Options{})
	u := "file://" + filepath.ToSlash(path)
	resp, b, err := get(t, t.Context(), c.For(Policy{LocalFiles: []string{u}}), u, nil)
	if err != nil {
		t.Fatalf("index.html: %v", err)
	}
	if resp.StatusCode != http.StatusOK || string(b) != page {
		t.Fatalf("index.html: status %d, body %q", resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want text/html", ct)
	}
	if resp.Header.Get("Last-Modified") == "" {
		t.Error("no Last-Modified")
	}
	d := "file://" + filepath.ToSlash(filepath.Dir(path))
	if _, b, err := get(t, t.Context(), c.For(Policy{LocalFiles: []string{d}}), d, nil); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("directory: error %v, body %q; want a clear error", err, b)
	}
}
