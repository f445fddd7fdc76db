package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// txAttempts is how many times a write transaction runs when the server
// aborts it as a deadlock victim or on a serialization failure. Writers
// lock the version shards in one order, so writes of different sources
// never deadlock each other; a writer can still be chosen as the victim
// when another session (an operator's, an older Tributary) locks rows in
// another order.
const txAttempts = 3

// retryable says whether err aborted a transaction that may simply run
// again: deadlock_detected (40P01) or serialization_failure (40001).
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// retry runs fn, again while it fails with a retryable error, up to
// txAttempts times in all. fn must start from scratch each time.
func retry(ctx context.Context, fn func() error) error {
	var err error
	for range txAttempts {
		if err = fn(); err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// pipelineTx runs a READ COMMITTED transaction on one connection in two
// round trips instead of four: BEGIN goes in the pipeline of first's
// statements, COMMIT in that of the statements then returns, which may
// depend on what first's read. A nil then commits with first's
// statements: one round trip. Any error rolls the transaction back; a
// connection whose rollback fails is closed by the pool on release (it is
// not idle).
func pipelineTx(ctx context.Context, pool *pgxpool.Pool, first func(*pgx.Batch), then func() (*pgx.Batch, error)) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection: %w", err)
	}
	defer conn.Release()
	committed := false
	commit := func(b *pgx.Batch) {
		b.Queue(`COMMIT`).Exec(func(ct pgconn.CommandTag) error {
			// COMMIT of a transaction aborted before it reports ROLLBACK.
			committed = ct.String() == "COMMIT"
			return nil
		})
	}
	b := &pgx.Batch{}
	b.Queue(`BEGIN ISOLATION LEVEL READ COMMITTED`)
	first(b)
	if then == nil {
		commit(b)
	}
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return rollback(ctx, conn, err)
	}
	if then != nil {
		if b, err = then(); err != nil {
			return rollback(ctx, conn, err)
		}
		if b == nil {
			b = &pgx.Batch{}
		}
		commit(b)
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			return rollback(ctx, conn, err)
		}
	}
	if !committed {
		return rollback(ctx, conn, errors.New("commit: the transaction was rolled back"))
	}
	return nil
}

// rollback ends the failed transaction of conn, if one is open, and
// returns err.
func rollback(ctx context.Context, conn *pgxpool.Conn, err error) error {
	if conn.Conn().PgConn().TxStatus() == 'I' || conn.Conn().IsClosed() {
		return err
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, rerr := conn.Exec(rctx, `ROLLBACK`); rerr != nil {
		return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
	}
	return err
}
