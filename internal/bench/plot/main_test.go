package main

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const results = "store\tsources\tbaseline_wall_s\tfull_wall_s\tnote\n" +
	"sqlite\t100\t0.3\t1.2\tx\n" +
	"sqlite\t1000\t2.5\t11.7\tx\n" +
	"sqlite\t10000\t\t137\tbaseline missing\n"

// TestPlotWritesPNG: the PNG decodes, has the documented size, and shows
// each series' colour (a line was drawn).
func TestPlotWritesPNG(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "r.tsv"), filepath.Join(dir, "p.png")
	if err := os.WriteFile(in, []byte(results), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(in, out, []string{"baseline_wall_s", "full_wall_s"}, "cycle time"); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != Width || b.Dy() != Height {
		t.Fatalf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), Width, Height)
	}
	for i := range 2 {
		want := palette[i]
		found := 0
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				if uint8(r>>8) == want.R && uint8(g>>8) == want.G && uint8(bl>>8) == want.B {
					found++
				}
			}
		}
		if found < 300 { // legend square 144, two markers 162, then the line
			t.Errorf("series %d: %d pixels of its colour, want a drawn line", i, found)
		}
	}
}

func TestReadSeriesSkipsEmptyCells(t *testing.T) {
	ss, err := readSeries(strings.NewReader(results), []string{"baseline_wall_s", "full_wall_s"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || ss[0].name != "baseline" || len(ss[0].points) != 2 || len(ss[1].points) != 3 {
		t.Fatalf("series: %+v", ss)
	}
	two := results + "postgres\t100\t0.3\t2.0\tx\n"
	ss, err = readSeries(strings.NewReader(two), []string{"full_wall_s"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || ss[0].name != "full (sqlite)" || ss[1].name != "full (postgres)" {
		t.Fatalf("two stores: %+v", ss)
	}
	if _, err := readSeries(strings.NewReader(results), []string{"nope"}); err == nil {
		t.Error("a missing column was not refused")
	}
}

// TestTickLabels: ticks are labelled with their step's decimals, never
// with the error of adding the step up (0.15000000000000002).
func TestTickLabels(t *testing.T) {
	for _, tc := range []struct {
		max  float64
		want []string
	}{
		{0.141, []string{"0", "0.02", "0.04", "0.06", "0.08", "0.10", "0.12", "0.14", "0.16"}},
		{0.35, []string{"0", "0.05", "0.10", "0.15", "0.20", "0.25", "0.30", "0.35"}},
		{137, []string{"0", "20", "40", "60", "80", "100", "120", "140"}},
		{10000, []string{"0", "2000", "4000", "6000", "8000", "10000"}},
	} {
		step := niceStep(tc.max)
		top := math.Max(step, math.Ceil(tc.max/step)*step) // as plot rounds the axis
		var got []string
		for _, v := range ticks(top, step) {
			got = append(got, tickLabel(v, step))
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("ticks up to %g (step %g): %q, want %q", tc.max, step, got, tc.want)
		}
	}
}
