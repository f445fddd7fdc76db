// Package config reads Tributary's config.yaml into a Config: it expands
// ${VAR} references, parses the YAML strictly (an unknown key is an error),
// fills in defaults, resolves relative file paths against the directory of
// the configuration file and validates everything at once. Every problem is
// a *FieldError naming the file, the line and the field path, such as
//
//	config.yaml:14: sources[2].schedule: invalid cron spec "*/99 * * *": ...
//
// Only cmd/tributary imports this package; the other parts receive plain
// values taken from the Config.
package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/sources"
)

// Defaults applied by Load and Parse to keys missing from the file.
const (
	DefaultListen             = "127.0.0.1:8080"
	DefaultTitle              = "Tributary"
	DefaultLogLevel           = "info"
	DefaultLogFormat          = "text"
	DefaultDriver             = "sqlite"
	DefaultSQLiteDSN          = "tributary.db"
	DefaultSchedule           = "@every 30m"
	DefaultTimeout            = 20 * time.Second
	DefaultConnectTimeout     = 10 * time.Second
	DefaultMaxBodySize        = 15 << 20
	DefaultMaxRedirects       = 10
	DefaultPerHostConcurrency = 2
	DefaultWorkers            = 4
	DefaultMaxItemsPerSource  = 1000
	DefaultFeedLimit          = 50
	MaxFeedLimit              = 10000
	DefaultRetentionMaxAge    = 90 * 24 * time.Hour
	DefaultRetentionMaxItems  = 1000
	DefaultRetentionSchedule  = "@hourly"
	DefaultRetentionOrphans   = 30 * 24 * time.Hour
	DefaultWebSubTimeout      = 10 * time.Second
	MaxWebSubTimeout          = time.Minute
)

// MinRetentionEvery is the shortest "@every" interval retention.schedule
// may have: cleanup fetches nothing, so it is not held to MinEvery.
const MinRetentionEvery = time.Second

// MinEvery is the shortest interval an "@every" schedule may have. Five-field
// cron specs cannot fire more often than once a minute either; robfig/cron
// would silently turn "@every 0s" or "@every 500ms" into once a second.
const MinEvery = time.Minute

// Source kinds: the values sources.Fetch understands, declared there.
const (
	KindFeed = sources.KindFeed
	KindPage = sources.KindPage
)

// Storage drivers.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Config is the whole configuration file. Load and Parse fill every default,
// so callers read values without checking for zero.
type Config struct {
	// Listen is the HTTP address `tributary serve` listens on, host:port
	// (default 127.0.0.1:8080; ":8080" listens on every interface).
	Listen string `yaml:"listen"`
	// BaseURL is the absolute http(s) URL prefix written into feeds and
	// links, without a trailing slash. Default "http://" + listen (with
	// "localhost" when listen has no host). Set it when serving behind a
	// proxy or on a public name.
	BaseURL string `yaml:"base_url"`
	// Title is the site title shown on the index page (default "Tributary").
	Title string `yaml:"title"`
	// LogLevel is one of debug, info, warn, error (default info).
	LogLevel string `yaml:"log_level"`
	// LogFormat is how log lines are written on stderr: "text" (default,
	// slog's key=value lines) or "json" (one JSON object a line, for log
	// shippers).
	LogFormat string `yaml:"log_format"`
	// Storage selects the database.
	Storage Storage `yaml:"storage"`
	// Schedule is when sources are fetched unless a source sets its own:
	// a standard 5-field cron spec ("*/15 * * * *") or a descriptor
	// ("@hourly", "@every 1h30m"; "@every" takes whole seconds, at least
	// MinEvery). A spec that never fires ("0 0 30 2 *") is refused.
	// Default "@every 30m".
	Schedule string `yaml:"schedule"`
	// Fetch tunes the HTTP client that fetches sources; every key optional.
	Fetch Fetch `yaml:"fetch"`
	// Sources are where stories come from; at least one.
	Sources []Source `yaml:"sources"`
	// Feeds are the feeds Tributary publishes; at least one.
	Feeds []Feed `yaml:"feeds"`
	// Metrics tunes what /metrics exposes.
	Metrics Metrics `yaml:"metrics"`
	// Retention says how long stored articles are kept; on by default.
	Retention Retention `yaml:"retention"`
	// WebSub announces the feeds' changes to a WebSub hub; off unless
	// its hub is set.
	WebSub WebSub `yaml:"websub"`

	// Path is the configuration file this Config was read from, as given to
	// Load or Parse; relative paths in the file are resolved against its
	// directory. Empty for a Config built in Go.
	Path string `yaml:"-"`

	// pos maps field paths ("sources[2].url") to their line in Path.
	pos map[string]int
	// reported holds the paths whose value was already refused while
	// parsing, so Validate does not repeat the problem in other words.
	reported map[string]bool
}

