package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tributary/tributary/internal/xmlcheck"
)

// The sources of TestSyndicationDetails: an Atom blog whose categories
// have labels and schemes, an RSS podcast with iTunes details, and a
// private RSS feed whose URL carries a token.
const (
	syndicationAtom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Security Blog</title><id>tag:sec.example,2026:blog</id><updated>2026-01-03T00:00:00Z</updated>
<link rel="alternate" href="https://sec.example/"/>
<entry><title>Patch now</title><id>tag:sec.example,2026:1</id><link href="https://sec.example/1"/>
<updated>2026-01-03T00:00:00Z</updated><author><name>Ann</name></author><summary>Patch.</summary>
<category term="security" label="Security"/><category term="cve" scheme="https://sec.example/tags" label="CVE"/></entry>
</feed>`
	syndicationPodcast = `<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>The Show</title><link>https://show.example/</link><description>A show</description>
<item><title>Episode 1</title><guid>https://show.example/ep1</guid><pubDate>Fri, 02 Jan 2026 10:00:00 GMT</pubDate>
<description>First episode.</description>
<enclosure url="https://show.example/ep1.mp3" length="12345678" type="audio/mpeg"/>
<category domain="https://show.example/genres">technology</category>
<itunes:duration>01:02:03</itunes:duration><itunes:image href="https://show.example/ep1.jpg"/><itunes:explicit>true</itunes:explicit>
</item></channel></rss>`
	syndicationPrivate = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Members</title><link>https://members.example/</link><description>Private</description>
<item><title>Members only</title><guid>https://members.example/1</guid><pubDate>Thu, 01 Jan 2026 10:00:00 GMT</pubDate><description>Secret-ish.</description></item>
</channel></rss>`
	syndicationToken = "tok3n-s3cr3t"
)

