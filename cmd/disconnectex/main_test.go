package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/conformance"
	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/internal/backends"
	"github.com/disconnectex/disconnectex/internal/docsync"
	"github.com/disconnectex/disconnectex/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files (testdata/scenarios/*.golden) and docs/errors.md")

// cli runs the command in-process.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{nil, exitUsage},
		{[]string{"frobnicate"}, exitUsage},
		{[]string{"-h"}, exitOK},
		{[]string{"help"}, exitOK},
		{[]string{"help", "run"}, exitOK},
		{[]string{"report", "-h"}, exitOK},
		{[]string{"explain", "-h"}, exitOK},
		{[]string{"trace", "-h"}, exitOK},
		{[]string{"run", "-h"}, exitOK},
		{[]string{"diagram", "-h"}, exitOK},
		{[]string{"report", "-bogus"}, exitUsage},
		{[]string{"report", "-format", "xml"}, exitUsage},
		{[]string{"report", "extra"}, exitUsage},
		{[]string{"explain"}, exitUsage},
		{[]string{"explain", "WSAENOTCONN", "WSAEINVAL"}, exitUsage},
		{[]string{"explain", "99999"}, exitUsage},
		{[]string{"explain", "WSAEWHATEVER"}, exitUsage},
		{[]string{"explain", "-format", "html", "WSAENOTCONN"}, exitUsage},
		{[]string{"explain", "-list"}, exitOK},
		{[]string{"explain", "WSAENOTCONN", "-format", "markdown"}, exitOK},
		{[]string{"trace"}, exitUsage},
		{[]string{"trace", "no/such-case"}, exitUsage},
		{[]string{"trace", "-profile", "linux", "-list"}, exitUsage},
		{[]string{"trace", "-list"}, exitOK},
		{[]string{"run"}, exitUsage},
		{[]string{"run", "no-such-file.dx"}, exitUsage},
		{[]string{"diagram", "-format", "png"}, exitUsage},
		{[]string{"diagram", "-format", "dot"}, exitOK},
	} {
		code, out, errs := cli(t, tc.args...)
		if code != tc.want {
			t.Errorf("disconnectex %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(tc.args, " "), code, tc.want, out, errs)
		}
		if code == exitUsage && errs == "" {
			t.Errorf("disconnectex %s: exit 2 without a message on stderr", strings.Join(tc.args, " "))
		}
		if code == exitOK && out == "" {
			t.Errorf("disconnectex %s: exit 0 with no output", strings.Join(tc.args, " "))
		}
	}
}

func TestHelpNamesEveryCommand(t *testing.T) {
	_, out, _ := cli(t, "-h")
	for _, c := range commands() {
		if !strings.Contains(out, c.name) {
			t.Errorf("usage does not mention %s", c.name)
		}
	}
}

func TestExplainNameAndNumberAgree(t *testing.T) {
	for _, code := range (&reference{clauses: spec.Clauses()}).codes() {
		variants := []string{code.Name(), strings.ToLower(code.Name()), fmt.Sprint(uint32(code))}
		var first string
		for i, v := range variants {
			c, out, errs := cli(t, "explain", v)
			if c != exitOK {
				t.Fatalf("explain %s: exit %d: %s", v, c, errs)
			}
			if i == 0 {
				first = out
				if !strings.Contains(out, code.Name()) {
					t.Errorf("explain %s does not name the code", v)
				}
			} else if out != first {
				t.Errorf("explain %s differs from explain %s", v, variants[0])
			}
		}
	}
}

func TestExplainNotConn(t *testing.T) {
	_, out, _ := cli(t, "explain", "WSAENOTCONN")
	for _, want := range []string{"WSAENOTCONN (10057)", spec.ClauseErrNotConn, spec.ClauseErrNotConnTransmit,
		"Documented causes", "What Windows does", "Wine", "cases:"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain WSAENOTCONN lacks %q", want)
		}
	}
	// Every clause naming the code is a cause, with its page text.
	for _, c := range spec.Clauses() {
		if slices.Contains(c.Errors, spec.WSAENOTCONN) && !strings.Contains(out, c.ID) {
			t.Errorf("explain WSAENOTCONN omits clause %s", c.ID)
		}
	}
	// Cases citing the clauses are listed.
	for _, c := range conformance.Cases() {
		if slices.Contains(c.Clauses, spec.ClauseErrNotConn) && !strings.Contains(out, c.Name) {
			t.Errorf("explain WSAENOTCONN omits case %s", c.Name)
		}
	}
}

