package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// outputFile is one file a command publishes: where, and what it holds.
type outputFile struct {
	path string
	body []byte
}

// replacer publishes a set of files all or nothing: after replaceAll either
// every file holds its new content, or (on an error) every file is as it was
// before, and files that did not exist still do not. It works with files in
// subdirectories, which it creates as needed (and removes again on failure).
//
// Each file is replaced with a rename, which is atomic: a process killed at
// any moment leaves each file either its previous or its new version,
// complete, never truncated. The set may then mix the two, and hidden
// ".NAME.tmp-*" files may be left beside the outputs; the next build that
// succeeds brings the set together, and the hidden files are safe to delete
// (build removes them, see removeLeftovers).
//
// The renames and the links that keep the previous versions are fields so
// that a test can make any one of them fail.
type replacer struct {
	rename func(oldpath, newpath string) error
	link   func(oldname, newname string) error
}

// newReplacer returns a replacer working on the real filesystem.
func newReplacer() *replacer {
	return &replacer{rename: os.Rename, link: os.Link}
}

// staged is one file of the set on its way into place.
type staged struct {
	path string
	tmp  string // the new content, until renamed over path
	// backup is a name for the previous version of path, kept until the
	// whole set is in place; empty when path did not exist.
	backup string
	// placed is set once tmp has been renamed over path.
	placed bool
}

// replaceAll writes files all or nothing; see replacer. In order, it
//
//  1. refuses a set in which a target is a directory or is listed twice,
//     before touching anything;
//  2. writes and syncs every new file under a temporary name beside its
//     target, so a full disk or a quota fails here;
//  3. keeps every previous version under a second name (a hard link, or a
//     copy where links are not supported);
//  4. renames each new file over its target; should one rename fail, the
//     files already replaced get their previous version back (again by
//     rename) and those that did not exist are removed.
//
// Temporary files and kept versions are removed in every case, except a
// kept version that could not be put back, which the error names. Errors
// name the target.
func (r *replacer) replaceAll(files []outputFile) (err error) {
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		clean := filepath.Clean(f.path)
		if seen[clean] {
			return fmt.Errorf("replace %s: listed twice", f.path)
		}
		seen[clean] = true
		if err := checkTarget(f.path); err != nil {
			return err
		}
	}
	created, err := makeParents(files)
	defer func() {
		if err != nil {
			for _, d := range slices.Backward(created) {
				os.Remove(d) // only empty ones go
			}
		}
	}()
	if err != nil {
		return err
	}

	set := make([]*staged, 0, len(files))
	defer func() {
		for _, s := range set {
			if !s.placed && s.tmp != "" {
				os.Remove(s.tmp)
			}
			if s.backup != "" {
				os.Remove(s.backup)
			}
		}
	}()
	for _, f := range files {
		tmp, err := writeTemp(f.path, f.body, 0o644)
		if err != nil {
			return err
		}
		set = append(set, &staged{path: f.path, tmp: tmp})
	}
	for _, s := range set {
		if s.backup, err = r.keep(s.path, s.tmp+".old"); err != nil {
			return err
		}
	}
	for i, s := range set {
		if err := r.rename(s.tmp, s.path); err != nil {
			return r.rollback(set[:i], fmt.Errorf("replace %s: %w", s.path, reason(err)))
		}
		s.placed = true
	}
	return nil
}

// checkTarget refuses a target that a file cannot be renamed over: a
// directory (even an empty one; a rename would fail once others are
// replaced).
func checkTarget(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("replace %s: %w", path, reason(err))
	case fi.IsDir():
		return fmt.Errorf("replace %s: a directory is in the way", path)
	}
	return nil
}

// makeParents creates the missing directories the files go into and
// returns those it created, parents first.
func makeParents(files []outputFile) ([]string, error) {
	var created []string
	for _, f := range files {
		var missing []string
		for d := filepath.Dir(f.path); ; d = filepath.Dir(d) {
			if _, err := os.Lstat(d); err == nil || filepath.Dir(d) == d {
				break
			}
			missing = append(missing, d)
		}
		for _, d := range slices.Backward(missing) {
			if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return created, fmt.Errorf("replace %s: %w", f.path, err)
			} else if err == nil {
				created = append(created, d)
			}
		}
	}
	return created, nil
}

// keep gives the current version of path a second name, backup, so that it
// can be put back; it returns backup, or "" when path does not exist. A
// hard link costs nothing and keeps the file itself (owner, mode, inode);
// where links are not supported, the file is copied.
func (r *replacer) keep(path, backup string) (string, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("replace %s: %w", path, reason(err))
	}
	if r.link(path, backup) == nil {
		return backup, nil
	}
	if err := copyFile(path, backup, fi); err != nil {
		os.Remove(backup)
		return "", fmt.Errorf("replace %s: keep the previous version: %w", path, reason(err))
	}
	return backup, nil
}

// copyFile copies the file or symbolic link src, described by fi, to the
// new name dst, with its mode, and syncs it.
func copyFile(src, dst string, fi fs.FileInfo) error {
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("not a regular file (%v)", fi.Mode().Type())
	}
	body, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// rollback undoes the renames of done, the files already in place, newest
// first, and returns cause with any file it could not restore. A previous
// version that cannot be put back stays under its second name, which the
// error gives.
func (r *replacer) rollback(done []*staged, cause error) error {
	errs := []error{cause}
	for _, s := range slices.Backward(done) {
		if s.backup == "" {
			if err := os.Remove(s.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("remove the new %s: %w", s.path, reason(err)))
			}
			continue
		}
		if err := r.rename(s.backup, s.path); err != nil {
			errs = append(errs, fmt.Errorf("restore %s: %w (its previous version is in %s)", s.path, reason(err), s.backup))
			s.backup = "" // keep it for the operator
			continue
		}
		s.backup = ""
	}
	return errors.Join(errs...)
}
