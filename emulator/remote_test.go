package emulator

import (
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
	"gotest.tools/v3/assert"
)

// remote returns the default remote host address with behaviour b.
func (w *world) remote(b spec.HostBehavior) netip.AddrPort {
	w.t.Helper()
	a, err := w.e.RemoteHost(b)
	w.ok(err)
	return a
}

// boundSock returns an overlapped socket bound to 0.0.0.0:0.
func (w *world) boundSock() spec.Socket {
	w.t.Helper()
	s := w.sock(true)
	w.ok(w.e.Bind(s, any4))
	return s
}

func TestRemoteHostDefaults(t *testing.T) {
	w := newWorld(t, Windows)
	for _, b := range spec.HostBehaviors() {
		a := w.remote(b)
		assert.Equal(t, w.e.hostFor(a.Addr()), b, "%v at %v", b, a)
		assert.Assert(t, !a.Addr().IsLoopback())
	}
	_, err := w.e.RemoteHost(0)
	assert.ErrorContains(t, err, "unknown behaviour")
	assert.Equal(t, len(w.e.RemoteHosts()), len(DefaultRemoteHosts()))
	// Wine's test_connecting_socket address is a host that drops SYNs.
	assert.Equal(t, w.e.hostFor(netip.MustParseAddr("192.0.2.0")), spec.HostDropsSYN)
	assert.Equal(t, w.e.hostFor(loop4), spec.HostBehavior(0))
}

func TestWithRemoteHostsBadInput(t *testing.T) {
	p := netip.MustParsePrefix
	for _, tc := range []struct {
		prefix netip.Prefix
		b      spec.HostBehavior
		want   string
	}{
		{netip.Prefix{}, spec.HostAccepts, "invalid prefix"},
		{p("192.0.2.0/24"), 0, "unknown behaviour"},
		{p("192.0.2.0/24"), 99, "unknown behaviour"},
		{p("127.0.0.0/16"), spec.HostAccepts, "loopback"},
		{p("0.0.0.0/0"), spec.HostAccepts, "loopback"},
		{p("::/0"), spec.HostRefuses, "loopback"},
		{p("10.0.0.0/24"), spec.HostRefuses, "own address"},
		{p("::ffff:192.0.2.0/120"), spec.HostRefuses, "IPv4-mapped"},
	} {
		_, err := New(spec.DefaultSettings(), WithRemoteHosts(tc.prefix, tc.b))
		assert.ErrorContains(t, err, tc.want, "%v %v", tc.prefix, tc.b)
	}
	for _, s := range []SYNSchedule{{0, 2}, {-time.Second, 2}, {65536 * time.Second, 2}, {time.Second, -1}, {time.Second, 256}} {
		_, err := New(spec.DefaultSettings(), WithSYNSchedule(s))
		assert.ErrorContains(t, err, "SYN schedule", "%+v", s)
	}
	// A longer prefix given later overrides a default.
	e, err := New(spec.DefaultSettings(), WithRemoteHosts(p("203.0.113.7/32"), spec.HostAccepts),
		WithRemoteHosts(p("2001:db8::/32"), spec.HostNeverCloses))
	assert.NilError(t, err)
	assert.Equal(t, e.hostFor(netip.MustParseAddr("203.0.113.7")), spec.HostAccepts)
	assert.Equal(t, e.hostFor(netip.MustParseAddr("203.0.113.8")), spec.HostRefuses)
	a, err := e.RemoteHost(spec.HostAccepts)
	assert.NilError(t, err)
	assert.Equal(t, a.Addr(), netip.MustParseAddr("203.0.113.7"))
	a, err = e.RemoteHost(spec.HostNeverCloses)
	assert.NilError(t, err)
	assert.Equal(t, a.Addr(), netip.MustParseAddr("2001:db8::1"))
}

