// Command baseline is the floor the benchmark (.ci/bench) compares
// `tributary fetch` with: it only downloads and parses the same feeds with
// gofeed, at the concurrency of tributary's fetch (fetch.workers, default
// config.DefaultWorkers), and stores nothing.
//
//	baseline -base http://127.0.0.1:PORT/ -sources N [-workers W]
//
// It fetches BASE + fNNNNN.xml for each source (the names genfeeds
// writes), prints the items parsed and the wall time, and exits 1 when a
// feed fails.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/sync/errgroup"

	"github.com/tributary/tributary/internal/config"
)

func main() {
	base := flag.String("base", "", "URL the feeds are served under")
	n := flag.Int("sources", 0, "number of feeds, f00001.xml to fNNNNN.xml")
	workers := flag.Int("workers", config.DefaultWorkers, "feeds fetched and parsed at once (tributary's fetch.workers)")
	printWorkers := flag.Bool("print-default-workers", false, "print tributary's default fetch.workers and exit")
	flag.Parse()
	if *printWorkers {
		fmt.Println(config.DefaultWorkers)
		return
	}
	if *base == "" || *n < 1 || *workers < 1 {
		fmt.Fprintln(os.Stderr, "usage: baseline -base URL -sources N [-workers W]")
		os.Exit(2)
	}
	start := time.Now()
	items, err := run(context.Background(), strings.TrimRight(*base, "/")+"/", *n, *workers)
	if err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
	fmt.Printf("%d feeds, %d items, %.3f s\n", *n, items, time.Since(start).Seconds())
}

// run fetches and parses the n feeds, workers at a time, and returns how
// many items they held. Like tributary's client it keeps connections
// alive, with as many idle per host as there are workers.
func run(ctx context.Context, base string, n, workers int) (int64, error) {
	client := &http.Client{
		Timeout:   config.DefaultTimeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: workers},
	}
	var items atomic.Int64
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for s := 1; s <= n; s++ {
		url := fmt.Sprintf("%sf%05d.xml", base, s)
		g.Go(func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return err
			}
			resp, err := client.Do(req)
			if err != nil {
				return fmt.Errorf("fetch %s: %w", url, err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("fetch %s: %s", url, resp.Status)
			}
			feed, err := gofeed.NewParser().Parse(resp.Body)
			if err != nil {
				return fmt.Errorf("parse %s: %w", url, err)
			}
			items.Add(int64(len(feed.Items)))
			return nil
		})
	}
	err := g.Wait()
	return items.Load(), err
}
