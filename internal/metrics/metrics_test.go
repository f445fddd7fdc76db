package metrics

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape observes n sources, each fetched once with new stories and once
// unchanged, and returns what /metrics serves.
func scrape(t testing.TB, opts Options, n int) string {
	t.Helper()
	m := New(opts)
	for i := range n {
		src := fmt.Sprintf("source-%04d", i)
		m.Observe(Run{Source: src, Status: "new", Duration: 300 * time.Millisecond})
		m.Observe(Run{Source: src, Status: "unchanged", Duration: 100 * time.Millisecond})
	}
	m.Observe(Run{Source: "source-0000", Status: "failed", Failed: true, Failures: 1, Duration: time.Second})
	return get(t, m.Handler())
}

// get returns what h serves, over HTTP.
func get(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d %v", resp.StatusCode, err)
	}
	return string(b)
}

func TestPerSourceSeries(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      Options
		histogram bool
	}{
		{"default", Options{}, false},
		{"source durations", Options{SourceDurations: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := scrape(t, tc.opts, 2)
			// What an operator alerts on is always there, per source.
			for _, want := range []string{
				`tributary_source_fetches_total{source="source-0001",status="new"} 1`,
				`tributary_source_fetches_total{source="source-0000",status="failed"} 1`,
				`tributary_articles_stored_total{kind="new",source="source-0001"}`,
				`tributary_source_last_success_timestamp_seconds{source="source-0001"}`,
				`tributary_source_consecutive_failures{source="source-0000"} 1`,
				// Durations of all sources together, whatever the option.
				"tributary_fetch_duration_seconds_count 5\n",
				`tributary_fetch_duration_seconds_bucket{le="0.5"} 4`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("missing %s", want)
				}
			}
			perSource := `tributary_source_fetch_duration_seconds_bucket{source="source-0001",le="0.5"} 2`
			if got := strings.Contains(body, perSource); got != tc.histogram {
				t.Errorf("per-source histogram present %v, want %v", got, tc.histogram)
			}
			if got := strings.Contains(body, "tributary_source_fetch_duration_seconds"); got != tc.histogram {
				t.Errorf("tributary_source_fetch_duration_seconds present %v, want %v", got, tc.histogram)
			}
		})
	}
}

// TestSizePerSource bounds what each source adds to /metrics, the figure
// docs/operations.md quotes, with 1,000 sources; -v also prints the sizes for
// 5,000 (slow under -race, and they only confirm the size is linear).
func TestSizePerSource(t *testing.T) {
	counts := []int{1000}
	if testing.Verbose() {
		counts = append(counts, 5000)
	}
	for _, tc := range []struct {
		name     string
		opts     Options
		maxBytes int // per source
	}{
		{"default", Options{}, 700},
		{"source durations", Options{SourceDurations: true}, 1700},
	} {
		base := len(scrape(t, tc.opts, 0))
		for _, n := range counts {
			body := scrape(t, tc.opts, n)
			per := (len(body) - base) / n
			t.Logf("%s, %d sources: %d bytes (%d KB per 1,000 sources), %d lines", tc.name, n, len(body), per, strings.Count(body, "\n"))
			if per > tc.maxBytes {
				t.Errorf("%s: %d bytes per source, want at most %d", tc.name, per, tc.maxBytes)
			}
		}
	}
}

// TestRetainDropsRemovedSources is a reload that removes a failing source:
// its series go (it would alert forever on its consecutive failures), and
// those of the sources kept stay.
func TestRetainDropsRemovedSources(t *testing.T) {
	for _, opts := range []Options{{}, {SourceDurations: true}} {
		m := New(opts)
		m.Observe(Run{Source: "kept", Status: "new", New: 1, Duration: time.Second})
		m.Observe(Run{Source: "gone", Status: "new", New: 1, Duration: time.Second})
		m.Observe(Run{Source: "gone", Status: "failed", Failed: true, Failures: 3, Duration: time.Second})
		m.Retain([]string{"kept", "added"})
		body := get(t, m.Handler())
		if strings.Contains(body, `source="gone"`) {
			t.Errorf("%+v: series of a removed source remain:\n%s", opts, body)
		}
		for _, want := range []string{
			`tributary_source_fetches_total{source="kept",status="new"} 1`,
			`tributary_source_consecutive_failures{source="kept"} 0`,
			`tributary_articles_stored_total{kind="new",source="kept"} 1`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%+v: missing %s", opts, want)
			}
		}
	}
}

