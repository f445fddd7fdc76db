// Command plot draws the benchmark's results (.ci/bench --results) as a
// PNG line plot of seconds against sources: one line per chosen column
// and store, so that linear growth shows as a straight line through the
// origin. Standard library only (image/png and a built-in 5x7 font).
//
//	plot -in results.tsv -out plot.png [-y full_wall_s,unchanged_wall_s,...] [-title T]
//
// The TSV's first line names its columns; it needs "sources", the chosen
// columns and optionally "store".
package main

import (
	"bufio"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Width and Height are the size of the PNG in pixels.
const (
	Width  = 960
	Height = 600
)

// defaultColumns are the cycle times .ci/bench measures.
const defaultColumns = "baseline_wall_s,full_wall_s,unchanged_wall_s,build_s,serve_cycle_s"

func main() {
	in := flag.String("in", "", "results TSV written by .ci/bench")
	out := flag.String("out", "", "PNG to write")
	cols := flag.String("y", defaultColumns, "comma-separated columns to plot against sources")
	title := flag.String("title", "cycle time against sources", "title drawn above the plot")
	flag.Parse()
	if *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: plot -in results.tsv -out plot.png [-y COLS] [-title T]")
		os.Exit(2)
	}
	if err := run(*in, *out, strings.Split(*cols, ","), *title); err != nil {
		fmt.Fprintln(os.Stderr, "plot:", err)
		os.Exit(1)
	}
}

func run(in, out string, cols []string, title string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	series, err := readSeries(f, cols)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	img := render(series, title)
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// point is one measurement: seconds at a number of sources.
type point struct{ x, y float64 }

// series is one line of the plot.
type series struct {
	name   string
	points []point
}

// readSeries reads a TSV with a header line into one series per column
// of cols and value of the "store" column (if any), in the order met.
// Empty or non-numeric cells are left out.
func readSeries(r io.Reader, cols []string) ([]series, error) {
	sc := bufio.NewScanner(r)
	if !sc.Scan() {
		return nil, fmt.Errorf("empty results")
	}
	header := strings.Split(sc.Text(), "\t")
	xi := slices.Index(header, "sources")
	if xi < 0 {
		return nil, fmt.Errorf("no sources column")
	}
	si := slices.Index(header, "store")
	var idx []int
	for _, c := range cols {
		i := slices.Index(header, c)
		if i < 0 {
			return nil, fmt.Errorf("no column %q", c)
		}
		idx = append(idx, i)
	}
	byName := map[string]*series{}
	stores := map[string]bool{}
	var order []string
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "\t")
		if len(cells) != len(header) {
			continue
		}
		x, err := strconv.ParseFloat(cells[xi], 64)
		if err != nil {
			continue
		}
		for k, i := range idx {
			y, err := strconv.ParseFloat(cells[i], 64)
			if err != nil || math.IsNaN(y) {
				continue
			}
			name := label(cols[k])
			if si >= 0 {
				name += "\x00" + cells[si]
				stores[cells[si]] = true
			}
			s := byName[name]
			if s == nil {
				s = &series{name: name}
				byName[name] = s
				order = append(order, name)
			}
			s.points = append(s.points, point{x, y})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	out := make([]series, 0, len(order))
	for _, n := range order {
		s := byName[n]
		// The store names a line only when the results hold several.
		if col, store, ok := strings.Cut(n, "\x00"); ok {
			s.name = col
			if len(stores) > 1 {
				s.name += " (" + store + ")"
			}
		}
		slices.SortFunc(s.points, func(a, b point) int { return int(math.Copysign(1, a.x-b.x)) })
		out = append(out, *s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no numbers to plot")
	}
	return out, nil
}

// label names a column in the legend: "full_wall_s" is "full",
// "serve_cycle_s" is "serve cycle".
func label(col string) string {
	col = strings.TrimSuffix(strings.TrimSuffix(col, "_s"), "_wall")
	return strings.ReplaceAll(col, "_", " ")
}

// palette colours the lines, in order; it repeats past its end.
var palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xd6, 0x27, 0x28, 0xff}, {0x2c, 0xa0, 0x2c, 0xff},
	{0xff, 0x7f, 0x0e, 0xff}, {0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff},
	{0xe3, 0x77, 0xc2, 0xff}, {0x17, 0xbe, 0xcf, 0xff}, {0x7f, 0x7f, 0x7f, 0xff},
	{0xbc, 0xbd, 0x22, 0xff},
}

