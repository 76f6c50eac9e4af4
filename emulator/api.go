package emulator

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// The spec.API method set. Each call takes the emulator's lock, refuses to
// run on an exited thread, processes the TIME_WAIT expiries that are due,
// records the call and its result when tracing, and runs the call.

// begin is the common prologue; it reports false on an exited thread.
func (v *view) begin() bool {
	if v.t.exited {
		return false
	}
	v.e.expireDue()
	return true
}

// fast starts a call that may skip do: the view is usable, nothing traces
// it, no fault rule is installed and its thread has not exited. It returns
// the emulator locked, the call entered and the TIME_WAIT expiries due
// processed, exactly what do does before op; the caller calls unlockCall
// once the call is done. It returns nil, with nothing held, when the call
// must go through do instead. The hot calls (a reuse cycle's) take this
// path, which builds no closures and, unlike do, calls unlockCall
// explicitly rather than deferring it (a defer costs about 20 instructions
// a call): no code but the emulator's runs under the lock here, and the
// emulator does not panic (its fuzzers check that), so the lock cannot be
// left held. A Clock of the caller's (WithClock) is code that may panic, so
// with one every call goes through do.
func (v *view) fast() *Emulator {
	if v == nil || v.e == nil || v.t == nil || v.e.tr != nil || v.e.foreignClock || v.e.faults.rules.Load() != nil {
		return nil
	}
	e := v.e
	e.mu.Lock()
	if v.t.exited {
		e.mu.Unlock()
		return nil
	}
	e.enterCall(v.t)
	e.expireDue()
	return e
}

// unlockCall ends a call and releases the lock (do defers it, so a panic in
// a traced call, an observer's or a fault predicate's, leaves the emulator
// usable).
func (e *Emulator) unlockCall(t *thread) {
	if t.started {
		e.exitStarted(t)
	}
	e.leaveCall()
	e.mu.Unlock()
}

// Socket is WSASocketW.
func (v *view) Socket(af, typ, proto int, flags uint32) (s spec.Socket, err error) {
	if e := v.fast(); e != nil {
		s, err = e.socketCall(af, typ, proto, flags)
		e.unlockCall(v.t)
		return
	}
	s = spec.INVALID_SOCKET
	err = v.do("WSASocketW", 0,
		func() string {
			return fmt.Sprintf("%s, %s, %d, %#x", spec.AFName(af), spec.SocketTypeName(typ), proto, flags)
		},
		func() error { s, err = v.e.socketCall(af, typ, proto, flags); return err },
		func() string { return fmtVal(s) })
	return
}

// Bind is bind(). Port 0 takes the next free dynamic port, one no socket
// holds on any address (WSAENOBUFS when none is left). A port is shared
// across addresses: only a live socket on the same address (the
// unspecified one included, or the address a socket on the unspecified
// one has connected from) fails it with WSAEADDRINUSE (DX-GAP-BIND-ADDRESS);
// a port only a TIME_WAIT row holds is allowed. Only loopback and
// unspecified addresses are local (WSAEADDRNOTAVAIL otherwise), and an
// IPv6 zone other than none, 0 or the loopback interface's 1 is a scope
// id no interface has (WSAEADDRNOTAVAIL: sock.c test_bind).
func (v *view) Bind(s spec.Socket, addr netip.AddrPort) error {
	return v.do("bind", s,
		func() string { return fmt.Sprintf("s=%#x, %s", uintptr(s), fmtAddr(addr)) },
		func() error { return sockErr(v.e, s, func(so *socket) spec.Errno { return v.e.bind(so, addr) }) },
		nil)
}

// Listen implements spec.API (listen).
func (v *view) Listen(s spec.Socket, backlog int) error {
	return v.do("listen", s,
		func() string { return fmt.Sprintf("s=%#x, %d", uintptr(s), backlog) },
		func() error { return sockErr(v.e, s, v.e.listen) },
		nil)
}

