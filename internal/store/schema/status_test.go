package schema

import (
	"reflect"
	"testing"
	"time"
)

func TestCompare(t *testing.T) {
	known := []Migration{{1, "0001_a", "A"}, {2, "0002_b", "B"}, {3, "0003_c", "C"}}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name             string
		applied          []Applied
		want             Statuses
		current, pending int
		unknown          int
	}{
		{"NewDatabase", nil, Statuses{
			{1, "0001_a", false, time.Time{}, true},
			{2, "0002_b", false, time.Time{}, true},
			{3, "0003_c", false, time.Time{}, true},
		}, 0, 3, 0},
		{"Older", []Applied{{2, "0002_b", at}, {1, "0001_a", at}}, Statuses{
			{1, "0001_a", true, at, true},
			{2, "0002_b", true, at, true},
			{3, "0003_c", false, time.Time{}, true},
		}, 2, 1, 0},
		{"Current", []Applied{{1, "0001_a", at}, {2, "0002_b", at}, {3, "0003_c", at}}, Statuses{
			{1, "0001_a", true, at, true},
			{2, "0002_b", true, at, true},
			{3, "0003_c", true, at, true},
		}, 3, 0, 0},
		{"Newer", []Applied{{1, "0001_a", at}, {2, "0002_b", at}, {3, "0003_c", at}, {5, "0005_e", at}, {4, "0004_d", at}}, Statuses{
			{1, "0001_a", true, at, true},
			{2, "0002_b", true, at, true},
			{3, "0003_c", true, at, true},
			{4, "0004_d", true, at, false},
			{5, "0005_e", true, at, false},
		}, 5, 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Compare(known, tc.applied)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Compare =\n%+v\nwant\n%+v", got, tc.want)
			}
			if got.Current() != tc.current || len(got.Pending()) != tc.pending || len(got.Unknown()) != tc.unknown || got.Latest() != 3 {
				t.Errorf("current %d, pending %d, unknown %d, latest %d; want %d, %d, %d, 3",
					got.Current(), len(got.Pending()), len(got.Unknown()), got.Latest(), tc.current, tc.pending, tc.unknown)
			}
		})
	}
}
