package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
	"github.com/tributary/tributary/internal/store/sqlite"
)

// tributaryBinary builds the command and returns the path of the binary,
// for the tests that need a real process: one killed with SIGKILL, one run
// under a file size limit or as another user.
func tributaryBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and runs it as a child process")
	}
	bin := filepath.Join(t.TempDir(), "tributary")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// fromTemplate writes testdata/crash/name to dst with each {{KEY}} of vars
// replaced, and returns dst.
func fromTemplate(t *testing.T, name, dst string, vars map[string]string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "crash", name))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	if strings.Contains(s, "{{") {
		t.Fatalf("%s: a placeholder was left unreplaced:\n%s", name, s)
	}
	writeFile(t, dst, s)
	return dst
}

// growingFeed is an Atom feed that gains growStep entries at every request
// and re-versions a third of its entries, so every fetch both inserts and
// updates articles. It is streamed in flushed chunks with short pauses, so
// that a fetch spends a while downloading before it parses and stores.
type growingFeed struct {
	mu       sync.Mutex
	requests int // requests started
	// completions receives the number of each request answered in full.
	completions chan int
}

func newGrowingFeed() *growingFeed { return &growingFeed{completions: make(chan int, 256)} }

const (
	growBase       = 40
	growStep       = 8
	growParagraphs = 12
)

// size is how many entries response k (0-based) holds: 1..size.
func (g *growingFeed) size(k int) int { return growBase + growStep*k }

// version is the version of entry i in response k: it goes up by one every
// third response, each entry at its own phase.
func (g *growingFeed) version(i, k int) int { return (k + i%3) / 3 }

func (g *growingFeed) requestCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests
}

// marker is a text that only entry i at version v carries in its content,
// so a stored row whose title and content disagree would be caught.
func marker(i, v int) string { return fmt.Sprintf("Story %d version %d,", i, v) }

