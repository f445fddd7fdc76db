package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/sync/errgroup"

	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/internal/store/sqlite"
	"github.com/tributary/tributary/sources"
	"github.com/tributary/tributary/sources/extract"
)

// The full refresh benchmarks: benchSources feeds of benchItems items, each
// item about 2 KB of HTML of its own, fetched benchWorkers at a time (the
// default fetch.workers of `tributary fetch`).
const (
	benchSources = 20
	benchItems   = 50
	benchWorkers = 4
	// benchParagraphs makes an item's content about 2 KB.
	benchParagraphs = 7
)

// benchWords is the vocabulary the generated stories are drawn from.
var benchWords = strings.Fields(`council budget river school harbour bridge mayor vote
	residents ferry market bakery festival library museum station tram route
	volunteer cleanup plastic summer winter report meeting parents children
	teachers funding repairs spring autumn weather storm flood garden park
	elections candidate district street neighbours shop owner customers price`)

// benchFeed returns the RSS document of source s in generation gen: every
// generation has new items (new guids, new text), as a full refresh sees.
func benchFeed(s, gen int) []byte {
	r := rand.New(rand.NewPCG(uint64(s), uint64(gen)))
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Bench source %d</title><link>https://site%d.example/</link><description>Generated</description>`, s, s)
	for i := range benchItems {
		id := fmt.Sprintf("%d-%d-%d", gen, s, i)
		fmt.Fprintf(&b, "<item><title>Story %s: %s %s</title><link>https://site%d.example/story/%s</link><guid>https://site%d.example/story/%s</guid><dc:creator>Reporter %d</dc:creator><category>Local</category><pubDate>Mon, 06 May 2024 10:%02d:00 GMT</pubDate>",
			id, benchWords[r.IntN(len(benchWords))], benchWords[r.IntN(len(benchWords))], s, id, s, id, i%7, i%60)
		b.WriteString("<description><![CDATA[<p>")
		benchSentence(&b, r, 30)
		b.WriteString("</p>]]></description><content:encoded><![CDATA[")
		b.WriteString(`<figure><img src="/img/` + id + `.jpg" alt="Lead" width="800" height="450"><figcaption>`)
		benchSentence(&b, r, 8)
		b.WriteString("</figcaption></figure>")
		for p := range benchParagraphs {
			b.WriteString(`<p class="para">`)
			benchSentence(&b, r, 25)
			fmt.Fprintf(&b, ` <a href="/related/%s/%d">more</a> <em>`, id, p)
			benchSentence(&b, r, 5)
			b.WriteString("</em>.</p>\n")
		}
		b.WriteString("]]></content:encoded></item>\n")
	}
	b.WriteString("</channel></rss>")
	return b.Bytes()
}

// benchSentence writes n words drawn from benchWords.
func benchSentence(b *bytes.Buffer, r *rand.Rand, n int) {
	for w := range n {
		if w > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(benchWords[r.IntN(len(benchWords))])
	}
}

// benchServer serves /s/N.xml, the document of source N in the current
// generation, generated once per generation.
type benchServer struct {
	*httptest.Server
	mu   sync.Mutex
	gen  int
	docs map[int][]byte
}

func newBenchServer(b *testing.B) *benchServer {
	bs := &benchServer{docs: map[int][]byte{}}
	bs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/s/"), ".xml"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(bs.doc(n))
	}))
	b.Cleanup(bs.Close)
	return bs
}

func (bs *benchServer) doc(n int) []byte {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	d, ok := bs.docs[n]
	if !ok {
		d = benchFeed(n, bs.gen)
		bs.docs[n] = d
	}
	return d
}

// next makes every document new, and generates them (outside the timing).
func (bs *benchServer) next() (bytes int) {
	bs.mu.Lock()
	bs.gen++
	clear(bs.docs)
	bs.mu.Unlock()
	for s := range benchSources {
		bytes += len(bs.doc(s))
	}
	return bytes
}

