package pubdate

import (
	"testing"
	"time"
)

func TestPlausible(t *testing.T) {
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   time.Time
		want time.Time
	}{
		{time.Time{}, time.Time{}},
		{time.Unix(0, 0), time.Time{}},
		{time.Date(1994, 12, 31, 23, 59, 59, 0, time.UTC), time.Time{}},
		{time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)},
		{now.Add(MaxFutureSkew), now.Add(MaxFutureSkew)},
		{now.Add(MaxFutureSkew + time.Second), time.Time{}},
		{time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{}},
		// The result is in UTC.
		{time.Date(2024, 5, 1, 9, 0, 0, 0, time.FixedZone("EST", -5*3600)), time.Date(2024, 5, 1, 14, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got := Plausible(tt.in, now)
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("Plausible(%v) = %v, want %v in UTC", tt.in, got, tt.want)
		}
	}
}

func TestFixZone(t *testing.T) {
	tests := []struct {
		layout, in string
		want       time.Time
	}{
		{time.RFC1123, "Mon, 10 Jul 2017 08:30:00 EST", time.Date(2017, 7, 10, 13, 30, 0, 0, time.UTC)},
		{time.RFC1123, "Mon, 10 Jul 2017 08:30:00 PDT", time.Date(2017, 7, 10, 15, 30, 0, 0, time.UTC)},
		{time.RFC1123, "Mon, 10 Jul 2017 08:30:00 CEST", time.Date(2017, 7, 10, 6, 30, 0, 0, time.UTC)},
		{time.RFC1123, "Mon, 10 Jul 2017 08:30:00 GMT", time.Date(2017, 7, 10, 8, 30, 0, 0, time.UTC)},
		// An abbreviation nobody knows stays as Go read it.
		{time.RFC1123, "Mon, 10 Jul 2017 08:30:00 XYZ", time.Date(2017, 7, 10, 8, 30, 0, 0, time.UTC)},
		// A numeric offset is never touched.
		{time.RFC1123Z, "Mon, 10 Jul 2017 08:30:00 -0500", time.Date(2017, 7, 10, 13, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		p, err := time.Parse(tt.layout, tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := FixZone(p); !got.Equal(tt.want) {
			t.Errorf("FixZone(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestZoneOffset(t *testing.T) {
	if off, ok := ZoneOffset(" cest "); !ok || off != 2*3600 {
		t.Errorf("ZoneOffset(cest) = %d, %v", off, ok)
	}
	if _, ok := ZoneOffset("XYZ"); ok {
		t.Error("ZoneOffset(XYZ) reported a known zone")
	}
}