func TestSYNScheduleTimes(t *testing.T) {
	assert.DeepEqual(t, DefaultSYNSchedule.Times(), []time.Duration{3 * time.Second, 9 * time.Second, 21 * time.Second})
	assert.DeepEqual(t, SYNSchedule{time.Second, 0}.Times(), []time.Duration{time.Second})
	big := SYNSchedule{65535 * time.Second, 255}.Times()
	assert.Equal(t, len(big), 256)
	for i := 1; i < len(big); i++ {
		assert.Assert(t, big[i] >= big[i-1], "not monotone at %d", i)
	}
	assert.Equal(t, big[255], time.Duration(math.MaxInt64))
}

func TestConnectExDropsSYN(t *testing.T) {
	w := newWorld(t, Windows, WithTrace())
	e := w.e
	dst := w.remote(spec.HostDropsSYN)
	c := w.boundSock()
	ev, err := e.CreateEvent(true, false)
	w.ok(err)
	ov := w.ov(ev)
	w.is(e.ConnectEx(c, dst, ov), spec.ERROR_IO_PENDING)
	w.wantState(c, spec.StateConnecting)
	assert.Equal(t, w.rows(spec.TCPSynSent), 1)
	local, err := e.Getsockname(c)
	w.ok(err)
	assert.Equal(t, local.Addr(), HostAddr4)
	assert.Assert(t, local.Port() != 0)

	// What a connecting socket refuses (Wine sock.c test_connecting_socket).
	ov2 := w.ov(0)
	w.is(e.ConnectEx(c, dst, ov2), spec.WSAEINVAL)
	w.is(e.Connect(c, dst), spec.WSAEINVAL)
	_, err = e.Getpeername(c)
	w.is(err, spec.WSAENOTCONN)
	_, err = e.Send(c, []byte("data"))
	w.is(err, spec.WSAENOTCONN)
	_, err = e.Recv(c, make([]byte, 4))
	w.is(err, spec.WSAENOTCONN)
	w.is(e.DisconnectEx(c, 0, 0, 0), spec.WSAENOTCONN)

	// Pending until the last wait of the schedule ends at 21 s.
	w.is(e.WaitForSingleObject(ev, 21*time.Second-time.Nanosecond), spec.WAIT_TIMEOUT)
	_, err = e.GetOverlappedResult(spec.Handle(c), ov, false)
	w.is(err, spec.ERROR_IO_INCOMPLETE)
	w.ok(e.WaitForSingleObject(ev, spec.Infinite))
	assert.Equal(t, e.Now(), 21*time.Second)
	_, err = e.GetOverlappedResult(spec.Handle(c), ov, false)
	w.is(err, spec.ERROR_SEM_TIMEOUT)
	_, _, err = e.WSAGetOverlappedResult(c, ov, false)
	w.is(err, spec.WSAETIMEDOUT)
	st, _, _ := e.OverlappedFields(ov)
	assert.Equal(t, st, spec.STATUS_IO_TIMEOUT)
	w.wantState(c, spec.StateBound)
	assert.Equal(t, w.rows(spec.TCPSynSent), 0)
	local, err = e.Getsockname(c)
	w.ok(err)
	assert.Assert(t, local.Addr().IsUnspecified(), "after the failure the socket is bound as before: %v", local)

	var at []time.Duration
	for _, x := range e.Trace() {
		if x.Kind == KindTransition && strings.HasPrefix(x.Result, "SYN retransmission") {
			at = append(at, x.Time)
		}
	}
	assert.DeepEqual(t, at, []time.Duration{3 * time.Second, 9 * time.Second})
}

func TestConnectBlockingDropsSYN(t *testing.T) {
	w := newWorld(t, Windows, WithSYNSchedule(SYNSchedule{InitialRTO: time.Second, Retransmissions: 1}))
	c := w.sock(false)
	w.is(w.e.Connect(c, w.remote(spec.HostDropsSYN)), spec.WSAETIMEDOUT)
	assert.Equal(t, w.e.Now(), 3*time.Second)
	w.wantState(c, spec.StateBound)
}

