package feeds

import "time"

// The rich fixture: one feed whose items exercise every part of the model,
// with what each format must say about them written out by hand.

var (
	t0 = time.Date(2024, 3, 10, 12, 30, 0, 0, time.UTC)
	// fetched is the FetchedAt of the item without a Published date.
	fetched = time.Date(2024, 3, 9, 8, 0, 0, 0, time.FixedZone("CET", 3600))
)

// want is what a parser must read back from one rendered item.
type want struct {
	id, atomID, link, title string
	// summary is the RSS description and the Atom summary; jsonSummary is
	// its plain text; content is content:encoded, Atom content and
	// content_html (the summary when the item has no content).
	summary, jsonSummary, content, jsonContent string
	published, updated                         time.Time // zero: absent
	creators                                   []string
	authors                                    []Author
	categories                                 []Category
	image                                      *Image
	rssEnclosure                               *Enclosure
	atomEnclosures, attachments                []Enclosure
	source                                     string
	via                                        *SourceFeed
	podcast                                    *Podcast
}

// terms are the terms of w's categories, nil when it has none.
func (w want) terms() []string { return CategoryTerms(w.categories) }

func richFeed() Feed {
	return Feed{
		ID:          "https://news.example.org/feeds/all",
		Title:       "Tributary \x01news: “all” & more",
		Description: "Everything from our sources, combined",
		Link:        "https://news.example.org/",
		SelfURL:     "https://news.example.org/feeds/all.rss",
		Hub:         "https://hub.example.net/",
		Generator:   "Tributary/test",
		Icon:        "https://news.example.org/favicon.ico",
		Logo:        "https://news.example.org/logo.png",
		Language:    "en-GB",
		Rights:      "© 2024 Example News & friends",
		Items:       richArticles(),
	}
}

func richArticles() []Article {
	return []Article{
		{
			ID:      "https://site-a.example/2024/03/zurich",
			Source:  "site-a",
			Origin:  "https://site-a.example/feed.xml",
			Title:   "Zürich’s “Straße” ☃ — 5 > 4 & AT&T\x0b",
			Link:    "https://site-a.example/2024/03/zurich",
			Summary: "<p>A short \x1bsummary with <a href=\"https://site-a.example/x\">a link</a>.</p>",
			Content: "<p>Full text with ]]> inside, a \x00NUL, an escape\x1b[0m and ünïcödé.</p>\n<p>Second paragraph.</p>",
			Authors: []Author{
				{Name: "Jane Roe", Email: "jane@site-a.example", URL: "https://site-a.example/staff/jane", Avatar: "https://site-a.example/img/jane.jpg", Bio: "Jane covers Swiss politics."},
				{Name: "Ólafur Þórsson", URL: "https://site-a.example/staff/olafur"},
			},
			Image: &Image{URL: "https://cdn.site-a.example/zurich.jpg", Caption: "The old town at dusk", Credit: "Photo: Reuters", Type: "image/jpeg", Width: 1200, Height: 800, Length: 123456},
			Enclosures: []Enclosure{
				{URL: "https://cdn.site-a.example/report.mp3", Type: "audio/mpeg", Length: 4567890},
				{URL: "https://cdn.site-a.example/clip.mp4", Length: 99},
			},
			Categories: []Category{
				{Term: "Politics", Scheme: "https://site-a.example/topics", Label: "Politique & société"},
				{Term: "Économie"}, {Term: "politics"}, {Term: " "}, {Term: "Switzerland", Label: "Suisse"},
			},
			Podcast:   &Podcast{Duration: time.Hour + 2*time.Minute + 3*time.Second + 400*time.Millisecond, Image: "https://cdn.site-a.example/cover.jpg", Explicit: ExplicitNo},
			Via:       &SourceFeed{Title: "Site A — News", ID: "tag:site-a.example,2024:feed", Link: "https://site-a.example/", URL: "https://site-a.example/feed.xml"},
			Published: t0,
			Updated:   t0.Add(2 * time.Hour),
			FetchedAt: t0.Add(time.Minute),
		},
		{
			ID:         "42",
			Source:     "wire",
			Title:      "Wire story without a date",
			Link:       "https://wire.example/story?id=42",
			Summary:    "Only a summary &amp; no content.",
			Authors:    []Author{{Name: "Wire Staff"}},
			Enclosures: []Enclosure{{URL: "https://wire.example/photo.png", Type: "image/png"}},
			Via:        &SourceFeed{Title: "wire", URL: "https://wire.example/rss"},
			FetchedAt:  fetched,
		},
		{
			ID:        "tag:blog.example,2024:post-7",
			Source:    "blog",
			Title:     "Image only",
			Link:      "https://blog.example/post-7/",
			Content:   "<p>Content only.</p>",
			Authors:   []Author{{Email: "anon@blog.example"}},
			Image:     &Image{URL: "https://blog.example/photo"},
			Published: t0.Add(-48 * time.Hour),
		},
		{
			Source:  "notes",
			Title:   "No link, no id",
			Summary: "<b>bold</b> note",
		},
	}
}

