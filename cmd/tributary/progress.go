package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/term"

	"github.com/tributary/tributary/internal/pipeline"
)

// liveInterval is how often the live line is redrawn: about ten times a
// second, enough for the elapsed time to move, little for a slow terminal.
const liveInterval = 100 * time.Millisecond

// clearLine returns to the start of the line and clears it (CR, then ANSI
// "erase to end of line").
const clearLine = "\r\x1b[K"

// isTerminal reports whether w is a terminal that can rewrite a line in
// place: an *os.File on a terminal, unless TERM says the terminal is dumb.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// failedOutcome reports whether o counts as a failed source in fetch's
// exit status and summaries.
func failedOutcome(o pipeline.Outcome) bool {
	return o.Status == pipeline.StatusFailed || o.Status == pipeline.StatusCancelled
}

// worthReading reports whether o's line must be shown even when the live
// line stands for the rest: a failure, a deferral, failed pages, or a text
// budget that ran out.
func worthReading(o pipeline.Outcome) bool {
	return failedOutcome(o) || o.Status == pipeline.StatusDeferred || o.PageErrors+o.PagesDeferred+o.LeftOut > 0
}

// progress is the live line `tributary fetch` keeps at the bottom of a
// terminal: `fetching: 12/40 sources, 85 new, 2 failed, 3.4s`, rewritten
// in place; lines worth reading are printed above it as they come, and
// finish replaces it with the summary.
type progress struct {
	out   io.Writer
	total int
	width int // the terminal's columns; 0 when unknown
	start time.Time

	mu                  sync.Mutex
	done, fresh, failed int

	stopTicker, tickerDone chan struct{}
}

// newProgress returns the live line for total sources on out, a terminal.
func newProgress(out io.Writer, total int) *progress {
	p := &progress{out: out, total: total, stopTicker: make(chan struct{}), tickerDone: make(chan struct{})}
	if f, ok := out.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil {
			p.width = w
		}
	}
	return p
}

// begin draws the line and redraws it every liveInterval until finish.
func (p *progress) begin() {
	p.mu.Lock()
	p.start = time.Now()
	p.draw()
	p.mu.Unlock()
	go func() {
		defer close(p.tickerDone)
		tick := time.NewTicker(liveInterval)
		defer tick.Stop()
		for {
			select {
			case <-p.stopTicker:
				return
			case <-tick.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	}()
}

// add counts one source's outcome, printing its line above the live line
// when it is worth reading (see worthReading).
func (p *progress) add(o pipeline.Outcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.fresh += o.New
	if failedOutcome(o) {
		p.failed++
	}
	if worthReading(o) {
		io.WriteString(p.out, clearLine+printable(o.String())+"\n")
		p.draw()
	}
}

// above returns a writer that prints to w above the live line: the log,
// when it shares the terminal. Each Write must be whole lines.
func (p *progress) above(w io.Writer) io.Writer {
	return writerFunc(func(b []byte) (int, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.start.IsZero() { // before begin: no line to keep
			return w.Write(b)
		}
		io.WriteString(p.out, clearLine)
		n, err := w.Write(b)
		p.draw()
		return n, err
	})
}

// finish stops the redrawing, waits for it, and replaces the live line
// with the summary: `fetched 40 sources: 85 new, 2 failed, 3.4s`.
func (p *progress) finish() {
	close(p.stopTicker)
	<-p.tickerDone
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, "%sfetched %d sources: %d new, %d failed, %s\n", clearLine, p.total, p.fresh, p.failed, p.elapsed())
}

// draw rewrites the live line; p.mu is held.
func (p *progress) draw() {
	line := fmt.Sprintf("fetching: %d/%d sources, %d new, %d failed, %s", p.done, p.total, p.fresh, p.failed, p.elapsed())
	// A line longer than the terminal wraps, and \r would then go back
	// to its last row only.
	if p.width > 1 && len(line) >= p.width {
		line = line[:p.width-1]
	}
	io.WriteString(p.out, clearLine+line)
}

func (p *progress) elapsed() string {
	return fmt.Sprintf("%.1fs", time.Since(p.start).Seconds())
}

// printable replaces control characters, which a source's error could
// carry from a hostile server to move the cursor or retitle the terminal,
// and bidi controls, which could make the line read otherwise than it is.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

// writerFunc is an io.Writer made of a function.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// atLeast is a slog.Handler that drops records below min: on a terminal
// showing the live line, per-source INFO lines would scroll it away.
type atLeast struct {
	slog.Handler
	min slog.Level
}

func (h atLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h atLeast) WithAttrs(attrs []slog.Attr) slog.Handler {
	return atLeast{h.Handler.WithAttrs(attrs), h.min}
}

func (h atLeast) WithGroup(name string) slog.Handler {
	return atLeast{h.Handler.WithGroup(name), h.min}
}
