package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/internal/redact"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/sources"
	"github.com/tributary/tributary/sources/extract"
)

// pageTask is what every page fetch of one run shares.
type pageTask struct {
	src         Source
	doer        sources.Doer // the source's, with its policy (Runner.Doer.For)
	boilerplate []string
	now         time.Time
	// force retries failed pages before their backoff is over (a manual
	// fetch, as for the source's own backoff).
	force bool
	// reextract fetches the pages of the listed articles again without
	// validators and extracts them again, extracted or not (the source's
	// page extraction settings changed, or a fetch --force).
	reextract bool
	// budget is what the run may still hold of text; pages beyond it are
	// put off to a later run.
	budget *textBudget
}

// wantsPage reports whether the run reads a's page at all: a is not left
// out by the feed's own text (keepNewest: the store keeps its version, so
// its page is not fetched, and its stored text neither spends nor gives
// back budget), and its link is a page (pageLink).
func (pt pageTask) wantsPage(a *feeds.Article) bool {
	return !pt.budget.isDropped(a.ID) && pageLink(pt.src.URL, a.Link)
}

// due reports whether a page in state p should be fetched again now.
func (pt pageTask) due(p *feeds.PageState) bool {
	return pt.force || !pt.now.Before(retryAt(p))
}

// retryAt returns when the failed page in state p is due again: its
// RetryAt, or for one saved before RetryAt existed, its last attempt plus
// the backoff of its failures.
func retryAt(p *feeds.PageState) time.Time {
	if !p.RetryAt.IsZero() {
		return p.RetryAt
	}
	return p.AttemptedAt.Add(Backoff(p.Attempts, 0.5))
}

// completePages fetches and extracts the page of every article that needs
// it: new ones, ones whose feed entry changed since extraction, and ones
// whose last extraction failed (after a backoff). Articles already extracted
// take their stored full text. A failed extraction leaves the feed's summary
// in place and is recorded on the article for a later retry.
//
// Pages are fetched before stored full texts are carried over, so that the
// run's text budget goes to stories not yet extracted: a stored full text
// that no longer fits is left out of the run (the store keeps it). Feed
// entries the budget already left out (textBudget.keepNewest) are skipped.
func (r *Runner) completePages(ctx context.Context, pt pageTask, arts []feeds.Article, inherited map[string]bool) (pageCounts, error) {
	var (
		todo  []pageJob
		carry []int
	)
	for i := range arts {
		a := &arts[i]
		if !pt.wantsPage(a) {
			continue
		}
		stored, err := r.Store.Article(ctx, a.Source, a.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			// Without the stored version, saving this run would replace a
			// full text with the teaser: give up the run instead.
			return pageCounts{}, fmt.Errorf("read stored article %s: %w", a.ID, err)
		}
		var prev *feeds.Article
		if err == nil {
			prev = &stored
		}
		if prev != nil && prev.Page != nil && !pt.reextract {
			p := prev.Page
			if !p.ExtractedAt.IsZero() && !a.Updated.After(p.ExtractedAt) || p.Error != "" && !pt.due(p) {
				carry = append(carry, i)
				continue
			}
		}
		// The job keeps the stored version's state, not its text: it is
		// read again if needed (lightPrev).
		todo = append(todo, pageJob{a: a, prev: lightPrev(prev), known: knownAuthors(a, inherited[a.ID])})
	}
	n := r.fetchPages(ctx, pt, todo)
	for _, i := range carry {
		a := &arts[i]
		if err := r.carryStored(ctx, pt, a); err != nil {
			return pageCounts{}, err
		}
	}
	return n, nil
}

// lightPrev returns a copy of the stored article prev without its text,
// which a page job reads again only when it keeps it (carryStored).
func lightPrev(prev *feeds.Article) *feeds.Article {
	if prev == nil {
		return nil
	}
	l := *prev
	l.Title, l.Summary, l.Content, l.Authors, l.Image = "", "", "", nil, nil
	return &l
}

