// Package sources is where articles come from: it fetches syndication feeds
// (RSS, Atom, JSON Feed) and web pages through a fetcher it is handed (a
// Doer), finds the feed an HTML page advertises, repairs what broken
// documents it can, and turns their bytes into []feeds.Article, scraping
// a page with selectors when a source has no feed. It never opens a
// database or a listener.
package sources

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/redact"
)

// Doer sends HTTP requests. *http.Client satisfies it, and so does the
// project's fetch client, which adds timeouts, body caps, address policy and
// file:// URLs: the Doer a source is fetched through is what its requests
// may reach (the fetch client made For that source's policy), and a fetch
// may do no more.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Kinds of source understood by Fetch.
const (
	// KindFeed is a syndication feed (RSS, Atom, JSON Feed); an HTML page
	// that advertises a feed with <link rel="alternate"> is followed to it.
	KindFeed = "feed"
	// KindPage is a listing page scraped with CSS selectors.
	KindPage = "page"
)

// MaxBodyBytes caps how much of a response Fetch reads, whatever the Doer
// enforces itself.
const MaxBodyBytes = 32 << 20

// Source is a source as Fetch reads it: its name, where it is and how to
// read it. It is what the configuration says; a Request adds what one fetch
// of it sends.
type Source struct {
	// Name is the configured name of the source, copied to each article.
	Name string
	// URL is the feed or page to fetch.
	URL string
	// MaxItems caps the articles returned (the first ones in document
	// order); 0 means DefaultMaxItems.
	MaxItems int
	// Kind is KindFeed (the default) or KindPage (scrape with Selectors).
	Kind string
	// Selectors pick the articles out of a page when Kind is KindPage.
	Selectors Selectors
	// Rewrite changes the articles' titles and content before they are
	// sanitized (see Rewrite); an invalid one fails the fetch.
	Rewrite Rewrite
}

// Request says what to fetch and how to read it: a Source and the
// validators of its previous fetch.
type Request struct {
	Source
	// ETag and LastModified are the validators of the previous fetch; when
	// set they make the request conditional.
	ETag         string
	LastModified string
}

// Selectors locate articles in an HTML page. Each is a CSS selector,
// optionally followed by "@attr" to read an attribute instead of the text
// ("a.permalink@href", "time@datetime"); a selector of only "@attr" reads the
// item element itself.
type Selectors struct {
	// Item matches one element per article; required.
	Item string
	// Title, Link, Summary, Image and Date are relative to the item. Empty
	// ones fall back to sensible defaults (see Scrape).
	Title   string
	Link    string
	Summary string
	Image   string
	Date    string
}

// Result is what a fetch produced.
type Result struct {
	// Articles are in document order.
	Articles []feeds.Article
	// NotModified is true when the server answered 304 to the conditional
	// request; Articles is then empty and the validators are the request's.
	NotModified bool
	// ETag and LastModified are the validators to send next time. After
	// feed discovery (FeedURL set) they are empty: they belong to FeedURL,
	// not to the page that was requested.
	ETag         string
	LastModified string
	// URL is the final URL of the document that was parsed, after redirects
	// and after feed discovery, without the credentials (userinfo) the
	// request carried; the articles' relative links resolve against it.
	URL string
	// FeedURL is the feed advertised by the requested HTML page and parsed
	// instead of it; empty when no discovery took place. Fetching it
	// directly next time saves a request. It keeps the credentials of the
	// page's URL: show it through redact.URL.
	FeedURL string
	// Title and Link describe the feed (or page) as a whole; ID is an
	// Atom feed's own <id>, empty for other formats.
	Title string
	Link  string
	ID    string
	// InheritedAuthors holds the IDs of the articles that name no author
	// of their own and carry the feed's (an editor or the publication):
	// their page may name the real writer.
	InheritedAuthors map[string]bool
	// RelativeLinks maps the IDs of the feed's articles whose link the
	// document wrote as a relative URL to that link as written (at most
	// 500 runes, control characters removed). Their Link is resolved
	// against URL, which other readers may not do alike: RSS wants
	// absolute links. Scraped pages (KindPage) do not fill it, relative
	// links being the norm in HTML.
	RelativeLinks map[string]string
	// Unmatched names the selectors of a KindPage source ("title",
	// "date"...) that were set and matched no element in any item of the
	// page, in the order of Selectors' fields.
	Unmatched []string
	// RetryAfter is the server's Retry-After, 0 when absent.
	RetryAfter time.Duration
	// MaxAge is the Cache-Control max-age of the response, 0 when absent.
	MaxAge time.Duration
	// Dropped names the fields of a JSON Feed that were dropped because
	// they had a type no repair could fix, with the type they had
	// ("items[2].tags: boolean"); the first 20 at most. The rest of the
	// document was read.
	Dropped []string
	// Capped is true when the document had more items than the request's
	// MaxItems: Articles holds the first MaxItems, the rest were left out.
	Capped bool
}

