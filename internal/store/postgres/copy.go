package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/record"
)

var _ store.Copier = (*DB)(nil)

// listedRow scans the listed column, then the columns of articleColumns
// with scanArticle, so that an export decodes an article exactly as
// Article does.
type listedRow struct {
	row    pgx.Row
	listed *bool
}

func (l listedRow) Scan(dest ...any) error {
	return l.row.Scan(append([]any{l.listed}, dest...)...)
}

// ExportArticles returns up to limit articles after the key after, in key
// order (the columns compare bytes: COLLATE "C"), over the primary key.
func (d *DB) ExportArticles(ctx context.Context, after store.ArticleKey, limit int) ([]store.StoredArticle, error) {
	rows, err := d.pool.Query(ctx, `SELECT listed, `+articleColumns+` FROM articles
		WHERE (source, id) > ($1, $2) ORDER BY source, id LIMIT $3`, after.Source, after.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: export articles: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.StoredArticle, error) {
		var sa store.StoredArticle
		var err error
		sa.Article, err = scanArticle(listedRow{r, &sa.Listed})
		return sa, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: export articles: %w", err)
	}
	return out, nil
}

// ExportArticle returns the article stored under key, or an error
// wrapping store.ErrNotFound.
func (d *DB) ExportArticle(ctx context.Context, key store.ArticleKey) (store.StoredArticle, error) {
	var sa store.StoredArticle
	var err error
	sa.Article, err = scanArticle(listedRow{d.pool.QueryRow(ctx, `SELECT listed, `+articleColumns+` FROM articles
		WHERE source = $1 AND id = $2`, key.Source, key.ID), &sa.Listed})
	if errors.Is(err, pgx.ErrNoRows) {
		return sa, fmt.Errorf("postgres: export article %s/%s: %w", key.Source, key.ID, store.ErrNotFound)
	}
	if err != nil {
		return sa, fmt.Errorf("postgres: export article %s/%s: %w", key.Source, key.ID, err)
	}
	return sa, nil
}

// ExportSourceStates returns up to limit source states named after after,
// by name.
func (d *DB) ExportSourceStates(ctx context.Context, after string, limit int) ([]store.SourceState, error) {
	rows, err := d.pool.Query(ctx, `SELECT `+stateColumns+` FROM source_state WHERE name > $1 ORDER BY name LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: export source states: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.SourceState, error) { return scanState(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: export source states: %w", err)
	}
	return out, nil
}

// importSQL writes one article as given: inserted, or replacing the
// stored one when anything a copy carries differs (the content hash
// stands for the content).
const importSQL = `INSERT INTO articles (` + articleColumns + `, content_hash, listed)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
	ON CONFLICT (source, id) DO UPDATE SET origin = excluded.origin, title = excluded.title, link = excluded.link,
		summary = excluded.summary, content = excluded.content, authors = excluded.authors, image = excluded.image,
		enclosures = excluded.enclosures, categories = excluded.categories, published = excluded.published,
		updated = excluded.updated, fetched_at = excluded.fetched_at, page = excluded.page, podcast = excluded.podcast,
		content_hash = excluded.content_hash, listed = excluded.listed
	WHERE (articles.content_hash, articles.fetched_at, articles.listed, articles.page)
		IS DISTINCT FROM (excluded.content_hash, excluded.fetched_at, excluded.listed, excluded.page)`

// ImportArticles writes arts as given in one transaction and one round
// trip, each only when it differs from the stored one, and moves the
// version once when it wrote any. It takes the version row's lock first,
// as writers do.
func (d *DB) ImportArticles(ctx context.Context, arts []store.StoredArticle) (int, error) {
	if len(arts) == 0 {
		return 0, nil
	}
	now := time.Now().UTC()
	rows := make([]record.Row, len(arts))
	for i := range arts {
		r, err := record.Encode(&arts[i].Article, now)
		if err != nil {
			return 0, fmt.Errorf("postgres: import %s/%s: %w", arts[i].Source, arts[i].ID, err)
		}
		rows[i] = r
	}
	written := 0
	err := pgx.BeginTxFunc(ctx, d.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		written = 0
		if _, err := tx.Exec(ctx, `SELECT counter FROM store_version WHERE id = 1 FOR UPDATE`); err != nil {
			return fmt.Errorf("lock version: %w", err)
		}
		var b pgx.Batch
		for i, r := range rows {
			b.Queue(importSQL, r.Source, r.ID, r.Origin, r.Title, r.Link, r.Summary, r.Content,
				jsonArg(r.Authors), jsonArg(r.Image), jsonArg(r.Enclosures), jsonArg(r.Categories),
				ts(r.Published), ts(r.Updated), ts(r.FetchedAt), jsonArg(r.Page), jsonArg(r.Podcast), r.Hash, arts[i].Listed)
		}
		br := tx.SendBatch(ctx, &b)
		for _, r := range rows {
			tag, err := br.Exec()
			if err != nil {
				br.Close()
				return fmt.Errorf("%s/%s: %w", r.Source, r.ID, err)
			}
			written += int(tag.RowsAffected())
		}
		if err := br.Close(); err != nil {
			return err
		}
		if written == 0 {
			return nil
		}
		// Row 1 is the version's row, or the first of its shards where
		// writers count their changes in several: the sum moves either
		// way.
		_, err := tx.Exec(ctx, `UPDATE store_version SET counter = counter + 1,
			changed_at = greatest($1, changed_at) WHERE id = 1`, time.Now().UTC().Truncate(time.Second))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: import articles: %w", err)
	}
	return written, nil
}
