package sources

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// earliestDate is the first plausible publication date: nothing was
// syndicated before 1995, and older dates come from broken generators
// (zero values, Unix epoch, two-digit years).
var earliestDate = time.Date(1995, time.January, 1, 0, 0, 0, 0, time.UTC)

// maxFutureSkew is how far ahead of now a date may be before it is treated
// as wrong (clock skew and time zones, not scheduled posts).
const maxFutureSkew = 48 * time.Hour

// plausible returns t in UTC, or the zero time when t is before 1995 or more
// than two days after now. Stores fall back to the first-seen time.
func plausible(t time.Time, now time.Time) time.Time {
	if t.IsZero() || t.Before(earliestDate) || t.After(now.Add(maxFutureSkew)) {
		return time.Time{}
	}
	return t.UTC()
}

// dateLayouts are tried in order by parseDate; the first that parses wins.
var dateLayouts = []string{
	time.RFC3339Nano,
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02 15:04",
	"2006/01/02",
	"20060102",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 2006 15:04 MST",
	"Mon, 2 Jan 2006 15:04:05",
	"Mon, 2 Jan 2006",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04",
	time.RFC822Z,
	time.RFC822,
	time.RFC850,
	time.ANSIC,
	time.UnixDate,
	time.RubyDate,
	"Monday, January 2, 2006 3:04 PM",
	"Monday, January 2, 2006 15:04",
	"Monday, January 2, 2006",
	"Monday, 2 January 2006",
	"Mon, January 2, 2006",
	"January 2, 2006 at 3:04 PM",
	"January 2, 2006 at 15:04",
	"January 2, 2006, 3:04 PM",
	"January 2, 2006 3:04 PM",
	"January 2, 2006 15:04",
	"January 2, 2006",
	"January 2 2006",
	"Jan 2, 2006 at 3:04 PM",
	"Jan 2, 2006, 3:04 PM",
	"Jan 2, 2006 3:04 PM",
	"Jan 2, 2006 15:04",
	"Jan 2, 2006",
	"Jan 2 2006",
	"2 January 2006 15:04",
	"2 January 2006",
	"2 Jan 2006",
	"2. January 2006",
	"02.01.2006 15:04",
	"02.01.2006",
	"2.1.2006",
	"January 2006",
}

// zoneOffsets resolves the zone abbreviations seen in feeds and pages; Go
// parses an unknown abbreviation as UTC+0, which would shift the time.
var zoneOffsets = map[string]int{
	"UT": 0, "GMT": 0, "UTC": 0, "Z": 0,
	"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
	"MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
	"WET": 0, "WEST": 3600, "BST": 3600, "CET": 3600, "CEST": 2 * 3600,
	"EET": 2 * 3600, "EEST": 3 * 3600, "IST": 19800, "JST": 9 * 3600,
	"AEST": 10 * 3600, "AEDT": 11 * 3600,
}

var (
	ordinalRe = regexp.MustCompile(`(?i)\b(\d{1,2})(st|nd|rd|th)\b`)
	dateSpace = regexp.MustCompile(`\s+`)
	// datePrefixRe drops labels pages put before a date.
	datePrefixRe = regexp.MustCompile(`(?i)^(published|posted|updated|modified|date)(\s+on)?\s*:?\s*`)
)

// parseDate parses a date the way people and generators write them: RFC 3339,
// RFC 1123/822 with numeric or named zones, "2006-01-02", "January 2, 2006",
// with or without weekday, ordinal suffixes ("2nd") or a "Published:" label,
// and Unix timestamps (10 digits). It reports false when nothing matched.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(dateSpace.ReplaceAllString(s, " "))
	if s == "" || len(s) > 100 {
		return time.Time{}, false
	}
	s = datePrefixRe.ReplaceAllString(s, "")
	s = ordinalRe.ReplaceAllString(s, "$1")
	s = strings.ReplaceAll(s, "a.m.", "AM")
	s = strings.ReplaceAll(s, "p.m.", "PM")
	if len(s) == 10 && strings.Trim(s, "0123456789") == "" {
		if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(sec, 0).UTC(), true
		}
	}
	for _, layout := range dateLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if name, off := t.Zone(); name != "" {
			if want, ok := zoneOffsets[strings.ToUpper(name)]; ok && want != off {
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(),
					t.Nanosecond(), time.FixedZone(name, want))
			}
		}
		return t, true
	}
	return time.Time{}, false
}
