package conformance_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/conformance"
	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// myBackend is how a module outside this one hands its own spec.API to
// the suite. Here the outside backend is the emulator's Documented
// profile (the DisconnectEx page read literally), wrapped as if it were
// someone else's; its one known divergence is written in Go, with File
// naming where it comes from (from a JSON file, use
// conformance.ParseDivergences instead).
func myBackend() conformance.Backend {
	return conformance.Backend{
		Name: "my-backend",
		New: func(t testing.TB, s spec.Settings) (spec.API, error) {
			return emulator.New(s, emulator.WithProfile(emulator.Documented))
		},
		Capabilities: []conformance.Capability{conformance.VirtualTime, conformance.Settings, conformance.Introspection},
		Known: []conformance.Divergence{{
			Case:     "errors/transmit-second-flags-zero",
			Clause:   spec.ClauseErrNotConnTransmit,
			Expected: "a second DisconnectEx(s, NULL, 0, 0) returns TRUE, as on Windows",
			Observed: "in transmit-closing: got WSAENOTCONN",
			Reason:   "my backend follows the page: a socket in the transmit closing state fails WSAENOTCONN",
			File:     "my_backend_test.go",
		}},
	}
}

// conformance.Run with an outside backend. In the outside module's test
// file it is one line:
//
//	func TestMyBackend(t *testing.T) { conformance.Run(t, myBackend()) }
//
// Run makes every case a subtest: a recorded divergence passes as xfail
// (and fails the run once it stops happening), any other failure fails
// with the failing check's file:line. Outside go test, Execute runs one
// case, as here.
func ExampleRun() {
	b := myBackend()
	for _, name := range []string{"errors/transmit-second-flags-zero", "params/lookup-disconnectex"} {
		c, ok := conformance.Lookup(name)
		if !ok {
			fmt.Println("no case", name)
			continue
		}
		r := conformance.Execute(b, c)
		fmt.Printf("%s: %s\n", name, r.Outcome)
		if r.Outcome == conformance.XFail {
			fmt.Println("  from", r.Reason[strings.Index(r.Reason, "(")+1:strings.Index(r.Reason, ")")])
		}
	}
	// Output:
	// errors/transmit-second-flags-zero: xfail
	//   from my_backend_test.go
	// params/lookup-disconnectex: pass
}
