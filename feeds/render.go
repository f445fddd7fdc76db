package feeds

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	gf "github.com/gorilla/feeds"
)

// Feed is one rendering's worth of a combined feed.
type Feed struct {
	// ID is the feed's stable identifier, used as the Atom <id>; when empty
	// SelfURL is used.
	ID    string
	Title string
	// Description is plain text (RSS description, Atom subtitle).
	Description string
	// Link is the site's home page.
	Link string
	// SelfURL is the absolute URL of this very rendering, so it differs per
	// format; the caller sets it.
	SelfURL string
	// Hub is the absolute URL of the WebSub hub that announces this
	// feed's changes, linked as rel="hub" beside the self link; empty
	// links none. The caller sets it (without credentials: it is public).
	Hub       string
	Generator string
	// Updated is when the feed last changed; when zero, the newest date of
	// its items is used.
	Updated time.Time
	// Icon is the absolute URL of a small square image (a favicon) and
	// Logo that of a larger one; either may be empty. RSS's <image> is the
	// logo, else the icon.
	Icon, Logo string
	// Language is the BCP 47 tag of the feed's language ("en", "fr-CA"),
	// empty when unknown.
	Language string
	// Rights is a plain text copyright statement.
	Rights string
	// Items are rendered in the given order; see Combine.
	Items []Article
	// LeadImage puts each item's lead image, with its caption and credit,
	// at the top of its content when the content does not show it (see
	// leadFigure).
	LeadImage bool
	// Paging links this page to the feed's others, when the feed is
	// paged: atom:link elements in Atom and RSS, next_url in JSON Feed.
	Paging Paging
}

// ErrUnknownFormat is returned by Render for a format it does not know.
var ErrUnknownFormat = errors.New("unknown feed format")

// Render renders f in format. The output is deterministic for a given f:
// every time is written in UTC to the second, and no random ids are made.
func Render(f Feed, format Format) ([]byte, error) {
	switch format {
	case RSS:
		return RenderRSS(f)
	case Atom:
		return RenderAtom(f)
	case JSON:
		return RenderJSON(f)
	}
	return nil, fmt.Errorf("render feed: %w: %q", ErrUnknownFormat, string(format))
}

// feedInfo and item are a Feed and an Article made ready for every format:
// strings stripped of what XML forbids, dates chosen, empty parts dropped.
type feedInfo struct {
	id, title, description, link, self, hub, generator string
	icon, logo, language, rights                       string
	updated                                            time.Time
	paging                                             Paging
}

type item struct {
	id, title, link, source string
	summary, content        string
	published, updated      time.Time // either may be zero
	authors                 []Author
	image                   *Image
	enclosures              []Enclosure
	categories              []Category
	podcast                 *Podcast
	via                     *SourceFeed
}

// modified is the item's latest known date, zero when it has none.
func (it *item) modified() time.Time {
	if it.updated.After(it.published) {
		return it.updated
	}
	return it.published
}

// epoch stands in for the date of a feed without any date at all: a format
// that requires one gets an honest "long ago" rather than the time of the
// rendering, which would change the output on every request.
var epoch = time.Unix(0, 0).UTC()

func prepare(f Feed) (feedInfo, []item) {
	fi := feedInfo{
		id:          clean(f.ID),
		title:       clean(f.Title),
		description: clean(f.Description),
		link:        clean(f.Link),
		self:        clean(f.SelfURL),
		hub:         clean(f.Hub),
		generator:   clean(f.Generator),
		icon:        clean(f.Icon),
		logo:        clean(f.Logo),
		language:    languageTag(f.Language),
		rights:      clean(f.Rights),
		updated:     normTime(f.Updated),
		paging:      f.Paging,
	}
	items := make([]item, len(f.Items))
	var newest time.Time
	for i := range f.Items {
		items[i] = prepareItem(&f.Items[i])
		if f.LeadImage {
			addLeadFigure(&items[i])
		}
		if m := items[i].modified(); m.After(newest) {
			newest = m
		}
	}
	if fi.updated.IsZero() {
		fi.updated = newest
	}
	if fi.updated.IsZero() {
		fi.updated = epoch
	}
	if fi.id == "" {
		fi.id = fi.self
	}
	if fi.id == "" {
		fi.id = fi.link
	}
	return fi, items
}

