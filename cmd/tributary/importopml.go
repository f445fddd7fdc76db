package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/opml"
	"github.com/tributary/tributary/internal/redact"
)

// cmdImportOPML adds the feeds of an OPML file (a feed reader's export)
// as sources, in one edit of the configuration file (see writeSources).
func cmdImportOPML(confPath string, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import-opml", "import-opml [--config FILE] [--dry-run] FILE", &confPath, stdout, stderr)
	dryRun := fs.Bool("dry-run", false, "print what would be added and skipped; write nothing")
	rest, err := flagsAnywhere(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return usagef("import-opml needs one OPML file")
	}
	file := rest[0]
	f, err := os.Open(file)
	if err != nil {
		return usagef("import-opml: %v", err)
	}
	found, skippedTypes, err := opml.Read(f)
	f.Close()
	if err != nil {
		return usagef("import-opml: %s: %v", file, err)
	}
	data, cfg, err := loadForEdit(confPath)
	if err != nil {
		return err
	}
	add, skipped := planImport(cfg, found)
	for _, s := range skippedTypes {
		skipped = append(skipped, fmt.Sprintf("%s:%d: %s: %s", file, s.Line, s.Text, s.Reason))
	}
	verb := "added"
	if *dryRun {
		verb = "would add"
	} else if len(add) > 0 {
		if _, err := writeSources(confPath, data, add); err != nil {
			return err
		}
	}
	for _, s := range add {
		line := fmt.Sprintf("%s %s %s", verb, s.Name, redact.URL(s.URL))
		if len(s.Tags) > 0 {
			line += " [" + strings.Join(s.Tags, ", ") + "]"
		}
		fmt.Fprintln(stdout, printable(line))
	}
	// The file's text may carry line breaks and terminal controls.
	for _, s := range skipped {
		fmt.Fprintln(stdout, "skipped", printable(s))
	}
	fmt.Fprintf(stdout, "%s %d sources to %s, skipped %d\n", verb, len(add), confPath, len(skipped))
	return nil
}

// planImport turns the feeds of an OPML file into sources to add to cfg:
// folders become tags (slugged), titles become unique names; a feed whose
// URL cfg already has, or an earlier feed of the file has, is skipped,
// and so is one without an http(s) URL. skipped says why, one line each.
func planImport(cfg *config.Config, found []opml.Feed) (add []config.NewSource, skipped []string) {
	names := cfg.Names()
	existing := make(map[string]string, len(cfg.Sources)) // URL key: name
	for _, s := range cfg.Sources {
		existing[config.URLKey(s.URL)] = s.Name
	}
	seen := map[string]int{} // URL key: line
	for _, f := range found {
		u := redact.URL(f.XMLURL)
		key := config.URLKey(f.XMLURL)
		if !httpURL(f.XMLURL) {
			skipped = append(skipped, fmt.Sprintf("line %d: %s: not an http(s) URL", f.Line, u))
			continue
		}
		if line, dup := seen[key]; dup {
			skipped = append(skipped, fmt.Sprintf("line %d: %s: same URL as line %d", f.Line, u, line))
			continue
		}
		if name, ok := existing[key]; ok {
			skipped = append(skipped, fmt.Sprintf("line %d: %s: already source %q", f.Line, u, name))
			continue
		}
		seen[key] = f.Line
		var tags []string
		for _, folder := range f.Folders {
			if t := config.Slug(folder); t != "" && !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
		add = append(add, config.NewSource{Name: sourceName(names, f.Title, f.XMLURL), URL: f.XMLURL, Tags: tags})
	}
	return add, skipped
}
