package pipeline

import (
	"container/list"
	"crypto/sha256"
	"sync"

	"github.com/tributary/tributary/sources/extract"
)

// paragraphCacheBytes bounds what a Runner keeps of the paragraphs of the
// documents it learned boilerplate from, in all: about the text of 4,000
// stories of 3 KB, more than the stored window (boilerplateWindow) of
// every source a daemon of a thousand sources reads in one cycle needs
// per source at a time.
const paragraphCacheBytes = 12 << 20

// paragraphCache keeps the extract.Paragraphs of documents, keyed by the
// SHA-256 of the document, so that learning boilerplate reads the HTML of
// a stored article once, not on every run. It holds at most max bytes
// (the paragraphs' text and a fixed cost per entry and paragraph); the
// least recently used entries go first. Its zero value is an empty cache
// of paragraphCacheBytes; it is safe for concurrent use.
type paragraphCache struct {
	mu    sync.Mutex
	max   int // 0 means paragraphCacheBytes
	size  int
	lru   list.List // of *paragraphEntry, most recent first
	items map[[sha256.Size]byte]*list.Element
}

type paragraphEntry struct {
	key   [sha256.Size]byte
	paras []string
	size  int
}

// Fixed costs counted per entry and per paragraph on top of the text: the
// key, list element, map slot and slice header, and a string header.
const (
	paragraphEntryCost = 160
	paragraphCost      = 16
)

// paragraphs returns extract.Paragraphs(doc), from the cache when doc was
// read before. The slice is shared: callers do not modify it.
func (c *paragraphCache) paragraphs(doc string) []string {
	key := sha256.Sum256([]byte(doc))
	c.mu.Lock()
	if e, ok := c.items[key]; ok {
		c.lru.MoveToFront(e)
		paras := e.Value.(*paragraphEntry).paras
		c.mu.Unlock()
		return paras
	}
	c.mu.Unlock()
	paras := extract.Paragraphs(doc)
	c.add(key, paras)
	return paras
}

// add keeps paras under key, dropping the least recently used entries
// beyond the cache's bound. An entry larger than the bound is not kept.
func (c *paragraphCache) add(key [sha256.Size]byte, paras []string) {
	size := paragraphEntryCost
	for _, p := range paras {
		size += paragraphCost + len(p)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	limit := c.max
	if limit <= 0 {
		limit = paragraphCacheBytes
	}
	if _, ok := c.items[key]; ok || size > limit {
		return
	}
	if c.items == nil {
		c.items = make(map[[sha256.Size]byte]*list.Element)
	}
	for c.size+size > limit {
		oldest := c.lru.Back()
		e := oldest.Value.(*paragraphEntry)
		c.lru.Remove(oldest)
		delete(c.items, e.key)
		c.size -= e.size
	}
	c.items[key] = c.lru.PushFront(&paragraphEntry{key: key, paras: paras, size: size})
	c.size += size
}

// learnBoilerplate is extract.FindBoilerplate over docs, with their
// paragraphs read through the runner's cache.
func (r *Runner) learnBoilerplate(docs []string) []string {
	paras := make([][]string, len(docs))
	for i, d := range docs {
		paras[i] = r.paragraphs.paragraphs(d)
	}
	return extract.BoilerplateIn(paras, boilerplateMinDocs)
}
