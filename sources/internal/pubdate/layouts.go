package pubdate

import "time"

// Reader names a reader of dates: the layouts each accepts differ (see
// layouts), and a date is read only through the layouts of its reader.
type Reader uint8

const (
	// Feed is package sources: dates of feed items and listing pages,
	// after its own clean-up (labels such as "Published:", ordinals,
	// "a.m.", Unix timestamps).
	Feed Reader = 1 << iota
	// Page is sources/extract: dates in an article page's metadata and
	// <time> elements, after its own clean-up (lower-case "t" and "z",
	// "at" before a clock time, a leading weekday).
	Page
)

// layouts are the date layouts Tributary reads, tried in order; the first
// that parses wins. Each names the readers that try it. The two readers
// grew their lists apart: Feed reads written forms pages never needed
// ("20060102", "Mon, 2 Jan 2006", "January 2006", "02.01.2006", clock times
// with "PM" after written dates), Page reads fraction and zone variants
// with a space before the zone and "pm" in lower case. Giving a reader a
// layout it does not have changes what it accepts (extract tells a byline
// from a date with it), so widening one is a change of behaviour, not of
// layout. The order within each reader is the one it had; where the two
// orders differed ("2006-01-02T15:04:05"), no layout between the two
// places accepts a text the moved one accepts, so the first match is the
// same.
var layouts = [...]struct {
	layout  string
	readers Reader
}{
	{time.RFC3339Nano, Feed | Page},
	{time.RFC3339, Feed | Page},
	{"2006-01-02T15:04:05Z0700", Feed | Page},
	{"2006-01-02T15:04:05", Feed | Page},
	{"2006-01-02T15:04:05.999999999Z0700", Page},
	{"2006-01-02T15:04Z07:00", Feed | Page},
	{"2006-01-02T15:04Z0700", Page},
	{"2006-01-02T15:04:05.999999999", Page},
	{"2006-01-02T15:04", Feed | Page},
	{"2006-01-02 15:04:05Z07:00", Feed | Page},
	{"2006-01-02 15:04:05 Z07:00", Page},
	{"2006-01-02 15:04:05 -0700", Feed | Page},
	{"2006-01-02 15:04:05.999999999Z07:00", Page},
	{"2006-01-02 15:04:05 MST", Feed | Page},
	{"2006-01-02 15:04:05", Feed | Page},
	{"2006-01-02 15:04:05.999999999", Page},
	{"2006-01-02 15:04", Feed | Page},
	{"2006-01-02", Feed | Page},
	{"2006/01/02 15:04:05", Feed | Page},
	{"2006/01/02 15:04", Feed},
	{"2006/01/02", Feed | Page},
	{"20060102", Feed},
	{time.RFC1123Z, Feed | Page},
	{time.RFC1123, Feed | Page},
	{"Mon, 2 Jan 2006 15:04:05 -0700", Feed | Page},
	{"Mon, 2 Jan 2006 15:04:05 MST", Feed | Page},
	{"Mon, 2 Jan 2006 15:04 -0700", Feed},
	{"Mon, 2 Jan 2006 15:04 MST", Feed | Page},
	{"Mon, 2 Jan 2006 15:04:05", Feed},
	{"Mon, 2 Jan 2006", Feed},
	{"2 Jan 2006 15:04:05 -0700", Feed},
	{"2 Jan 2006 15:04:05 MST", Feed | Page},
	{"2 Jan 2006 15:04", Feed},
	{time.RFC822Z, Feed | Page},
	{time.RFC822, Feed | Page},
	{time.RFC850, Feed | Page},
	{time.ANSIC, Feed | Page},
	{time.UnixDate, Feed},
	{time.RubyDate, Feed},
	{"Monday, January 2, 2006 3:04 PM", Feed},
	{"Monday, January 2, 2006 15:04", Feed},
	{"Monday, January 2, 2006", Feed},
	{"Monday, 2 January 2006", Feed},
	{"Mon, January 2, 2006", Feed},
	{"January 2, 2006 at 3:04 PM", Feed},
	{"January 2, 2006 at 15:04", Feed},
	{"January 2, 2006, 3:04 PM", Feed},
	{"January 2, 2006 3:04 PM", Feed},
	{"January 2, 2006 3:04 pm", Page},
	{"Jan 2, 2006 3:04 pm", Page},
	{"January 2, 2006 15:04", Feed | Page},
	{"January 2, 2006", Feed | Page},
	{"January 2 2006", Feed},
	{"Jan 2, 2006 at 3:04 PM", Feed},
	{"Jan 2, 2006, 3:04 PM", Feed},
	{"Jan 2, 2006 3:04 PM", Feed},
	{"Jan 2, 2006 15:04", Feed},
	{"Jan 2, 2006", Feed | Page},
	{"Jan 2 2006", Feed},
	{"2 January 2006 15:04", Feed},
	{"2 January 2006", Feed | Page},
	{"2 Jan 2006", Feed | Page},
	{"2. January 2006", Feed},
	{"02.01.2006 15:04", Feed},
	{"02.01.2006", Feed},
	{"2.1.2006", Feed},
	{"January 2006", Feed},
}

// Parse reads s with the layouts of reader r, in order, and reports false
// when none matches. Layouts without a zone read s as UTC; a zone
// abbreviation gets its offset from FixZone, since Go reads one it does not
// know as UTC+0. s is taken as it is: the readers trim and clean it first.
func Parse(s string, r Reader) (time.Time, bool) {
	for _, l := range layouts {
		if l.readers&r == 0 {
			continue
		}
		if t, err := time.ParseInLocation(l.layout, s, time.UTC); err == nil {
			return FixZone(t), true
		}
	}
	return time.Time{}, false
}
