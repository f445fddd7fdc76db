// Command genfeeds writes the RSS feeds the benchmark (.ci/bench) serves:
// N sources of 50 items each, about 2 KB of distinct HTML per item. The
// output depends only on the flags, so two runs with the same flags write
// the same bytes and the same modification times (nginx derives its ETag
// and Last-Modified from them, so an unchanged feed answers 304).
//
// Round R lists items R to R+49 of each source: each round adds one new
// item per source and drops the oldest, as a refresh cycle would see.
//
//	genfeeds -dir DIR -sources 1000 [-items 50] [-round 0]
//
// It writes DIR/fNNNNN.xml and prints one tab-separated line:
// sources, items, html_bytes (the HTML the items hold), feed_bytes.
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// epoch is the date of item 0 of every source; item i is i hours later.
// Fixed, so that the output never depends on when it was generated.
var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	dir := flag.String("dir", "", "directory to write the feeds into (created if missing)")
	n := flag.Int("sources", 100, "number of feeds")
	items := flag.Int("items", 50, "items per feed")
	round := flag.Int("round", 0, "round: feed s lists items round..round+items-1")
	flag.Parse()
	if *dir == "" || *n < 1 || *items < 1 || *round < 0 {
		fmt.Fprintln(os.Stderr, "usage: genfeeds -dir DIR -sources N [-items 50] [-round R]")
		os.Exit(2)
	}
	sum, err := writeAll(*dir, *n, *items, *round)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genfeeds:", err)
		os.Exit(1)
	}
	fmt.Printf("%d\t%d\t%d\t%d\n", *n, *n**items, sum.html, sum.feed)
}

// totals counts what writeAll wrote.
type totals struct{ html, feed int64 }

// FileName is the name of source s's feed (s from 1).
func FileName(s int) string { return fmt.Sprintf("f%05d.xml", s) }

// writeAll writes the n feeds of round into dir. A file whose bytes are
// already there is left alone; every file gets the round's time.
func writeAll(dir string, n, items, round int) (totals, error) {
	var t totals
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return t, fmt.Errorf("genfeeds: %w", err)
	}
	mtime := epoch.Add(time.Duration(round) * time.Hour)
	var b strings.Builder
	for s := 1; s <= n; s++ {
		b.Reset()
		t.html += writeFeed(&b, s, items, round)
		t.feed += int64(b.Len())
		path := filepath.Join(dir, FileName(s))
		if old, err := os.ReadFile(path); err != nil || string(old) != b.String() {
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				return t, fmt.Errorf("genfeeds: %w", err)
			}
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			return t, fmt.Errorf("genfeeds: %w", err)
		}
	}
	return t, nil
}

// writeFeed writes source s's RSS document for round to w and returns the
// bytes of HTML its items hold.
func writeFeed(w io.StringWriter, s, items, round int) int64 {
	newest := epoch.Add(time.Duration(round+items-1) * time.Hour)
	w.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.WriteString(`<rss version="2.0"><channel>` + "\n")
	fmt.Fprintf(stringWriter{w}, "<title>Bench source %d</title>\n<link>http://bench.invalid/s%d/</link>\n", s, s)
	fmt.Fprintf(stringWriter{w}, "<description>Generated feed %d of the Tributary benchmark</description>\n", s)
	fmt.Fprintf(stringWriter{w}, "<lastBuildDate>%s</lastBuildDate>\n", newest.Format(time.RFC1123Z))
	var html int64
	for i := round + items - 1; i >= round; i-- {
		body := itemHTML(s, i)
		html += int64(len(body))
		fmt.Fprintf(stringWriter{w}, "<item>\n<title>%s</title>\n", itemTitle(s, i))
		fmt.Fprintf(stringWriter{w}, "<link>http://bench.invalid/s%d/item%d.html</link>\n", s, i)
		fmt.Fprintf(stringWriter{w}, "<guid isPermaLink=\"false\">bench-%d-%d</guid>\n", s, i)
		fmt.Fprintf(stringWriter{w}, "<pubDate>%s</pubDate>\n", epoch.Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z))
		w.WriteString("<description><![CDATA[")
		w.WriteString(body)
		w.WriteString("]]></description>\n</item>\n")
	}
	w.WriteString("</channel></rss>\n")
	return html
}

// stringWriter lets fmt.Fprintf write to an io.StringWriter.
type stringWriter struct{ w io.StringWriter }

func (s stringWriter) Write(p []byte) (int, error) { return s.w.WriteString(string(p)) }

// words is the vocabulary of the generated text; the sequence of words is
// what makes each paragraph distinct.
var words = strings.Fields(`river delta current stream basin source mouth bank ford rapids
	valley meadow forest ridge harbor island lantern compass signal beacon archive ledger
	market weather season harvest engine circuit network packet server client library
	council village bridge tunnel railway station garden orchard quarry furnace mill
	reports notes finds measures builds describes questions announces follows reviews
	quietly rapidly carefully openly early late again often rarely nearly mostly
	ancient modern bright narrow distant local public careful steady hidden golden silver
	seven twelve hundred thousand several many few each every another the a of in on
	under over between through after before during without within across toward`)

// rng returns the generator of source s's item i: its text depends on
// nothing else.
func rng(s, i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(s), uint64(i)))
}

func sentence(r *rand.Rand, lo, hi int) string {
	n := lo + r.IntN(hi-lo+1)
	ws := make([]string, n)
	for k := range ws {
		ws[k] = words[r.IntN(len(words))]
	}
	ws[0] = strings.ToUpper(ws[0][:1]) + ws[0][1:]
	return strings.Join(ws, " ") + "."
}

func itemTitle(s, i int) string {
	r := rng(s, -i-1)
	return fmt.Sprintf("Item %d of source %d: %s", i, s, strings.TrimSuffix(sentence(r, 4, 7), "."))
}

// itemHTML returns about 2 KB of HTML: paragraphs of sentences, a link,
// emphasis and a list, each paragraph its own words.
func itemHTML(s, i int) string {
	r := rng(s, i)
	var b strings.Builder
	fmt.Fprintf(&b, "<p>Source %d, item %d. %s %s</p>\n", s, i, sentence(r, 8, 14), sentence(r, 8, 14))
	for b.Len() < 1700 {
		switch r.IntN(4) {
		case 0:
			fmt.Fprintf(&b, "<p>%s <a href=\"http://bench.invalid/s%d/ref%d-%d\">%s</a> %s</p>\n",
				sentence(r, 6, 12), s, i, b.Len(), strings.TrimSuffix(sentence(r, 2, 4), "."), sentence(r, 6, 12))
		case 1:
			fmt.Fprintf(&b, "<p><strong>%s</strong> %s <em>%s</em></p>\n", sentence(r, 3, 5), sentence(r, 10, 16), sentence(r, 3, 6))
		case 2:
			fmt.Fprintf(&b, "<ul><li>%s</li><li>%s</li><li>%s</li></ul>\n", sentence(r, 4, 8), sentence(r, 4, 8), sentence(r, 4, 8))
		default:
			fmt.Fprintf(&b, "<p>%s %s %s</p>\n", sentence(r, 8, 14), sentence(r, 8, 14), sentence(r, 8, 14))
		}
	}
	return b.String()
}
