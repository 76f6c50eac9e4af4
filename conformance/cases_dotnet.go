package conformance

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases ported from dotnet/runtime's System.Net.Sockets functional tests
// (DisconnectTest.cs, Accept.cs, Connect.cs, SocketAsyncEventArgsTest.cs),
// whose Windows legs run in dotnet's CI. A test there calls System.Net.Sockets;
// a case here makes the Winsock calls that System.Net.Sockets makes on
// Windows for it, and checks what the test's Assert lines check of them.
// The entries of evidence_dotnet.go name the lines each case covers; an
// Assert on managed state only (Socket.Connected, an exception thrown before
// any Winsock call) is listed there with the reason it has no case.
//
// How System.Net.Sockets calls Winsock on Windows, which the helpers below
// repeat (dotnet/runtime, src/libraries/System.Net.Sockets/src/System/Net/Sockets):
//
//   - new Socket(...) is WSASocketW with WSA_FLAG_OVERLAPPED.
//   - The first asynchronous operation on a socket binds it to the thread
//     pool's completion port and asks for
//     FILE_SKIP_COMPLETION_PORT_ON_SUCCESS|FILE_SKIP_SET_EVENT_ON_HANDLE
//     (SafeSocketHandle.Windows.cs at 04da5a17,
//     GetOrAllocateThreadPoolBoundHandle:28, the call at 80). Its OVERLAPPEDs
//     have no event; a request done at once completes inline, a pending one
//     through the port, and a failed packet's socket error is read with
//     WSAGetOverlappedResult.
//   - Disconnect(reuseSocket) is DisconnectEx(s, NULL, reuseSocket ?
//     TF_REUSE_SOCKET : 0, 0) (Socket.Windows.cs at 00ae72a7,
//     DisconnectExBlocking:203, the NULL OVERLAPPED at 207);
//     DisconnectAsync is DisconnectEx with an OVERLAPPED and the same flags
//     (Socket.Windows.cs DisconnectEx:196).
//   - ConnectAsync on a stream socket is ConnectEx, after a bind to the
//     wildcard address only if the socket has never been bound, connected
//     or accepted (Socket.Windows.cs WildcardBindForConnectIfNecessary:210,
//     the early return at 212-215): a socket reused with TF_REUSE_SOCKET is
//     not bound again. The synchronous helpers use connect() and accept().
//   - Dispose cancels the socket's pending I/O with CancelIoEx(s, NULL)
//     before closesocket (SafeSocketHandle.Windows.cs TryUnblockSocket:119,
//     the call at 122).
//   - A failed completion is OperationAborted when the packet says 995 or
//     the socket is disposed, else the error WSAGetOverlappedResult gives
//     (SocketAsyncEventArgs.Windows.cs, HandleCompletionPortCallbackError).
var dotnetCases = slices.Concat(dotnetDisconnectCases, dotnetAcceptCases, dotnetConnectCases, dotnetSAEACases, dotnetShutdownCases, dotnetSockoptCases, dotnetEndpointCases, dotnetCreateCases, dotnetListenerCases)

// dotnet is the Windows half of System.Net.Sockets as the cases need it:
// one completion port for the thread pool, and the state Socket keeps.
type dotnet struct {
	api  spec.API
	port spec.Handle
	// bound: sockets on the port; right: sockets with an endpoint
	// (Socket._rightEndPoint: bound, connected or accepted).
	bound, right map[spec.Socket]bool
	// early holds packets dequeued while waiting for another request's.
	early map[spec.Overlapped]spec.Completion
	errs  map[spec.Overlapped]error
	// disposed: sockets Dispose has closed.
	disposed map[spec.Socket]bool
}

func newDotnet(t *T, api spec.API) *dotnet {
	t.Helper()
	return &dotnet{api: api, port: port(t, api), bound: map[spec.Socket]bool{}, right: map[spec.Socket]bool{},
		early: map[spec.Overlapped]spec.Completion{}, errs: map[spec.Overlapped]error{}, disposed: map[spec.Socket]bool{}}
}

