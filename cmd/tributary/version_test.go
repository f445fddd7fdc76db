package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionFromLdflags builds the binary as a release would, with
// -ldflags "-X main.version=...", and checks that both ways of asking say
// that version: the linker ignores -X on a variable with a non-constant
// initializer, which once left every stamped build saying "dev".
func TestVersionFromLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "tributary")
	if out, err := exec.Command("go", "build", "-ldflags", "-X main.version=v9.8.7-test", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("tributary %s: %v\n%s", args[0], err, out)
		}
		if got := strings.TrimSpace(string(out)); got != "tributary v9.8.7-test" {
			t.Errorf("tributary %s = %q, want %q", args[0], got, "tributary v9.8.7-test")
		}
	}
}
