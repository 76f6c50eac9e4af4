package emulator_test

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// Pool is a user's connection pool written against spec.API: one client
// socket that is recycled with DisconnectEx(TF_REUSE_SOCKET) instead of
// being closed, and reconnected with ConnectEx. On Windows it runs on the
// native backend; in tests it runs on the emulator.
type Pool struct {
	api          spec.API
	addr         netip.AddrPort
	s            spec.Socket
	ov           spec.Overlapped
	disconnectEx spec.DisconnectExFunc
	recycling    bool
}

func NewPool(api spec.API, addr netip.AddrPort) (*Pool, error) {
	s, err := api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return nil, err
	}
	if err := api.Bind(s, netip.MustParseAddrPort("0.0.0.0:0")); err != nil { // ConnectEx needs a bound socket
		return nil, err
	}
	ov, err := api.NewOverlapped(0)
	if err != nil {
		return nil, err
	}
	dx, err := spec.LoadDisconnectEx(api, s)
	if err != nil {
		return nil, err
	}
	return &Pool{api: api, addr: addr, s: s, ov: ov, disconnectEx: dx}, nil
}

// Get returns the pool's socket connected to the server. If a recycle is in
// progress it waits for it first (under variant waits of DX-FLAG-TIMEWAIT
// that is where TIME_WAIT is paid).
func (p *Pool) Get() (spec.Socket, error) {
	if p.recycling {
		if _, err := p.api.GetOverlappedResult(spec.Handle(p.s), p.ov, true); err != nil {
			return 0, fmt.Errorf("recycle: %w", err)
		}
		p.recycling = false
	}
	if err := p.api.ConnectEx(p.s, p.addr, p.ov); err != spec.ERROR_IO_PENDING {
		return 0, fmt.Errorf("ConnectEx: %w", err)
	}
	if _, err := p.api.GetOverlappedResult(spec.Handle(p.s), p.ov, true); err != nil {
		return 0, fmt.Errorf("connect: %w", err)
	}
	return p.s, p.api.UpdateConnectContext(p.s)
}

// Put starts recycling the socket and returns at once.
func (p *Pool) Put() error {
	if err := p.disconnectEx(p.s, p.ov, spec.TF_REUSE_SOCKET, 0); err != spec.ERROR_IO_PENDING {
		return fmt.Errorf("DisconnectEx: %w", err)
	}
	p.recycling = true
	return nil
}

// server is the other end of the test: a listener on 127.0.0.1:8080.
func server(e *emulator.Emulator) (spec.Socket, netip.AddrPort) {
	addr := netip.MustParseAddrPort("127.0.0.1:8080")
	l, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
	_ = e.Bind(l, addr)
	_ = e.Listen(l, 16)
	return l, addr
}

// The pool closes first, so its side of each connection goes through
// TIME_WAIT. The recycle completes with the graceful close (DX-FLAG-TIMEWAIT,
// default after-close), but the TIME_WAIT row holds the socket pair: a
// reconnect from the same port to the same server fails WSAEADDRINUSE until
// the row expires 240 s later, in virtual time.
func Example_connectionPool() {
	e, _ := emulator.New(spec.DefaultSettings())
	l, addr := server(e)
	pool, _ := NewPool(e, addr)

	s1, _ := pool.Get()
	local1, _ := e.Getsockname(s1)
	conn, _, _ := e.Accept(l)

	_ = pool.Put() // our FIN goes out first
	n, _ := e.Recv(conn, make([]byte, 16))
	fmt.Println("server reads", n, "bytes: end of stream")
	_ = e.Closesocket(conn) // the server's FIN: our TIME_WAIT row starts
	st, _ := e.State(s1)
	fmt.Println("pool socket:", st)

	_, err := pool.Get()
	fmt.Println("reconnect at once:", err)
	e.Sleep(spec.DefaultTcpTimedWaitDelay) // the TIME_WAIT row expires
	s2, err := pool.Get()
	local2, _ := e.Getsockname(s2)
	fmt.Println("reconnected:", err == nil, "same socket:", s1 == s2, "same port:", local1.Port() == local2.Port())
	fmt.Println("virtual time:", e.Now())
	// Output:
	// server reads 0 bytes: end of stream
	// pool socket: reusable
	// reconnect at once: ConnectEx: WSAEADDRINUSE (10048): the local address (or socket pair) is already in use
	// reconnected: true same socket: true same port: true
	// virtual time: 4m0s
}

// When the server closes first the pool's side is the passive closer: no
// TIME_WAIT on the client, and recycling costs no time at all. Each
// reconnect from the pool socket's port is a SYN for the pair the server
// holds in TIME_WAIT; by default it takes that row over, so the table keeps
// one row for the pair, never one per cycle.
func Example_serverClosesFirst() {
	e, _ := emulator.New(spec.DefaultSettings())
	l, addr := server(e)
	pool, _ := NewPool(e, addr)
	for i := 0; i < 3; i++ {
		s, _ := pool.Get()
		conn, _, _ := e.Accept(l)
		_ = e.Closesocket(conn)
		_ = pool.Put()
		st, _ := e.State(s)
		fmt.Println("cycle", i, "pool socket:", st)
	}
	rows, _ := e.TCPTable()
	tw := 0
	for _, r := range rows {
		if r.State == spec.TCPTimeWait {
			tw++
		}
	}
	fmt.Println("TIME_WAIT rows (server side):", tw, "virtual time:", e.Now())
	// Output:
	// cycle 0 pool socket: reusable
	// cycle 1 pool socket: reusable
	// cycle 2 pool socket: reusable
	// TIME_WAIT rows (server side): 1 virtual time: 0s
}

