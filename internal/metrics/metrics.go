// Package metrics exposes what the daemon does as Prometheus metrics: source
// fetches by outcome, their duration, articles stored, HTTP requests and
// WebSub notifications.
//
// Per source it keeps what an operator alerts on (fetch counters, articles
// stored, last success, consecutive failures), a few series each; the
// per-source duration histogram, thirteen series a source, is optional.
package metrics

import (
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tributary/tributary/internal/websub"
)

// Metrics holds the collectors of one daemon, on a registry of its own (no
// package-level default registry).
type Metrics struct {
	reg     *prometheus.Registry
	fetches *prometheus.CounterVec
	// fetchTime is the duration of every source's fetches together;
	// sourceTime, nil unless Options.SourceDurations, of each source's.
	fetchTime   prometheus.Histogram
	sourceTime  *prometheus.HistogramVec
	articles    *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
	failures    *prometheus.GaugeVec
	lastError   *prometheus.GaugeVec
	requests    *prometheus.CounterVec
	// Retention cleanup: articles deleted by reason, the store's size and
	// the time of the last cleanup.
	retentionDeleted *prometheus.CounterVec
	storeSize        prometheus.Gauge
	retentionLast    prometheus.Gauge
	// feedFiltered is what each feed's rules left out of its last
	// rendering, by reason.
	feedFiltered *prometheus.GaugeVec
	// websub counts the notifications of the WebSub hub by result.
	websub *prometheus.CounterVec

	mu sync.Mutex
	// sources are the names Observe has seen, whose series Retain may
	// drop. Guarded by mu.
	sources map[string]bool
	// feeds are the names ObserveFeed or RetainFeeds has seen. Guarded by
	// mu.
	feeds map[string]bool
}

// Options configure Metrics.
type Options struct {
	// SourceDurations adds tributary_source_fetch_duration_seconds{source},
	// a histogram per source: 13 series each, about 1 KB of /metrics per
	// source. Without it only the histogram of all sources together is kept.
	SourceDurations bool
	// Version labels tributary_build_info{version,goversion}, with the Go
	// version the binary was built with (runtime.Version).
	Version string
}

// fetchBuckets returns the bounds, in seconds, of the fetch duration
// histograms: a new slice each time, not a package variable one could
// change.
func fetchBuckets() []float64 {
	return []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 20, 60}
}

// New registers Tributary's collectors and the Go/process collectors.
func New(opts Options) *Metrics {
	m := &Metrics{
		reg:     prometheus.NewRegistry(),
		sources: map[string]bool{},
		feeds:   map[string]bool{},
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tributary_source_fetches_total", Help: "Source fetches by outcome (new, updated, unchanged, failed, deferred, cancelled).",
		}, []string{"source", "status"}),
		fetchTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "tributary_fetch_duration_seconds", Help: "Time to fetch, parse and store one source, all sources together.",
			Buckets: fetchBuckets(),
		}),
		articles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tributary_articles_stored_total", Help: "Articles stored, by source and kind (new, updated).",
		}, []string{"source", "kind"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tributary_source_last_success_timestamp_seconds", Help: "Unix time of the last successful fetch of a source.",
		}, []string{"source"}),
		failures: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tributary_source_consecutive_failures", Help: "Consecutive failed fetches of a source (0 after a success).",
		}, []string{"source"}),
		lastError: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tributary_source_last_error_info", Help: "1 while a source's last fetch failed, labelled with its reason (userinfo masked, at most 200 bytes); absent after a success.",
		}, []string{"source", "error"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tributary_http_requests_total", Help: "HTTP requests served, by status code.",
		}, []string{"code"}),
		retentionDeleted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tributary_retention_deleted_total", Help: "Articles deleted by retention cleanup, by reason (age, count, orphan).",
		}, []string{"reason"}),
		storeSize: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tributary_store_size_bytes", Help: "Size of the store after the last cleanup: the SQLite file and its WAL, or pg_database_size.",
		}),
		retentionLast: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tributary_retention_last_run_timestamp_seconds", Help: "Unix time of the last retention cleanup of this process.",
		}),
		feedFiltered: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tributary_feed_items_filtered", Help: "Items the last rendering of a feed left out, by reason (include, exclude, max_age, per_source_limit).",
		}, []string{"feed", "reason"}),
		websub: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tributary_websub_publish_total", Help: "WebSub publish notifications to the hub (one per feed URL), by result (success, retry, failure, dropped).",
		}, []string{"result"}),
	}
	m.reg.MustRegister(m.fetches, m.fetchTime, m.articles, m.lastSuccess, m.failures, m.lastError, m.requests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(m.retentionDeleted, m.storeSize, m.retentionLast, m.feedFiltered, m.websub)
	for _, r := range websub.Results() {
		m.websub.WithLabelValues(r) // shown at 0 before the first notification
	}
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "tributary_build_info", Help: "Always 1, labelled with the version of Tributary and of Go that built it.",
	}, []string{"version", "goversion"})
	buildInfo.WithLabelValues(opts.Version, runtime.Version()).Set(1)
	m.reg.MustRegister(buildInfo)
	for _, reason := range []string{"age", "count", "orphan"} {
		m.retentionDeleted.WithLabelValues(reason) // shown at 0 before the first deletion
	}
	if opts.SourceDurations {
		m.sourceTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tributary_source_fetch_duration_seconds", Help: "Time to fetch, parse and store one source.",
			Buckets: fetchBuckets(),
		}, []string{"source"})
		m.reg.MustRegister(m.sourceTime)
	}
	return m
}