// Storage selects and locates the database.
type Storage struct {
	// Driver is "sqlite" (default, embedded) or "postgres".
	Driver string `yaml:"driver"`
	// DSN locates the database. For sqlite a file path, relative to the
	// configuration file's directory (default tributary.db); Load makes it
	// absolute. ":memory:" and "file:" URIs are refused: a daemon's store
	// must outlive it, and the store adds its own parameters. For postgres
	// (required) a postgres:// URL or a "host=... dbname=..." key=value
	// string.
	DSN string `yaml:"dsn"`
}

// Fetch tunes the HTTP client that fetches sources and article pages.
type Fetch struct {
	// Timeout bounds a whole request, body included (Go duration, default 20s).
	Timeout time.Duration `yaml:"timeout"`
	// ConnectTimeout bounds dialing and the TLS handshake (default 10s).
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// MaxBodySize caps a response body in bytes: an integer or a string
	// with a unit, "15MiB", "512KiB", "2MB" (default 15MiB, at most
	// sources.MaxBodyBytes, the most a fetch ever reads).
	MaxBodySize int64 `yaml:"max_body_size"`
	// MaxRedirects is how many redirects a request follows; 0 follows none
	// (default 10).
	MaxRedirects int `yaml:"max_redirects"`
	// PerHostConcurrency is how many requests may be in flight to one host
	// at once (default 2).
	PerHostConcurrency int `yaml:"per_host_concurrency"`
	// Workers is how many sources are fetched at once (default 4).
	Workers int `yaml:"workers"`
	// UserAgent is the User-Agent header; empty means the caller's default,
	// "Tributary/VERSION (+URL)".
	UserAgent string `yaml:"user_agent"`
	// AllowPrivateNetworks permits fetching from loopback, private and
	// link-local addresses (default false: refused at dial time).
	AllowPrivateNetworks bool `yaml:"allow_private_networks"`
	// MaxItemsPerSource is how many items are kept from one fetch of one
	// source (default 1000).
	MaxItemsPerSource int `yaml:"max_items_per_source"`
	// Proxy is an http:// or https:// proxy URL every http(s) request
	// goes through, https ones tunneled with CONNECT ("http://proxy:3128";
	// credentials in the URL, "http://user:pass@proxy:3128", are sent as
	// Proxy-Authorization and always shown masked). Default: none, and
	// the HTTP_PROXY/HTTPS_PROXY environment variables are ignored. With a
	// proxy the address policy applies to the proxy's address (allowed,
	// wherever it is) and the checks of destinations move to the proxy.
	Proxy string `yaml:"proxy"`
}

// Metrics tunes the Prometheus metrics served at /metrics.
type Metrics struct {
	// SourceDurations adds a fetch duration histogram per source
	// (tributary_source_fetch_duration_seconds{source}), about 1 KB of
	// /metrics per source (default false: only the histogram of all
	// sources together).
	SourceDurations bool `yaml:"source_durations"`
	// Allow lists the networks, in CIDR notation ("10.0.0.0/8",
	// "192.168.1.7/32"), whose clients may read /metrics besides loopback
	// (127.0.0.0/8 and ::1), which always may. Default: loopback only.
	Allow []string `yaml:"allow"`
	// Pprof serves Go's runtime profiles (net/http/pprof) under
	// /debug/pprof/ beside /metrics, to the same clients: loopback and
	// the networks of allow. Default false: not served (404).
	Pprof bool `yaml:"pprof"`
}

