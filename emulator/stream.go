package emulator

import (
	"github.com/disconnectex/disconnectex/spec"
)

// Overlapped WSASend and WSARecv. Data moves as with send and recv
// (loopback, instant, unbounded buffers), so a WSASend is always done
// within its call; a WSARecv is done within its call when bytes, the FIN
// or a reset are already there, and otherwise pends until one of them
// arrives (serviceRecvs). A request done within its call returns nil and
// still completes through its OVERLAPPED: the event is set and a packet
// queued unless FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (Microsoft Learn,
// WSARecv and SetFileCompletionNotificationModes). A pending WSARecv that
// the peer's reset ends completes with STATUS_CONNECTION_RESET, which
// GetOverlappedResult reports as ERROR_NETNAME_DELETED (Wine
// dlls/ws2_32/tests/sock.c, test_completion_port, ok on Windows).

// ioOv looks up the OVERLAPPED of a WSASend or WSARecv: nil for NULL (a
// blocking call), WSAEFAULT for an address NewOverlapped did not hand out,
// WSAEINVAL while it carries another request.
func (e *Emulator) ioOv(ov spec.Overlapped) (*ovl, error) {
	if ov == 0 {
		return nil, nil
	}
	o := e.ov(ov)
	if o == nil {
		return nil, spec.WSAEFAULT
	}
	if o.pending {
		return nil, spec.WSAEINVAL
	}
	return o, nil
}

// doneNow records a request that ended within its call on o.
func (e *Emulator) doneNow(t *thread, so *socket, o *ovl, op opKind, n int, st spec.NTStatus) {
	e.start(t, so, o, op)
	o.bytes = uint32(min(n, int(^uint32(0))))
	o.now = true
	e.complete(o, st)
}

// ioArgs checks WSASend's and WSARecv's socket, then their OVERLAPPED, in
// the order Windows reports them.
func (e *Emulator) ioArgs(s spec.Socket, ov spec.Overlapped) (*socket, *ovl, error) {
	so := e.sock(s)
	if so == nil {
		return nil, nil, spec.WSAENOTSOCK
	}
	o, err := e.ioOv(ov)
	return so, o, err
}

func (e *Emulator) wsaSend(t *thread, s spec.Socket, b []byte, ov spec.Overlapped) (uint32, error) {
	so, o, err := e.ioArgs(s, ov)
	if err != nil {
		return 0, err
	}
	n, err := e.send(s, b)
	if err != nil {
		return 0, err // failed at once: no completion
	}
	if o == nil {
		return uint32(min(n, int(^uint32(0)))), nil
	}
	e.doneNow(t, so, o, opSend, n, spec.STATUS_SUCCESS)
	return 0, nil
}

// recvReady reports whether a receive on so can end now.
func recvReady(so *socket) bool {
	return len(so.rbuf) > 0 || so.finRcvd || so.conn != connOpen
}

// takeRecv moves bytes from so's buffer into b and gives the status a
// receive that ends now completes with.
func takeRecv(so *socket, b []byte) (int, spec.NTStatus) {
	if len(so.rbuf) > 0 {
		n := copy(b, so.rbuf)
		so.rbuf = so.rbuf[:copy(so.rbuf, so.rbuf[n:])]
		return n, spec.STATUS_SUCCESS
	}
	if so.conn == connReset {
		return 0, spec.STATUS_CONNECTION_RESET
	}
	return 0, spec.STATUS_SUCCESS
}

func (e *Emulator) wsaRecv(t *thread, s spec.Socket, b []byte, ov spec.Overlapped) (uint32, error) {
	so, o, err := e.ioArgs(s, ov)
	if err != nil {
		return 0, err
	}
	if o == nil || !so.overlapped || !isStream(so) {
		// Blocking: recv's rules and wait; an OVERLAPPED given on a
		// non-overlapped socket is completed as the call returns.
		n, err := e.recv(s, b)
		if o != nil && err == nil && e.sock(s) == so {
			e.doneNow(t, so, o, opRecv, n, spec.STATUS_SUCCESS)
			return 0, nil
		}
		return uint32(n), err
	}
	if !connectedish(so.state) {
		return 0, spec.WSAENOTCONN
	}
	if so.rdShut {
		return 0, spec.WSAESHUTDOWN
	}
	// A zero-length WSARecv waits for data like any other and then
	// completes with 0 bytes, taking nothing (sock.c test_empty_recv,
	// crossover-wine-23.0.1, plain ok at lines 12819-12835).
	if recvReady(so) && !e.recvQueued(so) {
		if so.conn == connReset && len(so.rbuf) == 0 {
			return 0, spec.WSAECONNRESET // failed at once: no completion
		}
		n, st := takeRecv(so, b)
		e.doneNow(t, so, o, opRecv, n, st)
		return 0, nil
	}
	e.start(t, so, o, opRecv)
	o.buf = b
	return 0, spec.ERROR_IO_PENDING
}

// recvQueued reports whether a WSARecv is already pending on so: bytes go
// to the oldest one first.
func (e *Emulator) recvQueued(so *socket) bool {
	for _, idx := range so.pending {
		if e.ovs[idx].op == opRecv {
			return true
		}
	}
	return false
}

// serviceRecvs completes the pending WSARecv requests of so that can end
// now, oldest first: each takes what the buffer holds, then, once it is
// empty, the FIN or the reset ends every one left.
func (e *Emulator) serviceRecvs(so *socket) {
	for i := 0; i < len(so.pending) && recvReady(so); {
		o := e.ovs[so.pending[i]]
		if o.op != opRecv {
			i++
			continue
		}
		n, st := takeRecv(so, o.buf)
		o.bytes = uint32(n)
		e.complete(o, st) // removes so.pending[i]
	}
}

// abortRecvs ends the pending WSARecv requests of so, whose handle is being
// closed, with STATUS_CONNECTION_ABORTED (ERROR_CONNECTION_ABORTED): Wine's
// sock.c iocp_async_read_closesocket and iocp_async_read_thread_closesocket
// (crossover-wine-23.0.1, todo_wine ok at lines 11570, 11578, 11809 and
// 11817: Windows passes them) expect that status after closesocket, where
// XP gave STATUS_LOCAL_DISCONNECT. The other requests are canceled
// (cancelAll): a listener's AcceptEx ends STATUS_CANCELLED (sock.c
// test_completion_port, line 10363).
func (e *Emulator) abortRecvs(so *socket) {
	for i := 0; i < len(so.pending); {
		o := e.ovs[so.pending[i]]
		// A WSARecv a fault rule holds pending (FaultComplete) is a
		// receive too: closesocket ends it as it ends any.
		if o.op != opRecv && (o.op != opFault || o.call != "WSARecv") {
			i++
			continue
		}
		e.complete(o, spec.STATUS_CONNECTION_ABORTED) // removes so.pending[i]
	}
}
