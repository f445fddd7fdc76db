// Command tributary pulls stories from the sources listed in config.yaml and
// republishes them as combined RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds,
// over HTTP (serve) or as static files (build).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...";
// otherwise it is what the Go toolchain recorded (see buildVersion).
var version string

func init() {
	// -X only sets a string variable that has no initializer (or a
	// constant one), so the fallback is applied here, not in the
	// declaration.
	if version == "" {
		version = buildVersion("dev")
	}
}

// buildVersion returns the module version when built by `go install
// module@vX`, else the VCS revision (short, "+dirty" when modified) when
// built from a checkout, else fallback.
func buildVersion(fallback string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return fallback
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return fallback
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	return fallback + "-" + rev
}

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1 // the command ran, but something it did failed
	exitUsage   = 2 // bad usage or configuration
	defaultConf = "config.yaml"
)

// errUsage marks errors that exit with exitUsage.
var errUsage = errors.New("usage")

// usageError is a usage or configuration problem: it exits with exitUsage
// and prints its message alone.
type usageError struct{ error }

func (usageError) Is(target error) bool { return target == errUsage }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal starts a graceful shutdown, a second one
		// gets the default behaviour back: it ends the process at once.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Tributary %s: a feed publisher and aggregator.

Usage:
  tributary [--config FILE] COMMAND [flags]
  tributary --version | --help

Commands:
  serve [--watch]     run the daemon: fetch sources on their schedules, serve the feeds over HTTP
  fetch [SOURCE...]   fetch every source (or the named ones) once, store, print one line per source; --force parses them afresh
  preview URL|FILE    fetch a feed or page and print how Tributary would read it, storing nothing; --fulltext, --kind page --selector KEY=CSS, --json
  build --out DIR     write the site as served: DIR/index.html, DIR/feeds/NAME.rss|atom|json and their pages; --base-url URL
  status [--json]     list every source: state, last fetch, errors, next run, articles stored
  check               validate the configuration, print every problem and warning with its line;
                      --store also checks every page of the store
  add URL             add a source to the configuration file (--name, --tags, --fulltext), comments kept
  import-opml FILE    add the feeds of an OPML file (a feed reader's export) as sources; --dry-run
  prune               delete the articles retention no longer keeps, once; --source NAME --yes deletes one source's
  migrate status|up   list the store's schema migrations (applied or pending), or apply the pending ones
  copy --from --to    copy the whole store (articles, source states) from sqlite:PATH or postgres:DSN to another, then verify
  healthcheck         GET /healthz of the configured listener: exit 0 when healthy, else 1 (for containers)
  version             print the version (also --version)

Run 'tributary COMMAND -h' for the flags of a command. --config defaults to ./config.yaml.
`

// run is main without the process: it returns the exit code. Help (-h,
// --help, help) goes to stdout and exits 0; usage errors go to stderr and
// exit 2.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	global := flag.NewFlagSet("tributary", flag.ContinueOnError)
	global.SetOutput(stderr)
	global.Usage = func() {} // printed below, where help and errors part
	confPath := global.String("config", defaultConf, "configuration file")
	showVersion := global.Bool("version", false, "print the version and exit")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stdout, usage, version)
			return exitOK
		}
		fmt.Fprintf(stderr, usage, version)
		return exitUsage
	}
	if *showVersion {
		printVersion(stdout)
		return exitOK
	}
	rest := global.Args()
	if len(rest) == 0 {
		fmt.Fprintf(stderr, usage, version)
		return exitUsage
	}
	cmd, cmdArgs := rest[0], rest[1:]
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, *confPath, cmdArgs, stdout, stderr)
	case "fetch":
		err = cmdFetch(ctx, *confPath, cmdArgs, stdout, stderr)
	case "preview":
		err = cmdPreview(ctx, *confPath, cmdArgs, stdout, stderr)
	case "build":
		err = cmdBuild(ctx, *confPath, cmdArgs, stdout, stderr)
	case "status":
		err = cmdStatus(ctx, *confPath, cmdArgs, stdout, stderr)
	case "check":
		err = cmdCheck(ctx, *confPath, cmdArgs, stdout, stderr)
	case "add":
		err = cmdAdd(ctx, *confPath, cmdArgs, stdout, stderr)
	case "import-opml":
		err = cmdImportOPML(*confPath, cmdArgs, stdout, stderr)
	case "prune":
		err = cmdPrune(ctx, *confPath, cmdArgs, stdout, stderr)
	case "migrate":
		err = cmdMigrate(ctx, *confPath, cmdArgs, stdout, stderr)
	case "copy":
		err = cmdCopy(ctx, cmdArgs, stdout, stderr)
	case "healthcheck":
		err = cmdHealthcheck(ctx, *confPath, cmdArgs, stdout, stderr)
	case "version":
		err = cmdVersion(cmdArgs, stdout, stderr)
	case "help":
		fmt.Fprintf(stdout, usage, version)
		return exitOK
	default:
		fmt.Fprintf(stderr, "tributary: unknown command %q\n\n", cmd)
		fmt.Fprintf(stderr, usage, version)
		return exitUsage
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(stderr, ue.Error())
		}
		return exitUsage
	case errors.Is(err, errSilentFailure):
		return exitFailed
	default:
		fmt.Fprintln(stderr, "tributary:", err)
		return exitFailed
	}
}

// errSilentFailure exits with exitFailed after the command printed why.
var errSilentFailure = errors.New("failed")

// newFlagSet returns a command's flag set accepting --config too (unless
// confPath is nil: the command reads no configuration), so that both
// `tributary --config X fetch` and `tributary fetch --config X` work. Its
// usage goes to stdout when asked for (-h, --help), to stderr after a
// parse error.
func newFlagSet(name, synopsis string, confPath *string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	out := &errorOutput{w: stderr}
	fs.SetOutput(out)
	if confPath != nil {
		fs.StringVar(confPath, "config", *confPath, "configuration file")
	}
	fs.Usage = func() {
		// The flag package reports a parse error on its output before
		// the usage; help asked for is the usage alone.
		w := stdout
		if out.wrote {
			w = stderr
		}
		fmt.Fprintf(w, "Usage: tributary %s\n", synopsis)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n == 0 {
			return
		}
		fmt.Fprint(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(out)
	}
	return fs
}

// errorOutput is a flag set's output: stderr, noting that an error was
// written to it.
type errorOutput struct {
	w     io.Writer
	wrote bool
}

func (o *errorOutput) Write(p []byte) (int, error) {
	o.wrote = true
	return o.w.Write(p)
}

// parseFlags parses a command's flags, mapping parse errors to usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

func cmdVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "version", nil, stdout, stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("version takes no arguments")
	}
	printVersion(stdout)
	return nil
}

// printVersion prints what `tributary version` and `tributary --version`
// print.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "tributary %s\n", version)
}
