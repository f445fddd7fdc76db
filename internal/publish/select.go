package publish

import (
	"context"
	"fmt"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

// Filtered counts the items a feed's rules left out of it, by reason: its
// sources' and its own include and exclude, its max_age, its
// per_source_limit. Each item left out counts once, for the first rule
// that applies, in that order (max_age first: what is too old is not
// counted as excluded too). Only the items that would otherwise have been
// published count: those newer than the oldest item the feed holds (all
// of those read when the feed is not full); for max_age, as many of the
// older items as it keeps out of the feed's limit.
type Filtered struct {
	Include, Exclude, MaxAge, PerSourceLimit int
}

// Total is the number of items left out, whatever the reason.
func (f Filtered) Total() int { return f.Include + f.Exclude + f.MaxAge + f.PerSourceLimit }

// MaxScan bounds the stored articles one selection of one feed reads:
// at most MaxScan, or twice the number of items asked for when that is
// more. Filters that leave out nearly everything make a feed read the
// store in growing batches (twice the items asked for, then four times
// more each time) up to that bound, and publish what matched among them.
const MaxScan = 5000

// selection is the items of a feed as published, newest first, whether
// the store holds no more of them, what the rules left out and until
// when the selection stands (zero: until the store changes).
type selection struct {
	items     []feeds.Article
	exhausted bool
	left      Filtered
	until     time.Time
}

// items returns the newest n items of feed f as published (its sources'
// articles filtered by their sources' rules, combined, then filtered by
// the feed's rules, max_age and per_source_limit) and whether the store
// holds no more of them (exhausted). It reads the store in growing
// batches, at most max(MaxScan, 2n) articles; a selection cut short by
// that bound is not exhausted.
func (p *Publisher) items(ctx context.Context, f Feed, n int) ([]feeds.Article, bool, error) {
	s, err := p.selectItems(ctx, f, n, time.Now())
	return s.items, s.exhausted, err
}

// selectItems is items with what the rules left out, at time now.
func (p *Publisher) selectItems(ctx context.Context, f Feed, n int, now time.Time) (selection, error) {
	if len(f.Sources) == 0 || n <= 0 {
		return selection{exhausted: true}, nil
	}
	n = min(n, MaxPagedItems)
	bound := max(MaxScan, 2*n)
	// The same story may come from several sources and is merged into
	// one item, so read more than n to still fill it after de-duplication.
	limit := 2 * n
	for {
		arts, err := p.r.Articles(ctx, store.Query{Sources: f.Sources, Limit: limit})
		if err != nil {
			return selection{}, fmt.Errorf("%w: read articles of feed %q: %w", ErrStoreUnavailable, f.Name, err)
		}
		storeDone := len(arts) < limit
		s, done := p.choose(f, arts, n, storeDone, now)
		if done || storeDone || limit >= bound {
			return s, p.attribute(ctx, f, s.items)
		}
		limit = min(limit*4, bound)
	}
}

// choose selects the newest n items of f among arts, the newest stored
// articles of its sources (all of them when storeDone). done reports
// whether reading more of the store could change the selection or its
// counts.
func (p *Publisher) choose(f Feed, arts []feeds.Article, n int, storeDone bool, now time.Time) (s selection, done bool) {
	var cutoff time.Time
	if f.MaxAge > 0 {
		cutoff = now.Add(-f.MaxAge)
	}
	tooOld := func(a *feeds.Article) bool { return !cutoff.IsZero() && feeds.SortDate(*a).Before(cutoff) }
	// Each source's rules apply to its own copies of a story, before the
	// copies of several sources are merged.
	type drop struct {
		date   time.Time
		reason string
	}
	var drops []drop
	kept := arts
	if len(p.opts.SourceFilters) > 0 {
		kept = make([]feeds.Article, 0, len(arts))
		for i := range arts {
			a := &arts[i]
			reason := p.opts.SourceFilters[a.Source].Reason(a)
			switch {
			case reason == "":
				kept = append(kept, *a)
			case !tooOld(a):
				drops = append(drops, drop{feeds.SortDate(*a), reason})
			}
		}
	}
	combined := feeds.Combine(kept, 0)
	perSource := map[string]int{}
	keep := func(a *feeds.Article) string {
		if reason := f.Filter.Reason(a); reason != "" {
			return reason
		}
		if f.PerSourceLimit > 0 && perSource[a.Source] >= f.PerSourceLimit {
			return reasonPerSource
		}
		return ""
	}
	more, aged := false, false
	for i := range combined {
		a := &combined[i]
		if tooOld(a) {
			// Every item after it is older still: none can be kept, and
			// as many as the feed has room for count as kept out by age.
			aged = true
			s.left.MaxAge = min(len(combined)-i, n-len(s.items))
			break
		}
		reason := keep(a)
		if len(s.items) == n {
			if reason == "" {
				more = true
				break
			}
			continue
		}
		switch reason {
		case "":
			s.items = append(s.items, *a)
			perSource[a.Source]++
		case feeds.ReasonInclude:
			s.left.Include++
		case feeds.ReasonExclude:
			s.left.Exclude++
		case reasonPerSource:
			s.left.PerSourceLimit++
		}
	}
	full := len(s.items) == n
	for _, d := range drops {
		if full && d.date.Before(feeds.SortDate(s.items[n-1])) {
			continue // older than what the feed holds: it would not be in it anyway
		}
		if d.reason == feeds.ReasonInclude {
			s.left.Include++
		} else {
			s.left.Exclude++
		}
	}
	if f.MaxAge > 0 && len(s.items) > 0 {
		// The oldest item published ages out first.
		s.until = feeds.SortDate(s.items[len(s.items)-1]).Add(f.MaxAge)
	}
	s.exhausted = !more && (storeDone || aged)
	switch {
	case full, aged && s.left.MaxAge == n-len(s.items):
		done = true
	default:
		done = storeDone
	}
	return s, done
}

// reasonPerSource is the reason per_source_limit leaves an item out.
const reasonPerSource = "per_source_limit"