// HTTPError is returned by Fetch when the server answers with a status other
// than 2xx or 304.
type HTTPError struct {
	// URL is the URL that answered, credentials included; Error masks them.
	URL        string
	StatusCode int
	// Status is the status line the server sent ("404 Not Found").
	Status string
	// RetryAfter is the server's Retry-After (delay-seconds or HTTP date),
	// 0 when absent.
	RetryAfter time.Duration
}

// Error returns e.g. "http 503 Service Unavailable from https://example.com/feed",
// with the userinfo of the URL masked.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("http %d %s from %s", e.StatusCode, http.StatusText(e.StatusCode), redact.URL(e.URL))
}

// acceptFeed prefers feeds, then generic XML/JSON, then HTML (to discover
// a feed in it).
const acceptFeed = "application/feed+json, application/atom+xml, application/rss+xml, " +
	"application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, application/json;q=0.7, " +
	"text/html;q=0.5, */*;q=0.1"

const acceptPage = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"

// Fetch gets req.URL through d and turns it into articles. The request is
// conditional when req carries validators: a 304 yields NotModified with
// those validators kept. Any other non-2xx status is an *HTTPError. A 2xx
// body is parsed as a feed (see Parse); when it is an HTML page instead,
// Kind "page" scrapes it with req.Selectors (see Scrape), otherwise the
// first feed the page advertises with <link rel="alternate"> is fetched and
// parsed (Result.FeedURL says which). A page advertising none is an error
// saying so. Credentials in req.URL are sent (basic auth), and no error
// shows them: the userinfo of every URL in an error message is masked.
func Fetch(ctx context.Context, d Doer, req Request) (res Result, err error) {
	defer func() { err = redact.Error(err) }()
	now := time.Now()
	kind := strings.ToLower(strings.TrimSpace(req.Kind))
	if kind == "" {
		kind = KindFeed
	}
	if kind != KindFeed && kind != KindPage {
		return Result{}, fmt.Errorf("fetch %s: unknown kind %q (want %q or %q)", req.URL, req.Kind, KindFeed, KindPage)
	}
	if kind == KindPage && strings.TrimSpace(req.Selectors.Item) == "" {
		return Result{}, fmt.Errorf("fetch %s: kind page needs an item selector", req.URL)
	}
	rw, err := req.Rewrite.compile()
	if err != nil {
		return Result{}, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	accept := acceptFeed
	if kind == KindPage {
		accept = acceptPage
	}
	resp, err := getFeed(ctx, d, req.URL, accept, req.ETag, req.LastModified)
	if err != nil {
		return Result{}, err
	}
	if resp.notModified {
		return Result{
			NotModified:  true,
			ETag:         cmp.Or(resp.etag, req.ETag),
			LastModified: cmp.Or(resp.lastModified, req.LastModified),
			URL:          resp.docURL(),
			RetryAfter:   resp.retryAfter,
			MaxAge:       resp.maxAge,
		}, nil
	}

	if kind == KindPage {
		sp, err := scrapeUTF8(htmlToUTF8(resp.body, resp.contentType), resp.docURL(), req.Name, req.Selectors, now, rw)
		if err != nil {
			return Result{}, fmt.Errorf("fetch %s: %w", req.URL, err)
		}
		arts, capped := sp.articles, false
		if req.MaxItems > 0 && len(arts) > req.MaxItems {
			arts, capped = arts[:req.MaxItems], true
		}
		return resp.result(Result{Articles: arts, Title: sp.title, Link: resp.docURL(), Unmatched: sp.unmatched, Capped: capped}), nil
	}

	res, err = parse(resp.body, resp.contentType, resp.docURL(), req.Name, now, req.MaxItems, rw)
	if err == nil {
		return resp.result(res), nil
	}
	if !errors.Is(err, ErrNotFeed) || !isHTML(resp.body, resp.contentType) {
		return Result{}, fmt.Errorf("fetch %s: %w", req.URL, err)
	}

	feedURL := discoverFeed(htmlToUTF8(resp.body, resp.contentType), resp.url)
	if feedURL == "" {
		return Result{}, fmt.Errorf("fetch %s: no feed found in HTML page %s (set kind: page with selectors to scrape it)", req.URL, resp.url)
	}
	fresp, err := getFeed(ctx, d, feedURL, acceptFeed, "", "")
	if err != nil {
		return Result{}, fmt.Errorf("fetch feed advertised by %s: %w", req.URL, err)
	}
	res, err = parse(fresp.body, fresp.contentType, fresp.docURL(), req.Name, now, req.MaxItems, rw)
	if err != nil {
		return Result{}, fmt.Errorf("fetch feed %s advertised by %s: %w", feedURL, req.URL, err)
	}
	res = fresp.result(res)
	res.FeedURL = feedURL
	res.ETag, res.LastModified = "", ""
	return res, nil
}

// response is what get keeps of an HTTP response.
type response struct {
	url          string // final URL after redirects, credentials included
	contentType  string
	body         []byte
	notModified  bool
	etag         string
	lastModified string
	retryAfter   time.Duration
	maxAge       time.Duration
}

// docURL is the URL the document is known by (see DocumentURL).
func (resp *response) docURL() string { return DocumentURL(resp.url) }

// DocumentURL returns the URL a fetched document is known by: rawURL, the
// URL it was requested with, without the credentials (userinfo) the request
// carried. Relative links resolve against it and end up in the published
// feeds, where a password must never be.
func DocumentURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL
	}
	u.User = nil
	return u.String()
}