// The Documented profile follows Microsoft's page where Windows does not:
// here, a second DisconnectEx without TF_REUSE_SOCKET.
func ExampleWithProfile() {
	for _, p := range []emulator.Profile{emulator.Windows, emulator.Documented} {
		e, _ := emulator.New(spec.DefaultSettings(), emulator.WithProfile(p))
		l, addr := server(e)
		c, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, 0)
		_ = e.Connect(c, addr)
		_, _, _ = e.Accept(l)
		first := e.DisconnectEx(c, 0, 0, 0)
		second := e.DisconnectEx(c, 0, 0, 0)
		fmt.Printf("%s: first %v, second %v\n", p, resultOf(first), resultOf(second))
	}
	// Output:
	// windows: first ok, second ok
	// documented: first ok, second WSAENOTCONN
}

func resultOf(err error) string {
	if err == nil {
		return "ok"
	}
	return err.(spec.Errno).Name()
}

// Trace records calls, results, transitions and completions with their
// virtual time.
func ExampleEmulator_Trace() {
	e, _ := emulator.New(spec.DefaultSettings(), emulator.WithTrace())
	l, addr := server(e)
	c, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
	_ = e.Connect(c, addr)
	srv, _, _ := e.Accept(l)
	ov, _ := e.NewOverlapped(0)
	_ = e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0)
	_ = e.Closesocket(srv)
	_, _ = e.GetOverlappedResult(spec.Handle(c), ov, true)
	for _, ev := range e.Trace() {
		if ev.Call == "DisconnectEx" || strings.Contains(ev.Call, "TIME_WAIT") || strings.Contains(ev.Call, "TF_REUSE") {
			fmt.Println(ev)
		}
	}
	// Output:
	// [     0s] #22 T0 call DisconnectEx(s=0x8, ov=0x7e0000000000, TF_REUSE_SOCKET, 0)
	// [     0s] #23 T0 transition s=0x8 connected -> transmit-closing (DisconnectEx(TF_REUSE_SOCKET), we close first)
	// [     0s] #24 T0 result DisconnectEx = ERROR_IO_PENDING
	// [     0s] #28 T0 transition s=0x8 transmit-closing -> reusable (peer FIN, variant after-close: TIME_WAIT row stays)
	// [     0s] #29 T0 completion s=0x8 DisconnectEx ov=0x7e0000000000 STATUS_SUCCESS
}

// The state machine the emulator runs on, as a table; Diagram renders it.
func ExampleTransitions() {
	for _, t := range emulator.Transitions() {
		if strings.HasPrefix(t.Event, "DisconnectEx") && t.From == spec.StateConnected || t.Event == "TIME_WAIT expires" {
			fmt.Printf("%-10s -> %-16s on %s\n", t.From, t.To, t.Event)
		}
	}
	// Output:
	// connected  -> transmit-closing on DisconnectEx(0)
	// connected  -> transmit-closing on DisconnectEx(TF_REUSE_SOCKET), we close first
	// connected  -> reusable         on DisconnectEx(TF_REUSE_SOCKET), peer FIN first
	// connected  -> TIME_WAIT        on DisconnectEx(TF_REUSE_SOCKET) during TIME_WAIT
	// connected  -> reusable         on DisconnectEx(TF_REUSE_SOCKET), TIME_WAIT already over
	// TIME_WAIT  -> reusable         on TIME_WAIT expires
	// connected  -> reusable         on DisconnectEx(TF_REUSE_SOCKET) during TIME_WAIT, variant after-close: the row stays
}

// A server that binds 0.0.0.0 shares its port with one on 127.0.0.1, and
// the connection to 127.0.0.1 goes to the latter, unless the first takes
// the port with SO_EXCLUSIVEADDRUSE (DX-GAP-BIND-ADDRESS, as sock.c's
// test_reuseaddr saw on Windows).
func ExampleEmulator_SetBindOption() {
	e, _ := emulator.New(spec.DefaultSettings())
	bind := func(addr string, opt int) error {
		s, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
		if opt != 0 {
			_ = e.SetBindOption(s, opt, true)
		}
		return e.Bind(s, netip.MustParseAddrPort(addr))
	}
	fmt.Println(bind("0.0.0.0:9000", 0), bind("127.0.0.1:9000", 0))
	fmt.Println(bind("0.0.0.0:9001", spec.SO_EXCLUSIVEADDRUSE), bind("127.0.0.1:9001", 0))
	fmt.Println(bind("127.0.0.1:9002", 0), bind("127.0.0.1:9002", spec.SO_REUSEADDR))
	// Output:
	// <nil> <nil>
	// <nil> WSAEACCES (10013): permission denied: the address is held exclusively (SO_EXCLUSIVEADDRUSE), SO_REUSEADDR may not take it, or the process may not make raw sockets (SOCK_RAW)
	// <nil> WSAEACCES (10013): permission denied: the address is held exclusively (SO_EXCLUSIVEADDRUSE), SO_REUSEADDR may not take it, or the process may not make raw sockets (SOCK_RAW)
}
