package schema

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		fs      fstest.MapFS
		want    []Migration
		wantErr string
	}{
		{"Ordered", fstest.MapFS{"m/0002_b.sql": file("B"), "m/0001_a.sql": file("A"), "m/README": file("x"), "m/sub/0003_c.sql": file("C")},
			[]Migration{{1, "0001_a", "A"}, {2, "0002_b", "B"}}, ""},
		{"Empty", fstest.MapFS{"m/README": file("x")}, nil, ""},
		{"Gap", fstest.MapFS{"m/0001_a.sql": file("A"), "m/0003_c.sql": file("C")}, nil, "0003_c: expected version 2"},
		{"Duplicate", fstest.MapFS{"m/0001_a.sql": file("A"), "m/0001_b.sql": file("B")}, nil, "expected version 2"},
		{"BadName", fstest.MapFS{"m/first.sql": file("A")}, nil, "migration first.sql: name must be NNNN_description.sql"},
		{"Zero", fstest.MapFS{"m/0000_a.sql": file("A")}, nil, "NNNN_description.sql"},
		{"MissingDir", fstest.MapFS{"other/0001_a.sql": file("A")}, nil, "read migrations:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			migs, err := Load(tc.fs, "m")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(migs) != len(tc.want) {
				t.Fatalf("migrations %+v, want %+v", migs, tc.want)
			}
			for i := range migs {
				if migs[i] != tc.want[i] {
					t.Fatalf("migrations %+v, want %+v", migs, tc.want)
				}
			}
		})
	}
}
