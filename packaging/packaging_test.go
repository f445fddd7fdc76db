package packaging

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tributary/tributary/internal/config"
)

// configPath is where both the container image and the systemd unit read
// config.yaml, as docs/deployment.md documents.
const configPath = "/etc/tributary/config.yaml"

// apache2SHA256 is the SHA-256 of the canonical text of the Apache License
// 2.0 (https://www.apache.org/licenses/LICENSE-2.0.txt, also Debian's
// /usr/share/common-licenses/Apache-2.0).
const apache2SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"

func TestLicenseIsApache2(t *testing.T) {
	data, err := os.ReadFile("../LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != apache2SHA256 {
		t.Errorf("LICENSE is not the unmodified Apache License 2.0 text (sha256 %x)", sum)
	}
}

// TestNoticeCarriesModuleNotices: Apache-2.0 section 4(d) asks whoever
// distributes a work built from a module that ships a NOTICE file (the
// binary, the image) to carry its attributions.
func TestNoticeCarriesModuleNotices(t *testing.T) {
	notice, err := os.ReadFile("../NOTICE")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "list", "-deps", "-f",
		"{{with .Module}}{{if .Version}}{{.Path}} {{.Dir}}{{end}}{{end}}",
		"../cmd/tributary").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		mod, dir, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || seen[mod] {
			continue
		}
		seen[mod] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasPrefix(strings.ToUpper(e.Name()), "NOTICE") && !bytes.Contains(notice, []byte(mod)) {
				t.Errorf("module %s ships %s, but NOTICE does not carry it", mod, e.Name())
			}
		}
	}
	if len(seen) == 0 {
		t.Fatal("go list found no modules linked into cmd/tributary")
	}
}

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, ...
	args string
}

// dockerfile reads ../Dockerfile as its stages, each a list of
// instructions starting with its FROM.
func dockerfile(t *testing.T) [][]instruction {
	t.Helper()
	data, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var stages [][]instruction
	var cur string
	flush := func() {
		cmd, args, _ := strings.Cut(strings.TrimSpace(cur), " ")
		cur = ""
		if cmd == "" {
			return
		}
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile: %s before the first FROM", in.cmd)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || (line == "" && cur == "") {
			continue
		}
		if body, ok := strings.CutSuffix(line, "\\"); ok {
			cur += body + " "
			continue
		}
		cur += line
		flush()
	}
	flush()
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a build stage and a final one", len(stages))
	}
	return stages
}

// find returns the arguments of every instruction cmd in stage.
func find(stage []instruction, cmd string) []string {
	var args []string
	for _, in := range stage {
		if in.cmd == cmd {
			args = append(args, in.args)
		}
	}
	return args
}

// execForm decodes the JSON array of an exec-form instruction.
func execForm(t *testing.T, cmd, args string) []string {
	t.Helper()
	var argv []string
	if err := json.Unmarshal([]byte(args), &argv); err != nil {
		t.Fatalf("Dockerfile: %s %s: not an exec-form JSON array (a shell form needs a shell the image lacks): %v", cmd, args, err)
	}
	return argv
}

// envOf returns the ENV values of stage (KEY=VALUE form).
func envOf(t *testing.T, stage []instruction) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, args := range find(stage, "ENV") {
		for _, kv := range strings.Fields(args) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("Dockerfile: ENV %s: write KEY=VALUE", args)
			}
			env[k] = v
		}
	}
	return env
}

