// Package pubdate holds the rules for publication dates that the feed
// parser (package sources) and the page extractor (sources/extract) share,
// so that a date means the same thing whichever of them read it.
package pubdate

import (
	"strings"
	"time"
)

// earliest is the first plausible publication date: nothing was
// syndicated before 1995, and older dates come from broken generators
// (zero values, Unix epoch, two-digit years).
var earliest = time.Date(1995, time.January, 1, 0, 0, 0, 0, time.UTC)

// MaxFutureSkew is how far ahead of now a date may be before it is treated
// as wrong (clock skew and time zones, not scheduled posts).
const MaxFutureSkew = 48 * time.Hour

// Plausible returns t in UTC, or the zero time when t is zero, before 1995
// or more than MaxFutureSkew after now.
func Plausible(t, now time.Time) time.Time {
	if t.IsZero() || t.Before(earliest) || t.After(now.Add(MaxFutureSkew)) {
		return time.Time{}
	}
	return t.UTC()
}

// zoneOffsets are the UTC offsets, in seconds, of the zone abbreviations
// seen in feeds and pages.
var zoneOffsets = map[string]int{
	"UT": 0, "GMT": 0, "UTC": 0, "Z": 0,
	"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
	"MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
	"WET": 0, "WEST": 3600, "BST": 3600, "CET": 3600, "CEST": 2 * 3600,
	"EET": 2 * 3600, "EEST": 3 * 3600, "IST": 19800, "JST": 9 * 3600,
	"AEST": 10 * 3600, "AEDT": 11 * 3600,
}

// ZoneOffset returns the UTC offset in seconds of a zone abbreviation
// ("EST", "cest"), and false when the abbreviation is not known.
func ZoneOffset(abbr string) (int, bool) {
	off, ok := zoneOffsets[strings.ToUpper(strings.TrimSpace(abbr))]
	return off, ok
}

// FixZone corrects a time parsed with time.ParseInLocation(layout, s,
// time.UTC) from a text with a zone abbreviation: Go gives an abbreviation
// it does not know an offset of zero, so "08:30 EST" would be read as 08:30
// UTC. When t carries such an abbreviation and ZoneOffset knows it, the
// same wall clock is returned at the right offset; any other t is returned
// as is. (Parsing in UTC, not the machine's zone, keeps the result the same
// on every server: time.Parse would give "CST" Shanghai's offset there.)
func FixZone(t time.Time) time.Time {
	name, off := t.Zone()
	if name == "" || off != 0 {
		// A numeric offset, or UTC's own.
		return t
	}
	want, ok := ZoneOffset(name)
	if !ok || want == 0 {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(),
		t.Nanosecond(), time.FixedZone(name, want))
}
