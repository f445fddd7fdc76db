package xmlcheck

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// FeedLinks returns the self link and the RFC 5005 next link of a feed
// document, as a subscriber walking its pages reads them: atom:link
// elements (rel="self", rel="next") in Atom and RSS, feed_url and next_url
// in JSON Feed (isJSON). next is "" on the last page.
func FeedLinks(body []byte, isJSON bool) (self, next string, err error) {
	if isJSON {
		var jf struct {
			Self string `json:"feed_url"`
			Next string `json:"next_url"`
		}
		if err := json.Unmarshal(body, &jf); err != nil {
			return "", "", fmt.Errorf("feed links: %w", err)
		}
		return jf.Self, jf.Next, nil
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return self, next, nil
		}
		if err != nil {
			return "", "", fmt.Errorf("feed links: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Space != "http://www.w3.org/2005/Atom" || se.Name.Local != "link" {
			continue
		}
		var rel, href string
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "rel":
				rel = a.Value
			case "href":
				href = a.Value
			}
		}
		switch rel {
		case "self":
			self = href
		case "next":
			next = href
		}
	}
}