func TestExplainAliases(t *testing.T) {
	_, a, _ := cli(t, "explain", "WSA_OPERATION_ABORTED")
	_, b, _ := cli(t, "explain", "995")
	_, c, _ := cli(t, "explain", "enotconn")
	_, d, _ := cli(t, "explain", "0x2749")
	_, e, _ := cli(t, "explain", "WSAENOTCONN")
	if a != b || a == "" {
		t.Error("explain WSA_OPERATION_ABORTED differs from explain 995")
	}
	if c != e || d != e {
		t.Error("explain enotconn / 0x2749 differ from explain WSAENOTCONN")
	}
}

func TestExplainUnknown(t *testing.T) {
	code, out, errs := cli(t, "explain", "99999")
	if code != exitUsage || out != "" {
		t.Fatalf("explain 99999: exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"99999", "WSAENOTCONN", "10057", "explain -list"} {
		if !strings.Contains(errs, want) {
			t.Errorf("explain 99999: message lacks %q:\n%s", want, errs)
		}
	}
}

func TestReportJSON(t *testing.T) {
	code, out, errs := cli(t, "report", "-format", "json")
	if code != exitOK {
		t.Fatalf("report -format json: exit %d\n%s", code, errs)
	}
	if !json.Valid([]byte(out)) {
		t.Fatalf("report -format json is not valid JSON:\n%s", out)
	}
	var r reportData
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if !r.OK {
		t.Error("report says not OK but exited 0")
	}
	names := map[string]backendSummary{}
	for _, b := range r.Backends {
		names[b.Name] = b
	}
	for _, n := range []string{"emulator-windows", "emulator-documented"} {
		if b, ok := names[n]; !ok || !b.Available || b.Counts[lPass] == 0 {
			t.Errorf("backend %s: %+v", n, b)
		}
	}
	if runtime.GOOS != "windows" {
		if b := names["native"]; b.Available || b.Reason == "" {
			t.Errorf("native on %s: %+v, want not available with a reason", runtime.GOOS, b)
		}
	}
	if len(r.Clauses) != len(spec.Clauses()) {
		t.Errorf("%d clause rows, want %d", len(r.Clauses), len(spec.Clauses()))
	}
	// The Documented profile departs from Windows on the Contradicts
	// clauses: their cells are not plain passes there.
	for _, c := range r.Clauses {
		if c.Status == spec.Contradicts && len(c.Cases) > 0 && c.Cells["emulator-documented"].Outcome == lPass {
			t.Errorf("clause %s (contradicts) passes on emulator-documented", c.ID)
		}
	}
}

func TestReportTextAndMarkdown(t *testing.T) {
	for _, f := range []string{"text", "markdown"} {
		code, out, errs := cli(t, "report", "-format", f)
		if code != exitOK {
			t.Fatalf("report -format %s: exit %d\n%s", f, code, errs)
		}
		for _, want := range []string{spec.ClauseErrNotConn, "emulator-windows", "emulator-documented", "not available"} {
			if runtime.GOOS == "windows" && want == "not available" {
				continue
			}
			if !strings.Contains(out, want) {
				t.Errorf("report -format %s lacks %q", f, want)
			}
		}
	}
}

// timeWaitCase is a case that waits out a 240 s TIME_WAIT.
func timeWaitCase(t *testing.T) conformance.Case {
	for _, c := range conformance.Cases() {
		if c.Settings == nil && c.Waits >= spec.DefaultTcpTimedWaitDelay &&
			(slices.Contains(c.Clauses, spec.ClauseFlagTimeWait) || slices.Contains(c.Clauses, spec.ClauseRemTimeWait)) {
			return c
		}
	}
	t.Fatal("no conformance case waits out the default TIME_WAIT")
	return conformance.Case{}
}

func TestTraceTimeWait(t *testing.T) {
	c := timeWaitCase(t)
	// Not a timing assertion: a trace that slept its 240 s in real time
	// would run past this hang guard, which no loaded machine reaches.
	start := time.Now()
	code, out, errs := cli(t, "trace", c.Name)
	if d := time.Since(start); d > 200*time.Second {
		t.Errorf("trace %s took %v of wall time: it waited the TIME_WAIT in real time, not virtual", c.Name, d)
	}
	if code != exitOK {
		t.Fatalf("trace %s: exit %d\n%s\n%s", c.Name, code, out, errs)
	}
	if !strings.Contains(out, " 240s  T") {
		t.Errorf("trace %s shows no event at 240 s:\n%s", c.Name, out)
	}
	for _, want := range []string{"call", "result", "transition", "TIME_WAIT"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace %s lacks %q", c.Name, want)
		}
	}
}

