package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestLogSwitch checks that loggers derived with With and WithGroup
// before a switch write in the new format and level after it.
func TestLogSwitch(t *testing.T) {
	var buf bytes.Buffer
	sw := newLogSwitch(slog.NewJSONHandler(&buf, nil))
	root := slog.New(sw)
	derived := root.With(slog.String("source", "news")).WithGroup("fetch")
	derived.Info("before", slog.Int("new", 1))
	derived.Debug("hidden")
	sw.Set(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	derived.Info("after", slog.Int("new", 2))
	derived.Debug("shown")
	root.Info("root")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		`"msg":"before","source":"news","fetch":{"new":1}}`,
		`level=INFO msg=after source=news fetch.new=2`,
		`level=DEBUG msg=shown source=news`,
		`level=INFO msg=root`,
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d: %s\nwant it to hold %s", i+1, lines[i], w)
		}
	}
}
