package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/internal/publish"
	"github.com/tributary/tributary/internal/redact"
	"github.com/tributary/tributary/internal/websub"
)

// feedChanges remembers what each feed published when last looked at (its
// publish.Publisher.Fingerprint), across reloads, so that the hub is told
// about the feeds whose bytes changed and no others: a fetch that changed
// nothing (a 304) or changed another feed's articles pings nothing.
type feedChanges struct {
	mu   sync.Mutex
	seen map[string]string // feed name -> fingerprint
}

// check returns the topics (every format's URL) of the feeds of pub whose
// bytes changed since the last check, and remembers the new state. A feed
// seen for the first time is remembered only: there is nothing it
// changed from. A feed that cannot be rendered now is left for the next
// check.
func (c *feedChanges) check(ctx context.Context, pub *publish.Publisher, log *slog.Logger) []websub.Topic {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]string{}
	}
	var topics []websub.Topic
	changed := 0
	for _, f := range pub.Feeds() {
		fp, err := pub.Fingerprint(ctx, f.Name)
		if err != nil {
			log.Warn("websub: cannot tell whether a feed changed", slog.String("feed", f.Name), slog.Any("error", err))
			continue
		}
		old, known := c.seen[f.Name]
		c.seen[f.Name] = fp
		if known && old != fp {
			changed++
			for _, u := range pub.FeedURLs(f.Name) {
				topics = append(topics, websub.Topic{Feed: f.Name, URL: u})
			}
		}
	}
	log.Debug("websub: feeds checked", slog.Int("feeds", len(pub.Feeds())), slog.Int("changed", changed))
	return topics
}

// newNotifier returns the notifier of cfg's hub, sending through client
// with the hub's origin allowed (an operator may run the hub beside
// Tributary, on a private address), or nil without a hub. observe (nil
// hears nothing) counts the results, check finds the changed feeds.
func newNotifier(cfg *config.Config, client *fetch.Client, log *slog.Logger, observe func(string), check func(context.Context) []websub.Topic) *websub.Notifier {
	if cfg.WebSub.Hub == "" {
		return nil
	}
	return websub.New(websub.Options{
		Hub:     cfg.WebSub.Hub,
		Doer:    client.For(fetch.Policy{AllowedOrigins: []string{cfg.WebSub.Hub}, Timeout: cfg.WebSub.Timeout}),
		Timeout: cfg.WebSub.Timeout,
		Observe: observe,
		Check:   check,
		Logger:  log,
	})
}

// buildPingBudget bounds the notifications `build` sends after writing:
// the hub is a courtesy, and a build must end.
const buildPingBudget = 30 * time.Second

// buildPingAttempts is how many times build tries each notification,
// within buildPingBudget.
const buildPingAttempts = 3

// pingHub tells cfg's hub about the feeds build changed (names), every
// format's URL, and says on w how it went. A hub that does not accept them
// is a warning, not a failure: the files are written, and the hub sees
// them at its next poll or the next build that changes them.
func pingHub(ctx context.Context, cfg *config.Config, pub *publish.Publisher, names []string, w io.Writer) {
	if cfg.WebSub.Hub == "" || len(names) == 0 {
		return
	}
	client := newFetcher(cfg, nil)
	defer client.Close()
	n := newNotifier(cfg, client, nil, nil, nil)
	defer n.Close()
	ctx, cancel := context.WithTimeout(ctx, buildPingBudget)
	defer cancel()
	sent, failed := 0, 0
	var last error
	for _, name := range names {
		for _, u := range pub.FeedURLs(name) {
			err := sendWithRetries(ctx, n, websub.Topic{Feed: name, URL: u})
			if err != nil {
				failed++
				last = err
				continue
			}
			sent++
		}
	}
	hub := redact.URL(cfg.WebSub.Hub)
	if failed > 0 {
		fmt.Fprintf(w, "warning: websub: the hub %s did not accept %d of %d notifications (the feeds are written): %v\n", hub, failed, sent+failed, last)
		return
	}
	fmt.Fprintf(w, "websub: told the hub %s about %d changed feed URLs\n", hub, sent)
}

// sendWithRetries sends t, retrying a failure the hub may not repeat
// after a short pause, while ctx lasts.
func sendWithRetries(ctx context.Context, n *websub.Notifier, t websub.Topic) error {
	var err error
	for i := range buildPingAttempts {
		if err = n.Send(ctx, t); err == nil || errors.Is(err, websub.ErrRefused) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(i+1) * 250 * time.Millisecond):
		}
	}
	return err
}
