package conformance

import (
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_completion_port: which WSARecv, WSASend and
// AcceptEx outcomes queue a packet on the socket's port, and with what.
// The test shares one port among all its sockets and keeps reusing one
// accept socket; each case here has a port (and sockets) of its own.

// The keys the test associates its sockets with: 125 for the receiving
// socket or the listener, 236 for the accept socket.
const (
	keyRecv     uintptr = 125
	keyAcceptor uintptr = 236
)

// wantQueued dequeues one packet, waiting at most timeout, and checks its
// outcome, key, byte count and OVERLAPPED.
func wantQueued(t *T, api spec.API, what string, p spec.Handle, timeout time.Duration, key uintptr, bytes uint32, ov spec.Overlapped, want spec.Errno) bool {
	t.Helper()
	c, err := api.GetQueuedCompletionStatus(p, timeout)
	if isErr(err, spec.WAIT_TIMEOUT) {
		t.Errorf("%s: GetQueuedCompletionStatus(%v): got WAIT_TIMEOUT, want a packet", what, timeout)
		return false
	}
	ok := wantErr(t, what+": GetQueuedCompletionStatus", err, want)
	if c.Key != key || c.Overlapped != ov || c.Bytes != bytes {
		t.Errorf("%s: packet: got %s, want {bytes %d, key %d, ov %#x}", what, packet(c), bytes, key, uintptr(ov))
		ok = false
	}
	return ok
}

// wantNothingQueued checks that no packet arrives within timeout: the call
// fails WAIT_TIMEOUT and returns no OVERLAPPED.
func wantNothingQueued(t *T, api spec.API, what string, p spec.Handle, timeout time.Duration) bool {
	t.Helper()
	c, err := api.GetQueuedCompletionStatus(p, timeout)
	if isErr(err, spec.WAIT_TIMEOUT) && c.Overlapped == 0 {
		return true
	}
	t.Errorf("%s: GetQueuedCompletionStatus(%v): got a packet %s with %s, want WAIT_TIMEOUT and no OVERLAPPED", what, timeout, packet(c), errName(err))
	return false
}

// wantInternal checks the OVERLAPPED's Internal.
func wantInternal(t *T, api spec.API, what string, ov spec.Overlapped, want ...spec.NTStatus) bool {
	t.Helper()
	st, _, err := api.OverlappedFields(ov)
	if !wantOK(t, what+": OverlappedFields", err) {
		return false
	}
	for _, w := range want {
		if st == w {
			return true
		}
	}
	t.Errorf("%s: Internal: got %v, want %v", what, st, want)
	return false
}

// pairOnPort makes a connection (the test's tcp_socketpair: src connects,
// dest is accepted) and puts dest on a new port with key 125.
func pairOnPort(t *T, api spec.API) (src, dest spec.Socket, p spec.Handle) {
	t.Helper()
	c := connected(t, api)
	return c.client, c.server, associate(t, api, c.server, keyRecv)
}

// wantReadable waits (as the test's select does) until s is readable.
func wantReadable(t *T, api spec.API, what string, s spec.Socket) {
	t.Helper()
	ev, err := api.Poll(s, spec.POLLRDNORM, prompt)
	if err != nil || ev == 0 {
		t.Fatalf("%s: WSAPoll(POLLRDNORM, 1s): got revents %#x with %s, want readable", what, ev, errName(err))
	}
}

// iocpListener is the test's setup_iocp_src: a socket bound to
// 127.0.0.1:0, named and listening with a backlog of 5 (the test also
// makes it non-blocking, which spec.API cannot).
func iocpListener(t *T, api spec.API) (spec.Socket, netip.AddrPort) {
	t.Helper()
	l := tcp(t, api)
	mustOK(t, "bind 127.0.0.1:0", api.Bind(l, netip.AddrPortFrom(loopback4, 0)))
	a, err := api.Getsockname(l)
	mustOK(t, "getsockname", err)
	mustOK(t, "listen(5)", api.Listen(l, 5))
	return l, netip.AddrPortFrom(loopback4, a.Port())
}

// acceptSocket is the test's accept socket: a new TCP socket on which
// AcceptEx is looked up.
func acceptSocket(t *T, api spec.API) spec.Socket {
	t.Helper()
	a := tcp(t, api)
	_, err := api.GetExtensionFunction(a, spec.WSAID_ACCEPTEX)
	mustOK(t, "WSAIoctl(accept socket, SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_ACCEPTEX)", err)
	return a
}

// acceptExPends starts AcceptEx(l, a) with an OVERLAPPED whose hEvent is
// NULL (the test's zeroed OVERLAPPED) and checks that it pends.
func acceptExPends(t *T, api spec.API, l, a spec.Socket) spec.Overlapped {
	t.Helper()
	ov := overlapped(t, api, 0)
	if err := api.AcceptEx(l, a, ov); !isErr(err, spec.ERROR_IO_PENDING) {
		t.Fatalf("AcceptEx with an empty backlog: got %s, want ERROR_IO_PENDING", errName(err))
	}
	return ov
}

// wantAbortedPacket checks the packet of an AcceptEx its listener's close
// ended: ERROR_OPERATION_ABORTED, key 125, 0 bytes, the OVERLAPPED, Internal
// STATUS_CANCELLED; then no second packet.
func wantAbortedPacket(t *T, api spec.API, what string, p spec.Handle, ov spec.Overlapped) {
	t.Helper()
	wantQueued(t, api, what, p, 100*time.Millisecond, keyRecv, 0, ov, spec.ERROR_OPERATION_ABORTED)
	wantInternal(t, api, what, ov, spec.STATUS_CANCELLED)
	wantNothingQueued(t, api, what+": second packet", p, 200*time.Millisecond)
}

// acceptExOnPorts is the setup of the test's last three blocks: a listener
// on a port with key 125, a fresh accept socket on the same port with key
// 236, a pending AcceptEx, and a client connected to the listener.
func acceptExOnPorts(t *T, api spec.API) (l, a, client spec.Socket, p spec.Handle, ov spec.Overlapped) {
	t.Helper()
	l, addr := iocpListener(t, api)
	a = acceptSocket(t, api)
	client = tcp(t, api)
	p = associate(t, api, l, keyRecv)
	mustOK(t, "CreateIoCompletionPort(acceptor, port, 236)", api.AssociateCompletionPort(p, a, keyAcceptor))
	ov = acceptExPends(t, api, l, a)
	mustOK(t, "connect to the accepting listener", api.Connect(client, addr))
	return l, a, client, p, ov
}

var wineCompletionCases = []Case{
	{
		Name:    "wine-completion/recv-pending-peer-reset",
		Clauses: clauses(spec.ClauseGapPeerReset, spec.ClauseRetLaterFailure, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			src, dest, p := pairOnPort(t, api)
			ov := overlapped(t, api, 0)
			buf := make([]byte, 1024)
			wantErr(t, "WSARecv(dest, 1024 bytes, ov) with nothing sent", errOf(api.WSARecv(dest, buf, ov)), spec.ERROR_IO_PENDING)
			api.Sleep(100 * time.Millisecond)
			reset(t, api, src)
			wantQueued(t, api, "pending WSARecv after the peer's RST", p, 100*time.Millisecond, keyRecv, 0, ov, spec.ERROR_NETNAME_DELETED)
			wantNothingQueued(t, api, "after the WSARecv's packet", p, 100*time.Millisecond)
		},
	},
	{
		Name:    "wine-completion/send-after-peer-reset-fails-at-once",
		Clauses: clauses(spec.ClauseGapPeerReset, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			src, dest, p := pairOnPort(t, api)
			reset(t, api, src)
			api.Sleep(100 * time.Millisecond)
			ov := overlapped(t, api, 0)
			wantErr(t, "WSASend(dest, 1024 bytes, ov) after the peer's RST", errOf(api.WSASend(dest, make([]byte, 1024), ov)), spec.WSAECONNRESET)
			wantNothingQueued(t, api, "after the failed WSASend", p, 200*time.Millisecond)
		},
	},
	{
		Name:    "wine-completion/send-completes-at-once",
		Clauses: clauses(spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov := overlapped(t, api, 0)
			if !wantOK(t, "WSASend(src, 1024 bytes, ov) on an idle connection", errOf(api.WSASend(c.client, make([]byte, 1024), ov))) {
				return
			}
			n, err := api.GetOverlappedResult(spec.Handle(c.client), ov, false)
			if wantOK(t, "GetOverlappedResult of the WSASend", err) && n != 1024 {
				t.Errorf("GetOverlappedResult of the WSASend: got %d bytes, want 1024", n)
			}
		},
	},
	{
		Name:    "wine-completion/recv-at-once-queues-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			sov := overlapped(t, api, 0)
			mustOK(t, "WSASend(src, 1024 bytes, ov)", errOf(api.WSASend(c.client, make([]byte, 1024), sov)))
			p := associate(t, api, c.server, keyRecv)
			wantReadable(t, api, "dest after the send", c.server)
			ov := overlapped(t, api, 0)
			buf := make([]byte, 1024)
			if !wantOK(t, "WSARecv(dest, 1024 bytes, ov) with 1024 bytes waiting", errOf(api.WSARecv(c.server, buf, ov))) {
				return
			}
			n, err := api.GetOverlappedResult(spec.Handle(c.server), ov, false)
			if wantOK(t, "GetOverlappedResult of the WSARecv", err) && n != 1024 {
				t.Errorf("GetOverlappedResult of the WSARecv: got %d bytes, want 1024", n)
			}
			wantQueued(t, api, "WSARecv that completed at once", p, 200*time.Millisecond, keyRecv, 1024, ov, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "wine-completion/recv-fin-at-once-queues-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseGapPeerClosed),
		Body: func(t *T, api spec.API) {
			src, dest, p := pairOnPort(t, api)
			closeNow(t, api, "src (graceful)", src)
			wantReadable(t, api, "dest after the peer's close", dest)
			ov := overlapped(t, api, 0)
			if !wantOK(t, "WSARecv(dest, ov) after the peer's FIN", errOf(api.WSARecv(dest, make([]byte, 1024), ov))) {
				return
			}
			n, err := api.GetOverlappedResult(spec.Handle(dest), ov, false)
			if wantOK(t, "GetOverlappedResult of the WSARecv", err) && n != 0 {
				t.Errorf("GetOverlappedResult of the WSARecv: got %d bytes, want 0 (the FIN)", n)
			}
			wantQueued(t, api, "WSARecv of the FIN", p, 200*time.Millisecond, keyRecv, 0, ov, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "wine-completion/recv-after-peer-reset-fails-at-once",
		Clauses: clauses(spec.ClauseGapPeerReset, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			src, dest, p := pairOnPort(t, api)
			reset(t, api, src)
			wantReadable(t, api, "dest after the peer's RST", dest)
			ov := overlapped(t, api, 0)
			wantErr(t, "WSARecv(dest, ov) after the peer's RST", errOf(api.WSARecv(dest, make([]byte, 1024), ov)), spec.WSAECONNRESET)
			wantNothingQueued(t, api, "after the failed WSARecv", p, 200*time.Millisecond)
		},
	},
	{
		Name:    "wine-completion/recv-unconnected-fails-at-once",
		Clauses: clauses(spec.ClauseErrNotConn, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			p := associate(t, api, s, keyRecv)
			ov := overlapped(t, api, 0)
			wantErr(t, "WSARecv(never-connected socket, ov)", errOf(api.WSARecv(s, make([]byte, 1024), ov)), spec.WSAENOTCONN)
			wantNothingQueued(t, api, "after the failed WSARecv", p, 200*time.Millisecond)
		},
	},
	{
		Name:    "wine-completion/acceptex-then-port-close-listener",
		Clauses: clauses(spec.ClauseGapClosePending, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			l, _ := iocpListener(t, api)
			a := acceptSocket(t, api)
			ov := acceptExPends(t, api, l, a)
			// The port is joined after the request was issued.
			p := associate(t, api, l, keyRecv)
			closeNow(t, api, "listener", l)
			wantAbortedPacket(t, api, "AcceptEx issued before the port, listener closed", p, ov)
		},
	},
	{
		Name:    "wine-completion/port-then-acceptex-close-listener",
		Clauses: clauses(spec.ClauseGapClosePending, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			// As in the test, the accept socket is one whose earlier
			// AcceptEx was aborted by closing its listener.
			l0, _ := iocpListener(t, api)
			a := acceptSocket(t, api)
			ov0, ev0 := pendingAcceptEx(t, api, l0, a)
			closeNow(t, api, "first listener", l0)
			waitPrompt(t, api, "first AcceptEx after its listener closed", ev0)
			_, err := api.GetOverlappedResult(spec.Handle(l0), ov0, false)
			if !wantErr(t, "GetOverlappedResult of the first AcceptEx", err, spec.ERROR_OPERATION_ABORTED) {
				return
			}
			l, _ := iocpListener(t, api)
			p := associate(t, api, l, keyRecv)
			ov := acceptExPends(t, api, l, a)
			closeNow(t, api, "listener", l)
			wantAbortedPacket(t, api, "AcceptEx on a listener on a port, listener closed", p, ov)
		},
	},
	{
		Name:    "wine-completion/close-idle-listener-no-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			l, _ := iocpListener(t, api)
			p := associate(t, api, l, keyRecv)
			closeNow(t, api, "listener with no request", l)
			wantNothingQueued(t, api, "after closing a listener with no AcceptEx", p, 200*time.Millisecond)
		},
	},
	{
		Name:    "wine-completion/acceptex-packet-has-listener-key",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseRetPending),
		Body: func(t *T, api spec.API) {
			_, _, client, p, ov := acceptExOnPorts(t, api)
			closeNow(t, api, "connector", client)
			wantQueued(t, api, "AcceptEx after the connect", p, 100*time.Millisecond, keyRecv, 0, ov, spec.ERROR_SUCCESS)
			wantInternal(t, api, "AcceptEx after the connect", ov, spec.STATUS_SUCCESS)
			wantNothingQueued(t, api, "second packet (none for the acceptor's key 236)", p, 200*time.Millisecond)
		},
	},
	{
		Name:    "wine-completion/acceptex-done-then-acceptor-closed",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseRetPending),
		Body: func(t *T, api spec.API) {
			_, a, client, p, ov := acceptExOnPorts(t, api)
			if n, err := api.Send(client, []byte{0}); err != nil || n != 1 {
				t.Fatalf("send(connector, 1 byte): got %d with %s, want 1", n, errName(err))
			}
			api.Sleep(100 * time.Millisecond)
			closeNow(t, api, "acceptor after the accept", a)
			// The test's AcceptEx has a receive buffer and reports the one
			// byte; spec.API's has none, so the request completed at the
			// connect with 0 bytes.
			wantQueued(t, api, "AcceptEx, its acceptor closed after it completed", p, 100*time.Millisecond, keyRecv, 0, ov, spec.ERROR_SUCCESS)
			wantInternal(t, api, "AcceptEx, its acceptor closed after it completed", ov, spec.STATUS_SUCCESS)
			wantNothingQueued(t, api, "second packet", p, 200*time.Millisecond)
		},
	},
}

// errOf drops the byte count of WSASend and WSARecv, which is 0 with an
// OVERLAPPED (spec.API passes a NULL count).
func errOf(_ uint32, err error) error { return err }
