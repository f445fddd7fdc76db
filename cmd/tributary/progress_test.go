package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// fetchOnTerminal runs `tributary fetch` in-process with stdout, and
// stderr when both is set, on a pseudo-terminal, and returns the exit
// code and what the terminal received (its \r\n turned back into \n).
func fetchOnTerminal(t *testing.T, conf string, both bool) (int, string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("open a pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(tty, &pty.Winsize{Rows: 24, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		// Until the terminal is closed (EIO once it is, on Linux).
		b, _ := io.ReadAll(ptmx)
		got <- string(b)
	}()
	var stderr io.Writer = io.Discard
	if both {
		stderr = tty
	}
	code := run(context.Background(), []string{"--config", conf, "fetch"}, tty, stderr)
	tty.Close()
	return code, strings.ReplaceAll(<-got, "\r\n", "\n")
}

func TestFetchOnATerminalShowsOneLiveLine(t *testing.T) {
	t.Setenv("TERM", "xterm")
	srv, _ := remote(t)
	conf := project(t, "127.0.0.1:0", srv.URL)

	code, out := fetchOnTerminal(t, conf, true)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d (one source is broken):\n%q", code, exitFailed, out)
	}
	// The line starts at nothing done and is rewritten in place.
	if !strings.Contains(out, clearLine+"fetching: 0/3 sources, 0 new, 0 failed, ") {
		t.Errorf("no live line rewritten in place:\n%q", out)
	}
	// The failure is printed as a line of its own, above the live line;
	// the sources that went well are not listed.
	if !regexp.MustCompile(`\r\x1b\[Kbroken: failed: http 500[^\r\n]*\n`).MatchString(out) {
		t.Errorf("the failure is not a line of its own:\n%q", out)
	}
	for _, quiet := range []string{"local: new", "remote: new", `msg="source fetched"`} {
		if strings.Contains(out, quiet) {
			t.Errorf("%q on the terminal, where the live line stands for it:\n%q", quiet, out)
		}
	}
	// The log shares the terminal: its warning is above the line too.
	if !regexp.MustCompile(`\r\x1b\[Ktime=\S+ level=WARN msg="source failed" source=broken`).MatchString(out) {
		t.Errorf("the log's warning is not printed above the live line:\n%q", out)
	}
	// At the end, the summary replaces the live line.
	end := regexp.MustCompile(`\r\x1b\[Kfetched 3 sources: 5 new, 1 failed, \d+\.\ds\ntributary: 1 of 3 sources failed\n$`)
	if !end.MatchString(out) {
		t.Errorf("the output does not end with the summary:\n%q", out)
	}

	// Again: nothing new, nothing else to say than the failure.
	_, out = fetchOnTerminal(t, conf, false)
	if !regexp.MustCompile(`\r\x1b\[Kfetched 3 sources: 0 new, 1 failed, \d+\.\ds\n$`).MatchString(out) {
		t.Errorf("second fetch: wrong summary:\n%q", out)
	}
}

// TestFetchOffATerminalPrintsOneLinePerSource: a dumb terminal and a file
// get the lines a pipe gets, nothing rewritten.
func TestFetchOffATerminalPrintsOneLinePerSource(t *testing.T) {
	srv, _ := remote(t)
	want := []string{
		"local: new (3 new, 0 updated, 0 unchanged)",
		"remote: new (2 new, 0 updated, 0 unchanged)",
		"broken: failed: http 500",
	}
	check := func(t *testing.T, out string) {
		t.Helper()
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != len(want) || strings.Contains(out, "\r") || strings.Contains(out, "fetching:") {
			t.Fatalf("not one line per source:\n%q", out)
		}
		for i, w := range want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("line %d = %q, want %q...", i+1, lines[i], w)
			}
		}
	}
	t.Run("TERM=dumb", func(t *testing.T) {
		t.Setenv("TERM", "dumb")
		conf := project(t, "127.0.0.1:0", srv.URL)
		_, out := fetchOnTerminal(t, conf, false)
		check(t, out)
	})
	t.Run("file", func(t *testing.T) {
		t.Setenv("TERM", "xterm")
		conf := project(t, "127.0.0.1:0", srv.URL)
		f, err := os.Create(filepath.Join(t.TempDir(), "out"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		run(context.Background(), []string{"--config", conf, "fetch"}, f, io.Discard)
		b, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		check(t, string(b))
	})
}

func TestPrintableKeepsTheTerminalSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"broken: failed: http 500", "broken: failed: http 500"},
		{"a: failed: \x1b]0;owned\x07", "a: failed: \uFFFD]0;owned\uFFFD"},
		{"a: failed: line\nfake: new (1 new)", "a: failed: line\uFFFDfake: new (1 new)"},
		{"a: failed: \r\x1b[Kerased", "a: failed: \uFFFD\uFFFD[Kerased"},
		{"a: failed: \u009b31m", "a: failed: \uFFFD31m"},
		{"café: new", "café: new"},
	} {
		if got := printable(tc.in); got != tc.want {
			t.Errorf("printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
