package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/internal/metrics"
	"github.com/tributary/tributary/internal/pipeline"
	"github.com/tributary/tributary/internal/publish"
	"github.com/tributary/tributary/internal/redact"
	"github.com/tributary/tributary/internal/retention"
	"github.com/tributary/tributary/internal/schedule"
	"github.com/tributary/tributary/internal/server"
	"github.com/tributary/tributary/internal/status"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/watch"
	"github.com/tributary/tributary/internal/websub"
)

// Shutdown budgets, running side by side: HTTP requests in flight get
// drainTimeout, and running fetches get fetchGrace to finish before their
// context is cancelled.
const (
	drainTimeout = 10 * time.Second
	fetchGrace   = 20 * time.Second
)

// retentionJob names the cleanup job in the scheduler and its logs.
const retentionJob = "retention cleanup"

func cmdServe(ctx context.Context, confPath string, args []string, stdout, stderr io.Writer) (err error) {
	// Catch SIGHUP before anything slow (after an unclean end the store's
	// open reads the whole file): its default action would kill the process, and a
	// reload asked for during start-up is simply done once serving.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	fs := newFlagSet("serve", "serve [--config FILE] [--watch]", &confPath, stdout, stderr)
	watchConf := fs.Bool("watch", false, "reload when the configuration file changes, as SIGHUP does")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments")
	}
	cfg, err := loadConfig(confPath)
	if err != nil {
		return err
	}
	logs := newLogSwitch(newLogHandler(cfg, stderr)) // log_format and log_level reload
	log := slog.New(logs)
	// Said at once, even while a reload holds the loop; never after serve
	// returned (its caller may own the log's writer by then).
	said := make(chan struct{})
	stopSaying := context.AfterFunc(ctx, func() { log.Info("shutdown requested"); close(said) })
	defer func() {
		if !stopSaying() {
			<-said
		}
	}()
	// Watch before anything slow, like SIGHUP: a change made during
	// start-up is reloaded once serving.
	var changed <-chan struct{}
	if *watchConf {
		w := watch.New(confPath, watch.Options{Log: log})
		if err := w.Start(); err != nil {
			return fmt.Errorf("serve --watch: %w", err)
		}
		defer w.Close() // stops its goroutine and waits for it
		changed = w.Changes()
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)

	// Listen first: a port in use ends serve before any fetch starts.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	m := metrics.New(metrics.Options{SourceDurations: cfg.Metrics.SourceDurations, Version: version})
	d := &daemon{st: st, log: log, metrics: m, logs: logs, stderr: stderr, holder: replicaID()}
	next, err := d.prepare(cfg)
	if err != nil {
		ln.Close()
		return err
	}
	d.restore(ctx, next.cfg, true)
	d.start(ctx, next)
	srv := &http.Server{
		Handler:           m.Wrap(d),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	logWarnings(log, cfg)
	logUncleanEnd(log, st)
	log.Info("serving", slog.String("listen", ln.Addr().String()), slog.String("base_url", cfg.BaseURL),
		slog.Int("sources", len(enabledSources(cfg))), slog.Int("feeds", len(cfg.Feeds)), slog.Bool("watch", *watchConf), slog.Bool("pprof", cfg.Metrics.Pprof))
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-serveErr:
			d.stop("the HTTP server failed")
			return fmt.Errorf("serve: %w", err)
		case <-hup:
			d.reload(ctx, confPath, "SIGHUP")
		case <-changed: // nil, never ready, without --watch
			d.reload(ctx, confPath, "file changed")
		}
	}
	// No fetch starts once shutdown began (queued ones are dropped), and
	// running ones get their grace period while HTTP drains, not after.
	d.halt()
	log.Info("shutting down")
	stopped := make(chan struct{})
	go func() { d.stop("shutdown"); close(stopped) }()
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainTimeout)
	defer cancel()
	if err := srv.Shutdown(dctx); err != nil {
		log.Warn("http drain incomplete", slog.Any("error", err))
	}
	<-stopped
	log.Info("stopped")
	return nil
}

// daemon holds what a configuration reload replaces: the scheduled jobs and
// the HTTP handler. The store and the listener stay.
type daemon struct {
	st      store.Store
	log     *slog.Logger
	metrics *metrics.Metrics
	// dates outlives the configurations: the Last-Modified each one's
	// publisher served, so that the next one, while the old one finishes
	// its requests, never serves other bytes with the same date.
	dates publish.Dates

	// logs writes log's records to stderr as the configuration says.
	logs   logSwitch
	stderr io.Writer

	// changes is what each feed published when the hub was last told,
	// across reloads; unsent notifications pass from a configuration's
	// notifier to the next one's in pending.
	changes feedChanges
	pending []websub.Topic

	// holder names this process in the store's source leases (replicas
	// on PostgreSQL).
	holder string

	handler  atomic.Pointer[server.Server]
	sched    *schedule.Scheduler
	claimer  *schedule.Claimer // nil unless the store is shared (store.Leaser)
	client   *fetch.Client
	notifier *websub.Notifier // nil without websub.hub
	cfg      *config.Config
}

var _ http.Handler = (*daemon)(nil)

