package extract

import (
	"encoding/json"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tributary/tributary/sources/internal/pubdate"
)

// publishedMetas are the <meta> names giving a page's publication date
// beyond OpenGraph's article:published_time, most trusted first: the
// analytics tags newsrooms fill from their CMS (Parse.ly, Sailthru), the
// citation tags of Highwire and Google Scholar, Dublin Core, then generic
// names. Keys are lower-case, as readMetas gives them.
var publishedMetas = [...]string{
	"parsely-pub-date", "sailthru.date",
	"citation_publication_date", "citation_online_date", "citation_date",
	"dcterms.issued", "dc.date.issued", "dcterms.created", "dc.date.created", "dcterms.date", "dc.date",
	"article.published", "publish-date", "publish_date", "publishdate", "publication_date", "pubdate", "date",
}

// modifiedMetas are the <meta> names giving when a page was last
// modified, beyond OpenGraph's, most trusted first.
var modifiedMetas = [...]string{"dcterms.modified", "dc.date.modified", "article.updated", "lastmod"}

// fillDateMetas adds the dates of the named metas to c, after those of
// JSON-LD, OpenGraph and microdata. Parse.ly's parsely-page tag, a JSON
// object, gives its pub_date after parsely-pub-date. Each name is a candidate of its own, so that one a page fills with
// something other than a date does not hide the next.
func fillDateMetas(c *candidates, metas []metaTag) {
	for i, k := range publishedMetas {
		c.published.add(metaValue(metas, k))
		if i == 0 {
			c.published.add(parselyPubDate(metaValue(metas, "parsely-page")))
		}
	}
	for _, k := range modifiedMetas {
		c.updated.add(metaValue(metas, k))
	}
}

// parselyPubDate returns the pub_date of a parsely-page tag's JSON, or ""
// when it has none.
func parselyPubDate(v string) string {
	var page struct {
		PubDate string `json:"pub_date"`
	}
	if v == "" || json.Unmarshal([]byte(v), &page) != nil {
		return ""
	}
	return page.PubDate
}

// timeDates returns the datetime of the first <time> under root (outside
// furniture) marked as the publication date (pubdate, class published,
// entry-date or dt-published), of the first marked as an update (class
// updated, modified or dt-updated), and of the first other one. A <time>
// without datetime counts with its text when that is a date.
func timeDates(root *html.Node, furniture map[*html.Node]bool) (published, updated, other string) {
	walk(root, func(n *html.Node) bool {
		if furniture[n] {
			return false
		}
		if n.DataAtom != atom.Time {
			return true
		}
		v := attr(n, "datetime")
		if v == "" && !parseDate(text(n)).IsZero() {
			v = text(n)
		}
		switch {
		case v == "":
		case updated == "" && (hasClass(n, "updated") || hasClass(n, "modified") || hasClass(n, "dt-updated")):
			updated = v
		case published == "" && (hasAttr(n, "pubdate") || hasClass(n, "published") || hasClass(n, "entry-date") || hasClass(n, "dt-published")):
			published = v
		case other == "":
			other = v
		}
		return true
	})
	return published, updated, other
}

// parseDate reads a date the way pages write them: RFC 3339 and its
// variants (with or without zone, seconds, fraction, a space instead of
// "T"), RFC 1123/822 and a few written forms. It returns the zero time when
// s is not a date.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}
	}
	// "2017-07-10T08:30:00+0000" and friends parse above; lower-case "t"
	// and "z" do not.
	if len(s) > 10 && (s[10] == 't') {
		s = s[:10] + "T" + s[11:]
	}
	if strings.HasSuffix(s, "z") {
		s = s[:len(s)-1] + "Z"
	}
	// "July 10, 2017 at 3:04 PM" reads as "July 10, 2017 3:04 pm".
	if l := strings.ToLower(s); strings.HasSuffix(l, " am") || strings.HasSuffix(l, " pm") {
		s = strings.Replace(s[:len(s)-2], " at ", " ", 1) + l[len(l)-2:]
	}
	if t, ok := pubdate.Parse(s, pubdate.Page); ok {
		return t
	}
	// "Monday, July 10, 2017": drop the weekday.
	if i := strings.Index(s, ", "); i > 0 && i < 10 {
		return parseDate(s[i+2:])
	}
	return time.Time{}
}
