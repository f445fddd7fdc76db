package extract

import (
	"slices"
	"strings"
	"testing"

	"github.com/tributary/tributary/feeds"
)

// newsStoryBio is the bio of the author box in newsStory.
const newsStoryBio = "Nico Parungo graduated with a bachelor degree in film making, before pursuing a writing career. He has been writing for more than four years, focusing on video games, comic books and WWE."

// newsStory is shaped like ../../../shared/samples/news-story.txt: no
// byline, no author metadata, and an "About the author" box whose heading
// names no one, under the story.
func newsStory(box string) []byte {
	return page(`<meta property="og:title" content="Putin, Trump Forms Pact To Fight Cyber Crime – Then Trump Backtracks">`,
		`<article><h1>Putin, Trump Forms Pact To Fight Cyber Crime – Then Trump Backtracks</h1>
<p>It seemed like the US and Russia were going to form a surprise alliance to take down cyber crime, something the public thought they would never see. However, it might have been too surprising to be true.</p>
<p>“The fact that President Putin and I discussed a Cyber Security unit doesn’t mean I think it can happen. It can’t,” Trump said on Twitter. He then noted that an agreement with Russia for a ceasefire in Syria “can &amp; did” happen.</p>
<p>Oddly enough, Trump even brought up the rumors about Russia meddling in the election, which was apparently denied, as reported by CNN.</p>
<p>For comments and suggestions, leave a message in the comments section below. Like and Follow our Facebook page for more stories and to stay up-to-date with the latest happenings.</p>
`+box+`</article>`)
}

func TestKnownAuthorTakesAnonymousBox(t *testing.T) {
	aboutTheAuthor := `<h4>About the author</h4><p>` + newsStoryBio + `</p>`
	tests := []struct {
		name  string
		box   string
		known []string
		want  []feeds.Author
		// cut says whether the box leaves the content.
		cut bool
	}{
		{"feed author takes the box", aboutTheAuthor, []string{"Nico Parungo"}, []feeds.Author{{Name: "Nico Parungo", Bio: newsStoryBio}}, true},
		{"bold label box", `<p><strong>About the Author:</strong></p><p>` + newsStoryBio + `</p>`, []string{"Nico Parungo"}, []feeds.Author{{Name: "Nico Parungo", Bio: newsStoryBio}}, true},
		{"about heading naming the feed author", `<h4>About Nico Parungo</h4><p>` + newsStoryBio + `</p>`, []string{"Nico Parungo"}, []feeds.Author{{Name: "Nico Parungo", Bio: newsStoryBio}}, true},
		// The box names its author; the caller puts the bio on the
		// matching known author and keeps the others.
		{"about heading naming one of two feed authors", `<h4>About Nico Parungo</h4><p>` + newsStoryBio + `</p>`, []string{"Jane Doe", "Nico Parungo"}, []feeds.Author{{Name: "Nico Parungo", Bio: newsStoryBio}}, true},
		// A first name alone names the known author in full, so the bio
		// finds him among the feed's authors.
		{"about heading with the first name only", `<h4>About Nico</h4><p>` + newsStoryBio + `</p>`, []string{"Jane Doe", "Nico Parungo"}, []feeds.Author{{Name: "Nico Parungo", Bio: newsStoryBio}}, true},
		// Nobody to give the bio to: the box stays in the story.
		{"no known author", aboutTheAuthor, nil, nil, false},
		{"two known authors, anonymous box", aboutTheAuthor, []string{"Jane Doe", "Nico Parungo"}, nil, false},
		{"about heading naming no known author", `<h4>About Nico Parungo</h4><p>` + newsStoryBio + `</p>`, []string{"Jane Doe"}, nil, false},
		// A page that adds nothing to the known names returns none.
		{"no box", "", []string{"Nico Parungo"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(newsStory(tt.box), storyURL, Options{KnownAuthors: tt.known})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Authors, tt.want) {
				t.Errorf("Authors = %+v\nwant %+v", res.Authors, tt.want)
			}
			text := feeds.PlainText(res.Content)
			if !strings.Contains(text, "Oddly enough, Trump even brought up the rumors") {
				t.Errorf("the story is missing from Content:\n%s", res.Content)
			}
			if tt.box == "" {
				return
			}
			if inContent := strings.Contains(text, "graduated with a bachelor degree"); inContent == tt.cut {
				t.Errorf("bio in Content = %v, want %v:\n%s", inContent, !tt.cut, res.Content)
			}
		})
	}
}

