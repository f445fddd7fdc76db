package schema

import (
	"sort"
	"time"
)

// Applied is a migration a database records as applied (its
// schema_migrations row).
type Applied struct {
	Version int
	Name    string
	// At is when it was applied, in UTC; zero when not recorded.
	At time.Time
}

// Status is one migration as a database has it: every migration this
// program knows, applied or pending, and every one the database records
// that this program does not know (applied by a newer Tributary).
type Status struct {
	Version int
	Name    string
	// Applied says whether the database records it, at AppliedAt.
	Applied   bool
	AppliedAt time.Time
	// Known says whether this program has it; an unknown migration is
	// always applied.
	Known bool
}

// Statuses is the status of every migration of a database, by version.
type Statuses []Status

// Compare returns the status of each migration of known (as Load returns
// them) against applied (in any order), ordered by version: the known
// ones, applied or pending, then those applied that known lacks. A name
// differs only when a version was renamed; the database's name is kept for
// those it applied.
func Compare(known []Migration, applied []Applied) Statuses {
	byVersion := make(map[int]Applied, len(applied))
	for _, a := range applied {
		byVersion[a.Version] = a
	}
	out := make(Statuses, 0, len(known)+len(applied))
	for _, m := range known {
		s := Status{Version: m.Version, Name: m.Name, Known: true}
		if a, ok := byVersion[m.Version]; ok {
			s.Applied, s.AppliedAt = true, a.At
			delete(byVersion, m.Version)
		}
		out = append(out, s)
	}
	for _, a := range byVersion {
		out = append(out, Status{Version: a.Version, Name: a.Name, Applied: true, AppliedAt: a.At})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out
}

// Current returns the highest applied version, 0 when none is.
func (ss Statuses) Current() int {
	v := 0
	for _, s := range ss {
		if s.Applied && s.Version > v {
			v = s.Version
		}
	}
	return v
}

// Latest returns the highest version this program knows, 0 when none.
func (ss Statuses) Latest() int {
	v := 0
	for _, s := range ss {
		if s.Known && s.Version > v {
			v = s.Version
		}
	}
	return v
}

// Pending returns the known migrations not applied, by version.
func (ss Statuses) Pending() []Status {
	var out []Status
	for _, s := range ss {
		if s.Known && !s.Applied {
			out = append(out, s)
		}
	}
	return out
}

// Unknown returns the applied migrations this program does not know: the
// database was migrated by a newer Tributary, whose schema this program
// must not use.
func (ss Statuses) Unknown() []Status {
	var out []Status
	for _, s := range ss {
		if !s.Known {
			out = append(out, s)
		}
	}
	return out
}
