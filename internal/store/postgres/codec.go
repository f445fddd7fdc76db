package postgres

import (
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Articles are encoded by store/record, shared with store/sqlite so the
// same article hashes the same in both. Times are timestamptz at second
// precision (ts, fromTS); JSON columns are jsonb (jsonArg).

// ts turns encoded Unix seconds into a timestamptz argument, nil for NULL.
func ts(p *int64) any {
	if p == nil {
		return nil
	}
	return time.Unix(*p, 0).UTC()
}

// fromTS decodes a nullable timestamptz column, at second precision in UTC.
func fromTS(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.Truncate(time.Second).UTC()
}

// jsonArg passes an encoded JSON column, nil as NULL.
func jsonArg(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// tsPtr is ts for an array element: nil for NULL.
func tsPtr(p *int64) *time.Time {
	if p == nil {
		return nil
	}
	t := time.Unix(*p, 0).UTC()
	return &t
}

// jsonPtr is jsonArg for an array element: nil for NULL.
func jsonPtr(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}