// socket is new Socket(InterNetwork, Stream, Tcp). A handle value a
// disposed socket had may come back (Windows and Wine reuse them), so the
// new socket starts with none of the old one's state: not on the port,
// no endpoint, not disposed.
func (d *dotnet) socket(t *T) spec.Socket {
	t.Helper()
	s := tcp(t, d.api)
	delete(d.bound, s)
	delete(d.right, s)
	delete(d.disposed, s)
	return s
}

// bindHandle puts s on the thread pool's port the way
// GetOrAllocateThreadPoolBoundHandle does, once.
func (d *dotnet) bindHandle(t *T, s spec.Socket) {
	t.Helper()
	if d.bound[s] {
		return
	}
	mustOK(t, "CreateIoCompletionPort(socket, thread pool port)", d.api.AssociateCompletionPort(d.port, s, uintptr(s)))
	mustOK(t, "SetFileCompletionNotificationModes(SKIP_COMPLETION_PORT_ON_SUCCESS|SKIP_SET_EVENT_ON_HANDLE)",
		d.api.SetFileCompletionNotificationModes(s, spec.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS|spec.FILE_SKIP_SET_EVENT_ON_HANDLE))
	d.bound[s] = true
}

// dnOp is one overlapped request as SocketAsyncEventArgs issues it.
type dnOp struct {
	d     *dotnet
	what  string
	s     spec.Socket
	ov    spec.Overlapped
	done  bool
	bytes uint32
	err   error // the socket error once done
	// packetErr is the error the completion packet carried (Win32 face).
	packetErr error
	// finish runs once the request has succeeded (SO_UPDATE_*_CONTEXT).
	finish func() error
}

// start issues call with a fresh OVERLAPPED (hEvent NULL) on s.
func (d *dotnet) start(t *T, what string, s spec.Socket, call func(ov spec.Overlapped) error) *dnOp {
	t.Helper()
	d.bindHandle(t, s)
	op := &dnOp{d: d, what: what, s: s, ov: overlapped(t, d.api, 0)}
	switch err := call(op.ov); {
	case err == nil: // done at once: no packet (skip on success); the count is in the OVERLAPPED
		op.done = true
		n, _, werr := d.api.WSAGetOverlappedResult(s, op.ov, false)
		if werr != nil {
			t.Errorf("%s done at once: WSAGetOverlappedResult: got %s, want success", what, errName(werr))
		}
		op.bytes = n
	case isErr(err, spec.ERROR_IO_PENDING):
	default:
		op.done, op.err = true, err
	}
	return op
}

// pending reports whether the request is still in flight, reading any
// packet that arrived for it without waiting.
func (op *dnOp) pending(t *T) bool {
	t.Helper()
	return !op.wait(t, 0)
}

// wait waits up to timeout for the request; it reports whether it is done.
func (op *dnOp) wait(t *T, timeout time.Duration) bool {
	t.Helper()
	if op.done {
		return true
	}
	d := op.d
	for {
		c, ok := d.early[op.ov]
		var err error
		if ok {
			delete(d.early, op.ov)
			err = d.errs[op.ov]
			delete(d.errs, op.ov)
		} else {
			c, err = d.api.GetQueuedCompletionStatus(d.port, timeout)
			if c.Overlapped == 0 {
				if !isErr(err, spec.WAIT_TIMEOUT) {
					t.Errorf("%s: GetQueuedCompletionStatus: got %s with no OVERLAPPED, want a packet or WAIT_TIMEOUT", op.what, errName(err))
				}
				return false
			}
			if c.Overlapped != op.ov {
				d.early[c.Overlapped], d.errs[c.Overlapped] = c, err
				continue
			}
		}
		op.done, op.bytes = true, c.Bytes
		if c.Key != uintptr(op.s) {
			t.Errorf("%s: packet key: got %d, want %d (the socket's key)", op.what, c.Key, uintptr(op.s))
		}
		op.packetErr = err
		switch {
		case err == nil:
		case isErr(err, spec.ERROR_OPERATION_ABORTED) || d.disposed[op.s]:
			// SocketAsyncEventArgs.HandleCompletionPortCallbackError
			// (SocketAsyncEventArgs.Windows.cs): 995 stays
			// OperationAborted, and so does any failure on a disposed socket.
			op.err = spec.WSA_OPERATION_ABORTED
		default:
			// Otherwise it reads the socket error with WSAGetOverlappedResult.
			_, _, werr := d.api.WSAGetOverlappedResult(op.s, op.ov, false)
			if werr == nil {
				t.Errorf("%s: WSAGetOverlappedResult after a failed packet (%s): got success, want the failure", op.what, errName(err))
				werr = err
			}
			op.err = werr
		}
		return true
	}
}

