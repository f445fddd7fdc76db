package pipeline

import (
	"net/url"
	"testing"
)

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
