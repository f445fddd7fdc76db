package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// compress returns src written through the compressor w makes.
func compress(t testing.TB, src []byte, newWriter func(io.Writer) (io.WriteCloser, error)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := newWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(src); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipBytes(t testing.TB, src []byte) []byte {
	return compress(t, src, func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriterLevel(w, gzip.BestCompression) })
}

func zlibBytes(t testing.TB, src []byte) []byte {
	return compress(t, src, func(w io.Writer) (io.WriteCloser, error) { return zlib.NewWriter(w), nil })
}

func flateBytes(t testing.TB, src []byte) []byte {
	return compress(t, src, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
}

// encodedServer serves body with the given Content-Encoding and records
// the Accept-Encoding it was asked for.
func encodedServer(t *testing.T, encoding string, body []byte, sawAccept *string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sawAccept != nil {
			*sawAccept = r.Header.Get("Accept-Encoding")
		}
		if encoding != "" {
			w.Header().Set("Content-Encoding", encoding)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method != http.MethodHead {
			w.Write(body)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDecoding(t *testing.T) {
	t.Parallel()
	plain := []byte(strings.Repeat("<item><title>Ünïcode story</title></item>\n", 200))
	tests := []struct {
		name     string
		encoding string
		body     []byte
		want     []byte
	}{
		{"gzip", "gzip", gzipBytes(t, plain), plain},
		{"x-gzip", "x-gzip", gzipBytes(t, plain), plain},
		{"deflate as zlib", "deflate", zlibBytes(t, plain), plain},
		{"deflate as raw", "deflate", flateBytes(t, plain), plain},
		{"identity", "", plain, plain},
		{"unknown encoding untouched", "br", []byte("opaque"), []byte("opaque")},
		{"empty gzip body", "gzip", nil, nil},
		{"empty deflate body", "deflate", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var accept string
			srv := encodedServer(t, tt.encoding, tt.body, &accept)
			c := newClient(t, private(Options{}))
			resp, b, err := get(t, t.Context(), c, srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			if accept != "gzip, deflate" {
				t.Errorf("server saw Accept-Encoding %q, want %q", accept, "gzip, deflate")
			}
			if !bytes.Equal(b, tt.want) {
				t.Errorf("body is %d bytes %.40q..., want %d bytes %.40q...", len(b), b, len(tt.want), tt.want)
			}
			decoded := tt.encoding == "gzip" || tt.encoding == "x-gzip" || tt.encoding == "deflate"
			if decoded {
				if ce, cl := resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Length"); ce != "" || cl != "" {
					t.Errorf("decoded response keeps Content-Encoding %q Content-Length %q", ce, cl)
				}
				if resp.ContentLength != -1 || !resp.Uncompressed {
					t.Errorf("ContentLength %d Uncompressed %v, want -1 true", resp.ContentLength, resp.Uncompressed)
				}
			} else if tt.encoding != "" && resp.Header.Get("Content-Encoding") != tt.encoding {
				t.Errorf("Content-Encoding %q removed from a body that was not decoded", tt.encoding)
			}
		})
	}

	t.Run("corrupt gzip", func(t *testing.T) {
		bad := gzipBytes(t, plain)
		bad = bad[:len(bad)/2]
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bad) // chunked: the body ends cleanly, the stream does not
		}))
		t.Cleanup(srv.Close)
		c := newClient(t, private(Options{}))
		if _, _, err := get(t, t.Context(), c, srv.URL, nil); err == nil {
			t.Error("truncated gzip stream read without error")
		}
	})

	t.Run("HEAD with encoding", func(t *testing.T) {
		srv := encodedServer(t, "gzip", gzipBytes(t, plain), nil)
		c := newClient(t, private(Options{}))
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodHead, srv.URL, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if b, err := io.ReadAll(resp.Body); err != nil || len(b) != 0 {
			t.Errorf("HEAD body %q, error %v; want empty, nil", b, err)
		}
	})
}

