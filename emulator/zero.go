package emulator

import (
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Zero values. An Emulator must come from New and a Thread from NewThread
// or Go. Every call on a nil *Emulator, a zero Emulator or a zero Thread
// returns ErrZero (Socket returns INVALID_SOCKET with it, Sleep returns at
// once) instead of dereferencing nil; State, Now, Trace and the other
// methods of the Emulator return their zero result.
//
// The spec.API methods of the Emulator are declared here, on *Emulator,
// rather than promoted from its main thread's view, because a promoted
// method dereferences its nil receiver before it runs. Their rules are
// documented on Thread, whose methods are the same calls issued by another
// thread. TestZeroValues fails for a spec.API method missing here.

// ErrZero is the error of every call on a nil *Emulator, a zero Emulator
// or a zero Thread. To code written against Windows it is an invalid
// handle: errors.Is(ErrZero, spec.ERROR_INVALID_HANDLE) holds.
var ErrZero error = zeroError{}

type zeroError struct{}

func (zeroError) Error() string {
	return "emulator: nil or zero Emulator or Thread (make one with emulator.New, threads with NewThread or Go)"
}

func (zeroError) Is(target error) bool { return target == spec.ERROR_INVALID_HANDLE }

var zeroView view // e == nil: every call returns ErrZero

// api returns the main thread's view, or one that refuses every call.
func (e *Emulator) api() *view {
	if e == nil {
		return &zeroView
	}
	return &e.view
}

// usable reports whether e was made by New.
func (e *Emulator) usable() bool { return e != nil && e.view.e == e }

// Socket is the main thread's Thread.Socket.
func (e *Emulator) Socket(af, typ, proto int, flags uint32) (spec.Socket, error) {
	return e.api().Socket(af, typ, proto, flags)
}

// Bind is the main thread's Thread.Bind.
func (e *Emulator) Bind(s spec.Socket, addr netip.AddrPort) error { return e.api().Bind(s, addr) }

// Listen is the main thread's Thread.Listen.
func (e *Emulator) Listen(s spec.Socket, backlog int) error { return e.api().Listen(s, backlog) }

// Connect is the main thread's Thread.Connect.
func (e *Emulator) Connect(s spec.Socket, addr netip.AddrPort) error { return e.api().Connect(s, addr) }

// Accept is the main thread's Thread.Accept.
func (e *Emulator) Accept(s spec.Socket) (spec.Socket, netip.AddrPort, error) {
	return e.api().Accept(s)
}

// Send is the main thread's Thread.Send.
func (e *Emulator) Send(s spec.Socket, b []byte) (int, error) { return e.api().Send(s, b) }

// Recv is the main thread's Thread.Recv.
func (e *Emulator) Recv(s spec.Socket, b []byte) (int, error) { return e.api().Recv(s, b) }

// Poll is the main thread's Thread.Poll.
func (e *Emulator) Poll(s spec.Socket, events spec.PollEvents, timeout time.Duration) (spec.PollEvents, error) {
	return e.api().Poll(s, events, timeout)
}

// Shutdown is the main thread's Thread.Shutdown.
func (e *Emulator) Shutdown(s spec.Socket, how int) error { return e.api().Shutdown(s, how) }

// SetLinger is the main thread's Thread.SetLinger.
func (e *Emulator) SetLinger(s spec.Socket, on bool, seconds uint16) error {
	return e.api().SetLinger(s, on, seconds)
}

// SetBindOption is the main thread's Thread.SetBindOption.
func (e *Emulator) SetBindOption(s spec.Socket, opt int, on bool) error {
	return e.api().SetBindOption(s, opt, on)
}

// BindOption is the main thread's Thread.BindOption.
func (e *Emulator) BindOption(s spec.Socket, opt int) (bool, error) {
	return e.api().BindOption(s, opt)
}

// Getsockname is the main thread's Thread.Getsockname.
func (e *Emulator) Getsockname(s spec.Socket) (netip.AddrPort, error) { return e.api().Getsockname(s) }

// Getpeername is the main thread's Thread.Getpeername.
func (e *Emulator) Getpeername(s spec.Socket) (netip.AddrPort, error) { return e.api().Getpeername(s) }

// UpdateAcceptContext is the main thread's Thread.UpdateAcceptContext.
func (e *Emulator) UpdateAcceptContext(accepted, listener spec.Socket) error {
	return e.api().UpdateAcceptContext(accepted, listener)
}

// UpdateConnectContext is the main thread's Thread.UpdateConnectContext.
func (e *Emulator) UpdateConnectContext(s spec.Socket) error { return e.api().UpdateConnectContext(s) }

// Closesocket is the main thread's Thread.Closesocket.
func (e *Emulator) Closesocket(s spec.Socket) error { return e.api().Closesocket(s) }

// GetExtensionFunction is the main thread's Thread.GetExtensionFunction.
func (e *Emulator) GetExtensionFunction(s spec.Socket, id spec.GUID) (uintptr, error) {
	return e.api().GetExtensionFunction(s, id)
}

// ConnectEx is the main thread's Thread.ConnectEx.
func (e *Emulator) ConnectEx(s spec.Socket, addr netip.AddrPort, ov spec.Overlapped) error {
	return e.api().ConnectEx(s, addr, ov)
}

// AcceptEx is the main thread's Thread.AcceptEx.
func (e *Emulator) AcceptEx(listener, accepted spec.Socket, ov spec.Overlapped) error {
	return e.api().AcceptEx(listener, accepted, ov)
}

// DisconnectEx is the main thread's Thread.DisconnectEx.
func (e *Emulator) DisconnectEx(s spec.Socket, ov spec.Overlapped, flags, reserved uint32) error {
	return e.api().DisconnectEx(s, ov, flags, reserved)
}

// NewOverlapped is the main thread's Thread.NewOverlapped.
func (e *Emulator) NewOverlapped(event spec.Handle) (spec.Overlapped, error) {
	return e.api().NewOverlapped(event)
}

// FreeOverlapped is the main thread's Thread.FreeOverlapped.
func (e *Emulator) FreeOverlapped(ov spec.Overlapped) error { return e.api().FreeOverlapped(ov) }

// GetOverlappedResult is the main thread's Thread.GetOverlappedResult.
func (e *Emulator) GetOverlappedResult(h spec.Handle, ov spec.Overlapped, wait bool) (uint32, error) {
	return e.api().GetOverlappedResult(h, ov, wait)
}

// WSAGetOverlappedResult is the main thread's Thread.WSAGetOverlappedResult.
func (e *Emulator) WSAGetOverlappedResult(s spec.Socket, ov spec.Overlapped, wait bool) (uint32, uint32, error) {
	return e.api().WSAGetOverlappedResult(s, ov, wait)
}

// CancelIoEx is the main thread's Thread.CancelIoEx.
func (e *Emulator) CancelIoEx(h spec.Handle, ov spec.Overlapped) error {
	return e.api().CancelIoEx(h, ov)
}

// CreateEvent is the main thread's Thread.CreateEvent.
func (e *Emulator) CreateEvent(manualReset, initialState bool) (spec.Handle, error) {
	return e.api().CreateEvent(manualReset, initialState)
}

// SetEvent is the main thread's Thread.SetEvent.
func (e *Emulator) SetEvent(h spec.Handle) error { return e.api().SetEvent(h) }

// ResetEvent is the main thread's Thread.ResetEvent.
func (e *Emulator) ResetEvent(h spec.Handle) error { return e.api().ResetEvent(h) }

// WaitForSingleObject is the main thread's Thread.WaitForSingleObject.
func (e *Emulator) WaitForSingleObject(h spec.Handle, timeout time.Duration) error {
	return e.api().WaitForSingleObject(h, timeout)
}

// CloseHandle is the main thread's Thread.CloseHandle.
func (e *Emulator) CloseHandle(h spec.Handle) error { return e.api().CloseHandle(h) }

// CreateIoCompletionPort is the main thread's Thread.CreateIoCompletionPort.
func (e *Emulator) CreateIoCompletionPort(concurrency uint32) (spec.Handle, error) {
	return e.api().CreateIoCompletionPort(concurrency)
}

// AssociateCompletionPort is the main thread's Thread.AssociateCompletionPort.
func (e *Emulator) AssociateCompletionPort(port spec.Handle, s spec.Socket, key uintptr) error {
	return e.api().AssociateCompletionPort(port, s, key)
}

// SetFileCompletionNotificationModes is the main thread's Thread.SetFileCompletionNotificationModes.
func (e *Emulator) SetFileCompletionNotificationModes(s spec.Socket, flags uint8) error {
	return e.api().SetFileCompletionNotificationModes(s, flags)
}

// GetQueuedCompletionStatus is the main thread's Thread.GetQueuedCompletionStatus.
func (e *Emulator) GetQueuedCompletionStatus(port spec.Handle, timeout time.Duration) (spec.Completion, error) {
	return e.api().GetQueuedCompletionStatus(port, timeout)
}

// PostQueuedCompletionStatus is the main thread's Thread.PostQueuedCompletionStatus.
func (e *Emulator) PostQueuedCompletionStatus(port spec.Handle, bytes uint32, key uintptr, ov spec.Overlapped) error {
	return e.api().PostQueuedCompletionStatus(port, bytes, key, ov)
}

// NewThread is the main thread's Thread.NewThread.
func (e *Emulator) NewThread() (spec.Thread, error) { return e.api().NewThread() }

// TCPTable is the main thread's Thread.TCPTable.
func (e *Emulator) TCPTable() ([]spec.TCPRow, error) { return e.api().TCPTable() }

// Sleep is the main thread's Thread.Sleep.
func (e *Emulator) Sleep(d time.Duration) { e.api().Sleep(d) }

// ExtensionLookup is the main thread's Thread.ExtensionLookup.
func (e *Emulator) ExtensionLookup(s spec.Socket, id spec.GUID, ov spec.Overlapped, withBytes bool) (uintptr, uint32, error) {
	return e.api().ExtensionLookup(s, id, ov, withBytes)
}

// OverlappedFields is the main thread's Thread.OverlappedFields.
func (e *Emulator) OverlappedFields(ov spec.Overlapped) (spec.NTStatus, uintptr, error) {
	return e.api().OverlappedFields(ov)
}

// SetOverlappedFields is the main thread's Thread.SetOverlappedFields.
func (e *Emulator) SetOverlappedFields(ov spec.Overlapped, internal spec.NTStatus, high uintptr) error {
	return e.api().SetOverlappedFields(ov, internal, high)
}

// WSASend is the main thread's Thread.WSASend.
func (e *Emulator) WSASend(s spec.Socket, b []byte, ov spec.Overlapped) (uint32, error) {
	return e.api().WSASend(s, b, ov)
}

// WSARecv is the main thread's Thread.WSARecv.
func (e *Emulator) WSARecv(s spec.Socket, b []byte, ov spec.Overlapped) (uint32, error) {
	return e.api().WSARecv(s, b, ov)
}
