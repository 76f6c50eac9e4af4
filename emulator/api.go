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

// Socket is WSASocketW (rule 16).
func (v *view) Socket(af, typ, proto int, flags uint32) (spec.Socket, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.INVALID_SOCKET, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "WSASocketW", 0, fmt.Sprintf("%s, %s, %d, %#x", afName(af), spec.SocketTypeName(typ), proto, flags))
	}
	s, err := e.socketCall(af, typ, proto, flags)
	if e.tr != nil {
		e.traceResult(v.t, "WSASocketW", 0, err, fmtVal(s))
	}
	return s, err
}

// Bind implements spec.API (bind).
func (v *view) Bind(s spec.Socket, addr netip.AddrPort) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "bind", s, fmt.Sprintf("s=%#x, %s", uintptr(s), fmtAddr(addr)))
	}
	err := sockErr(e, s, func(so *socket) spec.Errno { return e.bind(so, addr) })
	if e.tr != nil {
		e.traceResult(v.t, "bind", s, err, "")
	}
	return err
}

// Listen implements spec.API (listen).
func (v *view) Listen(s spec.Socket, backlog int) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "listen", s, fmt.Sprintf("s=%#x, %d", uintptr(s), backlog))
	}
	err := sockErr(e, s, e.listen)
	if e.tr != nil {
		e.traceResult(v.t, "listen", s, err, "")
	}
	return err
}

// Connect implements spec.API (connect).
func (v *view) Connect(s spec.Socket, addr netip.AddrPort) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "connect", s, fmt.Sprintf("s=%#x, %s", uintptr(s), fmtAddr(addr)))
	}
	err := e.connect(v.t, s, addr)
	if e.tr != nil {
		e.traceResult(v.t, "connect", s, err, "")
	}
	return err
}

// Accept implements spec.API (accept).
func (v *view) Accept(s spec.Socket) (spec.Socket, netip.AddrPort, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.INVALID_SOCKET, netip.AddrPort{}, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "accept", s, fmt.Sprintf("s=%#x", uintptr(s)))
	}
	a, peer, err := e.accept(s)
	if e.tr != nil {
		e.traceResult(v.t, "accept", s, err, fmtVal(a))
	}
	return a, peer, err
}

// Send implements spec.API (send).
func (v *view) Send(s spec.Socket, b []byte) (int, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return 0, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "send", s, fmt.Sprintf("s=%#x, %d bytes", uintptr(s), len(b)))
	}
	n, err := e.send(s, b)
	if e.tr != nil {
		e.traceResult(v.t, "send", s, err, fmtVal(n))
	}
	return n, err
}

// Recv implements spec.API (recv).
func (v *view) Recv(s spec.Socket, b []byte) (int, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return 0, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "recv", s, fmt.Sprintf("s=%#x, %d bytes", uintptr(s), len(b)))
	}
	n, err := e.recv(s, b)
	if e.tr != nil {
		e.traceResult(v.t, "recv", s, err, fmtVal(n))
	}
	return n, err
}

// Poll implements spec.API (WSAPoll).
func (v *view) Poll(s spec.Socket, events spec.PollEvents, timeout time.Duration) (spec.PollEvents, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return 0, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "WSAPoll", s, fmt.Sprintf("s=%#x, %#x, %s", uintptr(s), uint16(events), fmtTimeout(timeout)))
	}
	r, err := e.poll(s, events, timeout)
	if e.tr != nil {
		e.traceResult(v.t, "WSAPoll", s, err, fmtVal(r))
	}
	return r, err
}

// Shutdown implements spec.API (shutdown).
func (v *view) Shutdown(s spec.Socket, how int) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "shutdown", s, fmt.Sprintf("s=%#x, %d", uintptr(s), how))
	}
	err := sockErr(e, s, func(so *socket) spec.Errno { return e.shutdown(so, how) })
	if e.tr != nil {
		e.traceResult(v.t, "shutdown", s, err, "")
	}
	return err
}

// SetLinger implements spec.API (setsockopt(SO_LINGER)).
func (v *view) SetLinger(s spec.Socket, on bool, seconds uint16) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "setsockopt(SO_LINGER)", s, fmt.Sprintf("s=%#x, on=%v, %ds", uintptr(s), on, seconds))
	}
	err := sockErr(e, s, func(so *socket) spec.Errno { so.linger, so.lingerSecs = on, seconds; return 0 })
	if e.tr != nil {
		e.traceResult(v.t, "setsockopt(SO_LINGER)", s, err, "")
	}
	return err
}

