package pipeline

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tributary/tributary/sources"
)

// TestBadJSONFeedFieldIsDroppedAndLogged: a JSON Feed with one field of a
// type no repair fixes publishes all its items; the field is named in a
// debug log line.
func TestBadJSONFeedFieldIsDroppedAndLogged(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	srv := newFeedServer(t, `{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[
{"id":"1","url":"http://example.com/1","title":"One","tags":"news"},
{"id":"2","url":"http://example.com/2","title":true,"content_text":"Two"},
{"id":"3","url":"http://example.com/3","title":"Three","authors":{"name":"Ann"}}]}`)
	var logs bytes.Buffer
	r := newRunner(st)
	r.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	out := r.Run(ctx, Source{Source: sources.Source{Name: "j", URL: srv.URL + "/feed.json"}}, false)
	if out.Err != nil || out.New != 3 {
		t.Fatalf("outcome %+v, want 3 new articles", out)
	}
	if want := `msg="feed fields dropped" source=j fields="[items[1].title: boolean]"`; !strings.Contains(logs.String(), want) {
		t.Errorf("log lacks %s:\n%s", want, logs.String())
	}
}