// TestLastErrorAndRestore follows a source's last-error series: set from
// the stored state at start-up, replaced by a failure of this process,
// gone after a success; a stored state never overrides what this process
// observed.
func TestLastErrorAndRestore(t *testing.T) {
	m := New(Options{})
	m.Restore(Stored{Source: "s", Failures: 4, Error: "old reason", LastSuccess: time.Unix(1700000000, 0)})
	m.Restore(Stored{Source: "fine", LastSuccess: time.Unix(1700000000, 0)})
	body := get(t, m.Handler())
	for _, want := range []string{`tributary_source_consecutive_failures{source="s"} 4`, `tributary_source_last_error_info{error="old reason",source="s"} 1`,
		`tributary_source_consecutive_failures{source="fine"} 0`, `tributary_source_last_success_timestamp_seconds{source="fine"} 1.7e+09`} {
		if !strings.Contains(body, want) {
			t.Errorf("after Restore, /metrics lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, `last_error_info{error="",source="fine"}`) {
		t.Errorf("a source that did not fail has a last error:\n%s", body)
	}
	m.Observe(Run{Source: "s", Status: "failed", Failed: true, Failures: 5, Error: strings.Repeat("é", 150)})
	body = get(t, m.Handler())
	if strings.Contains(body, "old reason") || !strings.Contains(body, `tributary_source_consecutive_failures{source="s"} 5`) ||
		!strings.Contains(body, `error="`+strings.Repeat("é", 100)+`…"`) {
		t.Errorf("after a failure, /metrics:\n%s", body)
	}
	m.Restore(Stored{Source: "s", Failures: 1, Error: "stale"})
	m.Observe(Run{Source: "s", Status: "new"})
	if body = get(t, m.Handler()); strings.Contains(body, "tributary_source_last_error_info") || strings.Contains(body, "stale") {
		t.Errorf("after a success, /metrics still has a last error:\n%s", body)
	}
}

func TestBuildInfo(t *testing.T) {
	body := get(t, New(Options{Version: "v1.2.3"}).Handler())
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, body)
	}
	mf := families["tributary_build_info"]
	if mf == nil || len(mf.GetMetric()) != 1 {
		t.Fatalf("want one tributary_build_info series, got %v", mf)
	}
	m := mf.GetMetric()[0]
	labels := map[string]string{}
	for _, l := range m.GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	if labels["version"] != "v1.2.3" || labels["goversion"] != runtime.Version() || len(labels) != 2 {
		t.Errorf("labels %v, want version v1.2.3 and goversion %s", labels, runtime.Version())
	}
	if v := m.GetGauge().GetValue(); v != 1 {
		t.Errorf("value %v, want 1", v)
	}
}

// TestFeedFiltered: each feed's counts by reason, shown at 0 from the
// start, replaced by each rendering, gone with the feed.
func TestFeedFiltered(t *testing.T) {
	m := New(Options{})
	m.RetainFeeds([]string{"all", "clean"})
	m.ObserveFeed(FeedFiltered{Feed: "clean", Exclude: 7, MaxAge: 2})
	m.ObserveFeed(FeedFiltered{Feed: "clean", Exclude: 5, PerSourceLimit: 1})
	body := get(t, m.Handler())
	for _, want := range []string{
		`tributary_feed_items_filtered{feed="all",reason="exclude"} 0`,
		`tributary_feed_items_filtered{feed="clean",reason="exclude"} 5`,
		`tributary_feed_items_filtered{feed="clean",reason="include"} 0`,
		`tributary_feed_items_filtered{feed="clean",reason="max_age"} 0`,
		`tributary_feed_items_filtered{feed="clean",reason="per_source_limit"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics misses %s", want)
		}
	}
	m.RetainFeeds([]string{"all"}) // a reload removed clean; all keeps its values
	m.ObserveFeed(FeedFiltered{Feed: "all", Include: 3})
	m.RetainFeeds([]string{"all"})
	body = get(t, m.Handler())
	if strings.Contains(body, `feed="clean"`) {
		t.Error("the series of a removed feed are still served")
	}
	if !strings.Contains(body, `tributary_feed_items_filtered{feed="all",reason="include"} 3`+"\n") {
		t.Error("a reload keeping a feed reset its counts")
	}
}

func TestWebSubResults(t *testing.T) {
	m := New(Options{})
	before := get(t, m.Handler())
	for _, r := range []string{"success", "retry", "failure", "dropped"} {
		if !strings.Contains(before, `tributary_websub_publish_total{result="`+r+`"} 0`) {
			t.Errorf("no %s series at 0 before any notification", r)
		}
	}
	m.ObserveWebSub("retry")
	m.ObserveWebSub("success")
	m.ObserveWebSub("success")
	after := get(t, m.Handler())
	for _, want := range []string{`tributary_websub_publish_total{result="success"} 2`, `tributary_websub_publish_total{result="retry"} 1`} {
		if !strings.Contains(after, want) {
			t.Errorf("no %s in:\n%s", want, after)
		}
	}
}
