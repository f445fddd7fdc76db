package fetch

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/tributary/tributary/internal/redact"
)

// newProxyTransport returns the transport of a Client with Options.Proxy:
// every request goes to proxy, and its dialer connects to the proxy's
// host and port and to nothing else. The proxy's own address is not
// judged by the address policy: the operator named it, and a proxy on
// 127.0.0.1 or the local network is the usual case.
func (c *Client) newProxyTransport(proxy *url.URL, d *net.Dialer) *http.Transport {
	p := *proxy
	proxyAddr := urlHostPort(&p)
	t := c.newTransport(func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addrHostPort(addr) != proxyAddr {
			return nil, fmt.Errorf("fetch: dial %s %s: not the proxy: %w", network, addr, ErrBlockedAddress)
		}
		return d.DialContext(ctx, network, addr)
	})
	t.Proxy = http.ProxyURL(&p)
	// net/http reports a refused tunnel with the proxy's status text
	// alone ("Forbidden"), which reads as the site's answer.
	t.OnProxyConnectResponse = func(_ context.Context, _ *url.URL, req *http.Request, resp *http.Response) error {
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		return fmt.Errorf("fetch: proxy %s refused the tunnel (CONNECT) to %s: %s", proxyAddr, req.Host, resp.Status)
	}
	return t
}

// checkProxied refuses, for a Client with a proxy, a request to u whose
// host is a non-public IP address or a localhost name, unless the address
// policy is off or u's origin is allowed: the client never resolves the
// names it sends to the proxy, so this is all it can judge. The proxy
// decides the rest.
func (c *Client) checkProxied(ctx context.Context, u *url.URL) error {
	if c.opts.AllowPrivateNetworks || allowed(ctx).origin(urlHostPort(u)) {
		return nil
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return fmt.Errorf("fetch: proxy request to %s: %w", redact.URL(u.String()), ErrBlockedAddress)
	}
	if ip, err := netip.ParseAddr(host); err == nil && !isPublic(ip) {
		return fmt.Errorf("fetch: proxy request to %s: %w", redact.URL(u.String()), ErrBlockedAddress)
	}
	return nil
}