// Networks returns Allow as prefixes, masked, leaving out any entry
// Validate refuses.
func (m Metrics) Networks() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range m.Allow {
		if p, err := parseNetwork(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// parseNetwork parses one metrics.allow entry: an IPv4 or IPv6 network in
// CIDR notation.
func parseNetwork(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		return netip.Prefix{}, errors.New("want a network in CIDR notation, like 10.0.0.0/8 or 192.168.1.7/32")
	}
	return p.Masked(), nil
}

// Retention says which stored articles cleanup deletes (serve on
// Schedule, and `tributary prune`). An article the source still lists in
// its latest document is always kept.
type Retention struct {
	// MaxAge deletes articles whose date (published, else first fetched)
	// is older; a duration like "90d" or "36h" (default 90d; 0s keeps
	// articles whatever their age).
	MaxAge time.Duration `yaml:"max_age"`
	// MaxItems keeps at most this many of each source's newest articles
	// (default 1000; 0 means no limit).
	MaxItems int `yaml:"max_items"`
	// Schedule is when serve runs cleanup: a cron spec or descriptor as
	// for Schedule, "@every" down to MinRetentionEvery (default @hourly).
	Schedule string `yaml:"schedule"`
	// Orphans deletes the articles and state of sources no longer in the
	// file once they were last fetched (else last stored) this long ago
	// (default 30d; 0s never deletes them but `tributary prune --orphans`).
	Orphans time.Duration `yaml:"orphans"`
}

// WebSub is the WebSub (W3C) publisher side: the hub the feeds name, and
// that Tributary tells when a feed changes.
type WebSub struct {
	// Hub is the http(s) URL of the WebSub hub, like
	// "https://pubsubhubbub.appspot.com/". Every feed then links to it
	// (rel="hub", in the body and a Link header), and serve POSTs
	// hub.mode=publish to it after a fetch changes a feed, build after it
	// changes a written feed. Credentials in it
	// ("https://user:${HUB_TOKEN}@hub.example/") go with the publish
	// requests only, as basic authentication, and are always shown
	// masked; the feeds link to the hub without them. Default: none, no
	// hub.
	Hub string `yaml:"hub"`
	// Timeout bounds each publish request to the hub (more than 0s, at
	// most MaxWebSubTimeout; default 10s).
	Timeout time.Duration `yaml:"timeout"`
}

// PublicHub returns Hub as the feeds link to it: without its userinfo,
// which is a credential for publishing, not for subscribing.
func (w WebSub) PublicHub() string {
	u, err := url.Parse(w.Hub)
	if err != nil || w.Hub == "" {
		return ""
	}
	u.User = nil
	return u.String()
}

// SourceRetention overrides Retention's limits for one source; a key left
// out takes the top-level value.
type SourceRetention struct {
	// MaxAge as Retention.MaxAge; 0s keeps this source's articles
	// whatever their age.
	MaxAge time.Duration `yaml:"max_age"`
	// MaxItems as Retention.MaxItems; 0 means no limit for this source.
	MaxItems int `yaml:"max_items"`
}

// inheritAge and inheritItems mark a source's retention key (and
// inheritAge its timeout) the file left out, until setDefaults fills in
// the top-level value: the schema refuses
// negative durations, and no one writes the smallest int.
const (
	inheritAge   = time.Duration(-1)
	inheritItems = math.MinInt
)

// Source is one place stories come from.
type Source struct {
	// Name identifies the source: a unique slug, [a-z0-9][a-z0-9_-]*.
	// Required.
	Name string `yaml:"name"`
	// URL is an http(s) URL, or a local file: a path (relative to the
	// configuration file's directory) or a file:// URL. Load turns a local
	// file into an absolute path, and the file must exist. Required.
	URL string `yaml:"url"`
	// Schedule overrides the top-level schedule for this source (same
	// syntax). Load fills it with the top-level schedule when empty.
	Schedule string `yaml:"schedule"`
	// Tags label the source (slugs); feeds can select sources by tag.
	Tags []string `yaml:"tags"`
	// Kind is "feed" (default: RSS, Atom or JSON Feed; an HTML page that
	// advertises a feed is followed) or "page" (a listing page scraped with
	// Selectors).
	Kind string `yaml:"kind"`
	// FullText fetches each item's page and extracts the full article.
	FullText bool `yaml:"fulltext"`
	// Remove lists CSS selectors whose elements are removed from every
	// article's content and summary before it is sanitized, like ".share"
	// or "#comments": a feed item's, a scraped item's, and with fulltext
	// the whole article page before its story is read. At most 100.
	Remove []string `yaml:"remove"`
	// Replace lists rules applied in order to every article's title
	// (field: title, as plain text) or content and summary (field:
	// content, as HTML before it is sanitized): each match of pattern, a
	// regular expression (RE2 syntax), is replaced with "with", where $1
	// stands for a group ($${1} before a letter or digit, since ${ starts
	// an environment variable) and $$ for a dollar sign. At most 50
	// rules; pattern and with at most 1024 bytes each. Sanitizing runs
	// after, so a rule cannot add what it would remove.
	Replace []sources.Replace `yaml:"replace"`
	// Selectors tell how to scrape a listing page; required for kind: page
	// (item and link at least) and not allowed otherwise. Their keys are
	// the lowercased field names: item, title, link, summary, image, date.
	Selectors sources.Selectors `yaml:"selectors"`
	// Enabled is false to skip the source everywhere: it is not fetched and
	// no feed selects it (default true).
	Enabled bool `yaml:"enabled"`
	// Retention overrides the top-level retention limits for this source.
	Retention SourceRetention `yaml:"retention"`
	// Headers are HTTP headers sent with this source's requests to its own
	// origin (the scheme, host and port of URL; an http origin also over
	// https), never to other hosts: "Authorization: Bearer ${TOKEN}", a
	// Cookie, Accept-Language. Names are HTTP tokens; headers Tributary
	// controls (Host, Content-Length, Transfer-Encoding, Connection,
	// If-None-Match, If-Modified-Since, Range, Accept-Encoding,
	// User-Agent and the like) are refused. Values are secrets: no log,
	// error, page or metric shows them. At most 32 headers of 4096 bytes
	// each; http(s) sources only.
	Headers map[string]string `yaml:"headers"`
	// UserAgent replaces fetch.user_agent for this source's requests, its
	// article pages included; http(s) sources only.
	UserAgent string `yaml:"user_agent"`
	// Timeout replaces fetch.timeout for each of this source's requests,
	// its article pages included, and, when longer than 15s, the wait for
	// the server to start answering (a duration, more than 0s and at most
	// 10m; default fetch.timeout).
	Timeout time.Duration `yaml:"timeout"`
	// Include keeps only this source's items that match, in every feed
	// that selects it: each field listed (title, content, author,
	// category, link, any) must match one of its patterns: a keyword or
	// phrase, matched as whole words in any case, or "re:" and a Go (RE2)
	// regular expression, case-insensitive unless it starts with (?-i).
	// Applied when feeds are built, so a change takes effect at reload,
	// without a fetch.
	Include feeds.Rules `yaml:"include"`
	// Exclude leaves out this source's items that match any of its
	// patterns, in every feed that selects it (same fields as Include).
	Exclude feeds.Rules `yaml:"exclude"`
}

// MaxSourceTimeout is the longest timeout a source may set: a request that
// takes longer holds a worker and a host slot for too long.
const MaxSourceTimeout = 10 * time.Minute

// Feed is one feed Tributary publishes, at /feeds/NAME.rss, .atom and .json.
type Feed struct {
	// Name identifies the feed and names its URLs: a unique slug,
	// [a-z0-9][a-z0-9_-]*. Required.
	Name string `yaml:"name"`
	// Title is the feed's title (default: the name).
	Title string `yaml:"title"`
	// Description is the feed's description.
	Description string `yaml:"description"`
	// Sources selects sources by name; each must exist.
	Sources []string `yaml:"sources"`
	// Tags selects every source carrying one of these tags; each must be
	// used by some source. With neither Sources nor Tags a feed takes every
	// enabled source; with both, the union.
	Tags []string `yaml:"tags"`
	// Limit is how many of the newest items the feed holds (default 50,
	// 1 to 10000).
	Limit int `yaml:"limit"`
	// Include keeps only the feed's items that match: each field listed
	// (title, content, author, category, link, any) must match one of its
	// patterns: a keyword or phrase, matched as whole words in any case,
	// or "re:" and a Go (RE2) regular expression, case-insensitive unless
	// it starts with (?-i). Applied when the feed is built, so a change
	// takes effect at reload, without a fetch.
	Include feeds.Rules `yaml:"include"`
	// Exclude leaves out the feed's items that match any of its patterns
	// (same fields as Include).
	Exclude feeds.Rules `yaml:"exclude"`
	// MaxAge hides items older than this, by published date (first
	// fetched when undated): a duration like "30d" or "36h" (default 0s,
	// no age limit). Stored articles stay; retention deletes them.
	MaxAge time.Duration `yaml:"max_age"`
	// PerSourceLimit caps the items of any one source in the feed, so
	// that no source floods it (default 0, no cap). The feed still holds
	// Limit items when other sources have enough.
	PerSourceLimit int `yaml:"per_source_limit"`
	// LeadImageInContent puts an item's lead image, with its caption and
	// credit, at the top of its content as a <figure> when the content
	// does not show it already, for the readers that show neither
	// enclosures nor JSON Feed's image (default true).
	LeadImageInContent *bool `yaml:"lead_image_in_content"`
	// Icon is a small square image for the feed (a favicon): an absolute
	// http(s) URL, or a path taken relative to base_url ("/favicon.ico"
	// with base_url https://example.org/news is
	// https://example.org/news/favicon.ico). See FeedImageURL.
	Icon string `yaml:"icon"`
	// Logo is a larger image for the feed (JSON Feed advises 512x512), an
	// absolute http(s) URL or a path relative to base_url like Icon.
	Logo string `yaml:"logo"`
	// Language is the language of the feed's items, a BCP 47 tag such as
	// "en" or "fr-CA".
	Language string `yaml:"language"`
	// Rights is a plain text copyright statement for the feed, such as
	// "© 2026 Example News" (Atom <rights>, RSS <copyright>).
	Rights string `yaml:"rights"`
}

// LeadImage reports whether the feed puts lead images in its items'
// content: LeadImageInContent, true when the file leaves it out.
func (f Feed) LeadImage() bool {
	return f.LeadImageInContent == nil || *f.LeadImageInContent
}

// Bounds of the feed metadata keys.
const (
	MaxFeedImageURLLen = 2048
	MaxFeedRightsRunes = 1000
)

// FeedImageURL returns the absolute URL of a feed's icon or logo as
// configured (raw, valid): raw itself when it is an absolute URL, else
// raw as a path below base_url; "" when raw is empty.
func (c *Config) FeedImageURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	if u, err := url.Parse(raw); err == nil && u.IsAbs() {
		return raw
	}
	return c.BaseURL + "/" + strings.TrimLeft(raw, "/")
}

