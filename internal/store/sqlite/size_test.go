package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

func TestSummaryEqualToContentStoredOnce(t *testing.T) {
	db := openFile(t, filepath.Join(t.TempDir(), "t.db"))
	a := article("s", "1")
	a.Content = strings.Repeat("<p>the same HTML</p>", 100)
	a.Summary = a.Content
	mustUpsert(t, db, a)
	var summary string
	var flag int
	if err := db.db.QueryRow(`SELECT summary, summary_is_content FROM articles WHERE id = '1'`).Scan(&summary, &flag); err != nil {
		t.Fatal(err)
	}
	if summary != "" || flag != 1 {
		t.Errorf("stored summary %d bytes, summary_is_content %d; want the content stored once (0 bytes, 1)", len(summary), flag)
	}
}

func TestNewStoreIsSmall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	var pageSize int
	if err := db.db.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if pageSize != 16384 {
		t.Errorf("a new store has pages of %d bytes, want 16384", pageSize)
	}
	// 2,000 articles of about 2 KB of distinct HTML, as BenchmarkSize.
	html := fillHTML(t, db, 2000, false)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if ratio := float64(filesSize(t, path)) / float64(html); ratio > 1.5 {
		t.Errorf("the store takes %.2fx the bytes of the HTML it holds, want at most 1.5x", ratio)
	}
}

func TestExistingStoreKeepsItsPageSize(t *testing.T) {
	// A store created with 4 KiB pages, as Tributary did before: Open
	// must use it as it is (WAL files cannot change their page size).
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=page_size(4096)&_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE early (x)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db := openFile(t, path)
	mustUpsert(t, db, article("s", "1"))
	var pageSize int
	if err := db.db.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if pageSize != 4096 {
		t.Errorf("an existing 4 KiB store now reports pages of %d bytes", pageSize)
	}
	if _, err := db.Article(context.Background(), "s", "1"); err != nil {
		t.Error(err)
	}
}
