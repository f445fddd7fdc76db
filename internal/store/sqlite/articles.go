package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/record"
)

const articleColumns = `source, id, origin, title, link, summary, content,
	authors, image, enclosures, categories, published, updated, fetched_at, page, podcast, summary_is_content`

// storedSummary returns what the summary column holds for r and the
// summary_is_content flag: a summary equal to a non-empty content is
// stored once, as the content.
func storedSummary(r *record.Row) (string, bool) {
	if r.Summary == r.Content && r.Content != "" {
		return "", true
	}
	return r.Summary, false
}

// UpsertArticles stores arts in one transaction, in order. An article new
// to the store is inserted (a zero FetchedAt becomes now); one whose
// content hash differs replaces the stored one except for FetchedAt; one
// whose only difference is its Page state gets the new Page but counts as
// unchanged. The version counter moves once if anything was new or updated.
func (d *DB) UpsertArticles(ctx context.Context, arts []feeds.Article) (store.UpsertResult, error) {
	var res store.UpsertResult
	if len(arts) == 0 {
		return res, nil
	}
	now := time.Now().UTC()
	rows := make([]record.Row, len(arts))
	for i := range arts {
		r, err := record.Encode(&arts[i], now)
		if err != nil {
			return res, failf("sqlite: upsert %s/%s: %w", arts[i].Source, arts[i].ID, err)
		}
		rows[i] = r
	}
	// A re-fetch mostly finds every article as stored: reading first,
	// one statement for the batch, answers it without the write lock,
	// which other processes' writers would wait on.
	if same, err := d.allStored(ctx, rows); err != nil {
		return res, failf("sqlite: upsert articles: %w", err)
	} else if same {
		return store.UpsertResult{Unchanged: len(rows)}, nil
	}
	err := d.write(ctx, func(tx *sql.Tx) error {
		res = store.UpsertResult{}
		stmts := txStmts{tx: tx, d: d}
		defer stmts.close()
		sel, err := stmts.get(ctx, stmtStored)
		if err != nil {
			return err
		}
		stored, err := storedVersions(ctx, sel, rows)
		if err != nil {
			return err
		}
		for _, r := range rows {
			k := [2]string{r.Source, r.ID}
			old, found := stored[k]
			// A later article of the batch with the same key sees this one.
			stored[k] = version{hash: r.Hash, page: r.Page}
			summary, same := storedSummary(&r)
			var err error
			switch {
			case !found:
				err = stmts.exec(ctx, stmtInsert,
					r.Source, r.ID, r.Origin, r.Title, r.Link, summary, r.Content,
					text(r.Authors), text(r.Image), text(r.Enclosures), text(r.Categories),
					r.Published, r.Updated, r.FetchedAt, text(r.Page), text(r.Podcast), same, r.Hash)
				res.New++
			case !bytes.Equal(old.hash, r.Hash):
				err = stmts.exec(ctx, stmtUpdate,
					r.Origin, r.Title, r.Link, summary, r.Content,
					text(r.Authors), text(r.Image), text(r.Enclosures), text(r.Categories),
					r.Published, r.Updated, text(r.Page), text(r.Podcast), same, r.Hash, r.Source, r.ID)
				res.Updated++
			default:
				if !record.SamePage(old.page, r.Page) {
					err = stmts.exec(ctx, stmtUpdatePage, text(r.Page), r.Source, r.ID)
				}
				res.Unchanged++
			}
			if err != nil {
				return fmt.Errorf("%s/%s: %w", r.Source, r.ID, err)
			}
		}
		if res.New+res.Updated == 0 {
			return nil
		}
		// Never earlier than the previous change (see store.Version),
		// whatever the clocks of the processes sharing the file say: the
		// write lock orders the changes. The time is read under the lock,
		// not before waiting for it, so that it is as close to the commit
		// as it can be.
		return bumpVersion(ctx, tx)
	})
	if err != nil {
		return store.UpsertResult{}, failf("sqlite: upsert articles: %w", err)
	}
	return res, nil
}

// allStored reports whether every row is stored with the same content
// hash and page state, read by one statement (one snapshot): then the
// upsert changes nothing. A batch of several sources, or naming an
// article twice, takes the long way.
func (d *DB) allStored(ctx context.Context, rows []record.Row) (bool, error) {
	src := rows[0].Source
	want := make(map[string]*record.Row, len(rows))
	for i := range rows {
		r := &rows[i]
		if _, dup := want[r.ID]; dup || r.Source != src {
			return false, nil
		}
		want[r.ID] = r
	}
	n, same := 0, true
	err := eachStored(ctx, d.stmts[stmtStored], src, rows, func(id string, hash, page []byte) bool {
		r := want[id]
		same = r != nil && bytes.Equal(hash, r.Hash) && record.SamePage(page, r.Page)
		n++
		return same
	})
	return same && n == len(rows), err
}

// version is what an upsert compares of a stored article.
type version struct{ hash, page []byte }