// Connect is a blocking connect(). An unbound socket is bound implicitly;
// nothing listening gives WSAECONNREFUSED; a socket pair still in TIME_WAIT
// gives WSAEADDRINUSE; a connected socket, WSAEISCONN.
func (v *view) Connect(s spec.Socket, addr netip.AddrPort) error {
	if e := v.fast(); e != nil {
		err := e.connect(v.t, s, addr)
		e.unlockCall(v.t)
		return err
	}
	return v.do("connect", s,
		func() string { return fmt.Sprintf("s=%#x, %s", uintptr(s), fmtAddr(addr)) },
		func() error { return v.e.connect(v.t, s, addr) },
		nil)
}

// Accept is a blocking accept(): it waits (advancing virtual time to the
// next TIME_WAIT expiry, else until another goroutine connects) for a
// connection in the backlog. Closing the listener meanwhile fails it with
// WSAEINTR.
func (v *view) Accept(s spec.Socket) (a spec.Socket, peer netip.AddrPort, err error) {
	if e := v.fast(); e != nil {
		a, peer, err = e.accept(s)
		e.unlockCall(v.t)
		return
	}
	a = spec.INVALID_SOCKET
	err = v.do("accept", s,
		func() string { return fmt.Sprintf("s=%#x", uintptr(s)) },
		func() error { a, peer, err = v.e.accept(s); return err },
		func() string { return fmtVal(a) })
	return
}

// Send implements spec.API (send).
func (v *view) Send(s spec.Socket, b []byte) (n int, err error) {
	err = v.do("send", s,
		func() string { return fmt.Sprintf("s=%#x, %d bytes", uintptr(s), len(b)) },
		func() error { n, err = v.e.send(s, b); return err },
		func() string { return fmtVal(n) })
	return
}

// Recv implements spec.API (recv).
func (v *view) Recv(s spec.Socket, b []byte) (n int, err error) {
	err = v.do("recv", s,
		func() string { return fmt.Sprintf("s=%#x, %d bytes", uintptr(s), len(b)) },
		func() error { n, err = v.e.recv(s, b); return err },
		func() string { return fmtVal(n) })
	return
}

// Poll is WSAPoll on one socket; it waits up to timeout (virtual time) for
// one of events, or for POLLHUP/POLLERR.
func (v *view) Poll(s spec.Socket, events spec.PollEvents, timeout time.Duration) (r spec.PollEvents, err error) {
	err = v.do("WSAPoll", s,
		func() string { return fmt.Sprintf("s=%#x, %#x, %s", uintptr(s), uint16(events), fmtTimeout(timeout)) },
		func() error { r, err = v.e.poll(s, events, timeout); return err },
		func() string { return fmtVal(r) })
	return
}

// Shutdown implements spec.API (shutdown).
func (v *view) Shutdown(s spec.Socket, how int) error {
	return v.do("shutdown", s,
		func() string { return fmt.Sprintf("s=%#x, %d", uintptr(s), how) },
		func() error { return sockErr(v.e, s, func(so *socket) spec.Errno { return v.e.shutdown(so, how) }) },
		nil)
}

// SetLinger implements spec.API (setsockopt(SO_LINGER)).
func (v *view) SetLinger(s spec.Socket, on bool, seconds uint16) error {
	return v.do("setsockopt(SO_LINGER)", s,
		func() string { return fmt.Sprintf("s=%#x, on=%v, %ds", uintptr(s), on, seconds) },
		func() error {
			return sockErr(v.e, s, func(so *socket) spec.Errno { return v.e.setLinger(so, on, seconds) })
		}, nil)
}

