package emulator

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// TestFaultCallsComplete: every call name the emulator traces (the first
// argument of do and doOv in its sources) is faultable, or one of the few
// that are left out on purpose, and FaultCalls names nothing else.
func TestFaultCallsComplete(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || len(c.Args) == 0 {
				return true
			}
			sel, ok := c.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "do" && sel.Sel.Name != "doOv" {
				return true
			}
			if lit, ok := c.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				name, _ := strconv.Unquote(lit.Value)
				seen[name] = true
			}
			return true
		})
	}
	left := []string{"Sleep", "CreateThread", "ExitThread", "OverlappedFields", "SetOverlappedFields"}
	for name := range seen {
		if !slices.Contains(faultable, name) && !slices.Contains(left, name) {
			t.Errorf("call %q is traced but neither faultable nor left out (faults.go)", name)
		}
	}
	for _, name := range faultable {
		if !seen[name] {
			t.Errorf("faultable %q is no call the emulator traces", name)
		}
	}
	for _, name := range append(slices.Clone(pendable), socketless...) {
		if !slices.Contains(faultable, name) {
			t.Errorf("%q is not faultable", name)
		}
	}
}

func TestBadFaults(t *testing.T) {
	bad := []struct {
		name string
		f    Fault
		want string
	}{
		{"no criterion", Fault{Action: FaultFail, Err: spec.WSAECONNRESET}, "no criterion"},
		{"unknown call", Fault{Call: "DisconectEx", Action: FaultFail, Err: spec.WSAEINVAL}, `unknown call "DisconectEx"`},
		{"case", Fault{Call: "disconnectex", Action: FaultFail, Err: spec.WSAEINVAL}, `did you mean "DisconnectEx"`},
		{"left out", Fault{Call: "Sleep", Action: FaultFail, Err: spec.WSAEINVAL}, "unknown call"},
		{"negative nth", Fault{Call: "bind", Nth: -1, Action: FaultFail, Err: spec.WSAEINVAL}, "negative Nth"},
		{"negative delay", Fault{Call: "ConnectEx", Action: FaultComplete, Status: spec.STATUS_CONNECTION_REFUSED, Delay: -time.Second}, "negative Delay"},
		{"no action", Fault{Call: "bind"}, "unknown Action"},
		{"fail success", Fault{Call: "bind", Action: FaultFail}, "needs an error code"},
		{"fail pending", Fault{Call: "ConnectEx", Action: FaultFail, Err: spec.ERROR_IO_PENDING}, "use FaultComplete"},
		{"fail status", Fault{Call: "bind", Action: FaultFail, Err: spec.WSAEINVAL, Status: spec.STATUS_CANCELLED}, "Status is FaultComplete's"},
		{"complete sync call", Fault{Call: "connect", Action: FaultComplete, Status: spec.STATUS_CONNECTION_REFUSED}, "needs a call with an OVERLAPPED"},
		{"complete success", Fault{Call: "AcceptEx", Action: FaultComplete, Status: spec.STATUS_SUCCESS}, "failure status"},
		{"complete pending", Fault{Call: "AcceptEx", Action: FaultComplete, Status: spec.STATUS_PENDING}, "failure status"},
		{"complete err", Fault{Call: "AcceptEx", Action: FaultComplete, Status: spec.STATUS_CANCELLED, Err: spec.WSAEINVAL}, "Err is FaultFail's"},
		{"reset no socket", Fault{Call: "CreateEvent", Action: FaultReset}, "needs a call on a socket"},
		{"reset err", Fault{Call: "DisconnectEx", Action: FaultReset, Err: spec.WSAECONNRESET}, "neither Err nor Status"},
	}
	for _, c := range bad {
		_, err := New(spec.DefaultSettings(), WithFaults(c.f))
		if !errors.Is(err, ErrBadFault) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: New gave %v, want ErrBadFault saying %q", c.name, err, c.want)
		}
		e, _ := New(spec.DefaultSettings())
		if rm, err := e.Inject(c.f); rm != nil || !errors.Is(err, ErrBadFault) {
			t.Errorf("%s: Inject gave %v", c.name, err)
		}
	}
	var zero Emulator
	if _, err := zero.Inject(Fault{Call: "bind", Action: FaultFail, Err: spec.WSAEINVAL}); !errors.Is(err, ErrZero) {
		t.Errorf("Inject on a zero Emulator: %v", err)
	}
}