func (g *growingFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	k := g.requests
	g.requests++
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/atom+xml")
	rc := http.NewResponseController(w)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Growing</title><id>urn:growing</id><updated>%s</updated>
`, base.Add(time.Duration(g.size(k))*time.Hour).Format(time.RFC3339))
	var body strings.Builder
	for i := g.size(k); i >= 1; i-- {
		v := g.version(i, k)
		body.Reset()
		// Every paragraph differs between stories, so none is learned as
		// boilerplate and stripped.
		for p := range growParagraphs {
			fmt.Fprintf(&body, "<p>%s paragraph %d. %s</p>", marker(i, v), p,
				strings.Repeat(fmt.Sprintf("Words of story %d, paragraph %d. ", i, p), 20))
		}
		published := base.Add(time.Duration(i) * time.Hour)
		fmt.Fprintf(w, `<entry><title>Story %d v%d</title><id>urn:growing:%d</id><link href="https://growing.example/%d"/>
<published>%s</published><updated>%s</updated><author><name>Writer %d</name></author>
<summary>Summary of story %d</summary><content type="html">%s</content></entry>
`, i, v, i, i, published.Format(time.RFC3339), published.Add(time.Duration(v)*time.Minute).Format(time.RFC3339),
			i%7, i, html.EscapeString(body.String()))
		if i%8 == 0 {
			if rc.Flush() != nil {
				return // the client is gone
			}
			time.Sleep(time.Millisecond)
		}
	}
	io.WriteString(w, "</feed>\n")
	if rc.Flush() == nil {
		select {
		case g.completions <- k:
		default:
		}
	}
}

// storedState is what the store held at one verified point: the version
// of each stored story, by article id.
type storedState map[string]int

// verifyStore opens the database as the next start would (integrity check
// included), and checks what a crash must never cause: a lost article or
// update of the previous verified state, a duplicate, a torn row, or a
// story the feed never served. It returns the new state.
func verifyStore(t *testing.T, dbPath string, prev storedState, g *growingFeed) storedState {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatalf("the store does not open after the kill: %v", err)
	}
	defer db.Close()
	arts, err := db.Articles(ctx, store.Query{})
	if err != nil {
		t.Fatalf("read articles after the kill: %v", err)
	}
	requests := g.requestCount()
	now := make(storedState, len(arts))
	stories := make(map[int]string, len(arts))
	for _, a := range arts {
		if a.Source != "growing" {
			t.Errorf("article %s/%s of an unknown source", a.Source, a.ID)
			continue
		}
		if _, dup := now[a.ID]; dup {
			t.Errorf("article id %q stored twice", a.ID)
		}
		var i, v int
		if _, err := fmt.Sscanf(a.Title, "Story %d v%d", &i, &v); err != nil {
			t.Errorf("article %s has title %q", a.ID, a.Title)
			continue
		}
		if other, dup := stories[i]; dup {
			t.Errorf("story %d stored twice, as %q and %q", i, other, a.ID)
		}
		stories[i] = a.ID
		if !strings.Contains(a.Content, marker(i, v)) {
			t.Errorf("article %s: title %q but content of another version (torn row?): %.80q", a.ID, a.Title, a.Content)
		}
		if last := requests - 1; i > g.size(last) || v > g.version(i, last) {
			t.Errorf("article %s: %q was never served", a.ID, a.Title)
		}
		now[a.ID] = v
	}
	// Each fetch stores its articles in one transaction, and the feed only
	// grows: whatever the kill interrupted, the store holds exactly one
	// response the feed served, never a mix of two.
	if k := (len(now) - growBase) / growStep; len(now) > 0 {
		whole := g.size(k) == len(now) && k < requests
		for i := 1; whole && i <= len(now); i++ {
			v, ok := now["urn:growing:"+strconv.Itoa(i)]
			whole = ok && v == g.version(i, k)
		}
		if !whole {
			t.Errorf("the store holds %d articles that are no single response of the feed (a torn write?)", len(now))
		}
	}
	for id, v := range prev {
		got, ok := now[id]
		switch {
		case !ok:
			t.Errorf("article %s (version %d) was stored before the kill and is lost", id, v)
		case got < v:
			t.Errorf("article %s went back from version %d to %d", id, v, got)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return now
}

// Points a kill delay counts from.
const (
	fromStart    = "start"    // the child's start
	fromDownload = "download" // the feed served to it in full
	fromWAL      = "wal"      // its first write reaching the write-ahead log
)

// killPlan says when to kill a child.
type killPlan struct {
	from  string
	delay time.Duration
	// wal is the database's write-ahead log, watched for fromWAL. The test
	// closes the database cleanly between runs, which removes it, so the
	// first write of the child is what makes it appear.
	wal string
	// poll, when set, is called in a loop while the child runs.
	poll func(context.Context)
}

// crashRun is how one run of the child ended.
type crashRun struct {
	killed  bool          // by our SIGKILL, rather than exiting on its own
	elapsed time.Duration // from start to exit
	// downloaded is set when the feed had been served in full to this run
	// (before the kill, if killed): the kill hit parsing, storing or
	// serving rather than starting or downloading.
	downloaded bool
	tail       time.Duration // from the end of the download to the exit
	// writing is set when the write-ahead log had appeared before the kill.
	writing bool
}

// runAndKill starts the binary with args and SIGKILLs it as plan says; a
// child that exits first must have succeeded.
func runAndKill(t *testing.T, bin string, g *growingFeed, plan killPlan, args ...string) crashRun {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	first := g.requestCount() // responses to earlier requests are not ours
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	pctx, stopPoll := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	if plan.poll != nil {
		wg.Go(func() {
			for pctx.Err() == nil {
				plan.poll(pctx)
			}
		})
	}
	defer func() { stopPoll(); wg.Wait() }()

	var (
		run          crashRun
		err          error
		downloadedAt time.Time
		timer        = time.NewTimer(plan.delay)
		watch        <-chan time.Time
	)
	defer timer.Stop()
	if plan.from != fromStart {
		timer.Stop()
	}
	if plan.from == fromWAL {
		tick := time.NewTicker(500 * time.Microsecond)
		defer tick.Stop()
		watch = tick.C
	}
wait:
	for {
		select {
		case err = <-done:
			break wait
		case k := <-g.completions:
			if k >= first && !run.downloaded {
				run.downloaded, downloadedAt = true, time.Now()
				if plan.from == fromDownload {
					timer.Reset(plan.delay)
				}
			}
		case <-watch:
			if fi, err := os.Stat(plan.wal); err == nil && fi.Size() > 0 {
				run.writing, watch = true, nil
				timer.Reset(plan.delay)
			}
		case <-timer.C:
			if kerr := cmd.Process.Signal(syscall.SIGKILL); kerr != nil && !errors.Is(kerr, os.ErrProcessDone) {
				t.Fatal(kerr)
			}
			err = <-done
			break wait
		}
	}
	run.elapsed = time.Since(start)
	if run.downloaded {
		run.tail = time.Since(downloadedAt)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		run.killed = true
		return run
	}
	if err != nil {
		t.Fatalf("%v exited on its own with %v\nstdout:\n%s\nstderr:\n%s", args, err, stdout.String(), stderr.String())
	}
	return run
}

// TestKillNineLosesNothing kills `tributary fetch` and `tributary serve`
// with SIGKILL at many points of their work, on a feed that grows and
// changes at every request, and checks after each kill that the store
// opens (integrity check), lost nothing it held and duplicated nothing;
// then that a clean fetch completes and stores exactly what was served.
func TestKillNineLosesNothing(t *testing.T) {
	bin := tributaryBinary(t)
	g := newGrowingFeed()
	feedSrv := httptest.NewServer(g)
	t.Cleanup(feedSrv.Close)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "tributary.db")
	addr := freeAddr(t)
	conf := fromTemplate(t, "crash.yaml", filepath.Join(dir, "config.yaml"), map[string]string{
		"LISTEN": addr, "DB": dbPath, "FEED": feedSrv.URL + "/feed.atom",
	})

	// A serve run also answers feed requests until it dies: every complete
	// 200 response must be a valid feed.
	var pollMu sync.Mutex
	served := 0
	poll := func(ctx context.Context) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/feeds/all.atom", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			time.Sleep(5 * time.Millisecond)
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			return
		}
		if _, err := gofeed.NewParser().ParseString(string(body)); err != nil {
			t.Errorf("serve answered 200 with an invalid feed: %v", err)
		}
		pollMu.Lock()
		served++
		pollMu.Unlock()
	}

	// Kill delays are pseudo-random (fixed seed) fractions of how long a
	// fetch takes, counted from the start of the child, from the end of its
	// download, or from its first write to the write-ahead log, so kills
	// spread over starting, downloading, parsing, storing and serving
	// whatever the machine's speed. The estimates come from the last
	// finished fetch and grow by a sixth at each kill, as the feed does.
	const iterations = 28
	rng := rand.New(rand.NewPCG(2026, 9))
	whole, tail := 300*time.Millisecond, 100*time.Millisecond
	var prev storedState
	var early, beforeCommit, afterCommit, writing, finished int
	for it := range iterations {
		cmd, plan := "fetch", killPlan{from: fromStart, wal: dbPath + "-wal"}
		switch it % 4 {
		case 0:
			plan.delay = time.Duration((0.05 + 1.4*rng.Float64()) * float64(whole))
		case 1:
			plan.from, plan.delay = fromDownload, time.Duration(1.4*rng.Float64()*float64(tail))
		case 2:
			// The commit of the articles, then the source state, then the
			// checkpoint at close: a few milliseconds.
			plan.from, plan.delay = fromWAL, time.Duration(rng.Float64()*float64(8*time.Millisecond))
		case 3:
			// serve never ends on its own: it is killed while fetching or,
			// later, while it serves feeds.
			cmd, plan.poll = "serve", poll
			plan.delay = time.Duration((0.05 + 2*rng.Float64()) * float64(whole))
		}
		run := runAndKill(t, bin, g, plan, "--config", conf, cmd)
		now := verifyStore(t, dbPath, prev, g)
		changed := !maps.Equal(now, prev)
		prev = now
		switch {
		case !run.killed:
			finished++
			whole = run.elapsed
			if run.downloaded {
				tail = run.tail
			}
		case !run.downloaded:
			early++
		case changed:
			afterCommit++
		default:
			beforeCommit++
		}
		if run.killed && run.writing {
			writing++
		}
		if run.killed && cmd == "fetch" {
			switch plan.from {
			case fromStart:
				whole += whole / 6
			case fromDownload:
				tail += tail / 6
			}
		}
		t.Logf("run %2d: %-5s killed=%-5v %4.1fms after its %-8s: downloaded=%-5v writing=%-5v store changed=%-5v, %d articles",
			it, cmd, run.killed, float64(plan.delay.Microseconds())/1000, plan.from, run.downloaded, run.writing, changed, len(prev))
	}
	t.Logf("%d runs killed before the download ended, %d after it but before the commit, %d after the commit (%d while writing); %d finished; serve answered %d feeds",
		early, beforeCommit, afterCommit, writing, finished, served)
	if killed := early + beforeCommit + afterCommit; killed < iterations/3 {
		t.Errorf("only %d of %d runs were killed before they finished: the test exercised little", killed, iterations)
	}

	// The next start works and leaves exactly what the feed serves now.
	if run := runAndKill(t, bin, g, killPlan{from: fromStart, delay: time.Minute}, "--config", conf, "fetch"); run.killed {
		t.Fatal("the final fetch did not finish within a minute")
	}
	got := verifyStore(t, dbPath, prev, g)
	last := g.requestCount() - 1
	if len(got) != g.size(last) {
		t.Errorf("after a clean fetch the store holds %d articles, want the %d served", len(got), g.size(last))
	}
	for i := 1; i <= g.size(last); i++ {
		id := "urn:growing:" + strconv.Itoa(i)
		if v, ok := got[id]; !ok || v != g.version(i, last) {
			t.Errorf("after a clean fetch story %d is at version %d (stored: %v), want %d", i, v, ok, g.version(i, last))
		}
	}
}

// reader says how to run a child that must not be able to write what its
// permissions forbid: as root, permissions bind nobody, so the child runs
// as the unprivileged user nobody instead.
type reader struct {
	cred *syscall.Credential
}

func newReader(t *testing.T) reader {
	t.Helper()
	if os.Geteuid() != 0 {
		return reader{}
	}
	return reader{cred: &syscall.Credential{Uid: 65534, Gid: 65534}}
}

// open makes dir and its parent (a test's temporary directories are
// private to their owner) reachable by the reader.
func (r reader) open(t *testing.T, dir string) {
	t.Helper()
	if r.cred == nil {
		return
	}
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// run runs name with args as the reader, under a file size limit of
// fsizeBlocks (ulimit -f) when positive, and returns the exit code and
// output.
func (r reader) run(t *testing.T, fsizeBlocks int, name string, args ...string) (int, string, string) {
	t.Helper()
	if fsizeBlocks > 0 {
		args = append([]string{"-c", `ulimit -f "$1" && shift && exec "$@"`, "sh", strconv.Itoa(fsizeBlocks), name}, args...)
		name = "sh"
	}
	cmd := exec.Command(name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if r.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: r.cred}
	}
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &ee) && ee.Exited():
		return ee.ExitCode(), stdout.String(), stderr.String()
	}
	if r.cred != nil && errors.Is(err, syscall.EPERM) {
		t.Skipf("cannot run a child as the unprivileged user nobody: %v", err)
	}
	t.Fatalf("run %s %v: %v\n%s", name, args, err, stderr.String())
	return 0, "", ""
}

// buildProject is a fetched project with a small and a big feed and a
// first build in out.
type buildProject struct {
	conf, db, out string
	before        map[string][]byte // out's files after the first build
}

// newBuildProject fetches the two local feeds and builds once. The big
// feed's outputs are several hundred kilobytes each; the small one's a
// few.
func newBuildProject(t *testing.T, r reader) *buildProject {
	t.Helper()
	dir := t.TempDir()
	r.open(t, dir)
	for _, d := range []string{"data", "public"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o777); err != nil {
			t.Fatal(err)
		}
	}
	// public is the reader's to write, as a web root is the builder's.
	if err := os.Chmod(filepath.Join(dir, "public"), 0o777); err != nil {
		t.Fatal(err)
	}
	small, err := os.ReadFile(filepath.Join("testdata", "crash", "small.atom"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "small.atom"), string(small))
	var big strings.Builder
	big.WriteString(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Big</title><id>urn:big</id><updated>2026-01-03T00:00:00Z</updated>
`)
	for i := 1; i <= 40; i++ {
		body := fmt.Sprintf("<p>%s</p>", strings.Repeat(fmt.Sprintf("Long story %d goes on. ", i), 400))
		fmt.Fprintf(&big, `<entry><title>Big %d</title><id>urn:big:%d</id><link href="https://big.example/%d"/><updated>2026-01-02T%02d:00:00Z</updated><content type="html">%s</content></entry>
`, i, i, i, i%24, html.EscapeString(body))
	}
	big.WriteString("</feed>\n")
	writeFile(t, filepath.Join(dir, "big.atom"), big.String())
	p := &buildProject{
		conf: fromTemplate(t, "build.yaml", filepath.Join(dir, "config.yaml"), nil),
		db:   filepath.Join(dir, "data", "tributary.db"),
		out:  filepath.Join(dir, "public"),
	}
	ctx := context.Background()
	if code, out, errOut := runCmd(t, ctx, "--config", p.conf, "fetch"); code != exitOK {
		t.Fatalf("fetch: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, ctx, "--config", p.conf, "build", "--out", p.out); code != exitOK {
		t.Fatalf("first build: exit %d\n%s", code, errOut)
	}
	// The builds run as another user write into the directories the
	// first made (feeds/, feeds/NAME/page/), as into public/ itself.
	if err := filepath.WalkDir(p.out, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			err = os.Chmod(path, 0o777)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	p.before = readDir(t, p.out)
	if n := len(p.before["feeds/big.rss"]); n < 400<<10 {
		t.Fatalf("big.rss is %d bytes: too small for the file size limit below", n)
	}
	if n := len(p.before["feeds/a-small.json"]); n > 16<<10 {
		t.Fatalf("a-small.json is %d bytes: too big for the file size limit below", n)
	}
	return p
}

// readDir returns everything under dir by slash-separated path: a file's
// content, "dir" for a directory (see snapshot).
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	tree := snapshot(t, dir)
	files := make(map[string][]byte, len(tree))
	for name, body := range tree {
		if fi, err := os.Lstat(filepath.Join(dir, name)); err == nil && fi.IsDir() {
			continue // the directories the files are in (feeds/, feeds/NAME/page/)
		}
		files[name] = []byte(body)
	}
	return files
}