// SetBindOption implements spec.API (setsockopt(SO_REUSEADDR or
// SO_EXCLUSIVEADDRUSE)). Each option is its own call name, as the trace
// and fault rules write it.
func (v *view) SetBindOption(s spec.Socket, opt int, on bool) error {
	args := func() string { return fmt.Sprintf("s=%#x, on=%v", uintptr(s), on) }
	f := func() error {
		return sockErr(v.e, s, func(so *socket) spec.Errno { return v.e.setBindOption(so, opt, on) })
	}
	switch opt {
	case spec.SO_REUSEADDR:
		return v.do("setsockopt(SO_REUSEADDR)", s, args, f, nil)
	case spec.SO_EXCLUSIVEADDRUSE:
		return v.do("setsockopt(SO_EXCLUSIVEADDRUSE)", s, args, f, nil)
	}
	return v.do("setsockopt", s, func() string { return fmt.Sprintf("s=%#x, %s, on=%v", uintptr(s), spec.OptionName(opt), on) }, f, nil)
}

// BindOption implements spec.API (getsockopt(SO_REUSEADDR or
// SO_EXCLUSIVEADDRUSE)).
func (v *view) BindOption(s spec.Socket, opt int) (on bool, err error) {
	args := func() string { return fmt.Sprintf("s=%#x", uintptr(s)) }
	f := func() error {
		return sockErr(v.e, s, func(so *socket) (c spec.Errno) { on, c = v.e.bindOption(so, opt); return c })
	}
	res := func() string { return fmt.Sprint(on) }
	switch opt {
	case spec.SO_REUSEADDR:
		err = v.do("getsockopt(SO_REUSEADDR)", s, args, f, res)
	case spec.SO_EXCLUSIVEADDRUSE:
		err = v.do("getsockopt(SO_EXCLUSIVEADDRUSE)", s, args, f, res)
	default:
		err = v.do("getsockopt", s, func() string { return fmt.Sprintf("s=%#x, %s", uintptr(s), spec.OptionName(opt)) }, f, res)
	}
	return
}

// Getsockname implements spec.API (getsockname).
func (v *view) Getsockname(s spec.Socket) (a netip.AddrPort, err error) {
	err = v.do("getsockname", s,
		func() string { return fmt.Sprintf("s=%#x", uintptr(s)) },
		func() error { a, err = sockAddr(v.e, s, v.e.getsockname); return err },
		func() string { return fmtVal(a) })
	return
}

// Getpeername implements spec.API (getpeername).
func (v *view) Getpeername(s spec.Socket) (a netip.AddrPort, err error) {
	err = v.do("getpeername", s,
		func() string { return fmt.Sprintf("s=%#x", uintptr(s)) },
		func() error { a, err = sockAddr(v.e, s, v.e.getpeername); return err },
		func() string { return fmtVal(a) })
	return
}

// UpdateAcceptContext implements spec.API (setsockopt(SO_UPDATE_ACCEPT_CONTEXT)).
func (v *view) UpdateAcceptContext(accepted, listener spec.Socket) error {
	return v.do("setsockopt(SO_UPDATE_ACCEPT_CONTEXT)", accepted,
		func() string { return fmt.Sprintf("s=%#x, listener=%#x", uintptr(accepted), uintptr(listener)) },
		func() error { return v.e.updateAcceptContext(accepted, listener) },
		nil)
}

// UpdateConnectContext implements spec.API (setsockopt(SO_UPDATE_CONNECT_CONTEXT)).
func (v *view) UpdateConnectContext(s spec.Socket) error {
	return v.do("setsockopt(SO_UPDATE_CONNECT_CONTEXT)", s,
		func() string { return fmt.Sprintf("s=%#x", uintptr(s)) },
		func() error { return v.e.updateConnectContext(s) },
		nil)
}

// Closesocket is closesocket(): pending WSARecv requests complete with
// STATUS_CONNECTION_ABORTED and the others with STATUS_CANCELLED (events
// set, packets queued), then the connection closes
// gracefully (FIN) or, with SetLinger(s, true, 0), is reset. TIME_WAIT rows
// and a connection still closing outlive the handle.
func (v *view) Closesocket(s spec.Socket) error {
	if e := v.fast(); e != nil {
		var err error = spec.WSAENOTSOCK
		if so := e.sock(s); so != nil {
			e.closeSocket(so)
			err = nil
		}
		e.unlockCall(v.t)
		return err
	}
	return v.do("closesocket", s,
		func() string { return fmt.Sprintf("s=%#x", uintptr(s)) },
		func() error { return sockErr(v.e, s, func(so *socket) spec.Errno { v.e.closeSocket(so); return 0 }) },
		nil)
}