// TestFaultFail: the 2nd bind fails with the rule's error and binds
// nothing; the others run; remove ends the rule.
func TestFaultFail(t *testing.T) {
	w := newWorld(t, Windows, WithTrace())
	e := w.e
	rm, err := e.Inject(Fault{Call: "bind", Nth: 2, Action: FaultFail, Err: spec.WSAEADDRINUSE})
	w.ok(err)
	a, b, c := w.sock(true), w.sock(true), w.sock(true)
	w.ok(e.Bind(a, any4))
	w.is(e.Bind(b, any4), spec.WSAEADDRINUSE)
	w.wantState(b, spec.StateUnconnected)
	w.ok(e.Bind(c, any4))
	rm()
	rm()
	w.ok(e.Bind(b, any4))
	if !strings.Contains(e.TraceString(), "fault bind s="+fmtHandle(uintptr(b))+": fail with WSAEADDRINUSE (rule 1)") {
		t.Errorf("trace lacks the fault:\n%s", e.TraceString())
	}
}

// TestFaultFailDelay: a slow failure takes its delay in virtual time.
func TestFaultFailDelay(t *testing.T) {
	w := newWorld(t, Windows)
	_, err := w.e.Inject(Fault{Call: "connect", Action: FaultFail, Err: spec.WSAETIMEDOUT, Delay: 21 * time.Second})
	w.ok(err)
	s := w.sock(false)
	w.is(w.e.Connect(s, serverAddr), spec.WSAETIMEDOUT)
	if now := w.e.Now(); now != 21*time.Second {
		t.Errorf("now %v, want 21s", now)
	}
}

// TestFaultCompleteRefused: ConnectEx pends and, 2 s later, completes
// refused; the socket stays bound and connects on the next try.
func TestFaultCompleteRefused(t *testing.T) {
	w := newWorld(t, Windows, WithTrace())
	e := w.e
	_, err := e.Inject(Fault{Call: "ConnectEx", Nth: 1, Action: FaultComplete, Status: spec.STATUS_CONNECTION_REFUSED, Delay: 2 * time.Second})
	w.ok(err)
	s := w.sock(true)
	w.ok(e.Bind(s, any4))
	ov := w.ov(0)
	w.is(e.ConnectEx(s, serverAddr, ov), spec.ERROR_IO_PENDING)
	if _, err := e.GetOverlappedResult(spec.Handle(s), ov, false); !errors.Is(err, spec.ERROR_IO_INCOMPLETE) {
		t.Fatalf("before the delay: %v", err)
	}
	w.wantState(s, spec.StateBound)
	_, err = e.GetOverlappedResult(spec.Handle(s), ov, true)
	w.is(err, spec.ERROR_CONNECTION_REFUSED)
	if now := e.Now(); now != 2*time.Second {
		t.Errorf("completed at %v, want 2s", now)
	}
	_, _, err = e.WSAGetOverlappedResult(s, ov, false)
	w.is(err, spec.WSAECONNREFUSED)
	w.wantState(s, spec.StateBound)
	w.is(e.ConnectEx(s, serverAddr, ov), spec.ERROR_IO_PENDING)
	_, err = e.GetOverlappedResult(spec.Handle(s), ov, true)
	w.ok(err)
	tr := e.TraceString()
	for _, want := range []string{
		"fault ConnectEx s=" + fmtHandle(uintptr(s)) + ": pends, completes after 2s with STATUS_CONNECTION_REFUSED (rule 1)",
		"[     2s]", "completes with STATUS_CONNECTION_REFUSED (rule 1)",
		"completion s=" + fmtHandle(uintptr(s)) + " ConnectEx",
	} {
		if !strings.Contains(tr, want) {
			t.Errorf("trace lacks %q:\n%s", want, tr)
		}
	}
}