func TestDockerfile(t *testing.T) {
	stages := dockerfile(t)
	build, final := stages[0], stages[len(stages)-1]

	t.Run("build stage", func(t *testing.T) {
		if from := build[0].args; !strings.HasPrefix(from, "golang:1.26") {
			t.Errorf("build stage FROM %s, want golang:1.26 (the go.mod toolchain)", from)
		}
		runs := strings.Join(find(build, "RUN"), "\n")
		for _, want := range []string{"CGO_ENABLED=0", "-trimpath", `-X main.version=${VERSION}`, "./cmd/tributary",
			"cp config.yaml /out" + configPath,
			// config.yaml's first line points editors to the schema beside it.
			"cp config.schema.json /out/etc/tributary/config.schema.json"} {
			if !strings.Contains(runs, want) {
				t.Errorf("build stage RUN lacks %q", want)
			}
		}
		if !slices.ContainsFunc(find(build, "ARG"), func(a string) bool { return strings.HasPrefix(a, "VERSION") }) {
			t.Error("build stage has no ARG VERSION")
		}
	})

	t.Run("final stage", func(t *testing.T) {
		if from := final[0].args; !strings.HasPrefix(from, "gcr.io/distroless/static") && from != "scratch" {
			t.Errorf("final stage FROM %s, want distroless static or scratch", from)
		}
		users := find(final, "USER")
		if len(users) == 0 {
			t.Fatal("final stage has no USER: the daemon would run as root")
		}
		if u, _, _ := strings.Cut(users[len(users)-1], ":"); u == "root" || u == "0" {
			t.Errorf("final stage USER %s is root", users[len(users)-1])
		}
		if !slices.Contains(find(final, "VOLUME"), "/data") {
			t.Error("final stage has no VOLUME /data")
		}
		if !slices.Contains(find(final, "EXPOSE"), "8080") {
			t.Error("final stage does not EXPOSE 8080")
		}
		hc := find(final, "HEALTHCHECK")
		if len(hc) != 1 {
			t.Fatalf("final stage has %d HEALTHCHECK, want 1", len(hc))
		}
		_, cmd, ok := strings.Cut(hc[0], "CMD ")
		if !ok {
			t.Fatalf("HEALTHCHECK %s has no CMD", hc[0])
		}
		if got, want := execForm(t, "HEALTHCHECK", cmd), []string{"tributary", "--config", configPath, "healthcheck"}; !slices.Equal(got, want) {
			t.Errorf("HEALTHCHECK CMD %q, want %q", got, want)
		}
		ep := find(final, "ENTRYPOINT")
		if len(ep) != 1 {
			t.Fatalf("final stage has %d ENTRYPOINT, want 1", len(ep))
		}
		if got, want := execForm(t, "ENTRYPOINT", ep[0]), []string{"tributary", "--config", configPath}; !slices.Equal(got, want) {
			t.Errorf("ENTRYPOINT %q, want %q", got, want)
		}
	})

	// The shipped config.yaml, laid out as the image has it and read with
	// the image's environment, listens on every interface at the exposed
	// port, keeps its database in the volume, and passes check cleanly.
	t.Run("shipped config in the image", func(t *testing.T) {
		env := envOf(t, final)
		dir := imageConfigDir(t)
		for k, v := range env {
			t.Setenv(k, v)
		}
		c, err := config.Load(filepath.Join(dir, "config.yaml"))
		if err != nil {
			t.Fatalf("the shipped config.yaml with the image's ENV: %v", err)
		}
		host, port, err := net.SplitHostPort(c.Listen)
		if err != nil || (host != "0.0.0.0" && host != "" && host != "::") || port != "8080" {
			t.Errorf("listen in the image is %q, want every interface on the exposed port 8080", c.Listen)
		}
		if c.Storage.Driver != "sqlite" || !strings.HasPrefix(c.Storage.DSN, "/data/") {
			t.Errorf("the image's database is %s %q, want a SQLite file in the /data volume", c.Storage.Driver, c.Storage.DSN)
		}
		checkClean(t, tributary(t), filepath.Join(dir, "config.yaml"), os.Environ())
	})
}

// imageConfigDir copies the shipped config.yaml and the examples it reads
// to a temporary directory, as the Dockerfile and docs/deployment.md copy
// them to /etc/tributary, and returns that directory.
func imageConfigDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("cp", "../config.yaml", filepath.Join(dir, "config.yaml")).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	if out, err := exec.Command("cp", "-R", "../examples", filepath.Join(dir, "examples")).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	return dir
}

// checkClean runs `tributary check` on conf with env and fails unless it
// exits 0 without a warning.
func checkClean(t *testing.T, bin, conf string, env []string) {
	t.Helper()
	cmd := exec.Command(bin, "--config", conf, "check")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tributary check: %v\n%s", err, out)
	}
	if bytes.Contains(bytes.ToLower(out), []byte("warning")) {
		t.Errorf("tributary check warns:\n%s", out)
	}
}

// tributary builds the command into a temporary directory and returns the
// binary's path.
func tributary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the tributary binary")
	}
	bin := filepath.Join(t.TempDir(), "tributary")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/tributary").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// unitValues reads a systemd unit as key -> values (in order), section
