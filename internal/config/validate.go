package config

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/andybalholm/cascadia"
	"github.com/robfig/cron/v3"
	"golang.org/x/text/language"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/internal/redact"
	"github.com/tributary/tributary/sources"
)

// slugPattern is the shape of source, feed and tag names.
const slugPattern = `^[a-z0-9][a-z0-9_-]*$`

var (
	slugRE = regexp.MustCompile(slugPattern)
	attrRE = regexp.MustCompile(`^[A-Za-z_:][-A-Za-z0-9_:.]*$`)
)

// validator collects problems with the line of their field.
type validator struct {
	c    *Config
	errs Errors
}

// at records a problem at path, located at the line of path or of its
// nearest ancestor present in the file. It stays quiet when parsing has
// refused the value at path or at an ancestor: what is left there is a
// default or a stand-in, and a second message would only repeat the first.
func (v *validator) at(path string, format string, args ...any) {
	for p := path; p != ""; p = parentPath(p) {
		if v.c.reported[p] {
			return
		}
	}
	v.errs = append(v.errs, &FieldError{File: v.c.Path, Path: path, Line: v.c.line(path), Err: fmt.Errorf(format, args...)})
}

// line returns the line of path in the file, or of its nearest ancestor
// when path itself is absent; 0 when nothing is known.
func (c *Config) line(path string) int {
	for p := path; p != ""; p = parentPath(p) {
		if l, ok := c.pos[p]; ok {
			return l
		}
	}
	return 0
}

// Validate checks the whole configuration and returns every problem found
// as an Errors value, ordered by line, or nil. It expects the defaults Load
// fills; a Config built in Go gets no line numbers. It checks that local
// source files exist, so its answer can change with the filesystem.
func (c *Config) Validate() error {
	v := &validator{c: c}
	v.server()
	v.storage()
	v.schedule("schedule", c.Schedule)
	v.fetch()
	v.sources()
	v.feeds()
	v.retention()
	v.websub()
	return v.errs.orNil()
}

func (v *validator) server() {
	c := v.c
	if err := checkListen(c.Listen); err != nil {
		v.at("listen", "invalid address %q: %v", c.Listen, err)
	}
	if err := CheckBaseURL(c.BaseURL); err != nil {
		v.at("base_url", "invalid URL %q: %v", redact.URL(c.BaseURL), err)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		v.at("log_level", "unknown level %q: want debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		v.at("log_format", "unknown format %q: want text or json", c.LogFormat)
	}
	for i, n := range c.Metrics.Allow {
		if _, err := parseNetwork(n); err != nil {
			v.at(fmt.Sprintf("metrics.allow[%d]", i), "invalid network %q: %v", n, err)
		}
	}
}

// checkListen accepts host:port with a numeric port; the host may be empty
// (every interface), an IP address or a name.
func checkListen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want host:port, like 127.0.0.1:8080 or :8080")
	}
	if strings.ContainsAny(host, " /") {
		return fmt.Errorf("bad host %q", host)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

// CheckBaseURL accepts an absolute http(s) URL with a host and no query or
// fragment: base_url, or what overrides it (build --base-url).
func CheckBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return URLParseReason(raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("want an absolute http:// or https:// URL")
	}
	if u.Host == "" || u.Hostname() == "" {
		return errors.New("missing host")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return errors.New("must not have a query or fragment")
	}
	return nil
}

