package postgres

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrInvalidDSN is returned (wrapped) by Open when the DSN cannot be parsed.
var ErrInvalidDSN = errors.New("invalid dsn")

// dsnPassword matches a password setting of a key=value DSN, with the
// spaces around "=" that libpq accepts and an optional quoted value.
var dsnPassword = regexp.MustCompile(`(?i)(?:^|\s)(?:ssl)?password\s*=\s*('(?:[^'\\]|\\.)*'?|\S*)`)

// dsnError says why pgx could not parse dsn without showing dsn. pgx quotes
// the DSN with the passwords it recognizes masked, which misses some that
// libpq accepts ("password = x"), and its reason can quote a neighbouring
// setting that swallowed the password ("connect_timeout= password=x"): the
// DSN is left out, and so is a reason that contains a password.
func dsnError(dsn string, err error) error {
	var pe *pgconn.ParseConfigError
	if !errors.As(err, &pe) {
		return ErrInvalidDSN
	}
	msg := pe.Error()
	i := strings.LastIndex(msg, "`: ")
	if i < 0 {
		return ErrInvalidDSN
	}
	reason := msg[i+len("`: "):]
	for _, pw := range dsnPasswords(dsn) {
		if strings.Contains(reason, pw) {
			return fmt.Errorf("%w (the reason would show the password)", ErrInvalidDSN)
		}
	}
	return fmt.Errorf("%w: %s", ErrInvalidDSN, reason)
}

// dsnPasswords returns the passwords dsn may hold, quoted or not, as best it
// can tell for a DSN that does not parse: the userinfo password and the
// password parameters of a URL, the password settings of a key=value string.
func dsnPasswords(dsn string) []string {
	var pws []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			pws = append(pws, s, strings.Trim(s, "'"))
		}
	}
	if scheme, rest, ok := strings.Cut(dsn, "://"); ok && !strings.ContainsAny(scheme, " =") {
		if at := strings.LastIndexByte(rest, '@'); at >= 0 {
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok {
				add(pw)
				if u, err := url.PathUnescape(pw); err == nil {
					add(u)
				}
			}
		}
		if _, query, ok := strings.Cut(rest, "?"); ok {
			for _, kv := range strings.Split(query, "&") {
				if k, v, _ := strings.Cut(kv, "="); strings.EqualFold(k, "password") || strings.EqualFold(k, "sslpassword") {
					add(v)
					if u, err := url.QueryUnescape(v); err == nil {
						add(u)
					}
				}
			}
		}
		return pws
	}
	for _, m := range dsnPassword.FindAllStringSubmatch(dsn, -1) {
		add(m[1])
	}
	return pws
}