// storedVersions returns the stored version of every article of rows
// that is stored, by (source, id), with one statement per source.
func storedVersions(ctx context.Context, sel *sql.Stmt, rows []record.Row) (map[[2]string]version, error) {
	out := make(map[[2]string]version, len(rows))
	done := map[string]bool{}
	for _, r := range rows {
		if done[r.Source] {
			continue
		}
		done[r.Source] = true
		err := eachStored(ctx, sel, r.Source, rows, func(id string, hash, page []byte) bool {
			out[[2]string{r.Source, id}] = version{bytes.Clone(hash), bytes.Clone(page)}
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// eachStored calls fn with the id, content hash and page of each stored
// article of src among rows, until fn returns false. hash and page are
// valid only during the call.
func eachStored(ctx context.Context, sel *sql.Stmt, src string, rows []record.Row, fn func(id string, hash, page []byte) bool) error {
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		if r.Source == src {
			ids = append(ids, r.ID)
		}
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	found, err := sel.QueryContext(ctx, src, string(list))
	if err != nil {
		return err
	}
	defer found.Close()
	var (
		id         string
		hash, page sql.RawBytes
	)
	for found.Next() {
		if err := found.Scan(&id, &hash, &page); err != nil {
			return err
		}
		if !fn(id, hash, page) {
			return nil
		}
	}
	return found.Err()
}

// The hot statements of a refresh, prepared once by Open (see prepare):
// compiling them again for every transaction cost more than running them.
const (
	stmtStored = iota
	stmtInsert
	stmtUpdate
	stmtUpdatePage
	stmtState
	stmtSaveState
	stmtMarkListed
	stmtListedChanges
	numStmts
)

// stmtSQL returns the text of statement i. sort_time refers back to the
// published (?12 on insert, ?10 on update) and fetched_at parameters by
// number; an unnumbered ? takes the number after the largest so far.
func stmtSQL(i int) string {
	switch i {
	case stmtStored:
		// The stored version of a source's articles by id, a JSON array.
		return `SELECT id, content_hash, page FROM articles WHERE source = ?1 AND id IN (SELECT value FROM json_each(?2))`
	case stmtInsert:
		// A new article comes from the document being stored, so it is
		// listed until MarkListed says otherwise: a cleanup running
		// between the insert and MarkListed must not delete it.
		return `INSERT INTO articles (` + articleColumns + `, content_hash, sort_time, listed)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?12, ?14), 1)`
	case stmtUpdate:
		return `UPDATE articles SET origin = ?, title = ?, link = ?, summary = ?, content = ?,
			authors = ?, image = ?, enclosures = ?, categories = ?, published = ?10, updated = ?, page = ?, podcast = ?,
			summary_is_content = ?, content_hash = ?,
			sort_time = coalesce(?10, fetched_at)
			WHERE source = ? AND id = ?`
	case stmtUpdatePage:
		return `UPDATE articles SET page = ? WHERE source = ? AND id = ?`
	case stmtState:
		return `SELECT ` + stateColumns + ` FROM source_state WHERE name = ?`
	case stmtSaveState:
		return saveStateSQL
	case stmtMarkListed:
		return markListedSQL
	default:
		return listedChangesSQL
	}
}

// prepare prepares the hot statements on d.db; database/sql prepares each
// again on every connection it runs on, once. A read-only DB prepares only
// the reads.
func (d *DB) prepare(ctx context.Context) error {
	for i := range d.stmts {
		if d.readOnly && i != stmtStored && i != stmtState && i != stmtListedChanges {
			continue
		}
		st, err := d.db.PrepareContext(ctx, stmtSQL(i))
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		d.stmts[i] = st
	}
	return nil
}

// txStmts are the prepared statements of d bound to tx when first needed.
type txStmts struct {
	tx    *sql.Tx
	d     *DB
	stmts [numStmts]*sql.Stmt
}

func (s *txStmts) get(ctx context.Context, i int) (*sql.Stmt, error) {
	if s.stmts[i] == nil {
		if s.d.stmts[i] == nil {
			return nil, errReadOnly
		}
		s.stmts[i] = s.tx.StmtContext(ctx, s.d.stmts[i])
	}
	return s.stmts[i], nil
}

func (s *txStmts) exec(ctx context.Context, i int, args ...any) error {
	st, err := s.get(ctx, i)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return err
}

func (s *txStmts) close() {
	for _, st := range s.stmts {
		if st != nil {
			st.Close()
		}
	}
}

// Articles returns the articles matching q, newest first by published
// date, falling back to the first fetch time; ties go by source, then id.
func (d *DB) Articles(ctx context.Context, q store.Query) ([]feeds.Article, error) {
	if q.Limit > 0 && len(q.Sources) > 1 {
		out, ok, err := d.newestOf(ctx, q)
		if err != nil {
			return nil, failf("sqlite: articles: %w", err)
		}
		if ok {
			slices.SortFunc(out, compareNewestFirst)
			return out, nil
		}
	}
	query, args := articlesQuery(q)
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, failf("sqlite: articles: %w", err)
	}
	out, err := scanArticles(rows)
	if err != nil {
		return nil, failf("sqlite: articles: %w", err)
	}
	if q.Limit > 0 {
		slices.SortFunc(out, compareNewestFirst)
	}
	return out, nil
}

// articlesQuery returns the statement selecting q.
func articlesQuery(q store.Query) (string, []any) {
	// With a limit, pick the rows from an index first, then read only
	// those and put them in order here: having SQLite sort whole rows,
	// content included, costs more than reading them.
	var (
		sb   strings.Builder
		args []any
	)
	sb.WriteString(`SELECT ` + articleColumns + ` FROM articles`)
	if q.Limit > 0 {
		sb.WriteString(` WHERE rowid IN (SELECT rowid FROM articles`)
	}
	if len(q.Sources) > 0 {
		// Without statistics the planner picks the primary key for
		// source IN (...); this index also holds sort_time, so the
		// selection never touches the table.
		sb.WriteString(` INDEXED BY articles_source_sort`)
		sb.WriteString(` WHERE source IN (`)
		for i, s := range q.Sources {
			if i > 0 {
				sb.WriteString(`, `)
			}
			sb.WriteString(`?`)
			args = append(args, record.Clean(s))
		}
		sb.WriteString(`)`)
	}
	sb.WriteString(` ORDER BY sort_time DESC, source, id`)
	if q.Limit > 0 {
		sb.WriteString(` LIMIT ?)`)
		args = append(args, q.Limit)
	}
	return sb.String(), args
}

// Article returns one article, or an error wrapping store.ErrNotFound.
func (d *DB) Article(ctx context.Context, source, id string) (feeds.Article, error) {
	a, err := scanArticle(d.db.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM articles WHERE source = ? AND id = ?`,
		record.Clean(source), record.Clean(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return feeds.Article{}, failf("sqlite: article %s/%s: %w", source, id, store.ErrNotFound)
	}
	if err != nil {
		return feeds.Article{}, failf("sqlite: article %s/%s: %w", source, id, err)
	}
	return a, nil
}

// PagesDue returns up to limit articles of source whose page extraction
// failed and is due at t (Page.RetryAt, else Page.AttemptedAt, not after
// t), earliest due first, ties by id; limit 0 means no limit.
func (d *DB) PagesDue(ctx context.Context, source string, t time.Time, limit int) ([]feeds.Article, error) {
	if limit <= 0 {
		limit = -1 // SQLite's "no limit"
	}
	// The page column holds record's pageJSON: "error" is left out when
	// empty, times are Unix seconds. The expressions are those of the
	// articles_pages_due index (migration 0005); INDEXED BY turns a
	// mismatch into an error instead of a scan of the source's articles.
	const due = `coalesce(json_extract(page, '$.retry_at'), json_extract(page, '$.attempted_at'), 0)`
	rows, err := d.db.QueryContext(ctx, `SELECT `+articleColumns+` FROM articles INDEXED BY articles_pages_due
		WHERE source = ? AND json_extract(page, '$.error') IS NOT NULL AND `+due+` <= ?
		ORDER BY `+due+`, id LIMIT ?`, record.Clean(source), t.Unix(), limit)
	if err != nil {
		return nil, failf("sqlite: pages due %s: %w", source, err)
	}
	out, err := scanArticles(rows)
	if err != nil {
		return nil, failf("sqlite: pages due %s: %w", source, err)
	}
	return out, nil
}

// compareNewestFirst orders articles as the articles_sort index does:
// sort_time descending, then source and id ascending (SQLite's BINARY
// collation compares bytes, as Go does).
func compareNewestFirst(a, b feeds.Article) int {
	ta, tb := a.Published, b.Published
	if ta.IsZero() {
		ta = a.FetchedAt
	}
	if tb.IsZero() {
		tb = b.FetchedAt
	}
	if c := tb.Compare(ta); c != 0 {
		return c
	}
	if c := strings.Compare(a.Source, b.Source); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// scanArticles reads every row of rows and closes it.
func scanArticles(rows *sql.Rows) ([]feeds.Article, error) {
	defer rows.Close()
	var out []feeds.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func scanArticle(sc interface{ Scan(...any) error }) (feeds.Article, error) {
	var (
		a                                            feeds.Article
		authors, image, enclosures, categories, page []byte
		podcast                                      []byte
		published, updated                           sql.NullInt64
		fetchedAt                                    int64
		summaryIsContent                             bool
	)
	if err := sc.Scan(&a.Source, &a.ID, &a.Origin, &a.Title, &a.Link, &a.Summary, &a.Content,
		&authors, &image, &enclosures, &categories, &published, &updated, &fetchedAt, &page, &podcast, &summaryIsContent); err != nil {
		return feeds.Article{}, err
	}
	if summaryIsContent {
		a.Summary = a.Content // the same string, not a copy
	}
	a.Published = fromUnix(published)
	a.Updated = fromUnix(updated)
	a.FetchedAt = time.Unix(fetchedAt, 0).UTC()
	if err := record.DecodeParts(&a, authors, image, enclosures, categories, page, podcast); err != nil {
		return feeds.Article{}, fmt.Errorf("%s/%s: %w", a.Source, a.ID, err)
	}
	return a, nil
}
