package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/tributary/tributary/feeds"
)

// ArticleKey identifies a stored article: its source and id as stored.
// Keys are ordered by source, then id, comparing bytes, as both stores
// order them (SQLite's BINARY collation, PostgreSQL's "C").
type ArticleKey struct{ Source, ID string }

// StoredArticle is an article with the bookkeeping a store keeps beside
// it: what a copy carries from one store to another.
type StoredArticle struct {
	feeds.Article
	// Listed says whether its source's latest document lists it (see
	// Store.MarkListed): Expire never deletes a listed article.
	Listed bool
}

// Copier is a Store that `tributary copy` can read and write whole. Both
// stores implement it; a copy between them goes through it alone, so a
// copy works from either to either.
type Copier interface {
	Store
	// ExportArticles returns up to limit stored articles whose key comes
	// after the key after, in key order (see ArticleKey): the zero key
	// starts at the first. Every field of the article is filled as
	// Article and Articles fill it, FetchedAt and Page included.
	ExportArticles(ctx context.Context, after ArticleKey, limit int) ([]StoredArticle, error)
	// ExportArticle returns the article stored under key as
	// ExportArticles would, or an error wrapping ErrNotFound.
	ExportArticle(ctx context.Context, key ArticleKey) (StoredArticle, error)
	// ExportSourceStates returns up to limit saved source states whose
	// name comes after after (bytes), in name order; "" starts at the
	// first.
	ExportSourceStates(ctx context.Context, after string, limit int) ([]SourceState, error)
	// ImportArticles stores arts as given, in one transaction: FetchedAt,
	// Page and Listed included, replacing whatever is stored under the
	// same key (none of UpsertArticles's rules apply). It returns how many
	// it wrote: an article stored with the same content, FetchedAt, Page
	// and Listed is left as it is. Version moves once when it wrote any.
	ImportArticles(ctx context.Context, arts []StoredArticle) (int, error)
}

// CopyBatch is how many articles Copy reads and writes at a time when
// CopyOptions.Batch is 0: memory is bounded by that many articles (each
// bounded by feeds.Bound), whatever the size of the store.
const CopyBatch = 250

// CopySample is how many articles Verify compares field by field when
// CopyOptions.Sample is 0.
const CopySample = 200

// CopyOptions tunes Copy.
type CopyOptions struct {
	// Batch is how many articles are read, then written in one
	// transaction, at a time; 0 means CopyBatch.
	Batch int
	// Sample is how many articles, spread evenly over the key order,
	// Verify compares field by field; 0 means CopySample, negative none.
	Sample int
	// Progress, when set, is called after each batch of articles with how
	// many were read so far and how many the source held at the start.
	Progress func(read, total int)
}

// CopyResult is what Copy did, and what Verify checks against.
type CopyResult struct {
	// Articles counts the articles read from the source; ArticlesWritten
	// those written to the destination (a rerun writes none of those
	// already copied unchanged).
	Articles, ArticlesWritten int
	// States and StatesWritten count the source states likewise.
	States, StatesWritten int
	// RetentionWritten says whether the last cleanup run was written.
	RetentionWritten bool
	// sample are the articles Verify compares.
	sample []ArticleKey
}

