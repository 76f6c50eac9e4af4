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
	"github.com/disconnectex/disconnectex/internal/backends"
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

// nativeBackend is the real Windows implementation as internal/backends
// describes it: "native" on Windows, "wine" under Wine, each held to its own
// divergence file, with no virtual time and no settings. This test adds
// long waits with -long, and wild-pointer isolation: a case that passes an
// invalid OVERLAPPED runs in a child process (this test binary,
// re-executed for that case alone), and a crash there is that case's
// outcome.
func nativeBackend(t *testing.T) conformance.Backend {
	b, err := backends.Native().Suite(backends.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b.Capabilities = append(b.Capabilities, conformance.WildPointers)
	if *long {
		b.Capabilities = append(b.Capabilities, conformance.LongWaits)
	}
	isolated := os.Getenv(childEnv)
	inProcess := b.New
	b.New = func(t testing.TB, s spec.Settings) (spec.API, error) {
		name := caseName(t, b.Name)
		if c, ok := conformance.Lookup(name); ok && slices.Contains(c.Needs, conformance.WildPointers) && isolated != name {
			runIsolated(t, b, name)
			// runIsolated has ended the case; never reached.
		}
		return inProcess(t, s)
	}
	return b
}

// caseName recovers the case from the constructor's testing.TB, which Run
// names "<backend>/<case>".
func caseName(t testing.TB, backend string) string {
	return strings.TrimPrefix(t.Name(), backend+"/")
}

func TestNative(t *testing.T) {
	api, err := native.New(spec.DefaultSettings())
	if err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			t.Skipf("native backend: %v", err)
		}
		t.Fatalf("native backend: %v", err)
	}
	api.Close()
	nb := backends.Native()
	b := nativeBackend(t)
	if v, wine := native.WineVersion(); wine {
		t.Logf("running under Wine %s: backend %q, divergences %s", v, b.Name, nb.File())
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
