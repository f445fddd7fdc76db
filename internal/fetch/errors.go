package fetch

import (
	"context"
	"errors"
	"fmt"
	"time"
)

var (
	// ErrTooLarge is returned (wrapped) by a response body read once the
	// decompressed body exceeds Options.MaxBodySize.
	ErrTooLarge = errors.New("fetch: response body too large")
	// ErrTooManyRedirects is returned (wrapped) by Do when a request would
	// follow more than Options.MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("fetch: too many redirects")
	// ErrBlockedAddress is returned (wrapped) by Do when the address to
	// connect to is not public and neither Options.AllowPrivateNetworks nor
	// an allowed origin permits it.
	ErrBlockedAddress = errors.New("fetch: blocked non-public address")
)

// timeoutError is the cause given to a request's context when
// Options.Timeout elapses; it matches context.DeadlineExceeded.
func timeoutError(d time.Duration) error {
	return fmt.Errorf("fetch: request exceeded timeout of %s: %w", d, context.DeadlineExceeded)
}

// headerTimeoutError is the error of a request whose response headers
// did not come in time (see Client.awaitHeaders): a net.Error whose
// Timeout is true, as net/http's own was.
type headerTimeoutError time.Duration

func (e headerTimeoutError) Error() string {
	return fmt.Sprintf("fetch: timeout awaiting response headers (%s)", time.Duration(e))
}

// Timeout reports true: it is a timeout.
func (headerTimeoutError) Timeout() bool { return true }

// Temporary reports true, as net/http's header timeout does.
func (headerTimeoutError) Temporary() bool { return true }