// Copy copies everything the store from holds into to: every article with its
// bookkeeping, every source's saved state (validators, backoff, learned
// boilerplate, discovered feed, fingerprints...), and the last cleanup
// run. It reads and writes a batch of articles at a time, in key order,
// and writes only what differs, so a rerun after an interruption or a
// change to from brings to up to date and a rerun after a complete copy
// writes nothing. Articles and states stored in to but not in from are
// left alone (Verify reports them). Nothing should write to from while
// it runs: what changes during the copy may be missed (Verify reports
// it, and a rerun copies it).
func Copy(ctx context.Context, from, to Copier, opts CopyOptions) (*CopyResult, error) {
	batch := opts.Batch
	if batch <= 0 {
		batch = CopyBatch
	}
	stats, err := from.SourceStats(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: count the source's articles: %w", err)
	}
	total := 0
	for _, s := range stats {
		total += s.Articles
	}
	res := &CopyResult{}
	pick := newSampler(opts.Sample, total)
	var after ArticleKey
	for {
		arts, err := from.ExportArticles(ctx, after, batch)
		if err != nil {
			return res, fmt.Errorf("copy: read articles after %s/%s: %w", after.Source, after.ID, err)
		}
		if len(arts) == 0 {
			break
		}
		for _, a := range arts {
			key := ArticleKey{a.Source, a.ID}
			if pick(res.Articles) {
				res.sample = append(res.sample, key)
			}
			after = key
			res.Articles++
		}
		n, err := to.ImportArticles(ctx, arts)
		if err != nil {
			return res, fmt.Errorf("copy: write articles up to %s/%s: %w", after.Source, after.ID, err)
		}
		res.ArticlesWritten += n
		if opts.Progress != nil {
			opts.Progress(res.Articles, total)
		}
		if len(arts) < batch {
			break
		}
	}
	if err := copyStates(ctx, from, to, batch, res); err != nil {
		return res, err
	}
	rr, err := from.LastRetention(ctx)
	if err != nil {
		return res, fmt.Errorf("copy: read the last cleanup run: %w", err)
	}
	have, err := to.LastRetention(ctx)
	if err != nil {
		return res, fmt.Errorf("copy: read the destination's last cleanup run: %w", err)
	}
	if !rr.At.IsZero() && !sameRetention(rr, have) {
		if err := to.SaveRetention(ctx, rr); err != nil {
			return res, fmt.Errorf("copy: write the last cleanup run: %w", err)
		}
		res.RetentionWritten = true
	}
	return res, nil
}

// newSampler returns whether the article at position i (from 0, in key
// order) of total is one of the n Verify compares: positions spread
// evenly from the first, so the same store always gives the same sample.
func newSampler(n, total int) func(i int) bool {
	if n == 0 {
		n = CopySample
	}
	if n < 0 || total == 0 {
		return func(int) bool { return false }
	}
	n = min(n, total)
	next, k := 0, 0
	return func(i int) bool {
		if k >= n || i != next {
			return false
		}
		k++
		next = k * total / n
		return true
	}
}

// copyStates copies the source states that differ, reading both stores'
// states a batch at a time in name order, side by side.
func copyStates(ctx context.Context, from, to Copier, batch int, res *CopyResult) error {
	theirs := newStateCursor(to, batch)
	after := ""
	for {
		sts, err := from.ExportSourceStates(ctx, after, batch)
		if err != nil {
			return fmt.Errorf("copy: read source states after %q: %w", after, err)
		}
		for _, st := range sts {
			res.States++
			have, found, err := theirs.find(ctx, st.Name)
			if err != nil {
				return fmt.Errorf("copy: read the destination's source states: %w", err)
			}
			if found && len(stateDiff(st, have)) == 0 {
				continue
			}
			if err := to.SaveSourceState(ctx, st); err != nil {
				return fmt.Errorf("copy: write source state %q: %w", st.Name, err)
			}
			res.StatesWritten++
		}
		if len(sts) < batch {
			return nil
		}
		after = sts[len(sts)-1].Name
	}
}

// stateCursor reads a store's source states a batch at a time in name
// order, for a merge with another sorted stream of names.
type stateCursor struct {
	st    Copier
	batch int
	buf   []SourceState
	after string
	done  bool
}

func newStateCursor(st Copier, batch int) *stateCursor {
	return &stateCursor{st: st, batch: batch}
}