// UnmarshalYAML decodes a source, defaulting Enabled to true and Kind to
// feed for keys the file leaves out.
func (s *Source) UnmarshalYAML(decode func(any) error) error {
	type plain Source
	p := plain{Enabled: true, Kind: KindFeed, Retention: SourceRetention{MaxAge: inheritAge, MaxItems: inheritItems}, Timeout: inheritAge}
	if err := decode(&p); err != nil {
		return err
	}
	*s = Source(p)
	return nil
}

// UnmarshalYAML decodes a feed, defaulting Limit for a file that leaves it
// out (an explicit 0 stays 0 and fails validation).
func (f *Feed) UnmarshalYAML(decode func(any) error) error {
	type plain Feed
	p := plain{Limit: DefaultFeedLimit}
	if err := decode(&p); err != nil {
		return err
	}
	*f = Feed(p)
	return nil
}

// Load reads the configuration file at path, expands ${VAR} and
// ${VAR:-default} from the process environment, parses it strictly, fills
// defaults and validates it. Problems in the file are returned together as
// an Errors value (see Errors); a file that cannot be read is a plain error.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return Parse(data, path)
}

// Parse is Load on data already read; path names the file in messages and
// anchors relative file paths (the current directory when path is empty).
// The Config is returned only when it is valid.
func Parse(data []byte, path string) (*Config, error) {
	return parse(data, path, os.LookupEnv)
}

