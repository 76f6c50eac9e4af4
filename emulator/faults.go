package emulator

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// FaultAction is what a Fault does to a call it fires on.
type FaultAction uint8

const (
	// FaultFail: the call fails with Fault.Err and does nothing else; with
	// a Delay it first blocks that long (a slow failure). Calls that
	// return a handle return their invalid value with it.
	FaultFail FaultAction = iota + 1
	// FaultComplete: the call, one that carries an OVERLAPPED (ConnectEx,
	// AcceptEx, DisconnectEx, WSASend, WSARecv), starts its request but
	// none of its work: on an overlapped socket it returns
	// ERROR_IO_PENDING, and after Delay the request completes with
	// Fault.Status, as Windows completes a failed request (Internal, the
	// event or the handle, a completion packet). On a socket without
	// WSA_FLAG_OVERLAPPED the call blocks for Delay and fails with the
	// status's Winsock face. The socket's state does not change; CancelIoEx,
	// closesocket of the request's handle (the listener for AcceptEx) and
	// the issuing thread's exit cancel the request as they cancel any.
	// When the request cannot start (no OVERLAPPED, an unknown or busy
	// one, not a socket), the call runs as without the rule, which then
	// records "not applied".
	FaultComplete
	// FaultReset: the call runs; then, at once or after Delay, the peer
	// resets the connection of the call's socket (AcceptEx: the accept
	// socket), as if it had closed with SO_LINGER on and 0 s: receives and
	// sends fail with WSAECONNRESET, pending WSARecv requests complete with
	// the reset (ERROR_NETNAME_DELETED), and a DisconnectEx(TF_REUSE_SOCKET)
	// waiting for the peer's FIN completes with STATUS_CONNECTION_RESET.
	// The peer's end, if a handle still names it, is reset too (its
	// pending requests end the same way). A socket with no open connection
	// then is left alone ("no connection" in the trace).
	FaultReset
)

func (a FaultAction) String() string {
	switch a {
	case FaultFail:
		return "fail"
	case FaultComplete:
		return "complete"
	case FaultReset:
		return "reset"
	}
	return fmt.Sprintf("FaultAction(%d)", uint8(a))
}

// Fault is one fault-injection rule: it matches calls, and on the calls
// it fires on it makes the call fail, makes its request complete later
// with an error, or has the connection reset. Rules come from WithFaults
// or Inject and apply to every view, the Emulator's own calls and those
// of every Thread (NewThread, Go) alike.
//
// Matching. A rule matches a call when every criterion it sets holds:
// Call (the call's name as the trace writes it, see FaultCalls), Socket
// (the call's socket, or AcceptEx's accept socket) and Match (a
// predicate). Nth then picks the calls it fires on among those it
// matches: the Nth one only (counted from 1), or every one when Nth is 0.
// Each rule counts its own matches, in the order the calls take the
// emulator's lock (the trace's order), so a script gives the same faults
// every run; when several rules fire on one call, the first added acts and
// the others have counted it. A call a rule fires on is recorded as a
// KindFault event between the call and its result, and so is a delayed
// effect when it comes due.
//
// Match runs before the call takes the emulator's lock, on the caller's
// goroutine, so it may call the emulator (State, say); its calls are
// matched against the rules too. It must be safe for concurrent use. It
// runs only when the rule's Call and Socket (if set) match.
//
// Cost: with no rule installed a call pays one atomic load. With rules, every
// call takes the path a traced call takes (closures and all); a call no
// rule matches allocates nothing while tracing is off, a call some rule
// matches allocates the list of its candidate rules, and a call a predicate
// is asked about also formats its Args (BenchmarkFaultRules: about a dozen
// small allocations per reuse cycle).
//
// Delays are in the emulator's time: with the virtual clock a delay
// passes as soon as every caller waits (package doc, "Time"), and a
// delayed effect wakes a waiter as a TIME_WAIT expiry does. Effects due at
// the same instant as TIME_WAIT expiries come first.
//
// A rule that sets no criterion, or names an unknown call, or whose
// fields do not fit its Action (see FaultAction), is refused with an error
// that says why (ErrBadFault; Validate).
type Fault struct {
	// Call is the call's name as in the trace ("ConnectEx", "WSARecv",
	// "closesocket"); "" matches any call. FaultCalls lists the names.
	Call string
	// Socket is the socket handle the call concerns (AcceptEx: the
	// listener or the accept socket); 0 matches any.
	Socket spec.Socket
	// Match, when not nil, must report true too.
	Match func(FaultCall) bool
	// Nth, when > 0, fires the rule on its Nth matching call only; 0 fires
	// it on every matching call.
	Nth int

	Action FaultAction
	// Err is FaultFail's error: any code but ERROR_SUCCESS and
	// ERROR_IO_PENDING (to make a call pend, use FaultComplete).
	Err spec.Errno
	// Status is FaultComplete's completion status: a failure
	// (STATUS_CONNECTION_REFUSED, STATUS_CANCELLED, ...), not a success or
	// STATUS_PENDING, since the request has done none of its work.
	Status spec.NTStatus
	// Delay, in emulator time, before FaultFail fails, FaultComplete's
	// request completes or FaultReset's reset arrives. It must not be
	// negative.
	Delay time.Duration
}

