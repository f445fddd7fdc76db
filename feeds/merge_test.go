package feeds

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestMergeAuthorsFromPage(t *testing.T) {
	nico := Author{Name: "Nico Parungo", Bio: "Nico writes.", Avatar: "https://news.example/nico.jpg"}
	tests := []struct {
		name       string
		page, feed []Author
		want       []Author
	}{
		{
			name: "the feed's author, as the page names them, completed from the feed",
			page: []Author{nico},
			feed: []Author{{Name: " nico parungo ", Email: "nico@news.example", Bio: "feed bio"}},
			want: []Author{{Name: "Nico Parungo", Email: "nico@news.example", Bio: nico.Bio, Avatar: nico.Avatar}},
		},
		{
			name: "a page naming one of the feed's authors completes it and keeps the others",
			page: []Author{nico},
			feed: []Author{{Name: "Jane Doe"}, {Name: "Nico Parungo", Email: "nico@news.example"}},
			want: []Author{{Name: "Jane Doe"}, {Name: "Nico Parungo", Email: "nico@news.example", Bio: nico.Bio, Avatar: nico.Avatar}},
		},
		{
			name: "a page naming someone else replaces the feed's authors",
			page: []Author{nico},
			feed: []Author{{Name: "The Editors", Email: "desk@news.example"}},
			want: []Author{nico},
		},
		{
			name: "page authors beyond the feed's: the page's list, each completed from every feed author of its name",
			page: []Author{{Name: "Jane Doe"}, nico},
			feed: []Author{{Name: "Jane Doe"}, {Name: "JANE DOE", URL: "https://news.example/jane"}},
			want: []Author{{Name: "Jane Doe", URL: "https://news.example/jane"}, nico},
		},
		{
			name: "no feed authors",
			page: []Author{nico},
			want: []Author{nico},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, feed := slices.Clone(tc.page), slices.Clone(tc.feed)
			if got := mergeAuthorsFromPage(page, feed); !slices.Equal(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if !slices.Equal(page, tc.page) || !slices.Equal(feed, tc.feed) {
				t.Errorf("the lists merged were changed: page %+v feed %+v", page, feed)
			}
		})
	}
}

