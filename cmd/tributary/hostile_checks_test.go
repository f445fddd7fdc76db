package main

// Case checks: the further assertions a hostileCase makes about its
// outcome (hostileCase.check).

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/internal/pipeline"
	"github.com/tributary/tributary/internal/store/sqlite"
	"github.com/tributary/tributary/sources"
)

func all(checks ...func(*testing.T, *hostile, *hostileResult)) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		for _, c := range checks {
			c(t, h, r)
		}
	}
}

// checkRetryAfter asserts that the failure is deferred for as long as the
// server asked: the fetch line and the stored state say so, and a scheduled
// (non-forced) run does not contact the server again.
func checkRetryAfter(serverPath string, wait time.Duration) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		// RFC 3339 in the line has whole seconds, the HTTP date too.
		earliest := r.start.Add(wait).Add(-2 * time.Second)
		m := regexp.MustCompile(`\(next attempt after (\S+)\)$`).FindStringSubmatch(r.line)
		if m == nil {
			t.Fatalf("line %q does not say when the next attempt is", r.line)
		}
		next, err := time.Parse(time.RFC3339, m[1])
		if err != nil {
			t.Fatal(err)
		}
		if next.Before(earliest) {
			t.Errorf("next attempt %s is sooner than the Retry-After allows (%s)", next, earliest)
		}

		ctx := context.Background()
		st, err := sqlite.Open(ctx, filepath.Join(r.dir, "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		state, err := st.SourceState(ctx, "bad")
		if err != nil {
			t.Fatal(err)
		}
		if state.NextAttempt.Before(earliest) || state.Failures != 1 {
			t.Errorf("stored state: next attempt %s (want after %s), %d failures", state.NextAttempt, earliest, state.Failures)
		}
		before := h.hitCount("hostile", serverPath)
		client := fetch.New(fetch.Options{Timeout: 2 * time.Second})
		defer client.Close()
		runner := &pipeline.Runner{Doer: client, Store: st}
		out := runner.Run(ctx, pipeline.Source{Source: sources.Source{Name: "bad", URL: h.url(serverPath)}}, false)
		if out.Status != pipeline.StatusDeferred {
			t.Errorf("a scheduled run during Retry-After: status %q (%s), want deferred", out.Status, out)
		}
		if after := h.hitCount("hostile", serverPath); after != before {
			t.Errorf("the server was contacted again during Retry-After (%d -> %d requests)", before, after)
		}
	}
}

// checkNoExpansion asserts that an entity bomb was not expanded anywhere.
func checkNoExpansion(expanded string) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		for name, b := range r.outputs {
			if bytes.Contains(b, []byte(expanded)) {
				t.Errorf("%s contains expanded entity text %q", name, expanded)
			}
		}
		files, _ := filepath.Glob(filepath.Join(r.dir, "test.db*"))
		for _, f := range files {
			if b, _ := os.ReadFile(f); bytes.Contains(b, []byte(expanded)) {
				t.Errorf("store file %s contains expanded entity text", filepath.Base(f))
			}
		}
	}
}

// checkStoredSize asserts that the store's files and each output hold at
// most limit bytes.
func checkStoredSize(limit int64) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		files, _ := filepath.Glob(filepath.Join(r.dir, "test.db*"))
		if len(files) == 0 {
			t.Fatalf("no store files in %s: nothing to measure", r.dir)
		}
		var stored int64
		for _, f := range files {
			fi, err := os.Stat(f)
			if err != nil {
				t.Fatal(err)
			}
			stored += fi.Size()
		}
		if len(r.outputs) == 0 {
			t.Fatal("no outputs built: nothing to measure")
		}
		if stored > limit {
			t.Errorf("the store's files hold %d bytes, want at most %d", stored, limit)
		}
		for name, b := range r.outputs {
			if int64(len(b)) > limit {
				t.Errorf("%s is %d bytes, want at most %d", name, len(b), limit)
			}
		}
	}
}

// checkNoExternalEntities asserts that no external entity was loaded: the
// canary saw no request and the items kept their own text.
func checkNoExternalEntities(t *testing.T, h *hostile, r *hostileResult) {
	t.Helper()
	if n := h.hitCount("canary", ""); n != 0 {
		t.Errorf("an external entity was fetched: the canary saw %d requests", n)
	}
	checkTitles("Passwd in title", "XInclude")(t, h, r)
}

// checkTitles asserts the bad source's items carry exactly these titles
// (in any order) in every format.
func checkTitles(titles ...string) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		want := slices.Sorted(slices.Values(titles))
		for name, items := range r.badItems() {
			var got []string
			for _, it := range items {
				got = append(got, it.Title)
			}
			if slices.Sort(got); !slices.Equal(got, want) {
				t.Errorf("%s: titles %q, want %q", name, got, want)
			}
		}
	}
}