// FaultCall describes a call to a rule's Match.
type FaultCall struct {
	Call   string      // the name, as in the trace
	Socket spec.Socket // the socket the trace shows (the listener for AcceptEx), 0 if none
	Accept spec.Socket // AcceptEx's accept socket, else 0
	Thread int         // the issuing thread: 0 for the Emulator's own calls
	Args   string      // the arguments as the trace formats them
}

// ErrBadFault is wrapped by the error of a rule WithFaults or Inject
// refuses.
var ErrBadFault = errors.New("emulator: bad fault rule")

// faultable are the calls a rule may name: the Winsock and Win32 calls.
// Not Sleep (it has no result), not CreateThread and ExitThread (Go needs
// them), not OverlappedFields and SetOverlappedFields (memory accesses,
// which do not fail). A test checks the list against api.go.
var faultable = []string{
	"AcceptEx", "CancelIoEx", "CloseHandle", "ConnectEx", "CreateEvent",
	"CreateIoCompletionPort", "DisconnectEx", "FreeOverlapped",
	"GetExtendedTcpTable", "GetOverlappedResult", "GetQueuedCompletionStatus",
	"NewOverlapped", "PostQueuedCompletionStatus", "ResetEvent", "SetEvent",
	"SetFileCompletionNotificationModes", "WSAGetOverlappedResult",
	"WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)", "WSAPoll", "WSARecv",
	"WSASend", "WSASocketW", "WaitForSingleObject", "accept", "bind",
	"closesocket", "connect", "getpeername", "getsockname", "getsockopt",
	"getsockopt(SO_EXCLUSIVEADDRUSE)", "getsockopt(SO_REUSEADDR)", "listen", "recv",
	"send", "setsockopt", "setsockopt(SO_EXCLUSIVEADDRUSE)", "setsockopt(SO_LINGER)",
	"setsockopt(SO_REUSEADDR)", "setsockopt(SO_UPDATE_ACCEPT_CONTEXT)",
	"setsockopt(SO_UPDATE_CONNECT_CONTEXT)", "shutdown",
}

// pendable are the calls FaultComplete applies to: those with an OVERLAPPED.
var pendable = []string{"AcceptEx", "ConnectEx", "DisconnectEx", "WSARecv", "WSASend"}

// socketless are the faultable calls that name no socket (FaultReset
// cannot apply to them).
var socketless = []string{
	"CloseHandle", "CreateEvent", "FreeOverlapped", "GetExtendedTcpTable",
	"GetQueuedCompletionStatus", "NewOverlapped", "PostQueuedCompletionStatus",
	"ResetEvent", "SetEvent", "WaitForSingleObject",
}

