package config

import (
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // each warning's String, without the file
	}{
		{"nothing to say", `listen: 127.0.0.1:8080
sources:
  - {name: a, url: "https://a.example/feed"}
  - {name: b, url: "https://b.example/feed", schedule: "@every 1m"}
feeds: [{name: all}]
`, nil},
		{"every interface without base_url", `listen: 0.0.0.0:8080
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []string{`1: listen: "0.0.0.0:8080" listens on every interface but base_url is not set: feeds and links would advertise http://0.0.0.0:8080, which other machines cannot reach; set base_url to the address readers use`}},
		{"empty host and [::] too", `listen: "[::]:80"
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []string{`1: listen: "[::]:80" listens on every interface`}},
		{"empty host", `listen: ":8080"
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []string{`1: listen: ":8080" listens on every interface`}},
		{"headers in clear", `sources:
  - name: a
    url: http://a.example/feed
    headers: {Authorization: "Bearer t0ken"}
  - {name: b, url: "https://b.example/feed", headers: {Authorization: "Bearer t0ken"}}
feeds: [{name: all}]
`, []string{`4: sources[0].headers: sent in clear: a is http://`}},
		{"every interface with base_url", `listen: 0.0.0.0:8080
base_url: https://news.example.org
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, nil},
		{"same URL written differently", `sources:
  - {name: a, url: "https://A.example:443/feed/"}
  - {name: b, url: "https://b.example/feed"}
  - {name: c, url: "https://a.example/feed"}
  - {name: d, url: "https://a.example/feed", enabled: false}
feeds: [{name: all}]
`, []string{`4: sources[2].url: same URL as source "a" (sources[0] on line 2): it is fetched and stored twice`}},
		{"one host polled by several sources", `schedule: "@every 2m"
sources:
  - {name: one, url: "https://busy.example/1"}
  - {name: other, url: "https://calm.example/"}
  - {name: two, url: "https://BUSY.example/2"}
  - {name: three, url: "https://busy.example/3", schedule: "* * * * *"}
feeds: [{name: all}]
`, []string{`3: sources[0].url: sources one, two, three fetch busy.example up to 120 times an hour together, more often than once a minute: spread their schedules or lengthen them`}},
		{"exactly once a minute is fine", `schedule: "@every 2m"
sources:
  - {name: one, url: "https://busy.example/1"}
  - {name: two, url: "https://busy.example/2"}
feeds: [{name: all}]
`, nil},
		{"a cron burst counts at its peak", `sources:
  - {name: one, url: "https://busy.example/1", schedule: "*/2 9 * * *"}
  - {name: two, url: "https://busy.example/2", schedule: "CRON_TZ=Europe/Paris 0-30 9 * * *"}
  - {name: three, url: "https://busy.example/3", schedule: "0 9 * * *"}
feeds: [{name: all}]
`, []string{`2: sources[0].url: sources one, two fetch busy.example up to 90 times an hour together`}},
		{"pprof with public networks allowed", `metrics:
  pprof: true
  allow:
    - 10.0.0.0/8
    - 0.0.0.0/0
    - "fd00::/8"
    - "2001:db8:1::/48"
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, []string{
			`5: metrics.allow[1]: metrics.pprof is on and 0.0.0.0/0 holds addresses outside loopback, private and link-local networks: whoever is there can profile the daemon`,
			`7: metrics.allow[3]: metrics.pprof is on and 2001:db8:1::/48 holds addresses outside`,
		}},
		{"pprof with local networks allowed", `metrics:
  pprof: true
  allow: [10.0.0.0/8, 192.168.1.7/32, "fd00::/8"]
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, nil},
		{"public networks allowed without pprof", `metrics:
  allow: [0.0.0.0/0]
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			c, err := Parse([]byte(tc.yaml), path)
			if err != nil {
				t.Fatal(err)
			}
			ws := c.Warnings()
			ok := len(ws) == len(tc.want)
			for i := 0; ok && i < len(ws); i++ {
				ok = strings.HasPrefix(ws[i].String(), path+":"+tc.want[i])
			}
			if !ok {
				t.Errorf("got warnings %q, want %q", ws, tc.want)
			}
		})
	}
}

func TestShortestGap(t *testing.T) {
	for spec, want := range map[string]time.Duration{
		"@every 90s":                90 * time.Second,
		"@hourly":                   time.Hour,
		"*/5 * * * *":               5 * time.Minute,
		"0,1 9 * * *":               time.Minute,
		"CRON_TZ=UTC */10 * * * *":  10 * time.Minute,
		"0 9 * * *":                 0, // once in the horizon: no gap
		"not a spec":                0,
		"TZ=Europe/Paris @every 2m": 2 * time.Minute,
	} {
		if got := shortestGap(spec); got != want {
			t.Errorf("shortestGap(%q) = %v, want %v", spec, got, want)
		}
	}
}

func TestMetricsNetworks(t *testing.T) {
	c, err := Parse([]byte(`metrics:
  allow: [10.1.2.3/8, "2001:db8::/32"]
sources: [{name: a, url: "https://a.example/"}]
feeds: [{name: all}]
`), "")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	if got := c.Metrics.Networks(); !slices.Equal(got, want) {
		t.Errorf("Networks() = %v, want %v", got, want)
	}
	if c.LogFormat != "text" {
		t.Errorf("default log_format %q, want text", c.LogFormat)
	}
}

func TestLocalNetwork(t *testing.T) {
	for p, want := range map[string]bool{
		"127.0.0.1/32":   true,
		"10.0.0.0/8":     true,
		"10.1.0.0/16":    true,
		"172.16.0.0/12":  true,
		"172.16.0.0/11":  false, // reaches 172.0.0.0, public
		"192.168.1.7/32": true,
		"100.64.0.0/10":  true,
		"169.254.0.0/16": true,
		"::1/128":        true,
		"fd00::/8":       true,
		"fe80::/64":      true,
		"0.0.0.0/0":      false,
		"::/0":           false,
		"8.8.8.8/32":     false,
		"10.0.0.0/7":     false, // 11.0.0.0/8 is public
		"2001:db8::/32":  false,
	} {
		if got := localNetwork(netip.MustParsePrefix(p)); got != want {
			t.Errorf("localNetwork(%s) = %v, want %v", p, got, want)
		}
	}
}
