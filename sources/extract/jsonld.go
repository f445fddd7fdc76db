package extract

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tributary/tributary/feeds"
)

// isArticleType reports whether t is a schema.org type whose node
// describes the story itself.
func isArticleType(t string) bool {
	switch t {
	case "Article", "NewsArticle", "AnalysisNewsArticle", "AskPublicNewsArticle",
		"BackgroundNewsArticle", "OpinionNewsArticle", "ReportageNewsArticle",
		"ReviewNewsArticle", "Report", "SatiricalArticle", "ScholarlyArticle",
		"MedicalScholarlyArticle", "SocialMediaPosting", "BlogPosting", "LiveBlogPosting",
		"DiscussionForumPosting", "TechArticle", "APIReference":
		return true
	}
	return false
}

// maxJSONDepth bounds the walk of a JSON-LD document.
const maxJSONDepth = 24

// jsonLD is the JSON-LD of a page: every object found, in breadth-first
// order, and those with an @id by id.
type jsonLD struct {
	nodes []map[string]any
	byID  map[string]map[string]any
}

// parseJSONLD reads the bodies of the page's application/ld+json scripts.
// Scripts that are not valid JSON are skipped: one broken block must not
// hide the others.
func parseJSONLD(scripts []string) *jsonLD {
	ld := &jsonLD{byID: make(map[string]map[string]any)}
	var queue []any
	for _, s := range scripts {
		// Unwrap the CDATA sections and comments some pages hide JSON in,
		// commented out for old browsers ("//<![CDATA[ ... //]]>").
		s = strings.TrimSpace(s)
		s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "//"), "<![CDATA["))
		s = strings.TrimSpace(strings.TrimSuffix(s, "]]>"))
		s = strings.TrimSpace(strings.TrimSuffix(s, "//"))
		s = strings.TrimSpace(strings.TrimPrefix(s, "<!--"))
		s = strings.TrimSpace(strings.TrimSuffix(s, "-->"))
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			continue
		}
		queue = append(queue, v)
	}
	// Breadth-first so top-level objects come before nested ones (the
	// page's article before the articles it lists as related).
	type item struct {
		v     any
		depth int
	}
	items := make([]item, 0, len(queue))
	for _, v := range queue {
		items = append(items, item{v, 0})
	}
	for len(items) > 0 {
		it := items[0]
		items = items[1:]
		if it.depth > maxJSONDepth {
			continue
		}
		switch v := it.v.(type) {
		case []any:
			for _, e := range v {
				items = append(items, item{e, it.depth + 1})
			}
		case map[string]any:
			ld.nodes = append(ld.nodes, v)
			if id, ok := v["@id"].(string); ok && id != "" && len(v) > 1 {
				if _, dup := ld.byID[id]; !dup {
					ld.byID[id] = v
				}
			}
			for _, k := range sortedKeys(v) {
				switch k {
				case "@context":
					continue
				}
				switch c := v[k].(type) {
				case []any, map[string]any:
					items = append(items, item{c, it.depth + 1})
				}
			}
		}
	}
	return ld
}

// sortedKeys returns m's keys with @graph first and the rest sorted, so the
// walk is deterministic.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Insertion sort: JSON-LD objects are small.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keyLess(keys[j], keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

func keyLess(a, b string) bool {
	if (a == "@graph") != (b == "@graph") {
		return a == "@graph"
	}
	return a < b
}

// resolve follows an {"@id": ...} reference into the graph; other values
// are returned as they are.
func (ld *jsonLD) resolve(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if id, ok := m["@id"].(string); ok && len(m) <= 2 {
		if full, ok := ld.byID[id]; ok {
			return full
		}
	}
	return m
}

// hasType reports whether one of node's types satisfies is. Types may be
// prefixed ("schema:NewsArticle", "https://schema.org/NewsArticle").
func hasType(node map[string]any, is func(string) bool) bool {
	for _, t := range strs(node["@type"]) {
		if i := strings.LastIndexAny(t, "/:"); i >= 0 {
			t = t[i+1:]
		}
		if is(t) {
			return true
		}
	}
	return false
}

// article returns the node describing the story: the first article-typed
// node, else the article a WebPage names as its mainEntity; nil when none.
func (ld *jsonLD) article() map[string]any {
	for _, n := range ld.nodes {
		if hasType(n, isArticleType) {
			return n
		}
	}
	for _, n := range ld.nodes {
		if me, ok := ld.resolve(n["mainEntity"]).(map[string]any); ok && hasType(me, isArticleType) {
			return me
		}
	}
	return nil
}

