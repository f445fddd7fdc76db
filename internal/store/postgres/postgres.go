// Package postgres implements store.Store on PostgreSQL with pgx, for
// deployments where several Tributary daemons share one database.
//
// The change counter is kept in 64 rows (shards, version.go), summed on
// read. Every write of articles first takes the locks of the shards of
// the sources it touches, in order, so two writers of one source take
// turns: each sees the articles committed before it (READ COMMITTED),
// decides new/updated/unchanged without racing another daemon for the
// same (source, id), and moves the version in the same transaction.
// Writers of different sources mostly take different shards and do not
// wait for each other's commits, as they all did on one row. Readers are
// never blocked.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/record"
	"github.com/tributary/tributary/internal/store/schema"
)

var _ store.Store = (*DB)(nil)

// DB is a store.Store on a PostgreSQL database. It is safe for concurrent
// use, by several processes too.
type DB struct {
	pool *pgxpool.Pool
}

// Open connects to the PostgreSQL database at dsn (a URL or key=value
// string, as libpq accepts) and brings its schema up to date. The tables
// live in the first schema of the search_path, which the DSN may set
// (search_path=name). Errors name the server and database, never the DSN
// or its password; a DSN that does not parse is ErrInvalidDSN.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", dsnError(dsn, err))
	}
	where := fmt.Sprintf("host=%s port=%d database=%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: connect: %w", where, err)
	}
	migs, err := schema.Load(migrationFiles, "migrations")
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	if err := migrate(ctx, pool, migs); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	return &DB{pool: pool}, nil
}

// Close closes the connections, waiting for those in use to be released.
// It may be called more than once.
func (d *DB) Close() error {
	d.pool.Close()
	return nil
}

const articleColumns = `source, id, origin, title, link, summary, content,
	authors, image, enclosures, categories, published, updated, fetched_at, page, podcast`

type key struct{ source, id string }

// stored is what an upsert needs to know of an article already stored.
type stored struct {
	hash, page []byte
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
	sources := make([]string, len(arts))
	ids := make([]string, len(arts))
	for i := range arts {
		r, err := record.Encode(&arts[i], now)
		if err != nil {
			return res, fmt.Errorf("postgres: upsert %s/%s: %w", arts[i].Source, arts[i].ID, err)
		}
		rows[i], sources[i], ids[i] = r, r.Source, r.ID
	}
	shards := shardsOf(sources...)
	err := retry(ctx, func() error {
		res = store.UpsertResult{}
		var have map[key]stored
		return pipelineTx(ctx, d.pool, func(b *pgx.Batch) {
			have = lockAndRead(b, shards, sources, ids)
		}, func() (*pgx.Batch, error) {
			return writes(rows, have, shards, &res), nil
		})
	})
	if err != nil {
		return store.UpsertResult{}, fmt.Errorf("postgres: upsert articles: %w", err)
	}
	return res, nil
}

// writes returns the statements that store rows, given the stored hash
// and page of those already stored (have, which it updates), and counts
// them in res: the new ones in one INSERT, then each update, then the
// version bump on the first of shards if anything was new or updated.
func writes(rows []record.Row, have map[key]stored, shards []int32, res *store.UpsertResult) *pgx.Batch {
	var (
		fresh   newRows
		updates []update
	)
	for _, r := range rows {
		k := key{r.Source, r.ID}
		old, ok := have[k]
		switch {
		case !ok:
			fresh.add(r)
			res.New++
		case string(old.hash) != string(r.Hash):
			updates = append(updates, update{`UPDATE articles SET origin = $1, title = $2, link = $3, summary = $4, content = $5,
				authors = $6, image = $7, enclosures = $8, categories = $9, published = $10, updated = $11,
				page = $12, podcast = $13, content_hash = $14
				WHERE source = $15 AND id = $16`, []any{
				r.Origin, r.Title, r.Link, r.Summary, r.Content,
				jsonArg(r.Authors), jsonArg(r.Image), jsonArg(r.Enclosures), jsonArg(r.Categories),
				ts(r.Published), ts(r.Updated), jsonArg(r.Page), jsonArg(r.Podcast), r.Hash, r.Source, r.ID}})
			res.Updated++
		default:
			if !record.SamePage(old.page, r.Page) {
				updates = append(updates, update{`UPDATE articles SET page = $1 WHERE source = $2 AND id = $3`,
					[]any{jsonArg(r.Page), r.Source, r.ID}})
			}
			res.Unchanged++
		}
		// Later duplicates in the batch compare against this version.
		have[k] = stored{hash: r.Hash, page: r.Page}
	}
	var b pgx.Batch
	if len(fresh.source) > 0 {
		// Inserted first: a later duplicate's update applies to it.
		b.Queue(insertSQL, fresh.args()...)
	}
	for _, u := range updates {
		b.Queue(u.sql, u.args...)
	}
	if res.New+res.Updated > 0 {
		b.Queue(bumpSQL, bumpTime(), shards[0])
	}
	return &b
}

