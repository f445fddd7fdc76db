package feeds

import "strings"

// Format is a syndication format Tributary renders.
type Format string

// The formats Tributary renders. Their values double as file extensions.
const (
	RSS  Format = "rss"  // RSS 2.0
	Atom Format = "atom" // Atom 1.0 (RFC 4287)
	JSON Format = "json" // JSON Feed 1.1
)

// AllFormats returns every format Tributary renders, RSS first. The slice is
// new on every call, so callers may keep or change it.
func AllFormats() []Format {
	return []Format{RSS, Atom, JSON}
}

// ContentType returns the media type to serve f with, including its
// charset, or "" for an unknown format.
func (f Format) ContentType() string {
	switch f {
	case RSS:
		return "application/rss+xml; charset=utf-8"
	case Atom:
		return "application/atom+xml; charset=utf-8"
	case JSON:
		return "application/feed+json; charset=utf-8"
	}
	return ""
}

// Ext returns the file extension of f without the leading dot ("rss",
// "atom", "json"), or "" for an unknown format.
func (f Format) Ext() string {
	switch f {
	case RSS, Atom, JSON:
		return string(f)
	}
	return ""
}

// ParseFormat returns the format whose extension is ext; a leading dot and
// letter case are ignored. ok is false for an unknown extension.
func ParseFormat(ext string) (f Format, ok bool) {
	switch Format(strings.ToLower(strings.TrimPrefix(ext, "."))) {
	case RSS:
		return RSS, true
	case Atom:
		return Atom, true
	case JSON:
		return JSON, true
	}
	return "", false
}
