// Package feeds holds Tributary's article model, the rules every article
// obeys wherever it came from (its published id, sanitized HTML, bounded
// text), and the feeds built from articles: selecting, merging,
// de-duplicating, sorting, limiting and rendering them as RSS 2.0, Atom 1.0
// and JSON Feed 1.1. It is pure: no network, no database.
package feeds

import "time"

// Article is one story, normalized from whatever format its source used.
// Summary and Content hold sanitized HTML; Title is plain text.
type Article struct {
	// ID is stable across fetches: the item's guid/id when present, else its
	// link, else a hash of its text (SourceItemID, ContentID; every id rule
	// is in id.go).
	ID string
	// Source is the configured name of the source the article came from.
	Source string
	// Origin is the URL the source was fetched from (feed or page URL); it is
	// used to tell which source is on the story's own site when merging.
	Origin string
	// Title is plain text (no markup, entities decoded).
	Title string
	// Link is the absolute URL of the story.
	Link string
	// Summary is a short sanitized HTML description.
	Summary string
	// Content is the full sanitized HTML body.
	Content    string
	Authors    []Author
	Image      *Image
	Enclosures []Enclosure
	// Categories are the story's tags, each at most once by term (compared
	// case-insensitively); see Category.
	Categories []Category
	// Podcast holds the iTunes details of a podcast episode; nil when the
	// source gave none.
	Podcast *Podcast
	// Published is when the story was first published; Updated when it last
	// changed. Either may be zero when the source did not say.
	Published time.Time
	Updated   time.Time
	// FetchedAt is when Tributary first saw the story.
	FetchedAt time.Time
	// Page records the full-text extraction of the story's page, for
	// sources with fulltext enabled; nil when none was attempted. It is
	// bookkeeping, never rendered.
	Page *PageState
	// Via describes the feed the story was taken from, for attribution
	// (Atom's <source>, RSS <source>, JSON Feed "_tributary.source"). It
	// is not stored with the article: whoever renders fills it from the
	// source's saved state, so it is nil when not known.
	Via *SourceFeed
}

// SourceFeed describes the feed (or page) an article was taken from, as
// RFC 4287 section 4.2.11 asks an aggregator to say: its title, id, home
// page and its own URL. URL must carry no credentials.
type SourceFeed struct {
	Title string // plain text
	ID    string // the feed's own id (Atom <id>), when it has one
	Link  string // the source's home page
	URL   string // the feed's URL
}

// Category is one tag of a story, as the source wrote it: Term is what it
// is (an Atom term, the text of an RSS <category>), Scheme the vocabulary
// it belongs to (Atom scheme, RSS domain) and Label a human-readable name
// (Atom label), both optional.
type Category struct {
	Term   string
	Scheme string
	Label  string
}

// CategoryTerms returns the terms of cs, in order.
func CategoryTerms(cs []Category) []string {
	if len(cs) == 0 {
		return nil
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Term
	}
	return out
}

// Terms makes a category of each term, with no scheme or label.
func Terms(terms ...string) []Category {
	if len(terms) == 0 {
		return nil
	}
	out := make([]Category, len(terms))
	for i, t := range terms {
		out[i] = Category{Term: t}
	}
	return out
}

// Podcast holds what the iTunes podcast extension says about an episode.
type Podcast struct {
	// Duration is the episode's length, zero when unknown.
	Duration time.Duration
	// Image is the URL of the episode's artwork.
	Image string
	// Explicit says whether the episode is marked explicit.
	Explicit Explicit
}

// Explicit is the iTunes explicit flag: unknown, yes or no.
type Explicit int8

// The values of Explicit; the zero value is ExplicitUnknown.
const (
	ExplicitUnknown Explicit = iota
	ExplicitYes
	ExplicitNo
)

// PageState records fetching and extracting an article's own page.
type PageState struct {
	// ExtractedAt is when the page was last extracted successfully.
	ExtractedAt time.Time
	// ETag and LastModified are the page's validators, for conditional GETs.
	ETag         string
	LastModified string
	// Error is the reason of the last failed attempt, empty after a success.
	Error string
	// Attempts counts consecutive failed attempts; AttemptedAt is when the
	// last attempt, failed or not, was made.
	Attempts    int
	AttemptedAt time.Time
	// RetryAt is when a failed page is due for another attempt (its
	// backoff); zero after a success.
	RetryAt time.Time
}

// Author is a person credited with an article.
type Author struct {
	Name   string
	Email  string
	URL    string // profile page
	Avatar string // image URL
	Bio    string // plain text
}

// Image is an article's lead image.
type Image struct {
	URL     string
	Caption string // plain text
	Credit  string // plain text, e.g. "FBI" from "Image from FBI"
	Type    string // MIME type, e.g. image/jpeg, when known
	Width   int
	Height  int
	Length  int64 // size in bytes, when known
}

// Enclosure is a media file attached to an article (podcast audio, images).
type Enclosure struct {
	URL    string
	Type   string
	Length int64
}
