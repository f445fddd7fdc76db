package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Several adds at once (a script adding sources in parallel, two
// operators) each either add their source or say the file changed: none
// may report "added" for a source a concurrent add then wrote over.
func TestConcurrentAddsLoseNoSource(t *testing.T) {
	ctx := context.Background()
	for round := range 30 {
		conf := editProject(t)
		const n = 12
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				codes[i], _, _ = runCmd(t, ctx, "--config", conf, "add", "--no-fetch",
					"--name", fmt.Sprintf("c%d", i), fmt.Sprintf("https://c%d.example/feed", i))
			})
		}
		wg.Wait()
		after := mustRead(t, conf)
		for i, code := range codes {
			in := strings.Contains(after, fmt.Sprintf("name: c%d\n", i))
			if code == exitOK && !in {
				t.Fatalf("round %d: add of c%d exited 0 but the file does not have it:\n%s", round, i, after)
			}
			if code != exitOK && in {
				t.Errorf("round %d: add of c%d failed (exit %d) but the file has it", round, i, code)
			}
		}
	}
}
