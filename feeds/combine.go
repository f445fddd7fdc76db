package feeds

import (
	"cmp"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// Combine merges articles from several sources into one feed's items: the
// same story appears once, as its most complete version, sorted newest
// first (by Published, else FetchedAt; ties by ID), at most limit of them (0
// means no limit). The result does not depend on the order of arts, and no
// two items share an ID.
//
// Within one source, two items are the same story when they have the same
// id, or the same canonical link (see CanonicalLink), title and published
// date (a guid changed from http to https, say); items that only share a
// link stay apart, so a status page or a podcast whose items all link to
// one page keeps every item. Across sources, stories are the same when they
// share a canonical link or an id that is unique by design (an http(s),
// tag: or urn: URI), as long as no source ends up with two stories in one.
//
// Of the copies of a story, the preferred one comes from the story's own
// site (its Origin's registrable domain is the link's), then the one with
// the longest content, then the longest summary. What it lacks (title,
// summary, content, authors, image, dates) is filled from the others in the
// same order; categories and enclosures are the union of all copies. Its
// ID is the published id (see ItemID) of the copy seen first (earliest
// FetchedAt), so that it does not change when another source picks the
// story up later; Source, Origin and Link are the preferred copy's. The
// input is not modified and the output shares no slices with it.
func Combine(arts []Article, limit int) []Article {
	// A canonical order, so that which copies end up together does not
	// depend on how the store happened to return them.
	order := make([]*Article, len(arts))
	for i := range arts {
		order[i] = &arts[i]
	}
	slices.SortStableFunc(order, seenFirst)
	canon := make(map[*Article]string, len(order)) // CanonicalLink, once per article
	for _, a := range order {
		canon[a] = CanonicalLink(a.Link)
	}
	groups := groupStories(sourceStories(order, canon), canon)
	res := make([]Article, len(groups))
	used := make(map[string]bool, len(groups))
	for i, g := range groups {
		res[i] = merge(g)
		res[i].ID = storyID(g, used)
	}
	slices.SortStableFunc(res, func(a, b Article) int {
		if c := SortDate(b).Compare(SortDate(a)); c != 0 {
			return c
		}
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		if c := strings.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		return strings.Compare(a.Link, b.Link)
	})
	if limit > 0 && len(res) > limit {
		res = res[:limit:limit]
	}
	return res
}

// story is the copies of one story from one source.
type story struct {
	source string
	copies []*Article
}

// sourceStories groups the articles (in seenFirst order) of each source
// into stories: the same id, or the same canonical link, title (not empty)
// and date.
func sourceStories(order []*Article, canon map[*Article]string) []*story {
	var out []*story
	byKey := make(map[string]*story, 2*len(order))
	for _, a := range order {
		keys := [2]string{"id\x00" + a.Source + "\x00" + a.ID}
		if l, title := canon[a], strings.TrimSpace(a.Title); l != "" && title != "" {
			// Untitled items sharing a link are told apart by nothing:
			// they stay separate stories.
			keys[1] = "same\x00" + a.Source + "\x00" + l + "\x00" + strings.ToLower(title) +
				"\x00" + a.Published.UTC().Format(time.RFC3339)
		}
		st := byKey[keys[0]]
		if st == nil && keys[1] != "" {
			st = byKey[keys[1]]
		}
		if st == nil {
			st = &story{source: a.Source}
			out = append(out, st)
		}
		st.copies = append(st.copies, a)
		for _, k := range keys {
			if _, ok := byKey[k]; k != "" && !ok {
				byKey[k] = st
			}
		}
	}
	return out
}

// unit is copies of one story from a set of sources: one source's story at
// first, then the stories joined with it.
type unit struct {
	copies  []*Article
	sources []string // few: a story is rarely carried by many sources
}

// groupStories joins the stories of different sources that are one story,
// never two stories of one source: first those sharing a global id (the
// surest sign), then those sharing a canonical link. The result keeps the
// order of the stories' first copies.
func groupStories(stories []*story, canon map[*Article]string) [][]*Article {
	units := make([]*unit, len(stories))
	for i, st := range stories {
		units[i] = &unit{copies: st.copies, sources: []string{st.source}}
	}
	byID := func(u *unit) []string {
		var keys []string
		for _, a := range u.copies {
			if id := strings.TrimSpace(a.ID); globalID(id) && !slices.Contains(keys, id) {
				keys = append(keys, id)
			}
		}
		return keys
	}
	byLink := func(u *unit) []string {
		var keys []string
		for _, a := range u.copies {
			if l := canon[a]; l != "" && !slices.Contains(keys, l) {
				keys = append(keys, l)
			}
		}
		return keys
	}
	// A join can bring a group a key that another group has: join again
	// until nothing changes (in practice one more round).
	for n := -1; n != len(units); {
		n = len(units)
		units = joinUnits(units, byID)
		units = joinUnits(units, byLink)
	}
	out := make([][]*Article, len(units))
	for i, u := range units {
		out[i] = u.copies
	}
	return out
}

// joinUnits joins each unit, in order, to the first earlier group that
// shares one of its keys and none of its sources. Groups only ever gain
// sources, so for each key and source the groups known to hold the source
// form a prefix of the key's list that only grows: a source with thousands
// of stories under one link (a status page, and its mirror) walks that
// list once, not once per story.
func joinUnits(units []*unit, keysOf func(*unit) []string) []*unit {
	var (
		out     []*unit
		outKeys [][]string
		byKey   = make(map[string][]int, len(units))
		held    = make(map[string]map[string]int) // key -> source -> length of the prefix holding it
	)
	for _, u := range units {
		keys := keysOf(u)
		g := -1
	find:
		for _, k := range keys {
			list := byKey[k]
			if held[k] == nil {
				held[k] = map[string]int{}
			}
			start := 0
			for _, src := range u.sources {
				i := held[k][src]
				for i < len(list) && slices.Contains(out[list[i]].sources, src) {
					i++
				}
				held[k][src] = i
				start = max(start, i)
			}
			for _, c := range list[start:] {
				if disjoint(out[c].sources, u.sources) {
					g = c
					break find
				}
			}
		}
		if g < 0 {
			g = len(out)
			out = append(out, &unit{})
			outKeys = append(outKeys, nil)
		}
		grp := out[g]
		grp.copies = append(grp.copies, u.copies...)
		grp.sources = append(grp.sources, u.sources...)
		for _, k := range keys {
			if !slices.Contains(outKeys[g], k) {
				outKeys[g] = append(outKeys[g], k)
				byKey[k] = append(byKey[k], g)
			}
		}
	}
	return out
}

// disjoint reports whether a and b have no source in common.
func disjoint(a, b []string) bool {
	for _, src := range b {
		if slices.Contains(a, src) {
			return false
		}
	}
	return true
}

// SortDate is the date a feed orders an article by, and ages it by
// (feeds[].max_age): when it was published, else when Tributary first
// saw it. The stores order Articles the same way.
func SortDate(a Article) time.Time {
	if !a.Published.IsZero() {
		return a.Published
	}
	return a.FetchedAt
}

// merge returns the most complete version of one story from its copies;
// Combine then gives it its id (storyID).
func merge(copies []*Article) Article {
	if len(copies) > 1 {
		copies = slices.Clone(copies)
		slices.SortStableFunc(copies, preferred)
	}
	m := *copies[0]
	m.Authors = slices.Clone(m.Authors)
	m.Categories = slices.Clone(m.Categories)
	m.Enclosures = slices.Clone(m.Enclosures)
	if m.Image != nil {
		im := *m.Image
		m.Image = &im
	}
	if m.Page != nil {
		p := *m.Page
		m.Page = &p
	}
	m.Podcast = clonePodcast(m.Podcast)
	if m.Via != nil {
		v := *m.Via
		m.Via = &v
	}
	for _, o := range copies[1:] {
		fillFrom(&m, o)
	}
	return m
}

// seenFirst orders copies by when Tributary first saw them (FetchedAt; a
// zero time last), then by source and id, so the choice is stable.
func seenFirst(a, b *Article) int {
	if c := boolCmp(a.FetchedAt.IsZero(), b.FetchedAt.IsZero()); c != 0 {
		return c
	}
	if c := a.FetchedAt.Compare(b.FetchedAt); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Source, b.Source); c != 0 {
		return c
	}
	if c := cmp.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Link, b.Link); c != 0 {
		return c
	}
	return cmp.Compare(a.Title, b.Title)
}

