package emulator

import (
	"fmt"
	"math"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// FuzzChaos is the structured fuzzer: the input is the program itself.
//
//	go test -run '^$' -fuzz '^FuzzChaos$' -fuzztime 5m -fuzzminimizetime 50x -parallel 1 ./emulator
//
// Bytes 0-3 are the settings and options (fuzzHeader). Every following 8
// bytes are one call (fuzzOp): operation, lane, two object indices,
// flags, reserved, timeout and an argument byte; the operations are every
// spec.API call, Thread.Exit, and adding and removing fault rules
// (Inject). Each lane is an emulated thread started with Go, and runs its
// calls in order, concurrently with the other lanes: blocking calls (Accept, Recv, INFINITE waits,
// synchronous DisconnectEx(TF_REUSE_SOCKET), GetOverlappedResult with wait)
// are released by another lane or, WithDeadlockError, fail with
// ErrDeadlock once every lane is blocked. After every call the checker
// (fuzzcheck_test.go) looks at the emulator's state; after the last, every
// handle is closed, TIME_WAIT waited out, and nothing may be left: no
// request pending, no TCP row, no caller or goroutine. An input that does
// not finish within its wall deadline is a hang: a finding, like a broken
// invariant or a panic. Inputs are deterministic with one lane; with
// more, the lanes' interleaving varies from run to run, so a finding may
// need a few runs to reproduce. The seed corpus is fuzzSeeds, checked in
// under testdata/fuzz/FuzzChaos (TestFuzzCorpus).
func FuzzChaos(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan *fuzzRun, 1)
		go func() { done <- runFuzz(data) }()
		select {
		case r := <-done:
			if len(r.problems) > 0 {
				t.Fatalf("%s\nreproducer: %q\n%s", strings.Join(r.problems, "\n"), data, r.program)
			}
		case <-time.After(fuzzDeadline + 5*time.Second):
			buf := make([]byte, 1<<20)
			t.Fatalf("HANG: the input did not finish within %v\nreproducer: %q\n%s\n%s",
				fuzzDeadline+5*time.Second, data, decodeFuzz(data), buf[:runtime.Stack(buf, true)])
		}
	})
}

// fuzzDeadline is the wall time an input may take before it counts as hung.
var fuzzDeadline = 20 * time.Second

const fuzzMaxOps = 256 // calls per input; the rest of a longer input is ignored

// fuzzHeader is the input's first four bytes.
//
//	byte 0: bit 0 profile (Documented when set), bits 1-2 trace (off,
//	        WithTrace, WithTraceRing(16), WithTraceFunc), bits 3-7 variants
//	        (bit 3+i picks clause i's second variant, when it has one)
//	byte 1: TcpTimedWaitDelay: 0, 1 s, 30 s, 240 s or 300 s (value % 5)
//	byte 2: dynamic ports: 1 + value%64 of them, from 60000, or ending at
//	        65535 when bit 7 is set
//	byte 3: lanes: 1 + value%4
type fuzzHeader [4]byte

// fuzzOp is one call: 8 bytes.
type fuzzOp struct {
	Op, Lane, A, B, Flags, Reserved, Timeout, Arg uint8
}

type fuzzProgram struct {
	hdr   fuzzHeader
	lanes [][]fuzzOp
	s     spec.Settings
	opts  []Option
}

