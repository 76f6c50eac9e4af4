package main

import (
	"strings"
	"testing"
)

// TestRunRefusesOverflowingPorts: a port range whose end overflows int is
// refused like any other range past 65535 (issue 8 item 1), with the line
// of the setting, before any call runs.
func TestRunRefusesOverflowingPorts(t *testing.T) {
	for _, r := range []string{"2 9223372036854775807", "65535 9223372036854710807", "1 65536", "1000 -3"} {
		code, out, errs := cli(t, "run", writeScript(t, "set ports "+r+"\nsocket c tcp\n"))
		if code != exitUsage || !strings.Contains(errs, "line 1") || !strings.Contains(errs, "1..65535") || out != "" {
			t.Errorf("set ports %s: exit %d, stdout %q, stderr %q; want exit 2 naming line 1 and the valid range", r, code, out, errs)
		}
	}
}