// GetExtensionFunction implements spec.API (WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)).
func (v *view) GetExtensionFunction(s spec.Socket, id spec.GUID) (fn uintptr, err error) {
	err = v.do("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)", s,
		func() string { return fmt.Sprintf("s=%#x, %s", uintptr(s), id.Name()) },
		func() error { fn, err = v.e.extension(s, id); return err },
		func() string { return fmtVal(fn) })
	return
}

// ExtensionLookup is the lookup with lpcbBytesReturned and lpOverlapped
// as the caller gives them: WSAEFAULT without a byte count (with or without
// an OVERLAPPED), and with an OVERLAPPED a success that completes through
// it, within the call.
func (v *view) ExtensionLookup(s spec.Socket, id spec.GUID, ov spec.Overlapped, withBytes bool) (fn uintptr, bytes uint32, err error) {
	err = v.do("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)", s,
		func() string {
			return fmt.Sprintf("s=%#x, %s, bytes=%v, ov=%#x", uintptr(s), id.Name(), withBytes, uintptr(ov))
		},
		func() error { fn, bytes, err = v.e.extensionLookup(v.t, s, id, ov, withBytes); return err },
		func() string { return fmtVal(fn) })
	return
}

// OverlappedFields reads Internal and InternalHigh.
func (v *view) OverlappedFields(ov spec.Overlapped) (internal spec.NTStatus, high uintptr, err error) {
	err = v.do("OverlappedFields", 0,
		func() string { return fmt.Sprintf("ov=%#x", uintptr(ov)) },
		func() error { internal, high, err = v.e.overlappedFields(ov); return err },
		func() string { return fmt.Sprintf("%v, %d", internal, high) })
	return
}

// SetOverlappedFields writes Internal and InternalHigh. The emulator keeps
// InternalHigh in 32 bits (a byte count of one request): a larger value
// fails with ERROR_INVALID_PARAMETER.
func (v *view) SetOverlappedFields(ov spec.Overlapped, internal spec.NTStatus, high uintptr) error {
	return v.do("SetOverlappedFields", 0,
		func() string { return fmt.Sprintf("ov=%#x, %v, %d", uintptr(ov), internal, high) },
		func() error { return v.e.setOverlappedFields(ov, internal, high) },
		nil)
}

// ConnectEx needs a bound socket and an OVERLAPPED (WSAEINVAL without).
// On an overlapped socket it returns ERROR_IO_PENDING and completes at once
// (loopback), with STATUS_CONNECTION_REFUSED when nothing listens.
func (v *view) ConnectEx(s spec.Socket, addr netip.AddrPort, ov spec.Overlapped) error {
	if e := v.fast(); e != nil {
		err := e.connectEx(v.t, s, addr, ov)
		e.unlockCall(v.t)
		return err
	}
	return v.doOv("ConnectEx", s, 0, ov,
		func() string { return fmt.Sprintf("s=%#x, %s, ov=%#x", uintptr(s), fmtAddr(addr), uintptr(ov)) },
		func() error { return v.e.connectEx(v.t, s, addr, ov) },
		nil)
}

// AcceptEx completes with the first connection in the listener's backlog,
// or pends until one arrives. The accept socket must be unbound and
// unconnected, or reusable after an accepted connection (WSAEINVAL
// otherwise; clause DX-FLAG-REUSE-TARGET, which the Documented profile
// reads as the page does).
func (v *view) AcceptEx(listener, accepted spec.Socket, ov spec.Overlapped) error {
	if e := v.fast(); e != nil {
		err := e.acceptEx(v.t, listener, accepted, ov)
		e.unlockCall(v.t)
		return err
	}
	return v.doOv("AcceptEx", listener, accepted, ov, func() string {
		return fmt.Sprintf("listener=%#x, s=%#x, ov=%#x", uintptr(listener), uintptr(accepted), uintptr(ov))
	}, func() error { return v.e.acceptEx(v.t, listener, accepted, ov) }, nil)
}

