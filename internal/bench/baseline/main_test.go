package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func feed(items int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>`)
	for i := range items {
		fmt.Fprintf(&b, "<item><title>%d</title><guid>%d</guid><description>&lt;p&gt;x&lt;/p&gt;</description></item>", i, i)
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

// TestRunFetchesAndParsesEveryFeed: every fNNNNN.xml is requested once and
// its items counted; a missing feed fails the run.
func TestRunFetchesAndParsesEveryFeed(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/feeds/f%05d.xml", &n); err != nil || n > 7 {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, feed(50))
	}))
	defer srv.Close()
	items, err := run(context.Background(), srv.URL+"/feeds/", 7, 4)
	if err != nil {
		t.Fatal(err)
	}
	if items != 7*50 || requests.Load() != 7 {
		t.Errorf("%d items in %d requests, want 350 in 7", items, requests.Load())
	}
	if _, err := run(context.Background(), srv.URL+"/feeds/", 8, 4); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("a missing feed: err = %v, want a 404", err)
	}
}
