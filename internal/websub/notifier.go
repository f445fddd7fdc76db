// Package websub is the publisher side of WebSub (W3C Recommendation,
// 2018): it tells a hub that a feed changed, so that the hub fetches it and
// pushes it to its subscribers.
//
// The publish request is the one every common hub accepts (Google's
// pubsubhubbub.appspot.com, Superfeedr, websub.rocks, Switchboard): a POST
// of the form hub.mode=publish&hub.url=TOPIC, one request per topic. WebSub
// leaves the publish request to the hub (section 6); several hub.url values
// in one request are accepted by some hubs and ignored beyond the first by
// others, so each topic gets its own request and its own answer.
//
// A Notifier sends them in the background: its queue is bounded and holds
// each topic once, failures are retried with exponential backoff, and
// nothing it does waits on, or makes wait, the fetches that cause it.
package websub

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tributary/tributary/internal/redact"
)

// Doer sends an HTTP request; *fetch.Client is one (through For, with the
// hub's origin allowed past the address policy).
type Doer interface {
	Do(req *http.Request) (*http.Response, error)
}

// Topic is one URL a hub is told about, and the feed it renders.
type Topic struct {
	Feed string
	URL  string
}

// Results of a publish attempt, as Options.Observe hears them.
const (
	// ResultSuccess: the hub accepted the notification (a 2xx answer).
	ResultSuccess = "success"
	// ResultRetry: the attempt failed and will be retried.
	ResultRetry = "retry"
	// ResultFailure: the notification was given up: the hub refused it
	// (a 4xx other than 408 and 429), or it failed MaxAttempts times.
	ResultFailure = "failure"
	// ResultDropped: the queue was full; the topic was not queued.
	ResultDropped = "dropped"
)

// Results lists every result, for metrics to show each at 0.
func Results() []string {
	return []string{ResultSuccess, ResultRetry, ResultFailure, ResultDropped}
}

// Defaults of Options.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultQueueSize   = 1000
	DefaultMaxAttempts = 8
	DefaultBackoff     = 2 * time.Second
	DefaultMaxBackoff  = 10 * time.Minute
	DefaultDebounce    = 2 * time.Second
	DefaultMaxDelay    = time.Minute
)

// maxBodyRead is the most of a hub's answer read: enough to reuse the
// connection after a short answer, never a whole large one.
const maxBodyRead = 64 << 10

// Options configure a Notifier. Zero values take the defaults above;
// negative ones are not meaningful.
type Options struct {
	// Hub is the hub's URL. Userinfo in it is sent as basic
	// authentication, never shown (see redact) and never sent on to
	// another host.
	Hub string
	// Doer sends the requests; nil uses an http.Client that follows no
	// redirect.
	Doer Doer
	// Timeout bounds each request.
	Timeout time.Duration
	// QueueSize bounds the topics waiting to be sent, retries included.
	QueueSize int
	// MaxAttempts is how many times a topic is tried before it is given
	// up.
	MaxAttempts int
	// Backoff is the wait before the first retry; each further retry
	// waits twice as long, at most MaxBackoff.
	Backoff, MaxBackoff time.Duration
	// Check, when set, is run by the Notifier's goroutine after Changed
	// was called and then not again for Debounce (but no later than
	// MaxDelay after the first such call): it returns the topics that
	// changed, which are queued. A burst of changes (a refresh of every
	// source) thus costs one Check and one notification per topic.
	Check              func(ctx context.Context) []Topic
	Debounce, MaxDelay time.Duration
	// Observe hears every attempt's result (one of the Result
	// constants); nil hears nothing.
	Observe func(result string)
	// Logger records each notification sent, retried, given up or
	// dropped; nil discards.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	o.Timeout = cmp.Or(o.Timeout, DefaultTimeout)
	o.QueueSize = cmp.Or(o.QueueSize, DefaultQueueSize)
	o.MaxAttempts = cmp.Or(o.MaxAttempts, DefaultMaxAttempts)
	o.Backoff = cmp.Or(o.Backoff, DefaultBackoff)
	o.MaxBackoff = cmp.Or(o.MaxBackoff, DefaultMaxBackoff)
	o.Debounce = cmp.Or(o.Debounce, DefaultDebounce)
	o.MaxDelay = cmp.Or(o.MaxDelay, DefaultMaxDelay)
	if o.Doer == nil {
		o.Doer = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Observe == nil {
		o.Observe = func(string) {}
	}
	return o
}

// Notifier tells a hub about changed topics. New has no side effects;
// Start starts its goroutine and Close stops it. Publish and Changed never
// block. It is safe for concurrent use.
type Notifier struct {
	opts  Options
	shown string // the hub's URL with its userinfo masked

	wake    chan struct{} // topics queued
	changed chan struct{} // Changed called
	stop    chan struct{}
	done    chan struct{}
	cancel  context.CancelFunc
	ctx     context.Context

	mu sync.Mutex
	// queue holds the topics to send, each URL once, in the order first
	// queued; guarded by mu.
	queue []*pending
	byURL map[string]*pending
	// running and closed are Start's and Close's; guarded by mu.
	running, closed bool
}

// pending is a queued topic: how many attempts failed, and when the next
// one is due.
type pending struct {
	Topic
	failures int
	due      time.Time
}

// New returns a Notifier for opts.Hub; nothing runs before Start.
func New(opts Options) *Notifier {
	ctx, cancel := context.WithCancel(context.Background())
	return &Notifier{
		opts: opts.withDefaults(), shown: redact.URL(opts.Hub),
		wake: make(chan struct{}, 1), changed: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{}),
		ctx: ctx, cancel: cancel, byURL: map[string]*pending{},
	}
}

