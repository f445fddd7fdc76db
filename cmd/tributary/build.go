package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/internal/opml"
	"github.com/tributary/tributary/internal/publish"
	"github.com/tributary/tributary/internal/redact"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/sqlite"
)

func cmdBuild(ctx context.Context, confPath string, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("build", "build [--config FILE] --out DIR [--base-url URL]", &confPath, stdout, stderr)
	out := fs.String("out", "", "directory to write the site into (created if missing)")
	baseURL := fs.String("base-url", "", "URL the site will be served at, overriding base_url")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return usagef("build needs --out DIR and no arguments")
	}
	if *baseURL != "" {
		if err := config.CheckBaseURL(*baseURL); err != nil {
			return usagef("build: --base-url: invalid URL %q: %v", redact.URL(*baseURL), err)
		}
	}
	// build only reads the store: opened read-only, it never creates an
	// empty database (whose empty feeds would replace the published ones)
	// from a wrong path.
	cfg, st, err := loadReadOnly(ctx, confPath)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	unlock, err := lockDir(*out)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	defer unlock()
	if *baseURL != "" {
		cfg.BaseURL = strings.TrimRight(*baseURL, "/")
	}
	log := newLogger(cfg, stderr)
	opts := publisherOptions(cfg, log, nil, nil)
	opts.StaticPaths, opts.KeepItems = true, true
	pub := publish.New(st, opts)
	// Render everything before writing anything, then replace the whole
	// set or nothing: a failure leaves the previous outputs as they were.
	files, err := siteFiles(ctx, pub, *out)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	changed := changedFeeds(pub, *out, files) // for the WebSub hub
	lists, err := opmlFiles(cfg, pub, *out)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	files = append(files, lists...)
	removeLeftovers(*out, files)
	if err := newReplacer().replaceAll(files); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	removeStale(*out, files, pub, log)
	for _, f := range files {
		fmt.Fprintln(stdout, f.path)
	}
	pingHub(ctx, cfg, pub, changed, stderr)
	return nil
}

// opmlFiles renders DIR/feeds.opml and DIR/sources.opml, the lists serve
// has at /feeds.opml and /sources.opml, without a creation date: a build
// whose configuration did not change writes the same bytes.
func opmlFiles(cfg *config.Config, pub *publish.Publisher, dir string) ([]outputFile, error) {
	var links []opml.FeedLink
	for _, f := range pub.Feeds() {
		links = append(links, opml.FeedLink{Title: cmp.Or(f.Title, f.Name), URL: pub.FeedURL(f.Name, feeds.Atom)})
	}
	var out []outputFile
	for name, doc := range map[string]opml.Document{
		"feeds.opml":   opml.FeedsDocument(cfg.Title, time.Time{}, links),
		"sources.opml": opml.SourcesDocument(cfg.Title+" sources", time.Time{}, opmlSources(cfg)),
	} {
		var b bytes.Buffer
		if err := opml.Write(&b, doc); err != nil {
			return nil, err
		}
		out = append(out, outputFile{filepath.Join(dir, name), b.Bytes()})
	}
	slices.SortFunc(out, func(a, b outputFile) int { return strings.Compare(a.path, b.path) })
	return out, nil
}

// maxTempBase is the most of an output's file name that its temporary
// names repeat: with the dot, ".tmp-", CreateTemp's random number (at most
// 10 digits) and the ".old" of a kept version, they stay within the 255
// bytes a file name may have on common filesystems, as long as the
// output's own name does.
const maxTempBase = 200

// tempPattern is the os.CreateTemp pattern of the temporary files beside
// the output named base: ".BASE.tmp-*", with BASE cut to maxTempBase bytes
// (on a character boundary) so that an output whose name is long but fits
// still gets a temporary name that fits.
func tempPattern(base string) string {
	if len(base) > maxTempBase {
		cut := maxTempBase
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		base = base[:cut]
	}
	return "." + base + ".tmp-*"
}

