package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/internal/pipeline"
	"github.com/tributary/tributary/internal/redact"
	"github.com/tributary/tributary/sources"
)

// previewSource names the previewed source: its articles' source.
const previewSource = "preview"

// Bounds of what preview prints of one article's remote text.
const (
	previewContentRunes = 200
	previewBioRunes     = 300
	previewLineRunes    = 200
	// previewListed is how many articles one warning names.
	previewListed = 10
)

func cmdPreview(ctx context.Context, confPath string, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("preview", "preview [--config FILE] [--fulltext] [--kind page --selector KEY=CSS...] [--json] URL|FILE", &confPath, stdout, stderr)
	fulltext := fs.Bool("fulltext", false, "read each article's page for its full text, author and image (as a source with fulltext: true)")
	kind := fs.String("kind", sources.KindFeed, "feed (a feed, or a page that advertises one) or page (a listing scraped with --selector)")
	var sel sources.Selectors
	fs.Var(&selectorFlag{sel: &sel}, "selector", "`KEY=CSS` for --kind page, repeated; keys: "+strings.Join(selectorKeys(), ", ")+" (CSS@attr reads an attribute)")
	asJSON := fs.Bool("json", false, "print the articles as JSON Feed 1.1 (the warnings go to stderr)")
	rest, err := flagsAnywhere(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("preview takes one URL or file (got %d arguments)", len(rest))
	}
	target, err := previewTarget(rest[0])
	if err != nil {
		return err
	}
	src, err := previewSourceOf(target, *kind, sel, *fulltext)
	if err != nil {
		return err
	}
	cfg, err := previewConfig(confPath)
	if err != nil {
		return err
	}
	// Previewing a configured source's URL sends what that source sends:
	// its headers (a token the site wants), User-Agent and timeout.
	for _, c := range cfg.Sources {
		if c.URL == src.URL {
			src.Headers, src.UserAgent, src.Timeout = c.Headers, c.UserAgent, c.Timeout
			break
		}
	}
	client := newFetcher(cfg, newLogger(cfg, stderr))
	defer client.Close()
	// The runner gets no Store: a preview stores nothing, and opens no
	// database.
	runner := &pipeline.Runner{Doer: client}
	psrc := pipelineSource(cfg, src)
	p, err := runner.Preview(ctx, psrc)
	var noItems *sources.NoItemsError
	switch {
	case errors.As(err, &noItems):
		// The page was fetched: a selector that matched nothing is what
		// a preview is for.
	case err != nil:
		// The reason may quote the document: printed as remote text.
		fmt.Fprintln(stderr, "tributary: preview:", shown(err.Error(), 0))
		return errSilentFailure
	}
	warnings := previewWarnings(psrc, p, noItems)
	if *asJSON {
		b, err := feeds.RenderJSON(feeds.Feed{
			Title: p.Fetch.Title, Link: p.Fetch.Link, ID: p.Fetch.URL,
			Generator: "Tributary " + version, Items: p.Articles,
		})
		if err != nil {
			return fmt.Errorf("preview: %w", err)
		}
		if _, err := stdout.Write(append(b, '\n')); err != nil {
			return err
		}
		printWarnings(stderr, warnings)
		return nil
	}
	printPreview(stdout, target, psrc, p)
	if len(warnings) == 0 {
		fmt.Fprintln(stdout, "\nNo warnings.")
	}
	printWarnings(stdout, warnings)
	return nil
}