// insertSQL inserts the articles new to the store, every column an array
// (newRows): one statement for the whole batch, whatever its size.
const insertSQL = `INSERT INTO articles (` + articleColumns + `, content_hash, listed)
	SELECT source, id, origin, title, link, summary, content,
		authors::jsonb, image::jsonb, enclosures::jsonb, categories::jsonb,
		published, updated, fetched_at, page::jsonb, podcast::jsonb, content_hash, true
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
		$8::text[], $9::text[], $10::text[], $11::text[],
		$12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::text[], $16::text[], $17::bytea[])
	AS t(source, id, origin, title, link, summary, content, authors, image, enclosures, categories,
		published, updated, fetched_at, page, podcast, content_hash)`

// update is one statement of an upsert that changes a stored article.
type update struct {
	sql  string
	args []any
}

// newRows are the columns of the articles an upsert inserts, as the
// arrays of insertSQL; nil pointers are NULL.
type newRows struct {
	source, id, origin, title, link, summary, content []string
	authors, image, enclosures, categories            []*string
	published, updated, fetchedAt                     []*time.Time
	page, podcast                                     []*string
	hash                                              [][]byte
}

func (n *newRows) add(r record.Row) {
	n.source, n.id, n.origin = append(n.source, r.Source), append(n.id, r.ID), append(n.origin, r.Origin)
	n.title, n.link = append(n.title, r.Title), append(n.link, r.Link)
	n.summary, n.content = append(n.summary, r.Summary), append(n.content, r.Content)
	n.authors, n.image = append(n.authors, jsonPtr(r.Authors)), append(n.image, jsonPtr(r.Image))
	n.enclosures, n.categories = append(n.enclosures, jsonPtr(r.Enclosures)), append(n.categories, jsonPtr(r.Categories))
	n.published, n.updated = append(n.published, tsPtr(r.Published)), append(n.updated, tsPtr(r.Updated))
	n.fetchedAt = append(n.fetchedAt, tsPtr(r.FetchedAt))
	n.page, n.podcast = append(n.page, jsonPtr(r.Page)), append(n.podcast, jsonPtr(r.Podcast))
	n.hash = append(n.hash, r.Hash)
}

// args returns the arguments of insertSQL.
func (n *newRows) args() []any {
	return []any{n.source, n.id, n.origin, n.title, n.link, n.summary, n.content,
		n.authors, n.image, n.enclosures, n.categories, n.published, n.updated, n.fetchedAt,
		n.page, n.podcast, n.hash}
}

// lockAndRead queues in b the locks of shards (sorted), then the read of
// the stored hash and page of those of the given keys that are stored,
// which fills the map it returns when b runs: one round trip, and the
// read, queued after the lock, sees every write committed by the writers
// it waited for.
func lockAndRead(b *pgx.Batch, shards []int32, sources, ids []string) map[key]stored {
	have := make(map[key]stored, len(ids))
	b.Queue(lockShardsSQL, shards)
	b.Queue(`SELECT a.source, a.id, a.content_hash, a.page
		FROM articles a JOIN unnest($1::text[], $2::text[]) AS k(source, id)
		ON a.source = k.source AND a.id = k.id`, sources, ids).Query(func(rows pgx.Rows) error {
		var (
			k key
			s stored
		)
		_, err := pgx.ForEachRow(rows, []any{&k.source, &k.id, &s.hash, &s.page}, func() error {
			have[k] = stored{hash: s.hash, page: s.page}
			return nil
		})
		return err
	})
	return have
}

// Articles returns the articles matching q, newest first by published
// date, falling back to the first fetch time; ties go by source, then id.
//
// With sources and a limit (a feed's newest items, a source's boilerplate
// window read on every run) it takes each source's newest from the
// articles_source_sort index and merges them, so it reads at most limit
// rows per source whatever the store holds. Written as source = ANY($1)
// instead, the plan pgx's cached statement settles on can walk the
// articles_sort index of the whole store, filtering: every article read
// for a source that has none yet (a first refresh).
func (d *DB) Articles(ctx context.Context, q store.Query) ([]feeds.Article, error) {
	query, args := articlesQuery(q)
	rows, err := d.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: articles: %w", err)
	}
	out, err := scanArticles(rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: articles: %w", err)
	}
	return out, nil
}