// carryStored gives a the stored version's extraction when the run's
// budget holds the difference; otherwise a is left out of the run, and the
// store keeps its version.
func (r *Runner) carryStored(ctx context.Context, pt pageTask, a *feeds.Article) error {
	prev, err := r.Store.Article(ctx, a.Source, a.ID)
	if err != nil {
		return fmt.Errorf("read stored article %s: %w", a.ID, err)
	}
	before := feeds.TextBytes(*a)
	carried := *a
	feeds.CarryExtracted(&carried, &prev)
	feeds.Bound(&carried)
	if !pt.budget.take(feeds.TextBytes(carried) - before) {
		pt.budget.drop(a.ID)
		return nil
	}
	*a = carried
	return nil
}

// retryPages retries the failed pages of stored articles of the source
// that are due (all failed ones when forced), except those of fresh,
// which completePages handled: at most pageRetries, earliest due first.
// It returns the articles retried, to be stored again.
func (r *Runner) retryPages(ctx context.Context, pt pageTask, fresh []feeds.Article) (retried []feeds.Article, n pageCounts, err error) {
	at := pt.now
	if pt.force {
		at = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	stored, err := r.Store.PagesDue(ctx, pt.src.Name, at, pageRetries+len(fresh))
	if err != nil {
		return nil, pageCounts{}, fmt.Errorf("read failed pages: %w", err)
	}
	skip := make(map[string]bool, len(fresh))
	for _, a := range fresh {
		skip[a.ID] = true
	}
	for _, a := range stored {
		// A story the budget cannot hold waits, still due, for a run
		// with room.
		if !skip[a.ID] && len(retried) < pageRetries && pt.due(a.Page) && pt.budget.take(feeds.TextBytes(a)) {
			retried = append(retried, a)
		}
	}
	todo := make([]pageJob, len(retried))
	for i := range retried {
		prev := retried[i]
		// Whether the stored authors were the feed's own is not kept:
		// an anonymous "About the author" box is given to no one rather
		// than perhaps to an editor.
		todo[i] = pageJob{a: &retried[i], prev: &prev, stored: true}
	}
	return retried, r.fetchPages(ctx, pt, todo), nil
}

// pageJob is one article whose page is to be fetched: prev is its stored
// version (nil when new), known the authors a nameless bio may belong to.
// stored is set when a is the stored version, not a feed entry.
type pageJob struct {
	a, prev *feeds.Article
	known   []string
	stored  bool
}

// pageCounts counts what the page fetches of a run did.
type pageCounts struct {
	// ok pages were extracted, failed were not; refused counts the failed
	// ones whose address the client's policy refused
	// (fetch.ErrBlockedAddress), deferred those put off (putOff).
	ok, failed, refused, deferred int
}

// add returns the sum of n and m.
func (n pageCounts) add(m pageCounts) pageCounts {
	return pageCounts{n.ok + m.ok, n.failed + m.failed, n.refused + m.refused, n.deferred + m.deferred}
}

// fetchPages runs completePage for each job, pageWorkers at a time, and
// counts the pages extracted, failed and refused. A job that would take the run
// beyond its text budget is put off (putOff) and counted as deferred.
//
// The pool is a semaphore and a WaitGroup rather than errgroup.SetLimit:
// a page's budget is reserved in the jobs' order once a worker is free and
// before its fetch starts, and errgroup's Go takes a worker and starts the
// goroutine in one step. Reserving inside the goroutine would reserve out
// of order; reserving before Go, while the pages in flight have not yet
// settled what they gave, would put off pages the budget can hold.
func (r *Runner) fetchPages(ctx context.Context, pt pageTask, jobs []pageJob) (n pageCounts) {
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, pageWorkers)
	)
	for _, j := range jobs {
		sem <- struct{}{}
		// Reserved once a worker is free, so that what the pages in
		// flight gave is known.
		if !pt.budget.take(pageReserve) {
			<-sem
			r.putOff(pt, j)
			n.deferred++
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			before := feeds.TextBytes(*j.a)
			err := r.completePage(ctx, pt, j)
			pt.budget.settle(pageReserve, feeds.TextBytes(*j.a)-before)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				n.failed++
				if errors.Is(err, fetch.ErrBlockedAddress) {
					n.refused++
				}
				r.log().Warn("article extraction failed", "source", pt.src.Name, "url", redact.URL(j.a.Link), "error", err)
			default:
				n.ok++
			}
		}()
	}
	wg.Wait()
	return n
}