// result waits up to timeout and returns the outcome, running finish
// after a success. A request still pending is reported as such.
func (op *dnOp) result(t *T, timeout time.Duration) error {
	t.Helper()
	if !op.wait(t, timeout) {
		return errStillPending
	}
	if op.err == nil && op.finish != nil {
		op.err, op.finish = op.finish(), nil
	}
	return op.err
}

// errStillPending is the outcome of a request that did not complete in time.
var errStillPending = pendingErr{}

type pendingErr struct{}

func (pendingErr) Error() string { return "still pending" }

// wantCanceled checks that the request ends promptly canceled: the socket
// error WSA_OPERATION_ABORTED, and the packet itself says canceled
// (ERROR_OPERATION_ABORTED), as after CancelIoEx.
func (op *dnOp) wantCanceled(t *T, what string) {
	t.Helper()
	if wantErr(t, what, op.result(t, prompt), spec.WSA_OPERATION_ABORTED) {
		wantErr(t, what+": the packet", op.packetErr, spec.ERROR_OPERATION_ABORTED)
	}
}

// mustDone waits promptly for the request and ends the case unless it
// succeeded.
func (op *dnOp) mustDone(t *T) {
	t.Helper()
	if err := op.result(t, prompt); err != nil {
		t.Fatalf("%s: got %s, want success", op.what, errName(err))
	}
}

// connectAsync is Socket.ConnectAsync on a stream socket: a wildcard bind
// unless the socket has an endpoint, ConnectEx, then
// SO_UPDATE_CONNECT_CONTEXT.
func (d *dotnet) connectAsync(t *T, s spec.Socket, addr netip.AddrPort) *dnOp {
	t.Helper()
	if !d.right[s] {
		// The unspecified address of the destination's family, which is
		// the socket's: the cases make no dual-stack socket.
		wild := netip.AddrPortFrom(any4, 0)
		if addr.Addr().Is6() {
			wild = netip.AddrPortFrom(netip.IPv6Unspecified(), 0)
		}
		mustOK(t, fmt.Sprintf("bind(%v) before ConnectEx", wild), d.api.Bind(s, wild))
		d.right[s] = true
	}
	op := d.start(t, "ConnectEx", s, func(ov spec.Overlapped) error { return d.api.ConnectEx(s, addr, ov) })
	op.finish = func() error { return d.api.UpdateConnectContext(s) }
	return op
}

// connect is the synchronous Socket.Connect: connect().
func (d *dotnet) connect(t *T, s spec.Socket, addr netip.AddrPort) error {
	t.Helper()
	err := d.api.Connect(s, addr)
	if err == nil {
		d.right[s] = true
	}
	return err
}

// acceptAsync is Socket.AcceptAsync: AcceptEx into target (a new socket
// when 0), then SO_UPDATE_ACCEPT_CONTEXT.
func (d *dotnet) acceptAsync(t *T, l, target spec.Socket) (*dnOp, spec.Socket) {
	t.Helper()
	if target == 0 {
		target = d.socket(t)
	}
	op := d.start(t, "AcceptEx", l, func(ov spec.Overlapped) error { return d.api.AcceptEx(l, target, ov) })
	op.finish = func() error {
		d.right[target] = true
		return d.api.UpdateAcceptContext(target, l)
	}
	return op, target
}

// disconnectAsync is Socket.DisconnectAsync(reuseSocket).
func (d *dotnet) disconnectAsync(t *T, s spec.Socket, reuse bool) *dnOp {
	t.Helper()
	return d.start(t, "DisconnectEx(overlapped)", s, func(ov spec.Overlapped) error {
		return d.api.DisconnectEx(s, ov, reuseFlags(reuse), 0)
	})
}

// disconnect is the synchronous Socket.Disconnect(reuseSocket).
func (d *dotnet) disconnect(s spec.Socket, reuse bool) error {
	return d.api.DisconnectEx(s, 0, reuseFlags(reuse), 0)
}