func TestConnectExCanceledOrClosed(t *testing.T) {
	w := newWorld(t, Windows)
	e := w.e
	dst := w.remote(spec.HostDropsSYN)
	c := w.boundSock()
	ov := w.ov(0)
	w.is(e.ConnectEx(c, dst, ov), spec.ERROR_IO_PENDING)
	w.ok(e.CancelIoEx(spec.Handle(c), ov))
	_, err := e.GetOverlappedResult(spec.Handle(c), ov, false)
	w.is(err, spec.ERROR_OPERATION_ABORTED)
	w.wantState(c, spec.StateBound)
	assert.Equal(t, len(e.syns), 0)

	c2 := w.boundSock()
	ov2 := w.ov(0)
	w.is(e.ConnectEx(c2, dst, ov2), spec.ERROR_IO_PENDING)
	w.ok(e.Closesocket(c2))
	_, err = e.GetOverlappedResult(spec.Handle(c2), ov2, false)
	w.is(err, spec.ERROR_OPERATION_ABORTED)
	assert.Equal(t, len(e.syns), 0)
	assert.Equal(t, w.rows(spec.TCPSynSent), 0)

	// Thread exit cancels a ConnectEx the thread issued.
	th, err := e.NewThread()
	w.ok(err)
	c3 := w.boundSock()
	ov3 := w.ov(0)
	w.is(th.ConnectEx(c3, dst, ov3), spec.ERROR_IO_PENDING)
	w.ok(th.Exit())
	_, err = e.GetOverlappedResult(spec.Handle(c3), ov3, false)
	w.is(err, spec.ERROR_OPERATION_ABORTED)
	w.wantState(c3, spec.StateBound)
}

func TestConnectRefusedAndUnreachable(t *testing.T) {
	w := newWorld(t, Windows)
	e := w.e
	for _, tc := range []struct {
		b              spec.HostBehavior
		winsock, win32 spec.Errno
	}{
		{spec.HostRefuses, spec.WSAECONNREFUSED, spec.ERROR_CONNECTION_REFUSED},
		{spec.HostUnreachable, spec.WSAEHOSTUNREACH, spec.ERROR_HOST_UNREACHABLE},
		{spec.NetUnreachable, spec.WSAENETUNREACH, spec.ERROR_NETWORK_UNREACHABLE},
	} {
		dst := w.remote(tc.b)
		c := w.sock(false)
		w.is(e.Connect(c, dst), tc.winsock)
		w.wantState(c, spec.StateBound)
		c2 := w.boundSock()
		ov := w.ov(0)
		w.is(e.ConnectEx(c2, dst, ov), spec.ERROR_IO_PENDING)
		_, err := e.GetOverlappedResult(spec.Handle(c2), ov, false)
		w.is(err, tc.win32)
		_, _, err = e.WSAGetOverlappedResult(c2, ov, false)
		w.is(err, tc.winsock)
		w.wantState(c2, spec.StateBound)
	}
	assert.Equal(t, e.Now(), time.Duration(0))
}

func TestRemoteHostAccepts(t *testing.T) {
	w := newWorld(t, Windows)
	e := w.e
	dst := w.remote(spec.HostAccepts)
	c := w.boundSock()
	ov := w.ov(0)
	w.is(e.ConnectEx(c, dst, ov), spec.ERROR_IO_PENDING)
	_, err := e.GetOverlappedResult(spec.Handle(c), ov, false)
	w.ok(err)
	w.ok(e.UpdateConnectContext(c))
	peer, err := e.Getpeername(c)
	w.ok(err)
	assert.Equal(t, peer, dst)
	n, err := e.Send(c, []byte("hello"))
	w.ok(err)
	assert.Equal(t, n, 5)
	buf := make([]byte, 16)
	n, err = e.Recv(c, buf)
	w.ok(err)
	assert.Equal(t, string(buf[:n]), "hello")
	// The host answers our FIN with its own: we closed first, TIME_WAIT.
	w.ok(e.DisconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0))
	w.wantState(c, spec.StateReusable)
	if e.Now() == 0 {
		// DX-FLAG-TIMEWAIT after-close: the row stays and holds the pair.
		assert.Equal(t, w.rows(spec.TCPTimeWait), 1)
		w.is(e.ConnectEx(c, dst, ov), spec.WSAEADDRINUSE)
		e.Sleep(spec.DefaultTcpTimedWaitDelay)
	}
	assert.Equal(t, e.Now(), spec.DefaultTcpTimedWaitDelay)
	// Reused: it connects again, from the same port.
	w.is(e.ConnectEx(c, dst, ov), spec.ERROR_IO_PENDING)
	_, err = e.GetOverlappedResult(spec.Handle(c), ov, false)
	w.ok(err)
	w.ok(e.Closesocket(c))
	assert.Equal(t, w.rows(spec.TCPTimeWait), 1)
}