// names prefixed: "Service.ExecStart".
func unitValues(t *testing.T, data []byte) map[string][]string {
	t.Helper()
	vals := map[string][]string{}
	section := ""
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("unit: %q is not KEY=VALUE", line)
			}
			k = section + "." + strings.TrimSpace(k)
			vals[k] = append(vals[k], strings.TrimSpace(v))
		}
	}
	return vals
}

const unitFile = "systemd/tributary.service"

func TestSystemdUnit(t *testing.T) {
	data, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	u := unitValues(t, data)
	one := func(key string) string {
		t.Helper()
		v := u[key]
		if len(v) != 1 {
			t.Errorf("%s: %s set %d times, want once", unitFile, key, len(v))
			return ""
		}
		return v[0]
	}

	t.Run("invariants", func(t *testing.T) {
		if got, want := one("Service.ExecStart"), "/usr/bin/tributary --config "+configPath+" serve"; got != want {
			t.Errorf("ExecStart=%s, want %s", got, want)
		}
		if got := u["Service.SystemCallFilter"]; len(got) == 0 || got[0] != "@system-service" {
			t.Errorf("SystemCallFilter=%q, want @system-service first", got)
		}
		if got := one("Service.ExecReload"); !strings.Contains(got, "kill -HUP $MAINPID") {
			t.Errorf("ExecReload=%s does not send SIGHUP to the daemon", got)
		}
		for key, want := range map[string]string{
			"Service.DynamicUser":             "yes",
			"Service.StateDirectory":          "tributary",
			"Service.ConfigurationDirectory":  "tributary",
			"Service.WorkingDirectory":        "/var/lib/tributary",
			"Service.Environment":             "TRIBUTARY_DB=/var/lib/tributary/tributary.db",
			"Service.ProtectSystem":           "strict",
			"Service.NoNewPrivileges":         "yes",
			"Service.CapabilityBoundingSet":   "",
			"Service.RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
			"Service.Restart":                 "on-failure",
		} {
			if got := one(key); got != want {
				t.Errorf("%s=%s, want %s", key, got, want)
			}
		}
	})

	t.Run("systemd-analyze verify", func(t *testing.T) {
		analyze, err := exec.LookPath("systemd-analyze")
		if err != nil {
			msg := "systemd-analyze is missing (Debian package systemd): the unit is not verified"
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
		bin := tributary(t)
		// verify refuses an ExecStart binary that does not exist; this
		// machine has none at /usr/bin/tributary, so the copy verified
		// differs only in naming the binary just built.
		unit := bytes.Replace(data, []byte("ExecStart=/usr/bin/tributary "), []byte("ExecStart="+bin+" "), 1)
		if err := verifyUnit(analyze, t.TempDir(), unit); err != nil {
			t.Error(err)
		}
		// verify exits 0 after an unknown key or value: verifyUnit must
		// still refuse them.
		for _, bad := range []struct{ old, new string }{
			{"ProtectSystem=strict", "ProtectSytem=strict"},
			{"SystemCallFilter=@system-service", "SystemCallFilter=@system-servise"},
		} {
			broken := bytes.Replace(unit, []byte(bad.old), []byte(bad.new), 1)
			if bytes.Equal(broken, unit) {
				t.Fatalf("the unit has no %q", bad.old)
			}
			if err := verifyUnit(analyze, t.TempDir(), broken); err == nil {
				t.Errorf("a unit with %q passed verification", bad.new)
			}
		}
	})

	// The shipped config.yaml in the unit's configuration directory, with
	// the unit's environment, passes check cleanly.
	t.Run("shipped config in the unit", func(t *testing.T) {
		dir := imageConfigDir(t)
		env := append(os.Environ(), strings.Fields(one("Service.Environment"))...)
		checkClean(t, tributary(t), filepath.Join(dir, "config.yaml"), env)
	})
}

// verifyUnit writes unit as dir/tributary.service and runs systemd-analyze
// verify on it; any output (unknown keys and bad values are only
// warnings) is an error.
func verifyUnit(analyze, dir string, unit []byte) error {
	path := filepath.Join(dir, "tributary.service")
	if err := os.WriteFile(path, unit, 0o644); err != nil {
		return err
	}
	out, err := exec.Command(analyze, "verify", "--man=no", path).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		return fmt.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	return nil
}

func TestDeploymentDocs(t *testing.T) {
	data, err := os.ReadFile("../docs/deployment.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, want := range []string{
		configPath,
		"-v tributary-data:/data",
		"TRIBUTARY_BASE_URL",
		"packaging/systemd/tributary.service",
		"systemctl daemon-reload",
		"systemctl enable --now tributary",
		"systemctl reload tributary",
		"go install github.com/tributary/tributary/cmd/tributary@latest",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs/deployment.md does not mention %q", want)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, []byte("go install github.com/tributary/tributary/cmd/tributary@latest")) {
		t.Error("README.md does not show the go install line")
	}
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(mod, []byte("module github.com/tributary/tributary\n")) {
		t.Error("go.mod's module path changed: update the go install line in docs/deployment.md and README.md")
	}
}

// containerEngine returns docker or podman when one is installed and its
// engine answers, else skips: these machines run none, so this stays a
// skip under CI too.
func containerEngine(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"docker", "podman"} {
		path, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		err = exec.CommandContext(ctx, path, "info").Run()
		cancel()
		if err == nil {
			return path
		}
		t.Logf("%s is installed but its engine does not answer (%s info: %v)", name, name, err)
	}
	t.Skip("no container engine (docker or podman) answers: the image is not built")
	return ""
}

