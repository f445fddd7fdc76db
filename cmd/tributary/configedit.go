package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/opml"
)

// standIn is the source loadForEdit adds to read a file that has none.
var standIn = config.NewSource{Name: "stand-in", URL: "https://stand-in.invalid/feed"}

// loadForEdit reads the configuration file that add and import-opml
// edit, and the Config it loads as. A file whose only problem is that it
// lists no source yet is accepted (its Config has no sources): adding
// one is how it becomes valid; so is a ${VAR} unset here, which the
// daemon's environment sets (config.ParseForEdit). Any other problem is a usage error that
// points at its line.
func loadForEdit(path string) ([]byte, *config.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read config: %w", err)
	}
	cfg, perr := config.ParseForEdit(data, path)
	if perr == nil {
		return data, cfg, nil
	}
	if _, c, err := config.AddSources(data, path, []config.NewSource{standIn}); err == nil && len(c.Sources) == 1 {
		c.Sources = nil
		return data, c, nil
	}
	return nil, nil, usagef("%s", strings.TrimSpace(perr.Error()))
}

// writeSources adds srcs to the configuration file at path, which held
// data when read: the edited text is validated first (config.AddSources)
// and replaces the file atomically, with its mode and owner kept; an invalid result
// is a usage error with the configuration's messages, and the file is
// left as it was. A file changed since it was read is not overwritten,
// also when another edit is replacing it at the same moment (lockFile).
func writeSources(path string, data []byte, srcs []config.NewSource) (*config.Config, error) {
	out, cfg, err := config.AddSources(data, path, srcs)
	if err != nil {
		var errs config.Errors
		if errors.As(err, &errs) {
			return nil, usagef("the configuration would be invalid, nothing was written:\n%s", strings.TrimSpace(err.Error()))
		}
		return nil, fmt.Errorf("edit %s: %w", path, err)
	}
	// Replace the file a symbolic link points to, not the link.
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("edit %s: %w", path, err)
	}
	info, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("edit %s: %w", path, err)
	}
	tmp, err := writeTemp(real, out, info.Mode().Perm())
	if err != nil {
		return nil, err
	}
	if err := keepOwner(tmp, info); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("edit %s: %w", path, err)
	}
	unlock, err := lockFile(real)
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("edit %s: %w", path, err)
	}
	defer unlock()
	now, err := os.ReadFile(real)
	if err != nil || !bytes.Equal(now, data) {
		os.Remove(tmp)
		return nil, fmt.Errorf("edit %s: the file changed while it was being edited; run the command again", path)
	}
	if err := os.Rename(tmp, real); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("edit %s: %w", path, reason(err))
	}
	return cfg, nil
}

// splitTags reads a --tags value: comma-separated, spaces trimmed.
func splitTags(s string) []string {
	var tags []string
	for t := range strings.SplitSeq(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

// httpURL reports whether raw is an absolute http(s) URL with a host.
func httpURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// sourceName is the name of a new source titled title at rawURL: the
// title's slug, else the host's, made unique by names.
func sourceName(names *config.Names, title, rawURL string) string {
	base := config.Slug(title)
	if base == "" {
		if u, err := url.Parse(rawURL); err == nil {
			base = config.Slug(strings.TrimPrefix(u.Hostname(), "www."))
		}
	}
	if base == "" {
		base = "source"
	}
	return names.Unique(base)
}

// opmlSources are cfg's enabled sources as /sources.opml and build list
// them.
func opmlSources(cfg *config.Config) []opml.Source {
	var out []opml.Source
	for _, s := range enabledSources(cfg) {
		out = append(out, opml.Source{Name: s.Name, URL: s.URL, Tags: s.Tags})
	}
	return out
}