func TestBodySizeCap(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	tests := []struct {
		name     string
		encoding string
		plain    int // decoded size
		wantErr  bool
	}{
		{"plain at the cap", "", limit, false},
		{"plain over the cap", "", limit + 1, true},
		{"plain far over the cap", "", 4 * limit, true},
		{"gzip at the cap", "gzip", limit, false},
		{"gzip over the cap", "gzip", limit + 1, true},
		{"deflate over the cap", "deflate", 2 * limit, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := bytes.Repeat([]byte("z"), tt.plain)
			body := plain
			switch tt.encoding {
			case "gzip":
				body = gzipBytes(t, plain)
			case "deflate":
				body = zlibBytes(t, plain)
			}
			srv := encodedServer(t, tt.encoding, body, nil)
			c := newClient(t, private(Options{MaxBodySize: limit}))
			_, b, err := get(t, t.Context(), c, srv.URL, nil)
			if tt.wantErr {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("error %v, want ErrTooLarge", err)
				}
				if len(b) > limit {
					t.Errorf("read %d bytes, more than the %d cap", len(b), limit)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != tt.plain {
				t.Errorf("read %d bytes, want %d", len(b), tt.plain)
			}
		})
	}
}

// TestCompressionBomb is not parallel: it measures the allocations of the
// whole process while it runs.
func TestCompressionBomb(t *testing.T) {
	const (
		inflated = 50 << 20 // 50 MB of zeros
		limit    = 1 << 20
		// Reading 1 MiB with io.ReadAll plus decoder state stays far below
		// this; buffering the inflated body would not.
		allocBudget = 16 << 20
	)
	bombs := []struct {
		encoding string
		body     []byte
	}{
		{"gzip", gzipBomb(t, inflated)},
		{"deflate", deflateBomb(t, inflated)},
	}
	for _, bomb := range bombs {
		t.Run(bomb.encoding, func(t *testing.T) {
			if len(bomb.body) > 1<<20 {
				t.Fatalf("bomb is %d bytes compressed; not a bomb", len(bomb.body))
			}
			srv := encodedServer(t, bomb.encoding, bomb.body, nil)
			c := newClient(t, private(Options{MaxBodySize: limit}))

			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, b, err := get(t, t.Context(), c, srv.URL, nil)
			runtime.ReadMemStats(&after)

			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v, want ErrTooLarge", err)
			}
			if len(b) > limit {
				t.Errorf("read %d bytes past the %d cap", len(b), limit)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > allocBudget {
				t.Errorf("allocated %d bytes reading a %d-byte bomb capped at %d", alloc, inflated, limit)
			}
		})
	}
}

// gzipBomb returns a gzip stream inflating to n zero bytes (n a multiple
// of 1 MiB), made of concatenated members so it is cheap to build.
func gzipBomb(t testing.TB, n int) []byte {
	t.Helper()
	member := gzipBytes(t, make([]byte, 1<<20))
	return bytes.Repeat(member, n/(1<<20))
}

// deflateBomb returns a raw DEFLATE stream inflating to n zero bytes (n a
// multiple of 1 MiB): one flushed block of 1 MiB of zeros repeated, then
// an empty final block.
func deflateBomb(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Flush(); err != nil { // ends byte-aligned, not final
		t.Fatal(err)
	}
	stream := bytes.Repeat(buf.Bytes(), n/(1<<20))
	return append(stream, 0x03, 0x00) // final, fixed-Huffman, empty block
}

func TestBombHelpersInflate(t *testing.T) {
	t.Parallel()
	const n = 3 << 20
	readers := map[string]func([]byte) (io.Reader, error){
		"gzip":    func(b []byte) (io.Reader, error) { return gzip.NewReader(bytes.NewReader(b)) },
		"deflate": func(b []byte) (io.Reader, error) { return flate.NewReader(bytes.NewReader(b)), nil },
	}
	for name, bomb := range map[string][]byte{"gzip": gzipBomb(t, n), "deflate": deflateBomb(t, n)} {
		r, err := readers[name](bomb)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.Copy(io.Discard, r)
		if err != nil || got != n {
			t.Errorf("%s bomb inflates to %d bytes (%v), want %d", name, got, err, n)
		}
	}
}