// previewTarget returns what the argument of preview names: an http(s)
// URL as it is, or a local file (a path, relative to the working
// directory, or a file: URL) as an absolute path.
func previewTarget(arg string) (string, error) {
	s := strings.TrimSpace(arg)
	if scheme, _, ok := strings.Cut(s, "://"); ok && !strings.EqualFold(scheme, "file") {
		u, err := url.Parse(s)
		switch {
		case err != nil:
			return "", usagef("preview: invalid URL %q: %v", redact.URL(s), config.URLParseReason(s, err))
		case u.Scheme != "http" && u.Scheme != "https":
			return "", usagef("preview: invalid URL %q: unsupported scheme %q (want http, https or a file)", redact.URL(s), u.Scheme)
		case u.Hostname() == "":
			return "", usagef("preview: invalid URL %q: missing host", redact.URL(s))
		}
		// url.Parse lowers the scheme; the rest stays as typed.
		return u.Scheme + s[len(scheme):], nil
	}
	if strings.HasPrefix(strings.ToLower(s), "file:") {
		u, err := url.Parse(s)
		if err != nil || u.Host != "" && u.Host != "localhost" {
			return "", usagef("preview: invalid file URL %q: want file:///PATH", redact.URL(s))
		}
		s = u.Path
	}
	abs, err := filepath.Abs(s)
	if err != nil {
		return "", fmt.Errorf("preview: %w", err)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("preview: local file %s does not exist (a URL starts with http:// or https://)", abs)
	case err != nil:
		return "", fmt.Errorf("preview: %w", err)
	case fi.IsDir():
		return "", fmt.Errorf("preview: %s is a directory, not a feed or a page", abs)
	}
	return abs, nil
}

// previewSourceOf is the source preview reads: target read as kind with
// sel, with full text when fulltext is set. A kind or selectors a source
// could not have are usage errors.
func previewSourceOf(target, kind string, sel sources.Selectors, fulltext bool) (config.Source, error) {
	kind = strings.ToLower(strings.TrimSpace(kind))
	switch kind {
	case sources.KindFeed:
		if sel != (sources.Selectors{}) {
			return config.Source{}, usagef("preview: --selector needs --kind page")
		}
	case sources.KindPage:
		if strings.TrimSpace(sel.Item) == "" {
			return config.Source{}, usagef("preview: --kind page needs --selector item=CSS (the element of each article)")
		}
		if err := sel.Check(); err != nil {
			return config.Source{}, usagef("preview: --selector: %v", strings.TrimPrefix(err.Error(), "scrape: "))
		}
	default:
		return config.Source{}, usagef("preview: unknown --kind %q: want feed or page", kind)
	}
	return config.Source{Name: previewSource, URL: target, Kind: kind, Selectors: sel, FullText: fulltext, Enabled: true}, nil
}

// previewConfig returns the configuration whose fetch settings preview
// uses: the file at confPath, or the defaults when it is the default path
// and there is no such file.
func previewConfig(confPath string) (*config.Config, error) {
	if confPath == defaultConf {
		if _, err := os.Stat(confPath); errors.Is(err, os.ErrNotExist) {
			return config.Defaults(), nil
		}
	}
	return loadConfig(confPath)
}

// selectorFlag is the repeated --selector KEY=CSS: KEY is a field of
// sources.Selectors, lowercased, as in config.yaml.
type selectorFlag struct{ sel *sources.Selectors }

// selectorKeys returns the keys of sources.Selectors, in its order.
func selectorKeys() []string {
	t := reflect.TypeFor[sources.Selectors]()
	keys := make([]string, t.NumField())
	for i := range keys {
		if t.Field(i).Type.Kind() != reflect.String {
			panic("sources.Selectors has a field that is not a string: " + t.Field(i).Name)
		}
		keys[i] = strings.ToLower(t.Field(i).Name)
	}
	return keys
}

func (f *selectorFlag) String() string { return "" }

func (f *selectorFlag) Set(s string) error {
	key, css, ok := strings.Cut(s, "=")
	key = strings.ToLower(strings.TrimSpace(key))
	if !ok || strings.TrimSpace(css) == "" {
		return fmt.Errorf("want KEY=CSS, like item=article.post")
	}
	v := reflect.ValueOf(f.sel).Elem()
	for i, k := range selectorKeys() {
		if k != key {
			continue
		}
		if v.Field(i).String() != "" {
			return fmt.Errorf("selector %s given twice", key)
		}
		v.Field(i).SetString(strings.TrimSpace(css))
		return nil
	}
	return fmt.Errorf("unknown selector key %q (want %s)", key, strings.Join(selectorKeys(), ", "))
}

