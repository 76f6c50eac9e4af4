package main

import (
	"strings"
	"testing"
)

// TestExplainStatus: explain takes the NTSTATUS names and values its own
// output talks about, by name (any case, STATUS_ optional) or number, and
// explains them through their faces.
func TestExplainStatus(t *testing.T) {
	code, byName, errs := cli(t, "explain", "STATUS_CANCELLED")
	if code != exitOK {
		t.Fatalf("explain STATUS_CANCELLED: exit %d\n%s", code, errs)
	}
	for _, want := range []string{"STATUS_CANCELLED (0xC0000120)", "GetOverlappedResult      ERROR_OPERATION_ABORTED (995)",
		"WSAGetOverlappedResult   WSA_OPERATION_ABORTED (995)", "What it means for DisconnectEx"} {
		if !strings.Contains(byName, want) {
			t.Errorf("explain STATUS_CANCELLED lacks %q:\n%s", want, byName)
		}
	}
	for _, arg := range []string{"0xC0000120", "3221225760", "status_cancelled", "CANCELLED"} {
		if code, out, errs := cli(t, "explain", arg); code != exitOK || out != byName {
			t.Errorf("explain %s: exit %d, output differs from explain STATUS_CANCELLED\n%s", arg, code, errs)
		}
	}
	// Two faces, related by errors.Is, each explained.
	_, out, _ := cli(t, "explain", "STATUS_CONNECTION_REFUSED")
	for _, want := range []string{"ERROR_CONNECTION_REFUSED (1225)", "WSAECONNREFUSED (10061)", "errors.Is relates the two faces"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain STATUS_CONNECTION_REFUSED lacks %q", want)
		}
	}
	// A status outside the named table with a recorded Winsock face.
	_, out, _ = cli(t, "explain", "0xC0000008")
	if !strings.Contains(out, "WSAENOTSOCK (10038)") || !strings.Contains(out, "not recorded in this reference") {
		t.Errorf("explain 0xC0000008:\n%s", out)
	}
	if code, out, _ := cli(t, "explain", "-format", "markdown", "STATUS_CANCELLED"); code != exitOK || !strings.HasPrefix(out, "# STATUS_CANCELLED (0xC0000120)\n") {
		t.Errorf("explain -format markdown STATUS_CANCELLED: exit %d\n%s", code, out)
	}
	code, _, errs = cli(t, "explain", "0xC0009999")
	if code != exitUsage || !strings.Contains(errs, "STATUS_CANCELLED") {
		t.Errorf("explain 0xC0009999: exit %d, want %d and the list of statuses\n%s", code, exitUsage, errs)
	}
}