// ParseForEdit is Parse for a command that edits the file's text (add,
// import-opml) rather than runs it: a ${VAR} this environment does not set
// is not a problem, since the edit leaves the reference as written and the
// daemon reading the file has its own environment (a systemd unit's, a
// container's). Such a variable's value in the Config is its name, and
// what that stand-in provokes at the reference's field is not reported;
// every other problem is, as Parse reports it.
func ParseForEdit(data []byte, path string) (*Config, error) {
	return parseWith(data, path, os.LookupEnv, true)
}

// parse is Parse with the environment as a parameter.
func parse(data []byte, path string, lookup func(string) (string, bool)) (*Config, error) {
	return parseWith(data, path, lookup, false)
}

// parseWith is parse; unsetOK drops the problems of unset variables
// (ParseForEdit).
func parseWith(data []byte, path string, lookup func(string) (string, bool), unsetOK bool) (*Config, error) {
	data, envProbs := expandEnv(data, lookup)
	// Problems in the environment are reported with the rest; what their
	// stand-ins provoke at the same field is not (see expandEnv).
	locate := func(root ast.Node) (Errors, []string) {
		errs, quiet := locateEnv(root, path, envProbs)
		if unsetOK {
			errs = slices.DeleteFunc(errs, func(fe *FieldError) bool {
				_, unset := fe.Err.(unsetEnvError)
				return unset
			})
		}
		return errs, quiet
	}
	root, errs := parseYAML(data, path)
	if len(errs) > 0 {
		envErrs, _ := locate(nil)
		return nil, append(envErrs, errs...).orNil()
	}
	inlineAliases(root)
	envErrs, quiet := locate(root)
	c := defaults()
	sc := newSchema(path)
	if root != nil && !sc.check(root, configType, "") {
		sc.abort = true
	}
	if !sc.abort && root != nil {
		c = sc.decode(root)
	}
	var kept Errors
	for _, fe := range sc.errs {
		if !within(fe.Path, quiet) {
			kept = append(kept, fe)
		}
	}
	if sc.abort || c == nil {
		return nil, append(kept, envErrs...).orNil()
	}
	c.Path = path
	c.pos = sc.pos
	c.reported = make(map[string]bool, len(sc.errs)+len(quiet))
	for _, fe := range sc.errs {
		c.reported[fe.Path] = true
	}
	for p := range sc.quiet {
		c.reported[p] = true
	}
	for _, p := range quiet {
		c.reported[p] = true
	}
	if _, set := c.pos["base_url"]; !set && c.reported["listen"] {
		// base_url left out is made from listen: one message is enough.
		c.reported["base_url"] = true
	}
	c.setDefaults()
	c.resolvePaths()
	errs = append(kept, envErrs...)
	var verrs Errors
	if errors.As(c.Validate(), &verrs) {
		errs = append(errs, verrs...)
	}
	if err := errs.orNil(); err != nil {
		return nil, err
	}
	return c, nil
}

