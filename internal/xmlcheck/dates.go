package xmlcheck

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Date is a date element of an RSS or Atom document.
type Date struct {
	// Name is the element's local name: pubDate, lastBuildDate, updated,
	// published or date (Dublin Core).
	Name string
	// Value is the element's text, trimmed.
	Value string
	// InItem is true for an item's or entry's date, false for the feed's.
	InItem bool
}

// Dates returns every date element of an RSS or Atom document in document
// order, or the error that stopped the XML reader.
func Dates(b []byte) ([]Date, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	var (
		out   []Date
		stack []string
		text  strings.Builder
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("read dates: %w", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
			text.Reset()
		case xml.CharData:
			text.Write(tok)
		case xml.EndElement:
			name := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			switch name {
			case "pubDate", "lastBuildDate", "updated", "published", "date":
				out = append(out, Date{
					Name:   name,
					Value:  strings.TrimSpace(text.String()),
					InItem: slices.Contains(stack, "item") || slices.Contains(stack, "entry"),
				})
			}
		}
	}
}

// Time parses the date in the format its element requires: RFC 1123 with a
// numeric zone (RFC 822's successor, as RSS 2.0 wants) for pubDate and
// lastBuildDate, RFC 3339 for the others.
func (d Date) Time() (time.Time, error) {
	layout := time.RFC3339
	if d.Name == "pubDate" || d.Name == "lastBuildDate" {
		layout = time.RFC1123Z
	}
	t, err := time.Parse(layout, d.Value)
	if err != nil {
		return time.Time{}, fmt.Errorf("date <%s> %q: %w", d.Name, d.Value, err)
	}
	return t, nil
}