// result fills the response metadata into r.
func (resp *response) result(r Result) Result {
	r.URL = resp.docURL()
	r.ETag = resp.etag
	r.LastModified = resp.lastModified
	r.RetryAfter = resp.retryAfter
	r.MaxAge = resp.maxAge
	return r
}

// getRequest is one GET, conditional when it carries validators: what a
// feed fetch (Fetch) and an article page fetch (FetchPage) share.
type getRequest struct {
	url, accept        string
	etag, lastModified string
	// credentialsFrom is the URL of the source the request is made for:
	// its credentials go with a request to its origin (sourceCredentials).
	credentialsFrom string
	// notModified says a 304 answer means the document is unchanged. A
	// page fetched unconditionally takes a 304 as an error like any
	// other status.
	notModified bool
	// checkType, when set, refuses a 2xx answer by its Content-Type,
	// before its body is read.
	checkType func(contentType string) error
}

// getError is a failure of get at one step, not yet worded: Fetch and
// FetchPage each name it their own way (getFeed, pageError). A status
// other than 2xx or 304 is an *HTTPError instead, and a refusal of
// checkType is returned as it is.
type getError struct {
	step string // stepRequest, stepSend, stepRead or stepSize
	err  error
}

const (
	stepRequest = "request" // the request could not be made (a bad URL)
	stepSend    = "send"    // the Doer failed
	stepRead    = "read"    // reading the body failed
	stepSize    = "size"    // the body is larger than MaxBodyBytes
)

func (e *getError) Error() string { return e.err.Error() }
func (e *getError) Unwrap() error { return e.err }

