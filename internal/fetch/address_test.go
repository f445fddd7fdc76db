package fetch

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// countingServer answers "ok" and counts the requests it received.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestBlockedAddresses(t *testing.T) {
	t.Parallel()
	srv, hits := countingServer(t)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]

	c := newClient(t, Options{})
	for _, u := range []string{
		srv.URL, // http://127.0.0.1:port
		"http://localhost:" + port,
		"http://[::1]:" + port,
		"http://127.1.2.3:" + port,
		"http://0.0.0.0:" + port,
		"http://[::ffff:127.0.0.1]:" + port,
		"http://169.254.169.254:" + port + "/latest/meta-data/",
	} {
		t.Run(u, func(t *testing.T) {
			_, _, err := get(t, t.Context(), c, u, nil)
			if !errors.Is(err, ErrBlockedAddress) {
				t.Errorf("error %v, want ErrBlockedAddress", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server received %d requests despite the policy", n)
	}
}

func TestAllowedOrigin(t *testing.T) {
	t.Parallel()
	allowed, allowedHits := countingServer(t)
	other, otherHits := countingServer(t)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/elsewhere":
			http.Redirect(w, r, other.URL+"/secret", http.StatusFound)
		case "/samehost":
			http.Redirect(w, r, "/feed", http.StatusFound)
		default:
			io.WriteString(w, "feed")
		}
	}))
	t.Cleanup(redirector.Close)

	c := newClient(t, Options{})
	ctx := t.Context()

	t.Run("same origin allowed", func(t *testing.T) {
		oc := c.For(Policy{AllowedOrigins: []string{allowed.URL + "/feed.xml"}})
		_, b, err := get(t, ctx, oc, allowed.URL+"/other/path", nil)
		if err != nil || string(b) != "ok" {
			t.Fatalf("got %q, %v; want ok", b, err)
		}
	})
	t.Run("host:port form", func(t *testing.T) {
		u, _ := url.Parse(allowed.URL)
		_, _, err := get(t, ctx, c.For(Policy{AllowedOrigins: []string{u.Host}}), allowed.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("static option", func(t *testing.T) {
		sc := newClient(t, Options{AllowedOrigins: []string{allowed.URL}})
		if _, _, err := get(t, ctx, sc, allowed.URL, nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := get(t, ctx, sc, other.URL, nil); !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("other host: error %v, want ErrBlockedAddress", err)
		}
	})
	t.Run("redirect within origin allowed", func(t *testing.T) {
		_, b, err := get(t, ctx, c.For(Policy{AllowedOrigins: []string{redirector.URL}}), redirector.URL+"/samehost", nil)
		if err != nil || string(b) != "feed" {
			t.Fatalf("got %q, %v; want feed", b, err)
		}
	})
	t.Run("redirect to another private host refused", func(t *testing.T) {
		_, _, err := get(t, ctx, c.For(Policy{AllowedOrigins: []string{redirector.URL}}), redirector.URL+"/elsewhere", nil)
		if !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("error %v, want ErrBlockedAddress", err)
		}
	})
	t.Run("another origin's connection is not reused", func(t *testing.T) {
		// The allowed server now has a pooled connection; a request that
		// is not allowed there must not ride on it.
		before := allowedHits.Load()
		_, _, err := get(t, ctx, c.For(Policy{AllowedOrigins: []string{other.URL}}), allowed.URL, nil)
		if !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("error %v, want ErrBlockedAddress", err)
		}
		_, _, err = get(t, ctx, c, allowed.URL, nil)
		if !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("without origin: error %v, want ErrBlockedAddress", err)
		}
		if n := allowedHits.Load() - before; n != 0 {
			t.Errorf("server received %d refused requests", n)
		}
	})
	t.Run("origin is host and port", func(t *testing.T) {
		// localhost:PORT names the same server as 127.0.0.1:PORT, but it is
		// not the origin the operator configured.
		u, _ := url.Parse(allowed.URL)
		_, _, err := get(t, ctx, c.For(Policy{AllowedOrigins: []string{allowed.URL}}), "http://localhost:"+u.Port(), nil)
		if !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("error %v, want ErrBlockedAddress", err)
		}
	})
	t.Run("unparsable origin allows nothing", func(t *testing.T) {
		_, _, err := get(t, ctx, c.For(Policy{AllowedOrigins: []string{"::not an origin"}}), allowed.URL, nil)
		if !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("error %v, want ErrBlockedAddress", err)
		}
	})
	if n := otherHits.Load(); n != 0 {
		t.Errorf("the non-allowed server received %d requests", n)
	}
}

func TestPolicyAccumulates(t *testing.T) {
	t.Parallel()
	c := New(Options{}).For(Policy{AllowedOrigins: []string{"https://Feeds.Example.org/rss"}})
	c = c.For(Policy{AllowedOrigins: []string{"http://10.0.0.5:8080/x"}})
	for _, hp := range []string{"feeds.example.org:443", "10.0.0.5:8080"} {
		if !c.allow.origin(hp) {
			t.Errorf("%s not allowed", hp)
		}
	}
	for _, hp := range []string{"feeds.example.org:80", "10.0.0.5:80", "10.0.0.6:8080"} {
		if c.allow.origin(hp) {
			t.Errorf("%s allowed", hp)
		}
	}
}

func TestIsPublic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ip   string
		want bool
	}{
		{"93.184.215.14", true},
		{"8.8.8.8", true},
		{"2606:4700:4700::1111", true},
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"172.32.0.1", true},
		{"192.168.1.1", false},
		{"169.254.169.254", false},
		{"100.64.0.1", false},
		{"100.127.255.255", false},
		{"100.128.0.1", true},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"255.255.255.255", false},
		{"240.0.0.1", false},
		{"192.0.2.1", false},
		{"198.18.0.1", false},
		{"::", false},
		{"::1", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:8.8.8.8", true},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"ff02::1", false},
		{"2001:db8::1", false},
		{"64:ff9b::a00:1", false},  // NAT64 of 10.0.0.1
		{"64:ff9b::808:808", true}, // NAT64 of 8.8.8.8
		{"2002:7f00:1::", false},   // 6to4 of 127.0.0.1
		{"2002:808:808::", true},   // 6to4 of 8.8.8.8
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := isPublic(netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("isPublic(%s) = %v, want %v", tt.ip, got, tt.want)
			}
		})
	}
}
