package conformance

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Capability names something a backend can do that some cases need.
// A backend that lacks a capability a case needs skips that case with the
// reason, the way gVisor's syscall tests name the missing feature.
type Capability string

const (
	// VirtualTime: Sleep and waits advance virtual time instantly, so a
	// case may wait out TIME_WAIT delays of minutes.
	VirtualTime Capability = "virtual-time"
	// Settings: the backend can be built with arbitrary spec.Settings
	// (TIME_WAIT delay, dynamic port range).
	Settings Capability = "settings"
	// LongWaits: real waits of minutes are acceptable (a native backend
	// only when asked to with a flag).
	LongWaits Capability = "long-waits"
	// Introspection: the API value also implements
	// interface{ State(spec.Socket) (spec.State, error) }.
	Introspection Capability = "introspection"
	// WildPointers: it is safe to pass an invalid OVERLAPPED pointer (one
	// the backend never handed out). The emulator validates it; a native
	// backend needs child-process isolation, because an implementation
	// that writes through the pointer first crashes the process.
	WildPointers Capability = "wild-pointers"
	// RemoteHosts: the API value also implements
	// interface{ RemoteHost(spec.HostBehavior) (netip.AddrPort, error) }:
	// it can give the address of a host beyond loopback that accepts,
	// never closes, refuses, drops SYNs or is unreachable (the emulator's
	// network; a native backend makes what it can of these on the machine
	// it runs on and fails RemoteHost for the rest, which skips the case).
	RemoteHosts Capability = "remote-hosts"
)

// remoteHoster is what a backend with the RemoteHosts capability
// implements.
type remoteHoster interface {
	RemoteHost(b spec.HostBehavior) (netip.AddrPort, error)
}

// capabilities lists every capability in a stable order.
var capabilities = []Capability{VirtualTime, Settings, LongWaits, Introspection, WildPointers, RemoteHosts}

// why explains, for a skip message, what a case uses a capability for.
var why = map[Capability]string{
	VirtualTime:   "the case waits out delays of minutes and needs Sleep and waits to advance virtual time",
	Settings:      "the case builds the backend with its own spec.Settings (TIME_WAIT delay or dynamic port range)",
	LongWaits:     "the case waits minutes on a real clock",
	Introspection: "the case reads the socket life-cycle state through State(spec.Socket)",
	WildPointers:  "the case passes an OVERLAPPED pointer the backend never handed out, which may crash an unisolated process",
	RemoteHosts:   "the case connects to a host beyond loopback that behaves one way (refuses, drops SYNs, is unreachable, never closes) through RemoteHost",
}

// longWait is the longest total wait a case may make on a backend that
// has neither VirtualTime nor LongWaits.
const longWait = 5 * time.Second

// Backend is one implementation of spec.API under test.
type Backend struct {
	// Name identifies the backend in subtest output and reports:
	// "emulator-windows", "emulator-documented", "native", "wine".
	Name string
	// New builds a fresh API for one case with the given settings. Its t
	// is the case's recorder seen as a testing.TB (in Run as in Execute,
	// so that failures reach the divergence check): Cleanup (run after the
	// case, last first), Log, Error, Fatal (ends the case), Skip, TempDir,
	// Context, Setenv and Chdir work, and t.Name() is "<backend>/<case>".
	// New returns an error, rather than failing t, when it cannot build
	// the API: a case checks that New rejects settings Windows would not
	// accept.
	New func(t testing.TB, s spec.Settings) (spec.API, error)
	// Capabilities the backend has.
	Capabilities []Capability
	// Known lists the backend's known divergences, for example read with
	// ParseDivergences from a file the caller embeds (this module's
	// backends embed theirs in internal/backends). Run checks them at
	// once, as ParseDivergences does.
	Known []Divergence
}

// Has reports whether the backend has capability c.
func (b Backend) Has(c Capability) bool { return slices.Contains(b.Capabilities, c) }

