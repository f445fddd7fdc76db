package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestHealthURL(t *testing.T) {
	for listen, want := range map[string]string{
		"127.0.0.1:8080":        "http://127.0.0.1:8080/healthz",
		":8080":                 "http://127.0.0.1:8080/healthz",
		"0.0.0.0:8080":          "http://127.0.0.1:8080/healthz",
		"[::]:8080":             "http://[::1]:8080/healthz",
		"[::1]:9":               "http://[::1]:9/healthz",
		"localhost:8080":        "http://localhost:8080/healthz",
		"[fe80::1%eth0]:8080":   "http://[fe80::1%25eth0]:8080/healthz",
		"news.example.org:8080": "http://news.example.org:8080/healthz",
	} {
		if got, err := healthURL(listen); err != nil || got != want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", listen, got, err, want)
		}
	}
	if _, err := healthURL("127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "no fixed address") {
		t.Errorf("healthURL of port 0: %v, want an error", err)
	}
}

// healthProject is a project (see project) whose listen address is
// listen, without its sources' servers mattering: healthcheck reads the
// configuration only for listen.
func healthProject(t *testing.T, listen string) string {
	t.Helper()
	srv, _ := remote(t)
	return project(t, listen, srv.URL)
}

// TestHealthcheckFails checks the exit status and the one line on stderr
// when the configured listener is not a healthy Tributary: nothing
// listening, a 503 with a reason (a password in it masked, its control
// characters and length bounded), a redirect, and no answer in time.
func TestHealthcheckFails(t *testing.T) {
	ctx := context.Background()
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		args    []string
		want    []string
		notWant []string
	}{
		{"503 with a reason", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/healthz" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, "unhealthy: dial postgres://tributary:hunter2@db.internal/news:\x1b[31m refused\n"+strings.Repeat("é", 400))
		}, nil, []string{"503 Service Unavailable: unhealthy: dial postgres://xxxxx@db.internal/news: [31m refused é", "é…\n"}, []string{"hunter2", "\x1b", strings.Repeat("é", 200)}},
		{"password at the cut", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, strings.Repeat("x", 165)+" postgres://tributary:hunter2hunter2hunter2@db.internal/news")
		}, nil, []string{"postgres://xxxxx"}, []string{"hunter2"}},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:1/healthz", http.StatusFound)
		}, nil, []string{"302 Found"}, nil},
		{"no answer in time", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-hold:
			case <-r.Context().Done():
			}
		}, []string{"--timeout", "200ms"}, []string{"no answer within 200ms"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			conf := healthProject(t, srv.Listener.Addr().String())
			args := append([]string{"--config", conf, "healthcheck"}, tc.args...)
			code, out, errOut := runCmd(t, ctx, args...)
			if code != exitFailed || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "tributary healthcheck: check http://"+srv.Listener.Addr().String()+"/healthz: ") {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 1 and one line on stderr", code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(errOut, w) {
					t.Errorf("stderr %q holds %q", errOut, w)
				}
			}
		})
	}

	t.Run("nothing listening", func(t *testing.T) {
		addr := freeAddr(t) // closed again: nothing listens there
		conf := healthProject(t, addr)
		code, out, errOut := runCmd(t, ctx, "--config", conf, "healthcheck")
		if code != exitFailed || out != "" || !strings.Contains(errOut, "connection refused") || strings.Count(errOut, "\n") != 1 {
			t.Fatalf("exit %d, stdout %q, stderr %q; want 1 and connection refused", code, out, errOut)
		}
	})

	t.Run("every interface is checked on loopback", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintln(w, "ok")
		}))
		srv.Listener = ln
		srv.Start()
		defer srv.Close()
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		conf := healthProject(t, "127.0.0.1:"+port)
		b, err := os.ReadFile(conf)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, conf, regexp.MustCompile(`(?m)^listen: .*$`).ReplaceAllString(string(b), "listen: 0.0.0.0:"+port))
		if code, out, errOut := runCmd(t, ctx, "--config", conf, "healthcheck", "--timeout", "10s"); code != exitOK || out != "ok\n" {
			t.Fatalf("exit %d, %q %q", code, out, errOut)
		}
	})

	t.Run("no fixed port or no configuration", func(t *testing.T) {
		conf := healthProject(t, "127.0.0.1:0")
		if code, out, errOut := runCmd(t, ctx, "--config", conf, "healthcheck"); code != exitFailed || out != "" || !strings.Contains(errOut, "takes any free port") {
			t.Errorf("port 0: exit %d, %q %q; want 1", code, out, errOut)
		}
		missing := filepath.Join(t.TempDir(), "missing.yaml")
		if code, out, errOut := runCmd(t, ctx, "--config", missing, "healthcheck"); code != exitFailed || out != "" || !strings.Contains(errOut, "missing.yaml") {
			t.Errorf("no configuration: exit %d, %q %q; want 1", code, out, errOut)
		}
	})

	t.Run("bad usage", func(t *testing.T) {
		conf := healthProject(t, "127.0.0.1:0")
		for _, args := range [][]string{{"--timeout", "0s"}, {"--timeout", "soon"}, {"extra"}} {
			code, _, errOut := runCmd(t, ctx, append([]string{"--config", conf, "healthcheck"}, args...)...)
			if code != exitUsage || errOut == "" {
				t.Errorf("healthcheck %v: exit %d %q, want 2", args, code, errOut)
			}
		}
	})
}