// DisconnectEx is the extension function. It checks, in order, the socket
// handle, the OVERLAPPED, the socket type, the connection, then reserved
// and the flags, as the package doc's "Rules" section describes.
func (v *view) DisconnectEx(s spec.Socket, ov spec.Overlapped, flags, reserved uint32) error {
	if e := v.fast(); e != nil {
		err := e.disconnectEx(v.t, s, ov, flags, reserved)
		e.unlockCall(v.t)
		return err
	}
	return v.doOv("DisconnectEx", s, 0, ov, func() string {
		return fmt.Sprintf("s=%#x, ov=%#x, %s, %d", uintptr(s), uintptr(ov), spec.FlagsName(flags), reserved)
	}, func() error { return v.e.disconnectEx(v.t, s, ov, flags, reserved) }, nil)
}

// WSASend sends b as send does. With an OVERLAPPED it is done within the
// call: it returns 0, nil and completes through ov with the bytes sent.
func (v *view) WSASend(s spec.Socket, b []byte, ov spec.Overlapped) (n uint32, err error) {
	err = v.doOv("WSASend", s, 0, ov,
		func() string { return fmt.Sprintf("s=%#x, %d bytes, ov=%#x", uintptr(s), len(b), uintptr(ov)) },
		func() error { n, err = v.e.wsaSend(v.t, s, b, ov); return err },
		func() string { return fmtVal(n) })
	return
}

// WSARecv receives into b. With an OVERLAPPED on an overlapped socket it
// is done within the call (0, nil) when bytes, the FIN or a reset are
// already there, and pends (ERROR_IO_PENDING) otherwise; see stream.go.
func (v *view) WSARecv(s spec.Socket, b []byte, ov spec.Overlapped) (n uint32, err error) {
	err = v.doOv("WSARecv", s, 0, ov,
		func() string { return fmt.Sprintf("s=%#x, %d bytes, ov=%#x", uintptr(s), len(b), uintptr(ov)) },
		func() error { n, err = v.e.wsaRecv(v.t, s, b, ov); return err },
		func() string { return fmtVal(n) })
	return
}

// NewOverlapped implements spec.API (NewOverlapped).
func (v *view) NewOverlapped(event spec.Handle) (ov spec.Overlapped, err error) {
	err = v.do("NewOverlapped", 0,
		func() string { return fmt.Sprintf("hEvent=%#x", uintptr(event)) },
		func() error { ov, err = v.e.newOverlapped(event); return err },
		func() string { return fmtVal(ov) })
	return
}

// FreeOverlapped implements spec.API (FreeOverlapped).
func (v *view) FreeOverlapped(ov spec.Overlapped) error {
	return v.do("FreeOverlapped", 0,
		func() string { return fmt.Sprintf("ov=%#x", uintptr(ov)) },
		func() error { return v.e.freeOverlapped(ov) },
		nil)
}

// GetOverlappedResult reads the OVERLAPPED: a completed request gives its
// bytes and the Win32 form of its status, whatever h is. A pending one gives
// ERROR_IO_INCOMPLETE, or with wait blocks on hEvent (or on h when hEvent is
// NULL), advancing virtual time.
func (v *view) GetOverlappedResult(h spec.Handle, ov spec.Overlapped, wait bool) (n uint32, err error) {
	if e := v.fast(); e != nil {
		n, err = e.getOverlappedResult(h, ov, wait)
		e.unlockCall(v.t)
		return
	}
	err = v.do("GetOverlappedResult", spec.Socket(h),
		func() string { return fmt.Sprintf("h=%#x, ov=%#x, wait=%v", uintptr(h), uintptr(ov), wait) },
		func() error { n, err = v.e.getOverlappedResult(h, ov, wait); return err },
		func() string { return fmtVal(n) })
	return
}

