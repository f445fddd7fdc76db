// Package redact is the one rule for showing URLs to people: the userinfo
// of a URL ("https://user:password@host/feed", or a token alone as in
// "https://TOKEN@host/feed") is a credential, so whatever prints a URL
// (an error, a log line, a command's output, an error text kept in the
// store) shows it masked: "https://xxxxx@host/feed". The URL itself, with
// its credentials, is still what gets requested.
//
// It imports nothing of Tributary's, so every package may use it: the
// fetch client, sources, the pipeline and the configuration all show URLs.
package redact

import (
	"net/url"
	"strings"
)

// Mask stands for the userinfo of a URL shown to people.
const Mask = "xxxxx"

// URL returns raw, one URL, with its userinfo (user name and password)
// replaced by Mask, or raw unchanged when it has none. raw need not parse:
// in a malformed or opaque URL everything between "://" (or the start) and
// the last "@" is masked, since no one can tell where its userinfo ends
// ("user:SECRET@host" parses as the scheme "user").
func URL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err == nil && u.User != nil:
		m := *u
		m.User = url.User(Mask)
		return m.String()
	case err == nil && !strings.Contains(u.Opaque, "@"):
		return raw
	}
	at := strings.LastIndexByte(raw, '@')
	if at < 0 {
		return raw
	}
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 && i < at {
		start = i + len("://")
	}
	return raw[:start] + Mask + raw[at:]
}

// Text returns s, a message that may quote URLs (Go's own errors quote the
// URL they failed on, and sometimes a redirect's Location verbatim), with
// the userinfo of every "scheme://" URL in it replaced by Mask.
func Text(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, "://")
		if i < 0 {
			break
		}
		start := i + len("://")
		end := start + authorityLen(rest[start:])
		at := strings.LastIndexByte(rest[start:end], '@')
		if at < 0 {
			b.WriteString(rest[:end])
		} else {
			b.WriteString(rest[:start])
			b.WriteString(Mask)
			b.WriteString(rest[start+at : end])
		}
		rest = rest[end:]
	}
	if b.Len() == 0 {
		return s
	}
	b.WriteString(rest)
	return b.String()
}

// authorityLen returns the length of the URL authority s starts with: up
// to the path, query or fragment, as net/url reads it, or up to whatever
// ends a URL quoted in a message.
func authorityLen(s string) int {
	if i := strings.IndexAny(s, "/?#\"`<> \t\r\n"); i >= 0 {
		return i
	}
	return len(s)
}

// Error returns err with its message passed through Text, or err itself
// when there was nothing to mask; errors.Is and errors.As still see err
// and what it wraps. nil stays nil.
func Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := Text(msg); red != msg {
		return &redacted{err: err, msg: red}
	}
	return err
}

// redacted is an error whose message has been masked.
type redacted struct {
	err error
	msg string
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }
