package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// snakeKey is the shape of every key of a JSON log line.
var snakeKey = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// TestServeJSONLogs runs `tributary serve` as a process with log_format:
// json and log_level: debug: every line it writes on stderr, from start
// to stop through a reload, is one JSON object with time, level and msg
// and snake_case keys, until a reload switches log_format to text: from
// then on every line is text. Along the way /metrics carries the
// binary's version in tributary_build_info, `tributary healthcheck` finds
// the daemon healthy, and the configuration's warning is logged once at
// WARN at start and once after the reload.
func TestServeJSONLogs(t *testing.T) {
	bin := tributaryBinary(t)
	addr, conf, text := projectText(t)
	remoteURL := regexp.MustCompile(`url: (http://\S+/feed\.atom)\n`).FindStringSubmatch(text)
	if remoteURL == nil {
		t.Fatalf("no remote source in the test configuration:\n%s", text)
	}
	text = "log_format: json\nlog_level: debug\n" + strings.Replace(text, "feeds:\n", "  - name: again\n    url: "+remoteURL[1]+"\nfeeds:\n", 1)
	writeFile(t, conf, text)

	var stdout bytes.Buffer
	stderr := &syncBuffer{}
	cmd := exec.Command(bin, "--config", conf, "serve")
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := "http://" + addr
	waitStatus(t, base+"/feeds/all.atom", 200, stderr)

	body := waitFetched(t, base)
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	wantVersion := strings.TrimSpace(strings.TrimPrefix(string(out), "tributary "))
	info := families["tributary_build_info"]
	if info == nil || len(info.GetMetric()) != 1 {
		t.Fatalf("want one tributary_build_info series:\n%s", body)
	}
	labels := map[string]string{}
	for _, l := range info.GetMetric()[0].GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	if labels["version"] != wantVersion || !strings.HasPrefix(labels["goversion"], "go") || info.GetMetric()[0].GetGauge().GetValue() != 1 {
		t.Errorf("tributary_build_info %v = %v, want version %q, a goversion, 1", labels, info.GetMetric()[0].GetGauge().GetValue(), wantVersion)
	}

	if code, out, errOut := runCmd(t, context.Background(), "--config", conf, "healthcheck"); code != exitOK || out != "ok\n" || errOut != "" {
		t.Errorf("healthcheck of a healthy daemon: exit %d, %q %q", code, out, errOut)
	}

	writeFile(t, conf, strings.Replace(text, "log_format: json\n", "log_format: text\n", 1))
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(t, stderr, `msg="configuration reloaded"`)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, stderr); code != 0 {
		t.Fatalf("exit %d; log:\n%s", code, stderr)
	}

	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	msgs := map[string]int{}
	switched := false
	for _, line := range lines {
		if switched {
			if !strings.HasPrefix(line, "time=") || !strings.Contains(line, " level=") || !strings.Contains(line, " msg=") {
				t.Errorf("not a text line after log_format changed to text: %q", line)
			}
			if strings.Contains(line, `msg="configuration warning"`) {
				msgs["configuration warning"]++
			}
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("not a JSON object: %q: %v", line, err)
			continue
		}
		for _, k := range []string{"time", "level", "msg"} {
			if s, ok := rec[k].(string); !ok || s == "" {
				t.Errorf("no %s in %s", k, line)
			}
		}
		checkSnakeKeys(t, line, rec)
		msg, _ := rec["msg"].(string)
		msgs[msg]++
		if msg == "reload: log format or level changed" {
			switched = true
		}
		if msg == "configuration warning" {
			if w, _ := rec["warning"].(string); rec["level"] != "WARN" || !strings.Contains(w, `sources[3].url: same URL as source "remote"`) {
				t.Errorf("warning line %s, want WARN naming sources[3] and remote", line)
			}
		}
	}
	// Once at start, once after the reload.
	if msgs["configuration warning"] != 2 {
		t.Errorf("%d configuration warnings logged, want 2 (start and reload):\n%s", msgs["configuration warning"], stderr)
	}
	if msgs["serving"] != 1 || msgs["reload requested"] != 1 || !switched {
		t.Errorf("want JSON lines up to the reload, which switches to text:\n%s", stderr)
	}
	if !strings.HasSuffix(strings.TrimSpace(stderr.String()), `msg=stopped`) {
		t.Errorf("the last line is not the text line of the stop:\n%s", stderr)
	}
	if len(lines) < 10 {
		t.Errorf("only %d lines: the debug log was expected to say more:\n%s", len(lines), stderr)
	}
}

// checkSnakeKeys fails for every key of rec, nested groups included, that
// is not snake_case.
func checkSnakeKeys(t *testing.T, line string, rec map[string]any) {
	t.Helper()
	for k, v := range rec {
		if !snakeKey.MatchString(k) {
			t.Errorf("key %q is not snake_case in %s", k, line)
		}
		if group, ok := v.(map[string]any); ok {
			checkSnakeKeys(t, line, group)
		}
	}
}
