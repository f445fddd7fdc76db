// Package pagecharset decodes an HTML page to UTF-8. The page extractor
// (sources/extract) and the feed discovery and page scraper (package
// sources) read pages through it, so that a page decodes the same wherever
// it is read.
package pagecharset

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ToUTF8 returns page as UTF-8, decoded from the charset its byte order
// mark, Content-Type or <meta charset> declares (in that order, as the
// HTML standard's encoding sniffing does). When neither the Content-Type
// nor a byte order mark settles it, a page that is valid UTF-8 (with some
// non-ASCII text) is read as UTF-8: the standard's fallback, windows-1252,
// turns "Café “news”" into "CafÃ© â€œnewsâ€" when the <meta> is missing or
// sits beyond the first 1024 bytes (behind a large inline script), and
// text in a legacy charset is almost never valid UTF-8 (windows-1252 "é"
// is a lone 0xE9), so a <meta> naming one on such a page is wrong. A page
// read as UTF-8 loses its byte order mark and has its invalid bytes
// replaced with U+FFFD. The error is the legacy decoder's.
func ToUTF8(page []byte, contentType string) ([]byte, error) {
	enc, name, certain := charset.DetermineEncoding(page, contentType)
	if name == "utf-8" || enc == nil || !certain && isUTF8Text(page) {
		return bytes.ToValidUTF8(bytes.TrimPrefix(page, utf8BOM), []byte("\uFFFD")), nil
	}
	return enc.NewDecoder().Bytes(page)
}

// isUTF8Text reports whether b is valid UTF-8 with at least one non-ASCII
// character: plain ASCII reads the same in every charset a page may
// declare except the 7-bit ones (ISO-2022-JP), which keep their decoder.
func isUTF8Text(b []byte) bool {
	for i, c := range b {
		if c >= utf8.RuneSelf {
			return utf8.Valid(b[i:])
		}
	}
	return false
}