func prepareItem(a *Article) item {
	it := item{
		title:   clean(a.Title),
		link:    clean(a.Link),
		source:  clean(a.Source),
		summary: StripControl(strings.TrimSpace(a.Summary)),
		content: StripControl(strings.TrimSpace(a.Content)),
		updated: normTime(a.Updated),
	}
	it.published = normTime(a.Published)
	if it.published.IsZero() {
		it.published = normTime(a.FetchedAt)
	}
	it.id = renderedID(it.source, a.ID, it.link, it.title, it.summary, it.content)
	for _, au := range a.Authors {
		au = Author{Name: clean(au.Name), Email: clean(au.Email), URL: clean(au.URL), Avatar: clean(au.Avatar), Bio: clean(au.Bio)}
		if au != (Author{}) {
			it.authors = append(it.authors, au)
		}
	}
	if a.Image != nil && strings.TrimSpace(a.Image.URL) != "" {
		im := *a.Image
		im.URL, im.Caption, im.Credit, im.Type = clean(im.URL), clean(im.Caption), clean(im.Credit), mediaType(im.Type)
		im.Width, im.Height, im.Length = max(im.Width, 0), max(im.Height, 0), max(im.Length, 0)
		it.image = &im
	}
	for _, e := range a.Enclosures {
		e = Enclosure{URL: clean(e.URL), Type: mediaType(e.Type), Length: max(e.Length, 0)}
		if e.URL != "" {
			it.enclosures = append(it.enclosures, e)
		}
	}
	seen := make(map[string]bool, len(a.Categories))
	for _, c := range a.Categories {
		c = Category{Term: clean(c.Term), Scheme: clean(c.Scheme), Label: clean(c.Label)}
		if k := strings.ToLower(c.Term); c.Term != "" && !seen[k] {
			seen[k] = true
			it.categories = append(it.categories, c)
		}
	}
	if p := a.Podcast; p != nil {
		pc := Podcast{Duration: max(p.Duration, 0).Truncate(time.Second), Image: clean(p.Image), Explicit: p.Explicit}
		if pc.Explicit != ExplicitYes && pc.Explicit != ExplicitNo {
			pc.Explicit = ExplicitUnknown
		}
		if pc != (Podcast{}) {
			it.podcast = &pc
		}
	}
	if v := a.Via; v != nil {
		sf := SourceFeed{Title: clean(v.Title), ID: clean(v.ID), Link: clean(v.Link), URL: clean(v.URL)}
		if sf != (SourceFeed{}) {
			it.via = &sf
		}
	}
	return it
}

// clean prepares a one-line string: no characters XML forbids, no
// surrounding space.
func clean(s string) string {
	return strings.TrimSpace(StripControl(s))
}

// languageRE is the shape of a language tag that Atom's schema accepts
// in xml:lang (RFC 3066, the subset of BCP 47 tags made of subtags).
var languageRE = regexp.MustCompile(`^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$`)

// languageTag returns s trimmed when it has the shape of a language tag,
// else "": the configuration checks tags, and a malformed one must not
// make a rendering invalid.
func languageTag(s string) string {
	if s = strings.TrimSpace(s); languageRE.MatchString(s) {
		return s
	}
	return ""
}

// normTime returns t in UTC to the second, or zero when t is no date worth
// writing: before 1900 (year 1 is an unset time.Time, other early years are
// parse accidents) or beyond 9999, which RFC 3339 cannot express.
func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	t = t.UTC().Truncate(time.Second)
	if t.Year() < 1900 || t.Year() > 9999 {
		return time.Time{}
	}
	return t
}

// mediaType returns t cleaned when it is a MIME type (type/subtype, with
// parameters or not) and "" otherwise, so that the type is guessed from the
// URL instead. Sources write "mp3" or "audio/" as an enclosure type; Atom's
// schema requires "type/subtype" on one line (the W3C suite's
// invalid_item_enclosure_invalid_type.xml made the Atom rendering invalid),
// and JSON Feed and RSS readers expect a MIME type too.
func mediaType(t string) string {
	t = clean(t)
	mt, _, err := mime.ParseMediaType(t)
	if err != nil || strings.ContainsAny(t, "\r\n") {
		return ""
	}
	if typ, sub, ok := strings.Cut(mt, "/"); !ok || typ == "" || sub == "" {
		return ""
	}
	return t
}

// authorName is what to call an author where only a name fits.
func authorName(a Author) string {
	switch {
	case a.Name != "":
		return a.Name
	case a.Email != "":
		return a.Email
	}
	return a.URL
}

// mimeType returns the media type of a common media file, read from the
// extension of its URL's path, else fallback, so that an enclosure whose
// source did not say gets one: RSS requires it. It is a
// fixed table rather than mime.TypeByExtension, whose answers depend on the
// machine's /etc/mime.types and would make renderings differ across hosts.
func mimeType(rawURL, fallback string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fallback
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	case ".gif":
		return "image/gif"
	case ".webp":
		return "image/webp"
	case ".avif":
		return "image/avif"
	case ".svg":
		return "image/svg+xml"
	case ".mp3":
		return "audio/mpeg"
	case ".m4a":
		return "audio/mp4"
	case ".aac":
		return "audio/aac"
	case ".ogg", ".oga":
		return "audio/ogg"
	case ".opus":
		return "audio/opus"
	case ".wav":
		return "audio/wav"
	case ".mp4", ".m4v":
		return "video/mp4"
	case ".webm":
		return "video/webm"
	case ".mov":
		return "video/quicktime"
	case ".pdf":
		return "application/pdf"
	}
	return fallback
}