// BenchmarkFullRefresh is a `tributary fetch` in which every item is new:
// benchSources sources of benchItems items fetched from an httptest
// server, parsed, sanitized, checked for boilerplate and stored in a
// SQLite file, benchWorkers sources at a time. Its ratio to
// BenchmarkBaseline is the measure of issue 13 (goal: at most 2.0).
func BenchmarkFullRefresh(b *testing.B) {
	ctx := context.Background()
	bs := newBenchServer(b)
	dir := b.TempDir()
	client := fetch.New(fetch.Options{PerHostConcurrency: benchWorkers})
	b.Cleanup(client.Close)
	b.ReportAllocs()
	var cpu cpuClock
	defer cpu.report(b)
	i := 0
	for b.Loop() {
		b.StopTimer()
		b.SetBytes(int64(bs.next()))
		// A new store each time: with the articles of the last
		// generation, boilerplate learning would read more each time.
		i++
		st, err := sqlite.Open(ctx, filepath.Join(dir, fmt.Sprintf("bench-%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		r := &Runner{Doer: client, Store: st}
		b.StartTimer()
		cpu.start()
		var g errgroup.Group
		g.SetLimit(benchWorkers)
		for s := range benchSources {
			g.Go(func() error {
				out := r.Run(ctx, Source{Source: sources.Source{Name: fmt.Sprintf("s%d", s), URL: fmt.Sprintf("%s/s/%d.xml", bs.URL, s)}}, true)
				if out.Status != StatusNew || out.New != benchItems {
					return fmt.Errorf("source %d: %s", s, out)
				}
				return nil
			})
		}
		err = g.Wait()
		cpu.stop()
		b.StopTimer()
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkBaseline downloads and parses the documents of
// BenchmarkFullRefresh with gofeed alone, at the same concurrency: the
// floor a full refresh is compared with.
func BenchmarkBaseline(b *testing.B) {
	bs := newBenchServer(b)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchWorkers}}
	b.Cleanup(hc.CloseIdleConnections)
	b.ReportAllocs()
	var cpu cpuClock
	defer cpu.report(b)
	for b.Loop() {
		b.StopTimer()
		b.SetBytes(int64(bs.next()))
		b.StartTimer()
		cpu.start()
		var g errgroup.Group
		g.SetLimit(benchWorkers)
		for s := range benchSources {
			g.Go(func() error {
				resp, err := hc.Get(fmt.Sprintf("%s/s/%d.xml", bs.URL, s))
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				data, err := io.ReadAll(resp.Body)
				if err != nil {
					return err
				}
				f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
				if err != nil {
					return err
				}
				if len(f.Items) != benchItems {
					return fmt.Errorf("source %d: %d items", s, len(f.Items))
				}
				return nil
			})
		}
		err := g.Wait()
		cpu.stop()
		if err != nil {
			b.Fatal(err)
		}
	}
}

// cpuClock adds up the CPU time (user and system, of the whole process,
// the test server's included) between its start and stop, which follow
// the benchmark timer's: on a shared machine it varies less than the wall
// time.
type cpuClock struct {
	total, since time.Duration
}

func (c *cpuClock) start() { c.since = cpuTime() }
func (c *cpuClock) stop()  { c.total += cpuTime() - c.since }

// report reports the CPU time per iteration as cpu-ns/op.
func (c *cpuClock) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(c.total)/float64(b.N), "cpu-ns/op")
	}
}

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLearnBoilerplate learns boilerplate from the 50 articles of a
// document and 30 stored ones, as each run of a source does: read afresh
// (FindBoilerplate, as before the cache) and through a Runner whose cache
// read them in an earlier run.
func BenchmarkLearnBoilerplate(b *testing.B) {
	var docs []string
	for gen := range 2 {
		res, err := sources.Parse(benchFeed(0, gen), "", "https://site0.example/feed", "s0", time.Now())
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range res.Articles {
			docs = append(docs, boilerplateDoc(a))
		}
	}
	docs = docs[:benchItems+boilerplateWindow]
	b.Run("afresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			extract.FindBoilerplate(docs, boilerplateMinDocs)
		}
	})
	b.Run("cached", func(b *testing.B) {
		r := &Runner{}
		r.learnBoilerplate(docs)
		b.ReportAllocs()
		for b.Loop() {
			r.learnBoilerplate(docs)
		}
	})
}
