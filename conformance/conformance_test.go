package conformance

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/internal/docsync"
	"github.com/disconnectex/disconnectex/spec"
)

var update = flag.Bool("update", false, "rewrite docs/coverage.md")

func TestCoverage(t *testing.T) {
	for _, p := range coverageProblems() {
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
		{"settings", Case{Name: "x/settings", Needs: []Capability{Settings}, Settings: func(*spec.Settings) {}, Body: body(func(t *T) {})}, nil, Skip, "needs capability settings"},
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
		err := validateDivergences([]Divergence{tc.d})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("validateDivergences(%+v): got %v, want an error containing %q", tc.d, err, tc.want)
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

// TestWin32Faces: the Win32 codes a completed request reports are those of
// the NTSTATUS behind each Winsock outcome.
func TestWin32Faces(t *testing.T) {
	got := win32Faces(spec.ERROR_SUCCESS, spec.WSAENOTCONN, spec.WSAECONNRESET, spec.WSA_OPERATION_ABORTED)
	want := []spec.Errno{spec.ERROR_SUCCESS, spec.ERROR_UNEXP_NET_ERR, spec.ERROR_NETNAME_DELETED, spec.ERROR_OPERATION_ABORTED}
	if !slices.Equal(got, want) {
		t.Errorf("win32Faces: got %s, want %s", names(got), names(want))
	}
}

func TestCoverageDoc(t *testing.T) {
	docsync.CheckFile(t, filepath.Join("..", "docs", "coverage.md"), coverageMarkdown(), *update,
		"go test ./conformance -run TestCoverageDoc -update")
}