func (v *validator) storage() {
	st := v.c.Storage
	switch st.Driver {
	case DriverSQLite:
		switch {
		case st.DSN == "":
			v.at("storage.dsn", "required")
		case st.DSN == ":memory:":
			v.at("storage.dsn", "an in-memory database would lose every story at exit: want a file path")
		case strings.HasPrefix(st.DSN, "file:"):
			v.at("storage.dsn", "want a file path, not a file: URI (Tributary sets the SQLite parameters itself)")
		}
	case DriverPostgres:
		if st.DSN == "" {
			v.at("storage.dsn", "required for driver postgres: a postgres:// URL or key=value string")
			return
		}
		if strings.Contains(st.DSN, "://") {
			u, err := url.Parse(st.DSN)
			if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
				// Do not echo the DSN: it may hold a password.
				v.at("storage.dsn", "want a postgres:// or postgresql:// URL or a key=value string")
			}
		} else if !strings.Contains(st.DSN, "=") {
			v.at("storage.dsn", "want a postgres:// URL or a key=value string like \"host=localhost dbname=tributary\"")
		}
	default:
		v.at("storage.driver", "unknown driver %q: want sqlite or postgres", st.Driver)
	}
}

// schedule checks a cron spec with robfig/cron's standard parser, which
// also takes descriptors (@hourly, @every 1h30m), and refuses what that
// parser lets through but cannot mean what was written.
func (v *validator) schedule(path, spec string) {
	v.scheduleEvery(path, spec, MinEvery)
}

// scheduleEvery is schedule with the shortest "@every" interval allowed.
func (v *validator) scheduleEvery(path, spec string, minEvery time.Duration) {
	if err := checkSchedule(spec, time.Now(), minEvery); err != nil {
		v.at(path, "invalid cron spec %q: %v", spec, err)
	}
}

// checkSchedule parses spec as internal/schedule will and checks that it
// fires, after now, at the times it spells out.
func checkSchedule(spec string, now time.Time, minEvery time.Duration) error {
	body := spec
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		// robfig/cron slices up to the first space without checking
		// there is one, and panics.
		_, rest, ok := strings.Cut(spec, " ")
		if !ok {
			return errors.New("a time zone must be followed by a schedule, like \"CRON_TZ=Europe/Paris 0 6 * * *\"")
		}
		body = strings.TrimSpace(rest)
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return err
	}
	if every, ok := strings.CutPrefix(body, "@every "); ok {
		// robfig/cron runs anything under a second every second and drops
		// fractions of a second, so check the duration as written.
		d, err := time.ParseDuration(every)
		if err != nil {
			return err
		}
		switch {
		case d < minEvery:
			return fmt.Errorf("@every needs an interval of at least %v, got %v", minEvery, d)
		case d%time.Second != 0:
			return fmt.Errorf("@every takes whole seconds, got %v", d)
		}
		return nil
	}
	// robfig/cron looks five years ahead and gives up: such a spec names a
	// date that does not exist, like 30 February.
	if sched.Next(now).IsZero() {
		return errors.New("never fires: no date matches it")
	}
	return nil
}

func (v *validator) fetch() {
	f := v.c.Fetch
	if f.Timeout <= 0 {
		v.at("fetch.timeout", "must be positive, got %s", f.Timeout)
	}
	if f.ConnectTimeout <= 0 {
		v.at("fetch.connect_timeout", "must be positive, got %s", f.ConnectTimeout)
	}
	switch {
	case f.MaxBodySize <= 0:
		v.at("fetch.max_body_size", "must be positive, got %d", f.MaxBodySize)
	case f.MaxBodySize > sources.MaxBodyBytes:
		v.at("fetch.max_body_size", "must be at most %dMiB (%d bytes), the most a fetch ever reads; got %d bytes", sources.MaxBodyBytes>>20, sources.MaxBodyBytes, f.MaxBodySize)
	}
	if f.MaxRedirects < 0 {
		v.at("fetch.max_redirects", "must not be negative, got %d", f.MaxRedirects)
	}
	if f.PerHostConcurrency < 1 {
		v.at("fetch.per_host_concurrency", "must be at least 1, got %d", f.PerHostConcurrency)
	}
	if f.Workers < 1 {
		v.at("fetch.workers", "must be at least 1, got %d", f.Workers)
	}
	if f.MaxItemsPerSource < 1 {
		v.at("fetch.max_items_per_source", "must be at least 1, got %d", f.MaxItemsPerSource)
	}
	if strings.ContainsFunc(f.UserAgent, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		v.at("fetch.user_agent", "must not contain control characters")
	}
	if f.Proxy != "" {
		if _, err := ParseProxy(f.Proxy); err != nil {
			v.at("fetch.proxy", "%v", err)
		}
	}
}

