package pipeline

import (
	"cmp"
	"slices"
	"sync"

	"github.com/tributary/tributary/feeds"
)

// pageReserve is what one page extraction may add to a run's text: the
// content and summary bounds of one article (feeds.Bound). A page is only
// fetched when this much is left, so a run ends within its budget but for
// the authors' bios and captions of the pages in flight.
const pageReserve = feeds.MaxContentBytes + feeds.MaxSummaryBytes

// errPageBudget is the page error of an article whose extraction was put
// off because its run's text budget was spent: it is due again at the next
// run, without a backoff.
const errPageBudget = "page_budget_exhausted: put off to a later run (the run's text budget is spent)"

// textBudget is what is left of one run's feeds.MaxSourceRunBytes. The
// articles it leaves out (dropped) are not stored by the run: the store
// keeps their previous version.
type textBudget struct {
	mu      sync.Mutex
	left    int
	dropped map[string]bool
}

func newTextBudget() *textBudget {
	return &textBudget{left: feeds.MaxSourceRunBytes, dropped: map[string]bool{}}
}

// take spends n bytes if they are left and reports whether it did.
func (b *textBudget) take(n int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > b.left {
		return false
	}
	b.left -= n
	return true
}

// settle gives back what was taken (reserved) and spends what an article
// turned out to need, even beyond what is left.
func (b *textBudget) settle(reserved, used int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.left += reserved - used
}

// drop leaves the article id out of the run.
func (b *textBudget) drop(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dropped[id] = true
}

// isDropped reports whether the article id is left out of the run.
func (b *textBudget) isDropped(id string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dropped[id]
}

// kept returns arts without the dropped ones.
func (b *textBudget) kept(arts []feeds.Article) []feeds.Article {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.DeleteFunc(arts, func(a feeds.Article) bool { return b.dropped[a.ID] })
}

// keepNewest spends the budget on the text of arts, newest first (by
// published, else updated date; undated ones after the dated in feed
// order), and drops those that no longer fit. It returns how many it
// dropped.
func (b *textBudget) keepNewest(arts []feeds.Article) int {
	order := make([]int, len(arts))
	for i := range order {
		order[i] = i
	}
	date := func(a feeds.Article) int64 {
		d := a.Published
		if d.IsZero() {
			d = a.Updated
		}
		if d.IsZero() {
			return -1 << 63
		}
		return d.Unix()
	}
	slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(date(arts[j]), date(arts[i])) })
	n := 0
	for _, i := range order {
		if !b.take(feeds.TextBytes(arts[i])) {
			b.drop(arts[i].ID)
			n++
		}
	}
	return n
}
