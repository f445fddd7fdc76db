package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/record"
)

// stateColumns are the columns scanState reads, name first.
const stateColumns = `name, etag, last_modified, last_attempt, last_success, last_status,
	last_error, failures, next_attempt, boilerplate, feed_url, discovered_from, validators_url,
	config_fingerprint, pages_fingerprint, source_feed`

// scanState reads one row of stateColumns.
func scanState(sc interface{ Scan(...any) error }) (store.SourceState, error) {
	var (
		st                     store.SourceState
		attempt, success, next sql.NullInt64
		boilerplate            []byte
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
	st.LastAttempt, st.LastSuccess, st.NextAttempt = fromUnix(attempt), fromUnix(success), fromUnix(next)
	var err error
	if st.Boilerplate, err = record.DecodeStrings(boilerplate); err != nil {
		return store.SourceState{}, fmt.Errorf("%s: decode boilerplate: %w", st.Name, err)
	}
	return st, nil
}

// SourceState returns the saved fetch state of source, or a zero state
// with Name set when the source was never saved.
func (d *DB) SourceState(ctx context.Context, source string) (store.SourceState, error) {
	st, err := scanState(d.stmts[stmtState].QueryRowContext(ctx, record.Clean(source)))
	if errors.Is(err, sql.ErrNoRows) {
		return store.SourceState{Name: source}, nil
	}
	if err != nil {
		return store.SourceState{}, failf("sqlite: source state %s: %w", source, err)
	}
	st.Name = source
	return st, nil
}

// SaveSourceState replaces the saved state of st.Name with st.
func (d *DB) SaveSourceState(ctx context.Context, st store.SourceState) error {
	name := record.Clean(st.Name)
	if name == "" {
		return errors.New("sqlite: save source state: empty source name")
	}
	boilerplate, err := record.EncodeStrings(st.Boilerplate)
	if err != nil {
		return failf("sqlite: save source state %s: %w", st.Name, err)
	}
	sourceFeed, err := record.EncodeSourceFeed(st.Feed)
	if err != nil {
		return failf("sqlite: save source state %s: %w", st.Name, err)
	}
	err = d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.StmtContext(ctx, d.stmts[stmtSaveState]).ExecContext(ctx,
			name, record.Clean(st.ETag), record.Clean(st.LastModified), record.Unix(st.LastAttempt), record.Unix(st.LastSuccess),
			record.Clean(st.LastStatus), record.Clean(st.LastError), st.Failures, record.Unix(st.NextAttempt), text(boilerplate),
			record.Clean(st.FeedURL), record.Clean(st.DiscoveredFrom), record.Clean(st.ValidatorsURL),
			record.Clean(st.ConfigFingerprint), record.Clean(st.PagesFingerprint), text(sourceFeed))
		return err
	})
	if err != nil {
		return failf("sqlite: save source state %s: %w", st.Name, err)
	}
	return nil
}

// saveStateSQL replaces the saved state of one source.
const saveStateSQL = `INSERT INTO source_state (name, etag, last_modified, last_attempt, last_success,
		last_status, last_error, failures, next_attempt, boilerplate, feed_url, discovered_from, validators_url,
		config_fingerprint, pages_fingerprint, source_feed)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (name) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
		last_attempt = excluded.last_attempt, last_success = excluded.last_success,
		last_status = excluded.last_status, last_error = excluded.last_error,
		failures = excluded.failures, next_attempt = excluded.next_attempt,
		boilerplate = excluded.boilerplate, feed_url = excluded.feed_url, validators_url = excluded.validators_url,
		discovered_from = excluded.discovered_from, config_fingerprint = excluded.config_fingerprint,
		pages_fingerprint = excluded.pages_fingerprint, source_feed = excluded.source_feed`
