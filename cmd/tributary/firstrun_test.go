package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The sample story as the shipped config.yaml publishes it offline: read
// from its page (examples/putin-trump-cyber-crime-pact.html) by full text.
const (
	firstRunID     = "urn:tributary:guid:sample:sample-2017-07-putin-trump-cyber"
	firstRunAuthor = "Nico Parungo"
	firstRunBio    = "Nico Parungo graduated with a bachelor degree in film making, before pursuing a writing career. He has been writing for more than four years, focusing on video games, comic books and WWE."
	firstRunCredit = "FBI"
	// firstRunCaption is the page's caption as written, which names the
	// credit.
	firstRunCaption = "Image from FBI"
)

// firstRunBody is text only the page has (the feed's item is a teaser).
var firstRunBody = []string{
	"Prior to the backtracking, the President said that he and Putin could form an impenetrable cyber crime group",
	"Fake News said 17 intel agencies when actually 4 (had to apologize).",
}

// firstRunAbsent is what the page has around the story: the social
// boilerplate, the author box (its bio goes on the author), the byline
// and the site's furniture.
var firstRunAbsent = []string{
	"For comments and suggestions", "Like and Follow our Facebook page",
	"About the author", "graduated with a bachelor degree", "View all posts",
	"Share on Facebook", "Advertisement", "Nintendo Switch", "Trending Now", "Leave a Reply", "Privacy Policy",
	// Readability's wrappers and the page's ids and classes.
	"readability-page", ` id="`, ` class="`,
}

// shippedCopy copies the shipped config.yaml and examples/ into a
// temporary directory and returns the copy's config path.
func shippedCopy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "examples"), os.DirFS("../../examples")); err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	writeFile(t, path, string(conf))
	return path
}

