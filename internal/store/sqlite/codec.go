package sqlite

import (
	"database/sql"
	"time"
)

// Articles are encoded by store/record, shared with store/postgres so the
// same article hashes the same in both. Times are stored as INTEGER Unix
// seconds (record.Unix); JSON columns as TEXT (text).

// fromUnix decodes a nullable Unix seconds column.
func fromUnix(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(n.Int64, 0).UTC()
}

// text stores a JSON column as TEXT, nil as NULL.
func text(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}