// Getsockname implements spec.API (getsockname).
func (v *view) Getsockname(s spec.Socket) (netip.AddrPort, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return netip.AddrPort{}, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "getsockname", s, fmt.Sprintf("s=%#x", uintptr(s)))
	}
	a, err := sockAddr(e, s, e.getsockname)
	if e.tr != nil {
		e.traceResult(v.t, "getsockname", s, err, fmtVal(a))
	}
	return a, err
}

// Getpeername implements spec.API (getpeername).
func (v *view) Getpeername(s spec.Socket) (netip.AddrPort, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return netip.AddrPort{}, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "getpeername", s, fmt.Sprintf("s=%#x", uintptr(s)))
	}
	a, err := sockAddr(e, s, e.getpeername)
	if e.tr != nil {
		e.traceResult(v.t, "getpeername", s, err, fmtVal(a))
	}
	return a, err
}

// UpdateAcceptContext implements spec.API (setsockopt(SO_UPDATE_ACCEPT_CONTEXT)).
func (v *view) UpdateAcceptContext(accepted, listener spec.Socket) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "setsockopt(SO_UPDATE_ACCEPT_CONTEXT)", accepted, fmt.Sprintf("s=%#x, listener=%#x", uintptr(accepted), uintptr(listener)))
	}
	err := e.updateAcceptContext(accepted, listener)
	if e.tr != nil {
		e.traceResult(v.t, "setsockopt(SO_UPDATE_ACCEPT_CONTEXT)", accepted, err, "")
	}
	return err
}

// UpdateConnectContext implements spec.API (setsockopt(SO_UPDATE_CONNECT_CONTEXT)).
func (v *view) UpdateConnectContext(s spec.Socket) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "setsockopt(SO_UPDATE_CONNECT_CONTEXT)", s, fmt.Sprintf("s=%#x", uintptr(s)))
	}
	err := e.updateConnectContext(s)
	if e.tr != nil {
		e.traceResult(v.t, "setsockopt(SO_UPDATE_CONNECT_CONTEXT)", s, err, "")
	}
	return err
}

// Closesocket implements spec.API (closesocket).
func (v *view) Closesocket(s spec.Socket) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "closesocket", s, fmt.Sprintf("s=%#x", uintptr(s)))
	}
	err := sockErr(e, s, func(so *socket) spec.Errno { e.closeSocket(so); return 0 })
	if e.tr != nil {
		e.traceResult(v.t, "closesocket", s, err, "")
	}
	return err
}

// GetExtensionFunction implements spec.API (WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)).
func (v *view) GetExtensionFunction(s spec.Socket, id spec.GUID) (uintptr, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return 0, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)", s, fmt.Sprintf("s=%#x, %s", uintptr(s), guidName(id)))
	}
	fn, err := e.extension(s, id)
	if e.tr != nil {
		e.traceResult(v.t, "WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)", s, err, fmtVal(fn))
	}
	return fn, err
}

// ConnectEx implements spec.API (ConnectEx).
func (v *view) ConnectEx(s spec.Socket, addr netip.AddrPort, ov spec.Overlapped) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "ConnectEx", s, fmt.Sprintf("s=%#x, %s, ov=%#x", uintptr(s), fmtAddr(addr), uintptr(ov)))
	}
	err := e.connectEx(v.t, s, addr, ov)
	if e.tr != nil {
		e.traceResult(v.t, "ConnectEx", s, err, "")
	}
	return err
}

// AcceptEx implements spec.API (AcceptEx).
func (v *view) AcceptEx(listener, accepted spec.Socket, ov spec.Overlapped) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "AcceptEx", listener, fmt.Sprintf("listener=%#x, s=%#x, ov=%#x", uintptr(listener), uintptr(accepted), uintptr(ov)))
	}
	err := e.acceptEx(v.t, listener, accepted, ov)
	if e.tr != nil {
		e.traceResult(v.t, "AcceptEx", listener, err, "")
	}
	return err
}

// DisconnectEx is the extension function; see doc.go for the rules it follows.
func (v *view) DisconnectEx(s spec.Socket, ov spec.Overlapped, flags, reserved uint32) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "DisconnectEx", s, fmt.Sprintf("s=%#x, ov=%#x, %s, %d", uintptr(s), uintptr(ov), flagsName(flags), reserved))
	}
	err := e.disconnectEx(v.t, s, ov, flags, reserved)
	if e.tr != nil {
		e.traceResult(v.t, "DisconnectEx", s, err, "")
	}
	return err
}

// NewOverlapped implements spec.API (NewOverlapped).
func (v *view) NewOverlapped(event spec.Handle) (spec.Overlapped, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return 0, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "NewOverlapped", 0, fmt.Sprintf("hEvent=%#x", uintptr(event)))
	}
	ov, err := e.newOverlapped(event)
	if e.tr != nil {
		e.traceResult(v.t, "NewOverlapped", 0, err, fmtVal(ov))
	}
	return ov, err
}

