package conformance_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/conformance"
	"github.com/disconnectex/disconnectex/native"
	"github.com/disconnectex/disconnectex/spec"
)

// long lets the native backend run the cases that wait out a real
// TIME_WAIT (minutes): go test ./conformance -run TestNative -args -long
var long = flag.Bool("long", false, "run the native backend's cases that wait minutes on the real clock")

// childEnv names the one case a re-executed test binary runs unisolated.
const childEnv = "DISCONNECTEX_NATIVE_CHILD"

// childTimeout bounds one isolated case (process start under Wine included).
const childTimeout = 90 * time.Second

// nativeBackend describes the real Windows implementation: "native" on
// Windows, "wine" under Wine (ntdll exports wine_get_version), each held to
// its own divergence file. It has no virtual time and no settings (Windows'
// TCP settings are the system's); long waits only with -long. It has
// wild-pointer isolation: a case that passes an invalid OVERLAPPED runs in
// a child process (this test binary, re-executed for that case alone), and
// a crash there is that case's outcome.
func nativeBackend() conformance.Backend {
	b := conformance.Backend{
		Name:         "native",
		Divergences:  "native.json",
		Capabilities: []conformance.Capability{conformance.WildPointers},
	}
	if _, wine := native.WineVersion(); wine {
		b.Name, b.Divergences = "wine", "wine.json"
	}
	if *long {
		b.Capabilities = append(b.Capabilities, conformance.LongWaits)
	}
	isolated := os.Getenv(childEnv)
	b.New = func(t testing.TB, s spec.Settings) (spec.API, error) {
		name := caseName(t, b.Name)
		if c, ok := conformance.Lookup(name); ok && slices.Contains(c.Needs, conformance.WildPointers) && isolated != name {
			runIsolated(t, b, name)
			// runIsolated has ended the case; never reached.
		}
		api, err := native.New(s)
		if err != nil {
			return nil, err
		}
		// Registered first, so it runs after the case's own cleanups:
		// what the case left (threads not exited, OVERLAPPEDs not
		// freed) does not outlive it.
		t.Cleanup(func() {
			if err := api.Close(); err != nil {
				t.Logf("native backend Close: %v", err)
			}
		})
		return api, nil
	}
	return b
}

// caseName recovers the case from the constructor's testing.TB, which Run
// names "<backend>/<case>".
func caseName(t testing.TB, backend string) string {
	return strings.TrimPrefix(t.Name(), backend+"/")
}

func TestNative(t *testing.T) {
	b := nativeBackend()
	if _, err := native.New(spec.DefaultSettings()); err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			t.Skipf("native backend: %v", err)
		}
		t.Fatalf("native backend: %v", err)
	}
	if v, wine := native.WineVersion(); wine {
		t.Logf("running under Wine %s: backend %q, divergences %s", v, b.Name, b.Divergences)
	}
	if name := os.Getenv(childEnv); name != "" {
		t.Logf("child process for case %s", name)
	}
	conformance.Run(t, b)
}

// runIsolated runs case name in a child process and ends the current case
// with the child's outcome: passed (runtime.Goexit with no failure),
// failed (the child's output as the failure text, so the divergence data
// match it as they would in-process), skipped, or crashed.
func runIsolated(t testing.TB, b conformance.Backend, name string) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("isolating %s: %v", name, err)
	}
	parts := []string{"^TestNative$"}
	for _, p := range strings.Split(name, "/") {
		parts = append(parts, "^"+regexp.QuoteMeta(p)+"$")
	}
	args := []string{"-test.run=" + strings.Join(parts, "/"), "-test.v", "-test.count=1"}
	if *long {
		args = append(args, "-long")
	}
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), childEnv+"="+name)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	text := out.String()
	full := "TestNative/" + name
	t.Logf("case ran in a child process: %s %s", exe, strings.Join(args, " "))
	switch {
	case strings.Contains(text, "--- PASS: "+full+" ") && strings.Contains(text, "XFAIL: "):
		// The child matched a recorded divergence: give the parent the
		// same failure text so that it reaches the same verdict.
		t.Errorf("in the child process:\n%s", text)
		runtime.Goexit()
	case strings.Contains(text, "--- PASS: "+full+" "):
		t.Logf("child process passed")
		runtime.Goexit()
	case strings.Contains(text, "--- SKIP: "+full+" "):
		t.Skipf("skipped in the child process:\n%s", text)
	case strings.Contains(text, "--- FAIL: "+full+" "):
		t.Errorf("failed in the child process:\n%s", text)
		runtime.Goexit()
	case ctx.Err() != nil:
		t.Fatalf("child process did not finish within %v:\n%s", childTimeout, text)
	default:
		t.Fatalf("child process crashed (%v) before the case ended:\n%s", runErr, text)
	}
	panic(fmt.Sprintf("unreachable: %s", name))
}
