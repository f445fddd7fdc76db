package redact

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/feed", "https://example.com/feed"},
		{"https://user:SECRET@example.com/feed", "https://xxxxx@example.com/feed"},
		{"https://SECRET@example.com/feed?x=1", "https://xxxxx@example.com/feed?x=1"},
		{"https://user:@example.com/", "https://xxxxx@example.com/"},
		{"http://user:p%40SECRET@127.0.0.1:8080/a#b", "http://xxxxx@127.0.0.1:8080/a#b"},
		// The "@" of a path is not userinfo.
		{"https://medium.com/@writer/story", "https://medium.com/@writer/story"},
		{"https://user:SECRET@medium.com/@writer/story", "https://xxxxx@medium.com/@writer/story"},
		{"file:///srv/feeds/a.xml", "file:///srv/feeds/a.xml"},
		{"mailto:someone@example.com", "xxxxx@example.com"},
		// Malformed URLs: everything up to the last "@" is masked.
		{"http://user:SECRET@host:port/feed", "http://xxxxx@host:port/feed"},
		{"http://user:SEC/RET@host/feed", "http://xxxxx@host/feed"},
		{"http://user:SEC RET@host/feed", "http://xxxxx@host/feed"},
		{"http://user:SECRET@[::1/feed", "http://xxxxx@[::1/feed"},
		{"user:SECRET@host/feed", "xxxxx@host/feed"},
		{"", ""},
		{"not a url", "not a url"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := URL(tc.in); got != tc.want {
				t.Errorf("URL(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http 500 Internal Server Error from http://user:SECRET@host/feed",
			"http 500 Internal Server Error from http://xxxxx@host/feed"},
		{`fetch http://user:SECRET@host/feed: Get "http://user:***@host/feed": dial tcp 127.0.0.1:80: fetch: blocked non-public address`,
			`fetch http://xxxxx@host/feed: Get "http://xxxxx@host/feed": dial tcp 127.0.0.1:80: fetch: blocked non-public address`},
		{`Get "http://TOKEN@a/": failed to parse Location header "http://u:SECRET@b:x/": invalid port`,
			`Get "http://xxxxx@a/": failed to parse Location header "http://xxxxx@b:x/": invalid port`},
		{"fetch feed https://u:SECRET@h/f.xml advertised by https://u:SECRET@h/?q=1: bad",
			"fetch feed https://xxxxx@h/f.xml advertised by https://xxxxx@h/?q=1: bad"},
		{"see https://medium.com/@writer or mail a@b.example", "see https://medium.com/@writer or mail a@b.example"},
		{"http://u:SECRET@h", "http://xxxxx@h"},
		{"no url here", "no url here"},
		{"://@", "://xxxxx@"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := Text(tc.in); got != tc.want {
				t.Errorf("Text(%q)\n = %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestError(t *testing.T) {
	if Error(nil) != nil {
		t.Fatal("Error(nil) != nil")
	}
	plain := errors.New("nothing to hide")
	if Error(plain) != plain {
		t.Error("an error without userinfo was wrapped")
	}
	err := Error(fmt.Errorf("fetch http://u:SECRET@h/feed: %w", fs.ErrNotExist))
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("Error kept the secret: %v", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is lost the wrapped error: %v", err)
	}
}
