package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/tributary/tributary/sources"
)

// Fingerprints say what a source's configuration asks of its fetches, so
// that a run can tell that it changed since the last success and fetch
// afresh (see Runner.Run). Each is the hex SHA-256 of a canonical JSON
// encoding; neither holds anything in clear.
type Fingerprints struct {
	// Document covers what decides the articles read from the source's
	// document: its URL without credentials, its kind, its selectors, how
	// many items are kept, whether full text is on and its rewriting
	// (remove and replace). When it changes the document's validators are
	// dropped and the document is parsed again, so that a changed rule
	// applies on the next run even to a source that would answer 304.
	Document string
	// Pages covers what decides the text extracted from article pages:
	// the remove selectors and the replace rules. When it changes on a
	// full-text source, the
	// document is parsed again and the pages of the articles it lists are
	// fetched without validators and extracted again.
	Pages string
}

// fingerprintVersion is part of what is hashed: a change of the encoding
// below bumps it, so that every source is fetched afresh once rather than
// compared with hashes of another shape.
const fingerprintVersion = 1

// Fingerprints returns the fingerprints of s. What is left out does not
// move them: the name, the schedule, tags, retention and enabled (they
// change when or where articles go, not what a fetch reads), and the
// credentials of the URL (user:password@): a password in an unsalted hash
// stored beside the URL could be guessed offline by whoever reads the
// store, and a changed password does not change the document; `tributary
// fetch --force` fetches afresh when a changed account sees another one.
// The headers, User-Agent and timeout are left out for the same reason
// (a header value is often a credential) and because they say how to ask,
// not what to read: a changed value is used from the next run on (a
// reload builds the runs anew), with the validators of the last one.
// Selectors and the kind are trimmed (and the kind lowercased, empty being
// feed) as Fetch reads them, so a change of spacing moves nothing; the
// order of remove selectors is kept, as written.
func (s Source) Fingerprints() Fingerprints {
	kind := strings.ToLower(strings.TrimSpace(s.Kind))
	if kind == "" {
		kind = sources.KindFeed
	}
	sel := s.Selectors
	// One field a line, name then Go-quoted value: no value can run into
	// the next field.
	doc := sha256.New()
	fmt.Fprintf(doc, "v %d\nurl %q\nkind %q\nselectors %q\nmax_items %d\nfulltext %t\n",
		fingerprintVersion, sources.DocumentURL(strings.TrimSpace(s.URL)), kind,
		trimAll([]string{sel.Item, sel.Title, sel.Link, sel.Summary, sel.Image, sel.Date}),
		s.MaxItems, s.FullText)
	// Rewriting is hashed only when there is some, so that the sources
	// that have none keep the fingerprints they had before it applied to
	// documents (an upgrade fetches afresh only the sources it changes).
	rw := s.Rewrite
	if len(rw.Remove) > 0 || len(rw.Replace) > 0 {
		fmt.Fprintf(doc, "remove %q\nreplace %q\n", trimAll(rw.Remove), replaceRules(rw.Replace))
	}
	pages := sha256.New()
	fmt.Fprintf(pages, "v %d\nremove %q\n", fingerprintVersion, trimAll(rw.Remove))
	if len(rw.Replace) > 0 {
		fmt.Fprintf(pages, "replace %q\n", replaceRules(rw.Replace))
	}
	return Fingerprints{Document: hex.EncodeToString(doc.Sum(nil)), Pages: hex.EncodeToString(pages.Sum(nil))}
}

// replaceRules returns the replace rules as three strings each: the field
// as Fetch reads it (trimmed, lowercased), the pattern and its
// replacement as written, since their spaces match and are inserted.
func replaceRules(rules []sources.Replace) []string {
	out := make([]string, 0, 3*len(rules))
	for _, r := range rules {
		out = append(out, strings.ToLower(strings.TrimSpace(r.Field)), r.Pattern, r.With)
	}
	return out
}

// trimAll returns ss with each string trimmed of spaces; never nil, so
// that no list and an empty one hash alike.
func trimAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}
