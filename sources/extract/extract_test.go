package extract

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// The pages under testdata and the URLs they are extracted under.
const (
	wordpressURL = "https://www.digitaldispatch.example/2017/07/10/putin-trump-cyber-crime-pact/"
	jsonldURL    = "https://ledger.example/world/2024/03/02/berlin-rent-march"
	bylineURL    = "https://harbornotes.example/2019/11/last-night-shift/"
)

type testPage struct{ name, file, url string }

func testPages() []testPage {
	return []testPage{
		{"wordpress", "wordpress.html", wordpressURL},
		{"jsonld", "jsonld.html", jsonldURL},
		{"byline", "byline.html", bylineURL},
	}
}

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func extractFile(tb testing.TB, name, pageURL string) Result {
	tb.Helper()
	res, err := Extract(readTestdata(tb, name), pageURL, Options{})
	if err != nil {
		tb.Fatalf("Extract(%s): %v", name, err)
	}
	return res
}

// extractPage extracts one of testPages by name.
func extractPage(t *testing.T, name string) Result {
	t.Helper()
	for _, p := range testPages() {
		if p.name == name {
			return extractFile(t, p.file, p.url)
		}
	}
	t.Fatalf("no test page %q", name)
	return Result{}
}

// onlyAuthor returns the single author of res.
func onlyAuthor(t *testing.T, res Result) feeds.Author {
	t.Helper()
	if len(res.Authors) != 1 {
		t.Fatalf("Authors = %+v, want exactly one", res.Authors)
	}
	return res.Authors[0]
}

// leadImage returns res.Image, failing when there is none.
func leadImage(t *testing.T, res Result) feeds.Image {
	t.Helper()
	if res.Image == nil {
		t.Fatal("Image = nil")
	}
	return *res.Image
}

const nicoBio = "Nico Parungo graduated with a bachelor degree in film making, before pursuing a writing career. He has been writing for more than four years, focusing on video games, comic books and WWE."