// putOff leaves j's page for a later run. A story whose stored version
// stays as it is (a full text extracted before, or a stored story being
// retried) is left out of the run; a feed entry keeps the feed's text and
// its page is due again at the next run, without counting as a failure.
func (r *Runner) putOff(pt pageTask, j pageJob) {
	if j.stored || j.prev != nil && j.prev.Page != nil && !j.prev.Page.ExtractedAt.IsZero() {
		pt.budget.drop(j.a.ID)
		return
	}
	page := &feeds.PageState{}
	if j.prev != nil && j.prev.Page != nil {
		*page = *j.prev.Page
	}
	page.Error, page.RetryAt = errPageBudget, pt.now
	j.a.Page = page
}

// knownAuthors returns the names of a's own authors, to whom its page's
// nameless "About the author" box may belong; none when a only carries
// the authors it inherited from its feed (an editor or the publication,
// not the writer).
func knownAuthors(a *feeds.Article, inherited bool) []string {
	if inherited {
		return nil
	}
	return feeds.AuthorNames(a.Authors)
}

// completePage fetches one article page (conditionally when it was fetched
// before) and merges the extraction into j.a. A failure is recorded on the
// page state with the time it is due again.
func (r *Runner) completePage(ctx context.Context, pt pageTask, j pageJob) error {
	a, prev, now := j.a, j.prev, pt.now
	page := &feeds.PageState{AttemptedAt: now}
	if prev != nil && prev.Page != nil {
		*page = *prev.Page
		page.AttemptedAt = now
	}
	a.Page = page
	// The error is kept in the store and shown: masked, as the request may
	// carry the source's credentials (sources.WithSourceCredentials), or
	// the feed's own (sources.FetchPage masks its errors too).
	err := redact.Error(r.extractPage(ctx, pt, a, prev, page, j.known, pt.boilerplate, now))
	if err != nil {
		page.Error = err.Error()
		page.Attempts++
		page.RetryAt = now.Add(Backoff(page.Attempts, rand.Float64()))
		if prev != nil && prev.Page != nil && !prev.Page.ExtractedAt.IsZero() {
			// Keep the last good extraction rather than fall back to a teaser.
			if rerr := r.carryFull(ctx, pt, a, prev); rerr != nil {
				return errors.Join(err, rerr)
			}
			a.Page = page
		}
		return err
	}
	page.Error, page.Attempts, page.ExtractedAt, page.RetryAt = "", 0, now, time.Time{}
	// Bounded now, not only before the store: the run's budget counts it.
	feeds.Bound(a)
	return nil
}

// carryFull carries the extraction of the stored version onto a, reading
// its text again when prev is a light copy (lightPrev). When that fails, a
// is left out of the run rather than stored with a teaser.
func (r *Runner) carryFull(ctx context.Context, pt pageTask, a, prev *feeds.Article) error {
	if prev.Content == "" {
		full, err := r.Store.Article(ctx, prev.Source, prev.ID)
		if err != nil {
			pt.budget.drop(a.ID)
			return fmt.Errorf("read stored article %s: %w", prev.ID, err)
		}
		prev = &full
	}
	feeds.CarryExtracted(a, prev)
	feeds.Bound(a)
	return nil
}