func decodeFuzz(data []byte) fuzzProgram {
	var p fuzzProgram
	copy(p.hdr[:], data)
	h := p.hdr
	p.s = spec.DefaultSettings()
	p.s.TcpTimedWaitDelay = []time.Duration{0, time.Second, 30 * time.Second, 240 * time.Second, 300 * time.Second}[h[1]%5]
	n := 1 + int(h[2]%64)
	p.s.DynamicPorts = spec.PortRange{Start: 60000, Count: n}
	if h[2]&0x80 != 0 {
		p.s.DynamicPorts.Start = uint16(65536 - n)
	}
	if h[0]&1 != 0 {
		p.opts = append(p.opts, WithProfile(Documented))
	}
	switch h[0] >> 1 & 3 {
	case 1:
		p.opts = append(p.opts, WithTrace())
	case 2:
		p.opts = append(p.opts, WithTraceRing(16))
	case 3:
		p.opts = append(p.opts, WithTraceFunc(func(ev Event) { _ = ev.String() }))
	}
	clause := 0
	vs := Variants()
	for i := 0; i < len(vs); {
		j := i
		for j < len(vs) && vs[j].Clause == vs[i].Clause {
			j++
		}
		if h[0]>>(3+clause)&1 != 0 && j-i > 1 {
			p.opts = append(p.opts, WithVariant(vs[i+1].Clause, vs[i+1].Name))
		}
		clause++
		i = j
	}
	p.lanes = make([][]fuzzOp, 1+int(h[3]%4))
	body := data[min(len(data), len(h)):]
	for k := 0; k+8 <= len(body) && k/8 < fuzzMaxOps; k += 8 {
		b := body[k : k+8]
		op := fuzzOp{b[0], b[1] % uint8(len(p.lanes)), b[2], b[3], b[4], b[5], b[6], b[7]}
		p.lanes[op.Lane] = append(p.lanes[op.Lane], op)
	}
	return p
}

func (p fuzzProgram) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "settings: delay %v, ports %d+%d, header % x\n", p.s.TcpTimedWaitDelay, p.s.DynamicPorts.Start, p.s.DynamicPorts.Count, p.hdr[:])
	for i, l := range p.lanes {
		for _, op := range l {
			fmt.Fprintf(&b, "lane %d: %s a=%d b=%d flags=%#x reserved=%d timeout=%v arg=%d\n",
				i, fuzzOpNames[int(op.Op)%len(fuzzOpNames)], op.A, op.B, op.Flags, op.Reserved, fuzzTimeout(op.Timeout), op.Arg)
		}
	}
	return b.String()
}

// fuzzTimeout decodes a timeout byte: 0, INFINITE, the negative values
// that are not INFINITE, the largest ones, then milliseconds and seconds.
func fuzzTimeout(b uint8) time.Duration {
	switch b {
	case 0:
		return 0
	case 1:
		return spec.Infinite
	case 2:
		return -time.Millisecond
	case 3:
		return -2
	case 4:
		return math.MinInt64
	case 5:
		return math.MaxInt64
	case 6:
		return 1 << 62
	case 7:
		return 0xFFFFFFFE * time.Millisecond // the longest finite DWORD wait
	}
	if b < 128 {
		return time.Duration(b-8) * time.Millisecond
	}
	return time.Duration(b-128) * time.Second
}

var fuzzOpNames = [...]string{
	"socket", "bind", "listen", "connect", "accept", "send", "recv", "poll", "shutdown", "linger or bind options",
	"closesocket", "ConnectEx", "AcceptEx", "DisconnectEx", "WSASend", "WSARecv", "NewOverlapped",
	"FreeOverlapped", "GetOverlappedResult", "WSAGetOverlappedResult", "CancelIoEx", "CreateEvent",
	"Set/ResetEvent", "WaitForSingleObject", "CloseHandle", "CreateIoCompletionPort", "associate",
	"notification modes", "GetQueuedCompletionStatus", "PostQueuedCompletionStatus", "Sleep",
	"TCPTable", "ExitThread", "names and contexts", "ExtensionLookup", "SetOverlappedFields",
	"Inject", "remove fault",
}

var fuzzAddrs = []netip.AddrPort{
	netip.MustParseAddrPort("127.0.0.1:7000"), netip.MustParseAddrPort("127.0.0.1:7001"),
	netip.MustParseAddrPort("0.0.0.0:0"), netip.MustParseAddrPort("[::1]:7000"),
	netip.MustParseAddrPort("[::]:0"), netip.MustParseAddrPort("127.0.0.1:0"),
	netip.MustParseAddrPort("192.0.2.1:80"),      // remote: drops SYNs
	netip.MustParseAddrPort("198.51.100.1:80"),   // remote: accepts, echoes
	netip.MustParseAddrPort("198.51.100.200:80"), // remote: never closes
	netip.MustParseAddrPort("203.0.113.1:80"),    // remote: refuses
	netip.MustParseAddrPort("203.0.113.130:80"),  // remote: unreachable
	{},
	// Ports shared across addresses (DX-GAP-BIND-ADDRESS): the unspecified
	// address and a second loopback address on the listener's port.
	netip.MustParseAddrPort("0.0.0.0:7000"), netip.MustParseAddrPort("127.0.0.2:7000"),
}

