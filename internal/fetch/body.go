package fetch

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/tributary/tributary/internal/redact"
)

// body is the response body handed to callers: it decompresses gzip and
// deflate itself, so the size cap counts decoded bytes, returns an error
// wrapping ErrTooLarge past the cap, and on Close releases everything the
// request held (connection, host slot, timer).
type body struct {
	ctx      context.Context
	raw      io.ReadCloser
	encoding string    // "", "gzip" or "deflate"
	r        io.Reader // what Read reads: raw or a decoder over it
	left     int64     // bytes still allowed
	max      int64
	url      *url.URL // for error messages
	err      error    // sticky error, returned by every later Read

	closeOnce sync.Once
	closeErr  error
	onClose   func()
}

// contentEncoding returns the single encoding this package decodes for
// resp ("gzip" or "deflate"), or "" to leave the body as it is.
func contentEncoding(resp *http.Response, method string) string {
	if method == http.MethodHead || resp.StatusCode == http.StatusNoContent ||
		resp.StatusCode == http.StatusNotModified || resp.StatusCode < 200 {
		return ""
	}
	switch strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))) {
	case "gzip", "x-gzip":
		return "gzip"
	case "deflate":
		return "deflate"
	}
	return ""
}

func (b *body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.r == nil {
		if err := b.openDecoder(); err != nil {
			return 0, b.fail(err)
		}
	}
	if b.left <= 0 {
		return 0, b.probeEnd()
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if err != nil && err != io.EOF {
		return n, b.fail(err)
	}
	if err == io.EOF {
		b.err = io.EOF
	}
	return n, err
}

// probeEnd runs once the cap is reached: the body is acceptable only if
// nothing follows.
func (b *body) probeEnd() error {
	var one [1]byte
	for range 100 {
		n, err := b.r.Read(one[:])
		if n > 0 {
			b.err = fmt.Errorf("fetch: read body of %s: more than %d bytes: %w", redact.URL(b.url.String()), b.max, ErrTooLarge)
			return b.err
		}
		if err == io.EOF {
			b.err = io.EOF
			return io.EOF
		}
		if err != nil {
			return b.fail(err)
		}
	}
	return b.fail(io.ErrNoProgress)
}

// openDecoder sets b.r; an empty encoded body is an empty body.
func (b *body) openDecoder() error {
	switch b.encoding {
	case "gzip":
		zr, err := gzip.NewReader(b.raw)
		if err == io.EOF {
			b.r = eofReader{}
			return nil
		}
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		b.r = zr
	case "deflate":
		// "deflate" is meant to be zlib (RFC 9110) but many servers send
		// raw DEFLATE; the zlib header tells them apart.
		br := bufio.NewReader(b.raw)
		hdr, err := br.Peek(2)
		if len(hdr) == 0 && err == io.EOF {
			b.r = eofReader{}
			return nil
		}
		if len(hdr) == 2 && hdr[0]&0x0f == 8 && (uint16(hdr[0])<<8|uint16(hdr[1]))%31 == 0 {
			zr, err := zlib.NewReader(br)
			if err != nil {
				return fmt.Errorf("deflate: %w", err)
			}
			b.r = zr
		} else {
			b.r = flate.NewReader(br)
		}
	default:
		b.r = b.raw
	}
	return nil
}

// fail records err as the sticky error, attributing it to the request's
// context when that has ended (timeout or caller cancellation).
func (b *body) fail(err error) error {
	if b.ctx.Err() != nil {
		err = context.Cause(b.ctx)
	} else if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	b.err = fmt.Errorf("fetch: read body of %s: %w", redact.URL(b.url.String()), err)
	return b.err
}

// Close closes the underlying body and releases what the request held. It
// is safe to call more than once.
func (b *body) Close() error {
	b.closeOnce.Do(func() {
		b.closeErr = b.raw.Close()
		b.onClose()
	})
	return b.closeErr
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