// FreeOverlapped implements spec.API (FreeOverlapped).
func (v *view) FreeOverlapped(ov spec.Overlapped) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "FreeOverlapped", 0, fmt.Sprintf("ov=%#x", uintptr(ov)))
	}
	err := e.freeOverlapped(ov)
	if e.tr != nil {
		e.traceResult(v.t, "FreeOverlapped", 0, err, "")
	}
	return err
}

// GetOverlappedResult implements spec.API (GetOverlappedResult).
func (v *view) GetOverlappedResult(h spec.Handle, ov spec.Overlapped, wait bool) (uint32, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return 0, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "GetOverlappedResult", spec.Socket(h), fmt.Sprintf("h=%#x, ov=%#x, wait=%v", uintptr(h), uintptr(ov), wait))
	}
	n, err := e.getOverlappedResult(h, ov, wait)
	if e.tr != nil {
		e.traceResult(v.t, "GetOverlappedResult", spec.Socket(h), err, fmtVal(n))
	}
	return n, err
}

// WSAGetOverlappedResult implements spec.API (WSAGetOverlappedResult).
func (v *view) WSAGetOverlappedResult(s spec.Socket, ov spec.Overlapped, wait bool) (bytes, flags uint32, err error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return 0, 0, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "WSAGetOverlappedResult", s, fmt.Sprintf("s=%#x, ov=%#x, wait=%v", uintptr(s), uintptr(ov), wait))
	}
	bytes, flags, err = e.wsaGetOverlappedResult(s, ov, wait)
	if e.tr != nil {
		e.traceResult(v.t, "WSAGetOverlappedResult", s, err, fmtVal(bytes))
	}
	return
}

// CancelIoEx implements spec.API (CancelIoEx).
func (v *view) CancelIoEx(h spec.Handle, ov spec.Overlapped) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "CancelIoEx", spec.Socket(h), fmt.Sprintf("h=%#x, ov=%#x", uintptr(h), uintptr(ov)))
	}
	err := e.cancelIoEx(h, ov)
	if e.tr != nil {
		e.traceResult(v.t, "CancelIoEx", spec.Socket(h), err, "")
	}
	return err
}

// CreateEvent implements spec.API (CreateEvent).
func (v *view) CreateEvent(manualReset, initialState bool) (spec.Handle, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return 0, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "CreateEvent", 0, fmt.Sprintf("manual=%v, initial=%v", manualReset, initialState))
	}
	h, err := e.createEvent(manualReset, initialState)
	if e.tr != nil {
		e.traceResult(v.t, "CreateEvent", 0, err, fmtVal(h))
	}
	return h, err
}

// SetEvent implements spec.API (SetEvent).
func (v *view) SetEvent(h spec.Handle) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "SetEvent", 0, fmt.Sprintf("h=%#x", uintptr(h)))
	}
	err := e.setEvent(h, true)
	if e.tr != nil {
		e.traceResult(v.t, "SetEvent", 0, err, "")
	}
	return err
}

// ResetEvent implements spec.API (ResetEvent).
func (v *view) ResetEvent(h spec.Handle) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "ResetEvent", 0, fmt.Sprintf("h=%#x", uintptr(h)))
	}
	err := e.setEvent(h, false)
	if e.tr != nil {
		e.traceResult(v.t, "ResetEvent", 0, err, "")
	}
	return err
}

// WaitForSingleObject implements spec.API (WaitForSingleObject).
func (v *view) WaitForSingleObject(h spec.Handle, timeout time.Duration) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "WaitForSingleObject", 0, fmt.Sprintf("h=%#x, %s", uintptr(h), fmtTimeout(timeout)))
	}
	err := e.waitObject(h, timeout)
	if e.tr != nil {
		e.traceResult(v.t, "WaitForSingleObject", 0, err, "")
	}
	return err
}

// CloseHandle implements spec.API (CloseHandle).
func (v *view) CloseHandle(h spec.Handle) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "CloseHandle", 0, fmt.Sprintf("h=%#x", uintptr(h)))
	}
	err := e.closeHandle(h)
	if e.tr != nil {
		e.traceResult(v.t, "CloseHandle", 0, err, "")
	}
	return err
}

// CreateIoCompletionPort implements spec.API (CreateIoCompletionPort).
func (v *view) CreateIoCompletionPort(concurrency uint32) (spec.Handle, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return 0, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "CreateIoCompletionPort", 0, fmt.Sprintf("INVALID_HANDLE_VALUE, NULL, 0, %d", concurrency))
	}
	h, err := e.createPort(concurrency)
	if e.tr != nil {
		e.traceResult(v.t, "CreateIoCompletionPort", 0, err, fmtVal(h))
	}
	return h, err
}

