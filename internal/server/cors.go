package server

import (
	"net/http"
	"strings"

	"github.com/tributary/tributary/feeds"
)

// The feeds and the OPML lists are public documents that web pages on
// other sites read with fetch() (JSON Feed's authors recommend it): any
// origin may read them, and see the validators to revalidate with and the
// Link header that names the WebSub hub. No credentials are involved, so
// the wildcard origin is enough and needs no Vary: Origin.
const (
	corsExposed = "ETag, Last-Modified, Link"
	corsMethods = "GET, HEAD, OPTIONS"
	corsHeaders = "If-None-Match, If-Modified-Since"
	// corsMaxAge is how long, in seconds, a browser may reuse a preflight
	// answer: it never changes.
	corsMaxAge = "86400"
)

// setCORS lets every origin read the response (see corsExposed).
func setCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", corsExposed)
}

// cors wraps a handler of a public document with setCORS.
func cors(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		setCORS(w.Header())
		next(w, r)
	}
}

// handlePreflight answers a CORS preflight (OPTIONS) for a public
// document: 204 with the methods and conditional headers a cross-origin
// request may use.
func handlePreflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	setCORS(h)
	h.Set("Allow", corsMethods)
	h.Set("Access-Control-Allow-Methods", corsMethods)
	h.Set("Access-Control-Allow-Headers", corsHeaders)
	h.Set("Access-Control-Max-Age", corsMaxAge)
	w.WriteHeader(http.StatusNoContent)
}

// handleFeedPreflight answers a preflight for /feeds/{file} and
// /feeds/{name}/page/{file}: a feed's (NAME.rss, .atom, .json, N.rss...)
// like every public document's, and one for the feed's HTML page
// (/feeds/NAME, N.html) with 405, as the other pages.
func handleFeedPreflight(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	dot := strings.LastIndexByte(file, '.')
	if _, feed := feeds.ParseFormat(file[dot+1:]); dot <= 0 || !feed {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	handlePreflight(w, r)
}

// feedLinkHeader is the Link header of a feed response (RFC 8288): the
// WebSub hub and the feed's own URL, the topic a subscriber names to the
// hub (WebSub 4); "" without a hub.
func feedLinkHeader(hub, self string) string {
	if hub == "" {
		return ""
	}
	return "<" + linkTarget(hub) + `>; rel="hub", <` + linkTarget(self) + `>; rel="self"`
}

// linkTarget keeps a URL from ending its <...> early: the URLs are
// validated absolute http(s) URLs, which have no '>' or space, but a '>'
// must never let a configured value write the header's syntax.
func linkTarget(u string) string {
	return strings.NewReplacer(">", "%3E", " ", "%20", "\r", "", "\n", "").Replace(u)
}