// TestFirstRunShowsTheWholeJob fetches the local sample source of a copy
// of the shipped config.yaml (no network: its other sources are not
// fetched) and reads the sample story in the three formats built: its
// page was fetched and extracted, so each has the full story without the
// site's boilerplate, its author and its image credited to the FBI, and
// the author's bio in Atom (poco:note) and JSON Feed (_tributary).
func TestFirstRunShowsTheWholeJob(t *testing.T) {
	ctx := context.Background()
	conf := shippedCopy(t)
	t.Setenv("TRIBUTARY_DB", filepath.Join(t.TempDir(), "first.db"))
	code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch", "sample")
	if code != exitOK || !strings.Contains(out, "sample: new (3 new, 0 updated, 0 unchanged), 1 pages extracted") {
		t.Fatalf("fetch sample: exit %d\n%s%s", code, out, errOut)
	}
	dir := t.TempDir()
	if code, _, errOut := runCmd(t, ctx, "--config", conf, "build", "--out", dir); code != exitOK {
		t.Fatalf("build: %s", errOut)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, "feeds", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	checkContent := func(format, content string) {
		t.Helper()
		for _, want := range append([]string{"<figcaption>Image from FBI</figcaption>"}, firstRunBody...) {
			if !strings.Contains(content, want) {
				t.Errorf("%s: content lacks %q:\n%s", format, want, content)
			}
		}
		for _, bad := range firstRunAbsent {
			if strings.Contains(content, bad) {
				t.Errorf("%s: content has %q:\n%s", format, bad, content)
			}
		}
	}
	// The page is the link, beside the feed in the copy.
	page := "file://" + filepath.ToSlash(filepath.Join(filepath.Dir(conf), "examples", "putin-trump-cyber-crime-pact.html"))

	var rss struct {
		Items []struct {
			GUID    string `xml:"guid"`
			Link    string `xml:"link"`
			Creator string `xml:"http://purl.org/dc/elements/1.1/ creator"`
			Content string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
			Media   struct {
				URL    string `xml:"url,attr"`
				Credit string `xml:"http://search.yahoo.com/mrss/ credit"`
			} `xml:"http://search.yahoo.com/mrss/ content"`
		} `xml:"channel>item"`
	}
	if err := xml.Unmarshal(read("all.rss"), &rss); err != nil {
		t.Fatalf("all.rss: %v", err)
	}
	if len(rss.Items) != 3 || rss.Items[0].GUID != firstRunID {
		t.Fatalf("all.rss: items %+v, want the sample story first of 3", rss.Items)
	}
	r := rss.Items[0]
	if r.Link != page || r.Creator != firstRunAuthor || r.Media.Credit != firstRunCredit || !strings.HasPrefix(r.Media.URL, "https://") {
		t.Errorf("all.rss: link %q, dc:creator %q, media:content %+v; want the page, %s, an image credited to %s", r.Link, r.Creator, r.Media, firstRunAuthor, firstRunCredit)
	}
	checkContent("all.rss", r.Content)

	var atom struct {
		Entries []struct {
			ID     string `xml:"id"`
			Author struct {
				Name string `xml:"name"`
				Bio  string `xml:"http://portablecontacts.net/spec/1.0 note"`
			} `xml:"author"`
			Content string `xml:"http://www.w3.org/2005/Atom content"`
			Media   struct {
				Credit string `xml:"http://search.yahoo.com/mrss/ credit"`
			} `xml:"http://search.yahoo.com/mrss/ content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(read("all.atom"), &atom); err != nil {
		t.Fatalf("all.atom: %v", err)
	}
	if len(atom.Entries) != 3 || atom.Entries[0].ID != firstRunID {
		t.Fatalf("all.atom: entries %+v, want the sample story first of 3", atom.Entries)
	}
	a := atom.Entries[0]
	if a.Author.Name != firstRunAuthor || a.Author.Bio != firstRunBio || a.Media.Credit != firstRunCredit {
		t.Errorf("all.atom: author %q (bio %q), media:credit %q; want %s with the page's bio, %s", a.Author.Name, a.Author.Bio, a.Media.Credit, firstRunAuthor, firstRunCredit)
	}
	checkContent("all.atom", a.Content)

	var jf struct {
		Items []struct {
			ID      string `json:"id"`
			URL     string `json:"url"`
			Content string `json:"content_html"`
			Image   string `json:"image"`
			Authors []struct {
				Name string `json:"name"`
			} `json:"authors"`
			X struct {
				Authors []struct {
					Name string `json:"name"`
					Bio  string `json:"bio"`
				} `json:"authors"`
				Image struct {
					Caption string `json:"caption"`
					Credit  string `json:"credit"`
				} `json:"image"`
			} `json:"_tributary"`
		} `json:"items"`
	}
	if err := json.Unmarshal(read("all.json"), &jf); err != nil {
		t.Fatalf("all.json: %v", err)
	}
	if len(jf.Items) != 3 || jf.Items[0].ID != firstRunID {
		t.Fatalf("all.json: items %+v, want the sample story first of 3", jf.Items)
	}
	j := jf.Items[0]
	if j.URL != page || len(j.Authors) != 1 || j.Authors[0].Name != firstRunAuthor || !strings.HasPrefix(j.Image, "https://") {
		t.Errorf("all.json: url %q, authors %+v, image %q", j.URL, j.Authors, j.Image)
	}
	if len(j.X.Authors) != 1 || j.X.Authors[0].Name != firstRunAuthor || j.X.Authors[0].Bio != firstRunBio {
		t.Errorf("all.json: _tributary authors %+v, want %s with the page's bio", j.X.Authors, firstRunAuthor)
	}
	if j.X.Image.Credit != firstRunCredit || j.X.Image.Caption != firstRunCaption {
		t.Errorf("all.json: _tributary image caption %q credit %q, want %q and %s", j.X.Image.Caption, j.X.Image.Credit, firstRunCaption, firstRunCredit)
	}
	checkContent("all.json", j.Content)
	// The other sample stories keep their ids.
	for i, id := range []string{"urn:tributary:guid:sample:sample-2017-07-welcome", "urn:tributary:guid:sample:sample-2017-07-conditional-get"} {
		if jf.Items[i+1].ID != id {
			t.Errorf("all.json: item %d id %q, want %q", i+1, jf.Items[i+1].ID, id)
		}
	}
}

// TestFirstRunRefusesPagesOutsideTheSample is the first run of a sample
// whose story links outside its directory, as an edited or hostile copy
// of examples/ might: up a directory, by absolute path, through a
// symbolic link out. Each page is refused and reported, and the file's
// text reaches no feed.
func TestFirstRunRefusesPagesOutsideTheSample(t *testing.T) {
	ctx := context.Background()
	const secret = "private notes outside the sample directory"
	for _, tt := range []struct{ name, link string }{
		{"up a directory", "../private.html"},
		{"absolute path", "ABS/private.html"},
		{"symbolic link out", "link.html"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conf := shippedCopy(t)
			root := filepath.Dir(conf)
			examples := filepath.Join(root, "examples")
			page, err := os.ReadFile(filepath.Join(examples, "putin-trump-cyber-crime-pact.html"))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(root, "private.html"), strings.ReplaceAll(string(page), "It seemed like", secret+". It seemed like"))
			if err := os.Symlink("../private.html", filepath.Join(examples, "link.html")); err != nil {
				t.Skipf("no symbolic links here: %v", err)
			}
			link := strings.Replace(tt.link, "ABS", "file://"+filepath.ToSlash(root), 1)
			feedPath := filepath.Join(examples, "sample-feed.xml")
			feed, err := os.ReadFile(feedPath)
			if err != nil {
				t.Fatal(err)
			}
			edited := strings.Replace(string(feed), "<link>putin-trump-cyber-crime-pact.html</link>", "<link>"+link+"</link>", 1)
			if edited == string(feed) {
				t.Fatal("the sample feed no longer links its story's page")
			}
			writeFile(t, feedPath, edited)
			t.Setenv("TRIBUTARY_DB", filepath.Join(t.TempDir(), "first.db"))
			code, out, errOut := runCmd(t, ctx, "--config", conf, "fetch", "sample")
			if code != exitOK || !strings.Contains(out, "0 pages extracted, 1 failed") {
				t.Fatalf("fetch sample: exit %d, want the page refused\n%s%s", code, out, errOut)
			}
			if !strings.Contains(errOut, "local file not configured as a source") {
				t.Errorf("the log does not say why the page was refused:\n%s", errOut)
			}
			dir := t.TempDir()
			if code, _, errOut := runCmd(t, ctx, "--config", conf, "build", "--out", dir); code != exitOK {
				t.Fatalf("build: %s", errOut)
			}
			for _, name := range []string{"all.rss", "all.atom", "all.json", "all/index.html", "../index.html"} {
				b, err := os.ReadFile(filepath.Join(dir, "feeds", name))
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(b), secret) {
					t.Errorf("%s publishes a file outside the sample's directory", name)
				}
			}
		})
	}
}
