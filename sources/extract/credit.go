package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Credit forms. Each regexp matches a whole string that is nothing but a
// credit; the first submatch is the credited party. They are compiled once
// and never modified.
var (
	// "Credit: AP", "Image credit: NASA", "Source: Wikimedia Commons".
	rxCreditLabel = regexp.MustCompile(`(?i)^(?:(?:photo(?:graph)?|image|picture|pic|video|illustration)s?\s+)?(?:credits?|sources?)\s*[:\-–—]\s*(.+)$`)
	// "Photo: Jane Doe/Reuters", "Picture: X", "Photograph: X", "Photographer: X".
	rxCreditNoun = regexp.MustCompile(`(?i)^(?:photo(?:graph)?s?|images?|pictures?|pics?|illustrations?|photographer|artwork)\s*[:|–—]\s*(.+)$`)
	// "Photo by John Smith/Getty Images", "Illustration by Ann Lee", "Photographed by X".
	rxCreditBy = regexp.MustCompile(`(?i)^(?:(?:photo(?:graph)?s?|images?|pictures?|illustrations?|video|graphics?|artwork)(?:\s+taken)?|photographed|illustrated)\s+by\s+(.+)$`)
	// "Image from FBI", "Photo via Twitter" (only short credited parties
	// that look like names: "Image from the FBI's list shows the suspect
	// ..." and "Video from the scene shows police arriving" are captions).
	rxCreditFrom = regexp.MustCompile(`(?i)^(?:photo(?:graph)?s?|images?|pictures?|pics?|video|footage|screenshot)\s+(?:from|via)\s+(.+)$`)
	// "Courtesy of NASA", "Photo courtesy of the White House", "Courtesy: X".
	rxCreditCourtesy = regexp.MustCompile(`(?i)^(?:(?:photo(?:graph)?s?|images?|pictures?|video)\s+)?courtesy(?:\s+of)?\s*[:\-–—]?\s*(.+)$`)
	// "© Jane Doe", "(c) 2021 Reuters", "Copyright 2019 The Associated Press. All rights reserved."
	rxCreditCopyright = regexp.MustCompile(`(?i)^(?:©|\(c\)|copyright(?:\s*©)?)\s*(?:(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)?\d\d)?\s*[,.]?\s*)?(.+?)(?:[.,]?\s*all rights reserved\.?)?$`)
	// "AP Photo/Evan Vucci", "Reuters Photo / Jane Doe": the whole string is the credit.
	rxCreditAgencyPhoto = regexp.MustCompile(`^\p{Lu}[\p{L}.&' ]{0,30}\s+Photos?\s*/\s*\S.*$`)
	// "Reuters", "Getty Images", "Jane Doe/Reuters", "AFP via Getty Images".
	rxCreditAgency = regexp.MustCompile(`^(?:(?:\p{Lu}[\p{L}.'-]*\s+){0,3}\p{Lu}[\p{L}.'-]*\s*/\s*)?(?:AP|AFP|Reuters|Getty Images|EPA|EPA-EFE|Shutterstock|iStock|iStockphoto|Alamy|Bloomberg|Xinhua|PA|PA Images|PA Wire|ANP|DPA|dpa|Keystone|Sipa|NurPhoto|Unsplash|Pixabay|Wikimedia Commons)(?:\s*(?:/|via)\s*\S.*)?$`)
)

// maxCreditLen bounds what may be taken for a credit: longer text is prose.
const maxCreditLen = 120

// CaptionCredit returns an image's caption as written, whitespace
// collapsed, and its credit: the one its source names (credit, a
// media:credit or credit element), else the one ParseCredit finds in the
// caption. The caption keeps the credit it names ("Image from FBI" stays
// the caption, with "FBI" the credit), so that it reads as its author
// wrote it; the same rule serves feed images and extracted pages.
func CaptionCredit(caption, credit string) (string, string) {
	caption, credit = NormalizeText(caption), NormalizeText(credit)
	if credit == "" {
		credit, _ = ParseCredit(caption)
	}
	return caption, credit
}

// ParseCredit separates a photo credit from an image caption. It
// recognises the usual credit forms ("Image from FBI", "Photo: Jane
// Doe/Reuters", "Courtesy of NASA", "Credit: AP", "Image credit: ...",
// "Picture: ...", "© Jane Doe", "Source: ...", "AP Photo/Evan Vucci"), alone,
// in a trailing parenthesis ("A crowd. (Photo by John Smith/Getty Images)")
// or as the last sentence or |-separated part of the caption ("The pad at
// dawn. Photo: NASA"). It returns the credited party and the caption without
// the credit; when there is no credit, credit is empty and rest is the
// caption with its whitespace collapsed.
func ParseCredit(caption string) (credit string, rest string) {
	s := NormalizeText(caption)
	if s == "" {
		return "", ""
	}
	if c, ok := creditOnly(s); ok {
		return c, ""
	}
	// A trailing parenthesised or bracketed credit.
	if last := s[len(s)-1]; last == ')' || last == ']' {
		open := byte('(')
		if last == ']' {
			open = '['
		}
		if i := matchingOpen(s, open, last); i >= 0 {
			inner := strings.TrimSpace(s[i+1 : len(s)-1])
			if c, ok := creditOnly(inner); ok {
				return c, trimSep(s[:i])
			}
		}
	}
	// A trailing sentence or part: try the longest tail first, so that
	// "Photo by A. Smith/Reuters" is taken whole rather than "Smith/Reuters".
	for _, sep := range separators(s) {
		tail := strings.TrimSpace(s[sep.at+sep.len:])
		if c, ok := creditOnly(tail); ok {
			return c, trimSep(s[:sep.at+sep.keep])
		}
	}
	return "", s
}

