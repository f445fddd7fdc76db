package sources

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxDelay caps the durations read from response headers: a server asking
// for more than a week is treated as asking for a week.
const maxDelay = 7 * 24 * time.Hour

// retryAfter returns how long h's Retry-After header asks the client to
// wait, as of now. Both forms are understood: delay-seconds ("120") and an
// HTTP-date. It returns 0 when the header is absent, invalid or in the
// past, and caps absurd values at 7 days.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if isDigits(v) {
		return seconds(v)
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	d := t.Sub(now)
	if d <= 0 {
		return 0
	}
	return min(d, maxDelay)
}

// maxAge returns how much longer a response with headers h stays fresh:
// its Cache-Control max-age (or, when that is absent, s-maxage) minus its
// Age header. It returns 0 when the response must not be reused
// (no-store, no-cache), when no lifetime is given, or when it has already
// expired, and caps absurd values at 7 days.
func maxAge(h http.Header) time.Duration {
	var maxAge, sMaxAge string
	for _, line := range h.Values("Cache-Control") {
		for _, dir := range strings.Split(line, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(dir), "=")
			val = strings.Trim(strings.TrimSpace(val), `"`)
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-store", "no-cache":
				return 0
			case "max-age":
				if maxAge == "" {
					maxAge = val
				}
			case "s-maxage":
				if sMaxAge == "" {
					sMaxAge = val
				}
			}
		}
	}
	v := maxAge
	if v == "" {
		v = sMaxAge
	}
	if !isDigits(v) {
		return 0
	}
	d := seconds(v)
	if age := strings.TrimSpace(h.Get("Age")); isDigits(age) {
		d -= seconds(age)
	}
	return max(d, 0)
}

// seconds converts a string of digits to a duration capped at maxDelay.
func seconds(v string) time.Duration {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n > int64(maxDelay/time.Second) {
		// Only overflow fails here: v is all digits.
		return maxDelay
	}
	return time.Duration(n) * time.Second
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
