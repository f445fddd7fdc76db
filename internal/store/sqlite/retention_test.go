package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tributary/tributary/feeds"
)

func pragma(t *testing.T, db *DB, name string) int {
	t.Helper()
	var n int
	if err := db.db.QueryRow(`PRAGMA ` + name).Scan(&n); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return n
}

// TestReclaimShrinksANewFile: a file created by this version has
// auto_vacuum=INCREMENTAL, and Reclaim returns the pages of deleted
// articles to the operating system.
func TestReclaimShrinksANewFile(t *testing.T) {
	ctx := context.Background()
	db := openFile(t, filepath.Join(t.TempDir(), "t.db"))
	if mode := pragma(t, db, "auto_vacuum"); mode != 2 {
		t.Fatalf("auto_vacuum = %d, want 2 (INCREMENTAL)", mode)
	}
	arts := make([]feeds.Article, 400)
	for i := range arts {
		arts[i] = article("big", fmt.Sprint(i))
		arts[i].Content = "<p>" + strings.Repeat(fmt.Sprintf("word%d ", i), 2000) + "</p>"
	}
	mustUpsert(t, db, arts...)
	full := pragma(t, db, "page_count")
	if _, err := db.DeleteSource(ctx, "big"); err != nil {
		t.Fatal(err)
	}
	if free := pragma(t, db, "freelist_count"); free < full/2 {
		t.Fatalf("freelist_count = %d after deleting most of %d pages", free, full)
	}
	if err := db.Reclaim(ctx); err != nil {
		t.Fatal(err)
	}
	if free, pages := pragma(t, db, "freelist_count"), pragma(t, db, "page_count"); free != 0 || pages > full/10 {
		t.Fatalf("after Reclaim: %d free pages, %d pages of %d", free, pages, full)
	}
}
