package extract

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	est := time.FixedZone("", -5*3600)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2017-07-10T08:30:00+00:00", time.Date(2017, 7, 10, 8, 30, 0, 0, time.UTC)},
		{"2017-07-10T08:30:00Z", time.Date(2017, 7, 10, 8, 30, 0, 0, time.UTC)},
		{"2017-07-10T08:30:00.123Z", time.Date(2017, 7, 10, 8, 30, 0, 123e6, time.UTC)},
		{"2019-11-05T14:00:00-05:00", time.Date(2019, 11, 5, 14, 0, 0, 0, est)},
		{"2019-11-05T14:00:00-0500", time.Date(2019, 11, 5, 14, 0, 0, 0, est)},
		{"2019-11-05t14:00:00z", time.Date(2019, 11, 5, 14, 0, 0, 0, time.UTC)},
		{"2017-07-10T08:30:00", time.Date(2017, 7, 10, 8, 30, 0, 0, time.UTC)},
		{"2017-07-10T08:30", time.Date(2017, 7, 10, 8, 30, 0, 0, time.UTC)},
		{"2017-07-10 08:30:00", time.Date(2017, 7, 10, 8, 30, 0, 0, time.UTC)},
		{"2017-07-10 08:30:00 -0500", time.Date(2017, 7, 10, 8, 30, 0, 0, est)},
		{"2017-07-10", time.Date(2017, 7, 10, 0, 0, 0, 0, time.UTC)},
		{"Mon, 10 Jul 2017 08:30:00 +0000", time.Date(2017, 7, 10, 8, 30, 0, 0, time.UTC)},
		{"Mon, 10 Jul 2017 08:30:00 GMT", time.Date(2017, 7, 10, 8, 30, 0, 0, time.UTC)},
		// Zone abbreviations mean what they say, not UTC.
		{"Mon, 10 Jul 2017 08:30:00 EST", time.Date(2017, 7, 10, 13, 30, 0, 0, time.UTC)},
		{"Mon, 10 Jul 2017 08:30:00 CST", time.Date(2017, 7, 10, 14, 30, 0, 0, time.UTC)}, // US Central, wherever the server is
		{"Mon, 10 Jul 2017 08:30:00 +0800", time.Date(2017, 7, 10, 0, 30, 0, 0, time.UTC)},
		{"Mon, 10 Jul 2017 08:30:00 PDT", time.Date(2017, 7, 10, 15, 30, 0, 0, time.UTC)},
		{"Mon, 10 Jul 2017 08:30:00 CEST", time.Date(2017, 7, 10, 6, 30, 0, 0, time.UTC)},
		{"Mon, 10 Jul 2017 08:30 EST", time.Date(2017, 7, 10, 13, 30, 0, 0, time.UTC)},
		{"10 Jul 2017 08:30:00 CEST", time.Date(2017, 7, 10, 6, 30, 0, 0, time.UTC)},
		{"2017-07-10 08:30:00 PDT", time.Date(2017, 7, 10, 15, 30, 0, 0, time.UTC)},
		{"Monday, 10-Jul-17 08:30:00 EST", time.Date(2017, 7, 10, 13, 30, 0, 0, time.UTC)},
		{"July 10, 2017", time.Date(2017, 7, 10, 0, 0, 0, 0, time.UTC)},
		{"July 10, 2017 3:04 pm", time.Date(2017, 7, 10, 15, 4, 0, 0, time.UTC)},
		{"July 10, 2017 3:04 PM", time.Date(2017, 7, 10, 15, 4, 0, 0, time.UTC)},
		{"Jul 10, 2017 3:04 PM", time.Date(2017, 7, 10, 15, 4, 0, 0, time.UTC)},
		{"July 10, 2017 at 3:04 pm", time.Date(2017, 7, 10, 15, 4, 0, 0, time.UTC)},
		{"Monday, July 10, 2017", time.Date(2017, 7, 10, 0, 0, 0, 0, time.UTC)},
		{"  2017-07-10T08:30:00Z  ", time.Date(2017, 7, 10, 8, 30, 0, 0, time.UTC)},
		{"yesterday", time.Time{}},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := parseDate(tt.in)
			if !got.Equal(tt.want) {
				t.Errorf("parseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
