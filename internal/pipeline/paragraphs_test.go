package pipeline

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tributary/tributary/sources/extract"
)

// TestParagraphCache: what the cache returns is what extract.Paragraphs
// reads; it never holds more than its bound, and drops the least recently
// used document first.
func TestParagraphCache(t *testing.T) {
	doc := func(i int) string {
		return fmt.Sprintf("<p>Story %d is about the harbour and its boats.</p><div>Support the Courier, story %d.</div>", i, i)
	}
	entry := paragraphEntryCost
	for _, p := range extract.Paragraphs(doc(0)) {
		entry += paragraphCost + len(p)
	}
	c := &paragraphCache{max: 3 * entry}
	for i := range 3 {
		if got, want := c.paragraphs(doc(i)), extract.Paragraphs(doc(i)); !slices.Equal(got, want) {
			t.Fatalf("paragraphs(doc %d) = %q, want %q", i, got, want)
		}
	}
	c.paragraphs(doc(0)) // 0 is now the most recently used; 1 the least
	c.paragraphs(doc(3))
	if c.size > c.max {
		t.Errorf("size %d beyond the bound %d", c.size, c.max)
	}
	for i, want := range []bool{true, false, true, true} {
		if _, ok := c.items[sha256.Sum256([]byte(doc(i)))]; ok != want {
			t.Errorf("doc %d cached: %t, want %t", i, ok, want)
		}
	}
	// Read again, an evicted document gives the same paragraphs.
	if got, want := c.paragraphs(doc(1)), extract.Paragraphs(doc(1)); !slices.Equal(got, want) {
		t.Errorf("paragraphs(doc 1) again = %q, want %q", got, want)
	}
	// A document larger than the whole bound is read, not kept.
	big := "<p>" + strings.Repeat("word ", 3*entry) + "</p>"
	if got := c.paragraphs(big); len(got) != 1 {
		t.Errorf("paragraphs(big) = %d paragraphs, want 1", len(got))
	}
	if _, ok := c.items[sha256.Sum256([]byte(big))]; ok || c.size > c.max {
		t.Errorf("big document kept (%t) or bound passed (%d > %d)", ok, c.size, c.max)
	}
}

// TestParagraphCacheDefaultBound: the zero cache holds paragraphCacheBytes
// at most, however many documents it reads.
func TestParagraphCacheDefaultBound(t *testing.T) {
	var c paragraphCache
	para := strings.Repeat("The council met again on Tuesday night. ", 10)
	// About 1.4 KB an entry: 12,000 of them pass the bound.
	for i := range 12000 {
		c.paragraphs(fmt.Sprintf("<p>%d %s</p><p>%s</p><p>%s %d</p>", i, para, para, para, i))
		if c.size > paragraphCacheBytes {
			t.Fatalf("after %d documents: %d bytes, beyond %d", i+1, c.size, paragraphCacheBytes)
		}
	}
	if c.size < paragraphCacheBytes*9/10 || c.lru.Len() == 12000 {
		t.Errorf("holds %d bytes of %d in %d entries: did not fill and evict", c.size, paragraphCacheBytes, c.lru.Len())
	}
}
