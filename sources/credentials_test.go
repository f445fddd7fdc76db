package sources

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestFetchCredentials: the credentials of a source URL are sent, never
// shown in an error, and never carried into the articles' links.
func TestFetchCredentials(t *testing.T) {
	var auth []string
	mux := http.NewServeMux()
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		auth = append(auth, u+":"+p)
		w.Header().Set("Content-Type", "application/atom+xml")
		io.WriteString(w, `<feed xmlns="http://www.w3.org/2005/Atom"><title>P</title><id>urn:p</id>
<entry><title>One</title><id>urn:p:1</id><link href="/posts/1"/><author><name>A</name><uri>/about</uri></author>
<content type="html">&lt;a href="/posts/2"&gt;two&lt;/a&gt; &lt;img src="/i.png"&gt;</content></entry></feed>`)
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<link rel="alternate" type="application/atom+xml" href="/feed"><p>hi`)
	})
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusInternalServerError)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	withCreds := strings.Replace(srv.URL, "http://", "http://user:SECRET@", 1)

	for _, path := range []string{"/feed", "/page"} {
		auth = nil
		res, err := Fetch(context.Background(), srv.Client(), Request{Source: Source{Name: "p", URL: withCreds + path}})
		if err != nil {
			t.Fatal(err)
		}
		if len(auth) != 1 || auth[0] != "user:SECRET" {
			t.Errorf("%s: the feed was requested with basic auth %q, want user:SECRET", path, auth)
		}
		if len(res.Articles) != 1 || res.Articles[0].Link != srv.URL+"/posts/1" {
			t.Fatalf("%s: articles %+v, want one linking to %s/posts/1", path, res.Articles, srv.URL)
		}
		if got := res.Articles[0]; strings.Contains(got.Content+got.Authors[0].URL+got.Origin+res.URL, "SECRET") {
			t.Errorf("%s: the credentials reached the article or result: %+v %s", path, got, res.URL)
		}
	}
	_, err := Fetch(context.Background(), srv.Client(), Request{Source: Source{Name: "p", URL: withCreds + "/500"}})
	if err == nil || !strings.Contains(err.Error(), "http 500") || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error %v: want an http 500 without the credentials", err)
	}
}

func TestSourceCredentials(t *testing.T) {
	tests := []struct{ page, source, want string }{
		{"https://news.example/story", "https://u:pw@news.example/feed", "https://u:pw@news.example/story"},
		{"https://NEWS.example/story", "https://TOKEN@news.example/feed", "https://TOKEN@NEWS.example/story"},
		// Another origin, scheme or port never gets them.
		{"https://other.example/story", "https://u:pw@news.example/feed", "https://other.example/story"},
		{"http://news.example/story", "https://u:pw@news.example/feed", "http://news.example/story"},
		{"https://news.example:8443/story", "https://u:pw@news.example/feed", "https://news.example:8443/story"},
		// A link's own credentials stay; a source without any gives none.
		{"https://me@news.example/story", "https://u:pw@news.example/feed", "https://me@news.example/story"},
		{"https://news.example/story", "https://news.example/feed", "https://news.example/story"},
		{"https://news.example/story", "file:///srv/feed.xml", "https://news.example/story"},
	}
	for _, tc := range tests {
		u, err := url.Parse(tc.page)
		if err != nil {
			t.Fatal(err)
		}
		sourceCredentials(u, tc.source)
		if got := u.String(); got != tc.want {
			t.Errorf("page %s of source %s: %s, want %s", tc.page, tc.source, got, tc.want)
		}
	}
}