// TestTraceEveryCase checks that trace runs every case and that its exit
// status follows the case's outcome (the report checks the outcomes).
func TestTraceEveryCase(t *testing.T) {
	b := emulatorBackend(emulator.Windows, backends.Options{})
	for _, c := range conformance.Cases() {
		code, out, errs := cli(t, "trace", c.Name)
		want := exitOK
		if conformance.Execute(b, c).Outcome.Failed() {
			want = exitUnexpected
		}
		if code != want || !strings.Contains(out, "# outcome: ") {
			t.Errorf("trace %s: exit %d, want %d\n%s%s", c.Name, code, want, out, errs)
		}
	}
}

func TestDiagramMermaid(t *testing.T) {
	code, out, _ := cli(t, "diagram")
	if code != exitOK {
		t.Fatalf("diagram: exit %d", code)
	}
	for _, want := range []string{"stateDiagram", "connected", "transmit", "TIME_WAIT", "reusable"} {
		if !strings.Contains(out, want) {
			t.Errorf("diagram lacks %q", want)
		}
	}
}

// scenarios lists testdata/scenarios/*.dx.
func scenarios(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "scenarios", "*.dx"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	return files
}

func TestScenariosGolden(t *testing.T) {
	for _, f := range scenarios(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			code, out, errs := cli(t, "run", f)
			if code != exitOK {
				t.Errorf("run %s: exit %d\n%s\n%s", f, code, out, errs)
			}
			golden := strings.TrimSuffix(f, ".dx") + ".golden"
			docsync.CheckFile(t, golden, out, *update, "go test ./cmd/disconnectex -update")
		})
	}
}

func TestDocsErrorsFresh(t *testing.T) {
	code, out, errs := cli(t, "explain", "-all", "-format", "markdown")
	if code != exitOK {
		t.Fatalf("explain -all: exit %d: %s", code, errs)
	}
	docsync.CheckFile(t, filepath.Join("..", "..", "docs", "errors.md"), out, *update,
		"go test ./cmd/disconnectex -update (or go run ./cmd/disconnectex explain -all -format markdown > docs/errors.md)")
}

func writeScript(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "s.dx")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunFailures(t *testing.T) {
	code, _, errs := cli(t, "run", writeScript(t, "socket c tcp\n\nfrobnicate c\n"))
	if code != exitUsage || !strings.Contains(errs, "line 3") {
		t.Errorf("syntax error: exit %d, stderr %q; want 2 naming line 3", code, errs)
	}
	code, out, errs := cli(t, "run", writeScript(t, "socket c tcp overlapped\n# never connected\ndisconnectex c null 0 -> ok\nstate c -> unconnected\n"))
	if code != exitUnexpected || !strings.Contains(errs, "s.dx:3:") || !strings.Contains(errs, "WSAENOTCONN") {
		t.Errorf("unmet expectation: exit %d, stderr %q; want 1 naming line 3 and WSAENOTCONN", code, errs)
	}
	if !strings.Contains(out, "!! expected ok, got WSAENOTCONN") {
		t.Errorf("the timeline does not flag the unmet expectation:\n%s", out)
	}
}

