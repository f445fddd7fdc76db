package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// day is the unit "d" of a duration: 24 hours (retention does not follow
// daylight saving time).
const day = 24 * time.Hour

// parseDuration reads a Go duration ("20s", "1h30m") optionally led by a
// whole number of days: "90d", "1d12h".
func parseDuration(s string) (time.Duration, error) {
	days, rest, ok := strings.Cut(s, "d")
	if !ok {
		return time.ParseDuration(s)
	}
	n, err := strconv.ParseUint(days, 10, 16) // 65535 days is 179 years
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: want a whole number of days before d", s)
	}
	d := time.Duration(n) * day
	if rest == "" {
		return d, nil
	}
	more, err := time.ParseDuration(rest)
	if err != nil || more < 0 {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	return d + more, nil
}

// durationFromYAML decodes a duration as the schema walk checked it, days
// included. Parse installs it as the decoder for every time.Duration.
func durationFromYAML(dst *time.Duration, b []byte) error {
	var v string
	if err := yaml.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("decode duration: %w", err)
	}
	d, err := parseDuration(v)
	if err != nil {
		return err
	}
	*dst = d
	return nil
}