// websub checks the hub's URL and the publish timeout.
func (v *validator) websub() {
	w := v.c.WebSub
	if w.Hub != "" {
		if err := checkHubURL(w.Hub); err != nil {
			v.at("websub.hub", "invalid URL %q: %v", redact.URL(w.Hub), err)
		}
	}
	switch {
	case w.Timeout <= 0:
		v.at("websub.timeout", "must be positive, got %s", w.Timeout)
	case w.Timeout > MaxWebSubTimeout:
		v.at("websub.timeout", "must be at most %s, got %s", MaxWebSubTimeout, w.Timeout)
	}
}

// checkHubURL accepts an absolute http(s) URL with a host and no
// fragment; a path and a query are the hub's business.
func checkHubURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return URLParseReason(raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("want an absolute http:// or https:// URL")
	case u.Hostname() == "":
		return errors.New("missing host")
	case u.Fragment != "" || strings.HasSuffix(raw, "#"):
		return errors.New("must not have a fragment")
	}
	return nil
}

// ParseProxy parses fetch.proxy: an http or https URL with a host, and
// nothing after it but an optional "/". Errors show the URL with its
// credentials masked.
func ParseProxy(raw string) (*url.URL, error) {
	shown := redact.URL(raw)
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil:
		return nil, fmt.Errorf("invalid proxy URL %q: %v", shown, URLParseReason(raw, err))
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("invalid proxy URL %q: want an http:// or https:// URL, like http://proxy.internal:3128 (socks and other schemes are not supported)", shown)
	case u.Hostname() == "":
		return nil, fmt.Errorf("invalid proxy URL %q: missing host", shown)
	case u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("invalid proxy URL %q: a proxy is a scheme, host and port, without a path or query", shown)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("invalid proxy URL %q: port %q is not a number from 1 to 65535", shown, p)
		}
	}
	return u, nil
}

// outbound checks what source i sends with its requests: headers, a
// User-Agent and a timeout. Header values are never shown: they may be
// credentials.
func (v *validator) outbound(p string, s Source) {
	if len(s.Headers) > 0 || s.UserAgent != "" {
		if s.IsFile() {
			key := "headers"
			if len(s.Headers) == 0 {
				key = "user_agent"
			}
			v.at(p+"."+key, "only for http(s) sources: a local file is read from disk")
		}
	}
	if len(s.Headers) > fetch.MaxHeaders {
		v.at(p+".headers", "at most %d headers, got %d", fetch.MaxHeaders, len(s.Headers))
	}
	names := slices.Sorted(maps.Keys(s.Headers))
	first := map[string]string{}
	for _, name := range names {
		hp := p + ".headers." + name
		canon := http.CanonicalHeaderKey(name)
		if other, dup := first[canon]; dup {
			v.at(hp, "header %s is also set as %q: header names ignore case", canon, other)
			continue
		}
		first[canon] = name
		if err := fetch.CheckHeader(name, s.Headers[name]); err != nil {
			v.at(hp, "%v", err)
		}
	}
	if s.UserAgent != "" {
		if err := fetch.CheckUserAgent(s.UserAgent); err != nil {
			v.at(p+".user_agent", "%v", err)
		}
	}
	if _, set := v.c.pos[p+".timeout"]; set && (s.Timeout <= 0 || s.Timeout > MaxSourceTimeout) {
		v.at(p+".timeout", "must be more than 0s and at most %s, got %s", MaxSourceTimeout, s.Timeout)
	}
}