func reuseFlags(reuse bool) uint32 {
	if reuse {
		return spec.TF_REUSE_SOCKET
	}
	return 0
}

// receiveAsync is Socket.ReceiveAsync into b.
func (d *dotnet) receiveAsync(t *T, s spec.Socket, b []byte) *dnOp {
	t.Helper()
	return d.start(t, "WSARecv", s, func(ov spec.Overlapped) error { _, err := d.api.WSARecv(s, b, ov); return err })
}

// sendAsync is Socket.SendAsync of b.
func (d *dotnet) sendAsync(t *T, s spec.Socket, b []byte) *dnOp {
	t.Helper()
	return d.start(t, "WSASend", s, func(ov spec.Overlapped) error { _, err := d.api.WSASend(s, b, ov); return err })
}

// dispose is Socket.Dispose: CancelIoEx(s, NULL), then closesocket.
func (d *dotnet) dispose(t *T, what string, s spec.Socket) {
	t.Helper()
	if err := d.api.CancelIoEx(spec.Handle(s), 0); err != nil && !isErr(err, spec.ERROR_NOT_FOUND) {
		t.Errorf("%s: CancelIoEx(socket, NULL): got %s, want success or ERROR_NOT_FOUND", what, errName(err))
	}
	mustOK(t, what+": closesocket", d.api.Closesocket(s))
	d.disposed[s] = true
}

// listen makes a listener on 127.0.0.1:0 with the given backlog.
func (d *dotnet) listen(t *T, backlog int) (spec.Socket, netip.AddrPort) {
	t.Helper()
	l := d.socket(t)
	mustOK(t, "bind listener to 127.0.0.1:0", d.api.Bind(l, netip.AddrPortFrom(loopback4, 0)))
	mustOK(t, "listen", d.api.Listen(l, backlog))
	a, err := d.api.Getsockname(l)
	mustOK(t, "getsockname(listener)", err)
	d.right[l] = true
	return l, netip.AddrPortFrom(loopback4, a.Port())
}

// testServer is SocketTestServerAsync (dotnet/runtime
// src/libraries/Common/tests/System/Net/Sockets/SocketTestServerAsync.cs at
// 4daff4b0): a listener (backlog 100) with an AcceptEx posted; an accepted
// connection gets a WSARecv; when it reads 0 bytes (the client's FIN),
// ProcessReceive (268, 280) calls CloseClientSocket, which shuts the
// sending side down (330) and disposes the socket (339). So against it
// the client always closes first.
type testServer struct {
	d        *dotnet
	l        spec.Socket
	addr     netip.AddrPort
	accept   *dnOp
	conn     spec.Socket
	recv     *dnOp
	buf      []byte
	closed   bool
	received []byte
}

func (d *dotnet) server(t *T) *testServer {
	t.Helper()
	l, addr := d.listen(t, 100)
	srv := &testServer{d: d, l: l, addr: addr, buf: make([]byte, 256)}
	srv.accept, srv.conn = d.acceptAsync(t, l, 0)
	return srv
}

// pump runs the server's completions for up to timeout: the accept, then
// the receives (echoing data back), then the close on FIN. It returns when
// the server has closed its connection or nothing more happens in time.
func (srv *testServer) pump(t *T, timeout time.Duration) {
	t.Helper()
	d := srv.d
	if srv.recv == nil {
		if err := srv.accept.result(t, timeout); err != nil {
			t.Fatalf("test server: AcceptEx: got %s, want success", errName(err))
		}
		srv.recv = d.receiveAsync(t, srv.conn, srv.buf)
	}
	for !srv.closed {
		if err := srv.recv.result(t, timeout); isErr(err, spec.ERROR_SUCCESS) && srv.recv.bytes > 0 {
			data := slices.Clone(srv.buf[:srv.recv.bytes])
			srv.received = append(srv.received, data...)
			d.sendAsync(t, srv.conn, data).mustDone(t)
			srv.recv = d.receiveAsync(t, srv.conn, srv.buf)
			continue
		} else if err == errStillPending {
			return
		}
		// 0 bytes or an error: CloseClientSocket.
		d.api.Shutdown(srv.conn, spec.SD_SEND) // it ignores a failure
		d.dispose(t, "test server closes the connection", srv.conn)
		srv.closed = true
	}
}
