package sources

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"mime"
	"slices"
	"strings"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/redact"
	"github.com/tributary/tributary/sources/extract"
)

// acceptArticle is what an article page is asked for as.
const acceptArticle = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"

// PageRequest says which article page to fetch and how to read it.
type PageRequest struct {
	// URL is the article's link, an http(s) URL, or for a local source
	// a file: URL (which the Doer's policy must allow).
	URL string
	// SourceURL is the URL of the source the article came from: its
	// credentials go with the request when the page is on the source's
	// own origin and names none itself (see WithSourceCredentials).
	SourceURL string
	// Conditional is set when the page was extracted before: ETag and
	// LastModified, the validators it had then, are sent (those not
	// empty), and a 304 answer yields NotModified. Otherwise a 304 is an
	// error like any status other than 2xx.
	Conditional        bool
	ETag, LastModified string
	// Extract says how to read the story; its ContentType is taken from
	// the response, Rewrite's remove selectors are added to its Remove
	// and its Rewrite is set from Rewrite's rules, and its Now
	// (time.Now() when zero) also judges the page's dates (see
	// PlausibleDate).
	Extract extract.Options
	// Rewrite is the source's: its Remove selectors drop elements from
	// the whole page before it is read, its Replace rules rewrite the
	// story's title and content (see Rewrite).
	Rewrite Rewrite
}

// PageResult is what a page fetch produced.
type PageResult struct {
	// NotModified is true when the server answered 304 to the conditional
	// request; the rest but URL is then empty.
	NotModified bool
	// Article is the story as its page tells it, for feeds.MergePage:
	// Content (the full text, sanitized HTML), Summary (the page's
	// excerpt), Title, Authors, Image, Published and Updated (zero unless
	// plausible, see PlausibleDate) and Categories (the page's section
	// first, then its tags).
	Article feeds.Article
	// ETag and LastModified are the page's validators, to send next time.
	ETag, LastModified string
	// URL is the final URL of the page, after redirects, without the
	// credentials (userinfo) the request carried; the page's relative
	// links resolve against it.
	URL string
}

// FetchPage gets the article page req.URL through d, conditionally when
// req.Conditional is set, and extracts its story. The request shares its
// conditional GET with Fetch (the same status handling and body cap). A
// status other than 2xx (or 304 to a conditional request), a response that
// is not HTML, a page extract cannot read and one with no article text are
// errors naming the page ("article page <url>: ..."); no error shows
// credentials.
func FetchPage(ctx context.Context, d Doer, req PageRequest) (res PageResult, err error) {
	defer func() { err = redact.Error(err) }()
	rw, err := req.Rewrite.compile()
	if err != nil {
		return PageResult{}, fmt.Errorf("article page %s: %w", req.URL, err)
	}
	g := getRequest{url: req.URL, accept: acceptArticle, credentialsFrom: req.SourceURL, notModified: req.Conditional, checkType: htmlOnly}
	if req.Conditional {
		g.etag, g.lastModified = req.ETag, req.LastModified
	}
	resp, err := get(ctx, d, g)
	if err != nil {
		return PageResult{}, pageError(req.URL, err)
	}
	if resp.notModified {
		return PageResult{NotModified: true, URL: resp.docURL()}, nil
	}
	opts := req.Extract
	opts.ContentType = resp.contentType
	opts.Remove = append(slices.Clip(opts.Remove), req.Rewrite.Remove...)
	if rw != nil {
		opts.Rewrite = rw.replaceContent
	}
	x, err := extract.Extract(resp.body, resp.docURL(), opts)
	if err != nil {
		return PageResult{}, fmt.Errorf("article page %s: extract: %w", req.URL, err)
	}
	if strings.TrimSpace(feeds.PlainText(x.Content)) == "" {
		return PageResult{}, fmt.Errorf("article page %s: no article content found", req.URL)
	}
	x.Title = rw.rewriteTitle(x.Title)
	return PageResult{
		Article: pageArticle(x, cmp.Or(opts.Now, time.Now())),
		ETag:    resp.etag, LastModified: resp.lastModified,
		URL: resp.docURL(),
	}, nil
}

// htmlOnly refuses a page whose Content-Type names a type other than HTML
// (a missing one is let through: the page may still be HTML).
func htmlOnly(contentType string) error {
	if mt, _, _ := mime.ParseMediaType(contentType); mt != "" && !strings.Contains(mt, "html") {
		return fmt.Errorf("not an HTML page (%s)", mt)
	}
	return nil
}

// pageError words an error of get for an article page.
func pageError(link string, err error) error {
	var (
		he *HTTPError
		ge *getError
	)
	switch {
	case errors.As(err, &he):
		return fmt.Errorf("article page %s: http %s", link, he.Status)
	case errors.As(err, &ge) && ge.step == stepRequest:
		return fmt.Errorf("article page: %w", ge.err)
	case errors.As(err, &ge) && ge.step == stepRead:
		return fmt.Errorf("article page %s: read: %w", link, ge.err)
	case errors.As(err, &ge):
		return fmt.Errorf("article page %s: %w", link, ge.err)
	}
	return fmt.Errorf("article page %s: %w", link, err)
}

// pageArticle is the story x tells, its dates judged plausible at now.
func pageArticle(x extract.Result, now time.Time) feeds.Article {
	categories := slices.Clone(x.Tags)
	if x.Section != "" {
		categories = append([]string{x.Section}, categories...)
	}
	return feeds.Article{
		Content: x.Content, Summary: x.Excerpt, Title: x.Title, Authors: x.Authors, Image: x.Image,
		Published: PlausibleDate(x.Published, now), Updated: PlausibleDate(x.Updated, now),
		Categories: feeds.Terms(categories...),
	}
}