func (v *validator) sources() {
	c := v.c
	if len(c.Sources) == 0 {
		v.at("sources", "at least one source is required")
		return
	}
	seen := map[string]int{}
	for i, s := range c.Sources {
		p := fmt.Sprintf("sources[%d]", i)
		if v.name(p+".name", "source", s.Name) {
			if first, dup := seen[s.Name]; dup {
				v.at(p+".name", "duplicate source name %q (first used by sources[%d]%s)", s.Name, first, v.c.onLine(fmt.Sprintf("sources[%d]", first)))
			} else {
				seen[s.Name] = i
			}
		}
		v.sourceURL(p+".url", s.URL)
		if s.Schedule != c.Schedule { // the top-level spec is checked once
			v.schedule(p+".schedule", s.Schedule)
		}
		for j, tag := range s.Tags {
			if !slugRE.MatchString(tag) {
				v.at(fmt.Sprintf("%s.tags[%d]", p, j), "invalid tag %q: want a slug matching %s", tag, slugPattern)
			}
		}
		v.rewrite(p, s)
		v.kind(p, s)
		v.outbound(p, s)
		v.filter(p, s.Include, s.Exclude)
	}
}

// filter checks the include and exclude patterns of the source or feed
// at p with feeds.NewFilter, which the publisher builds its filters with,
// each refused pattern at its own line.
func (v *validator) filter(p string, include, exclude feeds.Rules) {
	_, err := feeds.NewFilter(include, exclude)
	var pes feeds.PatternErrors
	if !errors.As(err, &pes) {
		return
	}
	for _, pe := range pes {
		if pe.Index < 0 {
			v.at(p+"."+pe.Rule, "%v", pe.Err)
			continue
		}
		v.at(fmt.Sprintf("%s.%s.%s[%d]", p, pe.Rule, pe.Field, pe.Index), "pattern %q: %v", pe.Pattern, pe.Err)
	}
}

// rewrite checks a source's remove selectors and replace rules.
func (v *validator) rewrite(p string, s Source) {
	if len(s.Remove) > sources.MaxRemove {
		v.at(p+".remove", "%d selectors, more than %d", len(s.Remove), sources.MaxRemove)
	}
	for j, sel := range s.Remove {
		if err := sources.CheckRemove(sel); err != nil {
			v.at(fmt.Sprintf("%s.remove[%d]", p, j), "invalid CSS selector %q: %v", sel, err)
		}
	}
	if len(s.Replace) > sources.MaxReplace {
		v.at(p+".replace", "%d rules, more than %d", len(s.Replace), sources.MaxReplace)
	}
	for j, r := range s.Replace {
		if err := r.Check(); err != nil {
			v.at(fmt.Sprintf("%s.replace[%d]", p, j), "%v", err)
		}
	}
}

// name checks a required slug and reports whether it is valid.
func (v *validator) name(path, what, name string) bool {
	switch {
	case name == "":
		v.at(path, "required: a %s name like my-%s", what, what)
		return false
	case !slugRE.MatchString(name):
		v.at(path, "invalid %s name %q: want a slug matching %s", what, name, slugPattern)
		return false
	}
	return true
}

// URLParseReason is why url.Parse refused raw (err is its error), without
// the URL that error repeats. A URL with userinfo gets no reason, only
// "malformed": in a malformed one, net/url may quote part of the password
// as a port or a host name.
func URLParseReason(raw string, err error) error {
	if strings.Contains(raw, "@") {
		return errors.New("malformed")
	}
	return errors.Unwrap(err)
}

// sourceURL checks an http(s) URL, or a local file that must exist.
func (v *validator) sourceURL(path, raw string) {
	if raw == "" {
		v.at(path, "required: an http(s) URL or a local file path")
		return
	}
	if strings.HasPrefix(raw, "/") { // resolved local file
		fi, err := os.Stat(raw)
		switch {
		case err != nil && errors.Is(err, os.ErrNotExist):
			v.at(path, "local file %s does not exist (a source is an http(s) URL, a file:// URL or a file path)", raw)
		case err != nil:
			v.at(path, "local file: %v", err)
		case fi.IsDir():
			v.at(path, "local file %s is a directory", raw)
		}
		return
	}
	// The URL is shown without its credentials.
	u, err := url.Parse(raw)
	shown := redact.URL(raw)
	switch {
	case err != nil:
		v.at(path, "invalid URL %q: %v", shown, URLParseReason(raw, err))
	case u.Scheme == "file":
		v.at(path, "invalid URL %q: a file:// URL must not name a remote host", shown)
	case u.Scheme != "http" && u.Scheme != "https":
		v.at(path, "invalid URL %q: unsupported scheme %q (want http, https or file)", shown, u.Scheme)
	case u.Hostname() == "":
		v.at(path, "invalid URL %q: missing host", shown)
	}
}