// Case is one check of the DisconnectEx contract.
type Case struct {
	// Name is unique, "group/what-it-checks"; it is the subtest name.
	Name string
	// Clauses are the spec clause IDs (spec.Clause*) the case checks.
	Clauses []string
	// Needs are capabilities the backend must have; without one of them
	// the case is skipped.
	Needs []Capability
	// Waits is how long the case waits in total, in backend time. Beyond
	// a few seconds the backend needs VirtualTime or LongWaits.
	Waits time.Duration
	// Settings, if set, adjusts spec.DefaultSettings() before the API is
	// built. Such a case lists Settings in Needs, the one place a case
	// declares what it needs (TestCoverage checks that it does).
	Settings func(*spec.Settings)
	// Body runs the check against api. It must use only spec.API (and
	// the optional State introspection when the case needs it).
	Body func(t *T, api spec.API)
}

// Outcome is how a case ended on a backend.
type Outcome string

const (
	Pass Outcome = "pass" // the case passed and no divergence is recorded
	Fail Outcome = "fail" // the case failed and no divergence explains it
	// XFail: the case failed as a recorded divergence says it does.
	XFail Outcome = "xfail"
	// XPass: a divergence is recorded but the case passed. It breaks the
	// build, like Wine's todo_wine: fix the data. (A case that fails with
	// other text than the divergence records is a Fail.)
	XPass Outcome = "unexpected-pass"
	Skip  Outcome = "skip" // the backend lacks a capability, or the case skipped itself
)

// Failed reports whether the outcome should fail a build.
func (o Outcome) Failed() bool { return o == Fail || o == XPass }

// Result is what Execute reports for one case on one backend.
type Result struct {
	Case    string
	Backend string
	Outcome Outcome
	// Messages are the failure messages the case recorded, in order.
	Messages []string
	// Logs are the case's Logf lines, in order.
	Logs []string
	// Reason explains the outcome: the missing capability for a skip,
	// the divergence for an xfail, what is wrong for a fail.
	Reason string
	// Elapsed is the wall time the case took.
	Elapsed time.Duration
}

// Cases returns the suite's table in a stable order. The slice is a copy.
func Cases() []Case {
	return slices.Concat(paramsCases, returnCases, errorsCases, overlappedCases, iocpCases,
		threadCases, timewaitCases, reuseCases, portsCases, tupleCases, badinputCases, eventResetCases, wineCases, dotnetCases, afdCases, netCases)
}

// Lookup returns the case with the given name.
func Lookup(name string) (Case, bool) {
	for _, c := range Cases() {
		if c.Name == name {
			return c, true
		}
	}
	return Case{}, false
}

// Run runs every case against b, each as a subtest named by the case,
// and compares failures with b's divergence data:
//
//   - pass: the subtest passes;
//   - fail: the subtest fails with the case's messages;
//   - xfail (a recorded divergence): the subtest passes and logs it;
//   - unexpected pass (a recorded divergence did not happen): it fails;
//   - skip: the backend lacks a capability the case needs.
//
// Run fails at once if b's divergence data are invalid.
func Run(t *testing.T, b Backend) {
	t.Helper()
	if err := validateDivergences(b.Known); err != nil {
		t.Fatalf("backend %s: known divergences: %v", b.Name, err)
	}
	divs := b.Known
	counts := map[Outcome]int{}
	var mu sync.Mutex
	for _, c := range Cases() {
		t.Run(c.Name, func(t *testing.T) {
			r := execute(b, c, divs)
			mu.Lock()
			counts[r.Outcome]++
			mu.Unlock()
			for _, l := range r.Logs {
				t.Log(l)
			}
			switch r.Outcome {
			case Pass:
			case XFail:
				for _, m := range r.Messages {
					t.Log("failure (expected): " + m)
				}
				t.Log("XFAIL: " + r.Reason)
			case Skip:
				t.Skip(r.Reason)
			default:
				for _, m := range r.Messages {
					t.Error(m)
				}
				t.Errorf("%s: %s (case %s at %s)", strings.ToUpper(string(r.Outcome)), r.Reason, c.Name, c.Site())
			}
		})
	}
	t.Logf("%s: %d pass, %d xfail, %d skip, %d fail, %d unexpected pass", b.Name,
		counts[Pass], counts[XFail], counts[Skip], counts[Fail], counts[XPass])
}

