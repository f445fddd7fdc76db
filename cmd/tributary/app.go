package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/internal/metrics"
	"github.com/tributary/tributary/internal/pipeline"
	"github.com/tributary/tributary/internal/publish"
	"github.com/tributary/tributary/internal/redact"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/postgres"
	"github.com/tributary/tributary/internal/store/sqlite"
	"github.com/tributary/tributary/sources"
)

// projectURL is written into the User-Agent and the feeds' generator.
const projectURL = "https://github.com/tributary/tributary"

// loadConfig loads and validates the configuration; problems are usage
// errors (exit 2), printed one per line with their line numbers.
func loadConfig(path string) (*config.Config, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, usagef("%s", strings.TrimSpace(err.Error()))
	}
	return cfg, nil
}

// newLogger returns the structured logger of the commands that log, at
// cfg's log_level: key=value lines, or with log_format json one JSON
// object a line (time, level, msg and the event's snake_case keys).
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	return slog.New(newLogHandler(cfg, w))
}

// newLogHandler is newLogger's handler.
func newLogHandler(cfg *config.Config, w io.Writer) slog.Handler {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.NewJSONHandler(w, opts)
	}
	return slog.NewTextHandler(w, opts)
}

// logWarnings logs each of cfg's warnings (see config.Warnings) at WARN,
// one line each, as `tributary check` prints them.
func logWarnings(log *slog.Logger, cfg *config.Config) {
	for _, w := range cfg.Warnings() {
		log.Warn("configuration warning", slog.String("warning", w.String()))
	}
}

// openStore opens the configured store.
func openStore(ctx context.Context, cfg *config.Config) (store.Store, error) {
	switch cfg.Storage.Driver {
	case "", "sqlite":
		return sqlite.Open(ctx, cfg.Storage.DSN)
	case "postgres":
		return postgres.Open(ctx, cfg.Storage.DSN)
	}
	return nil, usagef("unknown storage driver %q", cfg.Storage.Driver)
}

// logUncleanEnd logs, once at WARN, that opening the store found
// processes that had ended without closing it (killed, out of memory, a
// power loss) and so checked the whole file, which was sound: a damaged
// one fails the open instead.
func logUncleanEnd(log *slog.Logger, st store.Store) {
	if u, ok := st.(interface{ UncleanSessions() int }); ok && u.UncleanSessions() > 0 {
		log.Warn("store: a process ended without closing the store; the full integrity check found it sound",
			slog.Int("unclean_sessions", u.UncleanSessions()))
	}
}

// newFetcher builds the shared HTTP client from the fetch settings.
func newFetcher(cfg *config.Config, log *slog.Logger) *fetch.Client {
	f := cfg.Fetch
	ua := f.UserAgent
	if ua == "" {
		ua = fmt.Sprintf("Tributary/%s (+%s)", version, projectURL)
	}
	// Validated with the rest of the configuration: an unparsable proxy
	// never gets here.
	var proxy *url.URL
	if f.Proxy != "" {
		proxy, _ = config.ParseProxy(f.Proxy)
	}
	return fetch.New(fetch.Options{
		Proxy:                proxy,
		Timeout:              f.Timeout,
		ConnectTimeout:       f.ConnectTimeout,
		MaxBodySize:          f.MaxBodySize,
		MaxRedirects:         cmpOrNone(f.MaxRedirects),
		PerHostConcurrency:   f.PerHostConcurrency,
		UserAgent:            ua,
		AllowPrivateNetworks: f.AllowPrivateNetworks,
		Logger:               log,
	})
}

// pipelineSource turns a configured source into what the runner needs.
func pipelineSource(cfg *config.Config, s config.Source) pipeline.Source {
	u := s.URL
	if s.IsFile() {
		u = (&url.URL{Scheme: "file", Path: filepath.ToSlash(s.URL)}).String()
	}
	return pipeline.Source{
		Source: sources.Source{
			Name:      s.Name,
			URL:       u,
			Kind:      s.Kind,
			Selectors: s.Selectors,
			MaxItems:  cfg.Fetch.MaxItemsPerSource,
			Rewrite:   sources.Rewrite{Remove: s.Remove, Replace: s.Replace},
		},
		FullText:  s.FullText,
		Headers:   sourceHeaders(s.Headers),
		UserAgent: s.UserAgent,
		Timeout:   s.Timeout,
	}
}

