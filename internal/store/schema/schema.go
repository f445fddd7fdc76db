// Package schema loads the numbered SQL migrations that store/sqlite and
// store/postgres embed. Applying them is left to each store: locking and
// recording a version are driver-specific.
package schema

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one numbered schema change, from a file NNNN_name.sql.
type Migration struct {
	// Version is the file's number: 1 for 0001_articles.sql.
	Version int
	// Name is the file name without .sql, e.g. 0001_articles.
	Name string
	// SQL is the file's text, possibly several statements.
	SQL string
}

// Load reads the migrations of fsys (files *.sql directly in dir), ordered
// by version; other files are ignored. Versions must run 1, 2, 3...
// without gaps or repeats, so a misnamed file is an error rather than
// being skipped.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var migs []Migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", e.Name())
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		migs = append(migs, Migration{Version: v, Name: strings.TrimSuffix(e.Name(), ".sql"), SQL: string(b)})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].Version < migs[j].Version })
	for i, m := range migs {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.Name, i+1)
		}
	}
	return migs, nil
}
