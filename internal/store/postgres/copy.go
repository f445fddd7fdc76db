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

// importSQL writes a batch of articles as given, one array per column:
// each inserted, or replacing the stored one when anything a copy
// carries differs (the content hash stands for the content). One
// statement for the batch: a statement per article cost three times as
// much (BenchmarkCopy).
const importSQL = `INSERT INTO articles (` + articleColumns + `, content_hash, listed)
	SELECT source, id, origin, title, link, summary, content, authors::jsonb, image::jsonb, enclosures::jsonb,
		categories::jsonb, published, updated, fetched_at, page::jsonb, podcast::jsonb, content_hash, listed
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
		$8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[],
		$15::text[], $16::text[], $17::bytea[], $18::boolean[])
		AS u(source, id, origin, title, link, summary, content, authors, image, enclosures, categories,
			published, updated, fetched_at, page, podcast, content_hash, listed)
	ON CONFLICT (source, id) DO UPDATE SET origin = excluded.origin, title = excluded.title, link = excluded.link,
		summary = excluded.summary, content = excluded.content, authors = excluded.authors, image = excluded.image,
		enclosures = excluded.enclosures, categories = excluded.categories, published = excluded.published,
		updated = excluded.updated, fetched_at = excluded.fetched_at, page = excluded.page, podcast = excluded.podcast,
		content_hash = excluded.content_hash, listed = excluded.listed
	WHERE (articles.content_hash, articles.fetched_at, articles.listed, articles.page)
		IS DISTINCT FROM (excluded.content_hash, excluded.fetched_at, excluded.listed, excluded.page)`

// importColumns are the arrays of importSQL.
type importColumns struct {
	source, id, origin, title, link, summary, content []string
	authors, image, enclosures, categories, page, pod []*string
	published, updated, fetchedAt                     []*time.Time
	hash                                              [][]byte
	listed                                            []bool
}

func (c *importColumns) add(r *record.Row, listed bool) {
	c.source, c.id, c.origin = append(c.source, r.Source), append(c.id, r.ID), append(c.origin, r.Origin)
	c.title, c.link = append(c.title, r.Title), append(c.link, r.Link)
	c.summary, c.content = append(c.summary, r.Summary), append(c.content, r.Content)
	c.authors, c.image = append(c.authors, jsonText(r.Authors)), append(c.image, jsonText(r.Image))
	c.enclosures, c.categories = append(c.enclosures, jsonText(r.Enclosures)), append(c.categories, jsonText(r.Categories))
	c.page, c.pod = append(c.page, jsonText(r.Page)), append(c.pod, jsonText(r.Podcast))
	c.published, c.updated = append(c.published, timePtr(r.Published)), append(c.updated, timePtr(r.Updated))
	c.fetchedAt = append(c.fetchedAt, timePtr(r.FetchedAt))
	c.hash, c.listed = append(c.hash, r.Hash), append(c.listed, listed)
}

func (c *importColumns) args() []any {
	return []any{c.source, c.id, c.origin, c.title, c.link, c.summary, c.content,
		c.authors, c.image, c.enclosures, c.categories, c.published, c.updated, c.fetchedAt,
		c.page, c.pod, c.hash, c.listed}
}

// jsonText is an encoded JSON column as an array element, nil for NULL.
func jsonText(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// timePtr is encoded Unix seconds as an array element, nil for NULL.
func timePtr(p *int64) *time.Time {
	if p == nil {
		return nil
	}
	t := time.Unix(*p, 0).UTC()
	return &t
}

// ImportArticles writes arts as given in one transaction and one
// statement, each only when it differs from the stored one, and moves the
// version once when it wrote any. It locks the version shards of its
// sources first, as writers do.
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
	names := make([]string, len(rows))
	for i := range rows {
		names[i] = rows[i].Source
	}
	// The shards of the batch's sources are locked as every writer locks
	// them (lockShardsSQL, in order), so an import and a daemon's upsert
	// of the same source wait for each other instead of both inserting.
	shards := shardsOf(names...)
	written := 0
	err := retry(ctx, func() error {
		return pgx.BeginTxFunc(ctx, d.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
			written = 0
			if _, err := tx.Exec(ctx, lockShardsSQL, shards); err != nil {
				return fmt.Errorf("lock version shards: %w", err)
			}
			var cols importColumns
			for i := range rows {
				cols.add(&rows[i], arts[i].Listed)
			}
			tag, err := tx.Exec(ctx, importSQL, cols.args()...)
			if err != nil {
				return err
			}
			written = int(tag.RowsAffected())
			if written == 0 {
				return nil
			}
			_, err = tx.Exec(ctx, bumpSQL, bumpTime(), shards[0])
			return err
		})
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: import articles: %w", err)
	}
	return written, nil
}