// TestFaultCompleteAborted: an AcceptEx aborted by a rule queues its
// packet with ERROR_OPERATION_ABORTED on the listener's port; the
// connection that arrives meanwhile waits in the backlog for the next
// AcceptEx. CancelIoEx on a faulted request cancels it.
func TestFaultCompleteAborted(t *testing.T) {
	w := newWorld(t, Windows)
	e := w.e
	_, err := e.Inject(Fault{Call: "AcceptEx", Nth: 1, Action: FaultComplete, Status: spec.STATUS_CANCELLED, Delay: time.Second})
	w.ok(err)
	port, err := e.CreateIoCompletionPort(0)
	w.ok(err)
	w.ok(e.AssociateCompletionPort(port, w.listener, 7))
	a := w.sock(true)
	ov := w.ov(0)
	w.is(e.AcceptEx(w.listener, a, ov), spec.ERROR_IO_PENDING)
	c := w.sock(false)
	w.ok(e.Connect(c, serverAddr)) // to the backlog: the faulted request takes nothing
	pk, err := e.GetQueuedCompletionStatus(port, spec.Infinite)
	w.is(err, spec.ERROR_OPERATION_ABORTED)
	if pk.Overlapped != ov || pk.Key != 7 || e.Now() != time.Second {
		t.Errorf("packet %+v at %v", pk, e.Now())
	}
	w.wantState(a, spec.StateUnconnected)
	w.is(e.AcceptEx(w.listener, a, ov), spec.ERROR_IO_PENDING)
	_, err = e.GetQueuedCompletionStatus(port, 0)
	w.ok(err)
	w.wantState(a, spec.StateConnected)

	// A faulted request is canceled as any is, and its timer then does nothing.
	_, err = e.Inject(Fault{Call: "WSARecv", Action: FaultComplete, Status: spec.STATUS_CONNECTION_RESET, Delay: time.Hour})
	w.ok(err)
	w.ok(e.AssociateCompletionPort(port, a, 8))
	ov2 := w.ov(0)
	_, err = e.WSARecv(a, make([]byte, 4), ov2)
	w.is(err, spec.ERROR_IO_PENDING)
	w.ok(e.CancelIoEx(spec.Handle(a), ov2))
	_, err = e.GetQueuedCompletionStatus(port, spec.Infinite)
	w.is(err, spec.ERROR_OPERATION_ABORTED)
	e.Sleep(2 * time.Hour)
	if _, err := e.GetQueuedCompletionStatus(port, 0); !errors.Is(err, spec.WAIT_TIMEOUT) {
		t.Errorf("a canceled faulted request's timer completed something: %v", err)
	}
}

// TestFaultCompleteNotApplied: without a usable OVERLAPPED the call runs
// as without the rule.
func TestFaultCompleteNotApplied(t *testing.T) {
	w := newWorld(t, Windows, WithTrace())
	_, err := w.e.Inject(Fault{Call: "ConnectEx", Action: FaultComplete, Status: spec.STATUS_CONNECTION_REFUSED})
	w.ok(err)
	s := w.sock(true)
	w.ok(w.e.Bind(s, any4))
	w.is(w.e.ConnectEx(s, serverAddr, 0), spec.ERROR_INVALID_PARAMETER)
	if !strings.Contains(w.e.TraceString(), "not applied") {
		t.Errorf("trace:\n%s", w.e.TraceString())
	}
}

// TestFaultCompleteSync: on a socket without WSA_FLAG_OVERLAPPED the call
// blocks for the delay and fails with the Winsock face.
func TestFaultCompleteSync(t *testing.T) {
	w := newWorld(t, Windows)
	_, err := w.e.Inject(Fault{Call: "ConnectEx", Action: FaultComplete, Status: spec.STATUS_CONNECTION_REFUSED, Delay: time.Second})
	w.ok(err)
	s := w.sock(false)
	w.ok(w.e.Bind(s, any4))
	ov := w.ov(0)
	w.is(w.e.ConnectEx(s, serverAddr, ov), spec.WSAECONNREFUSED)
	if w.e.Now() != time.Second {
		t.Errorf("now %v", w.e.Now())
	}
	st, _, err := w.e.OverlappedFields(ov)
	w.ok(err)
	if st != spec.STATUS_CONNECTION_REFUSED {
		t.Errorf("Internal %v", st)
	}
}

