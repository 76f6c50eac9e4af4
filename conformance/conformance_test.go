package conformance

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/internal/docsync"
	"github.com/disconnectex/disconnectex/spec"
)

var update = flag.Bool("update", false, "rewrite docs/coverage.md and the README's Wine divergence table")

// emulatorBackend describes one emulator profile as a backend. The
// disconnectex command's report builds the same backends
// (cmd/disconnectex/backends.go): keep names, capabilities and divergence
// files in step.
func emulatorBackend(name string, p emulator.Profile, divergences string) Backend {
	return Backend{
		Name: name,
		New: func(t testing.TB, s spec.Settings) (spec.API, error) {
			e, err := emulator.New(s, emulator.WithProfile(p))
			if err != nil {
				return nil, err
			}
			return e, nil
		},
		Capabilities: []Capability{VirtualTime, Settings, Introspection, WildPointers},
		Divergences:  divergences,
	}
}

var (
	windowsBackend    = emulatorBackend("emulator-windows", emulator.Windows, "emulator-windows.json")
	documentedBackend = emulatorBackend("emulator-documented", emulator.Documented, "emulator-documented.json")
)

// TestEmulatorWindows: the Windows profile passes every case.
func TestEmulatorWindows(t *testing.T) { Run(t, windowsBackend) }

// TestEmulatorDocumented: the documented profile fails exactly the cases
// its divergence file lists.
func TestEmulatorDocumented(t *testing.T) { Run(t, documentedBackend) }

// TestEmulatorNoCapabilities runs the Windows profile as a backend that
// claims nothing, as a native backend without -long does: the cases that
// need a capability skip, and the rest still pass.
func TestEmulatorNoCapabilities(t *testing.T) {
	b := windowsBackend
	b.Name, b.Capabilities, b.Divergences = "emulator-windows-bare", nil, ""
	Run(t, b)
	skipped := 0
	for _, c := range Cases() {
		if missing(b, c) != "" {
			skipped++
		}
	}
	if skipped == 0 || skipped == len(Cases()) {
		t.Errorf("%d of %d cases need a capability; want some, not all", skipped, len(Cases()))
	}
}

func TestCoverage(t *testing.T) {
	for _, p := range CoverageProblems() {
		t.Error(p)
	}
	if n := len(Cases()); n < 60 {
		t.Errorf("%d cases, want at least 60", n)
	}
}

func TestCaseNames(t *testing.T) {
	for _, c := range Cases() {
		group, rest, ok := strings.Cut(c.Name, "/")
		if !ok || group == "" || rest == "" || strings.Contains(rest, "/") || strings.ContainsAny(c.Name, " \t") {
			t.Errorf("case %q: want a name \"group/what-it-checks\" without spaces", c.Name)
		}
	}
}

func TestDivergenceFilesValid(t *testing.T) {
	files, err := DivergenceFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		df, err := LoadDivergences(f)
		if err != nil {
			t.Error(err)
			continue
		}
		if want := strings.TrimSuffix(f, ".json"); df.Backend != want {
			t.Errorf("%s: backend %q, want %q", f, df.Backend, want)
		}
	}
	all, err := LoadAllDivergences()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(files) {
		t.Errorf("LoadAllDivergences: %d files, want %d", len(all), len(files))
	}
	for i, df := range all {
		if want := strings.TrimSuffix(files[i], ".json"); df.Backend != want {
			t.Errorf("LoadAllDivergences: file %d is backend %q, want %q", i, df.Backend, want)
		}
	}
	w, err := LoadDivergences("emulator-windows.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Entries) != 0 {
		t.Errorf("emulator-windows.json has %d entries, want none: the Windows profile must pass every case", len(w.Entries))
	}
}

// TestDocumentedDivergesOnContradictions: the documented profile follows
// the page, so the clauses it diverges on are exactly those where Windows
// contradicts the page.
func TestDocumentedDivergesOnContradictions(t *testing.T) {
	df, err := LoadDivergences(documentedBackend.Divergences)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, d := range df.Entries {
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
		t.Errorf("clauses with divergences for %s: got %v, want the Contradicts clauses %v", documentedBackend.Name, got, want)
	}
}

func TestCoverageDoc(t *testing.T) {
	docsync.CheckFile(t, filepath.Join("..", "docs", "coverage.md"), CoverageMarkdown(), *update,
		"go test ./conformance -run TestCoverageDoc -update")
}

// TestReadmeWineTable checks the README's copy of the Wine divergence table.
func TestReadmeWineTable(t *testing.T) {
	want, err := DivergenceTable("wine.json")
	if err != nil {
		t.Fatal(err)
	}
	docsync.Check(t, filepath.Join("..", "README.md"), "divergence-table:wine", want, *update,
		"go test ./conformance -run TestReadmeWineTable -update")
}