// Run is one source run as Observe records it: plain values, which the
// daemon copies from the runner's outcome, so that metrics depends on
// nothing of the runner.
type Run struct {
	Source string
	// Status labels tributary_source_fetches_total: new, updated,
	// unchanged, failed, deferred or cancelled.
	Status string
	// Skipped is set for a run that did not fetch (deferred or cancelled):
	// it is counted, and nothing else is recorded.
	Skipped bool
	// Failed is set for a run that failed; Failures is then the source's
	// consecutive failures, this run included.
	Failed   bool
	Failures int
	// Error is why a failed run failed, masked (internal/redact).
	Error string
	// New and Updated count the articles the run stored.
	New, Updated int
	Duration     time.Duration
}

// Observe records one source run.
func (m *Metrics) Observe(o Run) {
	m.mu.Lock() // so that Retain never drops a source between these lines
	defer m.mu.Unlock()
	m.sources[o.Source] = true
	m.fetches.WithLabelValues(o.Source, o.Status).Inc()
	if o.Skipped {
		return
	}
	m.fetchTime.Observe(o.Duration.Seconds())
	if m.sourceTime != nil {
		m.sourceTime.WithLabelValues(o.Source).Observe(o.Duration.Seconds())
	}
	if o.Failed {
		// From the stored count, so it is right after a restart too.
		m.failures.WithLabelValues(o.Source).Set(float64(o.Failures))
		m.setLastError(o.Source, o.Error)
		return
	}
	m.failures.WithLabelValues(o.Source).Set(0)
	m.lastError.DeletePartialMatch(prometheus.Labels{"source": o.Source})
	m.lastSuccess.WithLabelValues(o.Source).Set(float64(time.Now().Unix()))
	m.articles.WithLabelValues(o.Source, "new").Add(float64(o.New))
	m.articles.WithLabelValues(o.Source, "updated").Add(float64(o.Updated))
}

// Stored is what the store remembers of a source, for Restore.
type Stored struct {
	Source string
	// Failures counts consecutive failed fetches; Error (masked) is the
	// last one's reason.
	Failures    int
	Error       string
	LastSuccess time.Time
}

// Restore sets a source's failure gauge, last error and last success
// from the stored state, for the sources not observed yet in this process:
// after a restart, a source failing before it is exported as failing
// before its next fetch (or at all, while its backoff defers it).
func (m *Metrics) Restore(st Stored) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sources[st.Source] {
		return // this process knows better
	}
	m.sources[st.Source] = true
	m.failures.WithLabelValues(st.Source).Set(float64(st.Failures))
	if st.Failures > 0 {
		m.setLastError(st.Source, st.Error)
	}
	if !st.LastSuccess.IsZero() {
		m.lastSuccess.WithLabelValues(st.Source).Set(float64(st.LastSuccess.Unix()))
	}
}

