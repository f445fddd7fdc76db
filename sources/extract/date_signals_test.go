package extract

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestDateSignals reads the publication or modification date from each
// signal pages use, alone on a page.
func TestDateSignals(t *testing.T) {
	at := time.Date(2024, 5, 1, 6, 0, 0, 0, time.UTC)
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	meta := func(key, val string) string { return `<meta name="` + key + `" content="` + val + `">` }
	prop := func(key, val string) string { return `<meta property="` + key + `" content="` + val + `">` }
	inStory := func(markup string) string {
		return `<article><header><h1>Heading in the page</h1><p>` + markup + `</p></header>` + storyBody[len("<article><h1>Heading in the page</h1>"):]
	}
	tests := []struct {
		name, head, body string
		published        time.Time
		updated          time.Time
	}{
		{name: "JSON-LD datePublished", head: `<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-05-01T06:00:00Z"}</script>`, published: at},
		{name: "article:published_time", head: prop("article:published_time", "2024-05-01T06:00:00Z"), published: at},
		{name: "og:article:published_time", head: prop("og:article:published_time", "2024-05-01T06:00:00+00:00"), published: at},
		{name: "parsely-pub-date", head: meta("parsely-pub-date", "2024-05-01T06:00:00Z"), published: at},
		{name: "parsely-page", head: `<meta name="parsely-page" content='{"title":"Flood","pub_date":"2024-05-01T06:00:00Z"}'>`, published: at},
		{name: "sailthru.date", head: meta("sailthru.date", "2024-05-01 06:00:00"), published: at},
		{name: "citation_publication_date", head: meta("citation_publication_date", "2024/05/01"), published: day},
		{name: "citation_online_date", head: meta("citation_online_date", "2024/05/01"), published: day},
		{name: "citation_date", head: meta("citation_date", "2024-05-01"), published: day},
		{name: "DC.date.issued", head: meta("DC.date.issued", "2024-05-01"), published: day},
		{name: "dcterms.issued", head: meta("dcterms.issued", "2024-05-01T06:00:00Z"), published: at},
		{name: "dcterms.created", head: meta("dcterms.created", "2024-05-01T06:00:00Z"), published: at},
		{name: "DC.date.created", head: meta("DC.date.created", "2024-05-01"), published: day},
		{name: "DC.Date", head: meta("DC.Date", "2024-05-01"), published: day},
		{name: "dcterms.date", head: meta("dcterms.date", "2024-05-01"), published: day},
		{name: "article.published", head: meta("article.published", "2024-05-01T06:00:00Z"), published: at},
		{name: "publish-date", head: meta("publish-date", "2024-05-01T06:00:00Z"), published: at},
		{name: "publish_date", head: meta("publish_date", "2024-05-01T06:00:00Z"), published: at},
		{name: "publishdate", head: meta("publishdate", "2024-05-01"), published: day},
		{name: "publication_date", head: meta("publication_date", "2024-05-01"), published: day},
		{name: "pubdate", head: meta("pubdate", "2024-05-01T06:00:00Z"), published: at},
		{name: "date", head: meta("date", "2024-05-01T06:00:00Z"), published: at},
		{name: "itemprop datePublished meta", head: `<meta itemprop="datePublished" content="2024-05-01T06:00:00Z">`, published: at},
		{name: "itemprop datePublished time", body: inStory(`<time itemprop="datePublished" datetime="2024-05-01T06:00:00Z">May 1</time>`), published: at},
		{name: "time pubdate", body: inStory(`<time pubdate datetime="2024-05-01T06:00:00Z">May 1</time>`), published: at},
		{name: "time pubdate without datetime", body: inStory(`<time pubdate>May 1, 2024</time>`), published: day},
		{name: "time datetime in the article header", body: inStory(`<time datetime="2024-05-01T06:00:00Z">May 1</time>`), published: at},

		{name: "JSON-LD dateModified", head: `<script type="application/ld+json">{"@type":"NewsArticle","dateModified":"2024-05-01T06:00:00Z"}</script>`, updated: at},
		{name: "article:modified_time", head: prop("article:modified_time", "2024-05-01T06:00:00Z"), updated: at},
		{name: "og:article:modified_time", head: prop("og:article:modified_time", "2024-05-01T06:00:00Z"), updated: at},
		{name: "og:updated_time", head: prop("og:updated_time", "2024-05-01T06:00:00Z"), updated: at},
		{name: "itemprop dateModified", head: `<meta itemprop="dateModified" content="2024-05-01T06:00:00Z">`, updated: at},
		{name: "dcterms.modified", head: meta("dcterms.modified", "2024-05-01T06:00:00Z"), updated: at},
		{name: "DC.date.modified", head: meta("DC.date.modified", "2024-05-01"), updated: day},
		{name: "article.updated", head: meta("article.updated", "2024-05-01T06:00:00Z"), updated: at},
		{name: "lastmod", head: meta("lastmod", "2024-05-01T06:00:00Z"), updated: at},
		{name: "time class updated", body: inStory(`<time class="updated" datetime="2024-05-01T06:00:00Z">May 1</time>`), updated: at},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if body == "" {
				body = storyBody
			}
			r := extractBytes(t, page(tt.head, body))
			if !r.Published.Equal(tt.published) || !r.Updated.Equal(tt.updated) {
				t.Errorf("Published, Updated = %v, %v; want %v, %v", r.Published, r.Updated, tt.published, tt.updated)
			}
		})
	}
}

