package extract

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tributary/tributary/feeds"
)

// TestAuthorFixtures reads the author of pages shaped like those where a
// first-found byline goes wrong (testdata/authors): a handle instead of
// the name, a promotion link or a job title as an author, names cut or
// glued, bylines in places or tags not read, and a bio or avatar from
// another candidate than the one chosen.
func TestAuthorFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []feeds.Author
	}{
		// A handle instead of the name on the page.
		{"handle-byline.html", []feeds.Author{{Name: "Erin Cunningham", URL: "https://news.example/people/erin-cunningham"}}},
		{"handle-two-authors.html", []feeds.Author{{Name: "Jane Doe"}, {Name: "John Smith", URL: "https://twitter.com/jsmith_reports"}}},
		{"handle-link.html", []feeds.Author{{Name: "Sleyca", URL: "https://news.example/profile/338123"}}},
		// Promotion links and job titles as authors.
		{"more-link.html", []feeds.Author{{Name: "Richard (R.J.) Eskow", URL: "https://news.example/writer/richard_r_j_eskow/"}}},
		{"job-title.html", []feeds.Author{{Name: "Benjamin Romano", URL: "https://news.example/author/cap-ben-romano/"}}},
		// Names cut or glued.
		{"surname-initials.html", []feeds.Author{{Name: "Kooman, F."}, {Name: "Jong, Michiel de"}}},
		{"weekday.html", []feeds.Author{{Name: "Joe Wee"}}},
		{"meta-line.html", []feeds.Author{{Name: "史蒂文的家_藍天 (stevenhgm)"}}},
		// Bylines not found.
		{"aside-itemprop.html", []feeds.Author{{Name: "Alex Perry"}}},
		{"byl-meta.html", []feeds.Author{{Name: "Corey Kilgannon"}}},
		{"og-article-author.html", []feeds.Author{{Name: "Maria Lopez"}}},
		// The account's avatar and description stay with the account.
		{"jsonld-account.html", []feeds.Author{{Name: "James Akinaka", URL: "https://fandom.example/u/CC7567",
			Avatar: "https://news.example/img/james.jpg", Bio: "James Akinaka writes about ferries, tides and the islands for the wiki."}}},
		{"dc-creator.html", []feeds.Author{{Name: "Creator Name"}}},
		// Bio and avatar follow the chosen author.
		{"bio-follows.html", []feeds.Author{{Name: "Benjamin Romano", URL: "https://news.example/author/ben-romano/",
			Avatar: "https://news.example/img/ben.jpg", Bio: "Benjamin Romano covers the port, shipping and the island ferries for the Gazette."}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res, err := Extract(authorFixture(t, tt.file), "https://news.example/2024/05/ferry", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Authors, tt.want) {
				t.Errorf("Authors = %+v\nwant %+v", res.Authors, tt.want)
			}
		})
	}
}

// authorFixture reads the page testdata/authors/name, its story (the
// directory's story.txt) in place.
func authorFixture(t *testing.T, name string) []byte {
	t.Helper()
	dir := filepath.Join("testdata", "authors")
	page, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	story, err := os.ReadFile(filepath.Join(dir, "story.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Replace(page, []byte("<!-- story -->"), story, 1)
}