// next returns the next state in name order; ok is false at the end.
func (c *stateCursor) next(ctx context.Context) (SourceState, bool, error) {
	if len(c.buf) == 0 && !c.done {
		sts, err := c.st.ExportSourceStates(ctx, c.after, c.batch)
		if err != nil {
			return SourceState{}, false, err
		}
		c.buf, c.done = sts, len(sts) < c.batch
		if len(sts) > 0 {
			c.after = sts[len(sts)-1].Name
		}
	}
	if len(c.buf) == 0 {
		return SourceState{}, false, nil
	}
	st := c.buf[0]
	c.buf = c.buf[1:]
	return st, true, nil
}

// peek returns the next state without taking it.
func (c *stateCursor) peek(ctx context.Context) (SourceState, bool, error) {
	st, ok, err := c.next(ctx)
	if ok {
		c.buf = append([]SourceState{st}, c.buf...)
	}
	return st, ok, err
}

// find skips the states named before name and returns the one named name,
// if any. Names must be asked for in increasing order.
func (c *stateCursor) find(ctx context.Context, name string) (SourceState, bool, error) {
	for {
		st, ok, err := c.peek(ctx)
		if err != nil || !ok || st.Name > name {
			return SourceState{}, false, err
		}
		c.next(ctx)
		if st.Name == name {
			return st, true, nil
		}
	}
}

// sameRetention compares cleanup runs as the stores keep them.
func sameRetention(a, b RetentionRun) bool {
	return a.At.Equal(b.At) && a.Duration == b.Duration && a.Deleted == b.Deleted && a.Orphans == b.Orphans
}

// Verification is what Verify found.
type Verification struct {
	// Sources and Articles count the sources with articles and their
	// articles in the source store; States its saved source states.
	Sources, Articles, States int
	// Sampled counts the articles compared field by field.
	Sampled int
	// Mismatches says what differs, one line each (at most
	// maxMismatches, then how many more); empty when the destination
	// holds what the source does.
	Mismatches []string
}

// maxMismatches is how many mismatches Verify describes.
const maxMismatches = 50

// ErrMismatch is returned by Verify, wrapped, when the destination does
// not hold what the source does.
var ErrMismatch = errors.New("the destination differs from the source")

// Verify checks that to holds what from does after Copy returned res:
// the same number of articles, extracted and failed pages for every
// source; the same source states, compared whole, and last cleanup run;
// and the articles res sampled, compared field by field (bookkeeping
// included). It returns an error wrapping ErrMismatch when anything
// differs, with the differences in the Verification.
func Verify(ctx context.Context, from, to Copier, res *CopyResult) (Verification, error) {
	var v Verification
	mismatch := func(format string, args ...any) {
		if len(v.Mismatches) < maxMismatches {
			v.Mismatches = append(v.Mismatches, fmt.Sprintf(format, args...))
		} else if len(v.Mismatches) == maxMismatches {
			v.Mismatches = append(v.Mismatches, "... (more differences not shown)")
		}
	}
	if err := verifyCounts(ctx, from, to, &v, mismatch); err != nil {
		return v, err
	}
	if err := verifyStates(ctx, from, to, &v, mismatch); err != nil {
		return v, err
	}
	a, err := from.LastRetention(ctx)
	if err != nil {
		return v, fmt.Errorf("verify: read the last cleanup run: %w", err)
	}
	b, err := to.LastRetention(ctx)
	if err != nil {
		return v, fmt.Errorf("verify: read the destination's last cleanup run: %w", err)
	}
	if !a.At.IsZero() && !sameRetention(a, b) {
		mismatch("last cleanup run: %+v in the source, %+v in the destination", a, b)
	}
	for _, k := range res.sample {
		want, err := from.ExportArticle(ctx, k)
		if errors.Is(err, ErrNotFound) {
			mismatch("article %s/%s: no longer in the source (was it written to during the copy?)", k.Source, k.ID)
			continue
		}
		if err != nil {
			return v, fmt.Errorf("verify: read article %s/%s: %w", k.Source, k.ID, err)
		}
		v.Sampled++
		got, err := to.ExportArticle(ctx, k)
		if errors.Is(err, ErrNotFound) {
			mismatch("article %s/%s: missing from the destination", k.Source, k.ID)
			continue
		}
		if err != nil {
			return v, fmt.Errorf("verify: read the destination's article %s/%s: %w", k.Source, k.ID, err)
		}
		if d := articleDiff(want, got); len(d) > 0 {
			mismatch("article %s/%s: %s differ", k.Source, k.ID, strings.Join(d, ", "))
		}
	}
	if len(v.Mismatches) > 0 {
		return v, fmt.Errorf("verify: %w", ErrMismatch)
	}
	return v, nil
}

