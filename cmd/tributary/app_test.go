package main

import (
	"errors"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/metrics"
	"github.com/tributary/tributary/internal/pipeline"
	"github.com/tributary/tributary/internal/store"
)

func TestMetricsRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		out  pipeline.Outcome
		want metrics.Run
	}{
		{pipeline.Outcome{Source: "a", Status: pipeline.StatusNew, UpsertResult: store.UpsertResult{New: 2, Updated: 1, Unchanged: 3}, Duration: time.Second},
			metrics.Run{Source: "a", Status: "new", New: 2, Updated: 1, Duration: time.Second}},
		{pipeline.Outcome{Source: "a", Status: pipeline.StatusUpdated, UpsertResult: store.UpsertResult{Updated: 1}},
			metrics.Run{Source: "a", Status: "updated", Updated: 1}},
		{pipeline.Outcome{Source: "a", Status: pipeline.StatusUnchanged, NotModified: true},
			metrics.Run{Source: "a", Status: "unchanged"}},
		{pipeline.Outcome{Source: "a", Status: pipeline.StatusFailed, Failures: 3, Duration: time.Second},
			metrics.Run{Source: "a", Status: "failed", Failed: true, Failures: 3, Duration: time.Second}},
		{pipeline.Outcome{Source: "a", Status: pipeline.StatusFailed, Failures: 1, Err: errors.New("get https://u:pw@a.example/: 503")},
			metrics.Run{Source: "a", Status: "failed", Failed: true, Failures: 1, Error: "get https://xxxxx@a.example/: 503"}},
		{pipeline.Outcome{Source: "a", Status: pipeline.StatusDeferred},
			metrics.Run{Source: "a", Status: "deferred", Skipped: true}},
		{pipeline.Outcome{Source: "a", Status: pipeline.StatusCancelled, Duration: time.Second},
			metrics.Run{Source: "a", Status: "cancelled", Skipped: true, Duration: time.Second}},
	}
	for _, tt := range tests {
		if got := metricsRun(tt.out); got != tt.want {
			t.Errorf("metricsRun(%s) = %+v, want %+v", tt.out.Status, got, tt.want)
		}
	}
}
