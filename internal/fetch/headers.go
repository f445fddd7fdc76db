package fetch

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// MaxHeaderValue bounds the length of one header value a Policy sends, and
// MaxHeaders how many headers one Policy names: servers commonly refuse
// request headers beyond 8 KiB altogether.
const (
	MaxHeaderValue = 4096
	MaxHeaders     = 32
)

// controlled are the request headers the client or its callers decide,
// which a Policy may not set: framing and hop-by-hop headers (net/http
// writes them), the conditional-GET validators (the caller's, from the
// last response), Range (the caller reads whole documents),
// Accept-Encoding (the size cap counts bytes the client decodes itself),
// the proxy's credentials (the proxy is the Client's, see Options.Proxy)
// and User-Agent (Policy.UserAgent says it).
var controlled = map[string]string{
	"Host":                "net/http sets it from the URL",
	"Content-Length":      "net/http frames the request",
	"Transfer-Encoding":   "net/http frames the request",
	"Te":                  "a hop-by-hop header net/http manages",
	"Trailer":             "net/http frames the request",
	"Connection":          "a hop-by-hop header net/http manages",
	"Keep-Alive":          "a hop-by-hop header net/http manages",
	"Upgrade":             "a hop-by-hop header net/http manages",
	"Proxy-Connection":    "a hop-by-hop header net/http manages",
	"Proxy-Authorization": "give the proxy's credentials in its URL (fetch.proxy)",
	"Expect":              "net/http manages it",
	"If-None-Match":       "conditional GET is Tributary's: it sends the validators of the last response",
	"If-Modified-Since":   "conditional GET is Tributary's: it sends the validators of the last response",
	"If-Match":            "conditional requests are Tributary's",
	"If-Unmodified-Since": "conditional requests are Tributary's",
	"If-Range":            "conditional requests are Tributary's",
	"Range":               "Tributary reads whole documents",
	"Accept-Encoding":     "Tributary decompresses bodies itself so that the size cap counts decoded bytes",
	"User-Agent":          "use the user_agent key",
}

// ControlledHeaders lists, sorted and in canonical form, the headers
// CheckHeader refuses whatever their value (the config's JSON Schema
// lists them too).
func ControlledHeaders() []string {
	return slices.Sorted(maps.Keys(controlled))
}

// HeaderNamePattern is the shape of a header name CheckHeader accepts, an
// HTTP token (RFC 9110 5.6.2), as a regular expression.
const HeaderNamePattern = "^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$"

// CheckHeader reports whether a Policy may send the header name with
// value: name must be an HTTP token that the client does not control
// itself, value at most MaxHeaderValue bytes without control characters
// other than tab. The error names the header, never its value, which may
// be a credential.
func CheckHeader(name, value string) error {
	if !httpguts.ValidHeaderFieldName(name) {
		return fmt.Errorf("invalid header name %q: want an HTTP token like X-Api-Key", name)
	}
	if why, ok := controlled[http.CanonicalHeaderKey(name)]; ok {
		return fmt.Errorf("header %s cannot be set: %s", http.CanonicalHeaderKey(name), why)
	}
	if len(value) > MaxHeaderValue {
		return fmt.Errorf("header %s: value longer than %d bytes", http.CanonicalHeaderKey(name), MaxHeaderValue)
	}
	// httpguts allows obs-text (bytes >= 0x80) and tab; it refuses CR, LF,
	// NUL and the other control characters.
	if !httpguts.ValidHeaderFieldValue(value) {
		return fmt.Errorf("header %s: value contains a line break or another control character", http.CanonicalHeaderKey(name))
	}
	return nil
}

// CheckUserAgent reports whether ua may be sent as the User-Agent: at
// most MaxHeaderValue bytes, no control characters.
func CheckUserAgent(ua string) error {
	if len(ua) > MaxHeaderValue {
		return fmt.Errorf("longer than %d bytes", MaxHeaderValue)
	}
	if !httpguts.ValidHeaderFieldValue(ua) {
		return errors.New("must not contain control characters")
	}
	return nil
}

// originHeaders are headers sent to one origin only.
type originHeaders struct {
	origin origin
	header http.Header
}

// origin is where a Policy's headers go: a scheme and a host:port in
// normal form (see originHostPort).
type origin struct {
	scheme, hostPort string
}

// parseOrigin reads the origin of raw, an http(s) URL; ok is false for
// anything else.
func parseOrigin(raw string) (origin, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return origin{}, false
	}
	s := strings.ToLower(u.Scheme)
	if s != "http" && s != "https" {
		return origin{}, false
	}
	return origin{scheme: s, hostPort: urlHostPort(u)}, true
}

// serves reports whether a request to u goes to o: the same scheme, host
// and port, or, for an http origin on the default port, the same host
// over https on its default port (a site that moves its visitors to
// https keeps getting the headers, now encrypted). Never the other way:
// headers configured for https are not sent in clear.
func (o origin) serves(u *url.URL) bool {
	s := strings.ToLower(u.Scheme)
	hp := urlHostPort(u)
	if s == o.scheme && hp == o.hostPort {
		return true
	}
	host, port := splitHostPort(o.hostPort)
	return o.scheme == "http" && port == "80" && s == "https" && hp == normalHostPort(host, "443")
}

// splitHostPort splits a host:port in normal form.
func splitHostPort(hp string) (host, port string) {
	i := strings.LastIndexByte(hp, ':')
	if i < 0 {
		return hp, ""
	}
	return strings.Trim(hp[:i], "[]"), hp[i+1:]
}

// policyHeaders returns h in canonical form without the headers
// CheckHeader refuses; nil when none is left.
func policyHeaders(h http.Header) http.Header {
	var out http.Header
	for name, vs := range h {
		for _, v := range vs {
			if CheckHeader(name, v) != nil {
				continue
			}
			if out == nil {
				out = http.Header{}
			}
			out.Add(name, v)
		}
	}
	return out
}

// withHeaders returns req with the headers a allows for its URL set,
// replacing what req carries under the same names; req itself when none
// apply. The request is cloned, never modified: a RoundTripper must not.
func (a allowance) withHeaders(req *http.Request) *http.Request {
	var cloned *http.Request
	for _, oh := range a.headers {
		if !oh.origin.serves(req.URL) {
			continue
		}
		if cloned == nil {
			cloned = req.Clone(req.Context())
		}
		for name, vs := range oh.header {
			cloned.Header[name] = slices.Clone(vs)
		}
	}
	if cloned == nil {
		return req
	}
	return cloned
}