// FaultCalls returns the call names a Fault may name, sorted.
func FaultCalls() []string {
	return slices.Sorted(slices.Values(faultable))
}

func badFault(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrBadFault, fmt.Sprintf(format, a...))
}

// Validate reports why WithFaults and Inject would refuse the rule (an
// error wrapping ErrBadFault), or nil.
func (f Fault) Validate() error {
	if f.Call != "" && !slices.Contains(faultable, f.Call) {
		hint := ""
		for _, n := range faultable {
			if strings.EqualFold(n, f.Call) {
				hint = fmt.Sprintf(" (did you mean %q?)", n)
			}
		}
		return badFault("unknown call %q%s; FaultCalls lists the names, as the trace writes them", f.Call, hint)
	}
	if f.Call == "" && f.Socket == 0 && f.Match == nil && f.Nth == 0 {
		return badFault("no criterion: set Call, Socket, Match or Nth (a rule for every call is refused)")
	}
	if f.Nth < 0 {
		return badFault("negative Nth %d", f.Nth)
	}
	if f.Delay < 0 {
		return badFault("negative Delay %v", f.Delay)
	}
	switch f.Action {
	case FaultFail:
		if f.Err == spec.ERROR_SUCCESS || f.Err == spec.ERROR_IO_PENDING {
			return badFault("FaultFail needs an error code in Err, not %v (to make a request pend, use FaultComplete)", f.Err)
		}
		if f.Status != 0 {
			return badFault("Status is FaultComplete's; FaultFail fails with Err")
		}
	case FaultComplete:
		if f.Call != "" && !slices.Contains(pendable, f.Call) {
			return badFault("FaultComplete needs a call with an OVERLAPPED (%s), not %s", strings.Join(pendable, ", "), f.Call)
		}
		if f.Status == spec.STATUS_PENDING || int32(f.Status) >= 0 {
			return badFault("FaultComplete needs a failure status in Status, not %v (the request does none of its work)", f.Status)
		}
		if f.Err != 0 {
			return badFault("Err is FaultFail's; FaultComplete completes with Status")
		}
	case FaultReset:
		if slices.Contains(socketless, f.Call) {
			return badFault("FaultReset needs a call on a socket, not %s", f.Call)
		}
		if f.Err != 0 || f.Status != 0 {
			return badFault("FaultReset takes neither Err nor Status")
		}
	default:
		return badFault("unknown Action %v", f.Action)
	}
	return nil
}

// WithFaults installs fault rules from the start, as Inject does; New
// fails (ErrBadFault) on the first bad one.
func WithFaults(rules ...Fault) Option {
	return func(c *config) { c.faults = append(c.faults, rules...) }
}

// Inject adds a fault rule while the emulator runs; it applies to calls
// that begin after Inject returns. remove takes it away again (calls
// already matched keep their fault, and delayed effects already
// scheduled still come); calling remove twice is harmless. remove takes
// the emulator's lock: call it anywhere but in a WithTraceFunc function.
// A bad rule gives an error wrapping ErrBadFault.
func (e *Emulator) Inject(rule Fault) (remove func(), err error) {
	if !e.usable() {
		return nil, ErrZero
	}
	return e.inject(rule)
}

func (e *Emulator) inject(rule Fault) (func(), error) {
	if err := rule.Validate(); err != nil {
		return nil, err
	}
	fs := &e.faults
	fs.wmu.Lock()
	defer fs.wmu.Unlock()
	fs.ids++
	r := &faultRule{Fault: rule, id: fs.ids}
	var rules []*faultRule
	if old := fs.rules.Load(); old != nil {
		rules = slices.Clone(*old)
	}
	rules = append(rules, r)
	fs.rules.Store(&rules)
	var once sync.Once
	return func() { once.Do(func() { e.removeFault(r) }) }, nil
}