// fuzzRun is one input's run: the objects the calls made, shared by the
// lanes, and what the checker found.
type fuzzRun struct {
	e       *Emulator
	program string

	mu    sync.Mutex // guards the tables and problems
	socks []spec.Socket
	hs    []spec.Handle
	ovs   []spec.Overlapped

	problems []string
	removes  []func()
	lastNow  int64 // guarded by e.mu (the checker runs under it)
}

func (r *fuzzRun) problem(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.problems) < 20 {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	}
}

// Bogus values a pick may give instead of a table entry.
var fuzzBogus = []uintptr{0, ^uintptr(0), 1, 3, 4, 0x1000, uintptr(ovTag) | 0x10, 1 << 40}

func (r *fuzzRun) pickSock(b uint8) spec.Socket {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b >= 0xF8 || len(r.socks) == 0 {
		return spec.Socket(fuzzBogus[b%8])
	}
	return r.socks[int(b)%len(r.socks)]
}

func (r *fuzzRun) pickHandle(b uint8) spec.Handle {
	if b&0x80 != 0 {
		return spec.Handle(r.pickSock(b &^ 0x80))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if b >= 0x78 || len(r.hs) == 0 {
		return spec.Handle(fuzzBogus[b%8])
	}
	return r.hs[int(b)%len(r.hs)]
}

func (r *fuzzRun) pickOv(b uint8) spec.Overlapped {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b >= 0xF0 || len(r.ovs) == 0 {
		return spec.Overlapped(fuzzBogus[b%8])
	}
	return r.ovs[int(b)%len(r.ovs)]
}

func (r *fuzzRun) add(s spec.Socket, h spec.Handle, ov spec.Overlapped) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s != 0 && s != spec.INVALID_SOCKET {
		r.socks = append(r.socks, s)
	}
	if h != 0 {
		r.hs = append(r.hs, h)
	}
	if ov != 0 {
		r.ovs = append(r.ovs, ov)
	}
}

func fuzzFlags(b uint8) uint32 {
	switch b % 8 {
	case 0, 1:
		return 0
	case 2, 3, 4:
		return spec.TF_REUSE_SOCKET
	case 5:
		return spec.TF_DISCONNECT
	case 6:
		return spec.TF_REUSE_SOCKET | spec.TF_WRITE_BEHIND
	}
	return uint32(b) << 24
}

func fuzzReserved(b uint8) uint32 {
	switch b % 8 {
	case 6:
		return 1
	case 7:
		return math.MaxUint32
	}
	return 0
}