// kind checks the source kind and the selectors it requires or forbids.
func (v *validator) kind(p string, s Source) {
	_, hasSelectors := v.c.pos[p+".selectors"]
	hasSelectors = hasSelectors || s.Selectors != sources.Selectors{}
	switch s.Kind {
	case KindFeed:
		if hasSelectors {
			v.at(p+".selectors", "only allowed with kind: page")
		}
	case KindPage:
		if !hasSelectors {
			v.at(p+".selectors", "required for kind: page (at least item and link)")
			return
		}
		sel := s.Selectors
		if sel.Item == "" {
			v.at(p+".selectors.item", "required for kind: page")
		}
		if sel.Link == "" {
			v.at(p+".selectors.link", "required for kind: page")
		}
		for _, f := range []struct{ key, val string }{
			{"item", sel.Item}, {"title", sel.Title}, {"link", sel.Link},
			{"summary", sel.Summary}, {"image", sel.Image}, {"date", sel.Date},
		} {
			if f.val == "" {
				continue
			}
			css, attr := splitSelector(f.val)
			if f.key == "item" && attr != "" {
				v.at(p+".selectors.item", "the item selector cannot read an attribute (%q)", "@"+attr)
			}
			if _, err := cascadia.Compile(css); err != nil {
				v.at(p+".selectors."+f.key, "invalid CSS selector %q: %v", css, err)
			}
		}
	default:
		v.at(p+".kind", "unknown kind %q: want feed or page", s.Kind)
	}
}

// splitSelector splits "css@attr" at its last '@' when what follows is an
// attribute name, so an '@' inside an attribute selector
// (a[href*="@example"]) stays part of the CSS.
func splitSelector(s string) (css, attr string) {
	i := strings.LastIndexByte(s, '@')
	if i < 0 || !attrRE.MatchString(s[i+1:]) {
		return strings.TrimSpace(s), ""
	}
	return strings.TrimSpace(s[:i]), s[i+1:]
}

func (v *validator) feeds() {
	c := v.c
	if len(c.Feeds) == 0 {
		v.at("feeds", "at least one feed is required")
		return
	}
	tags := map[string]bool{}
	for _, s := range c.Sources {
		for _, t := range s.Tags {
			tags[t] = true
		}
	}
	seen := map[string]int{}
	for i, f := range c.Feeds {
		p := fmt.Sprintf("feeds[%d]", i)
		if v.name(p+".name", "feed", f.Name) {
			if first, dup := seen[f.Name]; dup {
				v.at(p+".name", "duplicate feed name %q (first used by feeds[%d]%s)", f.Name, first, v.c.onLine(fmt.Sprintf("feeds[%d]", first)))
			} else {
				seen[f.Name] = i
			}
		}
		if f.Limit < 1 || f.Limit > MaxFeedLimit {
			v.at(p+".limit", "must be from 1 to %d, got %d", MaxFeedLimit, f.Limit)
		}
		if f.PerSourceLimit < 0 {
			v.at(p+".per_source_limit", "must not be negative (0 means no cap), got %d", f.PerSourceLimit)
		}
		v.filter(p, f.Include, f.Exclude)
		v.feedMetadata(p, f)
		badRef := false
		for j, name := range f.Sources {
			if _, ok := c.Source(name); !ok {
				badRef = true
				v.at(fmt.Sprintf("%s.sources[%d]", p, j), "unknown source %q", name)
			}
		}
		for j, tag := range f.Tags {
			if !tags[tag] {
				badRef = true
				v.at(fmt.Sprintf("%s.tags[%d]", p, j), "no source has tag %q", tag)
			}
		}
		// A feed that names unknown sources or tags already has an error;
		// saying it also selects nothing would only repeat it.
		if !badRef && len(c.Sources) > 0 && len(c.FeedSources(f)) == 0 {
			v.at(p, "selects no source: every source it would take is disabled")
		}
	}
}