// articlesQuery returns the query of Articles and its arguments.
func articlesQuery(q store.Query) (string, []any) {
	query := `SELECT ` + articleColumns + ` FROM articles`
	var args []any
	if len(q.Sources) > 0 {
		srcs := make([]string, 0, len(q.Sources))
		seen := make(map[string]bool, len(q.Sources))
		for _, s := range q.Sources {
			if s = record.Clean(s); !seen[s] {
				seen[s] = true
				srcs = append(srcs, s)
			}
		}
		args = append(args, srcs)
		if q.Limit > 0 {
			query = `SELECT ` + articleColumns + ` FROM unnest($1::text[]) AS s(name)
				CROSS JOIN LATERAL (SELECT * FROM articles WHERE source = s.name
					ORDER BY sort_time DESC, id LIMIT $2) AS articles`
		} else {
			query += ` WHERE source = ANY($1)`
		}
	}
	query += ` ORDER BY sort_time DESC, source, id`
	if q.Limit > 0 {
		args = append(args, q.Limit)
		query += fmt.Sprintf(` LIMIT $%d`, len(args))
	}
	return query, args
}

// Article returns one article, or an error wrapping store.ErrNotFound.
func (d *DB) Article(ctx context.Context, source, id string) (feeds.Article, error) {
	a, err := scanArticle(d.pool.QueryRow(ctx, `SELECT `+articleColumns+` FROM articles WHERE source = $1 AND id = $2`,
		record.Clean(source), record.Clean(id)))
	if errors.Is(err, pgx.ErrNoRows) {
		return feeds.Article{}, fmt.Errorf("postgres: article %s/%s: %w", source, id, store.ErrNotFound)
	}
	if err != nil {
		return feeds.Article{}, fmt.Errorf("postgres: article %s/%s: %w", source, id, err)
	}
	return a, nil
}

// PagesDue returns up to limit articles of source whose page extraction
// failed and is due at t (Page.RetryAt, else Page.AttemptedAt, not after
// t), earliest due first, ties by id; limit 0 means no limit.
func (d *DB) PagesDue(ctx context.Context, source string, t time.Time, limit int) ([]feeds.Article, error) {
	var lim any // NULL: no limit
	if limit > 0 {
		lim = limit
	}
	// The page column holds record's pageJSON: "error" is left out when
	// empty, times are Unix seconds. The expressions are those of the
	// articles_pages_due index (migration 0005), so the query reads it.
	const due = `coalesce((page->>'retry_at')::bigint, (page->>'attempted_at')::bigint, 0)`
	rows, err := d.pool.Query(ctx, `SELECT `+articleColumns+` FROM articles
		WHERE source = $1 AND page->>'error' IS NOT NULL AND `+due+` <= $2
		ORDER BY `+due+`, id LIMIT $3`, record.Clean(source), t.Unix(), lim)
	if err != nil {
		return nil, fmt.Errorf("postgres: pages due %s: %w", source, err)
	}
	out, err := scanArticles(rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: pages due %s: %w", source, err)
	}
	return out, nil
}

// scanArticles reads every row of rows and closes it.
func scanArticles(rows pgx.Rows) ([]feeds.Article, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (feeds.Article, error) { return scanArticle(r) })
}

func scanArticle(sc pgx.Row) (feeds.Article, error) {
	var (
		a                                            feeds.Article
		authors, image, enclosures, categories, page []byte
		podcast                                      []byte
		published, updated, fetchedAt                pgtype.Timestamptz
	)
	if err := sc.Scan(&a.Source, &a.ID, &a.Origin, &a.Title, &a.Link, &a.Summary, &a.Content,
		&authors, &image, &enclosures, &categories, &published, &updated, &fetchedAt, &page, &podcast); err != nil {
		return feeds.Article{}, err
	}
	a.Published, a.Updated, a.FetchedAt = fromTS(published), fromTS(updated), fromTS(fetchedAt)
	if err := record.DecodeParts(&a, authors, image, enclosures, categories, page, podcast); err != nil {
		return feeds.Article{}, fmt.Errorf("%s/%s: %w", a.Source, a.ID, err)
	}
	return a, nil
}

// stateColumns are the columns scanState reads, name first.
const stateColumns = `name, etag, last_modified, last_attempt, last_success, last_status,
	last_error, failures, next_attempt, boilerplate, feed_url, discovered_from, validators_url,
	config_fingerprint, pages_fingerprint, source_feed`