// step makes one call through the lane's thread.
func (r *fuzzRun) step(th *Thread, op fuzzOp) {
	to := fuzzTimeout(op.Timeout)
	flags := fuzzFlags(op.Flags)
	addr := fuzzAddrs[int(op.Arg)%len(fuzzAddrs)]
	switch int(op.Op) % len(fuzzOpNames) {
	case 0:
		af := []int{spec.AF_INET, spec.AF_INET, spec.AF_INET6, 7}[op.A%4]
		typ := []int{spec.SOCK_STREAM, spec.SOCK_STREAM, spec.SOCK_STREAM, spec.SOCK_DGRAM}[op.B%4]
		var fl uint32
		if op.Flags&1 == 0 {
			fl = spec.WSA_FLAG_OVERLAPPED
		}
		s, _ := th.Socket(af, typ, 0, fl)
		r.add(s, 0, 0)
	case 1:
		_ = th.Bind(r.pickSock(op.A), addr)
	case 2:
		_ = th.Listen(r.pickSock(op.A), int(op.Arg%6)-1)
	case 3:
		_ = th.Connect(r.pickSock(op.A), addr)
	case 4:
		s, _, _ := th.Accept(r.pickSock(op.A))
		r.add(s, 0, 0)
	case 5:
		_, _ = th.Send(r.pickSock(op.A), make([]byte, op.Arg%5))
	case 6:
		_, _ = th.Recv(r.pickSock(op.A), make([]byte, op.Arg%5))
	case 7:
		_, _ = th.Poll(r.pickSock(op.A), spec.PollEvents(op.Arg)<<4|spec.PollEvents(op.Flags)<<8, to)
	case 8:
		_ = th.Shutdown(r.pickSock(op.A), int(op.Arg%5)-1)
	case 9:
		if op.Flags&2 != 0 { // the bind options instead (DX-GAP-BIND-ADDRESS)
			opt := []int{spec.SO_REUSEADDR, spec.SO_EXCLUSIVEADDRUSE, 0x77}[op.Arg%3]
			_ = th.SetBindOption(r.pickSock(op.A), opt, op.Flags&1 != 0)
			break
		}
		_ = th.SetLinger(r.pickSock(op.A), op.Flags&1 != 0, uint16(op.Arg%3))
	case 10:
		_ = th.Closesocket(r.pickSock(op.A))
	case 11:
		_ = th.ConnectEx(r.pickSock(op.A), addr, r.pickOv(op.B))
	case 12:
		_ = th.AcceptEx(r.pickSock(op.A), r.pickSock(op.Arg), r.pickOv(op.B))
	case 13:
		_ = th.DisconnectEx(r.pickSock(op.A), r.pickOv(op.B), flags, fuzzReserved(op.Reserved))
	case 14:
		_, _ = th.WSASend(r.pickSock(op.A), make([]byte, op.Arg%5), r.pickOv(op.B))
	case 15:
		_, _ = th.WSARecv(r.pickSock(op.A), make([]byte, op.Arg%5), r.pickOv(op.B))
	case 16:
		ev := r.pickHandle(op.A)
		if op.Flags&1 != 0 {
			ev |= 1 // no packet for this request
		}
		if op.Flags&2 != 0 {
			ev = 0
		}
		ov, _ := th.NewOverlapped(ev)
		r.add(0, 0, ov)
	case 17:
		_ = th.FreeOverlapped(r.pickOv(op.B))
	case 18:
		_, _ = th.GetOverlappedResult(r.pickHandle(op.A), r.pickOv(op.B), op.Flags&1 != 0)
	case 19:
		_, _, _ = th.WSAGetOverlappedResult(r.pickSock(op.A), r.pickOv(op.B), op.Flags&1 != 0)
	case 20:
		ov := r.pickOv(op.B)
		if op.Flags&1 != 0 {
			ov = 0 // every request on the handle
		}
		_ = th.CancelIoEx(r.pickHandle(op.A), ov)
	case 21:
		h, _ := th.CreateEvent(op.Flags&1 != 0, op.Flags&2 != 0)
		r.add(0, h, 0)
	case 22:
		if op.Flags&1 != 0 {
			_ = th.ResetEvent(r.pickHandle(op.A))
		} else {
			_ = th.SetEvent(r.pickHandle(op.A))
		}
	case 23:
		_ = th.WaitForSingleObject(r.pickHandle(op.A), to)
	case 24:
		_ = th.CloseHandle(r.pickHandle(op.A))
	case 25:
		h, _ := th.CreateIoCompletionPort(uint32(op.Arg % 3))
		r.add(0, h, 0)
	case 26:
		_ = th.AssociateCompletionPort(r.pickHandle(op.A), r.pickSock(op.B), uintptr(op.Arg))
	case 27:
		_ = th.SetFileCompletionNotificationModes(r.pickSock(op.A), op.Flags%4)
	case 28:
		_, _ = th.GetQueuedCompletionStatus(r.pickHandle(op.A), to)
	case 29:
		_ = th.PostQueuedCompletionStatus(r.pickHandle(op.A), uint32(op.Arg), uintptr(op.Flags), r.pickOv(op.B))
	case 30:
		th.Sleep(to)
	case 31:
		_, _ = th.TCPTable()
	case 32:
		if op.Flags == 0xEE { // rare: the lane's later calls fail
			_ = th.Exit()
		}
	case 33:
		s := r.pickSock(op.A)
		_, _ = th.Getsockname(s)
		_, _ = th.Getpeername(s)
		if op.Flags&1 != 0 {
			_ = th.UpdateAcceptContext(s, r.pickSock(op.B))
		} else {
			_ = th.UpdateConnectContext(s)
		}
	case 34:
		_, _, _ = th.ExtensionLookup(r.pickSock(op.A), spec.WSAID_DISCONNECTEX, r.pickOv(op.B), op.Flags&1 == 0)
	case 35:
		_ = th.SetOverlappedFields(r.pickOv(op.B), spec.NTStatus(uint32(op.Arg)<<24), uintptr(op.Flags))
	case 36:
		r.inject(op)
	case 37:
		r.mu.Lock()
		var rm func()
		if n := len(r.removes); n > 0 {
			rm = r.removes[int(op.A)%n]
		}
		r.mu.Unlock()
		if rm != nil {
			rm()
		}
	}
}