// Plot area margins.
const (
	left, right, top, bottom = 90, 250, 50, 60
)

func render(ss []series, title string) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, Width, Height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	black := color.RGBA{0, 0, 0, 0xff}
	grey := color.RGBA{0xdd, 0xdd, 0xdd, 0xff}

	var xmax, ymax float64
	for _, s := range ss {
		for _, p := range s.points {
			xmax, ymax = max(xmax, p.x), max(ymax, p.y)
		}
	}
	xstep, ystep := niceStep(xmax), niceStep(ymax)
	xmax = math.Max(xstep, math.Ceil(xmax/xstep)*xstep)
	ymax = math.Max(ystep, math.Ceil(ymax/ystep)*ystep)
	x0, x1, y0, y1 := left, Width-right, Height-bottom, top
	px := func(x float64) int { return x0 + int(math.Round(x/xmax*float64(x1-x0))) }
	py := func(y float64) int { return y0 - int(math.Round(y/ymax*float64(y0-y1))) }

	for _, v := range ticks(xmax, xstep) {
		x := px(v)
		line(img, x, y0, x, y1, 1, grey)
		lbl := tickLabel(v, xstep)
		drawText(img, x-textWidth(lbl, 2)/2, y0+10, lbl, 2, black)
	}
	for _, v := range ticks(ymax, ystep) {
		y := py(v)
		line(img, x0, y, x1, y, 1, grey)
		lbl := tickLabel(v, ystep)
		drawText(img, x0-10-textWidth(lbl, 2), y-7, lbl, 2, black)
	}
	line(img, x0, y0, x1, y0, 2, black)
	line(img, x0, y0, x0, y1, 2, black)
	drawText(img, (x0+x1-textWidth("sources", 2))/2, Height-24, "sources", 2, black)
	drawText(img, 8, top-24, "seconds", 2, black)
	drawText(img, (Width-textWidth(title, 2))/2, 6, title, 2, black)

	for i, s := range ss {
		c := palette[i%len(palette)]
		for k, p := range s.points {
			x, y := px(p.x), py(p.y)
			if k > 0 {
				q := s.points[k-1]
				line(img, px(q.x), py(q.y), x, y, 3, c)
			}
			fill(img, x-4, y-4, 9, c)
		}
		ly := top + 10 + i*22
		fill(img, x1+16, ly, 12, c)
		drawText(img, x1+34, ly-1, s.name, 2, black)
	}
	return img
}

// niceStep returns a tick interval of 1, 2 or 5 times a power of ten that
// cuts 0..v into at most about 8 parts.
func niceStep(v float64) float64 {
	if v <= 0 {
		return 1
	}
	raw := v / 8
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// ticks returns the ticks of an axis from 0 to max (a multiple of step),
// each computed as a multiple of step rather than added up.
func ticks(max, step float64) []float64 {
	var out []float64
	for i := 0; float64(i)*step <= max+step/2; i++ {
		out = append(out, float64(i)*step)
	}
	return out
}

// tickLabel formats the tick at v on an axis of ticks step apart (a
// niceStep) with the decimals step has: 0.15, not the 0.15000000000000002
// that v's binary value prints as.
func tickLabel(v, step float64) string {
	if v == 0 {
		return "0"
	}
	decimals := max(0, int(-math.Floor(math.Log10(step))))
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// fill draws a size x size square with its top-left corner at (x, y).
func fill(img *image.RGBA, x, y, size int, c color.Color) {
	draw.Draw(img, image.Rect(x, y, x+size, y+size), image.NewUniform(c), image.Point{}, draw.Src)
}

// line draws a line width pixels thick from (xa, ya) to (xb, yb).
func line(img *image.RGBA, xa, ya, xb, yb, width int, c color.Color) {
	dx, dy := xb-xa, yb-ya
	n := max(abs(dx), abs(dy), 1)
	for i := 0; i <= n; i++ {
		x := xa + dx*i/n
		y := ya + dy*i/n
		fill(img, x-width/2, y-width/2, width, c)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
