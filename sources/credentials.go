package sources

import (
	"net/url"
	"strings"
)

// WithSourceCredentials returns raw, a URL to fetch for a source, with the
// credentials of the source's URL when it is on the source's own origin
// and names none itself (see sourceCredentials): a discovered feed's URL
// kept in the store without them, say.
func WithSourceCredentials(raw, sourceURL string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	sourceCredentials(u, sourceURL)
	if u.User == nil {
		return raw
	}
	return u.String()
}

// sourceCredentials gives u, an article page to fetch, the credentials of
// its source's URL when the page is on the source's own origin (scheme,
// host and port) and names none itself. Article links are published without
// the credentials the source was fetched with (Fetch resolves them against
// the URL without its userinfo), yet a members-only site wants them
// on its pages too. A page on any other origin never gets them.
func sourceCredentials(u *url.URL, sourceURL string) {
	if u.User != nil {
		return
	}
	s, err := url.Parse(sourceURL)
	if err != nil || s.User == nil {
		return
	}
	if strings.EqualFold(u.Scheme, s.Scheme) && strings.EqualFold(u.Host, s.Host) {
		u.User = s.User
	}
}