// leftover is the name of a temporary file of replaceAll (see
// tempPattern), or of a previous version kept beside it: the output's
// (maybe shortened) name, and CreateTemp's random number.
var leftover = regexp.MustCompile(`^\.(.+)\.tmp-[0-9]+(\.old)?$`)

// removeLeftovers removes from the directories of files (all under dir)
// the temporary files and kept versions that a build killed before it
// finished left beside the outputs,
// so they do not pile up with every kill. It runs with the directory's
// lock held (lockDir): no other build's files are in flight. What cannot
// be removed stays, harmless.
func removeLeftovers(dir string, files []outputFile) {
	ours := map[string]map[string]bool{} // by directory
	for _, f := range files {
		d := filepath.Dir(f.path)
		if ours[d] == nil {
			ours[d] = map[string]bool{}
		}
		ours[d][tempPattern(filepath.Base(f.path))] = true
	}
	for d, pats := range ours {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if m := leftover.FindStringSubmatch(e.Name()); m != nil && pats["."+m[1]+".tmp-*"] && e.Type().IsRegular() {
				os.Remove(filepath.Join(d, e.Name()))
			}
		}
	}
}

// writeTemp writes body to a new temporary file beside path, with
// permissions perm, and syncs it, returning its name; renaming it over path then replaces path atomically,
// so readers see either the old file or the new one, never a partial one.
// On error no temporary file is left. Errors name path.
func writeTemp(path string, body []byte, perm os.FileMode) (name string, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), tempPattern(filepath.Base(path)))
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, reason(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(body); err != nil {
		return "", fmt.Errorf("write %s: %w", path, reason(err))
	}
	if err = tmp.Chmod(perm); err != nil {
		return "", fmt.Errorf("write %s: %w", path, reason(err))
	}
	// A full disk may only show at sync or close (delayed allocation).
	if err = tmp.Sync(); err != nil {
		return "", fmt.Errorf("sync %s: %w", path, reason(err))
	}
	if err = tmp.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", path, reason(err))
	}
	return tmp.Name(), nil
}

// reason strips the temporary file's name from err: the operator needs
// the output's name, given by the caller, and why ("no space left on
// device"), not the name of a file that no longer exists.
func reason(err error) error {
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return pe.Err
	}
	if le := (*os.LinkError)(nil); errors.As(err, &le) {
		return le.Err
	}
	return err
}

// changedFeeds returns the feeds whose first page, in any format, files
// would change in dir: what a build has the WebSub hub told of.
func changedFeeds(pub *publish.Publisher, dir string, files []outputFile) []string {
	body := make(map[string][]byte, len(files))
	for _, f := range files {
		body[f.path] = f.body
	}
	var changed []string
	for _, f := range pub.Feeds() {
		for _, format := range feeds.AllFormats() {
			path := filepath.Join(dir, "feeds", f.Name+"."+format.Ext())
			if old, err := os.ReadFile(path); err != nil || !bytes.Equal(old, body[path]) {
				changed = append(changed, f.Name)
				break
			}
		}
	}
	return changed
}

// loadReadOnly loads the configuration and opens its store read-only,
// for a command that only reads it: it works on a read-only file or
// directory, and beside a running serve.
func loadReadOnly(ctx context.Context, confPath string) (*config.Config, store.Store, error) {
	cfg, err := loadConfig(confPath)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStoreReadOnly(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, st, nil
}

// openStoreReadOnly opens the configured store for a command that only
// reads it. PostgreSQL has no read-only mode here: its permissions are the
// server's business.
func openStoreReadOnly(ctx context.Context, cfg *config.Config) (store.Store, error) {
	if cfg.Storage.Driver == "" || cfg.Storage.Driver == "sqlite" {
		return sqlite.OpenReadOnly(ctx, cfg.Storage.DSN)
	}
	return openStore(ctx, cfg)
}
