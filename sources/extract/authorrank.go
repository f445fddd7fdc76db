package extract

import (
	"cmp"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"

	"github.com/tributary/tributary/feeds"
)

// signal is a kind of evidence a page gives about its authors.
type signal int

// The signals, in order of trust: between candidates of equal score the
// one a more trusted signal names first wins.
const (
	sigJSONLD     signal = iota // the JSON-LD article's author
	sigMicrodata                // an itemprop=author element
	sigByline                   // a visible byline element (class byline, author...)
	sigHCard                    // an h-entry's p-author
	sigRelAuthor                // a rel=author link
	sigPageMarkup               // itemprop=author or rel=author outside the story
	sigMeta                     // a meta tag: byl, dc:creator, author, article:author...
	sigLibrary                  // go-readability's byline
	sigBox                      // an "About the author" box
	sigHandleLink               // a link whose text is the Twitter handle, without "@"
)

// weight is how much a signal's naming a candidate counts. A visible
// byline and structured data outweigh meta tags, which a CMS fills with
// defaults; the library's byline mostly repeats the meta tags, and an
// author box only confirms.
func (s signal) weight() int {
	switch s {
	case sigJSONLD, sigMicrodata, sigByline, sigHCard:
		return 3
	case sigRelAuthor, sigPageMarkup, sigMeta:
		return 2
	default:
		return 1
	}
}

// authorListing is the authors one signal names in one place (a byline
// element, a meta tag, the JSON-LD author list), in their order.
type authorListing struct {
	sig     signal
	authors []feeds.Author
}

// nameClass grades a candidate name.
type nameClass int

const (
	// notName is never an author: a handle, a date, a "More ..." link, a
	// string with digits, a sentence.
	notName nameClass = iota
	// weakName is an author only when nothing better is on the page: a job
	// title or desk ("Our Foreign Staff"), the site's own name.
	weakName
	// plainName may be a name: one word, or words not capitalized.
	plainName
	// personName looks like a person's name: two to five capitalized
	// words, or "Surname, Initials".
	personName
)

// bonus is what a name's class adds to its score.
func (k nameClass) bonus() int {
	switch k {
	case weakName:
		return -6
	case personName:
		return 2
	}
	return 0
}

var (
	// rxHandle is a social-media handle.
	rxHandle = regexp.MustCompile(`^@[\p{L}\p{N}_.]+$`)
	// rxSurnameInitials is "Kooman, F." or "Jong, Michiel de": a surname,
	// a comma and given names or initials.
	rxSurnameInitials = regexp.MustCompile(`^\p{Lu}[\p{L}'’-]+,\s*(?:\p{Lu}\.\s*(?:-?\p{Lu}\.\s*)*|\p{Lu}\p{Ll}+(?:\s+\p{Ll}{1,4})?)$`)
	// rxMonthDigits is a month name next to a number: a date.
	rxMonthDigits = regexp.MustCompile(`(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*\d|\d\s*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)`)
)

// classify grades name, a cleaned candidate; siteNames are the names of
// the publication.
func classify(name string, siteNames []string) nameClass {
	if name == "" || rxHandle.MatchString(name) || rxNotName.MatchString(name) || isURL(name) ||
		rxMonthDigits.MatchString(name) || strings.ContainsFunc(name, unicode.IsDigit) ||
		utf8.RuneCountInString(name) > 60 || len(strings.Fields(name)) > 6 {
		return notName
	}
	if rxJobTitle.MatchString(name) {
		return weakName
	}
	k := nameKey(name)
	for _, s := range siteNames {
		if k == nameKey(s) {
			return weakName
		}
	}
	if rxSurnameInitials.MatchString(name) {
		return personName
	}
	if f := strings.Fields(name); len(f) >= 2 && isNameLike(name) {
		return personName
	}
	return plainName
}

// nameKey is what two spellings of one name have in common: lower-case
// letters and digits without accents, single-spaced.
func nameKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// isAllCaps reports whether s has letters and no lower-case one.
func isAllCaps(s string) bool {
	return strings.ContainsFunc(s, unicode.IsUpper) && !strings.ContainsFunc(s, unicode.IsLower)
}

// handleMatches reports whether the Twitter handle h (without "@") is
// plausibly the account of the person called name: the handle holds the
// last word of the name ("erinmcunningham" for Erin Cunningham,
// "bromano" for Benjamin Romano).
func handleMatches(h, name string) bool {
	f := strings.Fields(nameKey(name))
	if len(f) == 0 || utf8.RuneCountInString(f[len(f)-1]) < 2 {
		return false
	}
	return strings.Contains(nameKey(h), f[len(f)-1])
}

// person is one candidate author: the records of every signal naming
// them.
type person struct {
	name  string
	class nameClass
	// sigs are the signals naming the person, each once.
	sigs map[signal]bool
}

// score is a person's standing: the weights of the signals naming them,
// so that agreement counts, and their name's class.
func (p *person) score() int {
	s := p.class.bonus()
	for sig := range p.sigs {
		s += sig.weight()
	}
	return s
}