// assertIntact fails unless out holds exactly the files of before, byte
// for byte: no output replaced, none added (a temporary file), none lost.
func (p *buildProject) assertIntact(t *testing.T) {
	t.Helper()
	after := readDir(t, p.out)
	for name, b := range p.before {
		a, ok := after[name]
		switch {
		case !ok:
			t.Errorf("previous output %s is gone", name)
		case !bytes.Equal(a, b):
			t.Errorf("previous output %s was changed (%d bytes, was %d)", name, len(a), len(b))
		}
	}
	for name := range after {
		if _, ok := p.before[name]; !ok {
			t.Errorf("file %s left in the output directory", name)
		}
	}
}

// addLateStory stores one more story in the small feed, so that a build
// that succeeds must differ from the previous one.
func addLateStory(t *testing.T, db *sqlite.DB) {
	t.Helper()
	if _, err := db.UpsertArticles(context.Background(), []feeds.Article{{
		Source: "small", ID: "urn:small:late", Title: "Late story", Link: "https://small.example/late",
		Published: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC), Summary: "Stored after the first build.",
	}}); err != nil {
		t.Fatal(err)
	}
}

// addLateStory is addLateStory on the project's database, closed again.
func (p *buildProject) addLateStory(t *testing.T) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), p.db)
	if err != nil {
		t.Fatal(err)
	}
	addLateStory(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// makeReadOnly makes the database file and its directory read-only until
// the test ends.
func makeReadOnly(t *testing.T, dbPath string) {
	t.Helper()
	dir := filepath.Dir(dbPath)
	if err := os.Chmod(dbPath, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
}

// dirDigest returns a digest of the names and contents of dir's files.
func dirDigest(t *testing.T, dir string) string {
	t.Helper()
	files := readDir(t, dir)
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(h, "%s %x\n", name, sha256.Sum256(files[name]))
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestBuildFaultsKeepPreviousOutputs(t *testing.T) {
	bin := tributaryBinary(t)
	r := newReader(t)
	r.open(t, filepath.Dir(bin))

	// writable reports whether the reader can create a file in dir: the
	// read-only cases are worth nothing if it can.
	writable := func(t *testing.T, dir string) bool {
		t.Helper()
		code, _, _ := r.run(t, 0, "sh", "-c", `: > "$1/probe" && rm "$1/probe"`, "sh", dir)
		return code == 0
	}
	succeeds := func(t *testing.T, p *buildProject) {
		t.Helper()
		dataBefore := dirDigest(t, filepath.Dir(p.db))
		code, stdout, stderr := r.run(t, 0, bin, "--config", p.conf, "build", "--out", p.out)
		if code != exitOK {
			t.Fatalf("build on a read-only store: exit %d\n%s", code, stderr)
		}
		if !strings.Contains(stdout, filepath.Join(p.out, "feeds", "a-small.atom")) {
			t.Errorf("build did not report a-small.atom:\n%s", stdout)
		}
		after := readDir(t, p.out)
		if len(after) != len(p.before) {
			t.Errorf("output directory holds %d files, want %d", len(after), len(p.before))
		}
		f, err := gofeed.NewParser().ParseString(string(after["feeds/a-small.atom"]))
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Items) != 2 || f.Items[0].Title != "Late story" {
			t.Errorf("a-small.atom does not hold the late story first: %d items", len(f.Items))
		}
		if dataAfter := dirDigest(t, filepath.Dir(p.db)); dataAfter != dataBefore {
			t.Errorf("build changed the database directory")
		}
	}
	// fails runs the build as who (reader{} is the test's own user).
	fails := func(t *testing.T, p *buildProject, who reader, fsizeBlocks int, want ...string) {
		t.Helper()
		code, stdout, stderr := who.run(t, fsizeBlocks, bin, "--config", p.conf, "build", "--out", p.out)
		if code != exitFailed {
			t.Fatalf("build: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitFailed, stdout, stderr)
		}
		t.Logf("build failed as it should: %s", strings.TrimSpace(stderr))
		for _, w := range want {
			if !strings.Contains(stderr, w) {
				t.Errorf("error lacks %q:\n%s", w, stderr)
			}
		}
		p.assertIntact(t)
	}

	t.Run("read-only store", func(t *testing.T) {
		p := newBuildProject(t, r)
		p.addLateStory(t)
		makeReadOnly(t, p.db)
		if writable(t, filepath.Dir(p.db)) {
			t.Fatal("setup: the database directory is still writable")
		}
		succeeds(t, p)
	})
	t.Run("read-only store with a writer at work", func(t *testing.T) {
		// The daemon has the database open and its last commit is still in
		// the write-ahead log: the build must see it.
		p := newBuildProject(t, r)
		db, err := sqlite.Open(context.Background(), p.db)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		addLateStory(t, db)
		if fi, err := os.Stat(p.db + "-wal"); err != nil || fi.Size() == 0 {
			t.Fatalf("setup: the late story is not in the write-ahead log (%v)", err)
		}
		makeReadOnly(t, p.db)
		if writable(t, filepath.Dir(p.db)) {
			t.Fatal("setup: the database directory is still writable")
		}
		succeeds(t, p)
	})
	t.Run("missing database", func(t *testing.T) {
		p := newBuildProject(t, r)
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(p.db + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
		}
		// As a user who could create it: a new, empty database would
		// publish empty feeds over the real ones.
		fails(t, p, reader{}, 0, p.db, "no such file or directory")
		if _, err := os.Stat(p.db); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("build created the missing database: %v", err)
		}
	})
	t.Run("unreadable database", func(t *testing.T) {
		p := newBuildProject(t, r)
		if err := os.Chmod(p.db, 0); err != nil {
			t.Fatal(err)
		}
		fails(t, p, r, 0, p.db, "permission denied")
	})
	t.Run("not a database", func(t *testing.T) {
		p := newBuildProject(t, r)
		writeFile(t, p.db, strings.Repeat("this is not a database\n", 400))
		fails(t, p, reader{}, 0, p.db, "not a database")
	})
	t.Run("a directory in the way", func(t *testing.T) {
		// The last output renamed is a non-empty directory: the five
		// before it must not be replaced either.
		p := newBuildProject(t, r)
		p.addLateStory(t)
		blocked := filepath.Join(p.out, "feeds", "big.json")
		if err := os.Remove(blocked); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(blocked, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(blocked, "keep.txt"), "not an output")
		p.before = readDir(t, p.out)
		fails(t, p, reader{}, 0, blocked, "a directory is in the way")
	})
	t.Run("disk full", func(t *testing.T) {
		// 200 blocks of 512 bytes (dash) or 1024 (bash): the small feed's
		// files fit, every big one does not. The Go runtime ignores
		// SIGXFSZ, so the write fails with EFBIG.
		p := newBuildProject(t, r)
		// The new outputs differ from the old, so a replaced one shows.
		p.addLateStory(t)
		fails(t, p, reader{}, 200, filepath.Join(p.out, "feeds", "big.rss"), "file too large")
	})
}
