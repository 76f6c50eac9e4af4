package conformance_test

import (
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/conformance"
	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/internal/backends"
	"github.com/disconnectex/disconnectex/spec"
)

// line returns the line of its caller.
func line() int { _, _, l, _ := runtime.Caller(1); return l }

// wantNotSocket is a helper in the style of the suite's: its failure is
// the caller's.
func wantNotSocket(t *conformance.T, api spec.API, s spec.Socket) {
	t.Helper()
	if _, err := api.Getsockname(s); err == nil {
		t.Errorf("getsockname on a socket succeeded")
	}
}

// TestFailureSites: a failing case names its own place, not Run's: each
// message starts with the file:line of the check that failed (through
// helpers, as testing.T.Helper does), and Case.Site gives the line of
// the case's declaration.
func TestFailureSites(t *testing.T) {
	var direct, viaHelper int
	bodyLine := line() + 1
	c := conformance.Case{Name: "params/zero-flags", Clauses: []string{spec.ClausePurpose}, Body: func(t *conformance.T, api spec.API) {
		s, err := api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
		if err != nil {
			t.Fatalf("socket: %v", err)
		}
		if err := api.Bind(s, netip.MustParseAddrPort("127.0.0.1:0")); err != nil {
			t.Fatalf("bind: %v", err)
		}
		direct = line() + 1
		t.Errorf("a check that fails")
		viaHelper = line() + 1
		wantNotSocket(t, api, s)
	}}
	if got, want := c.Site(), fmt.Sprintf("site_test.go:%d", bodyLine); got != want {
		t.Errorf("Site() = %q, want %q", got, want)
	}
	b := suite(t, emulator.Windows, backends.Options{})
	r := conformance.Execute(b, c)
	if r.Outcome != conformance.Fail || len(r.Messages) != 2 {
		t.Fatalf("got %s with %q, want a fail with two messages", r.Outcome, r.Messages)
	}
	for i, want := range []int{direct, viaHelper} {
		if prefix := fmt.Sprintf("site_test.go:%d: ", want); !strings.HasPrefix(r.Messages[i], prefix) {
			t.Errorf("message %d = %q, want the prefix %q", i, r.Messages[i], prefix)
		}
	}
	// Every case of the table has a site in a cases_*.go file.
	for _, c := range conformance.Cases() {
		if s := c.Site(); !strings.HasPrefix(s, "cases_") {
			t.Errorf("%s: Site() = %q, want a cases_*.go file", c.Name, s)
		}
	}
}
