package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/sources/extract"
)

// articlePage is a page extract reads a story from, dated published and
// modified.
func articlePage(published, modified string) string {
	return `<html><head><title>Ferry</title><meta property="og:title" content="Ferry">` +
		`<meta property="article:published_time" content="` + published + `">` +
		`<meta property="article:modified_time" content="` + modified + `">` +
		`<meta property="article:section" content="Travel"><meta property="article:tag" content="Boats">` +
		`</head><body><article><h1>Ferry</h1>` +
		strings.Repeat(`<p>A long enough paragraph of the story so that readability keeps it as the article body text.</p>`, 5) +
		`</article></body></html>`
}

func TestFetchPage(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var (
		auth    string
		headers http.Header
	)
	mux := http.NewServeMux()
	mux.HandleFunc("/story", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT")
		io.WriteString(w, articlePage("2025-12-31T10:00:00Z", "2026-01-01T10:00:00Z"))
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/story", http.StatusFound)
	})
	mux.HandleFunc("/future", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, articlePage("2099-01-01T00:00:00Z", "0000-01-01T00:00:00Z"))
	})
	mux.HandleFunc("/always304", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotModified)
	})
	mux.HandleFunc("/pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		io.WriteString(w, "%PDF-1.7")
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<html><body><article><p> </p></article></body></html>`)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusGone)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		auth, headers = u+":"+p, r.Header.Clone()
		mux.ServeHTTP(w, r)
	}))
	defer srv.Close()
	source := strings.Replace(srv.URL, "http://", "http://user:SECRET@", 1) + "/feed"
	story := extract.Options{Now: now}

	tests := []struct {
		name string
		req  PageRequest
		// want is the result without its Article, checked by article.
		want     PageResult
		article  func(t *testing.T, a feeds.Article)
		wantErr  string
		wantAuth string
		// wantHeaders are request headers, "" for absent.
		wantHeaders map[string]string
	}{
		{
			name: "a story page, fetched with the source's credentials",
			req:  PageRequest{URL: srv.URL + "/story", SourceURL: source, Extract: story},
			want: PageResult{ETag: `"v1"`, LastModified: "Thu, 01 Jan 2026 00:00:00 GMT", URL: srv.URL + "/story"},
			article: func(t *testing.T, a feeds.Article) {
				if a.Title != "Ferry" || !strings.Contains(feeds.PlainText(a.Content), "A long enough paragraph") || a.Summary == "" {
					t.Errorf("article %+v", a)
				}
				if !a.Published.Equal(time.Date(2025, 12, 31, 10, 0, 0, 0, time.UTC)) || !a.Updated.Equal(time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)) {
					t.Errorf("published %v updated %v", a.Published, a.Updated)
				}
				if !slices.Equal(a.Categories, feeds.Terms("Travel", "Boats")) {
					t.Errorf("categories %q, want the section then the tags", a.Categories)
				}
			},
			wantAuth:    "user:SECRET",
			wantHeaders: map[string]string{"Accept": acceptArticle, "If-None-Match": "", "If-Modified-Since": ""},
		},
		{
			name: "validators of a page never extracted are not sent",
			req:  PageRequest{URL: srv.URL + "/story", ETag: `"v1"`, LastModified: "Thu, 01 Jan 2026 00:00:00 GMT", Extract: story},
			want: PageResult{ETag: `"v1"`, LastModified: "Thu, 01 Jan 2026 00:00:00 GMT", URL: srv.URL + "/story"},
			article: func(t *testing.T, a feeds.Article) {
				if a.Content == "" {
					t.Error("no content")
				}
			},
			wantAuth:    ":",
			wantHeaders: map[string]string{"If-None-Match": "", "If-Modified-Since": ""},
		},
		{
			name:        "an extracted page not modified since",
			req:         PageRequest{URL: srv.URL + "/story", Conditional: true, ETag: `"v1"`, LastModified: "Thu, 01 Jan 2026 00:00:00 GMT", Extract: story},
			want:        PageResult{NotModified: true, URL: srv.URL + "/story"},
			wantAuth:    ":",
			wantHeaders: map[string]string{"If-None-Match": `"v1"`, "If-Modified-Since": "Thu, 01 Jan 2026 00:00:00 GMT"},
		},
		{
			name: "the final URL after a redirect, without credentials",
			req:  PageRequest{URL: strings.Replace(srv.URL, "http://", "http://me:PW@", 1) + "/moved", SourceURL: source, Extract: story},
			want: PageResult{ETag: `"v1"`, LastModified: "Thu, 01 Jan 2026 00:00:00 GMT", URL: srv.URL + "/story"},
			article: func(t *testing.T, a feeds.Article) {
				if strings.Contains(a.Content, "PW") {
					t.Errorf("credentials in the content: %s", a.Content)
				}
			},
			wantAuth: "me:PW",
		},
		{
			name: "implausible page dates are left out",
			req:  PageRequest{URL: srv.URL + "/future", Extract: story},
			want: PageResult{URL: srv.URL + "/future"},
			article: func(t *testing.T, a feeds.Article) {
				if !a.Published.IsZero() || !a.Updated.IsZero() {
					t.Errorf("published %v updated %v, want none", a.Published, a.Updated)
				}
			},
			wantAuth: ":",
		},
		{
			name:     "another origin never gets the source's credentials",
			req:      PageRequest{URL: strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/gone", SourceURL: source},
			wantErr:  "article page " + strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/gone: http 410 Gone",
			wantAuth: ":",
		},
		{
			name:     "an error status, credentials masked",
			req:      PageRequest{URL: srv.URL + "/gone", SourceURL: source},
			wantErr:  "article page " + srv.URL + "/gone: http 410 Gone",
			wantAuth: "user:SECRET",
		},
		{
			name:    "a 304 to a request that was not conditional",
			req:     PageRequest{URL: srv.URL + "/always304"},
			wantErr: "article page " + srv.URL + "/always304: http 304 Not Modified",
		},
		{
			name:    "not HTML",
			req:     PageRequest{URL: srv.URL + "/pdf"},
			wantErr: "article page " + srv.URL + "/pdf: not an HTML page (application/pdf)",
		},
		{
			name:    "no article text",
			req:     PageRequest{URL: srv.URL + "/empty", Extract: story},
			wantErr: "no article content found",
		},
		{
			name:    "a URL no request can be made of",
			req:     PageRequest{URL: "http://news.example/\x7f"},
			wantErr: "article page: parse",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			auth, headers = "", nil
			res, err := FetchPage(context.Background(), srv.Client(), tc.req)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "SECRET") {
					t.Errorf("the error shows the credentials: %v", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if tc.article != nil {
				tc.article(t, res.Article)
			}
			res.Article = feeds.Article{}
			if !reflect.DeepEqual(res, tc.want) {
				t.Errorf("result %+v\nwant   %+v", res, tc.want)
			}
			if tc.wantAuth != "" && auth != tc.wantAuth {
				t.Errorf("basic auth %q, want %q", auth, tc.wantAuth)
			}
			for k, v := range tc.wantHeaders {
				if got := headers.Get(k); got != v {
					t.Errorf("header %s: %q, want %q", k, got, v)
				}
			}
		})
	}
}

// TestFetchPageSendFailure: a failed request keeps the error net/http
// gave, naming the page, its credentials masked.
func TestFetchPageSendFailure(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	link := srv.URL + "/story"
	srv.Close()
	source := strings.Replace(srv.URL, "http://", "http://user:SECRET@", 1) + "/feed"
	_, err := FetchPage(context.Background(), http.DefaultClient, PageRequest{URL: link, SourceURL: source})
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	want := fmt.Sprintf("article page %s: Get %q", link, strings.Replace(link, "http://", "http://xxxxx@", 1))
	if !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error %q, want it to start %q", err, want)
	}
	var ue interface{ Timeout() bool }
	if !errors.As(err, &ue) {
		t.Errorf("error %q does not wrap net/http's", err)
	}
}