// Start starts the goroutine that sends the queued topics and runs
// Options.Check. Calls after the first, or after Close, do nothing.
func (n *Notifier) Start() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.running || n.closed {
		return
	}
	n.running = true
	go n.run()
}

// Close stops the goroutine, cancelling a request in flight, and waits for
// it. The topics still queued are left for Pending.
func (n *Notifier) Close() {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.closed = true
	running := n.running
	n.mu.Unlock()
	close(n.stop)
	n.cancel()
	if running {
		<-n.done
	}
}

// Pending returns the topics queued and not yet sent, in queue order: a
// daemon that replaces its Notifier (a reload) hands them to the next one.
func (n *Notifier) Pending() []Topic {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]Topic, len(n.queue))
	for i, p := range n.queue {
		out[i] = p.Topic
	}
	return out
}

// Changed says that the topics may have changed: Options.Check runs once
// things are quiet (see Options.Debounce). It never blocks.
func (n *Notifier) Changed() {
	select {
	case n.changed <- struct{}{}:
	default: // one is already waiting
	}
}

// Publish queues topics to be sent now. A topic already queued stays
// queued once, keeping its place and its backoff: the hub will fetch the
// feed's current version whenever it is told. A topic that does not fit
// in the queue is dropped, logged and observed. It never blocks.
func (n *Notifier) Publish(topics ...Topic) {
	n.mu.Lock()
	var dropped []Topic
	now := time.Now()
	for _, t := range topics {
		if _, ok := n.byURL[t.URL]; ok {
			continue
		}
		if len(n.queue) >= n.opts.QueueSize {
			dropped = append(dropped, t)
			continue
		}
		p := &pending{Topic: t, due: now}
		n.queue = append(n.queue, p)
		n.byURL[t.URL] = p
	}
	n.mu.Unlock()
	for _, t := range dropped {
		n.opts.Observe(ResultDropped)
		n.opts.Logger.Warn("websub: queue full, notification dropped", slog.String("feed", t.Feed), slog.String("topic", t.URL),
			slog.String("hub", n.shown), slog.Int("queue_size", n.opts.QueueSize))
	}
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// run is the Notifier's goroutine: it runs Check when changes have
// settled and sends each queued topic when it is due, one request at a
// time.
func (n *Notifier) run() {
	defer close(n.done)
	var checkAt, firstChange time.Time // zero: no change waiting
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := n.nextDue()
		if !checkAt.IsZero() && (next.IsZero() || checkAt.Before(next)) {
			next = checkAt
		}
		var fire <-chan time.Time
		if !next.IsZero() {
			timer.Reset(time.Until(next))
			fire = timer.C
		}
		select {
		case <-n.stop:
			return
		case <-n.changed:
			now := time.Now()
			if firstChange.IsZero() {
				firstChange = now
			}
			checkAt = now.Add(n.opts.Debounce)
			if limit := firstChange.Add(n.opts.MaxDelay); checkAt.After(limit) {
				checkAt = limit
			}
		case <-n.wake:
		case <-fire:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		if !checkAt.IsZero() && !time.Now().Before(checkAt) {
			checkAt, firstChange = time.Time{}, time.Time{}
			if n.opts.Check != nil {
				n.Publish(n.opts.Check(n.ctx)...)
			}
		}
		n.sendDue()
	}
}

// nextDue returns when the next queued topic is due, zero when none is
// queued.
func (n *Notifier) nextDue() time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	var t time.Time
	for _, p := range n.queue {
		if t.IsZero() || p.due.Before(t) {
			t = p.due
		}
	}
	return t
}