// scanState reads one row of stateColumns.
func scanState(sc pgx.Row) (store.SourceState, error) {
	var (
		st                     store.SourceState
		attempt, success, next pgtype.Timestamptz
		boilerplate            []string
		sourceFeed             []byte
	)
	if err := sc.Scan(&st.Name, &st.ETag, &st.LastModified, &attempt, &success, &st.LastStatus, &st.LastError,
		&st.Failures, &next, &boilerplate, &st.FeedURL, &st.DiscoveredFrom, &st.ValidatorsURL, &st.ConfigFingerprint, &st.PagesFingerprint, &sourceFeed); err != nil {
		return store.SourceState{}, err
	}
	var ferr error
	if st.Feed, ferr = record.DecodeSourceFeed(sourceFeed); ferr != nil {
		return store.SourceState{}, fmt.Errorf("%s: decode source feed: %w", st.Name, ferr)
	}
	st.LastAttempt, st.LastSuccess, st.NextAttempt = fromTS(attempt), fromTS(success), fromTS(next)
	if len(boilerplate) > 0 {
		st.Boilerplate = boilerplate
	}
	return st, nil
}

// SourceState returns the saved fetch state of source, or a zero state
// with Name set when the source was never saved.
func (d *DB) SourceState(ctx context.Context, source string) (store.SourceState, error) {
	st, err := scanState(d.pool.QueryRow(ctx, `SELECT `+stateColumns+` FROM source_state WHERE name = $1`, record.Clean(source)))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.SourceState{Name: source}, nil
	}
	if err != nil {
		return store.SourceState{}, fmt.Errorf("postgres: source state %s: %w", source, err)
	}
	st.Name = source
	return st, nil
}

// SaveSourceState replaces the saved state of st.Name with st, in one
// round trip. It commits without waiting for the WAL flush
// (synchronous_commit off for its transaction alone): a crash of the
// server or its machine, not of Tributary, may lose the states saved in
// the last moment (at most three times wal_writer_delay, 600 ms by
// default) unless a later commit flushed them. A state taken back that
// way is an older one: the next run fetches with older validators and
// finds its articles unchanged, a failing source is retried sooner.
// Articles and the version, what readers are served, are always flushed
// before their upsert returns (see docs/operations.md).
func (d *DB) SaveSourceState(ctx context.Context, st store.SourceState) error {
	name := record.Clean(st.Name)
	if name == "" {
		return errors.New("postgres: save source state: empty source name")
	}
	boilerplate, err := record.EncodeStrings(st.Boilerplate)
	if err != nil {
		return fmt.Errorf("postgres: save source state %s: %w", st.Name, err)
	}
	sourceFeed, err := record.EncodeSourceFeed(st.Feed)
	if err != nil {
		return fmt.Errorf("postgres: save source state %s: %w", st.Name, err)
	}
	args := []any{name, record.Clean(st.ETag), record.Clean(st.LastModified), ts(record.Unix(st.LastAttempt)), ts(record.Unix(st.LastSuccess)),
		record.Clean(st.LastStatus), record.Clean(st.LastError), st.Failures, ts(record.Unix(st.NextAttempt)), jsonArg(boilerplate),
		record.Clean(st.FeedURL), record.Clean(st.DiscoveredFrom), record.Clean(st.ValidatorsURL),
		record.Clean(st.ConfigFingerprint), record.Clean(st.PagesFingerprint), jsonArg(sourceFeed)}
	err = pipelineTx(ctx, d.pool, func(b *pgx.Batch) {
		b.Queue(`SET LOCAL synchronous_commit TO off`)
		b.Queue(saveStateSQL, args...)
	}, nil)
	if err != nil {
		return fmt.Errorf("postgres: save source state %s: %w", st.Name, err)
	}
	return nil
}

// saveStateSQL inserts or replaces one source's state.
const saveStateSQL = `INSERT INTO source_state (name, etag, last_modified, last_attempt, last_success,
			last_status, last_error, failures, next_attempt, boilerplate, feed_url, discovered_from, validators_url,
				config_fingerprint, pages_fingerprint, source_feed)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
		ON CONFLICT (name) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
			last_attempt = excluded.last_attempt, last_success = excluded.last_success,
			last_status = excluded.last_status, last_error = excluded.last_error,
			failures = excluded.failures, next_attempt = excluded.next_attempt,
			boilerplate = excluded.boilerplate, feed_url = excluded.feed_url, validators_url = excluded.validators_url,
			discovered_from = excluded.discovered_from, config_fingerprint = excluded.config_fingerprint,
				pages_fingerprint = excluded.pages_fingerprint, source_feed = excluded.source_feed`
