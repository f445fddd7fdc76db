package sources

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// benchItems is the number of items in each benchmark document.
const benchItems = 50

// benchBody is a realistic article body: paragraphs, links, an image.
const benchBody = `<p>The council voted on Tuesday to approve the <a href="/budget">new budget</a>, ` +
	`which includes funding for roads, schools and <em>public transport</em>.</p>` +
	`<figure><img src="/img/council.jpg" alt="Council" width="800" height="450"><figcaption>The vote</figcaption></figure>` +
	`<p>Opponents said the plan was rushed. "We need more time," said one member. ` +
	`The mayor disagreed and pointed to <a href="https://example.org/report">the report</a>.</p>` +
	`<p>The budget takes effect next month.</p>`

func benchRSS() []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Bench</title><link>https://bench.example.com/</link><description>d</description>`)
	for i := range benchItems {
		fmt.Fprintf(&b, `<item><title>Council approves budget %d</title><link>https://bench.example.com/%d</link><guid>https://bench.example.com/%d</guid>
<description><![CDATA[<p>Summary of story %d with <b>bold</b> text.</p>]]></description><content:encoded><![CDATA[%s]]></content:encoded>
<dc:creator>Reporter %d</dc:creator><category>Politics</category><category>Local</category><pubDate>Mon, 06 May 2024 10:%02d:00 GMT</pubDate>
<media:content url="https://cdn.example.com/%d.jpg" medium="image" width="1200" height="800"><media:credit>Agency</media:credit></media:content></item>
`, i, i, i, i, benchBody, i, i%60, i)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

func benchAtom() []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://bench.example.com/"><title>Bench</title><id>urn:bench</id><updated>2024-05-06T10:00:00Z</updated>`)
	for i := range benchItems {
		fmt.Fprintf(&b, `<entry><title>Council approves budget %d</title><link href="/%d"/><id>urn:bench:%d</id>
<published>2024-05-06T10:%02d:00Z</published><updated>2024-05-06T11:00:00Z</updated><author><name>Reporter %d</name><uri>/people/%d</uri></author>
<category term="politics"/><summary>Summary of story %d</summary><content type="html"><![CDATA[%s]]></content></entry>
`, i, i, i, i%60, i, i, i, benchBody)
	}
	b.WriteString(`</feed>`)
	return []byte(b.String())
}

func benchJSON() []byte {
	var b strings.Builder
	b.WriteString(`{"version":"https://jsonfeed.org/version/1.1","title":"Bench","home_page_url":"https://bench.example.com/","items":[`)
	body := strings.ReplaceAll(benchBody, `"`, `\"`)
	for i := range benchItems {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"%d","url":"https://bench.example.com/%d","title":"Council approves budget %d","content_html":"%s","summary":"Summary %d","image":"https://cdn.example.com/%d.jpg","date_published":"2024-05-06T10:%02d:00Z","authors":[{"name":"Reporter %d","url":"https://bench.example.com/p/%d"}],"tags":["politics","local"]}`,
			i, i, i, body, i, i, i%60, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func benchmarkParse(b *testing.B, data []byte) {
	b.Helper()
	res, err := Parse(data, "", testFeedURL, "bench", testNow)
	if err != nil || len(res.Articles) != benchItems {
		b.Fatalf("Parse: %d articles, err %v", len(res.Articles), err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Parse(data, "", testFeedURL, "bench", testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRSS(b *testing.B)  { benchmarkParse(b, benchRSS()) }
func BenchmarkParseAtom(b *testing.B) { benchmarkParse(b, benchAtom()) }
func BenchmarkParseJSON(b *testing.B) { benchmarkParse(b, benchJSON()) }

// BenchmarkParseRepair measures the slow path: a feed rejected once and
// parsed again after repair.
func BenchmarkParseRepair(b *testing.B) {
	data := []byte(strings.Replace(string(benchRSS()), "Council approves budget 7", "Council \x01 approves < budget 7", 1))
	benchmarkParse(b, data)
}

// BenchmarkRepairJSON measures what the JSON repair costs a good feed,
// which it walks on every parse and hands on unchanged.
func BenchmarkRepairJSON(b *testing.B) {
	data := benchJSON()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, dropped := repairJSON(data); dropped != nil {
			b.Fatal(dropped)
		}
	}
}

// BenchmarkParseJSONRepair measures a JSON feed whose every item has a
// field to repair (tags a string, not a list).
func BenchmarkParseJSONRepair(b *testing.B) {
	benchmarkParse(b, []byte(strings.ReplaceAll(string(benchJSON()), `"tags":["politics","local"]`, `"tags":"politics"`)))
}

func BenchmarkScrape(b *testing.B) {
	var page strings.Builder
	page.WriteString(`<html><head><title>List</title></head><body><ul>`)
	for i := range benchItems {
		fmt.Fprintf(&page, `<li class="entry"><h2><a href="/story/%d">Story %d</a></h2><div class="teaser">%s</div><time datetime="2024-05-06T10:00:00Z">May 6</time></li>`, i, i, benchBody)
	}
	page.WriteString(`</ul></body></html>`)
	data := []byte(page.String())
	sel := Selectors{Item: "li.entry", Summary: ".teaser"}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		arts, err := Scrape(data, "https://bench.example.com/", "bench", sel, testNow)
		if err != nil || len(arts) != benchItems {
			b.Fatalf("Scrape: %d articles, err %v", len(arts), err)
		}
	}
}

// BenchmarkParseRSSSameText measures a feed whose items repeat their
// story in description and content:encoded, as many do.
func BenchmarkParseRSSSameText(b *testing.B) {
	doc := benchRSS()
	var out strings.Builder
	for i, part := range strings.Split(string(doc), "<description><![CDATA[") {
		if i > 0 {
			_, rest, _ := strings.Cut(part, "]]></description>")
			part = benchBody + "]]></description>" + rest
			out.WriteString("<description><![CDATA[")
		}
		out.WriteString(part)
	}
	benchmarkParse(b, []byte(out.String()))
}

// BenchmarkGetBody is reading a feed's body over loopback, as a static
// file server sends it (with its Content-Length) and as a dynamic one
// streams it (chunked, no length).
func BenchmarkGetBody(b *testing.B) {
	doc := bodyFeed(1, 100<<10)
	for _, mode := range []string{"length", "chunked"} {
		b.Run(mode, func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if mode == "length" {
					w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
				}
				_, _ = w.Write(doc)
			}))
			defer srv.Close()
			client := srv.Client()
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				resp, err := get(context.Background(), client, getRequest{url: srv.URL})
				if err != nil || len(resp.body) != len(doc) {
					b.Fatalf("read %d bytes, err %v", len(resp.body), err)
				}
			}
		})
	}
}
