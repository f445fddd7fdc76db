package extract

import (
	"os"
	"os/exec"
	"testing"
	_ "time/tzdata" // the zones below, even where the system has none
)

// A date means the same on every server: rerun the date tests in zones
// where "CST" or "IST" name other offsets, or where a numeric offset has a
// local name (time.Parse would take the machine's meaning of them).
func TestDatesAreTheSameInEveryMachineZone(t *testing.T) {
	if os.Getenv("TRIBUTARY_ZONE_CHILD") != "" {
		t.Skip("running inside the zone test's child process")
	}
	for _, tz := range []string{"Asia/Shanghai", "Europe/Dublin", "America/Chicago"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestParseDate$", "-test.count=1")
		cmd.Env = append(os.Environ(), "TZ="+tz, "TRIBUTARY_ZONE_CHILD=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("TZ=%s: %v\n%s", tz, err, out)
		}
	}
}
