package fetch

import (
	"net/url"
	"testing"
)

func TestPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy Policy
		// allowed and refused are host:port (normal form) or file:// URLs.
		allowed, refused []string
	}{
		{"nothing", Policy{}, nil, []string{"127.0.0.1:8080", "file:///srv/feed.xml"}},
		{"origin of a URL", Policy{AllowedOrigins: []string{"http://127.0.0.1:8081/feed"}},
			[]string{"127.0.0.1:8081"}, []string{"127.0.0.1:80", "localhost:8081", "127.0.0.2:8081"}},
		{"default port of the scheme", Policy{AllowedOrigins: []string{"https://Feeds.Example.org./rss"}},
			[]string{"feeds.example.org:443"}, []string{"feeds.example.org:80"}},
		{"host:port", Policy{AllowedOrigins: []string{"10.0.0.5:8080"}},
			[]string{"10.0.0.5:8080"}, []string{"10.0.0.5:80"}},
		{"unparsable origin", Policy{AllowedOrigins: []string{"::not an origin", "", "http://"}},
			nil, []string{":80", "not an origin:80"}},
		{"local file URL", Policy{LocalFiles: []string{"file:///srv/feeds/../feed.xml"}},
			[]string{"file:///srv/feed.xml"}, []string{"file:///srv/other.xml", "file:///etc/passwd"}},
		{"local file path", Policy{LocalFiles: []string{"/srv/feed.xml"}},
			[]string{"file:///srv/feed.xml", "file://localhost/srv/feed.xml"}, []string{"file:///srv/feed.xml.bak"}},
		{"relative path allows nothing", Policy{LocalFiles: []string{"feed.xml"}},
			nil, []string{"file:///feed.xml"}},
		{"local directory", Policy{LocalDirs: []string{"file:///srv/feeds/"}},
			[]string{"file:///srv/feeds/page.html", "file:///srv/feeds/sub/../page.html"},
			[]string{"file:///srv/feeds", "file:///srv/feeds/sub/page.html", "file:///srv/feeds/../page.html", "file:///srv/page.html", "file:///etc/passwd"}},
		{"relative directory allows nothing", Policy{LocalDirs: []string{"feeds"}},
			nil, []string{"file:///feeds/page.html"}},
		{"root directory", Policy{LocalDirs: []string{"/"}},
			[]string{"file:///page.html"}, []string{"file:///", "file:///etc/passwd"}},
		{"a file is not an origin", Policy{LocalFiles: []string{"/srv/feed.xml"}},
			nil, []string{"127.0.0.1:80"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(Options{}).For(tt.policy).allow
			check := func(s string) bool {
				if u, err := url.Parse(s); err == nil && u.Scheme == "file" {
					return a.file(u)
				}
				return a.origin(s)
			}
			for _, s := range tt.allowed {
				if !check(s) {
					t.Errorf("%s refused", s)
				}
			}
			for _, s := range tt.refused {
				if check(s) {
					t.Errorf("%s allowed", s)
				}
			}
		})
	}
}

func TestForLeavesTheClientAsItWas(t *testing.T) {
	t.Parallel()
	c := New(Options{AllowedOrigins: []string{"10.0.0.1:80"}})
	d := c.For(Policy{AllowedOrigins: []string{"10.0.0.2:80"}, LocalFiles: []string{"/srv/feed.xml"}})
	if !d.allow.origin("10.0.0.1:80") || !d.allow.origin("10.0.0.2:80") {
		t.Errorf("For: origins %v, want the client's and the policy's", d.allow.origins)
	}
	if c.allow.origin("10.0.0.2:80") || len(c.allow.files) > 0 {
		t.Errorf("the client allows what only For's Client may: %+v", c.allow)
	}
	if d.limiter != c.limiter || d.public != c.public || d.origin != c.origin {
		t.Error("For's Client does not share the per-host limits and connections")
	}
}
