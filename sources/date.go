package sources

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tributary/tributary/sources/internal/pubdate"
)

// PlausibleDate returns t in UTC, or the zero time when t is before 1995 or
// more than two days after now: such dates come from broken generators
// (zero values, the Unix epoch, two-digit years) or wrong clocks, and would
// sort a story above or below every other. Stores fall back to the
// first-seen time. Every date Tributary reads, from a feed, a
// listing page or an article page, goes through this one rule.
func PlausibleDate(t, now time.Time) time.Time {
	return pubdate.Plausible(t, now)
}

// maxFutureSkew is how far ahead of now a date may be before it is treated
// as wrong.
const maxFutureSkew = pubdate.MaxFutureSkew

// plausible is PlausibleDate, under the name the parsers use.
func plausible(t time.Time, now time.Time) time.Time {
	return pubdate.Plausible(t, now)
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
	return pubdate.Parse(s, pubdate.Feed)
}