// Defaults returns the configuration of a file that sets no key: every
// default filled in, no sources and no feeds (which Validate refuses). It
// is for a command that may run without a file (`tributary preview`).
func Defaults() *Config {
	c := defaults()
	c.setDefaults()
	return c
}

// defaults returns the Config a file is decoded onto: keys the file leaves
// out keep these values.
func defaults() *Config {
	return &Config{
		Listen:    DefaultListen,
		Title:     DefaultTitle,
		LogLevel:  DefaultLogLevel,
		LogFormat: DefaultLogFormat,
		Storage:   Storage{Driver: DefaultDriver},
		Schedule:  DefaultSchedule,
		Fetch: Fetch{
			Timeout:            DefaultTimeout,
			ConnectTimeout:     DefaultConnectTimeout,
			MaxBodySize:        DefaultMaxBodySize,
			MaxRedirects:       DefaultMaxRedirects,
			PerHostConcurrency: DefaultPerHostConcurrency,
			Workers:            DefaultWorkers,
			MaxItemsPerSource:  DefaultMaxItemsPerSource,
		},
		Retention: Retention{
			MaxAge:   DefaultRetentionMaxAge,
			MaxItems: DefaultRetentionMaxItems,
			Schedule: DefaultRetentionSchedule,
			Orphans:  DefaultRetentionOrphans,
		},
		WebSub: WebSub{Timeout: DefaultWebSubTimeout},
	}
}

