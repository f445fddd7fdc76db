package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Warning is something in a valid configuration that is probably not
// what was meant: it is reported (`tributary check`, serve's log) but
// refuses nothing.
type Warning struct {
	// File, Path and Line locate the warning as in a FieldError.
	File string
	Path string
	Line int
	// Msg says what is wrong and why it matters.
	Msg string
}

// String formats the warning as a FieldError: "file:line: path: message".
func (w Warning) String() string {
	return (&FieldError{File: w.File, Path: w.Path, Line: w.Line, Err: errors.New(w.Msg)}).Error()
}

// maxNamed is how many sources a warning names before "and N more".
const maxNamed = 10

// MaxHostFetchesPerHour is the rate of scheduled fetches of one host, all
// its enabled sources together, above which Warnings warns: once a minute.
const MaxHostFetchesPerHour = 60

// Warnings returns what a valid configuration probably gets wrong, in the
// order of the file: a listen address on every interface without a
// base_url, sources that together fetch one host more often than once a
// minute, enabled sources with the same URL (compared with
// feeds.CanonicalLink), headers sent to an http:// source in clear, and
// metrics.allow networks beyond the local ones while metrics.pprof is on.
func (c *Config) Warnings() []Warning {
	var ws []Warning
	add := func(path, format string, args ...any) {
		ws = append(ws, Warning{File: c.Path, Path: path, Line: c.line(path), Msg: fmt.Sprintf(format, args...)})
	}
	if _, set := c.pos["base_url"]; !set && listensEverywhere(c.Listen) {
		add("listen", "%q listens on every interface but base_url is not set: feeds and links would advertise %s, which other machines cannot reach; set base_url to the address readers use", c.Listen, c.BaseURL)
	}
	if c.Metrics.Pprof {
		for i, n := range c.Metrics.Allow {
			if p, err := parseNetwork(n); err == nil && !localNetwork(p) {
				add(fmt.Sprintf("metrics.allow[%d]", i), "metrics.pprof is on and %s holds addresses outside loopback, private and link-local networks: whoever is there can profile the daemon (its code paths, command line, memory and a CPU profile's cost); allow only the networks of your monitoring, or reach /debug/pprof/ through an SSH tunnel", p)
			}
		}
	}
	type hostSources struct {
		idx     []int
		perHour float64
	}
	hosts := map[string]*hostSources{}
	gaps := map[string]time.Duration{} // by spec: sources share a few
	var order []string
	seen := map[string]int{}
	for i, s := range c.Sources {
		if !s.Enabled || s.IsFile() {
			continue
		}
		p := fmt.Sprintf("sources[%d]", i)
		key := URLKey(s.URL)
		if first, dup := seen[key]; dup {
			add(p+".url", "same URL as source %q (sources[%d]%s): it is fetched and stored twice", c.Sources[first].Name, first, c.onLine(fmt.Sprintf("sources[%d]", first)))
		} else {
			seen[key] = i
		}
		u, err := url.Parse(s.URL)
		if err != nil {
			continue
		}
		if u.Scheme == "http" && len(s.Headers) > 0 {
			add(p+".headers", "sent in clear: %s is http://, so whoever sits on the network can read these headers; use its https:// URL if it has one (the headers follow a redirect to https on the same host)", s.Name)
		}
		gap, known := gaps[s.Schedule]
		if !known {
			gap = shortestGap(s.Schedule)
			gaps[s.Schedule] = gap
		}
		if gap <= 0 {
			continue
		}
		host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
		h := hosts[host]
		if h == nil {
			h = &hostSources{}
			hosts[host] = h
			order = append(order, host)
		}
		h.idx = append(h.idx, i)
		h.perHour += float64(time.Hour) / float64(gap)
	}
	for _, host := range order {
		h := hosts[host]
		if h.perHour <= MaxHostFetchesPerHour+1e-9 {
			continue
		}
		first := fmt.Sprintf("sources[%d]", h.idx[0])
		if len(h.idx) == 1 {
			add(first+".schedule", "fetches %s more often than once a minute (up to %.0f times an hour)", host, h.perHour)
			continue
		}
		var names []string
		for _, i := range h.idx[:min(len(h.idx), maxNamed)] {
			names = append(names, c.Sources[i].Name)
		}
		if more := len(h.idx) - maxNamed; more > 0 {
			names = append(names, fmt.Sprintf("and %d more", more))
		}
		add(first+".url", "sources %s fetch %s up to %.0f times an hour together, more often than once a minute: spread their schedules or lengthen them", strings.Join(names, ", "), host, h.perHour)
	}
	slices.SortStableFunc(ws, func(a, b Warning) int {
		switch {
		case a.Line == b.Line:
			return 0
		case a.Line == 0:
			return 1
		case b.Line == 0:
			return -1
		}
		return a.Line - b.Line
	})
	return ws
}

// onLine formats " on line N" for path, or nothing when unknown.
func (c *Config) onLine(path string) string {
	if l := c.line(path); l > 0 {
		return fmt.Sprintf(" on line %d", l)
	}
	return ""
}

// localNetworks are the networks no address of which is reachable from the
// Internet: loopback, private (RFC 1918, IPv6 unique local), CGNAT shared
// address space and link-local.
var localNetworks = [...]netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
}

// localNetwork reports whether every address of p is in one of
// localNetworks: 10.1.0.0/16 is, 0.0.0.0/0 and 8.8.8.8/32 are not.
func localNetwork(p netip.Prefix) bool {
	p = p.Masked()
	for _, l := range localNetworks {
		if l.Addr().Is4() == p.Addr().Is4() && l.Bits() <= p.Bits() && l.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// listensEverywhere reports whether a listen address binds every
// interface: an empty host, 0.0.0.0 or [::].
func listensEverywhere(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsUnspecified()
}

// gapHorizon is how far ahead shortestGap looks: a day holds every pattern
// of a five-field spec but the days of the week and month.
const gapHorizon = 24 * time.Hour

// shortestGap is the shortest time between two runs of a valid schedule
// spec within the next day; 0 when unknown (an invalid spec).
func shortestGap(spec string) time.Duration {
	body := spec
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		_, body, _ = strings.Cut(spec, " ")
		body = strings.TrimSpace(body)
	}
	if every, ok := strings.CutPrefix(body, "@every "); ok {
		d, err := time.ParseDuration(every)
		if err != nil || d <= 0 {
			return 0
		}
		return d
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return 0
	}
	// A fixed start: the answer must not depend on the hour check runs.
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	var shortest time.Duration
	prev := sched.Next(start.Add(-time.Second))
	// At most one run a minute: a day holds at most 1440.
	for range 24 * 60 {
		next := sched.Next(prev)
		if next.IsZero() || next.Sub(start) > gapHorizon {
			break
		}
		if gap := next.Sub(prev); shortest == 0 || gap < shortest {
			shortest = gap
		}
		if shortest <= MinEvery {
			break // as often as five fields can say
		}
		prev = next
	}
	return shortest
}