// sourceHeaders returns a source's configured headers as an http.Header,
// names in canonical form; nil when it has none.
func sourceHeaders(m map[string]string) http.Header {
	if len(m) == 0 {
		return nil
	}
	h := make(http.Header, len(m))
	for name, v := range m {
		h.Set(name, v)
	}
	return h
}

// observeMetrics returns the runner's Observe that records each outcome
// in m.
func observeMetrics(m *metrics.Metrics) func(pipeline.Outcome) {
	return func(o pipeline.Outcome) { m.Observe(metricsRun(o)) }
}

// metricsRun is what the metrics record of an outcome.
func metricsRun(o pipeline.Outcome) metrics.Run {
	return metrics.Run{
		Source:   o.Source,
		Status:   o.Status,
		Skipped:  o.Status == pipeline.StatusDeferred || o.Status == pipeline.StatusCancelled,
		Failed:   o.Status == pipeline.StatusFailed,
		Failures: o.Failures,
		Error:    errorText(o.Err),
		New:      o.New,
		Updated:  o.Updated,
		Duration: o.Duration,
	}
}

// errorText is err's message with URLs' userinfo masked; "" for nil.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return redact.Text(err.Error())
}

// enabledSources returns the configured sources that are not disabled,
// pointing into cfg.Sources: a Source is about 2 KB, and copies of the
// list made 80 MB of garbage per reload of a daemon of 10,000 sources.
func enabledSources(cfg *config.Config) []*config.Source {
	var out []*config.Source
	for i := range cfg.Sources {
		if cfg.Sources[i].Enabled {
			out = append(out, &cfg.Sources[i])
		}
	}
	return out
}

// newPublisher returns the publisher of the configured feeds, with their
// and their sources' filters; log (nil discards) hears of store outages
// and of feeds cut to their size bound; dates (nil when nothing is served)
// dates what it serves; m (nil when nothing is served) hears what each
// rendering's rules left out.
func newPublisher(cfg *config.Config, st store.Store, log *slog.Logger, dates *publish.Dates, m *metrics.Metrics) *publish.Publisher {
	return publish.New(st, publisherOptions(cfg, log, dates, m))
}

// publisherOptions are the Publisher's options from cfg (see newPublisher).
func publisherOptions(cfg *config.Config, log *slog.Logger, dates *publish.Dates, m *metrics.Metrics) publish.Options {
	opts := publish.Options{
		BaseURL:       cfg.BaseURL,
		Title:         cfg.Title,
		Generator:     "Tributary " + version,
		Hub:           cfg.WebSub.PublicHub(),
		Logger:        log,
		Dates:         dates,
		SourceFilters: map[string]*feeds.Filter{},
	}
	if m != nil {
		opts.OnFiltered = func(feed string, left publish.Filtered) {
			m.ObserveFeed(metrics.FeedFiltered{Feed: feed, Include: left.Include, Exclude: left.Exclude,
				MaxAge: left.MaxAge, PerSourceLimit: left.PerSourceLimit})
		}
	}
	for _, s := range cfg.Sources {
		if f := mustFilter(s.Include, s.Exclude); f != nil {
			opts.SourceFilters[s.Name] = f
		}
	}
	for _, f := range cfg.Feeds {
		opts.Feeds = append(opts.Feeds, publish.Feed{
			Name: f.Name, Title: f.Title, Description: f.Description,
			Sources: cfg.FeedSources(f), Limit: f.Limit, LeadImage: f.LeadImage(),
			Filter: mustFilter(f.Include, f.Exclude), MaxAge: f.MaxAge, PerSourceLimit: f.PerSourceLimit,
			Icon: cfg.FeedImageURL(f.Icon), Logo: cfg.FeedImageURL(f.Logo), Language: f.Language, Rights: f.Rights,
		})
	}
	return opts
}

// mustFilter compiles the include and exclude of a configuration that
// validated: config.Validate checks them with the same feeds.NewFilter.
func mustFilter(include, exclude feeds.Rules) *feeds.Filter {
	f, err := feeds.NewFilter(include, exclude)
	if err != nil {
		panic(fmt.Sprintf("filters of a validated configuration: %v", err))
	}
	return f
}

// closeStore closes st, joining its error to err.
func closeStore(st store.Store, err *error) {
	if cerr := st.Close(); cerr != nil {
		*err = errors.Join(*err, fmt.Errorf("close store: %w", cerr))
	}
}

// cmpOrNone maps a configured count of 0 ("follow none") to the fetcher's
// negative value, since the fetcher reads 0 as "use the default".
func cmpOrNone(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