// AssociateCompletionPort implements spec.API (CreateIoCompletionPort).
func (v *view) AssociateCompletionPort(port spec.Handle, s spec.Socket, key uintptr) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "CreateIoCompletionPort", s, fmt.Sprintf("s=%#x, port=%#x, key=%#x", uintptr(s), uintptr(port), key))
	}
	err := e.associate(port, s, key)
	if e.tr != nil {
		e.traceResult(v.t, "CreateIoCompletionPort", s, err, "")
	}
	return err
}

// SetFileCompletionNotificationModes implements spec.API (SetFileCompletionNotificationModes).
func (v *view) SetFileCompletionNotificationModes(s spec.Socket, flags uint8) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "SetFileCompletionNotificationModes", s, fmt.Sprintf("s=%#x, %#x", uintptr(s), flags))
	}
	err := e.setNotificationModes(s, flags)
	if e.tr != nil {
		e.traceResult(v.t, "SetFileCompletionNotificationModes", s, err, "")
	}
	return err
}

// GetQueuedCompletionStatus implements spec.API (GetQueuedCompletionStatus).
func (v *view) GetQueuedCompletionStatus(port spec.Handle, timeout time.Duration) (spec.Completion, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.Completion{}, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "GetQueuedCompletionStatus", 0, fmt.Sprintf("port=%#x, %s", uintptr(port), fmtTimeout(timeout)))
	}
	c, err := e.getQueued(port, timeout)
	if e.tr != nil {
		e.traceResult(v.t, "GetQueuedCompletionStatus", 0, err, fmtVal(c))
	}
	return c, err
}

// PostQueuedCompletionStatus implements spec.API (PostQueuedCompletionStatus).
func (v *view) PostQueuedCompletionStatus(port spec.Handle, bytes uint32, key uintptr, ov spec.Overlapped) error {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "PostQueuedCompletionStatus", 0, fmt.Sprintf("port=%#x, %d, key=%#x, ov=%#x", uintptr(port), bytes, key, uintptr(ov)))
	}
	err := e.postQueued(port, bytes, key, ov)
	if e.tr != nil {
		e.traceResult(v.t, "PostQueuedCompletionStatus", 0, err, "")
	}
	return err
}

// NewThread starts an emulated thread; calls through the returned Thread are issued by it.
func (v *view) NewThread() (spec.Thread, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return nil, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "CreateThread", 0, "")
	}
	th := e.newThread()
	var err error
	if e.tr != nil {
		e.traceResult(v.t, "CreateThread", 0, err, fmtVal(th))
	}
	return th, err
}

// TCPTable lists the TCP table: listeners, connections and TIME_WAIT rows, sorted by local then remote address.
func (v *view) TCPTable() ([]spec.TCPRow, error) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return nil, spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		e.traceCall(v.t, "GetExtendedTcpTable", 0, "")
	}
	rows := e.tcpTable()
	var err error
	if e.tr != nil {
		e.traceResult(v.t, "GetExtendedTcpTable", 0, err, fmtVal(rows))
	}
	return rows, err
}

// Sleep suspends the calling thread for d: virtual time passes at once
// (rule 18), processing TIME_WAIT expiries in order. Sleep(spec.Infinite)
// never returns, as on Windows.
func (v *view) Sleep(d time.Duration) {
	e := v.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !v.begin() {
		return
	}
	if e.tr != nil {
		e.traceCall(v.t, "Sleep", 0, fmtTimeout(d))
	}
	e.sleepFor(d)
	if e.tr != nil {
		e.traceResult(v.t, "Sleep", 0, nil, "")
	}
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

func afName(af int) string {
	switch af {
	case spec.AF_INET:
		return "AF_INET"
	case spec.AF_INET6:
		return "AF_INET6"
	}
	return fmt.Sprintf("AF_%d", af)
}

func fmtTimeout(d time.Duration) string {
	if d < 0 {
		return "INFINITE"
	}
	return fmtDur(d)
}

func guidName(id spec.GUID) string {
	switch id {
	case spec.WSAID_DISCONNECTEX:
		return "WSAID_DISCONNECTEX"
	case spec.WSAID_CONNECTEX:
		return "WSAID_CONNECTEX"
	case spec.WSAID_ACCEPTEX:
		return "WSAID_ACCEPTEX"
	case spec.WSAID_GETACCEPTEXSOCKADDRS:
		return "WSAID_GETACCEPTEXSOCKADDRS"
	}
	return id.String()
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