// rankAuthors returns the story's authors among the candidates every
// listing names: the best person by score (see person.score), ties going
// to the most trusted listing, with the co-authors the best listing naming
// them gives. Names that are never names (handles, dates, "More ..."
// links) are dropped; a weak name (a job title, the site's name) stands
// only when nothing else does, a name the feed gives (feed) that is not
// weak included. known names (the feed item's) confirm the candidates they
// name. It returns nil when no listing names anyone, and nil with refused
// set when the best is a weak name and a name of feed is not.
func rankAuthors(listings []authorListing, siteNames, known, feed []string) (names []string, refused bool) {
	people := make(map[string]*person)
	// in is the people in the order of their first naming: listings in
	// trust order, stable within a signal, names in listing order.
	var in []*person
	order := sortedListings(listings)
	for _, l := range order {
		for _, a := range l.authors {
			k := nameKey(a.Name)
			if k == "" {
				continue
			}
			p := people[k]
			if p == nil {
				class := classify(a.Name, siteNames)
				if class == notName {
					continue
				}
				p = &person{name: a.Name, class: class, sigs: make(map[signal]bool)}
				people[k] = p
				in = append(in, p)
			}
			p.sigs[l.sig] = true
			// "Jeffrey Gettleman" rather than "JEFFREY GETTLEMAN".
			if isAllCaps(p.name) && !isAllCaps(a.Name) {
				p.name = a.Name
			}
		}
	}
	if len(in) == 0 {
		return nil, false
	}
	knownKeys := make(map[string]bool, len(known))
	for _, n := range known {
		knownKeys[nameKey(n)] = true
	}
	score := func(p *person) int {
		s := p.score()
		if knownKeys[nameKey(p.name)] {
			s += 2
		}
		return s
	}
	// The first named wins a tie.
	best := in[0]
	for _, p := range in[1:] {
		if score(p) > score(best) {
			best = p
		}
	}
	// A stand-in (the site's name, a job title) does not replace a
	// person the feed names.
	if best.class <= weakName && slices.ContainsFunc(feed, func(n string) bool { return classify(n, siteNames) > weakName }) {
		return nil, true
	}
	// The co-authors: the listing naming the winner whose other names are
	// best confirmed; only names of the winner's class or better, so that
	// a job title does not join a person.
	bestKey := nameKey(best.name)
	var pick []string
	pickScore := -1
	for _, l := range order {
		var names []string
		has := false
		confirmed := 0
		seen := make(map[string]bool)
		for _, a := range l.authors {
			k := nameKey(a.Name)
			p := people[k]
			if p == nil || seen[k] || p.class < best.class && p.class < plainName {
				continue
			}
			seen[k] = true
			if k == bestKey {
				has = true
			} else if len(p.sigs) > 1 {
				confirmed++
			}
			names = append(names, p.name)
		}
		if !has {
			continue
		}
		if s := l.sig.weight() + 2*confirmed; s > pickScore {
			pick, pickScore = names, s
		}
	}
	return pick, false
}

// sortedListings returns the listings in order of trust of their signal,
// keeping the order of those of one signal.
func sortedListings(listings []authorListing) []authorListing {
	out := make([]authorListing, 0, len(listings))
	for s := sigJSONLD; s <= sigHandleLink; s++ {
		for _, l := range listings {
			if l.sig == s {
				out = append(out, l)
			}
		}
	}
	return out
}

// completeAuthors returns the authors called names, each completed (URL,
// avatar, bio, e-mail) from the records that describe that very person
// (see describes), most trusted first: never from another candidate's.
func completeAuthors(names []string, listings []authorListing, base *url.URL) []feeds.Author {
	out := make([]feeds.Author, len(names))
	for i, name := range names {
		out[i].Name = name
		for _, l := range sortedListings(listings) {
			for _, a := range l.authors {
				if !describes(a, l.authors, name, names) {
					continue
				}
				out[i].Email = cmp.Or(out[i].Email, a.Email)
				out[i].URL = cmp.Or(out[i].URL, absURL(base, a.URL))
				out[i].Avatar = cmp.Or(out[i].Avatar, absURL(base, a.Avatar))
				out[i].Bio = cmp.Or(out[i].Bio, a.Bio)
			}
		}
	}
	return out
}

// describes reports whether record a, found in the listing g, is about
// the author called name, one of the story's authors names: it has the
// same name; or, for a story with a single author, it names part of the
// name ("About Maria" for Maria Lopez), or names no one and is alone in
// its listing (an og article:author link, an "About the author" box).
func describes(a feeds.Author, g []feeds.Author, name string, names []string) bool {
	return nameKey(a.Name) == nameKey(name) && a.Name != "" ||
		len(names) == 1 && (a.Name == "" && len(g) == 1 || knownName(a.Name, names))
}

// attachHandles gives a Twitter handle's profile URL to the author it
// belongs to when that author has no URL: the author whose name the handle
// spells, else the only author, unless the handle is the site's own
// account.
func attachHandles(authors []feeds.Author, handles []string, siteHandle string) {
	for _, h := range handles {
		if strings.EqualFold(h, siteHandle) {
			continue
		}
		i := -1
		for j, a := range authors {
			if handleMatches(h, a.Name) {
				i = j
				break
			}
		}
		if i < 0 && len(authors) == 1 {
			i = 0
		}
		if i >= 0 && authors[i].URL == "" {
			authors[i].URL = twitterURL(h)
		}
	}
}

// handleLinks returns the links of the page, outside its comments and
// related stories, whose text is one of the Twitter handles without its
// "@" ("Sleyca" linking to the author's profile): the name the page shows
// for an author known by that handle.
func handleLinks(doc *html.Node, handles []string) authorListing {
	l := authorListing{sig: sigHandleLink}
	if len(handles) == 0 {
		return l
	}
	walk(doc, func(n *html.Node) bool {
		if isForeignClass(n) {
			return false
		}
		if n.DataAtom != atom.A {
			return true
		}
		t := text(n)
		for _, h := range handles {
			if strings.EqualFold(t, h) && !strings.Contains(attr(n, "href"), "twitter.com") {
				l.authors = append(l.authors, feeds.Author{Name: t, URL: attr(n, "href")})
				return false
			}
		}
		return false
	})
	return l
}

// twitterURL is the profile page of a Twitter (X) handle. twitter.com
// rather than x.com: it is what pages link to and still redirects.
func twitterURL(h string) string {
	return "https://twitter.com/" + h
}