func checkItemCount(n int) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		for name, items := range r.badItems() {
			if len(items) != n {
				t.Errorf("%s has %d items of the bad source, want %d", name, len(items), n)
			}
		}
	}
}

// checkFirstSeenDates asserts that items whose dates are impossible are
// dated when they were first seen.
func checkFirstSeenDates(t *testing.T, h *hostile, r *hostileResult) {
	t.Helper()
	lo, hi := r.start.Truncate(time.Second), time.Now().Add(time.Second)
	for name, items := range r.badItems() {
		if len(items) != 8 {
			t.Errorf("%s has %d dated items, want 8", name, len(items))
		}
		for _, it := range items {
			if it.PublishedParsed == nil && it.UpdatedParsed == nil {
				t.Errorf("%s: %q has no date at all", name, it.Title)
			}
			for _, d := range []*time.Time{it.PublishedParsed, it.UpdatedParsed} {
				if d != nil && (d.Before(lo) || d.After(hi)) {
					t.Errorf("%s: %q dated %s, want its first-seen time (%s to %s)", name, it.Title, d, lo, hi)
				}
			}
		}
	}
}

// checkBareItems asserts that items without title, link or guid are kept
// with a stable, non-empty id, and that empty items are dropped.
func checkBareItems(t *testing.T, h *hostile, r *hostileResult) {
	t.Helper()
	for name, items := range r.badItems() {
		if len(items) != 3 {
			t.Errorf("%s has %d bare items, want 3", name, len(items))
		}
		ids := map[string]bool{}
		for _, it := range items {
			if strings.TrimSpace(it.GUID) == "" {
				t.Errorf("%s: item %q published without an id", name, it.Description)
			}
			if ids[it.GUID] {
				t.Errorf("%s: id %q used twice", name, it.GUID)
			}
			ids[it.GUID] = true
		}
	}
	// The ids are stable: building again gives the same ones.
	ctx := context.Background()
	_, again := buildAll(t, ctx, filepath.Join(r.dir, "config.yaml"))
	for name, f := range again {
		for i, it := range f.Items {
			if prev := r.feeds[name].Items[i]; prev.GUID != it.GUID {
				t.Errorf("%s: item %d id changed between builds: %q -> %q", name, i, prev.GUID, it.GUID)
			}
		}
	}
}

// checkTitleLength asserts that megabyte titles are published truncated.
func checkTitleLength(t *testing.T, h *hostile, r *hostileResult) {
	t.Helper()
	for name, items := range r.badItems() {
		if len(items) != 3 {
			t.Errorf("%s has %d items, want 3", name, len(items))
		}
		for _, it := range items {
			if n := utf8.RuneCountInString(it.Title); n > 1000 || !strings.HasPrefix(it.Title, "Huge title ") {
				t.Errorf("%s: title of %d runes starting %.40q, want at most 1000", name, n, it.Title)
			}
		}
	}
	for name, b := range r.outputs {
		if len(b) > 1<<20 {
			t.Errorf("%s is %d bytes: the megabyte titles were not truncated", name, len(b))
		}
	}
}

// checkSafeContent asserts that the bad item whose title contains title
// kept its safe content (wants) while its hostile markup was removed:
// every item passes xmlcheck.UnsafeHTML in checkPublished.
func checkSafeContent(title string, wants ...string) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		for name, items := range r.badItems() {
			var it *gofeed.Item
			for _, i := range items {
				if strings.Contains(i.Title, title) {
					it = i
				}
			}
			if it == nil {
				t.Errorf("%s: no item titled %q among %d", name, title, len(items))
				continue
			}
			body := it.Description + it.Content
			for _, want := range wants {
				if name == "all.json" && strings.HasPrefix(want, "<") && !strings.Contains(it.Content, "<") {
					continue // a JSON Feed summary is plain text
				}
				if !strings.Contains(body, want) {
					t.Errorf("%s: the safe content %q was lost:\n%s", name, want, body)
				}
			}
			if strings.ContainsAny(it.Title, "<>") {
				t.Errorf("%s: title %q carries markup", name, it.Title)
			}
		}
	}
}

// checkCanary asserts how many requests the private canary saw for path.
func checkCanary(path string, want int) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		if got := h.hitCount("canary", path); got != want {
			t.Errorf("the private canary saw %d requests for %s, want %d", got, path, want)
		}
	}
}

// checkLog asserts that one log line holds every part.
func checkLog(parts ...string) func(*testing.T, *hostile, *hostileResult) {
	return func(t *testing.T, h *hostile, r *hostileResult) {
		t.Helper()
		for _, l := range strings.Split(r.stderr, "\n") {
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(l, p)
			}
			if ok {
				return
			}
		}
		t.Errorf("no log line with %q:\n%s", parts, r.stderr)
	}
}
