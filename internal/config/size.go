package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
)

// sizeUnit returns the multiplier of a unit (any case): SI units are powers of
// 1000, IEC units (KiB, MiB...) powers of 1024.
func sizeUnit(unit string) (int64, bool) {
	switch strings.ToLower(unit) {
	case "", "b":
		return 1, true
	case "k", "kb":
		return 1e3, true
	case "kib":
		return 1 << 10, true
	case "m", "mb":
		return 1e6, true
	case "mib":
		return 1 << 20, true
	case "g", "gb":
		return 1e9, true
	case "gib":
		return 1 << 30, true
	case "t", "tb":
		return 1e12, true
	case "tib":
		return 1 << 40, true
	}
	return 0, false
}

// parseSize reads a byte size: a whole number of bytes ("1048576") or a
// number with a unit ("15MiB", "512 KiB", "2MB", "1.5GiB"), rounded down
// to whole bytes.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	end := 0
	for end < len(t) && (t[end] >= '0' && t[end] <= '9' || t[end] == '.') {
		end++
	}
	num, unit := t[:end], strings.TrimSpace(t[end:])
	if num == "" {
		return 0, fmt.Errorf("invalid size %q: want a number of bytes or a number with a unit like 15MiB", s)
	}
	mult, ok := sizeUnit(unit)
	if !ok {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q (use B, KB, KiB, MB, MiB, GB, GiB, TB or TiB)", s, unit)
	}
	if !strings.Contains(num, ".") {
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || n > math.MaxInt64/mult {
			return 0, fmt.Errorf("invalid size %q: too large", s)
		}
		return n * mult, nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q: bad number %q", s, num)
	}
	if mult == 1 && f != math.Trunc(f) {
		// A larger unit may give a fraction of a byte ("0.3MiB"); it is
		// dropped. A count of bytes with a fraction is a mistake.
		return 0, fmt.Errorf("invalid size %q: a number of bytes must be whole", s)
	}
	f *= float64(mult)
	if f >= math.MaxInt64 {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return int64(f), nil
}

// sizeFromYAML decodes a size from the YAML text of one scalar node. The
// config types use int64 only for byte sizes, so Parse installs it as the
// decoder for every int64.
func sizeFromYAML(dst *int64, b []byte) error {
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("decode size: %w", err)
	}
	switch v := v.(type) {
	case uint64:
		if v > math.MaxInt64 {
			return errors.New("invalid size: too large")
		}
		*dst = int64(v)
	case int64:
		if v < 0 {
			return fmt.Errorf("invalid size %d: must not be negative", v)
		}
		*dst = v
	case float64: // "1." or "2.0": the schema walk let it through as whole
		if v < 0 || v != math.Trunc(v) || v >= math.MaxInt64 {
			return fmt.Errorf("invalid size %v: want a whole number of bytes", v)
		}
		*dst = int64(v)
	case string:
		n, err := parseSize(v)
		if err != nil {
			return err
		}
		*dst = n
	default:
		return fmt.Errorf("invalid size %v: want a number of bytes or a string like 15MiB", v)
	}
	return nil
}

// intFromYAML decodes an int the way the schema walk checked it: a quoted
// number is read with strconv.Atoi, where the decoder alone would refuse a
// negative one ("-3"). Parse installs it as the decoder for every int.
func intFromYAML(dst *int, b []byte) error {
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("decode integer: %w", err)
	}
	switch v := v.(type) {
	case int64:
		if int64(int(v)) != v {
			return fmt.Errorf("integer %d out of range", v)
		}
		*dst = int(v)
	case uint64:
		if v > math.MaxInt {
			return fmt.Errorf("integer %d out of range", v)
		}
		*dst = int(v)
	case string:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("want an integer, found %q", v)
		}
		*dst = n
	default:
		return fmt.Errorf("want an integer, found %v", v)
	}
	return nil
}