// TestDockerImage builds the image and runs it with no network: the
// HEALTHCHECK command reports the daemon healthy, the database is in the
// /data volume, the user is not root and `version` reports the build's
// VERSION.
func TestDockerImage(t *testing.T) {
	engine := containerEngine(t)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Minute)
	defer cancel()
	run := func(args ...string) (string, error) {
		out, err := exec.CommandContext(ctx, engine, args...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", engine, strings.Join(args, " "), err, out)
		}
		return out
	}
	tag := "tributary-test:" + rand.Text()[:12]
	tag = strings.ToLower(tag)
	const version = "v0.0.0-packaging-test"
	build := []string{"build", "--build-arg", "VERSION=" + version, "-t", tag}
	if filepath.Base(engine) == "podman" {
		build = append(build, "--format", "docker") // OCI images drop HEALTHCHECK
	}
	must(append(build, "..")...)
	t.Cleanup(func() { exec.Command(engine, "rmi", "-f", tag).Run() })

	if got := must("run", "--rm", "--network", "none", tag, "version"); got != "tributary "+version {
		t.Errorf("version in the image: %q, want %q", got, "tributary "+version)
	}
	if user := must("inspect", "--format", "{{.Config.User}}", tag); user == "" || user == "root" || strings.HasPrefix(user, "0") {
		t.Errorf("image user %q is root", user)
	}

	id := must("run", "-d", "--network", "none", tag)
	t.Cleanup(func() {
		if t.Failed() {
			logs, _ := exec.Command(engine, "logs", id).CombinedOutput()
			t.Logf("container logs:\n%s", logs)
		}
		exec.Command(engine, "rm", "-f", id).Run()
	})
	healthcheck := []string{"exec", id, "tributary", "--config", configPath, "healthcheck"}
	for {
		out, err := run(healthcheck...)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the HEALTHCHECK command never succeeded; last: %v\n%s", err, out)
		}
		time.Sleep(time.Second)
	}
	dst := filepath.Join(t.TempDir(), "tributary.db")
	must("cp", id+":/data/tributary.db", dst)
	if fi, err := os.Stat(dst); err != nil || fi.Size() == 0 {
		t.Errorf("no database in /data after serve started: %v", err)
	}
}

