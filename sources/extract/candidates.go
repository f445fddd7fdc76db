package extract

import (
	"cmp"
	"net/url"
	"slices"
	"strings"

	"github.com/tributary/tributary/feeds"
)

// list holds the values a page gives for one field, most trusted first.
type list []string

// add appends s when it is not blank.
func (l *list) add(s string) {
	if s = strings.TrimSpace(s); s != "" {
		*l = append(*l, s)
	}
}

// first returns the most trusted value, or "".
func (l list) first() string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}

// imageCand is an image a page names: in its metadata or in its markup.
type imageCand struct {
	url           string
	width, height int
	caption       string
	credit        string
	// captioned is true for an image in a figure with a caption element,
	// even when the caption held only the credit.
	captioned bool
	// inFigure is true for an image inside a figure.
	inFigure bool
}

// candidates gathers what every source of metadata says about each field,
// in order of trust: JSON-LD, OpenGraph and article:*, Twitter cards,
// microformats and microdata, bylines, heuristics.
type candidates struct {
	title, published, updated, section, excerpt list
	lang, canonical, siteName                   list
	// tags hold one group per source.
	tags [][]string
	// authors are the candidate authors, one listing per place that
	// names some (see rankAuthors).
	authors []authorListing
	// handles are the Twitter creators, without "@": the profile URL of
	// the author they belong to, and the name only when nothing else
	// names anyone, since "@jdoe" is not a name. siteHandle is the
	// site's own account (twitter:site).
	handles    []string
	siteHandle string
	images     []imageCand
	// known are the author names the caller already has for the story
	// (Options.KnownAuthors): they name the authors when the page does
	// not, so that an "About the author" box that names no one still
	// finds its author.
	known []string
	// feed are the names the caller keeps unless the page names someone
	// (Options.KnownAuthors and Options.FeedAuthors).
	feed []string
}

// firstTags returns the tags of the most trusted source that has some,
// trimmed and de-duplicated case-insensitively.
func (c *candidates) firstTags() []string {
	for _, g := range c.tags {
		seen := make(map[string]bool)
		var out []string
		for _, t := range g {
			t = feeds.PlainText(t)
			k := strings.ToLower(t)
			if t == "" || seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, t)
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// resolveAuthors returns the story's authors: those rankAuthors picks
// among the candidates of every listing, each completed from the records
// describing that very person (completeAuthors) and given the profile URL
// of their Twitter handle when they have none. When no listing names
// anyone, or only a stand-in where a feed's name is not one (see
// rankAuthors), the known names (Options.KnownAuthors) are the authors, returned
// only when the page completes one of them; then, unless a stand-in was
// refused, the Twitter handles, since no other name is on the page.
func (c *candidates) resolveAuthors(base *url.URL) []feeds.Author {
	names, refused := rankAuthors(c.authors, c.siteName, c.known, c.feed)
	fromKnown := false
	if len(names) == 0 {
		for _, a := range c.knownAuthors() {
			names = append(names, a.Name)
		}
		fromKnown = len(names) > 0
	}
	if len(names) == 0 && refused {
		return nil
	}
	if len(names) == 0 {
		var out []feeds.Author
		for _, h := range c.handles {
			out = append(out, feeds.Author{Name: "@" + h, URL: twitterURL(h)})
		}
		return out
	}
	out := completeAuthors(names, c.authors, base)
	if fromKnown && !slices.ContainsFunc(out, func(a feeds.Author) bool { return a != feeds.Author{Name: a.Name} }) {
		// The caller has these names already: the page adds nothing.
		return nil
	}
	attachHandles(out, c.handles, c.siteHandle)
	return out
}

// knownAuthors returns the known names as author records.
func (c *candidates) knownAuthors() []feeds.Author {
	var out []feeds.Author
	for _, n := range c.known {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, feeds.Author{Name: n})
		}
	}
	return out
}

// chooseImage picks the lead image: the most trusted metadata image,
// completed from the other sources naming the same image and from the
// figure showing it; else the first large image of the content. Its caption
// comes from the figure, then the metadata, as written; its credit from a
// credit element or field, else from the caption (see CaptionCredit).
func (c *candidates) chooseImage(base *url.URL, contentImgs, pageImgs []imageCand) *feeds.Image {
	var meta []imageCand
	for _, m := range c.images {
		if m.url = absURL(base, m.url); m.url != "" {
			meta = append(meta, m)
		}
	}
	var lead imageCand
	var same []imageCand
	switch {
	case len(meta) > 0:
		lead = meta[0]
		for _, m := range meta {
			if feeds.SameImage(m.url, lead.url) {
				same = append(same, m)
			}
		}
	default:
		for _, im := range contentImgs {
			if isLarge(im) {
				lead = im
				break
			}
		}
		if lead.url == "" {
			return nil
		}
	}
	// The figure showing the lead image: in the content first, else
	// anywhere on the page (a featured image above the story).
	var fig *imageCand
	for _, imgs := range [][]imageCand{contentImgs, pageImgs} {
		for i := range imgs {
			if imgs[i].inFigure && feeds.SameImage(imgs[i].url, lead.url) {
				fig = &imgs[i]
				break
			}
		}
		if fig != nil {
			break
		}
	}
	img := &feeds.Image{URL: lead.url}
	// Dimensions describe one file: take them from the metadata naming the
	// lead URL, else from the figure when it shows that very file.
	dims := same
	if fig != nil && fig.url == lead.url {
		dims = append(dims, *fig)
	}
	if len(meta) == 0 {
		dims = []imageCand{lead}
	}
	for _, s := range dims {
		if s.url == lead.url && (s.width > 0 || s.height > 0) {
			img.Width, img.Height = s.width, s.height
			break
		}
	}
	// The caption: the figure's, else the metadata's.
	if fig != nil {
		same = append([]imageCand{*fig}, same...)
	} else if len(meta) == 0 {
		same = []imageCand{lead}
	}
	var caption, credit string
	captionFound := false
	for _, s := range same {
		if !captionFound && (s.captioned || s.caption != "") {
			caption, captionFound = s.caption, true
		}
		credit = cmp.Or(credit, s.credit)
	}
	img.Caption, img.Credit = CaptionCredit(caption, credit)
	return img
}

// isLarge reports whether an image of the content can lead the story:
// not an icon, avatar or tracking pixel.
func isLarge(im imageCand) bool {
	if im.url == "" {
		return false
	}
	if im.width > 0 && im.width < 200 || im.height > 0 && im.height < 100 {
		return false
	}
	l := strings.ToLower(im.url)
	for _, w := range []string{"avatar", "gravatar", "logo", "icon", "pixel", "spacer", "badge", "emoji", "blank.gif"} {
		if strings.Contains(l, w) {
			return false
		}
	}
	return true
}
