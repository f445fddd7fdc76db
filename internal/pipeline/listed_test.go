package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/sources"
)

// rssItems is a feed listing the stories of rssFeed with the given numbers.
func rssItems(nums ...int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://example.com/</link>`)
	for _, i := range nums {
		fmt.Fprintf(&b, `<item><title>Story %d</title><link>http://example.com/%d</link><guid>id-%d</guid><pubDate>Mon, 0%d Jan 2024 10:00:00 GMT</pubDate><description>Body %d</description></item>`, i, i, i, i+1, i)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// TestRetentionKeepsWhatTheLatestDocumentLists: every run that parses the
// document records what it lists, unchanged stories included; a 304 keeps
// the listing; retention deletes only what the source no longer lists.
func TestRetentionKeepsWhatTheLatestDocumentLists(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	srv := newFeedServer(t, rssItems(0, 1, 2, 3))
	src := Source{Source: sources.Source{Name: "s", URL: srv.URL + "/feed"}}
	// Every story is older than a day, and only one may stay by count.
	r := store.Retention{Source: "s", MaxAge: 24 * time.Hour, MaxItems: 1}
	expire := func(want store.Expired) {
		t.Helper()
		got, err := st.Expire(ctx, r, time.Now())
		if err != nil || got != want {
			t.Fatalf("Expire = %+v, %v; want %+v", got, err, want)
		}
	}
	run := func(status string) {
		t.Helper()
		if out := newRunner(st).Run(ctx, src, true); out.Status != status || out.Err != nil {
			t.Fatalf("run: %+v, want %s", out, status)
		}
	}
	run(StatusNew)
	expire(store.Expired{})
	run(StatusUnchanged) // 304
	if srv.hit.Load() != 1 {
		t.Fatalf("the second fetch was not answered 304")
	}
	expire(store.Expired{})
	// Parsed again, unchanged stories included: still listed.
	srv.body.Store(rssItems(0, 1, 2, 3, 4))
	run(StatusNew)
	expire(store.Expired{})
	// The feed drops 0 to 2: they go, 3 and 4 stay while listed.
	srv.body.Store(rssItems(3, 4))
	run(StatusUnchanged)
	expire(store.Expired{Age: 3})
	arts, err := st.Articles(ctx, store.Query{})
	if err != nil || len(arts) != 2 || arts[0].ID != "id-4" || arts[1].ID != "id-3" {
		t.Fatalf("kept %d articles (%v), want id-4 and id-3", len(arts), err)
	}
}