// sendDue sends every topic that is due, in queue order, until none is
// left or the Notifier stops.
func (n *Notifier) sendDue() {
	for {
		p := n.takeDue()
		if p == nil || n.ctx.Err() != nil {
			return
		}
		err := n.Send(n.ctx, p.Topic)
		n.settle(p, err)
	}
}

// takeDue returns the first queued topic that is due, nil when none is.
func (n *Notifier) takeDue() *pending {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := time.Now()
	for _, p := range n.queue {
		if !p.due.After(now) {
			return p
		}
	}
	return nil
}

// settle records the outcome err of sending p: done, given up, or due
// again after its backoff.
func (n *Notifier) settle(p *pending, err error) {
	if err != nil && n.ctx.Err() != nil {
		return // stopping: the topic stays queued, for Pending
	}
	log := n.opts.Logger.With(slog.String("feed", p.Feed), slog.String("topic", p.URL), slog.String("hub", n.shown))
	n.mu.Lock()
	p.failures++
	retry := err != nil && !errors.Is(err, ErrRefused) && p.failures < n.opts.MaxAttempts
	wait := n.backoff(p.failures)
	if retry {
		p.due = time.Now().Add(wait)
	} else {
		n.remove(p)
	}
	n.mu.Unlock()
	switch {
	case err == nil:
		n.opts.Observe(ResultSuccess)
		log.Info("websub: hub notified")
	case retry:
		n.opts.Observe(ResultRetry)
		log.Warn("websub: hub notification failed, will retry", slog.Int("attempt", p.failures), slog.Duration("retry_in", wait), slog.Any("error", err))
	default:
		n.opts.Observe(ResultFailure)
		log.Error("websub: hub notification failed, giving up", slog.Int("attempts", p.failures), slog.Any("error", err))
	}
}

// remove takes p out of the queue; n.mu must be held.
func (n *Notifier) remove(p *pending) {
	delete(n.byURL, p.URL)
	for i, q := range n.queue {
		if q == p {
			n.queue = append(n.queue[:i], n.queue[i+1:]...)
			return
		}
	}
}

// backoff is the wait after the failures-th failed attempt: Backoff,
// doubled for each further failure, at most MaxBackoff.
func (n *Notifier) backoff(failures int) time.Duration {
	d := n.opts.Backoff
	for i := 1; i < failures && d < n.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, n.opts.MaxBackoff)
}

// ErrRefused is wrapped by Send's error when the hub refused the
// notification for good (a 4xx answer other than 408 Request Timeout and
// 429 Too Many Requests): retrying would be refused alike.
var ErrRefused = errors.New("websub: hub refused the notification")

// Send makes one publish request for t to the hub and returns nil when
// the hub accepted it (2xx). Errors show the hub with its userinfo
// masked; an answer the hub will give again wraps ErrRefused.
func (n *Notifier) Send(ctx context.Context, t Topic) error {
	ctx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
	defer cancel()
	req, err := n.request(ctx, t)
	if err != nil {
		return err
	}
	resp, err := n.opts.Doer.Do(req)
	if err != nil {
		return fmt.Errorf("websub: publish to %s: %w", n.shown, redact.Error(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBodyRead))
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return nil
	case c >= 400 && c < 500 && c != http.StatusRequestTimeout && c != http.StatusTooManyRequests:
		return fmt.Errorf("%w: %s answered %s", ErrRefused, n.shown, resp.Status)
	default:
		return fmt.Errorf("websub: publish to %s: answered %s", n.shown, resp.Status)
	}
}

// request builds the publish request for t: the form
// hub.mode=publish&hub.url=TOPIC, with the hub's userinfo as basic
// authentication rather than in the URL (so that it goes to the hub only).
func (n *Notifier) request(ctx context.Context, t Topic) (*http.Request, error) {
	u, err := url.Parse(n.opts.Hub)
	if err != nil {
		return nil, fmt.Errorf("websub: hub %s: %w", n.shown, redact.Error(err))
	}
	user := u.User
	u.User = nil
	form := url.Values{"hub.mode": {"publish"}, "hub.url": {t.URL}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("websub: hub %s: %w", n.shown, redact.Error(err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != nil {
		pw, _ := user.Password()
		req.SetBasicAuth(user.Username(), pw)
	}
	return req, nil
}
