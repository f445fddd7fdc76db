package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/publish"
)

// queryPage reads the page a request asks for with ?page=N: 1 without
// one. Each page has one URL: ?page=1 is redirected (301) to the URL
// without the query, and 0, a number written otherwise ("02", "+2") or
// anything else is answered 404; ok is false when it answered. Other
// parameters (a reader's utm_source=...) are ignored, as they are on the
// first page.
func queryPage(w http.ResponseWriter, r *http.Request) (n int, ok bool) {
	q := r.URL.Query()
	if !q.Has("page") {
		return 1, true
	}
	n, ok = pageNumber(q.Get("page"))
	switch {
	case !ok || len(q["page"]) > 1:
		http.NotFound(w, r)
		return 0, false
	case n == 1:
		http.Redirect(w, r, r.URL.Path, http.StatusMovedPermanently)
		return 0, false
	}
	return n, true
}

// pageNumber parses a page number written the one way pages are linked:
// decimal digits, without a sign or leading zeros, from 1.
func pageNumber(s string) (int, bool) {
	if s == "" || s[0] < '1' || s[0] > '9' || len(s) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || strconv.Itoa(n) != s {
		return 0, false
	}
	return n, true
}

// handleFeedDir serves /feeds/NAME/ and /feeds/NAME/index.html, where a
// built site (build --out) has the feed's page to read, as /feeds/NAME.
func (s *Server) handleFeedDir(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery != "" {
		http.NotFound(w, r)
		return
	}
	s.servePage(w, r, r.PathValue("name"), publish.HTML, 1)
}

// handleStaticPage serves /feeds/NAME/page/N.EXT (EXT a format or html),
// where a built site has page N (from 2) of a feed: the server answers the
// URLs of a built tree too, so a site moves between Tributary and a static
// host without breaking a link.
func (s *Server) handleStaticPage(w http.ResponseWriter, r *http.Request) {
	num, ext, _ := strings.Cut(r.PathValue("file"), ".")
	n, ok := pageNumber(num)
	format, known := feeds.ParseFormat(ext)
	if ext == "html" {
		format, known = publish.HTML, true
	}
	if !ok || n < 2 || !known || r.URL.RawQuery != "" {
		http.NotFound(w, r)
		return
	}
	s.servePage(w, r, r.PathValue("name"), format, n)
}

// contentType is the media type to serve a rendering in format with.
func contentType(format feeds.Format) string {
	if format == publish.HTML {
		return "text/html; charset=utf-8"
	}
	return format.ContentType()
}
