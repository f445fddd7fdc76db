package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/redact"
)

// defaultHealthTimeout bounds `tributary healthcheck` unless --timeout says
// otherwise: under the 30 s a container runtime waits by default.
const defaultHealthTimeout = 5 * time.Second

// maxHealthReason bounds the part of an unhealthy answer's body quoted,
// in characters.
const maxHealthReason = 200

func cmdHealthcheck(ctx context.Context, confPath string, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("healthcheck", "healthcheck [--config FILE] [--timeout DURATION]", &confPath, stdout, stderr)
	timeout := fs.Duration("timeout", defaultHealthTimeout, "give up after this long")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("healthcheck takes no arguments")
	}
	if *timeout <= 0 {
		return usagef("healthcheck: --timeout must be positive, got %v", *timeout)
	}
	// Every failure past the flags exits 1, a configuration that does not
	// load included: container runtimes reserve exit status 2.
	cfg, err := loadConfig(confPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return errSilentFailure
	}
	u, err := healthURL(cfg.Listen)
	if err == nil {
		err = checkHealth(ctx, u, *timeout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "tributary healthcheck:", redact.Text(err.Error()))
		return errSilentFailure
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}

// healthURL is the /healthz URL of a server listening on listen: a host
// that means every interface (empty, 0.0.0.0, [::]) is reached on the
// loopback address of its family. The server answers at the root whatever
// base_url's path (a proxy in front strips it), so neither does this.
func healthURL(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("listen %q: %w", listen, err)
	}
	if port == "0" {
		return "", fmt.Errorf("listen %q takes any free port: there is no fixed address to check", listen)
	}
	switch ip := net.ParseIP(host); {
	case host == "":
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified() && ip.To4() != nil:
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return (&url.URL{Scheme: "http", Host: net.JoinHostPort(host, port), Path: "/healthz"}).String(), nil
}

// checkHealth GETs u within timeout: nil when it answers 200, else why
// not, quoting the start of the answer.
func checkHealth(ctx context.Context, u string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("check %s: %w", u, err)
	}
	client := &http.Client{
		// Straight to the listener: no proxy from the environment, and a
		// redirect is an answer, not a place to go.
		Transport:     &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("check %s: no answer within %v", u, timeout)
		}
		return fmt.Errorf("check %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 8*maxHealthReason))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	// Masked before it is cut: a cut URL may lose the "@" that ends its
	// userinfo.
	reason := oneLine(redact.Text(string(body)), maxHealthReason)
	if reason == "" {
		return fmt.Errorf("check %s: %s", u, resp.Status)
	}
	return fmt.Errorf("check %s: %s: %s", u, resp.Status, reason)
}

// oneLine is s on one line, without control characters, cut to at most
// limit characters (feeds.TruncateRunes).
func oneLine(s string, limit int) string {
	s = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, s)), " ")
	return feeds.TruncateRunes(s, limit)
}
