package feeds

import (
	"net/url"
	"path"
	"regexp"
	"strings"
)

// rxSizeSuffix matches what WordPress and CDNs append to resized copies
// of one image: a size ("photo-1024x683.jpg"), WordPress's "-scaled" (its
// copy of an upload over 2560 px, often the og:image) and a pixel density
// ("photo@2x.jpg").
var rxSizeSuffix = regexp.MustCompile(`(?:[-_]\d{2,5}x\d{2,5}|-scaled|@[1-9]x)+$`)

// imageKey identifies an image across its resized copies and hosts: the
// file name without extension or size suffix, lowercased.
func imageKey(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return u
	}
	name := path.Base(p.Path)
	name = strings.TrimSuffix(name, path.Ext(name))
	name = rxSizeSuffix.ReplaceAllString(name, "")
	if name == "" || name == "." || name == "/" {
		return u
	}
	return strings.ToLower(name)
}

// SameImage reports whether the image URLs a and b are copies of one
// image: the same URL, or the same file name once its extension and a
// size suffix ("-1024x683", "-scaled", "@2x") are set aside, on any host. It is the one
// rule for whether a page's content shows its lead image (extraction) and
// whether an item's content does (the lead figure).
func SameImage(a, b string) bool {
	return a == b || imageKey(a) == imageKey(b)
}