// gorillaFeed maps f onto gorilla/feeds' generic model, which builds the
// parts of every format that it gets right (titles, links, ids, dates,
// summaries). Each format then extends or replaces what it gets wrong.
func gorillaFeed(fi feedInfo, items []item) *gf.Feed {
	g := &gf.Feed{
		Title:       fi.title,
		Link:        &gf.Link{Href: fi.link},
		Description: fi.description,
		Id:          fi.id,
		Updated:     fi.updated,
		Copyright:   fi.rights,
		Items:       make([]*gf.Item, len(items)),
	}
	for i := range items {
		it := &items[i]
		gi := &gf.Item{
			Title:       it.title,
			Link:        &gf.Link{Href: it.link},
			Description: it.summary,
			Content:     it.content,
			Id:          it.id,
			IsPermaLink: "false",
			Created:     it.published,
			Updated:     it.updated,
		}
		if it.id == it.link {
			gi.IsPermaLink = "true"
		}
		if e := it.rssEnclosure(); e != nil {
			gi.Enclosure = e
		}
		g.Items[i] = gi
	}
	return g
}

// rssEnclosure is the one enclosure RSS allows: the first real enclosure,
// else the image. Length is required, so an unknown one is written as 0, as
// the RSS Advisory Board recommends; so is the type, guessed from the URL
// when unknown, else image/jpeg for an image (the most common; readers show
// any image type alike) and application/octet-stream for anything else.
// Atom's enclosure links use the same types.
func (it *item) rssEnclosure() *gf.Enclosure {
	switch {
	case len(it.enclosures) > 0:
		e := it.enclosures[0]
		return &gf.Enclosure{Url: e.URL, Type: cmp.Or(e.Type, mimeType(e.URL, "application/octet-stream")), Length: fmt.Sprint(e.Length)}
	case it.image != nil:
		im := it.image
		return &gf.Enclosure{Url: im.URL, Type: cmp.Or(im.Type, mimeType(im.URL, "image/jpeg")), Length: fmt.Sprint(im.Length)}
	}
	return nil
}

// xmlText is element text written with xml.Encoder.EncodeToken, which
// escapes markup but leaves newlines alone. gorilla writes HTML either as
// CDATA (RSS content:encoded), which passes control characters through raw
// and makes the document invalid, or as ",chardata", which encoding/xml
// writes with every newline escaped as "&#xA;" and bloats article bodies.
type xmlText string

// MarshalXML implements xml.Marshaler.
func (t xmlText) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeToken(xml.CharData(t)); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

// mediaContent is a Media RSS <media:content> element describing the lead
// image; gorilla has no Media RSS support. It is used in RSS and in Atom.
type mediaContent struct {
	URL         string `xml:"url,attr"`
	Medium      string `xml:"medium,attr"`
	Type        string `xml:"type,attr,omitempty"`
	FileSize    int64  `xml:"fileSize,attr,omitempty"`
	Width       int    `xml:"width,attr,omitempty"`
	Height      int    `xml:"height,attr,omitempty"`
	Credit      string `xml:"media:credit,omitempty"`
	Description string `xml:"media:description,omitempty"`
}

func newMediaContent(im *Image) *mediaContent {
	if im == nil {
		return nil
	}
	return &mediaContent{
		URL: im.URL, Medium: "image", Type: cmp.Or(im.Type, mimeType(im.URL, "")),
		FileSize: im.Length, Width: im.Width, Height: im.Height,
		Credit: im.Credit, Description: im.Caption,
	}
}

const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsMedia   = "http://search.yahoo.com/mrss/"
	nsPoco    = "http://portablecontacts.net/spec/1.0"
	nsITunes  = "http://www.itunes.com/dtds/podcast-1.0.dtd"
)

// itunesItem is an item's iTunes podcast elements, used in RSS and, as
// foreign markup that RFC 4287 allows in an entry, in Atom.
type itunesItem struct {
	Duration string       `xml:"itunes:duration,omitempty"`
	Image    *itunesImage `xml:"itunes:image"`
	Explicit string       `xml:"itunes:explicit,omitempty"`
}

type itunesImage struct {
	Href string `xml:"href,attr"`
}

// newITunes returns p's iTunes elements: the duration in whole seconds
// (which Apple's spec accepts beside HH:MM:SS), explicit as "true" or
// "false", each left out when unknown.
func newITunes(p *Podcast) itunesItem {
	var x itunesItem
	if p == nil {
		return x
	}
	if p.Duration > 0 {
		x.Duration = fmt.Sprint(int64(p.Duration / time.Second))
	}
	if p.Image != "" {
		x.Image = &itunesImage{Href: p.Image}
	}
	switch p.Explicit {
	case ExplicitYes:
		x.Explicit = "true"
	case ExplicitNo:
		x.Explicit = "false"
	}
	return x
}

// marshalXML writes v as an indented XML document with its declaration.
func marshalXML(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