func TestMergeAuthorsAcrossSources(t *testing.T) {
	tests := []struct {
		name string
		m, o []Author
		want []Author
	}{
		{
			name: "the preferred copy's authors stay, each completed from the first of the same name",
			m:    []Author{{Name: "Jane Doe"}, {Name: "Nico Parungo", Bio: "own"}},
			o: []Author{{Name: " jane doe ", Email: "jane@news.example"}, {Name: "Jane Doe", URL: "https://news.example/jane"},
				{Name: "Nico Parungo", Bio: "other", Avatar: "https://news.example/nico.jpg"}, {Name: "Someone Else"}},
			want: []Author{{Name: "Jane Doe", Email: "jane@news.example"}, {Name: "Nico Parungo", Bio: "own", Avatar: "https://news.example/nico.jpg"}},
		},
		{
			name: "the other copy's authors when the preferred one has none",
			o:    []Author{{Name: "Jane Doe"}},
			want: []Author{{Name: "Jane Doe"}},
		},
		{
			name: "authors named by the other copy only are not added",
			m:    []Author{{Name: "Jane Doe"}},
			o:    []Author{{Name: "Nico Parungo"}},
			want: []Author{{Name: "Jane Doe"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mergeAuthorsAcrossSources(slices.Clone(tc.m), slices.Clone(tc.o)); !slices.Equal(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestMergePage(t *testing.T) {
	published := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	updated := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	feedDate := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	page := Article{
		Content: "<p>The whole story.</p>", Summary: "The page's excerpt.", Title: "Page title",
		Authors: []Author{{Name: "Jane Doe", Bio: "Jane writes."}},
		Image:   &Image{URL: "https://news.example/lead.jpg", Caption: "The harbour", Credit: "Photo: Ann"},
		// Already judged plausible by the page fetch.
		Published: published, Updated: updated,
		Categories: Terms("World", "Ferries", "world"),
	}
	tests := []struct {
		name      string
		feed      Article
		page      Article
		want      Article
		wantImage *Image
	}{
		{
			name: "a teaser entry takes everything the page gave",
			feed: Article{Summary: "teaser"},
			page: page,
			want: Article{Content: page.Content, Summary: "teaser", Title: "Page title", Authors: page.Authors,
				Published: published, Updated: updated, Categories: Terms("World", "Ferries")},
			wantImage: page.Image,
		},
		{
			name: "the feed's content becomes the summary; its title, dates and categories stay",
			feed: Article{Content: "<p>Feed text.</p>", Title: "Feed title", Published: feedDate, Updated: feedDate,
				Authors: []Author{{Name: "jane doe", Email: "jane@news.example"}, {Name: "Nico Parungo"}}, Categories: Terms(" ferries ", "Local")},
			page: page,
			want: Article{Content: page.Content, Summary: "<p>Feed text.</p>", Title: "Feed title", Published: feedDate, Updated: feedDate,
				Authors:    []Author{{Name: "Jane Doe", Email: "jane@news.example", Bio: "Jane writes."}, {Name: "Nico Parungo"}},
				Categories: Terms("ferries", "Local", "World")},
			wantImage: page.Image,
		},
		{
			name: "an entry with neither summary nor content takes the page's excerpt",
			feed: Article{},
			page: Article{Content: page.Content, Summary: "The page's excerpt."},
			want: Article{Content: page.Content, Summary: "The page's excerpt.", Categories: []Category{}},
		},
		{
			name:      "a page without authors, image or dates leaves the feed's",
			feed:      Article{Summary: "teaser", Authors: []Author{{Name: "Jane Doe"}}, Image: &Image{URL: "https://news.example/feed.jpg"}},
			page:      Article{Content: page.Content},
			want:      Article{Content: page.Content, Summary: "teaser", Authors: []Author{{Name: "Jane Doe"}}, Categories: []Category{}},
			wantImage: &Image{URL: "https://news.example/feed.jpg"},
		},
		{
			name:      "the same image: the page's, with the feed's type and length",
			feed:      Article{Summary: "teaser", Image: &Image{URL: page.Image.URL, Type: "image/jpeg", Length: 1234, Caption: "feed caption"}},
			page:      page,
			want:      Article{Content: page.Content, Summary: "teaser", Title: "Page title", Authors: page.Authors, Published: published, Updated: updated, Categories: Terms("World", "Ferries")},
			wantImage: &Image{URL: page.Image.URL, Type: "image/jpeg", Length: 1234, Caption: "The harbour", Credit: "Photo: Ann"},
		},
		{
			name:      "another image without caption or credit gives way to the page's, keeping only its type",
			feed:      Article{Summary: "teaser", Image: &Image{URL: "https://news.example/feed.jpg", Type: "image/png", Length: 99}},
			page:      page,
			want:      Article{Content: page.Content, Summary: "teaser", Title: "Page title", Authors: page.Authors, Published: published, Updated: updated, Categories: Terms("World", "Ferries")},
			wantImage: &Image{URL: page.Image.URL, Type: "image/png", Caption: "The harbour", Credit: "Photo: Ann"},
		},
		{
			name:      "another image with a caption stays",
			feed:      Article{Summary: "teaser", Image: &Image{URL: "https://news.example/feed.jpg", Caption: "The feed's own"}},
			page:      page,
			want:      Article{Content: page.Content, Summary: "teaser", Title: "Page title", Authors: page.Authors, Published: published, Updated: updated, Categories: Terms("World", "Ferries")},
			wantImage: &Image{URL: "https://news.example/feed.jpg", Caption: "The feed's own"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.feed
			MergePage(&a, tc.page)
			if !reflect.DeepEqual(a.Image, tc.wantImage) {
				t.Errorf("image %+v, want %+v", a.Image, tc.wantImage)
			}
			a.Image = nil
			if !reflect.DeepEqual(a, tc.want) {
				t.Errorf("got  %+v\nwant %+v", a, tc.want)
			}
		})
	}
}

func TestCarryExtracted(t *testing.T) {
	extractedAt := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	when := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	img := &Image{URL: "https://news.example/lead.jpg"}
	stored := Article{
		Content: "<p>Full text.</p>", Summary: "stored summary", Title: "Stored title", Published: when, Updated: when,
		Authors: []Author{{Name: "Jane Doe", Bio: "Jane writes."}}, Image: img, Categories: Terms("World", "ferries"),
		Page: &PageState{ExtractedAt: extractedAt, ETag: `"v1"`},
	}
	failed := Article{Content: "<p>Teaser.</p>", Page: &PageState{Error: "article page: http 500", Attempts: 2}}
	feedDate := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		fresh, prev Article
		want        Article
	}{
		{
			name:  "an extracted story gives its full text and what the entry lacks",
			fresh: Article{Summary: "teaser", Categories: Terms("Ferries", "Local")},
			prev:  stored,
			want: Article{Content: "<p>Full text.</p>", Summary: "teaser", Title: "Stored title", Published: when, Updated: when,
				Authors: stored.Authors, Image: img, Categories: Terms("Ferries", "Local", "World"), Page: stored.Page},
		},
		{
			name: "the entry's title, dates and summary stay; the stored authors and image win",
			fresh: Article{Content: "<p>Teaser.</p>", Title: "New title", Published: feedDate, Updated: feedDate,
				Authors: []Author{{Name: "The Editors"}}, Image: &Image{URL: "https://news.example/feed.jpg"}},
			prev: Article{Content: "<p>Full text.</p>", Page: stored.Page, Authors: stored.Authors, Image: img},
			want: Article{Content: "<p>Full text.</p>", Title: "New title", Published: feedDate, Updated: feedDate,
				Authors: stored.Authors, Image: img, Categories: []Category{}, Page: stored.Page},
		},
		{
			name:  "a story never extracted gives only its page state",
			fresh: Article{Content: "<p>New teaser.</p>"},
			prev:  failed,
			want:  Article{Content: "<p>New teaser.</p>", Page: failed.Page},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, prev := tc.fresh, tc.prev
			CarryExtracted(&a, &prev)
			if a.Page == prev.Page {
				t.Error("the page state is shared with the stored version, not copied")
			}
			if !reflect.DeepEqual(a, tc.want) {
				t.Errorf("got  %+v\nwant %+v", a, tc.want)
			}
		})
	}
}

func TestUnionAndAuthorNames(t *testing.T) {
	if got, want := union(Terms(" World ", "", "world", "Local"), []Category{{Term: "LOCAL", Scheme: "s", Label: "L"}, {Term: "Ferries"}, {Term: "  "}}), []Category{{Term: "World"}, {Term: "Local", Scheme: "s", Label: "L"}, {Term: "Ferries"}}; !slices.Equal(got, want) {
		t.Errorf("union: %q, want %q", got, want)
	}
	if got := union(nil, nil); got == nil || len(got) != 0 {
		t.Errorf("union of nothing: %#v, want an empty list", got)
	}
	if got, want := AuthorNames([]Author{{Name: " Jane Doe "}, {Name: " "}, {Email: "desk@news.example"}, {Name: "Nico"}}), []string{"Jane Doe", "Nico"}; !slices.Equal(got, want) {
		t.Errorf("AuthorNames: %q, want %q", got, want)
	}
}
