package extract

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// siteURL is the address the three articles of testdata/site-*.html are
// extracted under.
func siteURL(i int) string {
	return []string{
		"https://riversidecourier.example/news/council-budget/",
		"https://riversidecourier.example/news/river-cleanup/",
		"https://riversidecourier.example/news/bakery-closing/",
	}[i]
}

const (
	memberPara = "The Riverside Courier is funded by readers like you. Become a member today and help keep local news free for everyone in the valley."
	corrPara   = "Corrections policy: if you spot an error in this story, email corrections@riversidecourier.example and our editors will review it."
)

// TestBoilerplateAcrossSite learns the paragraphs the Courier repeats from
// the extracted contents of three of its articles, then strips them: the
// membership pitch (in all three) and the corrections note (in two) go,
// every paragraph of the stories stays.
func TestBoilerplateAcrossSite(t *testing.T) {
	var contents []string
	for i, f := range []string{"site-1.html", "site-2.html", "site-3.html"} {
		res := extractFile(t, f, siteURL(i))
		contents = append(contents, res.Content)
	}
	got := FindBoilerplate(contents, 2)
	want := []string{memberPara, corrPara}
	if !slices.Equal(got, want) {
		t.Fatalf("FindBoilerplate = %q\nwant %q", got, want)
	}
	unique := [][]string{
		{"The Riverside city council voted 5-2", "Council member Dana Whitfield", "The new routes will begin running in September"},
		{"More than three hundred volunteers", "The annual cleanup, now in its fourteenth year", "Organizers said the amount of plastic"},
		{"Van der Berg Bakery, the Elm Street shop", "Owner Anneke van der Berg, 74", "Regulars have been stopping by all week"},
	}
	for i, c := range contents {
		stripped := StripParagraphs(c, got)
		for _, p := range want {
			if strings.Contains(stripped, p[:40]) {
				t.Errorf("article %d: boilerplate %q still present:\n%s", i+1, p[:40], stripped)
			}
		}
		for _, u := range unique[i] {
			if !strings.Contains(stripped, u) {
				t.Errorf("article %d: unique paragraph %q was stripped:\n%s", i+1, u, stripped)
			}
		}
	}
	// Learned once, the boilerplate goes at extraction time too.
	res, err := Extract(readTestdata(t, "site-3.html"), siteURL(2), Options{Boilerplate: got})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Content, "funded by readers like you") {
		t.Errorf("Options.Boilerplate did not strip the membership pitch:\n%s", res.Content)
	}
	if !strings.Contains(res.Content, "Regulars have been stopping by all week") {
		t.Errorf("Options.Boilerplate stripped a story paragraph:\n%s", res.Content)
	}
}

