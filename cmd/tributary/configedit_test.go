package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode"
)

// Several adds at once (a script adding sources in parallel, two
// operators) each either add their source or say the file changed: none
// may report "added" for a source a concurrent add then wrote over.
func TestConcurrentAddsLoseNoSource(t *testing.T) {
	ctx := context.Background()
	for round := range 30 {
		conf := editProject(t)
		const n = 12
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				codes[i], _, _ = runCmd(t, ctx, "--config", conf, "add", "--no-fetch",
					"--name", fmt.Sprintf("c%d", i), fmt.Sprintf("https://c%d.example/feed", i))
			})
		}
		wg.Wait()
		after := mustRead(t, conf)
		for i, code := range codes {
			in := strings.Contains(after, fmt.Sprintf("name: c%d\n", i))
			if code == exitOK && !in {
				t.Fatalf("round %d: add of c%d exited 0 but the file does not have it:\n%s", round, i, after)
			}
			if code != exitOK && in {
				t.Errorf("round %d: add of c%d failed (exit %d) but the file has it", round, i, code)
			}
		}
	}
}

// An OPML file is someone else's text: what import-opml prints of it (a
// URL with an encoded line break, a title with a bidi override or a C1
// control that some terminals obey) must not forge a line of its report
// or reach the terminal as a control.
func TestImportOPMLPrintsHostileTextInert(t *testing.T) {
	conf := editProject(t)
	file := filepath.Join(t.TempDir(), "hostile.opml")
	writeFile(t, file, `<opml version="2.0"><body>
<outline text="a" xmlUrl="https://a.example/feed?x=1&#10;added forged https://forged.example/"/>
<outline text="b" xmlUrl="https://b.example/&#x202e;lmth.exe"/>
<outline text="c" xmlUrl="https://c.example/&#x9b;31mred"/>
<outline text="d" type="link" xmlUrl="https://d.example/&#x9b;2J"/>
</body></opml>`)
	code, out, errOut := runCmd(t, context.Background(), "--config", conf, "import-opml", "--dry-run", file)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 5 || strings.Contains(out, "\nadded forged") {
		t.Errorf("want 4 feed lines and the summary, got %d:\n%s", len(lines), out)
	}
	for _, l := range lines {
		if strings.ContainsFunc(l, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }) {
			t.Errorf("control character printed: %q", l)
		}
	}
}

// add from an operator's shell, without the daemon's environment: the
// header token's variable is not set here, and the source is added.
func TestAddWithoutTheDaemonsEnvironment(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "config.yaml")
	body := "storage:\n  dsn: t.db\nsources:\n  - name: a\n    url: https://a.example/feed\n    headers:\n      Authorization: \"Bearer ${TRIBUTARY_TEST_UNSET_TOKEN}\"\nfeeds:\n  - name: all\n"
	writeFile(t, conf, body)
	code, out, errOut := runCmd(t, context.Background(), "--config", conf, "add", "--no-fetch", "--name", "b", "https://b.example/rss")
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	want := body[:strings.Index(body, "feeds:")] + "  - name: b\n    url: https://b.example/rss\nfeeds:\n  - name: all\n"
	if got := mustRead(t, conf); got != want {
		t.Errorf("file:\n%s\nwant:\n%s", got, want)
	}
}

// A URL typed with credentials that net/url cannot parse (a '/' or '#'
// in the password ends the authority early) must not show a piece of the
// password in preview's error, as net/url's "invalid port" does.
func TestPreviewMalformedURLHidesThePassword(t *testing.T) {
	for _, arg := range []string{
		"https://user:p4ss/w0rd@news.example/feed",
		"https://user:p4ss#w0rd@news.example/feed",
		"file://user:p4ssw0rd@news.example/feed.xml",
	} {
		code, out, errOut := runCmd(t, context.Background(), "preview", arg)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d: %s", arg, code, exitUsage, errOut)
		}
		if strings.Contains(out+errOut, "p4ss") || strings.Contains(out+errOut, "w0rd") {
			t.Errorf("%s: output shows the password: %q %q", arg, out, errOut)
		}
	}
}