// WSAGetOverlappedResult is GetOverlappedResult with the Winsock form of
// the status.
func (v *view) WSAGetOverlappedResult(s spec.Socket, ov spec.Overlapped, wait bool) (bytes, flags uint32, err error) {
	if e := v.fast(); e != nil {
		bytes, flags, err = e.wsaGetOverlappedResult(s, ov, wait)
		e.unlockCall(v.t)
		return
	}
	err = v.do("WSAGetOverlappedResult", s,
		func() string { return fmt.Sprintf("s=%#x, ov=%#x, wait=%v", uintptr(s), uintptr(ov), wait) },
		func() error { bytes, flags, err = v.e.wsaGetOverlappedResult(s, ov, wait); return err },
		func() string { return fmtVal(bytes) })
	return
}

// CancelIoEx completes the request using ov on h (every request on h when ov
// is 0) with STATUS_CANCELLED; ERROR_NOT_FOUND when none is pending.
func (v *view) CancelIoEx(h spec.Handle, ov spec.Overlapped) error {
	return v.do("CancelIoEx", spec.Socket(h),
		func() string { return fmt.Sprintf("h=%#x, ov=%#x", uintptr(h), uintptr(ov)) },
		func() error { return v.e.cancelIoEx(h, ov) },
		nil)
}

// CreateEvent implements spec.API (CreateEvent).
func (v *view) CreateEvent(manualReset, initialState bool) (h spec.Handle, err error) {
	err = v.do("CreateEvent", 0,
		func() string { return fmt.Sprintf("manual=%v, initial=%v", manualReset, initialState) },
		func() error { h, err = v.e.createEvent(manualReset, initialState); return err },
		func() string { return fmtVal(h) })
	return
}

// SetEvent implements spec.API (SetEvent).
func (v *view) SetEvent(h spec.Handle) error {
	return v.do("SetEvent", 0,
		func() string { return fmt.Sprintf("h=%#x", uintptr(h)) },
		func() error { return v.e.setEvent(h, true) },
		nil)
}

// ResetEvent implements spec.API (ResetEvent).
func (v *view) ResetEvent(h spec.Handle) error {
	return v.do("ResetEvent", 0,
		func() string { return fmt.Sprintf("h=%#x", uintptr(h)) },
		func() error { return v.e.setEvent(h, false) },
		nil)
}

// WaitForSingleObject waits for an event or a socket handle; WAIT_TIMEOUT when
// the timeout passes first (in virtual time, at once).
func (v *view) WaitForSingleObject(h spec.Handle, timeout time.Duration) error {
	return v.do("WaitForSingleObject", 0,
		func() string { return fmt.Sprintf("h=%#x, %s", uintptr(h), fmtTimeout(timeout)) },
		func() error { return v.e.waitObject(h, timeout) },
		nil)
}

// CloseHandle implements spec.API (CloseHandle).
func (v *view) CloseHandle(h spec.Handle) error {
	return v.do("CloseHandle", 0,
		func() string { return fmt.Sprintf("h=%#x", uintptr(h)) },
		func() error { return v.e.closeHandle(h) },
		nil)
}

// CreateIoCompletionPort implements spec.API (CreateIoCompletionPort).
func (v *view) CreateIoCompletionPort(concurrency uint32) (h spec.Handle, err error) {
	err = v.do("CreateIoCompletionPort", 0,
		func() string { return fmt.Sprintf("INVALID_HANDLE_VALUE, NULL, 0, %d", concurrency) },
		func() error { h, err = v.e.createPort(concurrency); return err },
		func() string { return fmtVal(h) })
	return
}

// AssociateCompletionPort implements spec.API (CreateIoCompletionPort).
func (v *view) AssociateCompletionPort(port spec.Handle, s spec.Socket, key uintptr) error {
	return v.do("CreateIoCompletionPort", s,
		func() string { return fmt.Sprintf("s=%#x, port=%#x, key=%#x", uintptr(s), uintptr(port), key) },
		func() error { return v.e.associate(port, s, key) },
		nil)
}