func TestRemoteHostNeverCloses(t *testing.T) {
	w := newWorld(t, Windows, WithDeadlockError())
	e := w.e
	dst := w.remote(spec.HostNeverCloses)
	c := w.sock(true)
	w.ok(e.Connect(c, dst))
	ev, err := e.CreateEvent(true, false)
	w.ok(err)
	ov := w.ov(ev)
	w.is(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
	w.is(e.WaitForSingleObject(ev, time.Hour), spec.WAIT_TIMEOUT)
	_, err = e.GetOverlappedResult(spec.Handle(c), ov, false)
	w.is(err, spec.ERROR_IO_INCOMPLETE)
	assert.Equal(t, w.rows(spec.TCPFinWait2), 1)
	w.ok(e.CancelIoEx(spec.Handle(c), ov))
	_, err = e.GetOverlappedResult(spec.Handle(c), ov, false)
	w.is(err, spec.ERROR_OPERATION_ABORTED)
	w.wantState(c, spec.StateTransmitClosing)
	// A synchronous reuse can never end: WithDeadlockError says so.
	w.is(e.DisconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0), ErrDeadlock)

	c2 := w.sock(true)
	w.ok(e.Connect(c2, dst))
	ov2 := w.ov(0)
	w.is(e.DisconnectEx(c2, ov2, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
	w.ok(e.Closesocket(c2))
	_, err = e.GetOverlappedResult(spec.Handle(c2), ov2, false)
	w.is(err, spec.ERROR_OPERATION_ABORTED)
	assert.Equal(t, w.rows(spec.TCPFinWait2), 2, "the closed socket's end stays in FIN_WAIT2")
}

// scriptRemote drives the transitions of connects to remote hosts, for
// TestTransitionsExercised.
func scriptRemote(t *testing.T) *Emulator {
	w := newWorld(t, Windows, WithTrace(), WithSYNSchedule(SYNSchedule{InitialRTO: time.Second}))
	e := w.e
	c := w.sock(false)
	w.is(e.Connect(c, w.remote(spec.HostDropsSYN)), spec.WSAETIMEDOUT)
	w.is(e.Connect(c, w.remote(spec.NetUnreachable)), spec.WSAENETUNREACH)
	c2 := w.boundSock()
	ov := w.ov(0)
	w.is(e.ConnectEx(c2, w.remote(spec.HostDropsSYN), ov), spec.ERROR_IO_PENDING)
	w.ok(e.CancelIoEx(spec.Handle(c2), ov))
	return e
}

func TestConnectExUnreachableAtOnce(t *testing.T) {
	w := newWorld(t, Windows, WithVariant(spec.ClauseGapUnreachable, VariantUnreachableAtOnce))
	for _, tc := range []struct {
		b    spec.HostBehavior
		want spec.Errno
	}{{spec.HostUnreachable, spec.WSAEHOSTUNREACH}, {spec.NetUnreachable, spec.WSAENETUNREACH}} {
		c := w.boundSock()
		ov := w.ov(0)
		w.is(w.e.ConnectEx(c, w.remote(tc.b), ov), tc.want)
		st, _, _ := w.e.OverlappedFields(ov)
		assert.Equal(t, st, spec.STATUS_PENDING, "Internal is written before the call fails")
		w.wantState(c, spec.StateBound)
	}
}
