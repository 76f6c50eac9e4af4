package conformance_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/conformance"
	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/internal/backends"
	"github.com/disconnectex/disconnectex/spec"
)

// The emulator's runs of the suite: its own check. They live in this
// external package, with the backends from internal/backends, so that the
// package conformance itself depends on no backend.

// suite returns the conformance backend of an emulator profile.
func suite(t *testing.T, p emulator.Profile, o backends.Options) conformance.Backend {
	t.Helper()
	b, err := backends.Emulator(p).Suite(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEmulatorWindows: the Windows profile passes every case.
func TestEmulatorWindows(t *testing.T) {
	conformance.Run(t, suite(t, emulator.Windows, backends.Options{}))
}

// TestEmulatorDocumented: the documented profile fails exactly the cases
// its divergence file lists.
func TestEmulatorDocumented(t *testing.T) {
	conformance.Run(t, suite(t, emulator.Documented, backends.Options{}))
}

// TestEmulatorNoCapabilities runs the Windows profile as a backend that
// claims nothing, as a native backend without -long does: the cases that
// need a capability skip, and the rest still pass.
func TestEmulatorNoCapabilities(t *testing.T) {
	b := suite(t, emulator.Windows, backends.Options{})
	b.Name, b.Capabilities, b.Known = "emulator-windows-bare", nil, nil
	conformance.Run(t, b)
	skipped := 0
	for _, c := range conformance.Cases() {
		if r := conformance.Execute(b, c); r.Outcome == conformance.Skip && strings.HasPrefix(r.Reason, "needs capability") {
			skipped++
		}
	}
	if n := len(conformance.Cases()); skipped == 0 || skipped == n {
		t.Errorf("%d of %d cases need a capability; want some, not all", skipped, n)
	}
}

// TestDocumentedDivergesOnContradictions: the documented profile follows
// the page, so the clauses it diverges on are exactly those where Windows
// contradicts the page.
func TestDocumentedDivergesOnContradictions(t *testing.T) {
	b := suite(t, emulator.Documented, backends.Options{})
	var got, want []string
	for _, d := range b.Known {
		if !slices.Contains(got, d.Clause) {
			got = append(got, d.Clause)
		}
	}
	for _, c := range spec.Clauses() {
		if c.Status == spec.Contradicts {
			want = append(want, c.ID)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("clauses with divergences for %s: got %v, want the Contradicts clauses %v", b.Name, got, want)
	}
}

// TestExecuteWithoutTesting runs one case through Execute, as the command
// does, outside the testing.T machinery.
func TestExecuteWithoutTesting(t *testing.T) {
	c, ok := conformance.Lookup("reuse/connect-then-connectex")
	if !ok {
		t.Fatal("case not found")
	}
	b := suite(t, emulator.Windows, backends.Options{})
	r := conformance.Execute(b, c)
	if r.Outcome != conformance.Pass {
		t.Errorf("Execute: got %s (%s) %v, want pass", r.Outcome, r.Reason, r.Messages)
	}
	if r.Case != c.Name || r.Backend != b.Name {
		t.Errorf("Execute: result names %q on %q", r.Case, r.Backend)
	}
}

// TestWaitsDeclared measures, on the emulator's virtual clock, how long
// each case waits, and checks that a case waiting more than a few seconds
// declares it in Waits: a backend on a real clock skips it unless it may
// wait that long (LongWaits).
func TestWaitsDeclared(t *testing.T) {
	var emus []*emulator.Emulator
	b := suite(t, emulator.Windows, backends.Options{OnEmulator: func(e *emulator.Emulator) { emus = append(emus, e) }})
	for _, c := range conformance.Cases() {
		emus = nil
		if r := conformance.Execute(b, c); r.Outcome != conformance.Pass {
			t.Errorf("%s: %s: %v", c.Name, r.Outcome, r.Messages)
			continue
		}
		for _, e := range emus {
			if testing.Verbose() && e.Now() > 0 {
				t.Logf("%s: %v virtual", c.Name, e.Now())
			}
			if d := e.Now(); d > max(c.Waits, conformance.LongWait) {
				t.Errorf("%s: waits %v of virtual time but declares Waits %v", c.Name, d, c.Waits)
			}
		}
	}
}

// TestKnownDivergences: the divergences a backend brings as data
// (Backend.Known) decide its verdicts, and bad data fail the case.
func TestKnownDivergences(t *testing.T) {
	doc := suite(t, emulator.Documented, backends.Options{})
	ext := doc
	ext.Name = "external-documented"
	c, _ := conformance.Lookup(doc.Known[0].Case)
	r := conformance.Execute(ext, c)
	if r.Outcome != conformance.XFail {
		t.Errorf("%s with Known: got %s (%s), want xfail", c.Name, r.Outcome, r.Reason)
	}
	if want := "(" + doc.Known[0].File + ")"; doc.Known[0].File == "" || !strings.Contains(r.Reason, want) {
		t.Errorf("the xfail reason does not name the file %q: %s", doc.Known[0].File, r.Reason)
	}
	// Entries built in Go code, as a backend outside the module may pass
	// them: the reason names Backend.Known, or the File they set.
	lit := slices.Clone(doc.Known)
	for i := range lit {
		lit[i].File = ""
	}
	ext.Known = lit
	if r := conformance.Execute(ext, c); r.Outcome != conformance.XFail || strings.Contains(r.Reason, " ():") ||
		!strings.Contains(r.Reason, "(Backend.Known of external-documented)") {
		t.Errorf("Known built in code: got %s (%s), want an xfail naming Backend.Known of external-documented", r.Outcome, r.Reason)
	}
	lit[0].File = "outside_test.go:12"
	if r := conformance.Execute(ext, c); !strings.Contains(r.Reason, "(outside_test.go:12)") {
		t.Errorf("Known with File set: the reason does not name it: %s", r.Reason)
	}
	ext.Known = nil
	if r := conformance.Execute(ext, c); r.Outcome != conformance.Fail {
		t.Errorf("%s without the divergence: got %s, want fail", c.Name, r.Outcome)
	}
	ext.Known = []conformance.Divergence{{Case: c.Name, Clause: "DX-NOPE", Observed: "x", Reason: "r"}}
	if r := conformance.Execute(ext, c); r.Outcome != conformance.Fail || !strings.Contains(r.Reason, "no clause") {
		t.Errorf("invalid Known: got %s (%s), want a fail naming the bad entry", r.Outcome, r.Reason)
	}
}