// strs returns v as a list of strings: a string, or the strings of an array.
func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// str returns the first string of v; for an object, its name, url or
// @value.
func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		for _, e := range v {
			if s := str(e); s != "" {
				return s
			}
		}
	case map[string]any:
		for _, k := range []string{"@value", "name", "url", "@id"} {
			if s, ok := v[k].(string); ok && s != "" {
				return s
			}
		}
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// num reads a dimension: 1200, "1200", "1200px" or {"value": 1200}.
func num(v any) int {
	switch v := v.(type) {
	case float64:
		if v > 0 && v < 1e6 {
			return int(v)
		}
	case string:
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "px"))
		if n, err := strconv.Atoi(v); err == nil && n > 0 && n < 1e6 {
			return n
		}
	case map[string]any:
		return num(v["value"])
	case []any:
		if len(v) > 0 {
			return num(v[0])
		}
	}
	return 0
}

// authors reads an author value: a Person or Organization object, an @id
// reference, a name, or an array of those.
func (ld *jsonLD) authors(v any) []feeds.Author {
	var out []feeds.Author
	switch v := ld.resolve(v).(type) {
	case string:
		if isURL(v) {
			out = append(out, feeds.Author{URL: v})
		} else if name := cleanName(v); name != "" {
			out = append(out, feeds.Author{Name: name})
		}
	case []any:
		for _, e := range v {
			out = append(out, ld.authors(e)...)
		}
	case map[string]any:
		a := feeds.Author{
			Name:  cleanName(str(v["name"])),
			Email: strings.TrimPrefix(str(v["email"]), "mailto:"),
			Bio:   feeds.PlainText(str(v["description"])),
		}
		a.URL = str(v["url"])
		if a.URL == "" {
			if id, _ := v["@id"].(string); isURL(id) && !strings.Contains(id, "#") {
				a.URL = id
			}
		}
		if img, ok := ld.image(v["image"]); ok {
			a.Avatar = img.url
		}
		if a.Name == "" && str(v["givenName"]) != "" {
			a.Name = cleanName(str(v["givenName"]) + " " + str(v["familyName"]))
		}
		if a.Name != "" || a.URL != "" {
			out = append(out, a)
		}
	}
	return out
}

// image reads an image value: a URL, an ImageObject (url or contentUrl,
// width, height, caption, creditText, copyrightHolder), an @id reference or
// an array (the first usable one).
func (ld *jsonLD) image(v any) (imageCand, bool) {
	switch v := ld.resolve(v).(type) {
	case string:
		if strings.TrimSpace(v) != "" {
			return imageCand{url: strings.TrimSpace(v)}, true
		}
	case []any:
		for _, e := range v {
			if c, ok := ld.image(e); ok {
				return c, true
			}
		}
	case map[string]any:
		c := imageCand{
			url:     str(v["url"]),
			width:   num(v["width"]),
			height:  num(v["height"]),
			caption: feeds.PlainText(str(v["caption"])),
			credit:  feeds.PlainText(str(v["creditText"])),
		}
		if c.url == "" {
			c.url = str(v["contentUrl"])
		}
		if c.credit == "" {
			c.credit = feeds.PlainText(str(ld.resolve(v["copyrightHolder"])))
		}
		if c.credit == "" {
			c.credit = feeds.PlainText(str(ld.resolve(v["author"])))
		}
		if c.url != "" {
			return c, true
		}
	}
	return imageCand{}, false
}

// fill adds the JSON-LD article's metadata to c, the most trusted
// source.
func (ld *jsonLD) fill(c *candidates) {
	art := ld.article()
	if art == nil {
		return
	}
	c.title.add(str(art["headline"]))
	c.title.add(str(art["name"]))
	c.published.add(str(art["datePublished"]))
	c.published.add(str(art["dateCreated"]))
	c.updated.add(str(art["dateModified"]))
	c.section.add(str(art["articleSection"]))
	c.excerpt.add(str(art["description"]))
	c.lang.add(str(art["inLanguage"]))
	c.canonical.add(str(art["url"]))
	if me := ld.resolve(art["mainEntityOfPage"]); me != nil {
		if s, ok := me.(string); ok {
			c.canonical.add(s)
		} else if m, ok := me.(map[string]any); ok {
			c.canonical.add(str(m["url"]))
			if id, _ := m["@id"].(string); isURL(id) {
				c.canonical.add(id)
			}
		}
	}
	var tags []string
	for _, k := range strs(art["keywords"]) {
		tags = append(tags, strings.Split(k, ",")...)
	}
	c.tags = append(c.tags, tags)
	authors := ld.authors(art["author"])
	if len(authors) == 0 {
		authors = ld.authors(art["creator"])
	}
	c.authors = append(c.authors, authorListing{sigJSONLD, authors})
	if img, ok := ld.image(art["image"]); ok {
		c.images = append(c.images, img)
	} else if img, ok := ld.image(art["thumbnailUrl"]); ok {
		c.images = append(c.images, img)
	}
	if pub, ok := ld.resolve(art["publisher"]).(map[string]any); ok {
		c.siteName.add(str(pub["name"]))
	} else {
		c.siteName.add(str(art["publisher"]))
	}
	if site, ok := ld.resolve(art["isPartOf"]).(map[string]any); ok && hasType(site, func(t string) bool { return t == "WebSite" }) {
		c.siteName.add(str(site["name"]))
	}
}
