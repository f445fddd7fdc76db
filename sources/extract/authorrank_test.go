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
		// Author markup outside the story (a review's author) does not
		// outweigh the story's own byline.
		{"outside-markup.html", []feeds.Author{{Name: "Jane Doe"}}},
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

// TestAuthorNames lists how a byline's text becomes names, and which
// names are never authors (classify's notName) or only when nothing
// better is on the page (weakName).
func TestAuthorNames(t *testing.T) {
	split := []struct {
		in   string
		want []string
	}{
		{"By Jane Doe", []string{"Jane Doe"}},
		{"By Jane Doe and John Smith, Staff Writers", []string{"Jane Doe", "John Smith"}},
		{"Kooman, F.", []string{"Kooman, F."}},
		{"Jong, Michiel de", []string{"Jong, Michiel de"}},
		{"Joe Wee Monday 12 March 2018", []string{"Joe Wee"}},
		{"Joe Friday", []string{"Joe Friday"}},
		{"By Nathan Willis March 25, 2015", []string{"Nathan Willis"}},
		{"By Brenda Goodman, MA", []string{"Brenda Goodman"}},
		{"Bradley M. Kuhn (http://ebb.org/bkuhn/)", []string{"Bradley M. Kuhn"}},
		{"Martin Untersinger (avec Damien Leloup et Morgane Tual)", []string{"Martin Untersinger", "Damien Leloup", "Morgane Tual"}},
		{"Written by Rob Ewaschuk Edited by Betsy Beyer", []string{"Rob Ewaschuk", "Betsy Beyer"}},
		{"Mac & i", []string{"Mac & i"}},
		{"By Procter & Gamble", []string{"Procter & Gamble"}},
		{"By 山田 太郎", []string{"山田 太郎"}},
		{"Автор: Иван Петров", []string{"Иван Петров"}},
		{"Авторы: Иван Петров и Анна Смирнова", []string{"Иван Петров", "Анна Смирнова"}},
		{"بقلم محمد علي", []string{"محمد علي"}},
		{"作者：张三", []string{"张三"}},
		{"記者 山田太郎", []string{"山田太郎"}},
		{"Авторов Иван", []string{"Авторов Иван"}},
		{"文在寅", []string{"文在寅"}},
		{"Simon &amp; Schuster", []string{"Simon & Schuster"}},
		{"By Jane Doe & John Roe", []string{"Jane Doe", "John Roe"}},
		{"Jane Doe, Procter & Gamble", []string{"Jane Doe", "Procter & Gamble"}},
		{"By Jane Doe & Roe", []string{"Jane Doe", "Roe"}},
		{"M. Z. Adnan", []string{"M. Z. Adnan"}},
	}
	for _, tt := range split {
		var got []string
		for _, a := range splitNames(tt.in) {
			got = append(got, a.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("splitNames(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	site := []string{"The Harbour Gazette"}
	classes := []struct {
		name string
		want nameClass
	}{
		{"@erinmcunningham", notName},
		{"More Richard (R.J.) Eskow", notName},
		{"Follow Author", notName},
		{"CC7567", notName},
		{"April 28, 2019 at 6:01 am", notName},
		{"史蒂文的家_藍天 發表在 痞客邦 PIXNET 留言(42) 人氣(23925)", notName},
		{"Seattle Times business reporter", weakName},
		{"Our Foreign Staff", weakName},
		{"the harbour gazette", weakName},
		{"Sleyca", plainName},
		{"mcupdate", plainName},
		{"Erin Cunningham", personName},
		{"NATALIYA VASILYEVA", personName},
		{"Kooman, F.", personName},
		{"Richard (R.J.) Eskow", personName},
	}
	for _, tt := range classes {
		if got := classify(tt.name, site); got != tt.want {
			t.Errorf("classify(%q) = %d, want %d", tt.name, got, tt.want)
		}
	}
}