func (d *daemon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.handler.Load().ServeHTTP(w, r)
}

// generation is what one configuration runs: its jobs, fetcher and handler.
type generation struct {
	cfg      *config.Config
	sched    *schedule.Scheduler
	claimer  *schedule.Claimer // runs the sources on a shared store; nil on SQLite
	client   *fetch.Client
	pub      *publish.Publisher
	notifier *websub.Notifier // nil without websub.hub
	handler  *server.Server
}

// prepare builds everything cfg needs without starting anything, so a
// configuration that cannot be applied leaves the running one untouched.
func (d *daemon) prepare(cfg *config.Config) (*generation, error) {
	client := newFetcher(cfg, d.log)
	pub := newPublisher(cfg, d.st, d.log, &d.dates, d.metrics)
	notifier := newNotifier(cfg, client, d.log, d.metrics.ObserveWebSub, func(ctx context.Context) []websub.Topic {
		return d.changes.check(ctx, pub, d.log)
	})
	observe := observeMetrics(d.metrics)
	if notifier != nil {
		// Every run may have changed a feed; the notifier looks, once
		// the runs of a burst are over, at which ones did.
		metricsOnly := observe
		observe = func(o pipeline.Outcome) { metricsOnly(o); notifier.Changed() }
	}
	runner := &pipeline.Runner{Doer: client, Store: d.st, Log: d.log, Observe: observe}
	sched := schedule.New(cfg.Fetch.Workers, d.log)
	// On a store shared by replicas, the sources are claimed from it when
	// due (each runs on one replica per due time); the cron scheduler
	// keeps only the cleanup.
	claimer := newClaimer(cfg, d.st, d.holder, d.log)
	add := sched.Add
	if claimer != nil {
		add = claimer.Add
	}
	for _, s := range enabledSources(cfg) {
		src := pipelineSource(cfg, *s)
		if err := add(s.Name, s.Schedule, func(ctx context.Context) { runner.Run(ctx, src, false) }); err != nil {
			client.Close()
			return nil, usagef("%v", err)
		}
	}
	// Cleanup runs in the same scheduler, so it never overlaps itself and
	// stops with the fetches; the name cannot be a source's (slugs have
	// no spaces).
	cleaner := &retention.Cleaner{Store: d.st, Log: d.log}
	plan := retentionPlan(cfg)
	if err := sched.Add(retentionJob, cfg.Retention.Schedule, func(ctx context.Context) {
		rep, _ := cleaner.Run(ctx, plan) // logged by Run
		d.metrics.ObserveCleanup(metricsCleanup(rep))
		if notifier != nil {
			notifier.Changed() // expired articles leave feeds
		}
	}); err != nil {
		client.Close()
		return nil, usagef("%v", err)
	}
	h := server.New(server.Options{
		Title:        cfg.Title,
		Publisher:    pub, // /healthz checks the store through it
		Metrics:      d.metrics.Handler(),
		MetricsAllow: cfg.Metrics.Networks(),
		Pprof:        cfg.Metrics.Pprof,
		Sources:      opmlSources(cfg),
		Status: func(ctx context.Context) (status.Report, error) {
			return status.Build(ctx, d.st, statusOptions(cfg, d.st, pub))
		},
		Logger: d.log,
	})
	return &generation{cfg: cfg, sched: sched, claimer: claimer, client: client, pub: pub, notifier: notifier, handler: h}, nil
}

// start serves g and starts its jobs, each source fetched once at start
// (sources in backoff are deferred). The previous jobs must be stopped.
func (d *daemon) start(ctx context.Context, g *generation) {
	var names []string
	for _, s := range enabledSources(g.cfg) {
		names = append(names, s.Name)
	}
	d.metrics.Retain(names) // the series of sources this configuration removed or disabled
	var feedNames []string
	for _, f := range g.cfg.Feeds {
		feedNames = append(feedNames, f.Name)
	}
	d.metrics.RetainFeeds(feedNames)
	d.handler.Store(g.handler)
	if n := g.notifier; n != nil {
		// Before any fetch: what the feeds publish now is what the next
		// check compares with (at start-up), and what changed while the
		// last configuration stopped (at a reload) is told now.
		n.Publish(d.pending...)
		n.Publish(d.changes.check(ctx, g.pub, d.log)...)
		n.Start()
	}
	d.pending = nil
	g.sched.Start(context.WithoutCancel(ctx), true)
	if g.claimer != nil {
		g.claimer.Start(context.WithoutCancel(ctx))
	}
	d.claimer = g.claimer
	d.sched, d.client, d.notifier, d.cfg = g.sched, g.client, g.notifier, g.cfg
}

