package main

import (
	"strings"
	"testing"

	"github.com/tributary/tributary/internal/status"
)

// TestWriteStatusFeedCounts: each feed's line counts its items in words a
// person reads ("1 item", "2 items") with what its rules leave out.
func TestWriteStatusFeedCounts(t *testing.T) {
	var b strings.Builder
	writeStatus(&b, status.Report{Feeds: []status.Feed{
		{Name: "one", Items: 1, Filtered: status.Filtered{Exclude: 3}},
		{Name: "two", Items: 2},
		{Name: "none", Items: 0},
	}})
	for _, want := range []string{
		"  one: 1 item; left out by include 0, exclude 3, max_age 0, per_source_limit 0\n",
		"  two: 2 items; left out",
		"  none: 0 items; left out",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status does not say %q:\n%s", want, b.String())
		}
	}
}
