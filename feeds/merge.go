package feeds

import (
	"cmp"
	"slices"
	"strings"
)

// This file holds the rules that merge two versions of one story: the
// version its page gave into the feed's (MergePage), a stored extraction
// onto a fresh feed entry (CarryExtracted), and the authors two versions
// name. Authors merge by two rules, each for its own pair of versions:
// mergeAuthorsFromPage (a story's page and its feed entry: the page knows
// the writer better) and mergeAuthorsAcrossSources (two sources' copies of
// a story in Combine: the preferred copy's list stands). Both complete an
// author from the same person in the other list with completeAuthor.

// MergePage fills a, a feed's version of a story, from page, the version
// its page gave (Content, Summary as the page's excerpt, Title, Authors,
// Image, Published, Updated, Categories). The page's full text replaces
// the teaser, which becomes the summary when there was none; authors and
// image from the page are richer than the feed's (bio, avatar, caption,
// credit) and win, keeping what only the feed knew. The page's dates fill
// in missing ones only: the caller gives them already judged plausible (a
// page claiming 2099 must not sit on top of every feed), zero otherwise.
func MergePage(a *Article, page Article) {
	if a.Summary == "" {
		a.Summary = a.Content
		if a.Summary == "" && page.Summary != "" {
			a.Summary = page.Summary
		}
	}
	a.Content = page.Content
	if a.Title == "" {
		a.Title = page.Title
	}
	if len(page.Authors) > 0 {
		a.Authors = mergeAuthorsFromPage(page.Authors, a.Authors)
	}
	switch {
	case page.Image == nil:
	case a.Image == nil:
		a.Image = page.Image
	case a.Image.URL == page.Image.URL || a.Image.Caption == "" && a.Image.Credit == "":
		img := *page.Image
		if img.Type == "" {
			img.Type = a.Image.Type
		}
		if img.Length == 0 && img.URL == a.Image.URL {
			img.Length = a.Image.Length
		}
		a.Image = &img
	}
	if a.Published.IsZero() {
		a.Published = page.Published
	}
	if a.Updated.IsZero() {
		a.Updated = page.Updated
	}
	a.Categories = union(a.Categories, page.Categories)
}

// CarryExtracted copies prev's extraction (its Page state, and when it was
// extracted its full text and what the page gave) onto a, a fresh feed
// entry of the same story. prev.Page must be set.
func CarryExtracted(a, prev *Article) {
	page := *prev.Page
	a.Page = &page
	if prev.Page.ExtractedAt.IsZero() {
		return
	}
	a.Content = prev.Content
	// What the page gave and the feed entry lacks stays.
	if a.Title == "" {
		a.Title = prev.Title
	}
	if a.Published.IsZero() {
		a.Published = prev.Published
	}
	if a.Updated.IsZero() {
		a.Updated = prev.Updated
	}
	if len(prev.Authors) > 0 {
		a.Authors = prev.Authors
	}
	if prev.Image != nil {
		a.Image = prev.Image
	}
	a.Categories = union(a.Categories, prev.Categories)
	if a.Summary == "" {
		a.Summary = prev.Summary
	}
}

// AuthorNames returns the names of authors, empty ones left out.
func AuthorNames(authors []Author) []string {
	var names []string
	for _, au := range authors {
		if n := strings.TrimSpace(au.Name); n != "" {
			names = append(names, n)
		}
	}
	return names
}

// mergeAuthorsFromPage returns the story's authors from those its page and
// its feed entry name. The page's are richer (bio, avatar, profile) and
// win, completed with the e-mail or links the feed gave for the same name.
// When every author the page names is one the feed names too, the feed's
// list is kept, each author completed from the page: a page may name only
// the author its "About the author" box describes, and the bio then goes
// to that author without losing the others.
func mergeAuthorsFromPage(page, feed []Author) []Author {
	subset := len(page) > 0
	for _, p := range page {
		if !slices.ContainsFunc(feed, func(f Author) bool { return sameAuthor(p, f) }) {
			subset = false
		}
	}
	if subset {
		out := slices.Clone(feed)
		for i := range out {
			if j := slices.IndexFunc(page, func(p Author) bool { return sameAuthor(p, out[i]) }); j >= 0 {
				out[i] = completeAuthor(page[j], out[i])
			}
		}
		return out
	}
	out := slices.Clone(page)
	for i := range out {
		for _, f := range feed {
			if sameAuthor(f, out[i]) {
				out[i] = completeAuthor(out[i], f)
			}
		}
	}
	return out
}

// mergeAuthorsAcrossSources keeps m's authors, completing each from o's
// first author of the same name; o's authors are used only when m has
// none. m and o are two sources' copies of a story (Combine), m the
// preferred one: unlike a page, o does not know the writer better.
func mergeAuthorsAcrossSources(m, o []Author) []Author {
	if len(m) == 0 {
		return slices.Clone(o)
	}
	for i := range m {
		if j := slices.IndexFunc(o, func(x Author) bool { return sameAuthor(m[i], x) }); j >= 0 {
			m[i] = completeAuthor(m[i], o[j])
		}
	}
	return m
}

// sameAuthor reports whether a and b name the same person: the same name,
// ignoring case and surrounding space.
func sameAuthor(a, b Author) bool {
	return strings.EqualFold(strings.TrimSpace(a.Name), strings.TrimSpace(b.Name))
}

// completeAuthor returns a with what it lacks (e-mail, profile, avatar,
// bio) taken from from, the same person as another version names them.
func completeAuthor(a, from Author) Author {
	a.Email = cmp.Or(a.Email, from.Email)
	a.URL = cmp.Or(a.URL, from.URL)
	a.Avatar = cmp.Or(a.Avatar, from.Avatar)
	a.Bio = cmp.Or(a.Bio, from.Bio)
	return a
}

// union appends the categories of b whose term is missing from a
// (compared case-insensitively), each trimmed; categories with a blank
// term and repeated terms of either are left out. A category kept from a
// that lacks a scheme or label takes the repeat's.
func union(a, b []Category) []Category {
	at := make(map[string]int, len(a)+len(b))
	out := make([]Category, 0, len(a)+len(b))
	for _, c := range append(slices.Clone(a), b...) {
		c = Category{Term: strings.TrimSpace(c.Term), Scheme: strings.TrimSpace(c.Scheme), Label: strings.TrimSpace(c.Label)}
		k := strings.ToLower(c.Term)
		if k == "" {
			continue
		}
		if i, ok := at[k]; ok {
			out[i].Scheme = cmp.Or(out[i].Scheme, c.Scheme)
			out[i].Label = cmp.Or(out[i].Label, c.Label)
			continue
		}
		at[k] = len(out)
		out = append(out, c)
	}
	return out
}
