package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

func generate(t *testing.T, n, items, round int) (string, totals) {
	t.Helper()
	dir := t.TempDir()
	sum, err := writeAll(dir, n, items, round)
	if err != nil {
		t.Fatal(err)
	}
	return dir, sum
}

func TestFeedsAreDeterministic(t *testing.T) {
	a, sumA := generate(t, 5, 50, 0)
	b, sumB := generate(t, 5, 50, 0)
	if sumA != sumB {
		t.Fatalf("totals differ: %+v vs %+v", sumA, sumB)
	}
	for s := 1; s <= 5; s++ {
		x, err := os.ReadFile(filepath.Join(a, FileName(s)))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, FileName(s)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs", FileName(s))
		}
		ix, _ := os.Stat(filepath.Join(a, FileName(s)))
		iy, _ := os.Stat(filepath.Join(b, FileName(s)))
		if !ix.ModTime().Equal(iy.ModTime()) {
			t.Errorf("%s: modification times differ: %v vs %v", FileName(s), ix.ModTime(), iy.ModTime())
		}
	}
}

// TestFeedsParseWithDistinctText parses every feed with gofeed, as the
// baseline does, and checks each item has its own ~2 KB of HTML: no
// paragraph is shared by two items, so boilerplate learning keeps it all.
func TestFeedsParseWithDistinctText(t *testing.T) {
	const n, items = 4, 50
	dir, sum := generate(t, n, items, 0)
	seen := map[string]string{}
	guids := map[string]bool{}
	var html int64
	for s := 1; s <= n; s++ {
		f, err := os.Open(filepath.Join(dir, FileName(s)))
		if err != nil {
			t.Fatal(err)
		}
		feed, err := gofeed.NewParser().Parse(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: gofeed: %v", FileName(s), err)
		}
		if feed.FeedType != "rss" || len(feed.Items) != items {
			t.Fatalf("%s: %s feed of %d items, want rss of %d", FileName(s), feed.FeedType, len(feed.Items), items)
		}
		for _, it := range feed.Items {
			if guids[it.GUID] {
				t.Errorf("guid %s appears twice", it.GUID)
			}
			guids[it.GUID] = true
			if it.PublishedParsed == nil {
				t.Errorf("%s: no parsable pubDate", it.GUID)
			}
			if l := len(it.Description); l < 1500 || l > 2600 {
				t.Errorf("%s: %d bytes of HTML, want about 2 KB", it.GUID, l)
			}
			html += int64(len(it.Description))
			for _, p := range strings.Split(it.Description, "\n") {
				if p == "" {
					continue
				}
				if other, ok := seen[p]; ok {
					t.Errorf("%s and %s share the paragraph %q", other, it.GUID, p)
				}
				seen[p] = it.GUID
			}
		}
	}
	if html != sum.html {
		t.Errorf("parsed %d bytes of HTML, genfeeds counted %d", html, sum.html)
	}
}

// TestRoundsShiftByOneItem: the next round adds one new item per source
// and drops the oldest; the 49 others keep their text, and the file its
// new modification time (a new ETag for nginx).
func TestRoundsShiftByOneItem(t *testing.T) {
	dir, _ := generate(t, 1, 50, 0)
	p := filepath.Join(dir, FileName(1))
	first, _ := gofeed.NewParser().ParseString(mustRead(t, p))
	before, _ := os.Stat(p)
	if _, err := writeAll(dir, 1, 50, 1); err != nil {
		t.Fatal(err)
	}
	second, err := gofeed.NewParser().ParseString(mustRead(t, p))
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(p)
	if !after.ModTime().After(before.ModTime()) {
		t.Errorf("modification time %v not after %v", after.ModTime(), before.ModTime())
	}
	if second.Items[0].GUID != "bench-1-50" || second.Items[49].GUID != "bench-1-1" {
		t.Errorf("round 1 lists %s..%s, want bench-1-50..bench-1-1", second.Items[0].GUID, second.Items[49].GUID)
	}
	if second.Items[1].Description != first.Items[0].Description {
		t.Error("an item's text changed between rounds")
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