// TestDateTrustOrder checks which date a page gives when it carries
// several, and the fixture pages of testdata/dates.
func TestDateTrustOrder(t *testing.T) {
	at := time.Date(2024, 5, 1, 6, 0, 0, 0, time.UTC)
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	other := `<meta name="date" content="2019-01-01">`
	tests := []struct {
		name, head, body string
		published        time.Time
	}{
		{"JSON-LD over OpenGraph", `<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-05-01T06:00:00Z"}</script><meta property="article:published_time" content="2019-01-01T00:00:00Z">`, storyBody, at},
		{"OpenGraph over Parse.ly", `<meta property="article:published_time" content="2024-05-01T06:00:00Z"><meta name="parsely-pub-date" content="2019-01-01T00:00:00Z">`, storyBody, at},
		{"Parse.ly over Dublin Core", `<meta name="DC.date.issued" content="2019-01-01"><meta name="parsely-pub-date" content="2024-05-01T06:00:00Z">`, storyBody, at},
		{"Parse.ly's tag over its page object", `<meta name="parsely-page" content='{"pub_date":"2019-01-01T00:00:00Z"}'><meta name="parsely-pub-date" content="2024-05-01T06:00:00Z">`, storyBody, at},
		{"citation over Dublin Core", `<meta name="DC.date" content="2019-01-01"><meta name="citation_publication_date" content="2024/05/01">`, storyBody, day},
		{"microdata over a generic meta", other + `<meta itemprop="datePublished" content="2024-05-01T06:00:00Z">`, storyBody, at},
		{"a generic meta over a <time>", `<meta name="date" content="2024-05-01T06:00:00Z">`, `<time datetime="2019-01-01">Jan 1</time>` + storyBody, at},
		{"an unparsable signal gives way", `<meta name="citation_publication_date" content="n.d."><meta name="dcterms.created" content="2024-05-01T06:00:00Z">`, storyBody, at},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := extractBytes(t, page(tt.head, tt.body)); !r.Published.Equal(tt.published) {
				t.Errorf("Published = %v, want %v", r.Published, tt.published)
			}
		})
	}
	// A signal whose date cannot be the story's (a CMS's 1970 placeholder,
	// a year typed as 2204) gives way to the next, as an unparsable one
	// does: taking it would leave the story with no date at all, since the
	// pipeline drops implausible dates.
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ name, head string }{
		{"epoch placeholder", `<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"1970-01-01T00:00:00Z","dateModified":"1970-01-01T00:00:00Z"}</script>`},
		{"far future", `<meta property="article:published_time" content="2204-05-01T06:00:00Z"><meta property="article:modified_time" content="2204-05-01T06:00:00Z">`},
	} {
		t.Run("implausible "+tc.name, func(t *testing.T) {
			head := tc.head + `<meta name="parsely-pub-date" content="2024-05-01T06:00:00Z"><meta name="lastmod" content="2024-05-01T06:00:00Z">`
			r, err := Extract(page(head, storyBody), storyURL, Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Published.Equal(at) || !r.Updated.Equal(at) {
				t.Errorf("Published, Updated = %v, %v; want %v for both", r.Published, r.Updated, at)
			}
		})
	}
	for _, tc := range []struct {
		file               string
		published, updated time.Time
	}{
		// The masthead's date of the day comes before the story's in
		// the page, but the story's <article> holds its own.
		{"masthead.html", at, time.Time{}},
		{"parsely.html", at, time.Time{}},
		{"citation.html", day, time.Date(2024, 5, 3, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "dates", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			r := extractBytes(t, b)
			if !r.Published.Equal(tc.published) || !r.Updated.Equal(tc.updated) {
				t.Errorf("Published, Updated = %v, %v; want %v, %v", r.Published, r.Updated, tc.published, tc.updated)
			}
		})
	}
}