// preferred orders the copies of a story, best first.
func preferred(a, b *Article) int {
	if c := boolCmp(onOwnSite(b), onOwnSite(a)); c != 0 {
		return c
	}
	if c := cmp.Compare(len(b.Content), len(a.Content)); c != 0 {
		return c
	}
	if c := cmp.Compare(len(b.Summary), len(a.Summary)); c != 0 {
		return c
	}
	return cmp.Compare(a.Source, b.Source)
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// onOwnSite reports whether a was fetched from the site its link is on.
func onOwnSite(a *Article) bool {
	lh, oh := hostOf(a.Link), hostOf(a.Origin)
	return lh != "" && oh != "" && registrableDomain(lh) == registrableDomain(oh)
}

func hostOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

// registrableDomain returns host's eTLD+1 ("bbc.co.uk" for
// "feeds.bbc.co.uk"), or host itself for an IP address, a bare public
// suffix or a single label such as localhost.
func registrableDomain(host string) string {
	if net.ParseIP(host) != nil {
		return host
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return d
}

// fillFrom fills what m lacks from o, another copy of the same story.
func fillFrom(m *Article, o *Article) {
	if m.Title == "" {
		m.Title = o.Title
	}
	if m.Summary == "" {
		m.Summary = o.Summary
	}
	if m.Content == "" {
		m.Content = o.Content
	}
	if m.Link == "" {
		m.Link = o.Link
	}
	m.Authors = mergeAuthorsAcrossSources(m.Authors, o.Authors)
	switch {
	case o.Image == nil:
	case m.Image == nil:
		im := *o.Image
		m.Image = &im
	case CanonicalLink(m.Image.URL) == CanonicalLink(o.Image.URL):
		fillImage(m.Image, o.Image)
	}
	m.Categories = union(m.Categories, o.Categories)
	if m.Podcast == nil {
		m.Podcast = clonePodcast(o.Podcast)
	}
	for _, e := range o.Enclosures {
		if !slices.ContainsFunc(m.Enclosures, func(x Enclosure) bool { return x.URL == e.URL }) {
			m.Enclosures = append(m.Enclosures, e)
		}
	}
	if m.Published.IsZero() {
		m.Published = o.Published
	}
	if o.Updated.After(m.Updated) {
		m.Updated = o.Updated
	}
	// FetchedAt is when Tributary first saw the story, from any source.
	if m.FetchedAt.IsZero() || (!o.FetchedAt.IsZero() && o.FetchedAt.Before(m.FetchedAt)) {
		m.FetchedAt = o.FetchedAt
	}
}

// clonePodcast returns a copy of p, nil for nil.
func clonePodcast(p *Podcast) *Podcast {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func fillImage(m, o *Image) {
	m.Caption = cmp.Or(m.Caption, o.Caption)
	m.Credit = cmp.Or(m.Credit, o.Credit)
	m.Type = cmp.Or(m.Type, o.Type)
	if m.Width == 0 && m.Height == 0 {
		m.Width, m.Height = o.Width, o.Height
	}
	m.Length = cmp.Or(m.Length, o.Length)
}

// CanonicalLink returns the form of link used to recognize the same story
// behind different URLs: scheme and host lowercased, http taken as https,
// default port, "www." prefix, fragment, tracking parameters (utm_*,
// fbclid, gclid and the like) and a trailing slash (except the root's)
// dropped, remaining query parameters sorted. A link that is not an
// absolute URL is returned trimmed. It is a key for comparison, not a URL
// to publish.
func CanonicalLink(link string) string {
	link = strings.TrimSpace(link)
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		return link
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme == "http" {
		scheme = "https"
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	host = strings.TrimPrefix(host, "www.")
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6 literal
	}
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		host += ":" + p
	}
	var b strings.Builder
	b.Grow(len(link))
	b.WriteString(scheme)
	b.WriteString("://")
	if u.User != nil {
		b.WriteString(u.User.String())
		b.WriteByte('@')
	}
	b.WriteString(host)
	p := u.EscapedPath()
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
	}
	if p == "" {
		p = "/"
	}
	b.WriteString(p)
	if q := canonicalQuery(u.RawQuery); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	return b.String()
}

func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return raw
	}
	for k := range vals {
		if isTrackingParam(k) {
			delete(vals, k)
		}
	}
	return vals.Encode() // sorted by key
}

func isTrackingParam(k string) bool {
	k = strings.ToLower(k)
	if strings.HasPrefix(k, "utm_") || strings.HasPrefix(k, "_hs") || strings.HasPrefix(k, "pk_") {
		return true
	}
	switch k {
	case "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
		"igshid", "mc_cid", "mc_eid", "_ga", "_gl", "mkt_tok", "oly_anon_id", "oly_enc_id",
		"vero_id", "vero_conv", "__s", "ref_src", "ref_url", "cmpid", "s_cid", "wt.mc_id", "rss", "at_medium", "at_campaign":
		return true
	}
	return false
}
