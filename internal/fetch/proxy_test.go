package fetch

import (
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// forwardProxy is an HTTP forward proxy on 127.0.0.1: it forwards
// absolute-URI requests, answering itself for hosts in names (which do
// not resolve), and tunnels CONNECT to the address asked for. It records
// what it was asked.
type forwardProxy struct {
	*httptest.Server
	names map[string]string // host -> body it answers with

	mu        sync.Mutex
	requested []string // "GET http://..." or "CONNECT host:port"
	auth      []string // Proxy-Authorization of each
	headers   []http.Header
}

func newForwardProxy(t *testing.T, names map[string]string) *forwardProxy {
	t.Helper()
	p := &forwardProxy{names: names}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

func (p *forwardProxy) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	if r.Method == http.MethodConnect {
		p.requested = append(p.requested, "CONNECT "+r.Host)
	} else {
		p.requested = append(p.requested, r.Method+" "+r.URL.String())
	}
	p.auth = append(p.auth, r.Header.Get("Proxy-Authorization"))
	p.headers = append(p.headers, r.Header.Clone())
	p.mu.Unlock()

	if r.Method == http.MethodConnect {
		dst, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			dst.Close()
			return
		}
		go func() {
			io.Copy(dst, buf)
			dst.Close()
		}()
		io.Copy(conn, dst)
		conn.Close()
		return
	}
	if !r.URL.IsAbs() {
		http.Error(w, "not a proxy request", http.StatusBadRequest)
		return
	}
	if body, ok := p.names[r.URL.Hostname()]; ok {
		io.WriteString(w, body)
		return
	}
	out, _ := http.NewRequestWithContext(r.Context(), r.Method, r.URL.String(), nil)
	out.Header = r.Header.Clone()
	out.Header.Del("Proxy-Authorization")
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func (p *forwardProxy) seen() (requested, auth []string, headers []http.Header) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requested...), append([]string(nil), p.auth...), append([]http.Header(nil), p.headers...)
}

// proxyURL is p's URL with the given userinfo.
func (p *forwardProxy) proxyURL(t *testing.T, user *url.Userinfo) *url.URL {
	t.Helper()
	u, err := url.Parse(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = user
	return u
}

func TestProxyForwardsHTTP(t *testing.T) {
	t.Parallel()
	p := newForwardProxy(t, map[string]string{"feeds.internal.test": "via proxy"})
	// The address policy is on: the proxy on 127.0.0.1 is allowed because
	// it is the proxy, and feeds.internal.test, which resolves nowhere, is
	// never resolved nor dialed by the client.
	c := newClient(t, Options{Proxy: p.proxyURL(t, url.UserPassword("op", "pr0xy-PASS"))})
	resp, body, err := get(t, t.Context(), c, "http://feeds.internal.test/feed.xml", nil)
	if err != nil || resp.StatusCode != http.StatusOK || string(body) != "via proxy" {
		t.Fatalf("GET through the proxy: %v %v %q", err, resp, body)
	}
	requested, auth, _ := p.seen()
	if len(requested) != 1 || requested[0] != "GET http://feeds.internal.test/feed.xml" {
		t.Errorf("proxy was asked %q, want the one GET", requested)
	}
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("op:pr0xy-PASS")); len(auth) != 1 || auth[0] != want {
		t.Errorf("Proxy-Authorization %q, want %q", auth, want)
	}
}

func TestProxyTunnelsHTTPS(t *testing.T) {
	t.Parallel()
	p := newForwardProxy(t, nil)
	seen := &seenHeaders{}
	origin := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.add(r.Header)
		if r.Header.Get("Authorization") != secret {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "secure")
	}))
	t.Cleanup(origin.Close)
	c := New(Options{Proxy: p.proxyURL(t, url.User("token-only"))})
	t.Cleanup(c.Close)
	c.public.TLSClientConfig = origin.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	// The origin is on 127.0.0.1: allowed as a source's own origin is.
	sc := c.For(Policy{AllowedOrigins: []string{origin.URL}, Headers: http.Header{"Authorization": {secret}}, HeadersOrigin: origin.URL})
	resp, body, err := get(t, t.Context(), sc, origin.URL+"/feed", nil)
	if err != nil || resp.StatusCode != http.StatusOK || string(body) != "secure" {
		t.Fatalf("GET https through the proxy: %v %v %q", err, resp, body)
	}
	requested, auth, headers := p.seen()
	host := strings.TrimPrefix(origin.URL, "https://")
	if len(requested) != 1 || requested[0] != "CONNECT "+host {
		t.Errorf("proxy was asked %q, want one CONNECT %s", requested, host)
	}
	if len(auth) != 1 || !strings.HasPrefix(auth[0], "Basic ") {
		t.Errorf("CONNECT Proxy-Authorization %q, want Basic credentials", auth)
	}
	for _, h := range headers {
		if h.Get("Authorization") != "" {
			t.Errorf("the proxy saw the source's Authorization header outside the tunnel: %v", h)
		}
	}
	if len(seen.all()) != 1 {
		t.Errorf("origin received %d requests, want 1", len(seen.all()))
	}
}

