package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/fetch"
	"github.com/tributary/tributary/internal/redact"
	"github.com/tributary/tributary/sources"
)

// cmdAdd appends one source to the configuration file (see writeSources):
// the URL is fetched first, so that a page advertising a feed adds the
// feed, and the name defaults to a slug of the feed's title.
func cmdAdd(ctx context.Context, confPath string, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("add", "add [--config FILE] [--name NAME] [--tags a,b] [--fulltext] [--no-fetch] URL", &confPath, stdout, stderr)
	name := fs.String("name", "", "the source's name (default: a slug of the feed's title)")
	tags := fs.String("tags", "", "comma-separated tags")
	fullText := fs.Bool("fulltext", false, "fetch each story's page and extract the full article")
	noFetch := fs.Bool("no-fetch", false, "add the URL as given without fetching it (needs --name)")
	rest, err := flagsAnywhere(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return usagef("add needs one URL")
	}
	rawURL := strings.TrimSpace(rest[0])
	if !httpURL(rawURL) {
		return usagef("add: %s is not an http(s) URL (add a local file by editing %s)", redact.URL(rawURL), confPath)
	}
	if *noFetch && *name == "" {
		return usagef("add --no-fetch needs --name: there is no title to name the source after")
	}
	data, cfg, err := loadForEdit(confPath)
	if err != nil {
		return err
	}
	if err := notAdded(cfg, rawURL, *name); err != nil {
		return err
	}
	var title string
	if !*noFetch {
		client := newFetcher(cfg, newLogger(cfg, stderr))
		defer client.Close()
		// The URL typed may be on a non-public address, as a configured
		// source's may (its origin is allowed, and nothing else is).
		doer := client.For(fetch.Policy{AllowedOrigins: []string{rawURL}})
		res, err := sources.Fetch(ctx, doer, sources.Request{Source: sources.Source{Name: "add", URL: rawURL, MaxItems: 1}})
		if err != nil {
			return fmt.Errorf("add: %w (--no-fetch --name NAME adds it anyway)", err)
		}
		if res.FeedURL != "" {
			fmt.Fprintln(stdout, printable(fmt.Sprintf("%s is a web page; adding the feed it advertises: %s", redact.URL(rawURL), redact.URL(res.FeedURL))))
			rawURL = res.FeedURL
			if err := notAdded(cfg, rawURL, ""); err != nil {
				return err
			}
		}
		title = res.Title
	}
	n := *name
	if n == "" {
		n = sourceName(cfg.Names(), title, rawURL)
	}
	src := config.NewSource{Name: n, URL: rawURL, Tags: splitTags(*tags), FullText: *fullText}
	if _, err := writeSources(confPath, data, []config.NewSource{src}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, printable(fmt.Sprintf("added source %q (%s) to %s; `kill -HUP` reloads a running daemon (serve --watch reloads by itself)", n, redact.URL(rawURL), confPath)))
	return nil
}

// notAdded refuses a URL cfg already has (compared as the duplicate-URL
// warning compares them) and a name it already uses.
func notAdded(cfg *config.Config, rawURL, name string) error {
	if s, ok := cfg.SourceByURL(rawURL); ok {
		return usagef("add: %s is already source %q", redact.URL(rawURL), s.Name)
	}
	if _, ok := cfg.Source(name); ok && name != "" {
		return usagef("add: there is already a source named %q", name)
	}
	return nil
}
