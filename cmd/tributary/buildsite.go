package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/publish"
)

// siteFiles renders the site serve serves, as files under dir at the
// paths its links point to (pub links pages by path, see
// publish.Options.StaticPaths): DIR/index.html, and for each feed
// DIR/feeds/NAME.{rss,atom,json}, DIR/feeds/NAME/index.html and every
// further page, DIR/feeds/NAME/page/N.{rss,atom,json,html}.
func siteFiles(ctx context.Context, pub *publish.Publisher, dir string) ([]outputFile, error) {
	home, err := pub.RenderIndex(ctx)
	if err != nil {
		return nil, err
	}
	files := []outputFile{{sitePath(dir, pub, pub.IndexURL()), home.Body}}
	for _, f := range pub.Feeds() {
		for _, format := range append(feeds.AllFormats(), publish.HTML) {
			for n := 1; n != 0; {
				r, err := pub.RenderPage(ctx, f.Name, format, n)
				if err != nil {
					return nil, err
				}
				files = append(files, outputFile{sitePath(dir, pub, pub.PageURL(f.Name, format, n)), r.Body})
				n = r.Next
			}
		}
	}
	return files, nil
}

// sitePath is the file under dir that url, a URL of pub's site, names: its
// path below the base URL, index.html for a directory.
func sitePath(dir string, pub *publish.Publisher, url string) string {
	rel := strings.TrimPrefix(url, strings.TrimSuffix(pub.IndexURL(), "/"))
	if strings.HasSuffix(rel, "/") {
		rel += "index.html"
	}
	return filepath.Join(dir, filepath.FromSlash(rel))
}

// ourFile matches, relative to a build's directory, the files a build of
// any configuration writes under feeds/ (feed names are slugs).
var ourFile = regexp.MustCompile(`^feeds/[a-z0-9][a-z0-9_-]*(\.(rss|atom|json)|/index\.html|/page/[1-9][0-9]*\.(rss|atom|json|html))$`)

// removeStale removes from dir what an earlier build wrote that this one
// did not: the pages past a feed's end, the files of a feed no longer
// configured, and the layout of builds before 0.12 (DIR/NAME.EXT for each
// configured feed), which the self links never pointed to. Only files
// of the shapes builds write are removed, and directories left empty by
// that; what cannot be removed stays and is logged.
func removeStale(dir string, files []outputFile, pub *publish.Publisher, log *slog.Logger) {
	keep := make(map[string]bool, len(files))
	for _, f := range files {
		keep[filepath.Clean(f.path)] = true
	}
	var stale, dirs []string
	root := filepath.Join(dir, "feeds")
	_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		switch {
		case d.IsDir():
			dirs = append(dirs, path)
		case d.Type().IsRegular() && !keep[path] && ourFile.MatchString(filepath.ToSlash(rel)):
			stale = append(stale, path)
		}
		return nil
	})
	for _, f := range pub.Feeds() {
		for _, format := range feeds.AllFormats() {
			old := filepath.Join(dir, f.Name+"."+format.Ext())
			if fi, err := os.Lstat(old); err == nil && fi.Mode().IsRegular() && !keep[old] {
				stale = append(stale, old)
			}
		}
	}
	for _, p := range stale {
		if err := os.Remove(p); err != nil {
			log.Warn("build: stale file left in place", slog.String("path", p), slog.Any("error", err))
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- { // deepest first
		if dirs[i] != root {
			_ = os.Remove(dirs[i]) // fails, as wanted, unless empty
		}
	}
}
