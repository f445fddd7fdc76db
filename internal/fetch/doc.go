// Package fetch is Tributary's polite HTTP client. Every source fetches
// through a *Client, which enforces one policy for all of them:
//
//   - Identity: a User-Agent naming Tributary is sent unless the request
//     carries its own.
//   - Politeness: at most Options.PerHostConcurrency requests are in flight
//     to one host name; a slot is taken before the request is sent and given
//     back when the response body is closed (or the request fails or ends).
//   - Bounded cost: connecting, the TLS handshake and waiting for response
//     headers each have their own timeout, and the whole request, body
//     included, must finish within Options.Timeout, counted from the moment
//     a host slot is obtained so that queuing politely is not punished.
//     Bodies are decompressed by the client itself (gzip, deflate) and capped
//     at Options.MaxBodySize decompressed bytes, so compression bombs end
//     with ErrTooLarge instead of exhausting memory.
//   - Redirects: at most Options.MaxRedirects, only to http and https.
//   - Address policy: unless Options.AllowPrivateNetworks is set, the
//     client refuses to connect to loopback, private, link-local, CGNAT,
//     multicast and other non-public addresses. The check runs on the address
//     actually dialed, so DNS names resolving to internal addresses, DNS
//     rebinding and redirects cannot get around it. A source configured with
//     an internal URL is still reachable: its requests go through a Client
//     made For a Policy allowing that URL's origin (or Options.AllowedOrigins
//     names it) and may connect to exactly that host and port, wherever it
//     points; redirects elsewhere are checked as usual.
//   - Proxy: with Options.Proxy every http(s) request goes through that
//     http or https proxy (CONNECT for https); proxies named by the
//     environment are never used. The client then dials the proxy and
//     nothing else: the address policy applies to the proxy's address,
//     which is allowed since the operator named it, and the checks of the
//     destination move to the proxy, which resolves its name and connects
//     to it. The client still refuses destinations written as a non-public
//     IP address or named localhost (redirects included) unless allowed;
//     a name that resolves to an internal address is the proxy's to
//     refuse.
//   - Per-source settings: a Policy may carry headers, a User-Agent and a
//     timeout. Its headers (credentials, cookies) are set on each hop whose
//     URL is the Policy's HeadersOrigin and on no other: article pages on
//     other hosts and redirects away never receive them, whatever the
//     header (net/http itself would forward a custom header, and an
//     Authorization to another port of the same host). Headers the client
//     controls are refused (see CheckHeader). Errors and logs never show a
//     header value.
//   - Local files: file:///path URLs of the files a Client's Policy names
//     (Policy.LocalFiles) or that lie directly in a directory it names
//     (Policy.LocalDirs, opened within that directory so that a symbolic
//     link cannot lead out of it), and of no other, are served from disk with a
//     strong ETag hashed from the content: If-None-Match yields 304 only
//     for the same bytes, and If-Modified-Since never does, since a
//     modification time cannot tell a rewrite within the same second. A
//     redirect can never lead to a file: URL.
//
// Conditional GET (If-None-Match, If-Modified-Since) is the caller's job:
// the client passes those headers and 304 responses through untouched.
package fetch