func TestExtractTitle(t *testing.T) {
	for _, tt := range []struct{ page, want string }{
		{"wordpress", "Putin, Trump Forms Pact To Fight Cyber Crime – Then Trump Backtracks"},
		{"jsonld", "Thousands march in Berlin after court strikes down rent freeze"},
		{"byline", "The last night shift at Pier 9"},
	} {
		t.Run(tt.page, func(t *testing.T) {
			if got := extractPage(t, tt.page).Title; got != tt.want {
				t.Errorf("Title = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExtractPublished(t *testing.T) {
	for _, tt := range []struct {
		page string
		want time.Time
	}{
		{"wordpress", time.Date(2017, 7, 10, 8, 30, 0, 0, time.UTC)},
		{"jsonld", time.Date(2024, 3, 2, 8, 15, 0, 0, time.UTC)},
		{"byline", time.Date(2019, 11, 5, 19, 0, 0, 0, time.UTC)},
	} {
		t.Run(tt.page, func(t *testing.T) {
			if got := extractPage(t, tt.page).Published; !got.Equal(tt.want) {
				t.Errorf("Published = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExtractUpdated(t *testing.T) {
	for _, tt := range []struct {
		page string
		want time.Time
	}{
		{"wordpress", time.Date(2017, 7, 10, 14, 5, 12, 0, time.UTC)},
		// "2024-03-02 18:40:00": no zone, read as UTC.
		{"jsonld", time.Date(2024, 3, 2, 18, 40, 0, 0, time.UTC)},
		{"byline", time.Time{}},
	} {
		t.Run(tt.page, func(t *testing.T) {
			if got := extractPage(t, tt.page).Updated; !got.Equal(tt.want) {
				t.Errorf("Updated = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExtractSection(t *testing.T) {
	for _, tt := range []struct{ page, want string }{
		{"wordpress", "Politics"},
		{"jsonld", "World"}, // the first of articleSection ["World", "Europe"]
		{"byline", ""},
	} {
		t.Run(tt.page, func(t *testing.T) {
			if got := extractPage(t, tt.page).Section; got != tt.want {
				t.Errorf("Section = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExtractTags(t *testing.T) {
	for _, tt := range []struct {
		page string
		want []string
	}{
		// article:tag, with "cyber security" a duplicate of "Cyber Security".
		{"wordpress", []string{"Cyber Security", "Donald Trump", "Vladimir Putin"}},
		// keywords "Germany, Housing, Berlin, Protests, germany".
		{"jsonld", []string{"Germany", "Housing", "Berlin", "Protests"}},
		// rel=tag links.
		{"byline", []string{"Harbor", "Labor", "Automation"}},
	} {
		t.Run(tt.page, func(t *testing.T) {
			if got := extractPage(t, tt.page).Tags; !slices.Equal(got, tt.want) {
				t.Errorf("Tags = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExtractAuthorName(t *testing.T) {
	for _, tt := range []struct{ page, want string }{
		{"wordpress", "Nico Parungo"},
		{"jsonld", "Anna Keller"},
		{"byline", "Jane Doe"},
	} {
		t.Run(tt.page, func(t *testing.T) {
			if got := onlyAuthor(t, extractPage(t, tt.page)).Name; got != tt.want {
				t.Errorf("author Name = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExtractAuthorURL(t *testing.T) {
	for _, tt := range []struct{ page, want string }{
		{"wordpress", "https://www.digitaldispatch.example/author/nico-parungo/"},
		{"jsonld", "https://ledger.example/staff/anna-keller"}, // relative in the JSON-LD
		{"byline", "https://harbornotes.example/authors/jane"},
	} {
		t.Run(tt.page, func(t *testing.T) {
			if got := onlyAuthor(t, extractPage(t, tt.page)).URL; got != tt.want {
				t.Errorf("author URL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExtractAuthorAvatar(t *testing.T) {
	for _, tt := range []struct{ page, want string }{
		{"wordpress", "https://www.digitaldispatch.example/wp-content/uploads/avatars/nico-parungo-96x96.jpg"},
		{"jsonld", "https://ledger.example/static/staff/anna-keller.jpg"},
		{"byline", ""},
	} {
		t.Run(tt.page, func(t *testing.T) {
			if got := onlyAuthor(t, extractPage(t, tt.page)).Avatar; got != tt.want {
				t.Errorf("author Avatar = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExtractAuthorBio(t *testing.T) {
	for _, tt := range []struct{ page, want string }{
		{"wordpress", nicoBio},
		{"jsonld", "Anna Keller is the Ledger's Berlin correspondent. She covers housing, labour and German politics, and previously reported from Warsaw."},
		{"byline", "Jane Doe writes about the harbor, the people who work on it and the ships that pass through. She lives in Red Hook with two cats and a rowing boat."},
	} {
		t.Run(tt.page, func(t *testing.T) {
			res := extractPage(t, tt.page)
			if got := onlyAuthor(t, res).Bio; got != tt.want {
				t.Errorf("author Bio = %q, want %q", got, tt.want)
			}
			if strings.Contains(feeds.PlainText(res.Content), tt.want[:40]) {
				t.Errorf("the bio is still in Content:\n%s", res.Content)
			}
		})
	}
}

func TestExtractImageURL(t *testing.T) {
	for _, tt := range []struct{ page, want string }{
		// og:image wins over the resized copy in the figure and over twitter:image.
		{"wordpress", "https://www.digitaldispatch.example/wp-content/uploads/2017/07/fbi-cyber.jpg"},
		// The ImageObject the article references by @id, not thumbnailUrl.
		{"jsonld", "https://cdn.ledger.example/images/2024/03/berlin-march.jpg"},
		// No metadata: the first large image of the content, made absolute.
		{"byline", "https://harbornotes.example/2019/11/last-night-shift/images/pier9-night.jpg"},
	} {
		t.Run(tt.page, func(t *testing.T) {
			if got := leadImage(t, extractPage(t, tt.page)).URL; got != tt.want {
				t.Errorf("Image.URL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExtractImageSize(t *testing.T) {
	for _, tt := range []struct {
		page          string
		width, height int
	}{
		{"wordpress", 1200, 800}, // og:image:width/height
		{"jsonld", 1600, 900},    // QuantitativeValue and "900"
		{"byline", 800, 533},     // img attributes
	} {
		t.Run(tt.page, func(t *testing.T) {
			img := leadImage(t, extractPage(t, tt.page))
			if img.Width != tt.width || img.Height != tt.height {
				t.Errorf("Image size = %dx%d, want %dx%d", img.Width, img.Height, tt.width, tt.height)
			}
		})
	}
}

func TestExtractImageCaption(t *testing.T) {
	for _, tt := range []struct{ page, want string }{
		// The caption is kept as written, beside the credit parsed from
		// it: "Image from FBI" is the caption, "FBI" the credit.
		{"wordpress", "Image from FBI"},
		// No figcaption: the ImageObject caption.
		{"jsonld", "Demonstrators fill the Alexanderplatz on Saturday afternoon."},
		// "... break. Photo: Jane Doe" as written, credit included.
		{"byline", "The container cranes at Pier 9 before the 3 a.m. break. Photo: Jane Doe"},
	} {
		t.Run(tt.page, func(t *testing.T) {
			if got := leadImage(t, extractPage(t, tt.page)).Caption; got != tt.want {
				t.Errorf("Image.Caption = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExtractImageCredit(t *testing.T) {
	for _, tt := range []struct{ page, want string }{
		{"wordpress", "FBI"},
		{"jsonld", "Lena Vogt/Reuters"}, // creditText wins over copyrightHolder
		{"byline", "Jane Doe"},
	} {
		t.Run(tt.page, func(t *testing.T) {
			if got := leadImage(t, extractPage(t, tt.page)).Credit; got != tt.want {
				t.Errorf("Image.Credit = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExtractCanonical(t *testing.T) {
	for _, tt := range []struct{ page, want string }{
		// <link rel=canonical>, not og:url with its tracking parameter.
		{"wordpress", "https://www.digitaldispatch.example/2017/07/10/putin-trump-cyber-crime-pact/"},
		{"jsonld", "https://ledger.example/world/2024/03/02/berlin-rent-march"},
		{"byline", ""},
	} {
		t.Run(tt.page, func(t *testing.T) {
			if got := extractPage(t, tt.page).Canonical; got != tt.want {
				t.Errorf("Canonical = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExtractSiteNameLangExcerpt(t *testing.T) {
	for _, tt := range []struct{ page, site, lang, excerpt string }{
		{"wordpress", "Digital Dispatch", "en-US", "The US and Russia seemed set to form a surprise alliance against cyber crime, until the President backtracked on Twitter."},
		{"jsonld", "The Morning Ledger", "en-GB", "Tenants' groups say the ruling leaves 1.5 million households exposed to steep increases."},
		{"byline", "", "", "For thirty-one years the night crew at Pier 9 has clocked in at eleven, when the day's last truck leaves the gate and the cranes swing out over ships that cannot wait for morning. On Friday they will clock in for the last time: the port authority is moving the terminal's night operations to the automated yard across the channel."},
	} {
		t.Run(tt.page, func(t *testing.T) {
			res := extractPage(t, tt.page)
			if res.SiteName != tt.site {
				t.Errorf("SiteName = %q, want %q", res.SiteName, tt.site)
			}
			if res.Lang != tt.lang {
				t.Errorf("Lang = %q, want %q", res.Lang, tt.lang)
			}
			if res.Excerpt != tt.excerpt {
				t.Errorf("Excerpt = %q, want %q", res.Excerpt, tt.excerpt)
			}
		})
	}
}

// TestExtractContent checks what a reader sees: the story with its figure
// and caption, without the page's furniture, the byline, the author box or
// the call to action.
func TestExtractContent(t *testing.T) {
	tests := []struct {
		page            string
		present, absent []string
	}{
		{
			page: "wordpress",
			present: []string{
				"<figure", "<figcaption", ">Image from FBI</figcaption>",
				`src="https://www.digitaldispatch.example/wp-content/uploads/2017/07/fbi-cyber-1024x683.jpg"`,
				"It seemed like the US and Russia were going to form a surprise alliance",
				"“The fact that President Putin and I discussed a Cyber Security unit",
				"Oddly enough, Trump even brought up the rumors",
				"When discussing his meeting on Twitter",
				`href="https://twitter.com/realDonaldTrump/status/884788489283379200"`,
			},
			absent: []string{
				// share bars
				"Share this", "Share on Facebook", "Tweet this story", "Email this story", "Post to Reddit",
				// ads, sponsors
				"Advertisement", "adsbygoogle", "MeshRouter Pro",
				// related, navigation, sidebar
				"G20 Hamburg summit", "Petya ransomware", "Nintendo Switch sales", "Trending Now", "Skip to content", "Entertainment",
				// newsletter
				"Get the Dispatch in your inbox", "five stories you should not miss", "Sign me up",
				// comments
				"Marcus Webb", "What could possibly go wrong", "Leave a Reply", "Post Comment",
				// footer
				"Digital Dispatch Media", "Privacy Policy", "Posted in", "Tagged",
				// byline, author box, call to action
				"Nico Parungo", "About the author", "View all posts", "graduated with a bachelor degree",
				"For comments and suggestions", "Like and Follow our Facebook page",
				// scripts
				"<script", "tracking pixel",
			},
		},
		{
			page: "jsonld",
			present: []string{
				"<figure", `src="https://cdn.ledger.example/images/2024/03/berlin-march.jpg"`,
				"Tens of thousands of people marched through central Berlin",
				"Miriam Özdemir", "<blockquote>",
				"A referendum campaign to expropriate the city",
			},
			absent: []string{
				"We use cookies", "Subscribe from", "Share on X", "Share on Facebook", "Email this article",
				"Read more", "Court to rule on Berlin rent freeze", "Morning Briefing", "Start your day",
				"More from World", "Paris clears student housing", "Comments (214)", "Disqus",
				"Ledger Media Ltd", "Terms of use", "Business", "<script", "Anna Keller",
			},
		},
		{
			page: "byline",
			present: []string{
				"<figure>", "<figcaption>The container cranes at Pier 9 before the 3 a.m. break. Photo: Jane Doe</figcaption>",
				`src="https://harbornotes.example/2019/11/last-night-shift/images/pier9-night.jpg"`,
				"For thirty-one years the night crew", "Castellano says he will keep the one of the 1994 crew",
			},
			absent: []string{
				"By Jane Doe", "November 5, 2019", "About Jane Doe", "writes about the harbor",
				"Like this post on Facebook", "Tweet about Pier 9", "Filed under", "You might also like",
				"tugboat race", "My father worked nights", "harborwatcher", "Get new posts by email",
				"a blog about the waterfront", "About this blog", "Archive",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			res := extractPage(t, tt.page)
			for _, s := range tt.present {
				if !strings.Contains(res.Content, s) {
					t.Errorf("Content lacks %q", s)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(res.Content, s) {
					t.Errorf("Content holds %q", s)
				}
			}
			if t.Failed() {
				t.Logf("Content:\n%s", res.Content)
			}
		})
	}
}

// TestExtractGolden compares the extracted content of each page with its
// golden file; go test -update rewrites them.
func TestExtractGolden(t *testing.T) {
	pages := testPages()
	for i := range 3 {
		pages = append(pages, testPage{name: strings.TrimSuffix(filepath.Base(siteURL(i)), "/"), file: []string{"site-1.html", "site-2.html", "site-3.html"}[i], url: siteURL(i)})
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			got := extractFile(t, p.file, p.url).Content + "\n"
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(p.file, ".html")+".content.html")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("content of %s differs from %s (go test -update to accept):\n%s", p.file, golden, got)
			}
		})
	}
}

// TestExtractContentIsClean: the story is republished without the
// wrappers readability puts around it and without the page's ids and
// classes, which could clash with the page that embeds it.
func TestExtractContentIsClean(t *testing.T) {
	for _, p := range testPages() {
		t.Run(p.name, func(t *testing.T) {
			c := extractFile(t, p.file, p.url).Content
			for _, bad := range []string{"readability-page", "id=", "class="} {
				if strings.Contains(c, bad) {
					t.Errorf("content holds %q:\n%s", bad, c)
				}
			}
			if strings.HasPrefix(c, "<div") {
				t.Errorf("content starts with a wrapper div:\n%.200s", c)
			}
		})
	}
}