// TestPageAuthorsWinOverKnown keeps the page's own byline: the known names
// only stand in when the page names no one.
func TestPageAuthorsWinOverKnown(t *testing.T) {
	body := strings.Replace(string(newsStory(`<h4>About the author</h4><p>`+newsStoryBio+`</p>`)),
		"</h1>", `</h1><p class="byline">By Nico Parungo</p>`, 1)
	res, err := Extract([]byte(body), storyURL, Options{KnownAuthors: []string{"Wire Desk"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []feeds.Author{{Name: "Nico Parungo", Bio: newsStoryBio}}; !slices.Equal(res.Authors, want) {
		t.Errorf("Authors = %+v\nwant %+v", res.Authors, want)
	}
}

// TestKnownAuthorOverWeakName: a page whose only author is a stand-in (the
// site's name, a job title) does not replace the person the feed names
// (KnownAuthors, or FeedAuthors, which never get a bio): the pipeline
// takes the page's authors over the feed's, and "Jane Doe" became "News
// Example". With no feed author, or a stand-in there too, the page's
// stand-in is still the author.
func TestKnownAuthorOverWeakName(t *testing.T) {
	site := `<meta property="og:site_name" content="News Example">`
	tests := []struct {
		name, head string
		known      []string
		feed       []string
		want       []feeds.Author
	}{
		{"site name", site + `<meta name="author" content="News Example">`, []string{"Jane Doe"}, nil, nil},
		{"job title", `<meta name="author" content="Staff Reporter">`, []string{"Jane Doe"}, nil, nil},
		{"site name with a bio for the known", site + `<meta name="author" content="News Example">`, []string{"Nico Parungo"}, nil, []feeds.Author{{Name: "Nico Parungo", Bio: newsStoryBio}}},
		{"no known author", site + `<meta name="author" content="News Example">`, nil, nil, []feeds.Author{{Name: "News Example"}}},
		{"known stand-in", `<meta name="author" content="Staff Reporter">`, []string{"Wire Desk"}, nil, []feeds.Author{{Name: "Staff Reporter"}}},
		{"a person on the page still wins", `<meta name="author" content="Erin Cunningham">`, []string{"Jane Doe"}, nil, []feeds.Author{{Name: "Erin Cunningham"}}},
		{"feed author", site + `<meta name="author" content="News Example">`, nil, []string{"Jane Doe"}, nil},
		{"feed author, and a handle", site + `<meta name="author" content="News Example"><meta name="twitter:creator" content="@newsexample">`, nil, []string{"Jane Doe"}, nil},
		{"feed author gets no bio", site + `<meta name="author" content="News Example">`, nil, []string{"Nico Parungo"}, nil},
		{"feed stand-in", `<meta name="author" content="Staff Reporter">`, nil, []string{"Wire Desk"}, []feeds.Author{{Name: "Staff Reporter"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := storyBody
			if tt.want != nil && tt.want[0].Bio != "" || strings.Contains(tt.name, "bio") {
				body = strings.Replace(storyBody, "</article>", `<h4>About the author</h4><p>`+newsStoryBio+`</p></article>`, 1)
			}
			res, err := Extract(page(tt.head, body), storyURL, Options{KnownAuthors: tt.known, FeedAuthors: tt.feed})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Authors, tt.want) {
				t.Errorf("Authors = %+v\nwant %+v", res.Authors, tt.want)
			}
		})
	}
}