// TestSyndicationDetails fetches the three sources into a real SQLite
// file, builds the feeds, and reads them back with independent parsers:
// jing validates the Atom feed against RFC 4287's schema, Python's
// feedparser reads the RSS and Atom feeds, and the JSON Feed is decoded.
// Categories keep term, scheme and label; the podcast keeps its iTunes
// details and enclosure; every item names the feed it was taken from,
// without the private feed's token; the feed carries its icon, logo,
// language and rights.
func TestSyndicationDetails(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/blog.atom":
			w.Header().Set("Content-Type", "application/atom+xml")
			fmt.Fprint(w, syndicationAtom)
		case "/podcast.rss":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, syndicationPodcast)
		case "/private.rss":
			if r.URL.Query().Get("token") != syndicationToken {
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, syndicationPrivate)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.yaml")
	writeFile(t, conf, fmt.Sprintf(`base_url: https://pub.example/news
storage:
  dsn: store.db
fetch:
  allow_private_networks: true
sources:
  - name: blog
    url: %[1]s/blog.atom
  - name: podcast
    url: %[1]s/podcast.rss
  - name: members
    url: %[1]s/private.rss?token=%[2]s
feeds:
  - name: all
    title: Everything
    icon: /favicon.ico
    logo: https://cdn.pub.example/logo.png
    language: en-GB
    rights: © 2026 Pub & Co
`, srv.URL, syndicationToken))
	if code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch"); code != exitOK {
		t.Fatalf("fetch exit %d:\n%s%s", code, out, errOut)
	}
	raw, _ := buildAll(t, ctx, conf)
	for name, b := range raw {
		assertNotShown(t, syndicationToken, name, string(b))
	}

	// Atom: valid per RFC 4287's schema.
	jing, err := xmlcheck.AtomValidator(".")
	if err != nil {
		xmlcheck.RequireTool(t, "%v", err)
	}
	atomFile := filepath.Join(t.TempDir(), "all.atom")
	rssFile := filepath.Join(t.TempDir(), "all.rss")
	writeFile(t, atomFile, string(raw["all.atom"]))
	writeFile(t, rssFile, string(raw["all.rss"]))
	invalid, err := jing.Validate(ctx, []string{atomFile})
	if err != nil || len(invalid) > 0 {
		t.Fatalf("jing: %v %v\n%s", err, invalid, raw["all.atom"])
	}

	// RSS and Atom as feedparser reads them.
	py := xmlcheck.FeedparserPython(t)
	out, err := exec.Command(py, "../../feeds/testdata/feedparser_dump.py", rssFile, atomFile).Output()
	if err != nil {
		t.Fatalf("feedparser: %v", err)
	}
	type category struct{ Term, Scheme, Label string }
	var docs []struct {
		Bozo    bool
		Version string
		Feed    struct{ Language, Rights, Icon, Logo, Image string }
		Entries []struct {
			Title          string
			Categories     []category
			Source         map[string]string
			ITunesDuration string `json:"itunes_duration"`
			ITunesExplicit any    `json:"itunes_explicit"`
			Image          string
			Enclosures     []struct{ Href, Type, Length string }
		}
	}
	if err := json.Unmarshal(out, &docs); err != nil || len(docs) != 2 {
		t.Fatalf("feedparser output (%v):\n%s", err, out)
	}
	for i, d := range docs {
		format := []string{"rss", "atom"}[i]
		if d.Bozo || d.Feed.Language != "en-GB" || d.Feed.Rights != "© 2026 Pub & Co" {
			t.Errorf("%s: bozo %v, feed %+v", format, d.Bozo, d.Feed)
		}
		if format == "atom" && (d.Feed.Icon != "https://pub.example/news/favicon.ico" || d.Feed.Logo != "https://cdn.pub.example/logo.png") {
			t.Errorf("atom: icon %q, logo %q", d.Feed.Icon, d.Feed.Logo)
		}
		if format == "rss" && d.Feed.Image != "https://cdn.pub.example/logo.png" {
			t.Errorf("rss: image %q, want the logo", d.Feed.Image)
		}
		byTitle := map[string]int{}
		for j, e := range d.Entries {
			byTitle[e.Title] = j
		}
		if len(byTitle) != 3 {
			t.Fatalf("%s: entries %+v", format, d.Entries)
		}
		blog, show, members := d.Entries[byTitle["Patch now"]], d.Entries[byTitle["Episode 1"]], d.Entries[byTitle["Members only"]]
		wantCats := []category{{Term: "security", Label: "Security"}, {Term: "cve", Scheme: "https://sec.example/tags", Label: "CVE"}}
		wantBlog := map[string]string{"title": "Security Blog", "id": "tag:sec.example,2026:blog", "link": "https://sec.example/", "self": srv.URL + "/blog.atom"}
		if format == "rss" {
			wantCats = []category{{Term: "security"}, {Term: "cve", Scheme: "https://sec.example/tags"}}
			wantBlog = map[string]string{"title": "Security Blog", "href": srv.URL + "/blog.atom"}
		}
		checkJSONEqual(t, format+" blog categories", blog.Categories, wantCats)
		checkJSONEqual(t, format+" blog source", blog.Source, wantBlog)
		checkJSONEqual(t, format+" podcast categories", show.Categories, []category{{Term: "technology", Scheme: "https://show.example/genres"}})
		wantMembers := map[string]string{"title": "Members", "href": srv.URL + "/private.rss"}
		if format == "atom" {
			wantMembers = map[string]string{"title": "Members", "id": srv.URL + "/private.rss", "link": "https://members.example/", "self": srv.URL + "/private.rss"}
		}
		checkJSONEqual(t, format+" members source", members.Source, wantMembers)
		// feedparser 6 reads "yes" but not Apple's "true" as explicit;
		// the RSS bytes are checked below.
		if show.ITunesDuration != "3723" || show.Image != "https://show.example/ep1.jpg" {
			t.Errorf("%s: podcast itunes duration %q, image %q", format, show.ITunesDuration, show.Image)
		}
		checkJSONEqual(t, format+" podcast enclosure", show.Enclosures[len(show.Enclosures)-1], struct{ Href, Type, Length string }{"https://show.example/ep1.mp3", "audio/mpeg", "12345678"})
	}
	if !strings.Contains(string(raw["all.rss"]), "<itunes:explicit>true</itunes:explicit>") {
		t.Errorf("all.rss lacks the explicit flag:\n%s", raw["all.rss"])
	}

	// JSON Feed.
	var jf struct {
		Icon, Favicon, Language string
		Ext                     struct{ Rights string } `json:"_tributary"`
		Items                   []struct {
			Title       string
			Tags        []string
			Attachments []struct {
				URL      string `json:"url"`
				MIMEType string `json:"mime_type"`
				Size     int64  `json:"size_in_bytes"`
				Duration int64  `json:"duration_in_seconds"`
			}
			Ext struct {
				Source     struct{ Name, Title, URL string }
				Categories []category
				Podcast    struct {
					Image    string
					Explicit *bool
				}
			} `json:"_tributary"`
		}
	}
	if err := json.Unmarshal(raw["all.json"], &jf); err != nil {
		t.Fatal(err)
	}
	if jf.Icon != "https://cdn.pub.example/logo.png" || jf.Favicon != "https://pub.example/news/favicon.ico" || jf.Language != "en-GB" || jf.Ext.Rights != "© 2026 Pub & Co" {
		t.Errorf("JSON Feed metadata: icon %q favicon %q language %q rights %q", jf.Icon, jf.Favicon, jf.Language, jf.Ext.Rights)
	}
	for _, it := range jf.Items {
		switch it.Title {
		case "Patch now":
			checkJSONEqual(t, "json blog tags", it.Tags, []string{"security", "cve"})
			checkJSONEqual(t, "json blog categories", it.Ext.Categories, []category{{Term: "security", Label: "Security"}, {Term: "cve", Scheme: "https://sec.example/tags", Label: "CVE"}})
			checkJSONEqual(t, "json blog source", it.Ext.Source, struct{ Name, Title, URL string }{"blog", "Security Blog", srv.URL + "/blog.atom"})
		case "Episode 1":
			if len(it.Attachments) != 1 || it.Attachments[0].Duration != 3723 || it.Attachments[0].Size != 12345678 || it.Attachments[0].MIMEType != "audio/mpeg" {
				t.Errorf("json podcast attachments %+v", it.Attachments)
			}
			if it.Ext.Podcast.Image != "https://show.example/ep1.jpg" || it.Ext.Podcast.Explicit == nil || !*it.Ext.Podcast.Explicit {
				t.Errorf("json podcast %+v", it.Ext.Podcast)
			}
		case "Members only":
			checkJSONEqual(t, "json members source", it.Ext.Source, struct{ Name, Title, URL string }{"members", "Members", srv.URL + "/private.rss"})
		}
	}
	// The round trip went through the SQLite file.
	if _, err := os.Stat(filepath.Join(dir, "store.db")); err != nil {
		t.Errorf("store: %v", err)
	}
}

// checkJSONEqual compares got and want by their JSON encodings.
func checkJSONEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s = %s, want %s", what, g, w)
	}
}
