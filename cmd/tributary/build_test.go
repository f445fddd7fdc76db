package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	slashpath "path"
	"path/filepath"
	"testing"
	"time"
)

// TestKillNineBuildLeavesOldOrNew kills `tributary build` with SIGKILL at
// many points of its work, each time over the previous outputs: every
// output must then be its previous or its new version, byte for byte, and
// nothing else may be left but the hidden temporary files docs/operations.md
// mentions.
func TestKillNineBuildLeavesOldOrNew(t *testing.T) {
	bin := tributaryBinary(t)
	p := newBuildProject(t, reader{})
	p.addLateStory(t)
	// The new versions, from a build left to finish (a build's output
	// depends on the store only).
	ref := filepath.Join(t.TempDir(), "ref")
	g := newGrowingFeed() // unused: build fetches nothing
	run := runAndKill(t, bin, g, killPlan{from: fromStart, delay: time.Minute}, "--config", p.conf, "build", "--out", ref)
	if run.killed {
		t.Fatal("build did not finish within a minute")
	}
	after := readDir(t, ref)
	changing := 0 // outputs whose new version differs: the small feed's
	for name, b := range after {
		prev, ok := p.before[name]
		if !ok {
			t.Fatalf("the new build wrote %s, which the first did not", name)
		}
		if !bytes.Equal(b, prev) {
			changing++
		}
	}
	if changing == 0 || changing == len(after) {
		t.Fatalf("%d of %d outputs change: the test needs some that do and some that do not", changing, len(after))
	}
	whole := run.elapsed

	const iterations = 16
	rng := rand.New(rand.NewPCG(2026, 7))
	var untouched, mixed, complete, leftovers int
	for it := range iterations {
		// Start from the previous outputs every time.
		for name, b := range p.before {
			if err := os.WriteFile(filepath.Join(p.out, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		delay := time.Duration((0.2 + 1.0*rng.Float64()) * float64(whole))
		run := runAndKill(t, bin, g, killPlan{from: fromStart, delay: delay}, "--config", p.conf, "build", "--out", p.out)
		replaced := 0
		for name, b := range readDir(t, p.out) {
			m := leftover.FindStringSubmatch(slashpath.Base(name))
			switch {
			case m != nil && p.before[slashpath.Join(slashpath.Dir(name), m[1])] != nil:
				leftovers++
				if !run.killed {
					t.Errorf("run %d finished and left %s", it, name)
				}
				os.Remove(filepath.Join(p.out, name))
			case p.before[name] == nil:
				t.Errorf("run %d left %s", it, name)
			case bytes.Equal(b, p.before[name]):
			case bytes.Equal(b, after[name]):
				replaced++
			default:
				t.Errorf("run %d (killed %v after %v): %s is neither its previous nor its new version (%d bytes)", it, run.killed, delay, name, len(b))
			}
		}
		switch {
		case !run.killed && replaced != changing:
			t.Errorf("run %d finished with %d of the %d changed outputs replaced", it, replaced, changing)
		case replaced == 0:
			untouched++
		case replaced == changing:
			complete++
		default:
			mixed++
		}
		if run.killed {
			whole += whole / 12 // until a run finishes, kills move later
		} else {
			whole = run.elapsed
		}
	}
	t.Logf("%d runs left the previous outputs, %d a mix, %d the new ones; %d hidden temporary files left by kills",
		untouched, mixed, complete, leftovers)
}
