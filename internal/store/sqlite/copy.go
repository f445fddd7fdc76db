package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/record"
)

var _ store.Copier = (*DB)(nil)

// listedScanner scans the listed column, then the columns of
// articleColumns with scanArticle, so that an export decodes an article
// exactly as Article does.
type listedScanner struct {
	sc     interface{ Scan(...any) error }
	listed *bool
}

func (l listedScanner) Scan(dest ...any) error {
	return l.sc.Scan(append([]any{l.listed}, dest...)...)
}

// ExportArticles returns up to limit articles after the key after, in key
// order, over the primary key's index.
func (d *DB) ExportArticles(ctx context.Context, after store.ArticleKey, limit int) ([]store.StoredArticle, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT listed, `+articleColumns+` FROM articles
		WHERE (source, id) > (?, ?) ORDER BY source, id LIMIT ?`, after.Source, after.ID, limit)
	if err != nil {
		return nil, failf("sqlite: export articles: %w", err)
	}
	defer rows.Close()
	var out []store.StoredArticle
	for rows.Next() {
		var sa store.StoredArticle
		if sa.Article, err = scanArticle(listedScanner{rows, &sa.Listed}); err != nil {
			return nil, failf("sqlite: export articles: %w", err)
		}
		out = append(out, sa)
	}
	if err := rows.Err(); err != nil {
		return nil, failf("sqlite: export articles: %w", err)
	}
	return out, nil
}

// ExportArticle returns the article stored under key, or an error
// wrapping store.ErrNotFound.
func (d *DB) ExportArticle(ctx context.Context, key store.ArticleKey) (store.StoredArticle, error) {
	var sa store.StoredArticle
	var err error
	sa.Article, err = scanArticle(listedScanner{d.db.QueryRowContext(ctx, `SELECT listed, `+articleColumns+` FROM articles
		WHERE source = ? AND id = ?`, key.Source, key.ID), &sa.Listed})
	if errors.Is(err, sql.ErrNoRows) {
		return sa, failf("sqlite: export article %s/%s: %w", key.Source, key.ID, store.ErrNotFound)
	}
	if err != nil {
		return sa, failf("sqlite: export article %s/%s: %w", key.Source, key.ID, err)
	}
	return sa, nil
}

// ExportSourceStates returns up to limit source states named after after,
// by name.
func (d *DB) ExportSourceStates(ctx context.Context, after string, limit int) ([]store.SourceState, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+stateColumns+` FROM source_state WHERE name > ? ORDER BY name LIMIT ?`, after, limit)
	if err != nil {
		return nil, failf("sqlite: export source states: %w", err)
	}
	defer rows.Close()
	var out []store.SourceState
	for rows.Next() {
		st, err := scanState(rows)
		if err != nil {
			return nil, failf("sqlite: export source states: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, failf("sqlite: export source states: %w", err)
	}
	return out, nil
}

// importSQL writes one article as given: inserted, or replacing the
// stored one when anything a copy carries differs (the content hash
// stands for the content). ?12 is published, ?14 fetched_at.
const importSQL = `INSERT INTO articles (` + articleColumns + `, content_hash, sort_time, listed)
	VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, coalesce(?12, ?14), ?19)
	ON CONFLICT (source, id) DO UPDATE SET origin = excluded.origin, title = excluded.title, link = excluded.link,
		summary = excluded.summary, content = excluded.content, authors = excluded.authors, image = excluded.image,
		enclosures = excluded.enclosures, categories = excluded.categories, published = excluded.published,
		updated = excluded.updated, fetched_at = excluded.fetched_at, page = excluded.page, podcast = excluded.podcast,
		summary_is_content = excluded.summary_is_content, content_hash = excluded.content_hash,
		sort_time = excluded.sort_time, listed = excluded.listed
	WHERE articles.content_hash != excluded.content_hash OR articles.fetched_at != excluded.fetched_at
		OR articles.listed != excluded.listed OR articles.page IS NOT excluded.page`

// ImportArticles writes arts as given in one write transaction, each
// only when it differs from the stored one, and moves the version once
// when it wrote any.
func (d *DB) ImportArticles(ctx context.Context, arts []store.StoredArticle) (int, error) {
	if len(arts) == 0 {
		return 0, nil
	}
	now := time.Now().UTC()
	rows := make([]record.Row, len(arts))
	for i := range arts {
		r, err := record.Encode(&arts[i].Article, now)
		if err != nil {
			return 0, failf("sqlite: import %s/%s: %w", arts[i].Source, arts[i].ID, err)
		}
		rows[i] = r
	}
	written := 0
	err := d.write(ctx, func(tx *sql.Tx) error {
		written = 0
		st, err := tx.PrepareContext(ctx, importSQL)
		if err != nil {
			return err
		}
		defer st.Close()
		for i, r := range rows {
			summary, same := storedSummary(&r)
			res, err := st.ExecContext(ctx, r.Source, r.ID, r.Origin, r.Title, r.Link, summary, r.Content,
				text(r.Authors), text(r.Image), text(r.Enclosures), text(r.Categories),
				r.Published, r.Updated, r.FetchedAt, text(r.Page), text(r.Podcast), same, r.Hash, arts[i].Listed)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", r.Source, r.ID, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			written += int(n)
		}
		if written == 0 {
			return nil
		}
		return bumpVersion(ctx, tx)
	})
	if err != nil {
		return 0, failf("sqlite: import articles: %w", err)
	}
	return written, nil
}