// extractPage fetches a's page (conditionally when it was extracted
// before) and merges its story into a; a page not modified since gives a
// the stored extraction again. The page's validators go to page.
func (r *Runner) extractPage(ctx context.Context, pt pageTask, a, prev *feeds.Article, page *feeds.PageState, known, boilerplate []string, now time.Time) error {
	src := pt.src
	res, err := sources.FetchPage(ctx, pt.doer, sources.PageRequest{
		URL: a.Link, SourceURL: src.URL,
		Conditional: prev != nil && !page.ExtractedAt.IsZero() && !pt.reextract, ETag: page.ETag, LastModified: page.LastModified,
		Rewrite: src.Rewrite,
		Extract: extract.Options{
			Boilerplate: boilerplate,
			// A page that names no author still gives its "About the
			// author" bio to the author the feed names.
			KnownAuthors: known,
			// Whoever names the story now (the feed item, its channel, a
			// stored earlier version) is not replaced by a stand-in such
			// as the site's name.
			FeedAuthors: feeds.AuthorNames(a.Authors),
			Now:         now,
		},
	})
	if err != nil {
		return err
	}
	if res.NotModified {
		if err := r.carryFull(ctx, pt, a, prev); err != nil {
			return err
		}
		a.Page = page
		return nil
	}
	page.ETag, page.LastModified = res.ETag, res.LastModified
	feeds.MergePage(a, res.Article)
	return nil
}

// dropBoilerplate learns the paragraphs this source repeats across articles
// and removes them (and those learned before) from the articles' HTML. When
// it learns something new, stored articles that still carry it are cleaned
// too and appended to arts so they are saved again.
func (r *Runner) dropBoilerplate(ctx context.Context, src Source, st *store.SourceState, arts *[]feeds.Article) (learned bool, err error) {
	stored, err := r.Store.Articles(ctx, store.Query{Sources: []string{src.Name}, Limit: boilerplateWindow})
	if err != nil {
		return false, fmt.Errorf("read stored articles: %w", err)
	}
	fresh := make(map[string]bool, len(*arts))
	docs := make([]string, 0, len(*arts)+len(stored))
	for _, a := range *arts {
		fresh[a.ID] = true
		docs = append(docs, boilerplateDoc(a))
	}
	for _, a := range stored {
		if !fresh[a.ID] {
			docs = append(docs, boilerplateDoc(a))
		}
	}
	known := make(map[string]bool, len(st.Boilerplate))
	for _, p := range st.Boilerplate {
		known[p] = true
	}
	for _, p := range r.learnBoilerplate(docs) {
		if !known[p] {
			known[p] = true
			st.Boilerplate = append(st.Boilerplate, p)
			learned = true
		}
	}
	if len(st.Boilerplate) > maxBoilerplate {
		st.Boilerplate = st.Boilerplate[len(st.Boilerplate)-maxBoilerplate:]
	}
	if len(st.Boilerplate) == 0 {
		return false, nil
	}
	for i := range *arts {
		stripBoilerplate(&(*arts)[i], st.Boilerplate)
	}
	if learned {
		for _, a := range stored {
			if !fresh[a.ID] && stripBoilerplate(&a, st.Boilerplate) {
				*arts = append(*arts, a)
			}
		}
	}
	return learned, nil
}

// boilerplateDoc is the text of a that boilerplate is learned from.
func boilerplateDoc(a feeds.Article) string {
	return a.Content + "\n" + a.Summary
}

// stripBoilerplate removes the paragraphs of boilerplate from a's content
// and summary, and reports whether it changed a.
func stripBoilerplate(a *feeds.Article, boilerplate []string) bool {
	c := extract.StripParagraphs(a.Content, boilerplate)
	s := extract.StripParagraphs(a.Summary, boilerplate)
	// Furniture surrounds a story; if nothing would be left, what was
	// learned is wrong for this article and it is kept whole.
	if c != a.Content && strings.TrimSpace(feeds.PlainText(c)) == "" {
		c = a.Content
	}
	if s != a.Summary && strings.TrimSpace(feeds.PlainText(s)) == "" {
		s = a.Summary
	}
	changed := c != a.Content || s != a.Summary
	a.Content, a.Summary = c, s
	return changed
}

// maxBoilerplate caps the learned paragraphs kept per source.
const maxBoilerplate = 200