func richWants() []want {
	return []want{
		{
			id: "https://site-a.example/2024/03/zurich", atomID: "https://site-a.example/2024/03/zurich",
			link:        "https://site-a.example/2024/03/zurich",
			title:       "Zürich’s “Straße” ☃ — 5 > 4 & AT&T",
			summary:     "<p>A short summary with <a href=\"https://site-a.example/x\">a link</a>.</p>",
			jsonSummary: "A short summary with a link.",
			content:     "<p>Full text with ]]> inside, a NUL, an escape[0m and ünïcödé.</p>\n<p>Second paragraph.</p>",
			published:   t0, updated: t0.Add(2 * time.Hour),
			creators: []string{"Jane Roe", "Ólafur Þórsson"},
			authors: []Author{
				{Name: "Jane Roe", Email: "jane@site-a.example", URL: "https://site-a.example/staff/jane", Avatar: "https://site-a.example/img/jane.jpg", Bio: "Jane covers Swiss politics."},
				{Name: "Ólafur Þórsson", URL: "https://site-a.example/staff/olafur"},
			},
			categories: []Category{
				{Term: "Politics", Scheme: "https://site-a.example/topics", Label: "Politique & société"},
				{Term: "Économie"}, {Term: "Switzerland", Label: "Suisse"},
			},
			podcast:      &Podcast{Duration: time.Hour + 2*time.Minute + 3*time.Second, Image: "https://cdn.site-a.example/cover.jpg", Explicit: ExplicitNo},
			via:          &SourceFeed{Title: "Site A — News", ID: "tag:site-a.example,2024:feed", Link: "https://site-a.example/", URL: "https://site-a.example/feed.xml"},
			image:        &Image{URL: "https://cdn.site-a.example/zurich.jpg", Caption: "The old town at dusk", Credit: "Photo: Reuters", Type: "image/jpeg", Width: 1200, Height: 800, Length: 123456},
			rssEnclosure: &Enclosure{URL: "https://cdn.site-a.example/report.mp3", Type: "audio/mpeg", Length: 4567890},
			atomEnclosures: []Enclosure{
				{URL: "https://cdn.site-a.example/zurich.jpg", Type: "image/jpeg", Length: 123456},
				{URL: "https://cdn.site-a.example/report.mp3", Type: "audio/mpeg", Length: 4567890},
				{URL: "https://cdn.site-a.example/clip.mp4", Type: "video/mp4", Length: 99},
			},
			attachments: []Enclosure{
				{URL: "https://cdn.site-a.example/report.mp3", Type: "audio/mpeg", Length: 4567890},
				{URL: "https://cdn.site-a.example/clip.mp4", Type: "video/mp4", Length: 99},
			},
			source: "site-a",
		},
		{
			id:             "urn:tributary:guid:wire:42",
			link:           "https://wire.example/story?id=42",
			title:          "Wire story without a date",
			summary:        "Only a summary &amp; no content.",
			jsonSummary:    "Only a summary & no content.",
			jsonContent:    "Only a summary &amp; no content.",
			published:      fetched.UTC(),
			creators:       []string{"Wire Staff"},
			authors:        []Author{{Name: "Wire Staff"}},
			rssEnclosure:   &Enclosure{URL: "https://wire.example/photo.png", Type: "image/png"},
			atomEnclosures: []Enclosure{{URL: "https://wire.example/photo.png", Type: "image/png"}},
			attachments:    []Enclosure{{URL: "https://wire.example/photo.png", Type: "image/png"}},
			source:         "wire",
			via:            &SourceFeed{Title: "wire", URL: "https://wire.example/rss"},
		},
		{
			id: "tag:blog.example,2024:post-7", atomID: "tag:blog.example,2024:post-7",
			link:      "https://blog.example/post-7/",
			title:     "Image only",
			content:   "<p>Content only.</p>",
			published: t0.Add(-48 * time.Hour),
			creators:  []string{"anon@blog.example"},
			authors:   []Author{{Name: "anon@blog.example", Email: "anon@blog.example"}},
			image:     &Image{URL: "https://blog.example/photo"},
			// An image of unknown type and size: RSS requires both.
			rssEnclosure:   &Enclosure{URL: "https://blog.example/photo", Type: "image/jpeg"},
			atomEnclosures: []Enclosure{{URL: "https://blog.example/photo", Type: "image/jpeg"}},
			source:         "blog",
		},
		{
			// A derived id must never change: readers would see a new item.
			id:          "urn:tributary:item:106805c666e5c39666ec1c036c668d7d",
			title:       "No link, no id",
			summary:     "<b>bold</b> note",
			jsonSummary: "bold note",
			jsonContent: "<b>bold</b> note",
			source:      "notes",
		},
	}
}