// creditOnly reports whether s as a whole is a credit, and returns the
// credited party.
func creditOnly(s string) (string, bool) {
	if s == "" || utf8.RuneCountInString(s) > maxCreditLen+20 {
		return "", false
	}
	for _, rx := range []*regexp.Regexp{rxCreditLabel, rxCreditCourtesy, rxCreditBy, rxCreditNoun, rxCreditCopyright} {
		if m := rx.FindStringSubmatch(s); m != nil {
			if c := cleanCredit(m[1]); c != "" {
				return c, true
			}
		}
	}
	if m := rxCreditFrom.FindStringSubmatch(s); m != nil && len(strings.Fields(m[1])) <= 6 && isCreditName(m[1]) {
		if c := cleanCredit(m[1]); c != "" {
			return c, true
		}
	}
	if rxCreditAgencyPhoto.MatchString(s) || rxCreditAgency.MatchString(s) {
		if c := cleanCredit(s); c != "" {
			return c, true
		}
	}
	return "", false
}

// creditJoiners are the lower-case words a name may hold between its
// capitalised words: "Museum of Fine Arts", "Jan van Eyck", "Ministry for
// the Environment".
var creditJoiners = map[string]bool{
	"of": true, "and": true, "&": true, "for": true, "the": true, "de": true, "del": true,
	"della": true, "der": true, "den": true, "van": true, "von": true, "du": true, "da": true,
	"di": true, "la": true, "le": true, "y": true, "und": true,
}

// isCreditName reports whether s looks like the name of whom an image is
// from ("FBI", "Twitter", "the White House", "NASA/JPL", "@jdoe",
// "reddit.com", "Flickr user jdoe"): words that each hold a capital or a
// digit, or are handles or domains, with an optional leading "the",
// joiners ("of", "and", "de") between them and a handle after "user" or
// "account"; a known qualifier may follow a comma ("Wikimedia Commons,
// public domain"). "Video from the scene shows police arriving" and "Video
// from Dallas shows fire" are captions, not credits.
func isCreditName(s string) bool {
	s = strings.TrimRight(strings.TrimSpace(s), " .,;:")
	if i := strings.IndexAny(s, ",;"); i > 0 && isCreditQualifier(s[i+1:]) {
		s = s[:i]
	}
	words := strings.Fields(s)
	if len(words) > 0 && strings.EqualFold(words[0], "the") {
		words = words[1:]
	}
	if len(words) == 0 {
		return false
	}
	for i, w := range words {
		w = strings.Trim(w, `()[],;:"“”'‘’`)
		lw := strings.ToLower(w)
		inner := i > 0 && i < len(words)-1
		switch {
		case creditJoiners[lw] && inner, platformWords[lw] && inner:
			continue
		case i > 0 && platformWords[strings.ToLower(words[i-1])]:
			continue // the handle: "Flickr user jdoe"
		case !isNameWord(w):
			return false
		}
	}
	return true
}

// platformWords name an account on a platform inside a credit ("Flickr user
// jdoe", "YouTube channel bob"); the word after them is a handle.
var platformWords = map[string]bool{"user": true, "account": true, "channel": true, "member": true}

// isCreditQualifier reports whether s, after a comma in a credit, is a
// licence or permission note rather than more caption.
func isCreditQualifier(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, q := range []string{"public domain", "cc ", "cc-", "creative commons", "used with permission",
		"with permission", "licensed", "licenced", "all rights reserved", "courtesy"} {
		if strings.HasPrefix(s, q) {
			return true
		}
	}
	return false
}

// isNameWord reports whether w can be a word of a name: it holds a
// capital letter or a digit ("NASA/JPL", "iStock", "20th"), or it is a
// handle ("@jdoe") or a domain ("reddit.com").
func isNameWord(w string) bool {
	if w == "" {
		return false
	}
	if strings.HasPrefix(w, "@") && len(w) > 1 {
		return true
	}
	if i := strings.IndexByte(w, '.'); i > 0 && i < len(w)-1 {
		return true
	}
	for _, r := range w {
		if unicode.IsUpper(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// cleanCredit trims the punctuation that surrounds a credited party.
func cleanCredit(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Trim(s, " ()[]")
	s = strings.TrimRight(s, " .,;:")
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > maxCreditLen {
		return ""
	}
	return s
}

// separator is a place in a caption where a trailing credit may start.
type separator struct {
	at, len int
	// keep is how many of its bytes belong to the text before it: a
	// sentence's full stop stays with the caption.
	keep int
}

// separators returns, in order, the places of s after a sentence end
// (". ", "! ", "? ") or at a " | ", " — ", " – ", " - " or " / "
// separator.
func separators(s string) []separator {
	var out []separator
	for i := 0; i < len(s); i++ {
		for _, sep := range [...]struct {
			s    string
			keep int
		}{{". ", 1}, {"! ", 1}, {"? ", 1}, {" | ", 0}, {" — ", 0}, {" – ", 0}, {" - ", 0}, {" / ", 0}} {
			if strings.HasPrefix(s[i:], sep.s) {
				out = append(out, separator{at: i, len: len(sep.s), keep: sep.keep})
				break
			}
		}
	}
	return out
}

// matchingOpen returns the index of the bracket that opens the one closing
// s, or -1.
func matchingOpen(s string, open, close byte) int {
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case close:
			depth++
		case open:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// trimSep trims whitespace and dangling separators left after removing a
// credit.
func trimSep(s string) string {
	s = strings.TrimSpace(s)
	for {
		t := strings.TrimSpace(strings.TrimRight(s, "|–—-/,;:"))
		if t == s {
			return s
		}
		s = t
	}
}
