package sources

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tributary/tributary/feeds"
)

// siteRewrite is a source's rewriting as an operator writes it: drop the
// share bars and the site's name from titles, put the source's "Read
// more" links in plain text, and try to inject a script.
var siteRewrite = Rewrite{
	Remove: []string{".share", "#comments"},
	Replace: []Replace{
		{Field: "title", Pattern: `\s+[-|]\s+The Ledger$`},
		{Field: " Content", Pattern: `Read more at (\w+)`, With: "More: $1"},
		{Field: "content", Pattern: `</p>`, With: `</p><script>alert(1)</script><img src=x onerror=alert(2)>`},
	},
}

// TestRewriteEverySource: a source's remove selectors and replace rules
// apply to what every kind of source gives (a feed's items, summary and
// content; a scraped listing; an extracted page), before sanitizing, so
// a selector matches classes the sanitizer drops and a rule cannot add
// a script.
func TestRewriteEverySource(t *testing.T) {
	const body = `<p>The story.</p><div class="share"><a href="https://x.example/share">Share</a></div>` +
		`<p>Read more at Ledger</p><div id="comments"><p>A comment</p></div>`
	mux := http.NewServeMux()
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>The Ledger</title>
<item><title>Rents frozen - The Ledger</title><link>https://ledger.example/rents</link>
<description><![CDATA[`+body+`]]></description><content:encoded><![CDATA[`+body+`]]></content:encoded></item>
</channel></rss>`)
	})
	mux.HandleFunc("/list", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<html><body><article><h2>Rents frozen | The Ledger</h2><a href="/rents">more</a><div class="teaser">`+body+`</div></article></body></html>`)
	})
	mux.HandleFunc("/story", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<html><head><title>Rents frozen - The Ledger</title><meta property="og:title" content="Rents frozen - The Ledger"></head><body><article><h1>Rents frozen</h1>`+
			strings.Repeat(`<p>A long enough paragraph of the story so that readability keeps it as the article body text.</p>`, 5)+
			`<div class="share"><p>Share this story with everyone you know on every network there is.</p></div><p>Read more at Ledger</p></article></body></html>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx := context.Background()

	check := func(t *testing.T, what, title string, html ...string) {
		t.Helper()
		if title != "Rents frozen" {
			t.Errorf("%s: title %q, want %q", what, title, "Rents frozen")
		}
		for _, h := range html {
			for _, bad := range []string{"Share", "A comment", "<script", "alert", "onerror", "Read more"} {
				if strings.Contains(h, bad) {
					t.Errorf("%s: %q left in %q", what, bad, h)
				}
			}
			if !strings.Contains(h, "More: Ledger") {
				t.Errorf("%s: replacement missing from %q", what, h)
			}
		}
	}
	t.Run("feed", func(t *testing.T) {
		res, err := Fetch(ctx, srv.Client(), Request{Source: Source{Name: "ledger", URL: srv.URL + "/feed", Rewrite: siteRewrite}})
		if err != nil || len(res.Articles) != 1 {
			t.Fatalf("Fetch: %d articles, %v", len(res.Articles), err)
		}
		a := res.Articles[0]
		check(t, "feed", a.Title, a.Summary, a.Content)
	})
	t.Run("page", func(t *testing.T) {
		res, err := Fetch(ctx, srv.Client(), Request{Source: Source{Name: "ledger", URL: srv.URL + "/list", Kind: KindPage,
			Selectors: Selectors{Item: "article", Summary: ".teaser"}, Rewrite: siteRewrite}})
		if err != nil || len(res.Articles) != 1 {
			t.Fatalf("Fetch: %d articles, %v", len(res.Articles), err)
		}
		a := res.Articles[0]
		check(t, "page", a.Title, a.Summary)
	})
	t.Run("extracted page", func(t *testing.T) {
		res, err := FetchPage(ctx, srv.Client(), PageRequest{URL: srv.URL + "/story", Rewrite: siteRewrite})
		if err != nil {
			t.Fatalf("FetchPage: %v", err)
		}
		check(t, "extracted page", res.Article.Title, res.Article.Content)
	})
	t.Run("without rewriting", func(t *testing.T) {
		res, err := Fetch(ctx, srv.Client(), Request{Source: Source{Name: "ledger", URL: srv.URL + "/feed"}})
		if err != nil || len(res.Articles) != 1 {
			t.Fatalf("Fetch: %d articles, %v", len(res.Articles), err)
		}
		if a := res.Articles[0]; a.Title != "Rents frozen - The Ledger" || !strings.Contains(a.Content, "Share") {
			t.Errorf("an article changed without rules: %+v", a)
		}
	})
	t.Run("invalid rule", func(t *testing.T) {
		bad := Rewrite{Replace: []Replace{{Field: "title", Pattern: "(unclosed"}}}
		if _, err := Fetch(ctx, srv.Client(), Request{Source: Source{Name: "ledger", URL: srv.URL + "/feed", Rewrite: bad}}); err == nil ||
			!strings.Contains(err.Error(), "replace[0]") {
			t.Errorf("Fetch with an invalid rule: %v", err)
		}
	})
}

