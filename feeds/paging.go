package feeds

// Paging links one page of a paged feed to the others (RFC 5005 section 3,
// "Paged Feeds"): a subscriber follows Next from the first page back
// through everything retained. Empty URLs are left out of the rendering;
// the first page has no Previous and the last no Next.
type Paging struct {
	First, Previous, Next string
}

// pageLinks returns p's links as (rel, href) pairs in a stable order,
// leaving out the empty ones.
func (p Paging) pageLinks() [][2]string {
	var out [][2]string
	for _, l := range [][2]string{{"first", p.First}, {"previous", p.Previous}, {"next", p.Next}} {
		if u := clean(l[1]); u != "" {
			out = append(out, [2]string{l[0], u})
		}
	}
	return out
}