// TestFaultResetDuringDisconnect: the client closes first; the rule makes
// the peer reset while DisconnectEx(TF_REUSE_SOCKET) waits for its FIN.
func TestFaultResetDuringDisconnect(t *testing.T) {
	for _, delay := range []time.Duration{0, 3 * time.Second} {
		w := newWorld(t, Windows, WithTrace())
		e := w.e
		c, srv := w.pair(true)
		_, err := e.Inject(Fault{Call: "DisconnectEx", Socket: c, Action: FaultReset, Delay: delay})
		w.ok(err)
		ov := w.ov(0)
		w.is(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		_, err = e.GetOverlappedResult(spec.Handle(c), ov, true)
		w.is(err, spec.ERROR_NETNAME_DELETED)
		st, _, _ := e.OverlappedFields(ov)
		if st != spec.STATUS_CONNECTION_RESET || e.Now() != delay {
			t.Errorf("delay %v: Internal %v at %v", delay, st, e.Now())
		}
		w.wantState(c, spec.StateTransmitClosing)
		_, err = e.Send(c, []byte("x"))
		w.is(err, spec.WSAECONNRESET)
		_, err = e.Recv(srv, make([]byte, 4)) // the peer's end is reset too
		w.is(err, spec.WSAECONNRESET)
		if !strings.Contains(e.TraceString(), "the peer resets the connection (rule 1)") {
			t.Errorf("trace:\n%s", e.TraceString())
		}
	}
}

// TestFaultResetPendingRecv: a pending WSARecv ends with the reset, and a
// reset on a socket with no connection changes nothing.
func TestFaultResetPendingRecv(t *testing.T) {
	w := newWorld(t, Windows, WithTrace())
	e := w.e
	c, _ := w.pair(true)
	ov := w.ov(0)
	_, err := e.WSARecv(c, make([]byte, 8), ov)
	w.is(err, spec.ERROR_IO_PENDING)
	_, err = e.Inject(Fault{Call: "WSAPoll", Socket: c, Nth: 1, Action: FaultReset})
	w.ok(err)
	_, _ = e.Poll(c, spec.POLLRDNORM, 0)
	_, err = e.GetOverlappedResult(spec.Handle(c), ov, false)
	w.is(err, spec.ERROR_NETNAME_DELETED)

	u := w.sock(true)
	_, err = e.Inject(Fault{Socket: u, Action: FaultReset})
	w.ok(err)
	w.ok(e.Bind(u, any4))
	w.wantState(u, spec.StateBound)
	if !strings.Contains(e.TraceString(), "no connection (rule 2)") {
		t.Errorf("trace:\n%s", e.TraceString())
	}
}

// TestFaultThreads: rules match calls made through threads (NewThread
// and Go), by predicate; a predicate may call the emulator.
func TestFaultThreads(t *testing.T) {
	w := newWorld(t, Windows)
	e := w.e
	var mu sync.Mutex
	var seen []FaultCall
	_, err := e.Inject(Fault{Action: FaultFail, Err: spec.WSAENOBUFS, Match: func(c FaultCall) bool {
		mu.Lock()
		seen = append(seen, c)
		mu.Unlock()
		if c.Call != "bind" || c.Thread == 0 {
			return false
		}
		st, err := e.State(c.Socket) // re-entrant: allowed
		return err == nil && st == spec.StateUnconnected
	}})
	w.ok(err)
	th, err := e.NewThread()
	w.ok(err)
	s, err := th.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
	w.ok(err)
	w.is(th.Bind(s, any4), spec.WSAENOBUFS)
	w.ok(e.Bind(w.sock(true), any4)) // the main thread's bind is not matched

	var wg sync.WaitGroup
	var got [2]error
	wg.Add(2)
	fs := make([]func(*Thread), 2)
	for i := range fs {
		fs[i] = func(th *Thread) {
			defer wg.Done()
			s, err := th.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
			if err == nil {
				err = th.Bind(s, any4)
			}
			got[i] = err
		}
	}
	w.ok(e.Go(fs...))
	wg.Wait()
	for i, err := range got {
		if !errors.Is(err, spec.WSAENOBUFS) {
			t.Errorf("thread %d's bind: %v, want WSAENOBUFS", i+2, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.ContainsFunc(seen, func(c FaultCall) bool { return c.Call == "bind" && c.Thread == 3 && c.Args != "" }) {
		t.Errorf("the predicate did not see thread 3's bind with its arguments: %+v", seen)
	}
}

// TestFaultDeterministic: the same script with the same rules gives the
// same trace.
func TestFaultDeterministic(t *testing.T) {
	run := func() string {
		w := newWorld(t, Windows, WithTrace(), WithFaults(
			Fault{Call: "ConnectEx", Nth: 2, Action: FaultComplete, Status: spec.STATUS_CONNECTION_REFUSED, Delay: time.Second},
			Fault{Call: "DisconnectEx", Nth: 1, Action: FaultReset, Delay: 2 * time.Second},
		))
		e := w.e
		s := w.sock(true)
		w.ok(e.Bind(s, any4))
		ov := w.ov(0)
		for range 4 {
			if e.ConnectEx(s, serverAddr, ov) != spec.ERROR_IO_PENDING { // the pair in TIME_WAIT
				_ = e.Closesocket(s)
				s = w.sock(true)
				w.ok(e.Bind(s, any4))
				continue
			}
			if _, err := e.GetOverlappedResult(spec.Handle(s), ov, true); err != nil {
				continue
			}
			w.ok(e.UpdateConnectContext(s))
			srv, _, err := e.Accept(w.listener)
			w.ok(err)
			_ = e.DisconnectEx(s, ov, spec.TF_REUSE_SOCKET, 0)
			_ = e.Closesocket(srv)
			if _, err := e.GetOverlappedResult(spec.Handle(s), ov, true); err != nil {
				_ = e.Closesocket(s)
				s = w.sock(true)
				w.ok(e.Bind(s, any4))
			}
		}
		return e.TraceString()
	}
	a, b := run(), run()
	if a != b {
		t.Fatalf("two runs differ:\n%s\n----\n%s", a, b)
	}
	if !strings.Contains(a, "STATUS_CONNECTION_REFUSED") || !strings.Contains(a, "the peer resets") {
		t.Errorf("faults missing:\n%s", a)
	}
}

// BenchmarkFaultRules: the reuse cycle of BenchmarkReuseCycle (delay 0)
// with no rule, with a rule that matches no call of the cycle (each call
// then takes the checked path), and with a predicate rule that is asked
// about every call and never fires.
func BenchmarkFaultRules(b *testing.B) {
	for _, bc := range []struct {
		name string
		rule *Fault
	}{
		{"none", nil},
		{"other-call", &Fault{Call: "listen", Action: FaultFail, Err: spec.WSAEINVAL}},
		{"predicate", &Fault{Match: func(FaultCall) bool { return false }, Action: FaultFail, Err: spec.WSAEINVAL}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := newReuseCycler(b, settings(0))
			if bc.rule != nil {
				if _, err := r.e.Inject(*bc.rule); err != nil {
					b.Fatal(err)
				}
			}
			r.cycle(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r.cycle(b)
			}
		})
	}
}

// TestFaultCompleteRecvClosed: a WSARecv a rule holds pending ends, when its
// socket is closed, as an unfaulted pending WSARecv does: with
// STATUS_CONNECTION_ABORTED (abortRecvs), not STATUS_CANCELLED.
func TestFaultCompleteRecvClosed(t *testing.T) {
	for _, faulted := range []bool{false, true} {
		w := newWorld(t, Windows)
		e := w.e
		if faulted {
			_, err := e.Inject(Fault{Call: "WSARecv", Action: FaultComplete, Status: spec.STATUS_CONNECTION_RESET, Delay: time.Hour})
			w.ok(err)
		}
		c, _ := w.pair(true)
		port, err := e.CreateIoCompletionPort(0)
		w.ok(err)
		w.ok(e.AssociateCompletionPort(port, c, 8))
		_, err = e.WSARecv(c, make([]byte, 4), w.ov(0))
		w.is(err, spec.ERROR_IO_PENDING)
		w.ok(e.Closesocket(c))
		_, err = e.GetQueuedCompletionStatus(port, 0)
		if !errors.Is(err, spec.ERROR_CONNECTION_ABORTED) {
			t.Errorf("faulted %v: the pending WSARecv ended with %v, want ERROR_CONNECTION_ABORTED", faulted, err)
		}
	}
}

// TestSYNScheduleTimesInvalid: Times of a schedule Validate refuses is nil,
// not a panic or a huge allocation.
func TestSYNScheduleTimesInvalid(t *testing.T) {
	for _, s := range []SYNSchedule{{InitialRTO: time.Second, Retransmissions: -5}, {InitialRTO: time.Second, Retransmissions: math.MaxInt}, {}} {
		if got := s.Times(); got != nil {
			t.Errorf("%+v.Times() = %v, want nil", s, got)
		}
	}
	if got := DefaultSYNSchedule.Times(); len(got) != 3 || got[2] != 21*time.Second {
		t.Errorf("DefaultSYNSchedule.Times() = %v", got)
	}
}