// SetFileCompletionNotificationModes implements spec.API (SetFileCompletionNotificationModes).
func (v *view) SetFileCompletionNotificationModes(s spec.Socket, flags uint8) error {
	return v.do("SetFileCompletionNotificationModes", s,
		func() string { return fmt.Sprintf("s=%#x, %#x", uintptr(s), flags) },
		func() error { return v.e.setNotificationModes(s, flags) },
		nil)
}

// GetQueuedCompletionStatus dequeues a packet, waiting up to timeout;
// a packet of a failed request comes with the Win32 error.
func (v *view) GetQueuedCompletionStatus(port spec.Handle, timeout time.Duration) (c spec.Completion, err error) {
	if e := v.fast(); e != nil {
		c, err = e.getQueued(port, timeout)
		e.unlockCall(v.t)
		return
	}
	err = v.do("GetQueuedCompletionStatus", 0,
		func() string { return fmt.Sprintf("port=%#x, %s", uintptr(port), fmtTimeout(timeout)) },
		func() error { c, err = v.e.getQueued(port, timeout); return err },
		func() string { return fmtVal(c) })
	return
}

// PostQueuedCompletionStatus implements spec.API (PostQueuedCompletionStatus).
func (v *view) PostQueuedCompletionStatus(port spec.Handle, bytes uint32, key uintptr, ov spec.Overlapped) error {
	return v.do("PostQueuedCompletionStatus", 0, func() string {
		return fmt.Sprintf("port=%#x, %d, key=%#x, ov=%#x", uintptr(port), bytes, key, uintptr(ov))
	}, func() error { return v.e.postQueued(port, bytes, key, ov) }, nil)
}

// NewThread starts an emulated thread; calls through the returned Thread are issued by it.
func (v *view) NewThread() (t spec.Thread, err error) {
	err = v.do("CreateThread", 0, nil,
		func() error { t = v.e.newThread(); return nil },
		func() string { return fmtVal(t.(*Thread)) })
	return
}

// TCPTable lists the TCP table: listeners, connections and TIME_WAIT rows, sorted by local then remote address.
func (v *view) TCPTable() (rows []spec.TCPRow, err error) {
	err = v.do("GetExtendedTcpTable", 0, nil,
		func() error { rows = v.e.tcpTable(); return nil },
		func() string { return fmtVal(rows) })
	return
}

// Sleep suspends the calling thread for d: virtual time passes at once
// (package doc, "Time"), processing TIME_WAIT expiries in order. Sleep(spec.Infinite)
// never returns, as on Windows.
func (v *view) Sleep(d time.Duration) {
	_ = v.do("Sleep", 0,
		func() string { return fmtTimeout(d) },
		func() error { return v.e.sleepFor(d) },
		nil)
}

func sockErr(e *Emulator, s spec.Socket, f func(*socket) spec.Errno) error {
	so := e.sock(s)
	if so == nil {
		return spec.WSAENOTSOCK
	}
	return errOf(f(so))
}

func sockAddr(e *Emulator, s spec.Socket, f func(*socket) (netip.AddrPort, spec.Errno)) (netip.AddrPort, error) {
	so := e.sock(s)
	if so == nil {
		return netip.AddrPort{}, spec.WSAENOTSOCK
	}
	a, c := f(so)
	return a, errOf(c)
}

func fmtTimeout(d time.Duration) string {
	if d < 0 {
		return "INFINITE"
	}
	return spec.FormatDuration(d)
}

// fmtVal formats a call's result value for the trace. Values print as
// fmt.Sprint prints them (handles in decimal); a Thread, whose pointer is
// not deterministic, prints as nothing.
func fmtVal(v any) string {
	if _, ok := v.(*Thread); ok {
		return ""
	}
	return fmt.Sprint(v)
}