// get performs one GET and reads the body of a 2xx answer, at most
// MaxBodyBytes of it.
func get(ctx context.Context, d Doer, g getRequest) (*response, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, g.url, nil)
	if err != nil {
		return nil, &getError{stepRequest, err}
	}
	if g.credentialsFrom != "" {
		sourceCredentials(hreq.URL, g.credentialsFrom)
	}
	hreq.Header.Set("Accept", g.accept)
	if g.etag != "" {
		hreq.Header.Set("If-None-Match", g.etag)
	}
	if g.lastModified != "" {
		hreq.Header.Set("If-Modified-Since", g.lastModified)
	}
	hresp, err := d.Do(hreq)
	if err != nil {
		return nil, &getError{stepSend, err}
	}
	defer hresp.Body.Close()

	resp := &response{
		url:          g.url,
		contentType:  hresp.Header.Get("Content-Type"),
		etag:         hresp.Header.Get("ETag"),
		lastModified: hresp.Header.Get("Last-Modified"),
		retryAfter:   retryAfter(hresp.Header, time.Now()),
		maxAge:       maxAge(hresp.Header),
	}
	if hresp.Request != nil && hresp.Request.URL != nil {
		resp.url = hresp.Request.URL.String()
	}
	switch {
	case hresp.StatusCode == http.StatusNotModified && g.notModified:
		resp.notModified = true
		return resp, nil
	case hresp.StatusCode < 200 || hresp.StatusCode > 299:
		_, _ = io.Copy(io.Discard, io.LimitReader(hresp.Body, 64<<10)) // lets the connection be reused
		return nil, &HTTPError{URL: resp.url, StatusCode: hresp.StatusCode, Status: hresp.Status, RetryAfter: resp.retryAfter}
	}
	if g.checkType != nil {
		if err := g.checkType(resp.contentType); err != nil {
			return nil, err
		}
	}
	body, err := readBody(hresp.Body, hresp.ContentLength)
	if err != nil {
		return nil, &getError{stepRead, err}
	}
	if len(body) > MaxBodyBytes {
		return nil, &getError{stepSize, fmt.Errorf("body larger than %d bytes", MaxBodyBytes)}
	}
	resp.body = body
	return resp, nil
}

// maxBodyHint is the most readBody allocates up front on a response's
// word: a Content-Length beyond it is read as an unknown length, and one
// within it, true or false, costs at most this much before the bytes
// arrive, per fetch in flight.
const maxBodyHint = 4 << 20

// readBody reads r to its end, at most MaxBodyBytes+1 bytes. A body of
// known length (hint, the response's ContentLength; -1 when unknown, as
// after the client decompressed it) is read into one buffer of that size
// rather than one doubled as it fills, which allocated about twice the
// body and copied it as often.
func readBody(r io.Reader, hint int64) ([]byte, error) {
	r = io.LimitReader(r, MaxBodyBytes+1)
	if hint <= 0 || hint > maxBodyHint {
		return io.ReadAll(r)
	}
	// bytes.Buffer reads while MinRead bytes are free: with them spare, the
	// read that finds the end needs no larger buffer.
	buf := bytes.NewBuffer(make([]byte, 0, int(hint)+bytes.MinRead))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// getFeed is get for Fetch: a 304 means the feed is unchanged, and errors
// are worded "fetch <url>: ...".
func getFeed(ctx context.Context, d Doer, rawURL, accept, etag, lastModified string) (*response, error) {
	resp, err := get(ctx, d, getRequest{url: rawURL, accept: accept, etag: etag, lastModified: lastModified, notModified: true})
	if err == nil {
		return resp, nil
	}
	var ge *getError
	if !errors.As(err, &ge) {
		return nil, err
	}
	switch ge.step {
	case stepSend:
		// net/http wraps its errors in *url.Error, repeating the method
		// and URL this message already names (its password masked): keep
		// the reason only (redirect errors name the hop they failed on
		// themselves).
		cause := ge.err
		var ue *url.Error
		if errors.As(cause, &ue) && redact.URL(ue.URL) == redact.URL(rawURL) {
			cause = ue.Err
		}
		return nil, fmt.Errorf("fetch %s: %w", rawURL, cause)
	case stepRead:
		return nil, fmt.Errorf("fetch %s: read body: %w", rawURL, ge.err)
	}
	return nil, fmt.Errorf("fetch %s: %w", rawURL, ge.err)
}