func TestProxyRefusesNonPublicLiterals(t *testing.T) {
	t.Parallel()
	p := newForwardProxy(t, nil)
	c := newClient(t, Options{Proxy: p.proxyURL(t, nil)})
	for _, u := range []string{
		"http://127.0.0.1:9/feed",
		"http://169.254.169.254/latest/meta-data/",
		"http://10.0.0.5:8080/",
		"https://[::1]/",
		"http://[::ffff:192.168.1.1]/",
		"http://localhost/",
		"http://app.LOCALHOST./",
	} {
		if _, _, err := get(t, t.Context(), c, u, nil); !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("GET %s through the proxy: %v, want ErrBlockedAddress", u, err)
		}
	}
	// A redirect from a public name to a private literal is refused too.
	p2 := newForwardProxy(t, nil)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	}))
	t.Cleanup(redirector.Close)
	c2 := newClient(t, Options{Proxy: p2.proxyURL(t, nil)}).For(Policy{AllowedOrigins: []string{redirector.URL}})
	if _, _, err := get(t, t.Context(), c2, redirector.URL+"/go", nil); !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("redirect to a private literal through the proxy: %v, want ErrBlockedAddress", err)
	}
	if requested, _, _ := p.seen(); len(requested) != 0 {
		t.Errorf("the proxy was asked %q, want nothing", requested)
	}
	if requested, _, _ := p2.seen(); len(requested) != 1 {
		t.Errorf("the proxy was asked %q, want only the first hop", requested)
	}
	// With the address policy off, the proxy decides.
	c3 := newClient(t, Options{Proxy: p.proxyURL(t, nil), AllowPrivateNetworks: true})
	if resp, _, err := get(t, t.Context(), c3, "http://localhost:9/", nil); err != nil || resp.StatusCode != http.StatusBadGateway {
		t.Errorf("allow_private_networks through the proxy: %v %v, want the proxy's 502", err, resp)
	}
}

func TestProxyCredentialsStayOutOfErrors(t *testing.T) {
	t.Parallel()
	// A proxy that is not listening: the error must not show its password.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	proxy := &url.URL{Scheme: "http", Host: addr, User: url.UserPassword("op", "pr0xy-PASS")}
	c := newClient(t, Options{Proxy: proxy})
	for _, target := range []string{"http://feeds.example.org/feed", "https://feeds.example.org/feed"} {
		_, _, err := get(t, t.Context(), c, target, nil)
		if err == nil {
			t.Fatalf("GET %s through a dead proxy succeeded", target)
		}
		if strings.Contains(err.Error(), "pr0xy-PASS") {
			t.Errorf("error shows the proxy's password: %v", err)
		}
	}
}

// A proxy that refuses to open a tunnel (403 to CONNECT, 407 for missing
// credentials) answers for itself, not for the site: the error says the
// proxy refused and with which status, where net/http alone gives only
// "Forbidden", read as the site's answer.
func TestProxyRefusedConnectNamesTheProxy(t *testing.T) {
	t.Parallel()
	for _, code := range []int{http.StatusForbidden, http.StatusProxyAuthRequired} {
		p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no tunnels here", code)
		}))
		t.Cleanup(p.Close)
		proxy, err := url.Parse(p.URL)
		if err != nil {
			t.Fatal(err)
		}
		proxy.User = url.UserPassword("op", "pr0xy-PASS")
		c := newClient(t, Options{Proxy: proxy})
		_, _, err = get(t, t.Context(), c, "https://feeds.example.org/feed", nil)
		if err == nil {
			t.Fatalf("%d: GET through a refusing proxy succeeded", code)
		}
		msg := err.Error()
		if !strings.Contains(msg, "proxy") || !strings.Contains(msg, strconv.Itoa(code)) || !strings.Contains(msg, "feeds.example.org:443") {
			t.Errorf("%d: error %q does not say the proxy refused the tunnel to feeds.example.org:443 with %d", code, msg, code)
		}
		if strings.Contains(msg, "pr0xy-PASS") {
			t.Errorf("error shows the proxy's password: %v", err)
		}
	}
}
