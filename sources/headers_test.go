package sources

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfterHeader(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		value []string // nil: header absent
		want  time.Duration
	}{
		{"absent", nil, 0},
		{"empty", []string{""}, 0},
		{"seconds", []string{"120"}, 2 * time.Minute},
		{"seconds with spaces", []string{" 30 "}, 30 * time.Second},
		{"zero", []string{"0"}, 0},
		{"negative", []string{"-5"}, 0},
		{"fraction", []string{"1.5"}, 0},
		{"garbage", []string{"soon"}, 0},
		{"absurd seconds capped", []string{"999999999"}, 7 * 24 * time.Hour},
		{"overflowing seconds capped", []string{"99999999999999999999999"}, 7 * 24 * time.Hour},
		{"http date", []string{now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second},
		{"rfc850 date", []string{now.Add(time.Hour).Format(time.RFC850)}, time.Hour},
		{"asctime date", []string{now.Add(time.Hour).Format(time.ANSIC)}, time.Hour},
		{"date in the past", []string{now.Add(-time.Hour).Format(http.TimeFormat)}, 0},
		{"date far ahead capped", []string{now.AddDate(1, 0, 0).Format(http.TimeFormat)}, 7 * 24 * time.Hour},
		{"first value wins", []string{"10", "20"}, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.value != nil {
				h["Retry-After"] = tt.value
			}
			if got := retryAfter(h, now); got != tt.want {
				t.Errorf("RetryAfter(%q) = %s, want %s", tt.value, got, tt.want)
			}
		})
	}
}

func TestMaxAgeHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cc   []string
		age  string
		want time.Duration
	}{
		{"absent", nil, "", 0},
		{"max-age", []string{"max-age=300"}, "", 5 * time.Minute},
		{"with other directives", []string{"public, max-age=600, must-revalidate"}, "", 10 * time.Minute},
		{"case and spaces", []string{"Public ,  MAX-AGE=60"}, "", time.Minute},
		{"quoted", []string{`max-age="120"`}, "", 2 * time.Minute},
		{"s-maxage alone", []string{"s-maxage=900"}, "", 15 * time.Minute},
		{"max-age preferred over s-maxage", []string{"s-maxage=900, max-age=60"}, "", time.Minute},
		{"split over header lines", []string{"public", "max-age=30"}, "", 30 * time.Second},
		{"no-store", []string{"no-store, max-age=300"}, "", 0},
		{"no-cache", []string{"max-age=300", "no-cache"}, "", 0},
		{"private keeps max-age", []string{"private, max-age=300"}, "", 5 * time.Minute},
		{"zero", []string{"max-age=0"}, "", 0},
		{"negative", []string{"max-age=-1"}, "", 0},
		{"garbage", []string{"max-age=soon"}, "", 0},
		{"absurd capped", []string{"max-age=31536000"}, "", 7 * 24 * time.Hour},
		{"age subtracted", []string{"max-age=300"}, "100", 200 * time.Second},
		{"age past max-age", []string{"max-age=300"}, "500", 0},
		{"bad age ignored", []string{"max-age=300"}, "x", 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.cc != nil {
				h["Cache-Control"] = tt.cc
			}
			if tt.age != "" {
				h.Set("Age", tt.age)
			}
			if got := maxAge(h); got != tt.want {
				t.Errorf("MaxAge(%q, Age %q) = %s, want %s", tt.cc, tt.age, got, tt.want)
			}
		})
	}
}