// restore exports the stored state of every enabled source of cfg that
// this process has not fetched yet (consecutive failures, last error,
// last success: see metrics.Restore), and with warn, at start-up, logs
// each source in backoff once at WARN: it will not be fetched before its
// time, and would otherwise fail silently until then. A source its server
// deferred without a failure is logged at INFO. A store that cannot
// say is logged; serving goes on.
func (d *daemon) restore(ctx context.Context, cfg *config.Config, warn bool) {
	states, err := d.st.SourceStates(ctx)
	if err != nil {
		d.log.Warn("cannot read the stored source states", slog.Any("error", err))
		return
	}
	byName := make(map[string]store.SourceState, len(states))
	for _, st := range states {
		byName[st.Name] = st
	}
	now := time.Now()
	for _, s := range enabledSources(cfg) {
		st, ok := byName[s.Name]
		if !ok {
			continue
		}
		d.metrics.Restore(metrics.Stored{Source: s.Name, Failures: st.Failures, Error: redact.Text(st.LastError), LastSuccess: st.LastSuccess})
		switch {
		case !warn || !st.NextAttempt.After(now):
		case st.Failures > 0:
			d.log.Warn("source in backoff", slog.String("source", s.Name), slog.Int("failures", st.Failures),
				slog.String("last_error", redact.Text(st.LastError)), slog.Time("until", st.NextAttempt))
		default:
			// Not a failure: its server asked not to be fetched before
			// then (Cache-Control max-age, Retry-After).
			d.log.Info("source deferred by its server", slog.String("source", s.Name), slog.Time("until", st.NextAttempt))
		}
	}
}

// halt stops starting jobs; running fetches go on (see stop).
func (d *daemon) halt() {
	if d.sched != nil {
		d.sched.Halt()
	}
	if d.claimer != nil {
		d.claimer.Halt()
	}
}

// stop stops the jobs, letting running fetches finish for fetchGrace; why
// ("shutdown", "reload") is logged when fetches had to be cancelled.
func (d *daemon) stop(why string) {
	if d.sched == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), fetchGrace)
	defer cancel()
	err := d.sched.Stop(ctx)
	if d.claimer != nil {
		// Its sources still running are released due at once when
		// cancelled: another replica takes them.
		err = errors.Join(err, d.claimer.Stop(ctx))
		d.claimer = nil
	}
	if err != nil {
		d.log.Warn("fetches still running after the grace period were cancelled", slog.String("reason", why),
			slog.Duration("grace", fetchGrace), slog.Any("error", err))
	}
	if d.notifier != nil {
		// Stopped with the fetches: what it has not sent goes to the
		// next configuration's notifier, or is logged at shutdown.
		d.notifier.Close()
		d.pending = d.notifier.Pending()
		d.notifier = nil
		if len(d.pending) > 0 && why != "reload" {
			d.log.Warn("websub: notifications not sent before stopping", slog.Int("pending", len(d.pending)), slog.String("reason", why))
		}
	}
	d.client.Close()
	d.sched = nil
}

// reload re-reads the configuration, for SIGHUP or a change seen by serve
// --watch (trigger says which). A configuration that does not load or
// validate is logged and ignored: the running one stays in force.
func (d *daemon) reload(ctx context.Context, path, trigger string) {
	d.log.Info("reload requested", slog.String("config", path), slog.String("trigger", trigger))
	cfg, err := config.Load(path)
	if err != nil {
		d.log.Error("reload refused: configuration invalid, keeping the running one", slog.String("config", path), slog.Any("error", err))
		return
	}
	if cfg.Listen != d.cfg.Listen || cfg.Storage != d.cfg.Storage || cfg.Metrics.SourceDurations != d.cfg.Metrics.SourceDurations {
		d.log.Warn("reload: listen, storage and metrics.source_durations changes take effect at the next restart")
		// Keep describing what actually runs: a base_url derived from the
		// new listen address would name a port nobody serves, and change
		// every feed's id.
		if cfg.Listen != d.cfg.Listen && cfg.BaseURL == config.DefaultBaseURL(cfg.Listen) {
			cfg.BaseURL = d.cfg.BaseURL
		}
		cfg.Listen, cfg.Storage = d.cfg.Listen, d.cfg.Storage
		cfg.Metrics.SourceDurations = d.cfg.Metrics.SourceDurations
	}
	next, err := d.prepare(cfg)
	if err != nil {
		d.log.Error("reload refused, keeping the running configuration", slog.Any("error", err))
		return
	}
	d.halt()
	d.log.Info("reload: waiting for running fetches", slog.Duration("grace", fetchGrace))
	d.stop("reload")
	if ctx.Err() != nil {
		// Shutdown was asked for while the old jobs finished: start
		// nothing new.
		next.client.Close()
		if next.notifier != nil {
			next.notifier.Close()
		}
		d.log.Info("reload abandoned: shutting down")
		return
	}
	if cfg.LogFormat != d.cfg.LogFormat || cfg.LogLevel != d.cfg.LogLevel {
		// Said in the old form, the last line in it.
		d.log.Info("reload: log format or level changed", slog.String("log_format", cfg.LogFormat), slog.String("log_level", cfg.LogLevel))
		d.logs.Set(newLogHandler(cfg, d.stderr))
	}
	d.restore(ctx, next.cfg, false)
	d.start(ctx, next)
	logWarnings(d.log, cfg)
	d.log.Info("configuration reloaded", slog.String("config", path), slog.Int("sources", len(enabledSources(cfg))), slog.Int("feeds", len(cfg.Feeds)),
		slog.Bool("pprof", cfg.Metrics.Pprof))
}
