package sources

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// bodyFeed is an RSS document of n items padded to about size bytes.
func bodyFeed(n, size int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Body</title><link>http://example.com/</link>`)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>Item %d</title><link>http://example.com/%d</link><description>story %d</description></item>`, i, i, i)
	}
	if pad := size - b.Len() - len(`</channel></rss>`) - len(`<!---->`); pad > 0 {
		b.WriteString(`<!--` + strings.Repeat("x", pad) + `-->`)
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes()
}

// TestFetchReadsBodyOfAnyLength fetches documents whose length is on
// either side of the buffers readBody sizes, served with their
// Content-Length, without one (chunked) and gzip-compressed, and checks
// that every item arrives.
func TestFetchReadsBodyOfAnyLength(t *testing.T) {
	for _, size := range []int{100, 511, 512, 513, 4096, 100 << 10, maxBodyHint - 1, maxBodyHint, maxBodyHint + 1} {
		doc := bodyFeed(3, size)
		for _, mode := range []string{"length", "chunked", "gzip"} {
			t.Run(fmt.Sprintf("%d/%s", len(doc), mode), func(t *testing.T) {
				srv := newFixtureServer(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/rss+xml")
					switch mode {
					case "length":
						w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
						_, _ = w.Write(doc)
						return
					case "gzip":
						// The client asked for gzip and decompresses it:
						// the length it sees is unknown.
						if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
							t.Error("the client did not ask for gzip")
						}
						var z bytes.Buffer
						zw := gzip.NewWriter(&z)
						_, _ = zw.Write(doc)
						_ = zw.Close()
						w.Header().Set("Content-Encoding", "gzip")
						w.Header().Set("Content-Length", strconv.Itoa(z.Len()))
						_, _ = w.Write(z.Bytes())
						return
					}
					// Written in pieces with flushes: no Content-Length.
					for rest := doc; len(rest) > 0; {
						n := min(len(rest), 1000)
						_, _ = w.Write(rest[:n])
						w.(http.Flusher).Flush()
						rest = rest[n:]
					}
				})
				res, err := Fetch(context.Background(), srv.Client(), Request{Source: Source{URL: srv.URL}})
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Articles) != 3 || res.Articles[2].Title != "Item 2" {
					t.Fatalf("got %d articles: %+v", len(res.Articles), res.Articles)
				}
			})
		}
	}
}

// TestFetchRefusesBodyOverLimit serves one byte more than MaxBodyBytes,
// with and without a Content-Length: both are refused, not parsed.
func TestFetchRefusesBodyOverLimit(t *testing.T) {
	doc := bodyFeed(1, MaxBodyBytes+1)
	for _, withLength := range []bool{true, false} {
		srv := newFixtureServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			if withLength {
				w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
			}
			_, _ = w.Write(doc)
		})
		_, err := Fetch(context.Background(), srv.Client(), Request{Source: Source{URL: srv.URL}})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("body larger than %d bytes", MaxBodyBytes)) {
			t.Errorf("Content-Length sent %v: err = %v", withLength, err)
		}
	}
}

// TestFetchBodyShorterThanItsLength is a server that announces more
// bytes than it sends and closes the connection: the fetch fails as a
// read, whatever buffer the announced length sized.
func TestFetchBodyShorterThanItsLength(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	doc := bodyFeed(2, 0)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
					return
				}
				fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: %d\r\n\r\n", maxBodyHint)
				_, _ = c.Write(doc)
			}()
		}
	}()
	_, err = Fetch(context.Background(), http.DefaultClient, Request{Source: Source{URL: "http://" + ln.Addr().String() + "/feed"}})
	if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Errorf("err = %v, want the short body reported", err)
	}
}