// verifyCounts compares the article and page counts of every source.
func verifyCounts(ctx context.Context, from, to Copier, v *Verification, mismatch func(string, ...any)) error {
	want, err := from.SourceStats(ctx)
	if err != nil {
		return fmt.Errorf("verify: count the source's articles: %w", err)
	}
	got, err := to.SourceStats(ctx)
	if err != nil {
		return fmt.Errorf("verify: count the destination's articles: %w", err)
	}
	names := map[string]bool{}
	for n, s := range want {
		names[n] = true
		v.Sources++
		v.Articles += s.Articles
	}
	for n := range got {
		names[n] = true
	}
	for _, n := range sortedKeys(names) {
		w, g := want[n], got[n]
		if w != g {
			mismatch("source %q: %d articles (%d pages extracted, %d failed) in the source, %d (%d, %d) in the destination",
				n, w.Articles, w.PagesExtracted, w.PagesFailed, g.Articles, g.PagesExtracted, g.PagesFailed)
		}
	}
	return nil
}

// verifyStates compares every source state of both stores, side by side
// in name order, a batch at a time.
func verifyStates(ctx context.Context, from, to Copier, v *Verification, mismatch func(string, ...any)) error {
	mine, theirs := newStateCursor(from, CopyBatch), newStateCursor(to, CopyBatch)
	for {
		a, okA, err := mine.peek(ctx)
		if err != nil {
			return fmt.Errorf("verify: read source states: %w", err)
		}
		b, okB, err := theirs.peek(ctx)
		if err != nil {
			return fmt.Errorf("verify: read the destination's source states: %w", err)
		}
		switch {
		case !okA && !okB:
			return nil
		case okA && (!okB || a.Name < b.Name):
			mismatch("source state %q: missing from the destination", a.Name)
			v.States++
			mine.next(ctx)
		case okB && (!okA || b.Name < a.Name):
			mismatch("source state %q: in the destination only", b.Name)
			theirs.next(ctx)
		default:
			if d := stateDiff(a, b); len(d) > 0 {
				mismatch("source state %q: %s differ", a.Name, strings.Join(d, ", "))
			}
			v.States++
			mine.next(ctx)
			theirs.next(ctx)
		}
	}
}

// articleDiff names the fields in which a and b differ.
func articleDiff(a, b StoredArticle) []string {
	d := fieldDiff(reflect.ValueOf(a.Article), reflect.ValueOf(b.Article))
	if a.Listed != b.Listed {
		d = append(d, "Listed")
	}
	return d
}

// stateDiff names the fields in which a and b differ.
func stateDiff(a, b SourceState) []string {
	return fieldDiff(reflect.ValueOf(a), reflect.ValueOf(b))
}

// fieldDiff names the fields of the structs a and b (of one type) whose
// values differ: times by instant, the rest deeply.
func fieldDiff(a, b reflect.Value) []string {
	var out []string
	for i := range a.NumField() {
		x, y := a.Field(i).Interface(), b.Field(i).Interface()
		same := false
		if tx, ok := x.(time.Time); ok {
			same = tx.Equal(y.(time.Time))
		} else {
			same = reflect.DeepEqual(x, y)
		}
		if !same {
			out = append(out, a.Type().Field(i).Name)
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	return slices.Sorted(maps.Keys(m)) // bytes order, as the stores list sources
}