// TestExecuteWithoutTesting runs one case through Execute, as the command
// does, outside the testing.T machinery.
func TestExecuteWithoutTesting(t *testing.T) {
	c, ok := Lookup("reuse/connect-then-connectex")
	if !ok {
		t.Fatal("case not found")
	}
	r := Execute(windowsBackend, c)
	if r.Outcome != Pass {
		t.Errorf("Execute: got %s (%s) %v, want pass", r.Outcome, r.Reason, r.Messages)
	}
	if r.Case != c.Name || r.Backend != windowsBackend.Name {
		t.Errorf("Execute: result names %q on %q", r.Case, r.Backend)
	}
}

// The outcomes of the framework itself, on synthetic cases.
func TestOutcomes(t *testing.T) {
	b := Backend{Name: "fake", New: func(testing.TB, spec.Settings) (spec.API, error) { return nil, nil }}
	body := func(f func(t *T)) func(*T, spec.API) { return func(t *T, _ spec.API) { f(t) } }
	ended := false
	for _, tc := range []struct {
		name string
		c    Case
		divs []Divergence
		want Outcome
		why  string
	}{
		{"pass", Case{Name: "x/pass", Body: body(func(t *T) {})}, nil, Pass, ""},
		{"fail", Case{Name: "x/fail", Body: body(func(t *T) { t.Errorf("got A, want B") })}, nil, Fail, ""},
		{"fatal ends the body", Case{Name: "x/fatal", Body: body(func(t *T) { t.Fatalf("stop"); ended = true })}, nil, Fail, ""},
		{"panic", Case{Name: "x/panic", Body: body(func(t *T) { panic("boom") })}, nil, Fail, ""},
		{"xfail", Case{Name: "x/xfail", Body: body(func(t *T) { t.Errorf("call: got WSAENOTCONN, want success") })},
			[]Divergence{{Case: "x/xfail", Clause: "C", Observed: "got WSAENOTCONN", Reason: "r"}}, XFail, "known divergence"},
		{"xfail with another text", Case{Name: "x/other", Body: body(func(t *T) { t.Errorf("call: got WSAEINVAL") })},
			[]Divergence{{Case: "x/other", Clause: "C", Observed: "got WSAENOTCONN", Reason: "r"}}, Fail, "not as"},
		{"unexpected pass", Case{Name: "x/xpass", Body: body(func(t *T) {})},
			[]Divergence{{Case: "x/xpass", Clause: "C", Observed: "got X", Reason: "r"}}, XPass, "but the case passed"},
		{"missing capability", Case{Name: "x/skip", Needs: []Capability{WildPointers}, Body: body(func(t *T) {})}, nil, Skip, "needs capability wild-pointers: "},
		{"long wait", Case{Name: "x/wait", Waits: 1 << 40, Body: body(func(t *T) {})}, nil, Skip, "needs capability virtual-time or long-waits"},
		{"settings", Case{Name: "x/settings", Settings: func(*spec.Settings) {}, Body: body(func(t *T) {})}, nil, Skip, "needs capability settings"},
		{"self skip", Case{Name: "x/selfskip", Body: body(func(t *T) { t.Skipf("no IPv6") })}, nil, Skip, "no IPv6"},
	} {
		r := execute(b, tc.c, tc.divs)
		if r.Outcome != tc.want || !strings.Contains(r.Reason, tc.why) {
			t.Errorf("%s: got %s (%q), want %s with reason containing %q", tc.name, r.Outcome, r.Reason, tc.want, tc.why)
		}
	}
	if ended {
		t.Error("Fatalf did not end the body")
	}
}

func TestCleanupOrder(t *testing.T) {
	var order []int
	b := Backend{Name: "fake", New: func(tb testing.TB, _ spec.Settings) (spec.API, error) {
		tb.Cleanup(func() { order = append(order, 0) })
		return nil, nil
	}}
	c := Case{Name: "x/cleanup", Body: func(t *T, _ spec.API) {
		t.Cleanup(func() { order = append(order, 1) })
		t.Cleanup(func() { order = append(order, 2) })
		t.Fatalf("stop")
	}}
	execute(b, c, nil)
	if !slices.Equal(order, []int{2, 1, 0}) {
		t.Errorf("cleanup order: got %v, want [2 1 0]", order)
	}
}

func TestValidateDivergences(t *testing.T) {
	for _, tc := range []struct {
		d    Divergence
		want string
	}{
		{Divergence{Case: "no/such-case", Clause: spec.ClausePurpose, Observed: "x", Reason: "r"}, "no case named"},
		{Divergence{Case: "errors/notconn-fresh", Clause: "DX-NOPE", Observed: "x", Reason: "r"}, "no clause"},
		{Divergence{Case: "errors/notconn-fresh", Clause: spec.ClausePurpose, Observed: "x", Reason: "r"}, "not one the case cites"},
		{Divergence{Case: "errors/notconn-fresh", Clause: spec.ClauseErrNotConn, Reason: "r"}, "observed is empty"},
	} {
		err := ValidateDivergences([]Divergence{tc.d})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ValidateDivergences(%+v): got %v, want an error containing %q", tc.d, err, tc.want)
		}
	}
}