// TestBadInput: every command, given bad flags or arguments, exits 2 with
// a message on stderr that names the command and says what is wrong, prints
// nothing on stdout, and does not panic.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	long := writeScript(t, "socket c tcp\n"+strings.Repeat("x", 70_000)+"\n")
	for _, tc := range []struct {
		args []string
		want string // in stderr
	}{
		{nil, "Usage:"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"-x"}, `unknown command "-x"`},
		{[]string{"help", "frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"help", "run", "trace"}, "want at most one command"},

		{[]string{"report", "-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"report", "-format"}, "flag needs an argument: -format"},
		{[]string{"report", "-format="}, `unknown -format ""`},
		{[]string{"report", "-format", "xml"}, `unknown -format "xml"`},
		{[]string{"report", "-v=maybe"}, "invalid boolean value"},
		{[]string{"report", "extra"}, "report takes no arguments"},

		{[]string{"explain"}, "want exactly one error code"},
		{[]string{"explain", ""}, "empty error code"},
		{[]string{"explain", "WSAENOTCONN", "WSAEINVAL"}, "want exactly one error code"},
		{[]string{"explain", "99999"}, "not a Windows error code this reference knows"},
		{[]string{"explain", "4294967296"}, "not a valid error number"},
		{[]string{"explain", "0x"}, "not a valid error number"},
		{[]string{"explain", "--", "-5"}, "not a Windows error name"},
		{[]string{"explain", "WSAEWHATEVER"}, "not a Windows error name"},
		{[]string{"explain", "-format", "html", "WSAENOTCONN"}, `unknown -format "html"`},
		{[]string{"explain", "-format"}, "flag needs an argument: -format"},
		{[]string{"explain", "-all", "WSAENOTCONN"}, "-all takes no code"},
		{[]string{"explain", "-list", "WSAENOTCONN"}, "-list takes no code"},
		{[]string{"explain", "-all", "-list"}, "cannot be combined"},
		{[]string{"explain", "-all=2"}, "invalid boolean value"},

		{[]string{"trace"}, "want exactly one case name"},
		{[]string{"trace", ""}, "empty case name"},
		{[]string{"trace", "a", "b"}, "want exactly one case name"},
		{[]string{"trace", "no/such-case"}, `no case named "no/such-case"`},
		{[]string{"trace", "reuse/"}, "matches"},
		{[]string{"trace", "-list", "x"}, "-list takes no case"},
		{[]string{"trace", "-profile", "linux", "-list"}, `unknown -profile "linux"`},
		{[]string{"trace", "-profile"}, "flag needs an argument: -profile"},

		{[]string{"run"}, "want exactly one script file"},
		{[]string{"run", "-q"}, "want exactly one script file"},
		{[]string{"run", "a.dx", "b.dx"}, "want exactly one script file"},
		{[]string{"run", "-x", "a.dx"}, "flag provided but not defined: -x"},
		{[]string{"run", filepath.Join(dir, "no-such-file.dx")}, "no such file"},
		{[]string{"run", dir}, "is a directory"},
		{[]string{"run", long}, "line 2: line longer than"},
		{[]string{"run", writeScript(t, "socket c tcp\nrecv c 4294967295\n")}, "line 2: recv buffer size"},
		{[]string{"run", writeScript(t, "set timedwaitdelay 301s\n")}, "line 1: spec: TcpTimedWaitDelay"},

		{[]string{"diagram", "x"}, "diagram takes no arguments"},
		{[]string{"diagram", "-format"}, "flag needs an argument: -format"},
		{[]string{"diagram", "-format", "png"}, `unknown -format "png"`},
	} {
		name := strings.Join(tc.args, " ")
		var code int
		var out, errs string
		func() {
			defer func() {
				if v := recover(); v != nil {
					t.Errorf("disconnectex %s: panic: %v", name, v)
				}
			}()
			code, out, errs = cli(t, tc.args...)
		}()
		if code != exitUsage {
			t.Errorf("disconnectex %s: exit %d, want %d\nstderr: %s", name, code, exitUsage, errs)
		}
		if out != "" {
			t.Errorf("disconnectex %s: bad usage printed on stdout:\n%s", name, out)
		}
		if !strings.Contains(errs, tc.want) {
			t.Errorf("disconnectex %s: stderr %q, want it to contain %q", name, errs, tc.want)
		}
		if len(tc.args) > 0 && !strings.HasPrefix(errs, "disconnectex") {
			t.Errorf("disconnectex %s: stderr %q does not start with the command's name", name, errs)
		}
	}
}

// TestAutoNamesAreCalls: every call the trace namer names the results of
// is a call the emulator's trace reports, over the whole case table.
func TestAutoNamesAreCalls(t *testing.T) {
	calls := map[string]bool{}
	var ems []*emulator.Emulator
	b := emulatorBackend(emulator.Windows, backends.Options{
		Emulator:   []emulator.Option{emulator.WithTrace()},
		OnEmulator: func(e *emulator.Emulator) { ems = append(ems, e) },
	})
	for _, c := range conformance.Cases() {
		ems = ems[:0]
		conformance.Execute(b, c)
		for _, e := range ems {
			collectCalls(e, calls)
		}
	}
	for call := range autoNames {
		if !calls[call] {
			t.Errorf("autoNames names %q, which no trace of the cases reports", call)
		}
	}
}

func collectCalls(e *emulator.Emulator, calls map[string]bool) {
	for _, ev := range e.Trace() {
		if ev.Kind == emulator.KindCall {
			calls[ev.Call] = true
		}
	}
}