// feedMetadata checks the icon, logo, language and rights of feed f at
// path p.
func (v *validator) feedMetadata(p string, f Feed) {
	for _, k := range []struct{ key, val string }{{"icon", f.Icon}, {"logo", f.Logo}} {
		if err := checkFeedImage(k.val); err != nil {
			v.at(p+"."+k.key, "invalid URL %q: %v", redact.URL(k.val), err)
		}
	}
	if f.Language != "" {
		if _, err := language.Parse(f.Language); err != nil || !bcp47RE.MatchString(f.Language) {
			v.at(p+".language", "invalid language tag %q: want a BCP 47 tag like en, en-GB or pt-BR", f.Language)
		}
	}
	if n := utf8.RuneCountInString(f.Rights); n > MaxFeedRightsRunes {
		v.at(p+".rights", "too long: %d characters, at most %d", n, MaxFeedRightsRunes)
	} else if strings.ContainsAny(f.Rights, "\r\n") {
		v.at(p+".rights", "must be one line")
	}
}

// bcp47RE is the shape of a language tag: subtags of letters and digits
// joined by hyphens (language.Parse also accepts underscores).
var bcp47RE = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// checkFeedImage accepts an empty value, an absolute http(s) URL with a
// host, or a path (taken relative to base_url, see FeedImageURL). Unlike
// base_url it may have a query: image URLs often carry a version.
func checkFeedImage(raw string) error {
	if raw == "" {
		return nil
	}
	if len(raw) > MaxFeedImageURLLen {
		return fmt.Errorf("longer than %d bytes", MaxFeedImageURLLen)
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		return errors.New("must not contain spaces")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return URLParseReason(raw, err)
	}
	switch {
	case u.IsAbs() && u.Scheme != "http" && u.Scheme != "https":
		return errors.New("want an absolute http:// or https:// URL, or a path relative to base_url")
	case u.IsAbs() && u.Hostname() == "":
		return errors.New("missing host")
	case !u.IsAbs() && strings.HasPrefix(raw, "//"):
		return errors.New("want an absolute http:// or https:// URL, or a path relative to base_url")
	case u.User != nil:
		return errors.New("must not carry credentials: it is published")
	}
	return nil
}

// FeedSources returns the names of the enabled sources feed f selects,
// sorted: those named in f.Sources plus those carrying one of f.Tags, or
// every enabled source when f names neither.
func (c *Config) FeedSources(f Feed) []string {
	all := len(f.Sources) == 0 && len(f.Tags) == 0
	var names []string
	for _, s := range c.Sources {
		if !s.Enabled {
			continue
		}
		if all || slices.Contains(f.Sources, s.Name) || slices.ContainsFunc(s.Tags, func(t string) bool {
			return slices.Contains(f.Tags, t)
		}) {
			names = append(names, s.Name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// retention checks the top-level retention keys and each source's.
func (v *validator) retention() {
	r := v.c.Retention
	if r.MaxItems < 0 {
		v.at("retention.max_items", "must not be negative (0 means no limit), got %d", r.MaxItems)
	}
	v.scheduleEvery("retention.schedule", r.Schedule, MinRetentionEvery)
	for i, s := range v.c.Sources {
		p := fmt.Sprintf("sources[%d].retention.max_items", i)
		if _, set := v.c.pos[p]; set && s.Retention.MaxItems < 0 { // else inherited, reported above
			v.at(p, "must not be negative (0 means no limit), got %d", s.Retention.MaxItems)
		}
	}
}