// printPreview prints p, what preview read at target, one block per
// article.
func printPreview(w io.Writer, target string, src pipeline.Source, p pipeline.Preview) {
	pf := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	pf("Source:   %s\n", shown(redact.URL(target), 0))
	if p.Fetch.FeedURL != "" {
		pf("Feed:     %s (advertised by the page)\n", shown(redact.URL(p.Fetch.FeedURL), 0))
	}
	if p.Fetch.Title != "" {
		pf("Title:    %s\n", shown(p.Fetch.Title, previewLineRunes))
	}
	if p.Fetch.Link != "" {
		pf("Link:     %s\n", shown(p.Fetch.Link, 0))
	}
	line := fmt.Sprintf("Articles: %d", len(p.Articles))
	if src.FullText {
		line += fmt.Sprintf(" (full text: %d pages extracted, %d failed)", p.Pages, p.PageErrors)
	}
	pf("%s\n", line)
	for i, a := range p.Articles {
		pf("\n%d. %s\n", i+1, cmp.Or(shown(a.Title, previewLineRunes), "(no title)"))
		field := func(name, value string) {
			if value != "" {
				pf("   %-10s %s\n", name+":", value)
			}
		}
		field("link", cmp.Or(shown(a.Link, 0), "(none)"))
		field("published", previewDate(a.Published))
		field("updated", previewDate(a.Updated))
		if a.Published.IsZero() && a.Updated.IsZero() {
			field("date", "(none)")
		}
		for _, au := range a.Authors {
			name := shown(cmp.Or(au.Name, au.Email), previewLineRunes)
			if au.URL != "" {
				name += " <" + shown(au.URL, 0) + ">"
			}
			field("author", name)
			field("  bio", shown(au.Bio, previewBioRunes))
		}
		if im := a.Image; im != nil {
			s := shown(im.URL, 0)
			if im.Width > 0 && im.Height > 0 {
				s += fmt.Sprintf(" (%d×%d)", im.Width, im.Height)
			}
			field("image", s)
			field("  caption", shown(im.Caption, previewLineRunes))
			field("  credit", shown(im.Credit, previewLineRunes))
		}
		if len(a.Categories) > 0 {
			field("tags", shown(strings.Join(feeds.CategoryTerms(a.Categories), ", "), previewLineRunes))
		}
		text, what := feeds.PlainText(a.Content), "content"
		if text == "" {
			text, what = feeds.PlainText(a.Summary), "summary"
		}
		if text == "" {
			field("content", "(none)")
		} else {
			field(what, fmt.Sprintf("(%d characters) %s", utf8.RuneCountInString(text), shown(text, previewContentRunes)))
		}
		if pg := a.Page; pg != nil {
			switch {
			case pg.Error != "":
				field("page", "failed (see the warnings)")
			case !pg.ExtractedAt.IsZero():
				field("page", "extracted")
			}
		}
	}
}

