package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Every rule that decides an item's id lives in this file, in the order an
// item meets them:
//
//   - a source stores an item under SourceItemID (its guid, else its link),
//     or, with neither, under ContentID (a hash of its text);
//   - Combine publishes one story under storyID: ItemID of the copy seen
//     first, made unique in the feed;
//   - the renderers write renderedID (ItemID, else the link, else a hash),
//     and Atom, which requires an IRI, atomID.

// SourceItemID returns the id under which a source stores an item, stable
// from one fetch to the next: its guid (RSS guid, Atom id, JSON Feed id)
// without the characters XML forbids and surrounding space, else its link
// (as the source resolved it), else "": the item has no id of its own, and
// the source names it by ContentID or drops it.
func SourceItemID(guid, link string) string {
	if guid = strings.TrimSpace(StripControl(guid)); guid != "" {
		return guid
	}
	return link
}

// ContentID derives a stable id, "urn:sha256:" and 32 hex digits, for an
// item that has neither guid nor link, from its title and its date as
// written (published); only an item with neither does it tell apart by its
// summary and content, so that an edited description keeps the id of a
// titled or dated item.
func ContentID(title, published, summary, content string) string {
	h := sha256.New()
	h.Write([]byte(title))
	h.Write([]byte{0})
	h.Write([]byte(strings.TrimSpace(published)))
	if title == "" && strings.TrimSpace(published) == "" {
		h.Write([]byte{0})
		h.Write([]byte(summary))
		h.Write([]byte{0})
		h.Write([]byte(content))
	}
	return "urn:sha256:" + hex.EncodeToString(h.Sum(nil)[:16])
}

// ItemID returns the id under which an article from source is published,
// the same in RSS, Atom and JSON Feed: id itself when it is unique by design
// (an http(s) permalink, a tag: or urn: id), else a URN qualified by the
// source's name, since an id like "1234" or "post:7" is unique only within
// its own feed ("urn:tributary:guid:SOURCE:1234";
// "urn:tributary:guid:1234" without a source). It returns "" for an empty
// id.
func ItemID(source, id string) string {
	id = clean(id)
	if id == "" || globalID(id) {
		return id
	}
	if source = clean(source); source != "" {
		return "urn:tributary:guid:" + url.PathEscape(source) + ":" + url.PathEscape(id)
	}
	return "urn:tributary:guid:" + url.PathEscape(id)
}

// globalID reports whether id is unique by design, not only within its
// feed: an http(s) URL, a tag: URI (RFC 4151) or a URN.
func globalID(id string) bool {
	scheme, rest, ok := strings.Cut(id, ":")
	if !ok || rest == "" {
		return false
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
		return strings.HasPrefix(rest, "//") && len(rest) > 2
	case "tag", "urn":
		return true
	}
	return false
}

// storyID returns the id under which Combine publishes the story made of
// copies: ItemID of the copy seen first (see seenFirst), so that it does
// not change when another source picks the story up later, made unique
// among the ids already used (see uniqueID); it marks the result used.
func storyID(copies []*Article, used map[string]bool) string {
	first := slices.MinFunc(copies, seenFirst)
	return uniqueID(copies, ItemID(first.Source, first.ID), used)
}

// uniqueID returns id, or when an earlier item took it, the published id of
// another copy of the story, or failing that id with a number appended; it
// marks the result used.
func uniqueID(copies []*Article, id string, used map[string]bool) string {
	if id != "" && !used[id] {
		used[id] = true
		return id
	}
	for _, c := range copies {
		if alt := ItemID(c.Source, c.ID); alt != "" && !used[alt] {
			used[alt] = true
			return alt
		}
	}
	if id == "" {
		return id // the renderer derives one from the link or content (renderedID)
	}
	for n := 2; ; n++ {
		if alt := id + "#" + strconv.Itoa(n); !used[alt] {
			used[alt] = true
			return alt
		}
	}
}

// renderedID returns the id an item is written under in every format:
// ItemID of its source and id, else its link, else a URN hashed from its
// source, title, summary and content, so that an item with neither guid nor
// link keeps its id from one rendering to the next. source, link, title,
// summary and content are the item's as rendered (cleaned).
func renderedID(source, id, link, title, summary, content string) string {
	if v := ItemID(source, id); v != "" {
		return v
	}
	if link != "" {
		return link
	}
	h := sha256.Sum256([]byte(source + "\x00" + title + "\x00" + summary + "\x00" + content))
	return "urn:tributary:item:" + hex.EncodeToString(h[:16])
}

// atomID returns id when it is an absolute IRI, as Atom requires, and
// otherwise a URN made from it (see ItemID); the mapping is stable.
func atomID(id string) string {
	return ItemID("", id)
}
