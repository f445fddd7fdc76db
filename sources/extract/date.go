package extract

import (
	"strings"
	"time"

	"github.com/tributary/tributary/sources/internal/pubdate"
)

// dateLayouts are tried in order by parseDate. Layouts without a zone are
// read as UTC; zone abbreviations ("EST", "CEST") as package sources reads
// them in feeds.
var dateLayouts = [...]string{
	time.RFC3339Nano,
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 MST",
	"2 Jan 2006 15:04:05 MST",
	time.RFC822Z,
	time.RFC822,
	time.RFC850,
	time.ANSIC,
	"January 2, 2006 3:04 pm",
	"January 2, 2006 15:04",
	"January 2, 2006",
	"Jan 2, 2006",
	"2 January 2006",
	"2 Jan 2006",
}

// parseDate reads a date the way pages write them: RFC 3339 and its
// variants (with or without zone, seconds, fraction, a space instead of
// "T"), RFC 1123/822 and a few written forms. It returns the zero time when
// s is not a date.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}
	}
	// "2017-07-10T08:30:00+0000" and friends parse above; lower-case "t"
	// and "z" do not.
	if len(s) > 10 && (s[10] == 't') {
		s = s[:10] + "T" + s[11:]
	}
	if strings.HasSuffix(s, "z") {
		s = s[:len(s)-1] + "Z"
	}
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			// Go reads an abbreviation it does not know as UTC+0.
			return pubdate.FixZone(t)
		}
	}
	// "Monday, July 10, 2017": drop the weekday.
	if i := strings.Index(s, ", "); i > 0 && i < 10 {
		return parseDate(s[i+2:])
	}
	return time.Time{}
}