func (e *Emulator) removeFault(r *faultRule) {
	fs := &e.faults
	fs.wmu.Lock()
	old := *fs.rules.Load()
	rules := slices.DeleteFunc(slices.Clone(old), func(x *faultRule) bool { return x == r })
	if len(rules) == 0 {
		fs.rules.Store(nil) // the calls' fast path
	} else {
		fs.rules.Store(&rules)
	}
	fs.wmu.Unlock()
	e.mu.Lock()
	r.removed = true // a call that matched it but has not taken the lock yet
	e.mu.Unlock()
}

type faultSet struct {
	rules  atomic.Pointer[[]*faultRule] // copy on write; nil when none
	wmu    sync.Mutex                   // writers of rules
	ids    int                          // rules added so far
	timers []faultTimer                 // delayed effects by time, under the emulator's lock
	timed  uint64                       // timers set so far (ties keep their order)
}

type faultRule struct {
	Fault
	id      int
	seen    int  // matching calls so far (under the emulator's lock)
	removed bool // under the emulator's lock
}

// candidates returns the rules whose criteria the call meets, in order;
// nil when none. It runs without the emulator's lock.
func candidates(rules []*faultRule, name string, s, acc spec.Socket, thread int, args func() string) []*faultRule {
	var out []*faultRule
	var fc FaultCall
	described := false
	for _, r := range rules {
		if r.Call != "" && r.Call != name || r.Call == "" && !slices.Contains(faultable, name) {
			continue
		}
		if r.Socket != 0 && r.Socket != s && r.Socket != acc {
			continue
		}
		if r.Match != nil {
			if !described {
				fc = FaultCall{Call: name, Socket: s, Accept: acc, Thread: thread}
				if args != nil {
					fc.Args = args()
				}
				described = true
			}
			if !r.Match(fc) {
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// applyFaults counts the call for each candidate rule and lets the first
// that fires act on it; with none, the call runs as usual.
func (e *Emulator) applyFaults(t *thread, rules []*faultRule, name string, s, acc spec.Socket, ov spec.Overlapped, op func() error) error {
	var fire *faultRule
	for _, r := range rules {
		if r.removed {
			continue
		}
		r.seen++
		if fire == nil && (r.Nth == 0 || r.seen == r.Nth) {
			fire = r
		}
	}
	if fire == nil {
		return op()
	}
	r := fire
	switch r.Action {
	case FaultFail:
		if r.Delay > 0 {
			e.faultEvent(t, r, name, s, fmt.Sprintf("fail with %s after %s", r.Err.Name(), spec.FormatDuration(r.Delay)))
			if e.waitUntil(e.after(r.Delay), func() bool { return false }) == waitDeadlock {
				return ErrDeadlock
			}
			return errOf(r.Err)
		}
		e.faultEvent(t, r, name, s, "fail with "+r.Err.Name())
		return errOf(r.Err)
	case FaultComplete:
		so, o := e.sock(s), e.ov(ov)
		if so == nil || o == nil || o.pending {
			e.faultEvent(t, r, name, s, "not applied: no request can start")
			return op()
		}
		e.start(t, so, o, opFault)
		o.call = name
		if !o.async {
			e.faultEvent(t, r, name, s, fmt.Sprintf("blocks %s, then %v", spec.FormatDuration(r.Delay), r.Status))
			if r.Delay > 0 {
				e.waitUntil(e.after(r.Delay), func() bool { return !o.pending })
			}
			if o.pending {
				e.complete(o, r.Status)
			}
			return errOf(o.status.Winsock())
		}
		if r.Delay == 0 {
			e.faultEvent(t, r, name, s, fmt.Sprintf("pends, completes with %v", r.Status))
			e.complete(o, r.Status)
			return spec.ERROR_IO_PENDING
		}
		e.faultEvent(t, r, name, s, fmt.Sprintf("pends, completes after %s with %v", spec.FormatDuration(r.Delay), r.Status))
		e.faults.add(faultTimer{at: e.after(r.Delay), rule: r.id, call: name, thread: t.id, o: o, gen: o.gen, seq: o.seq, st: r.Status})
		return spec.ERROR_IO_PENDING
	case FaultReset:
		err := op()
		target := s
		if acc != 0 {
			target = acc
		}
		if r.Delay > 0 {
			e.faultEvent(t, r, name, target, "the peer resets after "+spec.FormatDuration(r.Delay))
			e.faults.add(faultTimer{at: e.after(r.Delay), rule: r.id, call: name, thread: t.id, reset: target, so: e.sock(target)})
			return err
		}
		so := e.sock(target)
		e.faultEvent(t, r, name, target, resetOutcome(so))
		e.peerReset(so)
		return err
	}
	return op()
}

func (e *Emulator) faultEvent(t *thread, r *faultRule, call string, s spec.Socket, what string) {
	e.faultEventID(t.id, r.id, call, s, what)
}

func (e *Emulator) faultEventID(thread, rule int, call string, s spec.Socket, what string) {
	if e.tr != nil {
		e.tr.add(e, Event{Kind: KindFault, Thread: thread, Socket: s, Call: call,
			Args: fmt.Sprintf("rule %d", rule), Result: what})
	}
}

// resetOutcome says what peerReset will do to so, for the trace: the
// fault's event comes before the reset's own effects.
func resetOutcome(so *socket) string {
	if so == nil || !isStream(so) || so.conn != connOpen {
		return "the peer resets: no connection"
	}
	return "the peer resets the connection"
}

// peerReset resets so's connection as the peer's abortive close does.
func (e *Emulator) peerReset(so *socket) {
	if so == nil || !isStream(so) || so.conn != connOpen {
		return
	}
	p := so.peer
	if p == nil {
		so.conn = connReset
		so.rbuf = so.rbuf[:0]
		e.serviceRecvs(so)
		if so.reusing {
			e.reuseFailed(so, spec.STATUS_CONNECTION_RESET)
		}
		e.wake()
		return
	}
	e.abortEnd(p) // p sends the RST: so sees it
	switch {
	case p.h == 0 && p.orphan != 0:
		e.freeSocket(p) // the peer had closed its handle (FIN_WAIT2)
	case p.h != 0:
		e.serviceRecvs(p)
		if p.reusing {
			e.reuseFailed(p, spec.STATUS_CONNECTION_RESET)
		}
	}
}

// faultTimer is a delayed effect: a request's completion (o) or a reset.
type faultTimer struct {
	at     int64
	order  uint64
	rule   int
	call   string
	thread int

	o   *ovl
	gen uint32
	seq uint32
	st  spec.NTStatus

	reset spec.Socket
	so    *socket
}

func (fs *faultSet) add(t faultTimer) {
	fs.timed++
	t.order = fs.timed
	i := sort.Search(len(fs.timers), func(i int) bool { return fs.timers[i].at > t.at })
	fs.timers = slices.Insert(fs.timers, i, t)
}

// nextTimer is the time of the next delayed effect.
func (fs *faultSet) nextTimer() (int64, bool) {
	if len(fs.timers) == 0 {
		return 0, false
	}
	return fs.timers[0].at, true
}

// faultsDue carries out the delayed effects whose time has come, in order.
func (e *Emulator) faultsDue() {
	fs := &e.faults
	now := e.now()
	for len(fs.timers) > 0 && fs.timers[0].at <= now {
		t := fs.timers[0]
		fs.timers = slices.Delete(fs.timers, 0, 1)
		if t.o != nil {
			o := t.o
			if o.live && o.gen == t.gen && o.seq == t.seq && o.pending && o.op == opFault {
				e.faultEventID(t.thread, t.rule, t.call, o.sock.h, "completes with "+t.st.String())
				e.complete(o, t.st)
			}
			continue
		}
		so := e.sock(t.reset)
		if so != t.so {
			so = nil // the handle was closed meanwhile
		}
		e.faultEventID(t.thread, t.rule, t.call, t.reset, resetOutcome(so))
		e.peerReset(so)
	}
}

// opName is the call name of o's request, for the trace.
func (o *ovl) opName() string {
	if o.op == opFault {
		return o.call
	}
	return o.op.String()
}