// Execute runs one case against b without a *testing.T, for tools such as
// the disconnectex command's report. Run uses the same logic. It checks
// only the divergences recorded for c (Run checks them all, once), so a
// tool running the whole table does not validate the data again per case.
func Execute(b Backend, c Case) Result {
	var divs []Divergence
	for _, d := range b.Known {
		if d.Case == c.Name {
			divs = append(divs, d)
		}
	}
	if err := validateDivergences(divs); err != nil {
		return Result{Case: c.Name, Backend: b.Name, Outcome: Fail, Reason: fmt.Sprintf("backend %s: known divergences: %v", b.Name, err)}
	}
	return execute(b, c, divs)
}

// missing returns the reason b cannot run c, or "".
func missing(b Backend, c Case) string {
	for _, n := range c.Needs {
		if !b.Has(n) {
			return fmt.Sprintf("needs capability %s: %s", n, why[n])
		}
	}
	if c.Waits > longWait && !b.Has(VirtualTime) && !b.Has(LongWaits) {
		return fmt.Sprintf("needs capability %s or %s: the case waits %v in total", VirtualTime, LongWaits, c.Waits)
	}
	return ""
}

// watchdog is how long a case may run, in wall time, beyond its Waits on
// a LongWaits backend, before it counts as hung; virtualWatchdog is the
// limit on a VirtualTime backend, where no case takes more than
// milliseconds.
const (
	watchdog        = 60 * time.Second
	virtualWatchdog = 10 * time.Second
)

func execute(b Backend, c Case, divs []Divergence) Result {
	start := time.Now()
	r := Result{Case: c.Name, Backend: b.Name}
	if why := missing(b, c); why != "" {
		r.Outcome, r.Reason = Skip, why
		return r
	}
	s := spec.DefaultSettings()
	if c.Settings != nil {
		c.Settings(&s)
	}
	t := newT(c, b, s)
	limit := watchdog
	switch {
	case b.Has(VirtualTime):
		limit = virtualWatchdog
	case b.Has(LongWaits):
		limit += c.Waits
	}
	finished := t.run(limit, func() {
		api, err := b.New(t.tb(), s)
		if err != nil {
			t.Fatalf("%s: New(%+v): %v", b.Name, s, err)
		}
		c.Body(t, api)
	})
	if finished {
		t.run(limit, t.runCleanups)
	}
	r.Elapsed = time.Since(start)
	t.mu.Lock()
	r.Messages = slices.Clone(t.failures)
	r.Logs = slices.Clone(t.logs)
	failed, skipped, skipReason := t.failed, t.skipped, t.skipReason
	t.mu.Unlock()

	var mine []Divergence
	for _, d := range divs {
		if d.Case == c.Name {
			mine = append(mine, d)
		}
	}
	switch {
	case skipped && !failed:
		r.Outcome, r.Reason = Skip, skipReason
	case len(mine) == 0 && !failed:
		r.Outcome = Pass
	case len(mine) == 0:
		r.Outcome, r.Reason = Fail, fmt.Sprintf("%d failure(s) with no divergence recorded for %s", len(r.Messages), b.Name)
	case !failed:
		r.Outcome, r.Reason = XPass, fmt.Sprintf("divergence recorded in %s (clause %s: %s) but the case passed; remove the entry or fix the case",
			mine[0].origin(b.Name), mine[0].Clause, mine[0].Reason)
	default:
		text := strings.Join(r.Messages, "\n")
		var unmatched []string
		for _, d := range mine {
			if !strings.Contains(text, d.Observed) {
				unmatched = append(unmatched, fmt.Sprintf("%q (clause %s)", d.Observed, d.Clause))
			}
		}
		if len(unmatched) > 0 {
			r.Outcome, r.Reason = Fail, fmt.Sprintf("the case failed, but not as %s records: no failure text contains %s",
				mine[0].origin(b.Name), strings.Join(unmatched, ", "))
		} else {
			var rs []string
			for _, d := range mine {
				rs = append(rs, fmt.Sprintf("known divergence on %s (%s): expected %s, observed %s: %s", d.Clause, d.origin(b.Name), d.Expected, d.Observed, d.Reason))
			}
			r.Outcome, r.Reason = XFail, strings.Join(rs, "; ")
		}
	}
	return r
}