func TestReplaceCheck(t *testing.T) {
	for _, tt := range []struct {
		r    Replace
		want string // "" when valid
	}{
		{Replace{Field: "title", Pattern: " - Site$"}, ""},
		{Replace{Field: "CONTENT", Pattern: "a", With: "$1"}, ""},
		{Replace{Pattern: "a"}, "field is required"},
		{Replace{Field: "author", Pattern: "a"}, `unknown field "author"`},
		{Replace{Field: "title"}, "pattern is required"},
		{Replace{Field: "title", Pattern: "(a"}, "invalid pattern"},
		{Replace{Field: "title", Pattern: strings.Repeat("a", MaxPatternBytes+1)}, "more than 1024"},
		{Replace{Field: "title", Pattern: "a", With: strings.Repeat("a", MaxWithBytes+1)}, "more than 1024"},
	} {
		err := tt.r.Check()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%+v.Check() = %v, want %q", tt.r, err, tt.want)
		}
	}
	if CheckRemove(".share") != nil || CheckRemove("div[") == nil {
		t.Error("CheckRemove does not tell good selectors from bad ones")
	}
}

// TestReplaceIsBounded: whatever a rule asks, its output stays within the
// bound, and a rule replacing the empty string everywhere ends.
func TestReplaceIsBounded(t *testing.T) {
	big := strings.Repeat("<p>word</p>", maxSanitizeInput/11)
	for _, r := range []Replace{
		{Field: "content", Pattern: "(?s)(.*)", With: strings.Repeat("$1", MaxWithBytes/2)},
		{Field: "content", Pattern: "(?:)", With: strings.Repeat("x", MaxWithBytes)},
		{Field: "content", Pattern: "word", With: strings.Repeat("y", MaxWithBytes)},
	} {
		rw, err := Rewrite{Replace: []Replace{r}}.compile()
		if err != nil {
			t.Fatal(err)
		}
		if out := rw.replaceContent(big); len(out) > maxSanitizeInput {
			t.Errorf("%q: %d bytes, more than %d", r.Pattern, len(out), maxSanitizeInput)
		}
	}
	rw, _ := Rewrite{Replace: []Replace{{Field: "title", Pattern: "x", With: strings.Repeat("long ", 200)}}}.compile()
	if got := rw.rewriteTitle(strings.Repeat("x", 200)); len([]rune(got)) > feeds.MaxTitleRunes {
		t.Errorf("title of %d runes", len([]rune(got)))
	}
}

func TestRewriteBounds(t *testing.T) {
	if _, err := (Rewrite{Remove: make([]string, MaxRemove+1)}).compile(); err == nil {
		t.Error("more than MaxRemove selectors compiled")
	}
	many := make([]Replace, MaxReplace+1)
	for i := range many {
		many[i] = Replace{Field: "title", Pattern: "a"}
	}
	if _, err := (Rewrite{Replace: many}).compile(); err == nil {
		t.Error("more than MaxReplace rules compiled")
	}
}
