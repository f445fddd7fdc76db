package feeds

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// benchArticleHTML is a realistic article body: the shared news story as
// paragraphs, with links, a figure, relative URLs and a tracking pixel.
func benchArticleHTML() string {
	text, err := os.ReadFile("../../shared/samples/news-story.txt")
	if err != nil {
		text = []byte(strings.Repeat("It seemed like the US and Russia were going to form a surprise alliance.\n\n", 40))
	}
	var b strings.Builder
	b.WriteString(`<figure><img src="/img/lead.jpg" srcset="/img/lead.jpg 1x, /img/lead@2x.jpg 2x" alt="Lead" width="1200" height="800"><figcaption>Image from FBI</figcaption></figure>`)
	for i, p := range strings.Split(string(text), "\n\n") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		fmt.Fprintf(&b, `<p class="para" data-i="%d">%s <a href="related/%d.html" onclick="track()">more</a></p>`+"\n", i, p, i)
	}
	b.WriteString(`<img src="https://t.example/pixel.gif" width="1" height="1"><script>track()</script>`)
	return b.String()
}

// benchFeed is a feed of n realistic items.
func benchFeed(n int) Feed {
	body := SanitizeHTML(benchArticleHTML(), nil)
	f := Feed{ID: "https://news.example/feeds/all", Title: "All news", Description: "Everything", Link: "https://news.example/", SelfURL: "https://news.example/feeds/all.rss", Generator: "Tributary"}
	for i := range n {
		f.Items = append(f.Items, Article{
			ID:         fmt.Sprintf("https://site%d.example/story/%d", i%5, i),
			Source:     fmt.Sprintf("site%d", i%5),
			Title:      fmt.Sprintf("Story number %d: Zürich & more", i),
			Link:       fmt.Sprintf("https://site%d.example/story/%d", i%5, i),
			Summary:    "<p>" + PlainText(body)[:300] + "</p>",
			Content:    body,
			Authors:    []Author{{Name: "Jane Roe", URL: "https://site.example/jane", Avatar: "https://site.example/jane.jpg", Bio: "Reporter."}, {Name: "John Doe"}},
			Image:      &Image{URL: fmt.Sprintf("https://cdn.example/%d.jpg", i), Caption: "A caption", Credit: "FBI", Width: 1200, Height: 800},
			Categories: Terms("World", "Politics", "Cyber"),
			Published:  time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC).Add(-time.Duration(i) * time.Hour),
		})
	}
	return f
}

func benchmarkRender(b *testing.B, format Format) {
	f := benchFeed(50)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		out, err := Render(f, format)
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.SetBytes(int64(n))
}

func BenchmarkRenderRSS(b *testing.B)  { benchmarkRender(b, RSS) }
func BenchmarkRenderAtom(b *testing.B) { benchmarkRender(b, Atom) }
func BenchmarkRenderJSON(b *testing.B) { benchmarkRender(b, JSON) }

// BenchmarkCombine merges 200 articles from 4 sources in which every story
// appears twice, down to 50 items.
func BenchmarkCombine(b *testing.B) {
	base := benchFeed(100).Items
	var arts []Article
	for i, a := range base {
		arts = append(arts, a)
		c := a
		c.Source = "aggregator"
		c.Origin = "https://aggregator.example/feed"
		c.Link = strings.Replace(a.Link, "https://", "http://www.", 1) + fmt.Sprintf("?utm_source=x&n=%d", i)
		c.Content = ""
		c.Categories = Terms("Top")
		arts = append(arts, c)
	}
	b.ReportAllocs()
	for b.Loop() {
		if got := Combine(arts, 50); len(got) != 50 {
			b.Fatalf("got %d items", len(got))
		}
	}
}
