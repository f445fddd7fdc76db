package server

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tributary/tributary/internal/opml"
)

// testSources are the sources setup's server lists at /sources.opml.
var testSources = []opml.Source{
	{Name: "go-blog", URL: "https://go.dev/blog/feed.atom", HTMLURL: "https://go.dev/blog/", Tags: []string{"go", "programming"}},
	{Name: "private", URL: "https://reader:s3cr3t-pass@private.example/feed", Tags: []string{"go"}},
	{Name: "plain", URL: "http://plain.example/rss"},
	{Name: "local", URL: "/srv/feeds/local.xml", Tags: []string{"local"}},
}

func TestSourcesOPML(t *testing.T) {
	srv, _, _ := setup(t)
	r, b := get(t, "GET", srv.URL+"/sources.opml", nil)
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "text/x-opml; charset=utf-8" {
		t.Fatalf("status %d, type %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if bytes.Contains(b, []byte("s3cr3t")) || bytes.Contains(b, []byte("reader")) || bytes.Contains(b, []byte("local.xml")) {
		t.Fatalf("sources.opml shows a credential or a local file:\n%s", b)
	}
	got, _, err := opml.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ title, url, html, folders string }{
		{"go-blog", "https://go.dev/blog/feed.atom", "https://go.dev/blog/", "go,programming"},
		{"private", "https://private.example/feed", "", "go"},
		{"plain", "http://plain.example/rss", "", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d feeds, want %d:\n%s", len(got), len(want), b)
	}
	for i, w := range want {
		g := got[i]
		if g.Title != w.title || g.XMLURL != w.url || g.HTMLURL != w.html || strings.Join(g.Folders, ",") != w.folders {
			t.Errorf("feed %d = %+v, want %+v", i, g, w)
		}
	}
	// Folders by first tag: what Miniflux and FreshRSS import as categories.
	if !bytes.Contains(b, []byte(`<outline text="go" title="go">`)) {
		t.Errorf("no folder for tag go:\n%s", b)
	}
}