// T is what a case body reports to: a small testing.T that records
// instead of failing a test, so that Run can compare failures with
// divergence data and Execute can run without go test. Fatalf and FailNow
// end the body (runtime.Goexit), so call them only from the body's
// goroutine.
type T struct {
	c        Case
	b        Backend
	settings spec.Settings

	mu         sync.Mutex
	failed     bool
	skipped    bool
	skipReason string
	failures   []string
	logs       []string
	cleanups   []func()
	helpers    map[string]bool // functions that called Helper
	ctx        context.Context
	cancel     context.CancelFunc
	adapter    *tb
}

func newT(c Case, b Backend, s spec.Settings) *T {
	t := &T{c: c, b: b, settings: s}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	t.adapter = &tb{t: t}
	return t
}

// run calls f in a new goroutine and waits for it to return, to call
// runtime.Goexit, or to panic (recorded as a failure). It reports false
// if f did not finish within limit (the goroutine is abandoned).
func (t *T) run(limit time.Duration, f func()) bool {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				buf := make([]byte, 8<<10)
				buf = buf[:runtime.Stack(buf, false)]
				t.record(true, fmt.Sprintf("panic: %v\n%s", v, buf))
			}
		}()
		f()
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-done:
		return true
	case <-timer.C:
		t.record(true, fmt.Sprintf("the case did not finish within %v of wall time: a call blocked and nothing woke it", limit))
		return false
	}
}

func (t *T) record(fail bool, msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fail {
		t.failed = true
		t.failures = append(t.failures, msg)
	} else {
		t.logs = append(t.logs, msg)
	}
}

func (t *T) runCleanups() {
	for {
		t.mu.Lock()
		n := len(t.cleanups)
		if n == 0 {
			t.mu.Unlock()
			break
		}
		f := t.cleanups[n-1]
		t.cleanups = t.cleanups[:n-1]
		t.mu.Unlock()
		func() {
			defer func() {
				if v := recover(); v != nil {
					t.record(true, fmt.Sprintf("panic in cleanup: %v", v))
				}
			}()
			f()
		}()
	}
	t.cancel()
}

// Name returns the case name.
func (t *T) Name() string { return t.c.Name }

// Errorf records a failure, prefixed with the failing check's file:line
// (see Helper), and continues.
func (t *T) Errorf(format string, args ...any) { t.fail(fmt.Sprintf(format, args...)) }