// setDefaults fills the defaults that depend on other values, and those
// whose zero value the file may spell out (an empty string means unset).
func (c *Config) setDefaults() {
	c.Listen = strings.TrimSpace(c.Listen)
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL(c.Listen)
	}
	c.BaseURL = strings.TrimRight(strings.TrimSpace(c.BaseURL), "/")
	if c.Title == "" {
		c.Title = DefaultTitle
	}
	c.LogLevel = strings.ToLower(strings.TrimSpace(c.LogLevel))
	if c.LogLevel == "" {
		c.LogLevel = DefaultLogLevel
	}
	c.LogFormat = strings.ToLower(strings.TrimSpace(c.LogFormat))
	if c.LogFormat == "" {
		c.LogFormat = DefaultLogFormat
	}
	c.WebSub.Hub = strings.TrimSpace(c.WebSub.Hub)
	if c.Storage.Driver == "" {
		c.Storage.Driver = DefaultDriver
	}
	if c.Storage.Driver == DriverSQLite && c.Storage.DSN == "" {
		c.Storage.DSN = DefaultSQLiteDSN
	}
	c.Schedule = strings.TrimSpace(c.Schedule)
	if c.Schedule == "" {
		c.Schedule = DefaultSchedule
	}
	for i := range c.Sources {
		s := &c.Sources[i]
		s.Schedule = strings.TrimSpace(s.Schedule)
		if s.Schedule == "" {
			s.Schedule = c.Schedule
		}
		if s.Kind == "" {
			s.Kind = KindFeed
		}
		if s.Retention.MaxAge == inheritAge {
			s.Retention.MaxAge = c.Retention.MaxAge
		}
		if s.Retention.MaxItems == inheritItems {
			s.Retention.MaxItems = c.Retention.MaxItems
		}
		if s.Timeout == inheritAge {
			s.Timeout = c.Fetch.Timeout
		}
	}
	c.Retention.Schedule = strings.TrimSpace(c.Retention.Schedule)
	if c.Retention.Schedule == "" {
		c.Retention.Schedule = DefaultRetentionSchedule
	}
	for i := range c.Feeds {
		if c.Feeds[i].Title == "" {
			c.Feeds[i].Title = c.Feeds[i].Name
		}
	}
}

// resolvePaths makes local file paths (sqlite DSN, file sources) absolute,
// relative to the directory of the configuration file.
func (c *Config) resolvePaths() {
	dir := c.dir()
	if c.Storage.Driver == DriverSQLite {
		c.Storage.DSN = resolveFile(dir, c.Storage.DSN)
	}
	for i := range c.Sources {
		c.Sources[i].URL = resolveSourceURL(dir, c.Sources[i].URL)
	}
}

// dir is the absolute directory relative paths are resolved against.
func (c *Config) dir() string {
	dir := filepath.Dir(c.Path)
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// DefaultBaseURL is base_url when the file sets none: http:// and the
// listen address (localhost for a listen address without a host).
func DefaultBaseURL(listen string) string {
	host := listen
	if h, port, err := net.SplitHostPort(listen); err == nil && h == "" {
		host = net.JoinHostPort("localhost", port)
	}
	return "http://" + host
}

// resolveFile makes a sqlite path absolute, relative to dir; special names
// (empty, ":memory:", a "file:" URI) and absolute paths pass through.
func resolveFile(dir, p string) string {
	if p == "" || p == ":memory:" || strings.HasPrefix(p, "file:") || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// resolveSourceURL turns a local source (a path or a file:// URL) into an
// absolute path and leaves every other URL alone for Validate to judge.
func resolveSourceURL(dir, raw string) string {
	s := strings.TrimSpace(raw)
	if s == "" {
		return s
	}
	if scheme, rest, ok := strings.Cut(s, ":"); ok && len(scheme) > 1 && isScheme(scheme) {
		switch strings.ToLower(scheme) {
		case "http", "https":
			return strings.ToLower(scheme) + ":" + rest
		case "file":
		default:
			return s
		}
		// file:///abs, file://localhost/abs, file:rel
		rest = strings.TrimPrefix(rest, "//localhost")
		if strings.HasPrefix(rest, "//") && !strings.HasPrefix(rest, "///") {
			return s // file://host/path: a remote host; Validate refuses it
		}
		rest = strings.TrimPrefix(rest, "//")
		if p, err := url.PathUnescape(rest); err == nil {
			rest = p
		}
		s = rest
	}
	if filepath.IsAbs(s) {
		return filepath.Clean(s)
	}
	return filepath.Join(dir, s)
}

// isScheme reports whether s is a URL scheme: a letter then letters,
// digits, '+', '-' or '.'.
func isScheme(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// IsFile reports whether the source is a local file; URL is then an
// absolute path (after Load), otherwise an http(s) URL.
func (s Source) IsFile() bool {
	return !strings.HasPrefix(s.URL, "http://") && !strings.HasPrefix(s.URL, "https://")
}

// Source returns the source called name.
func (c *Config) Source(name string) (Source, bool) {
	for _, s := range c.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return Source{}, false
}