func TestFindBoilerplateRules(t *testing.T) {
	shared := "Follow the Courier on Mastodon for breaking news alerts."
	tests := []struct {
		name    string
		docs    []string
		minDocs int
		want    []string
	}{
		{
			name:    "shared paragraph found",
			docs:    []string{"<p>Story one is about ducks.</p><p>" + shared + "</p>", "<p>Story two is about geese.</p><p>" + shared + "</p>"},
			minDocs: 2,
			want:    []string{shared},
		},
		{
			name:    "whitespace and nbsp do not matter",
			docs:    []string{"<p>Story one is about ducks.</p><p>" + shared + "</p>", "<p>Story two is about geese.</p><p>\n  " + strings.ReplaceAll(shared, " ", "&nbsp;\n") + "  </p>"},
			minDocs: 2,
			want:    []string{shared},
		},
		{
			name:    "case matters",
			docs:    []string{"<p>" + shared + "</p>", "<p>" + strings.ToUpper(shared) + "</p>"},
			minDocs: 2,
		},
		{
			name:    "repeats inside one document count once",
			docs:    []string{"<p>" + shared + "</p><p>" + shared + "</p>", "<p>Nothing in common here at all, really.</p>"},
			minDocs: 2,
		},
		{
			name:    "below minDocs",
			docs:    []string{"<p>" + shared + "</p>", "<p>" + shared + "</p>", "<p>A third story about swans and herons.</p>"},
			minDocs: 3,
		},
		{
			name:    "minDocs below two is two",
			docs:    []string{"<p>" + shared + "</p>", "<p>A story about swans and herons in the park.</p>"},
			minDocs: 1,
		},
		{
			name:    "short paragraphs ignored",
			docs:    []string{"<p>Advertisement</p><p>Story one.</p>", "<p>Advertisement</p><p>Story two.</p>"},
			minDocs: 2,
		},
		{
			name:    "long paragraphs ignored",
			docs:    []string{"<p>" + strings.Repeat("word ", 130) + "</p>", "<p>" + strings.Repeat("word ", 130) + "</p>"},
			minDocs: 2,
		},
		{
			name: "li, blockquote and div count, in order of first appearance",
			docs: []string{
				"<p>First story: the harbour reopened.</p><p>Boats lined up at dawn to get in.</p><p>Fishermen cheered the news.</p><p>Prices of fish fell by noon.</p>" +
					"<ul><li>Tip line: call 555-0100 with your story ideas.</li></ul><blockquote>Quote of the day from our founder, Ida Wells.</blockquote><div>Reporting by the Courier metro desk staff.</div>",
				"<p>Second story: the school fair.</p><p>Children ran the cake stall.</p><p>Parents judged the pets.</p><p>It rained only once.</p>" +
					"<div>Reporting by the Courier metro desk staff.</div><blockquote>Quote of the day from our founder, Ida Wells.</blockquote><ul><li>Tip line: call 555-0100 with your story ideas.</li></ul>",
			},
			minDocs: 2,
			want: []string{
				"Tip line: call 555-0100 with your story ideas.",
				"Quote of the day from our founder, Ida Wells.",
				"Reporting by the Courier metro desk staff.",
			},
		},
		{
			name:    "headings are not paragraphs",
			docs:    []string{"<h2>Sign up for the morning newsletter today</h2>", "<h2>Sign up for the morning newsletter today</h2>"},
			minDocs: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FindBoilerplate(tt.docs, tt.minDocs)
			if !slices.Equal(got, tt.want) {
				t.Errorf("FindBoilerplate = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStripParagraphs(t *testing.T) {
	cta := "Like and Follow our Facebook page for more stories."
	tests := []struct {
		name, in string
		paras    []string
		want     string
	}{
		{
			name:  "removes the matching paragraph",
			in:    "<p>Story text stays here.</p><p>" + cta + "</p>",
			paras: []string{cta},
			want:  "<p>Story text stays here.</p>",
		},
		{
			name:  "matches across markup and whitespace",
			in:    "<p>Story.</p><p>Like and <strong>Follow</strong> our\n<a href=\"https://facebook.com/x\">Facebook page</a> for more stories.</p>",
			paras: []string{cta},
			want:  "<p>Story.</p>",
		},
		{
			name:  "removes the outermost matching block",
			in:    "<div><p>" + cta + "</p></div><p>Story.</p>",
			paras: []string{cta},
			want:  "<p>Story.</p>",
		},
		{
			name:  "leaves a paragraph that only contains the text",
			in:    "<p>Story. " + cta + "</p>",
			paras: []string{cta},
			want:  "<p>Story. " + cta + "</p>",
		},
		{
			name:  "unchanged byte for byte when nothing matches",
			in:    "<p>Caf&eacute; &amp; bar<br>open</p>",
			paras: []string{cta},
			want:  "<p>Caf&eacute; &amp; bar<br>open</p>",
		},
		{
			name:  "plain text unchanged",
			in:    "Tom & Jerry " + cta,
			paras: []string{cta},
			want:  "Tom & Jerry " + cta,
		},
		{
			name: "no paragraphs given",
			in:   "<p>" + cta + "</p>",
			want: "<p>" + cta + "</p>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StripParagraphs(tt.in, tt.paras); got != tt.want {
				t.Errorf("StripParagraphs = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestStripParagraphsVeryDeep: content nested deeper than the HTML parser
// accepts (512 open elements) still loses its boilerplate paragraph.
func TestStripParagraphsVeryDeep(t *testing.T) {
	cta := "Like and Follow our Facebook page for more stories."
	deep := strings.Repeat("<div>", 3000) + "<p>Story text stays here.</p>" + strings.Repeat("</div>", 3000)
	in := "<p>" + cta + "</p>" + deep
	got := StripParagraphs(in, []string{cta})
	if strings.Contains(got, "Facebook") {
		t.Errorf("boilerplate paragraph kept")
	}
	if !strings.Contains(got, "Story text stays here.") {
		t.Errorf("story text lost: %.300q", got)
	}
	if found := FindBoilerplate([]string{in, "<p>Other story.</p><p>" + cta + "</p>"}, 2); !slices.Equal(found, []string{cta}) {
		t.Errorf("FindBoilerplate = %q, want %q", found, cta)
	}
}

func TestNormalizeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  a\n\tb  ", "a b"},
		{"a\u00a0\u00a0b", "a b"},
		{"Cafe\u0301", "Café"}, // NFC
		{"Keep Case.", "Keep Case."},
		{"", ""},
		{"bad \xff utf8", "bad \uFFFD utf8"},
	}
	for _, tt := range tests {
		if got := NormalizeText(tt.in); got != tt.want {
			t.Errorf("NormalizeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func BenchmarkFindBoilerplate(b *testing.B) {
	var docs []string
	for i, f := range []string{"site-1.html", "site-2.html", "site-3.html"} {
		docs = append(docs, extractFile(b, f, siteURL(i)).Content)
	}
	b.ReportAllocs()
	for b.Loop() {
		FindBoilerplate(docs, 2)
	}
}

func BenchmarkStripParagraphs(b *testing.B) {
	content := extractFile(b, "wordpress.html", wordpressURL).Content
	paras := []string{memberPara, corrPara, "Paragraph that does not occur in the article at all."}
	b.ReportAllocs()
	for b.Loop() {
		StripParagraphs(content, paras)
	}
}

func TestFindBoilerplateCountsARepublishedStoryOnce(t *testing.T) {
	story := `<p>The council voted on Tuesday to close the old bridge for repairs next spring.</p>
<p>Residents will be able to use a temporary ferry service during the works.</p>
<p>The mayor said the decision had not been taken lightly by anyone involved.</p>`
	cta := `<p>Support local journalism: become a member of the Gazette today.</p>`
	other := func(n string) string {
		return `<p>An entirely different story number ` + n + ` about the city and its people.</p>` + cta
	}
	// The same story three times (new guids, an edit) plus two others.
	docs := []string{story + cta, story + `<p>Update: the vote was unanimous.</p>` + cta, story, other("one"), other("two")}
	got := FindBoilerplate(docs, 3)
	if len(got) != 1 || got[0] != NormalizeText("Support local journalism: become a member of the Gazette today.") {
		t.Fatalf("learned %q, want only the call to action", got)
	}
}

// BenchmarkBoilerplateIn learns from 250 stories of eight paragraphs of
// their own and two of furniture, a source's stored window.
func BenchmarkBoilerplateIn(b *testing.B) {
	docs := make([][]string, 250)
	for i := range docs {
		for p := range 8 {
			docs[i] = append(docs[i], fmt.Sprintf("Story %d tells, in its paragraph %d, what happened in the town this week.", i, p))
		}
		docs[i] = append(docs[i], "Subscribe to our newsletter for more local news.", "Follow us on social media for updates every day.")
	}
	b.ReportAllocs()
	for b.Loop() {
		BoilerplateIn(docs, 3)
	}
}
