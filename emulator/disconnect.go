package emulator

import (
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Extension function "pointers" handed out by GetExtensionFunction: opaque,
// nonzero and distinct.
const (
	fnDisconnectEx         uintptr = 0x7FF8_1000
	fnConnectEx            uintptr = 0x7FF8_2000
	fnAcceptEx             uintptr = 0x7FF8_3000
	fnGetAcceptExSockaddrs uintptr = 0x7FF8_4000
	fnTransmitFile         uintptr = 0x7FF8_5000 // looked up only: no TransmitFile call
)

func (e *Emulator) extension(s spec.Socket, id spec.GUID) (uintptr, error) {
	if e.sock(s) == nil {
		return 0, spec.WSAENOTSOCK
	}
	switch id {
	case spec.WSAID_DISCONNECTEX:
		return fnDisconnectEx, nil
	case spec.WSAID_CONNECTEX:
		return fnConnectEx, nil
	case spec.WSAID_ACCEPTEX:
		return fnAcceptEx, nil
	case spec.WSAID_GETACCEPTEXSOCKADDRS:
		return fnGetAcceptExSockaddrs, nil
	case spec.WSAID_TRANSMITFILE:
		return fnTransmitFile, nil
	}
	return 0, spec.WSAEINVAL
}

// extensionLookup is WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) with the
// caller's lpcbBytesReturned and lpOverlapped. Windows (Wine sock.c
// test_get_extension_func, ok on Windows): no byte count is WSAEFAULT; a
// success writes 8 and, with an OVERLAPPED, sets Internal and InternalHigh
// to 0 and queues a packet {0 bytes, key} on a port; an unknown GUID fails
// WSAEINVAL and writes neither the count nor the OVERLAPPED.
func (e *Emulator) extensionLookup(t *thread, s spec.Socket, id spec.GUID, ov spec.Overlapped, withBytes bool) (uintptr, uint32, error) {
	bytes := spec.Untouched
	so := e.sock(s)
	if so == nil {
		return 0, bytes, spec.WSAENOTSOCK
	}
	var o *ovl
	if ov != 0 {
		if o = e.ov(ov); o == nil {
			return 0, bytes, spec.WSAEFAULT
		}
		if o.pending {
			return 0, bytes, spec.WSAEINVAL
		}
	}
	if !withBytes {
		return 0, bytes, spec.WSAEFAULT
	}
	fn, err := e.extension(s, id)
	if err != nil {
		return 0, bytes, err
	}
	if o != nil {
		e.doneNow(t, so, o, opIoctl, 0, spec.STATUS_SUCCESS)
	}
	return fn, 8, nil
}

// disconnectEx implements DisconnectEx; the checks run in the order the
// package doc's "Rules" section gives.
func (e *Emulator) disconnectEx(t *thread, s spec.Socket, ov spec.Overlapped, flags, reserved uint32) error {
	so := e.sock(s)
	if so == nil {
		return spec.WSAENOTSOCK
	}
	var o *ovl
	if ov != 0 {
		if o = e.ov(ov); o == nil {
			return spec.WSAEFAULT
		}
	}
	if !isStream(so) {
		if so.remote.IsValid() && e.variants.is(axDatagram, VariantDatagramEinvalConnect) {
			return spec.WSAEINVAL
		}
		return spec.WSAENOTCONN // datagram sockets, connected or not (dotnet/runtime#34473)
	}
	if !connectedish(so.state) || so.conn == connReset || so.conn == connNone {
		return spec.WSAENOTCONN
	}
	if reserved != 0 && e.variants.is(axReserved, VariantEinval) {
		return spec.WSAEINVAL
	}
	if flags&^spec.TF_REUSE_SOCKET != 0 {
		if e.variants.is(axFlags, VariantEinval) {
			return spec.WSAEINVAL
		}
		flags &= spec.TF_REUSE_SOCKET // variant "ignored"
	}
	if o != nil && o.pending {
		return spec.WSAEINVAL // the OVERLAPPED still carries a request
	}
	if flags&spec.TF_REUSE_SOCKET == 0 {
		if so.state != spec.StateConnected && e.profile == Documented {
			return spec.WSAENOTCONN // "in the transmit closing state from a previous request"
		}
		e.sendFIN(so)
		if so.state != spec.StateTimeWait {
			e.setState(so, trDisconnect0)
		}
		return e.finish(t, so, o, opDisconnectEx, spec.STATUS_SUCCESS)
	}

	// TF_REUSE_SOCKET
	e.sendFIN(so)
	if so.conn == connTimeWait && so.twExp == 0 {
		so.conn = connClosed // not reachable: the row's end clears twExp and conn together
	}
	switch so.conn {
	case connClosed:
		tr := trReusePeerFirst
		if so.activeCloser {
			tr = trReuseClosed
		}
		so.reusing = true
		e.reuseDone(so, tr)
		return e.finish(t, so, o, opDisconnectEx, spec.STATUS_SUCCESS)
	case connTimeWait:
		if e.variants.is(axTimeWait, VariantReuseAfterClose) {
			// The graceful close is over: the request completes and the
			// TIME_WAIT row stays behind, owned by no socket.
			e.tw.disown(so)
			so.reusing = true
			e.reuseDone(so, trReuseRowStays)
			return e.finish(t, so, o, opDisconnectEx, spec.STATUS_SUCCESS)
		}
		if so.state != spec.StateTimeWait {
			e.setState(so, trReuseInTimeWait)
		}
	default: // connOpen: our FIN is out, waiting for the peer's
		e.setState(so, trReuseWeFirst)
	}
	so.reusing = true
	if o != nil && so.overlapped {
		e.start(t, so, o, opDisconnectEx)
		o.reuse = true
		return spec.ERROR_IO_PENDING
	}
	// Synchronous: block (advancing virtual time) until the close is over.
	if o != nil {
		e.start(t, so, o, opDisconnectEx)
		o.reuse = true
	}
	gen, fail := so.reuseGen, so.failGen
	so.syncWaits++
	so.syncReuse++
	r := e.waitUntil(-1, func() bool {
		return e.sock(s) != so || so.reuseGen != gen || so.failGen != fail
	})
	so.syncWaits--
	so.syncReuse--
	switch {
	case r == waitDeadlock:
		if o != nil {
			e.cancel(o) // nothing else would ever complete it
		}
		return ErrDeadlock
	case e.sock(s) != so:
		return spec.WSAEINTR
	case so.reuseGen != gen:
		return nil
	}
	return errOf(so.failErr)
}

// markPending writes STATUS_PENDING to the Internal of a live OVERLAPPED:
// ConnectEx and AcceptEx do so before anything else, so it is there even
// after a call that fails at once, a bad socket handle or an OVERLAPPED
// already in use included (Wine sock.c test_connect, test_AcceptEx,
// test_connecting_socket, ok on Windows). InternalHigh is not written
// (todo_wine ok on Windows).
func (e *Emulator) markPending(ov spec.Overlapped) {
	if o := e.ov(ov); o != nil {
		o.status = spec.STATUS_PENDING
	}
}

func (e *Emulator) connectEx(t *thread, s spec.Socket, addr netip.AddrPort, ov spec.Overlapped) error {
	e.markPending(ov)
	so := e.sock(s)
	if so == nil {
		return spec.WSAENOTSOCK
	}
	o, err := e.requiredOv(ov)
	if err != nil {
		return err
	}
	if !isStream(so) {
		return spec.WSAEINVAL
	}
	if o.pending {
		return spec.WSAEINVAL
	}
	if c := e.prepareConnect(so, addr, true); c != 0 {
		return errOf(c)
	}
	st := e.establish(so, addr)
	if st == spec.STATUS_PENDING {
		// The SYN goes unanswered: the request pends until the
		// retransmissions are over (STATUS_IO_TIMEOUT), or it is canceled.
		so.connEx = true
		e.start(t, so, o, opConnectEx)
		if so.overlapped {
			return spec.ERROR_IO_PENDING
		}
		so.syncWaits++
		r := e.waitUntil(-1, func() bool { return !o.pending })
		so.syncWaits--
		if r == waitDeadlock {
			e.cancel(o)
			return ErrDeadlock
		}
		return errOf(o.status.Winsock())
	}
	if (st == spec.STATUS_HOST_UNREACHABLE || st == spec.STATUS_NETWORK_UNREACHABLE) &&
		e.variants.is(axUnreachable, VariantUnreachableAtOnce) {
		return errOf(st.Winsock()) // DX-GAP-UNREACHABLE variant at-once: no request
	}
	so.noConnectCtx = st == spec.STATUS_SUCCESS
	return e.finish(t, so, o, opConnectEx, st)
}

func (e *Emulator) acceptEx(t *thread, listener, accepted spec.Socket, ov spec.Overlapped) error {
	e.markPending(ov)
	l := e.sock(listener)
	if l == nil {
		return spec.WSAENOTSOCK
	}
	a := e.sock(accepted)
	if a == nil {
		return spec.WSAENOTSOCK
	}
	o, err := e.requiredOv(ov)
	if err != nil {
		return err
	}
	if !isStream(l) {
		return spec.WSAEOPNOTSUPP
	}
	if l.state != spec.StateListening || a == l || !isStream(a) || a.af != l.af || o.pending || a.acceptOv != 0 {
		return spec.WSAEINVAL
	}
	switch a.state {
	case spec.StateUnconnected:
	case spec.StateReusable:
		if a.origin == originConnect && e.profile == Windows {
			return spec.WSAEINVAL // reused after connect: still bound, ConnectEx only
		}
	default: // bound, listening, connected (Wine test_AcceptEx, dotnet Accept tests): WSAEINVAL
		return spec.WSAEINVAL
	}
	if len(l.backlog) > 0 {
		srv := l.backlog[0]
		copy(l.backlog, l.backlog[1:])
		l.backlog[len(l.backlog)-1] = nil
		l.backlog = l.backlog[:len(l.backlog)-1]
		e.attach(a, srv)
		return e.finish(t, l, o, opAcceptEx, spec.STATUS_SUCCESS)
	}
	e.start(t, l, o, opAcceptEx)
	o.accept = a
	a.acceptOv = o.idx + 1
	if l.overlapped {
		return spec.ERROR_IO_PENDING
	}
	// A non-overlapped listener: AcceptEx blocks until a connection comes.
	l.syncWaits++
	r := e.waitUntil(-1, func() bool { return !o.pending || e.sock(listener) != l })
	l.syncWaits--
	if o.pending {
		e.cancel(o)
	}
	if r == waitDeadlock {
		return ErrDeadlock
	}
	return errOf(o.status.Winsock())
}

func (e *Emulator) updateAcceptContext(accepted, listener spec.Socket) error {
	a := e.sock(accepted)
	l := e.sock(listener)
	if a == nil || l == nil {
		return spec.WSAENOTSOCK
	}
	if l.state != spec.StateListening {
		return spec.WSAEINVAL
	}
	if !connectedish(a.state) {
		return spec.WSAENOTCONN
	}
	return nil
}

func (e *Emulator) updateConnectContext(s spec.Socket) error {
	so := e.sock(s)
	if so == nil {
		return spec.WSAENOTSOCK
	}
	if !connectedish(so.state) {
		return spec.WSAENOTCONN
	}
	so.noConnectCtx = false
	return nil
}

// requiredOv resolves the OVERLAPPED of a call that cannot run without one
// (ConnectEx, AcceptEx): NULL is ERROR_INVALID_PARAMETER (Wine sock.c
// test_connect and test_AcceptEx, ok on Windows), an address
// NewOverlapped did not hand out is WSAEFAULT.
func (e *Emulator) requiredOv(ov spec.Overlapped) (*ovl, error) {
	if ov == 0 {
		return nil, spec.ERROR_INVALID_PARAMETER
	}
	o := e.ov(ov)
	if o == nil {
		return nil, spec.WSAEFAULT
	}
	return o, nil
}