// Fatalf records a failure as Errorf does and ends the body.
func (t *T) Fatalf(format string, args ...any) {
	t.fail(fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// FailNow marks the case failed and ends the body.
func (t *T) FailNow() {
	t.mu.Lock()
	t.failed = true
	t.mu.Unlock()
	runtime.Goexit()
}

// Failed reports whether a failure was recorded.
func (t *T) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

// Logf records a note that Run prints with the subtest.
func (t *T) Logf(format string, args ...any) { t.record(false, fmt.Sprintf(format, args...)) }

// Skipf ends the body and marks the case skipped, for a backend that
// cannot run it for a reason no capability names.
func (t *T) Skipf(format string, args ...any) {
	t.mu.Lock()
	t.skipped = true
	t.skipReason = fmt.Sprintf(format, args...)
	t.mu.Unlock()
	runtime.Goexit()
}

// Cleanup registers f to run after the body, last registered first.
func (t *T) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

// Settings returns the settings the case's API was built with.
func (t *T) Settings() spec.Settings { return t.settings }

// Backend returns the backend the case runs on.
func (t *T) Backend() Backend { return t.b }

// New builds another API of the same backend with settings s, as the
// backend constructor does for the case itself; it returns the
// constructor's error (a case uses it to check rejected settings).
func (t *T) New(s spec.Settings) (spec.API, error) { return t.b.New(t.adapter, s) }

func (t *T) tb() testing.TB { return t.adapter }

// tb adapts T to testing.TB for backend constructors. The embedded
// interface is nil: it only supplies testing.TB's private method.
type tb struct {
	testing.TB
	t *T
}

func (a *tb) ArtifactDir() string               { return a.TempDir() }
func (a *tb) Attr(key, value string)            { a.t.Logf("attr %s=%s", key, value) }
func (a *tb) Cleanup(f func())                  { a.t.Cleanup(f) }
func (a *tb) Error(args ...any)                 { a.t.fail(fmt.Sprint(args...)) }
func (a *tb) Errorf(format string, args ...any) { a.t.Errorf(format, args...) }
func (a *tb) Fail()                             { a.t.mu.Lock(); a.t.failed = true; a.t.mu.Unlock() }
func (a *tb) FailNow()                          { a.t.FailNow() }
func (a *tb) Failed() bool                      { return a.t.Failed() }
func (a *tb) Fatal(args ...any)                 { a.t.fail(fmt.Sprint(args...)); runtime.Goexit() }
func (a *tb) Fatalf(format string, args ...any) { a.t.Fatalf(format, args...) }
func (a *tb) Helper()                           { a.t.markHelper(3) }
func (a *tb) Log(args ...any)                   { a.t.record(false, fmt.Sprint(args...)) }
func (a *tb) Logf(format string, args ...any)   { a.t.Logf(format, args...) }
func (a *tb) Name() string                      { return a.t.b.Name + "/" + a.t.c.Name }
func (a *tb) Skip(args ...any)                  { a.t.Skipf("%s", fmt.Sprint(args...)) }
func (a *tb) SkipNow()                          { a.t.Skipf("skipped") }
func (a *tb) Skipf(format string, args ...any)  { a.t.Skipf(format, args...) }
func (a *tb) Context() context.Context          { return a.t.ctx }
func (a *tb) Output() io.Writer                 { return logWriter{a.t} }

func (a *tb) Skipped() bool {
	a.t.mu.Lock()
	defer a.t.mu.Unlock()
	return a.t.skipped
}

func (a *tb) TempDir() string {
	dir, err := os.MkdirTemp("", "conformance-")
	if err != nil {
		a.Fatalf("TempDir: %v", err)
	}
	a.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func (a *tb) Setenv(key, value string) {
	old, had := os.LookupEnv(key)
	if err := os.Setenv(key, value); err != nil {
		a.Fatalf("Setenv: %v", err)
	}
	a.Cleanup(func() {
		if had {
			os.Setenv(key, old)
		} else {
			os.Unsetenv(key)
		}
	})
}

func (a *tb) Chdir(dir string) {
	old, err := os.Getwd()
	if err != nil {
		a.Fatalf("Chdir: %v", err)
	}
	if err := os.Chdir(dir); err != nil {
		a.Fatalf("Chdir: %v", err)
	}
	a.Cleanup(func() { os.Chdir(old) })
}

type logWriter struct{ t *T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// sortedCases returns the cases ordered by name (for documents).
func sortedCases() []Case {
	cs := Cases()
	slices.SortStableFunc(cs, func(a, b Case) int { return cmp.Compare(a.Name, b.Name) })
	return cs
}

// cell escapes text for a Markdown table cell (for documents).
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	return s
}