// maxErrorLabel bounds the error label of tributary_source_last_error_info.
const maxErrorLabel = 200

// setLastError replaces the source's last-error series with one for msg.
func (m *Metrics) setLastError(source, msg string) {
	m.lastError.DeletePartialMatch(prometheus.Labels{"source": source})
	if len(msg) > maxErrorLabel {
		cut := maxErrorLabel
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	m.lastError.WithLabelValues(source, msg).Set(1)
}

// Cleanup is one retention cleanup as ObserveCleanup records it.
type Cleanup struct {
	At time.Time
	// Age, Count and Orphan count the articles deleted for each reason.
	Age, Count, Orphan int
	// SizeBytes is the store's size afterwards; negative when unknown.
	SizeBytes int64
}

// ObserveCleanup records one retention cleanup.
func (m *Metrics) ObserveCleanup(c Cleanup) {
	m.retentionDeleted.WithLabelValues("age").Add(float64(c.Age))
	m.retentionDeleted.WithLabelValues("count").Add(float64(c.Count))
	m.retentionDeleted.WithLabelValues("orphan").Add(float64(c.Orphan))
	if c.SizeBytes >= 0 {
		m.storeSize.Set(float64(c.SizeBytes))
	}
	m.retentionLast.Set(float64(c.At.Unix()))
}

// FeedFiltered is what the rules of one feed left out of its last
// rendering, by reason, as ObserveFeed records it.
type FeedFiltered struct {
	Feed                                     string
	Include, Exclude, MaxAge, PerSourceLimit int
}

// ObserveFeed records what a rendering of a feed left out.
func (m *Metrics) ObserveFeed(f FeedFiltered) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.feeds[f.Feed] = true
	m.setFeed(f)
}

// setFeed sets the series of f. m.mu must be held.
func (m *Metrics) setFeed(f FeedFiltered) {
	for _, r := range []struct {
		reason string
		n      int
	}{{"include", f.Include}, {"exclude", f.Exclude}, {"max_age", f.MaxAge}, {"per_source_limit", f.PerSourceLimit}} {
		m.feedFiltered.WithLabelValues(f.Feed, r.reason).Set(float64(r.n))
	}
}

// RetainFeeds drops the series of every feed not in names, those a
// reload removed, and shows the new ones at 0 until they are rendered.
func (m *Metrics) RetainFeeds(names []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keep := make(map[string]bool, len(names))
	for _, n := range names {
		keep[n] = true
		if !m.feeds[n] {
			m.feeds[n] = true
			m.setFeed(FeedFiltered{Feed: n})
		}
	}
	for n := range m.feeds {
		if !keep[n] {
			delete(m.feeds, n)
			m.feedFiltered.DeletePartialMatch(prometheus.Labels{"feed": n})
		}
	}
}

// ObserveWebSub records one WebSub notification's result (see
// websub.Results).
func (m *Metrics) ObserveWebSub(result string) {
	m.websub.WithLabelValues(result).Inc()
}

// Retain drops the series of every source not in sources, those a reload
// removed or disabled: a source that is gone no longer shows, nor alerts
// with the consecutive failures it had. Call it once their runs are over.
func (m *Metrics) Retain(sources []string) {
	keep := make(map[string]bool, len(sources))
	for _, s := range sources {
		keep[s] = true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for s := range m.sources {
		if keep[s] {
			continue
		}
		delete(m.sources, s)
		match := prometheus.Labels{"source": s}
		m.fetches.DeletePartialMatch(match)
		m.articles.DeletePartialMatch(match)
		m.lastSuccess.DeletePartialMatch(match)
		m.failures.DeletePartialMatch(match)
		m.lastError.DeletePartialMatch(match)
		if m.sourceTime != nil {
			m.sourceTime.DeletePartialMatch(match)
		}
	}
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Wrap counts the requests h serves by status code.
func (m *Metrics) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		m.requests.WithLabelValues(strconv.Itoa(sw.code)).Inc()
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