// TestSystemdSyscallFilter runs serve under strace through a start, a
// fetch, the feeds, a SIGHUP reload and a SIGTERM shutdown, and checks that
// every system call it makes is one the unit's SystemCallFilter allows:
// a call outside it would fail with EPERM under systemd.
func TestSystemdSyscallFilter(t *testing.T) {
	for _, tool := range []string{"strace", "systemd-analyze"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := tool + " is missing (Debian packages strace, systemd): the unit's system call filter is not checked"
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	data, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	allowed := syscallFilter(t, unitValues(t, data)["Service.SystemCallFilter"])

	// The unit runs the daemon as a dynamic user, never root (SQLite, for
	// one, calls fchown as root only): a test run as root drops to nobody.
	dir, err := os.MkdirTemp("", "tributary-syscalls-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "tributary")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/tributary").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	argv := []string{"-f", "-qq", "-o", filepath.Join(dir, "trace")}
	if os.Geteuid() == 0 {
		if err := os.Chown(dir, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		argv = append(argv, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
	}
	feed, err := os.ReadFile("../examples/sample-feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sample.xml"), feed, 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	conf := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(conf, fmt.Appendf(nil, `listen: %s
storage: {dsn: tributary.db}
sources:
  - {name: sample, url: sample.xml}
feeds:
  - {name: all}
`, addr), 0o644); err != nil {
		t.Fatal(err)
	}
	trace := filepath.Join(dir, "trace")
	var log syncBuffer
	cmd := exec.Command("strace", append(argv, bin, "--config", conf, "serve")...)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	waitFor(t, &log, `msg="source fetched" source=sample`)
	for _, path := range []string{"/healthz", "/feeds/all.atom", "/feeds/all.rss", "/feeds/all.json", "/metrics", "/status"} {
		out, err := exec.Command("curl", "-fsS", "-o", "/dev/null", "http://"+addr+path).CombinedOutput()
		if err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, out)
		}
	}
	// strace passes no signal on: send them to the daemon itself, the
	// process strace started.
	pid := tracedPID(t, trace)
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &log, `msg="configuration reloaded"`)
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve under strace: %v\n%s", err, log.String())
	}

	used := tracedSyscalls(t, trace, bin)
	if len(used) < 10 {
		t.Fatalf("strace recorded only %v", used)
	}
	for _, name := range used {
		if !allowed[name] {
			t.Errorf("serve calls %s, which the unit's SystemCallFilter refuses", name)
		}
	}
}

// syscallFilter returns the system calls the SystemCallFilter= lines of a
// unit allow: the first allow-list, plus later allow-lists, minus every ~
// deny-list, with groups (@system-service) expanded by systemd-analyze.
func syscallFilter(t *testing.T, lines []string) map[string]bool {
	t.Helper()
	out, err := exec.Command("systemd-analyze", "syscall-filter", "--no-pager").Output()
	if err != nil {
		t.Fatalf("systemd-analyze syscall-filter: %v", err)
	}
	groups := map[string][]string{}
	var cur string
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		switch {
		case len(f) == 0 || strings.HasPrefix(f[0], "#"):
		case !strings.HasPrefix(line, " ") && strings.HasPrefix(f[0], "@"):
			cur = f[0]
		case cur != "":
			groups[cur] = append(groups[cur], f[0])
		}
	}
	var expand func(name string, into map[string]bool)
	expand = func(name string, into map[string]bool) {
		if !strings.HasPrefix(name, "@") {
			into[name] = true
			return
		}
		members, ok := groups[name]
		if !ok {
			t.Fatalf("systemd-analyze knows no system call group %s", name)
		}
		for _, m := range members {
			expand(m, into)
		}
	}
	allowed := map[string]bool{}
	if len(lines) == 0 || strings.HasPrefix(lines[0], "~") {
		t.Fatalf("SystemCallFilter=%q: want an allow-list first", lines)
	}
	for _, line := range lines {
		set := map[string]bool{}
		deny := strings.HasPrefix(line, "~")
		for _, name := range strings.Fields(strings.TrimPrefix(line, "~")) {
			expand(name, set)
		}
		for name := range set {
			if deny {
				delete(allowed, name)
			} else {
				allowed[name] = true
			}
		}
	}
	return allowed
}

// tracedPID returns the process strace started, from its first line.
func tracedPID(t *testing.T, trace string) int {
	t.Helper()
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Sscanf(string(data), "%d execve(", &pid); err != nil {
		t.Fatalf("strace output does not start with the daemon's execve: %v", err)
	}
	return pid
}

// tracedSyscalls returns the names of the system calls in an strace -f
// output from the execve of bin on, sorted.
func tracedSyscalls(t *testing.T, trace, bin string) []string {
	t.Helper()
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), fmt.Sprintf(" execve(%q", bin))
	if !ok {
		t.Fatalf("strace output has no execve of %s", bin)
	}
	seen := map[string]bool{}
	for line := range strings.Lines(after) {
		_, call, _ := strings.Cut(line, " ")
		call = strings.TrimLeft(call, " ")
		name, _, ok := strings.Cut(call, "(")
		if ok && name != "" && strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == "" {
			seen[name] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// freeAddr returns a 127.0.0.1 address with a port nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// syncBuffer is a bytes.Buffer a child process writes while the test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until log holds s, for at most two minutes.
func waitFor(t *testing.T, log *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(log.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("the log never said %q:\n%s", s, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
