package pipeline

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/sources"
)

// Preview is what the first run of a source would store, made without a
// store (Runner.Preview).
type Preview struct {
	// Fetch is what sources.Fetch returned: the document's URL, the feed
	// it advertised (FeedURL), its title, its relative links and the
	// selectors that matched nothing. Its Articles are the document's,
	// before their pages were read.
	Fetch sources.Result
	// Articles are the articles as the run would store them: pages read
	// (with full text on), boilerplate the run learns dropped, bounded.
	// With full text on, each one whose page was fetched has its Page:
	// ExtractedAt set, or the Error that kept the feed's text.
	Articles []feeds.Article
	// Pages, PageErrors, PagesRefused, PagesDeferred and LeftOut count as
	// in an Outcome.
	Pages, PageErrors, PagesRefused, PagesDeferred, LeftOut int
	// Teasers holds the IDs of the Articles that carry only a teaser (no
	// content, or less than TeaserRunes of text) and link to a page that
	// full text would read; only when full text is off.
	Teasers []string
}

// TeaserRunes is the length of text under which an article that links to
// its page counts as a teaser in a Preview.
const TeaserRunes = 500

// Preview fetches src once, as Run would the first time (no validators,
// no stored articles, no boilerplate learned before), and returns what
// that run would store, without a store: r needs only its Doer (and Log).
// The requests follow the policy of a configured source at src.URL (its
// origin, and for a local file the files beside it). A failed fetch is
// the error, its credentials masked (see sources.Fetch); a failed page is
// recorded on its article, as a run does.
func (r *Runner) Preview(ctx context.Context, src Source) (Preview, error) {
	now := r.now()
	doer := r.Doer.For(sourcePolicy(src))
	res, err := sources.Fetch(ctx, doer, sources.Request{Source: src.Source})
	if err != nil {
		return Preview{}, err
	}
	p := Preview{Fetch: res}
	arts := append([]feeds.Article(nil), res.Articles...)
	budget := newTextBudget()
	budget.keepNewest(arts)
	if src.FullText {
		pt := pageTask{src: src, doer: doer, now: now, budget: budget}
		var todo []pageJob
		for i := range arts {
			if a := &arts[i]; pt.wantsPage(a) {
				todo = append(todo, pageJob{a: a, known: knownAuthors(a, res.InheritedAuthors[a.ID])})
			}
		}
		n := r.fetchPages(ctx, pt, todo)
		p.Pages, p.PageErrors, p.PagesRefused, p.PagesDeferred = n.ok, n.failed, n.refused, n.deferred
	}
	kept := len(arts)
	arts = budget.kept(arts)
	p.LeftOut = kept - len(arts)
	docs := make([]string, len(arts))
	for i, a := range arts {
		docs[i] = boilerplateDoc(a)
	}
	boilerplate := r.learnBoilerplate(docs)
	if len(boilerplate) > maxBoilerplate {
		boilerplate = boilerplate[len(boilerplate)-maxBoilerplate:]
	}
	for i := range arts {
		stripBoilerplate(&arts[i], boilerplate)
		feeds.Bound(&arts[i])
		if !src.FullText && teaser(src, arts[i]) {
			p.Teasers = append(p.Teasers, arts[i].ID)
		}
	}
	p.Articles = arts
	return p, nil
}

// teaser reports whether a, from the source src, links to a page that
// full text would read and carries no more than a teaser of its own.
func teaser(src Source, a feeds.Article) bool {
	if !pageLink(src.URL, a.Link) {
		return false
	}
	return a.Content == "" || utf8.RuneCountInString(strings.TrimSpace(feeds.PlainText(a.Content))) < TeaserRunes
}
