package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// secret is the credential the tests send; no error may quote it.
const secret = "Bearer s3cr3t-TOKEN"

// seenHeaders records the headers of the requests a server received.
type seenHeaders struct {
	mu   sync.Mutex
	reqs []http.Header
}

func (s *seenHeaders) add(h http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, h.Clone())
}

func (s *seenHeaders) all() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]http.Header(nil), s.reqs...)
}

// authServer answers 401 unless the request carries secret and the
// X-Api-Key; /away redirects to the URL in the "to" query parameter.
func authServer(t *testing.T) (*httptest.Server, *seenHeaders) {
	t.Helper()
	seen := &seenHeaders{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.add(r.Header)
		if to := r.URL.Query().Get("to"); to != "" {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		if r.Header.Get("Authorization") != secret || r.Header.Get("X-Api-Key") != "k-123" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "ok "+r.Header.Get("Accept"))
	}))
	t.Cleanup(srv.Close)
	return srv, seen
}

func TestPolicyHeadersGoToTheOriginOnly(t *testing.T) {
	t.Parallel()
	origin, originSeen := authServer(t)
	other, otherSeen := authServer(t) // same host, another port: another origin
	c := newClient(t, private(Options{})).For(Policy{
		Headers:       http.Header{"Authorization": {secret}, "x-api-key": {"k-123"}, "Accept": {"application/rss+xml"}},
		HeadersOrigin: origin.URL + "/feed",
	})

	t.Run("the origin gets them, replacing the request's own", func(t *testing.T) {
		resp, body, err := get(t, t.Context(), c, origin.URL+"/feed", http.Header{"Accept": {"text/html"}})
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET origin: %v %v %q", err, resp, body)
		}
		if string(body) != "ok application/rss+xml" {
			t.Errorf("body %q: the policy's Accept did not replace the request's", body)
		}
	})
	t.Run("another origin does not", func(t *testing.T) {
		resp, _, err := get(t, t.Context(), c, other.URL+"/page", nil)
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("GET other: %v %v, want 401", err, resp)
		}
	})
	t.Run("a redirect away does not carry them", func(t *testing.T) {
		resp, _, err := get(t, t.Context(), c, origin.URL+"/feed?to="+url.QueryEscape(other.URL+"/landed"), nil)
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("GET redirected away: %v %v, want 401 from the other origin", err, resp)
		}
	})
	t.Run("a redirect back to the origin does", func(t *testing.T) {
		resp, _, err := get(t, t.Context(), c, other.URL+"/go?to="+url.QueryEscape(origin.URL+"/feed"), nil)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET redirected to the origin: %v %v, want 200", err, resp)
		}
	})
	for _, h := range otherSeen.all() {
		if h.Get("Authorization") != "" || h.Get("X-Api-Key") != "" {
			t.Errorf("the other origin received the source's headers: %v", h)
		}
	}
	if len(originSeen.all()) == 0 {
		t.Error("the origin received nothing")
	}
	if h := New(private(Options{})); h.allow.headers != nil {
		t.Error("For changed the client it was made from")
	}
}

func TestPolicyHeadersWithoutOriginGoNowhere(t *testing.T) {
	t.Parallel()
	srv, seen := authServer(t)
	c := newClient(t, private(Options{})).For(Policy{Headers: http.Header{"Authorization": {secret}}})
	if _, _, err := get(t, t.Context(), c, srv.URL, nil); err != nil {
		t.Fatal(err)
	}
	for _, h := range seen.all() {
		if h.Get("Authorization") != "" {
			t.Errorf("headers sent without an origin: %v", h)
		}
	}
}

func TestOriginServes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		origin, url string
		want        bool
	}{
		{"https://example.org/feed", "https://example.org/other", true},
		{"https://Example.org.:443/feed", "https://example.org/other", true},
		{"http://example.org/feed", "https://example.org/feed", true}, // upgraded
		{"http://example.org:80", "https://example.org:443/", true},
		{"https://example.org/feed", "http://example.org/feed", false}, // never in clear
		{"http://example.org:8080/feed", "https://example.org:8443/feed", false},
		{"http://example.org:8080/feed", "https://example.org/feed", false},
		{"https://example.org/", "https://www.example.org/", false},
		{"https://example.org/", "https://example.org.evil.test/", false},
		{"https://example.org/", "https://example.org:8443/", false},
		{"http://[::1]:8080/", "http://[::1]:8080/x", true},
	}
	for _, tt := range tests {
		o, ok := parseOrigin(tt.origin)
		if !ok {
			t.Fatalf("parseOrigin(%q) failed", tt.origin)
		}
		u, _ := url.Parse(tt.url)
		if got := o.serves(u); got != tt.want {
			t.Errorf("origin %s serves %s = %t, want %t", tt.origin, tt.url, got, tt.want)
		}
	}
	for _, bad := range []string{"", "example.org", "ftp://example.org/", "file:///srv/feed.xml", "http://"} {
		if _, ok := parseOrigin(bad); ok {
			t.Errorf("parseOrigin(%q) accepted", bad)
		}
	}
}

func TestCheckHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string
		problem     string // "" when accepted
	}{
		{"Authorization", secret, ""},
		{"x-api-key", "k\tv", ""},
		{"Cookie", "a=1; b=2", ""},
		{"Accept-Language", "fr-CH, fr;q=0.9", ""},
		{"X-Obs", "caf\xc3\xa9", ""},
		{"Bad Name", "v", "invalid header name"},
		{"", "v", "invalid header name"},
		{"X:Y", "v", "invalid header name"},
		{"host", "v", "Host cannot be set"},
		{"Content-Length", "1", "cannot be set"},
		{"Transfer-Encoding", "chunked", "cannot be set"},
		{"connection", "close", "cannot be set"},
		{"If-None-Match", `"x"`, "conditional GET"},
		{"If-Modified-Since", "x", "conditional GET"},
		{"Accept-Encoding", "br", "decompresses"},
		{"User-Agent", "x", "user_agent"},
		{"Proxy-Authorization", secret, "fetch.proxy"},
		{"Authorization", secret + "\r\nX-Injected: 1", "line break"},
		{"Authorization", secret + "\n", "line break"},
		{"Authorization", secret + "\x00", "control character"},
		{"Authorization", strings.Repeat("s3cr3t-TOKEN", MaxHeaderValue/12+1), "longer than"},
	}
	for _, tt := range tests {
		err := CheckHeader(tt.name, tt.value)
		switch {
		case tt.problem == "" && err != nil:
			t.Errorf("CheckHeader(%q) = %v, want nil", tt.name, err)
		case tt.problem != "" && (err == nil || !strings.Contains(err.Error(), tt.problem)):
			t.Errorf("CheckHeader(%q) = %v, want an error saying %q", tt.name, err, tt.problem)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("CheckHeader's error quotes the value: %v", err)
		}
	}
}

func TestPolicyUserAgent(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("User-Agent"))
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, private(Options{UserAgent: "Tributary/test"}))
	for _, tt := range []struct {
		name   string
		c      *Client
		header http.Header
		want   string
	}{
		{"client's", c, nil, "Tributary/test"},
		{"policy's", c.For(Policy{UserAgent: "NewsBot/2.0"}), nil, "NewsBot/2.0"},
		{"later policy's", c.For(Policy{UserAgent: "NewsBot/2.0"}).For(Policy{UserAgent: "Other/1"}), nil, "Other/1"},
		{"invalid policy's ignored", c.For(Policy{UserAgent: "Bad\r\nX: y"}), nil, "Tributary/test"},
		{"request's own", c.For(Policy{UserAgent: "NewsBot/2.0"}), http.Header{"User-Agent": {"Mine/1"}}, "Mine/1"},
	} {
		_, body, err := get(t, t.Context(), tt.c, srv.URL, tt.header)
		if err != nil {
			t.Fatal(err)
		}
		if string(body) != tt.want {
			t.Errorf("%s: User-Agent %q, want %q", tt.name, body, tt.want)
		}
	}
}

func TestPolicyTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	// The client would wait a minute; the policy's timeout ends it first.
	c := newClient(t, private(Options{Timeout: time.Minute})).For(Policy{Timeout: 300 * time.Millisecond})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, _, err := get(t, ctx, c, srv.URL, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want a timeout", err)
	}
	if want := fmt.Sprintf("timeout of %s", 300*time.Millisecond); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if ctx.Err() != nil {
		t.Error("the test's own deadline fired: the policy's timeout was not applied")
	}
}

func TestPolicyTimeoutCoversASlowFirstByte(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "late")
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, private(Options{HeaderTimeout: 100 * time.Millisecond, Timeout: time.Minute}))
	_, _, err := get(t, t.Context(), c, srv.URL, nil)
	if err == nil || !strings.Contains(err.Error(), "awaiting response headers") {
		t.Fatalf("without a policy: %v, want the header timeout", err)
	}
	// A source given a minute waits for its headers as long.
	_, body, err := get(t, t.Context(), c.For(Policy{Timeout: time.Minute}), srv.URL, nil)
	if err != nil || string(body) != "late" {
		t.Fatalf("with a policy timeout: %v %q, want the late answer", err, body)
	}
}

// TestHeaderNamePattern: the pattern the config's JSON Schema gives
// header names accepts exactly the names CheckHeader finds to be tokens,
// byte by byte.
func TestHeaderNamePattern(t *testing.T) {
	re := regexp.MustCompile(HeaderNamePattern)
	for b := range 256 {
		name := "X" + string(rune(b))
		if b >= 0x80 {
			name = "X" + string([]byte{byte(b)})
		}
		_, controlled := controlled[http.CanonicalHeaderKey(name)]
		token := CheckHeader(name, "v") == nil || controlled
		if re.MatchString(name) != token {
			t.Errorf("%q: pattern matches %v, CheckHeader finds a token %v", name, re.MatchString(name), token)
		}
	}
	for _, name := range ControlledHeaders() {
		if CheckHeader(name, "v") == nil {
			t.Errorf("ControlledHeaders lists %s, which CheckHeader allows", name)
		}
	}
}