var (
	fuzzFaultErrs   = []spec.Errno{spec.WSAECONNRESET, spec.WSAENOBUFS, spec.ERROR_INVALID_HANDLE, spec.WSAEINVAL, spec.ERROR_IO_PENDING, 0}
	fuzzFaultStatus = []spec.NTStatus{spec.STATUS_CONNECTION_REFUSED, spec.STATUS_CANCELLED, spec.STATUS_CONNECTION_RESET, spec.STATUS_SUCCESS, spec.STATUS_PENDING}
)

// inject adds a fault rule (emulator/faults.go) made from the op's bytes;
// some are bad on purpose (the rule is then refused).
func (r *fuzzRun) inject(op fuzzOp) {
	calls := FaultCalls()
	rule := Fault{
		Action: FaultAction(1 + op.Flags%4), // 4: an unknown action
		Nth:    int(op.Reserved % 4),
		Delay:  fuzzTimeout(op.Timeout),
	}
	// The field of the action, or with bit 6 both (a bad rule).
	if rule.Action == FaultFail || op.Flags&0x40 != 0 {
		rule.Err = fuzzFaultErrs[int(op.Flags>>2)%len(fuzzFaultErrs)]
	}
	if rule.Action == FaultComplete || op.Flags&0x40 != 0 {
		rule.Status = fuzzFaultStatus[int(op.Flags>>2)%len(fuzzFaultStatus)]
	}
	if op.Arg < 0xF0 {
		rule.Call = calls[int(op.Arg)%len(calls)]
	}
	if op.Flags&0x80 != 0 {
		rule.Socket = r.pickSock(op.A)
	}
	if op.B&1 != 0 {
		rule.Match = func(c FaultCall) bool { return c.Thread%2 == int(op.B>>1)%2 }
	}
	rm, err := r.e.Inject(rule)
	if err == nil {
		r.mu.Lock()
		r.removes = append(r.removes, rm)
		r.mu.Unlock()
	}
}

// runFuzz runs one input and returns what went wrong (nothing, normally).
func runFuzz(data []byte, extra ...Option) *fuzzRun {
	p := decodeFuzz(data)
	r := &fuzzRun{program: p.String()}
	e, err := New(p.s, append(append(p.opts, WithDeadlockError()), extra...)...)
	if err != nil {
		r.problem("New: %v", err)
		return r
	}
	r.e = e
	// A listener most connections go to, so that inputs reach the
	// interesting states often.
	l, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
	_ = e.Bind(l, fuzzAddrs[0])
	_ = e.Listen(l, 8)
	r.add(l, 0, 0)
	r.check("setup")

	before := runtime.NumGoroutine()
	deadline := time.Now().Add(fuzzDeadline)
	done := make(chan struct{})
	var wg sync.WaitGroup
	fs := make([]func(*Thread), len(p.lanes))
	for i, ops := range p.lanes {
		wg.Add(1)
		fs[i] = func(th *Thread) {
			defer wg.Done()
			for _, op := range ops {
				r.step(th, op)
				r.check(fuzzOpNames[int(op.Op)%len(fuzzOpNames)])
			}
		}
	}
	go func() { wg.Wait(); close(done) }()
	if err := e.Go(fs...); err != nil {
		r.problem("Go: %v", err)
		return r
	}
	select {
	case <-done:
	case <-time.After(time.Until(deadline)):
		buf := make([]byte, 1<<20)
		r.problem("HANG: the lanes did not finish within %v\n%s", fuzzDeadline, buf[:runtime.Stack(buf, true)])
		return r
	}
	// A lane's goroutine ends just after its function returns (Go's
	// wrapper ends the thread then): wait for all of them first.
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		r.problem("%d goroutines left after the lanes ended (%d before them)\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
	r.closeAll()
	return r
}