// previewWarnings returns what preview warns of in p, read from src:
// noItems is set when a page's item selector matched nothing.
func previewWarnings(src pipeline.Source, p pipeline.Preview, noItems *sources.NoItemsError) []string {
	var ws []string
	if noItems != nil {
		return []string{fmt.Sprintf("selector item %q matched nothing: no articles (a source like this one fails each fetch)", shown(noItems.Selector, previewLineRunes))}
	}
	for _, key := range p.Fetch.Unmatched {
		v := reflect.ValueOf(src.Selectors).FieldByNameFunc(func(n string) bool { return strings.ToLower(n) == key })
		ws = append(ws, fmt.Sprintf("selector %s %q matched nothing in any item: no article gets its %s from it", key, shown(v.String(), previewLineRunes), key))
	}
	if len(p.Articles) == 0 {
		ws = append(ws, "the document lists no articles")
	}
	if p.Fetch.Capped {
		ws = append(ws, fmt.Sprintf("the document lists more than %d articles: a source keeps the first %d of each fetch (fetch.max_items_per_source), the rest are left out", len(p.Fetch.Articles), len(p.Fetch.Articles)))
	}
	for _, d := range p.Fetch.Dropped {
		ws = append(ws, "JSON Feed field dropped (a type no repair could fix): "+shown(d, previewLineRunes))
	}
	var undated, teasers []int
	teaser := make(map[string]bool, len(p.Teasers))
	for _, id := range p.Teasers {
		teaser[id] = true
	}
	for i, a := range p.Articles {
		if a.Published.IsZero() && a.Updated.IsZero() {
			undated = append(undated, i)
		}
		if teaser[a.ID] {
			teasers = append(teasers, i)
		}
	}
	ws = appendListed(ws, undated, "no date: the feeds sort it by when Tributary first fetched it, and readers may show it as new", nil)
	var relative []int
	for i, a := range p.Articles {
		if _, ok := p.Fetch.RelativeLinks[a.ID]; ok {
			relative = append(relative, i)
		}
	}
	ws = appendListed(ws, relative, "relative link (RSS wants absolute ones; another reader may resolve it differently)", func(i int) string {
		a := p.Articles[i]
		return fmt.Sprintf("%q resolved against the document to %s", shown(p.Fetch.RelativeLinks[a.ID], previewLineRunes), shown(a.Link, 0))
	})
	ws = appendListed(ws, teasers, fmt.Sprintf("only a teaser (less than %d characters of text): --fulltext would read its page", pipeline.TeaserRunes), nil)
	var failed []int
	for i, a := range p.Articles {
		if a.Page != nil && a.Page.Error != "" {
			failed = append(failed, i)
		}
	}
	ws = appendListed(ws, failed, "page not extracted: the feed's text is kept", func(i int) string {
		s := shown(p.Articles[i].Page.Error, 0)
		if strings.Contains(s, fetch.ErrBlockedAddress.Error()) {
			s += " (set " + pipeline.AllowPrivateNetworksKey + ": true to allow)"
		}
		return s
	})
	if p.PagesDeferred+p.LeftOut > 0 {
		ws = append(ws, fmt.Sprintf("text budget of one run spent (%d bytes): %d pages put off to the next run, %d stories left out", feeds.MaxSourceRunBytes, p.PagesDeferred, p.LeftOut))
	}
	return ws
}

// appendListed appends to ws one warning per article of idx (indexes of
// the previewed articles), about what, with detail(i) when detail is set;
// past previewListed articles, one warning counts the rest.
func appendListed(ws []string, idx []int, what string, detail func(int) string) []string {
	for n, i := range idx {
		if n == previewListed {
			ws = append(ws, fmt.Sprintf("%d more like it: %s", len(idx)-n, what))
			break
		}
		s := fmt.Sprintf("article %d: %s", i+1, what)
		if detail != nil {
			s += ": " + detail(i)
		}
		ws = append(ws, s)
	}
	return ws
}

// printWarnings prints the warnings, counted, after the articles.
func printWarnings(w io.Writer, ws []string) {
	if len(ws) == 0 {
		return
	}
	fmt.Fprintf(w, "\nWarnings (%d):\n", len(ws))
	for _, s := range ws {
		fmt.Fprintf(w, "  - %s\n", s)
	}
}

// shown is remote text s made safe to print on one terminal line: its
// whitespace collapsed, control characters (escape sequences) and bidi
// controls replaced, cut to n runes (n 0: not cut).
func shown(s string, n int) string {
	s = printable(strings.Join(strings.Fields(s), " "))
	if n > 0 {
		s = feeds.TruncateRunes(s, n)
	}
	return s
}

// previewDate prints t in UTC, "" when zero.
func previewDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