func TestConstructorTB(t *testing.T) {
	var name string
	var ctxDone bool
	b := Backend{Name: "fake", New: func(tb testing.TB, _ spec.Settings) (spec.API, error) {
		name = tb.Name()
		ctx := tb.Context()
		tb.Cleanup(func() { ctxDone = ctx.Err() != nil })
		dir := tb.TempDir()
		if _, err := os.Stat(dir); err != nil {
			tb.Fatalf("TempDir: %v", err)
		}
		return nil, nil
	}}
	r := execute(b, Case{Name: "x/tb", Body: func(*T, spec.API) {}}, nil)
	if r.Outcome != Pass {
		t.Fatalf("got %s: %v %s", r.Outcome, r.Messages, r.Reason)
	}
	if name != "fake/x/tb" {
		t.Errorf("tb.Name(): got %q, want %q", name, "fake/x/tb")
	}
	if ctxDone {
		t.Errorf("tb.Context() was canceled before the cleanups ran")
	}
}

// TestWaitsDeclared measures, on the emulator's virtual clock, how long
// each case waits, and checks that a case waiting more than a few seconds
// declares it in Waits: a backend on a real clock skips it unless it may
// wait that long (LongWaits).
func TestWaitsDeclared(t *testing.T) {
	for _, c := range Cases() {
		var emus []*emulator.Emulator
		b := windowsBackend
		b.Divergences = ""
		b.New = func(tb testing.TB, s spec.Settings) (spec.API, error) {
			e, err := emulator.New(s)
			if err != nil {
				return nil, err
			}
			emus = append(emus, e)
			return e, nil
		}
		if r := Execute(b, c); r.Outcome != Pass {
			t.Errorf("%s: %s: %v", c.Name, r.Outcome, r.Messages)
			continue
		}
		for _, e := range emus {
			if testing.Verbose() && e.Now() > 0 {
				t.Logf("%s: %v virtual", c.Name, e.Now())
			}
			if d := e.Now(); d > max(c.Waits, longWait) {
				t.Errorf("%s: waits %v of virtual time but declares Waits %v", c.Name, d, c.Waits)
			}
		}
	}
}

// TestWin32Faces: the Win32 codes a completed request reports are those of
// the NTSTATUS behind each Winsock outcome.
func TestWin32Faces(t *testing.T) {
	got := win32Faces(spec.ERROR_SUCCESS, spec.WSAENOTCONN, spec.WSAECONNRESET, spec.WSA_OPERATION_ABORTED)
	want := []spec.Errno{spec.ERROR_SUCCESS, spec.ERROR_UNEXP_NET_ERR, spec.ERROR_NETNAME_DELETED, spec.ERROR_OPERATION_ABORTED}
	if !slices.Equal(got, want) {
		t.Errorf("win32Faces: got %s, want %s", names(got), names(want))
	}
}

// TestDefaultDelay: the default TIME_WAIT delay every case that does not
// set its own runs with is the page's 2 MSL (timewait/delay-240s-default
// then measures it on the backend).
func TestDefaultDelay(t *testing.T) {
	if d := spec.DefaultSettings().TcpTimedWaitDelay; d != 2*spec.MSL {
		t.Errorf("spec.DefaultSettings().TcpTimedWaitDelay: got %v, want 2 MSL = %v", d, 2*spec.MSL)
	}
}

// TestKnownDivergences: a backend outside this module brings its
// divergences as data (Backend.Known) and gets the same verdicts as from an
// embedded file.
func TestKnownDivergences(t *testing.T) {
	f, err := LoadDivergences(documentedBackend.Divergences)
	if err != nil {
		t.Fatal(err)
	}
	ext := documentedBackend
	ext.Name, ext.Divergences, ext.Known = "external-documented", "", f.Entries
	c, _ := Lookup(f.Entries[0].Case)
	if r := Execute(ext, c); r.Outcome != XFail {
		t.Errorf("%s with Known: got %s (%s), want xfail", c.Name, r.Outcome, r.Reason)
	}
	ext.Known = nil
	if r := Execute(ext, c); r.Outcome != Fail {
		t.Errorf("%s without the divergence: got %s, want fail", c.Name, r.Outcome)
	}
	ext.Known = f.Entries[:1]
	ext.Divergences = documentedBackend.Divergences
	if r := Execute(ext, c); r.Outcome != Fail || !strings.Contains(r.Reason, "both") {
		t.Errorf("Divergences and Known together: got %s (%s), want a fail naming both", r.Outcome, r.Reason)
	}
	ext.Divergences, ext.Known = "", []Divergence{{Case: "no/such-case", Clause: spec.ClausePurpose, Observed: "x", Reason: "r"}}
	if r := Execute(ext, c); r.Outcome != Fail || !strings.Contains(r.Reason, "no case named") {
		t.Errorf("invalid Known: got %s (%s), want a fail naming the bad entry", r.Outcome, r.Reason)
	}
}
