package spec

import (
	"fmt"
	"net/netip"
	"time"
)

// Socket is a Winsock SOCKET handle.
type Socket uintptr

// INVALID_SOCKET is the value socket creation returns on failure.
const INVALID_SOCKET = ^Socket(0)

// Handle is a kernel object handle: an event or a completion port. A socket
// is waitable too; convert it with Handle(s) to wait on it.
type Handle uintptr

// Overlapped is the address of an OVERLAPPED structure that a backend
// allocated with NewOverlapped. The backend owns the memory and keeps it
// alive and unmoved until FreeOverlapped, so the kernel may write to it at
// any time until the request completes. The zero value is the NULL pointer.
// Any other value the backend did not hand out is an invalid pointer, which
// is how the suite passes one to DisconnectEx.
type Overlapped uintptr

// Untouched is what a test presets an output DWORD to, to see whether a call
// writes it (0xdeadbeef in Wine's tests).
const Untouched uint32 = 0xDEADBEEF

// Infinite is the timeout that never expires (INFINITE). It is the only
// negative timeout a call accepts (see API, Timeouts).
const Infinite time.Duration = -1

// ValidTimeout reports whether a call accepts d as a timeout: Infinite, or
// not negative (see API, Timeouts).
func ValidTimeout(d time.Duration) bool { return d >= 0 || d == Infinite }

// Completion is one packet dequeued from a completion port.
type Completion struct {
	Bytes      uint32
	Key        uintptr
	Overlapped Overlapped
}

// TCPRow is one entry of the TCP connection table (GetExtendedTcpTable).
type TCPRow struct {
	Local  netip.AddrPort
	Remote netip.AddrPort
	State  TCPState
}

// API is the Winsock-shaped interface every backend implements: the
// emulator, and the real Windows implementation. Each method is one Windows
// call. A method that returns an error returns nil where Windows returns
// TRUE (or success) and an Errno where Windows returns FALSE, with the code
// GetLastError or WSAGetLastError would give, ERROR_IO_PENDING included.
//
// Calls on an API value are issued by one thread that never exits. To
// observe thread-exit cancellation, issue requests through a Thread.
//
// # Timeouts
//
// The timeout of WaitForSingleObject, GetQueuedCompletionStatus, Poll and
// Sleep is Infinite (wait forever), 0 (do not wait), or a positive duration
// (wait at least that long: a backend rounds up to its resolution, and
// waits longer than one Windows call allows in several calls). Any other
// negative duration is refused at once, without waiting: ERROR_INVALID_PARAMETER
// from WaitForSingleObject and GetQueuedCompletionStatus, WSAEINVAL from
// Poll; Sleep returns at once. Windows has no single behaviour to follow:
// its DWORD timeouts make only 0xFFFFFFFF INFINITE, so converting a negative
// duration to milliseconds would make -1 ms INFINITE and -2 ms a wait of
// 49.7 days, while WSAPoll's INT timeout makes every negative value
// infinite. A computed timeout that went negative is a bug in the caller;
// refusing it shows the bug instead of hanging (ValidTimeout).
type API interface {
	// WSASocketW(af, typ, proto, NULL, 0, flags). flags may hold
	// WSA_FLAG_OVERLAPPED.
	Socket(af, typ, proto int, flags uint32) (Socket, error)
	Bind(s Socket, addr netip.AddrPort) error
	Listen(s Socket, backlog int) error
	// Connect is a blocking connect().
	Connect(s Socket, addr netip.AddrPort) error
	// Accept is a blocking accept().
	Accept(s Socket) (Socket, netip.AddrPort, error)
	// Send and Recv are blocking send() and recv() with flags 0. Recv
	// returns 0, nil when the peer has closed its sending side.
	Send(s Socket, b []byte) (int, error)
	Recv(s Socket, b []byte) (int, error)
	// Poll is WSAPoll on one socket. It returns the revents bits.
	Poll(s Socket, events PollEvents, timeout time.Duration) (PollEvents, error)
	Shutdown(s Socket, how int) error
	// SetLinger sets SO_LINGER. SetLinger(s, true, 0) then Closesocket
	// resets the connection.
	SetLinger(s Socket, on bool, seconds uint16) error
	// SetBindOption is setsockopt(SOL_SOCKET, opt) with a BOOL for the
	// options that decide which binds to a port in use succeed: opt is
	// SO_REUSEADDR or SO_EXCLUSIVEADDRUSE (any other fails
	// WSAENOPROTOOPT); the two exclude each other (WSAEINVAL). Set them
	// before bind (DX-GAP-BIND-ADDRESS).
	SetBindOption(s Socket, opt int, on bool) error
	// BindOption is getsockopt of the same options.
	BindOption(s Socket, opt int) (bool, error)
	Getsockname(s Socket) (netip.AddrPort, error)
	Getpeername(s Socket) (netip.AddrPort, error)
	// UpdateAcceptContext is setsockopt(accepted, SOL_SOCKET,
	// SO_UPDATE_ACCEPT_CONTEXT, &listener) after AcceptEx completes.
	UpdateAcceptContext(accepted, listener Socket) error
	// UpdateConnectContext is setsockopt(s, SOL_SOCKET,
	// SO_UPDATE_CONNECT_CONTEXT) after ConnectEx completes.
	UpdateConnectContext(s Socket) error
	Closesocket(s Socket) error

	// GetExtensionFunction is WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER)
	// with id as the input buffer. It returns the function pointer (an
	// opaque, nonzero value on the emulator).
	GetExtensionFunction(s Socket, id GUID) (uintptr, error)
	// ExtensionLookup is the same WSAIoctl with the arguments Wine's
	// tests vary: lpcbBytesReturned points at a DWORD preset to Untouched
	// when withBytes (NULL otherwise), and lpOverlapped is ov (0 for NULL).
	// It returns the pointer and that DWORD after the call: sizeof(fn), 8,
	// on success; Untouched where the call did not write it. With an
	// OVERLAPPED the lookup still succeeds within the call, and completes
	// through ov as any request does (Internal 0, a packet on a port).
	ExtensionLookup(s Socket, id GUID, ov Overlapped, withBytes bool) (fn uintptr, bytes uint32, err error)
	// ConnectEx with no send buffer. s must be bound.
	ConnectEx(s Socket, addr netip.AddrPort, ov Overlapped) error
	// AcceptEx with no receive data; the backend supplies the address buffers.
	AcceptEx(listener, accepted Socket, ov Overlapped) error
	// DisconnectEx(hSocket, lpOverlapped, dwFlags, reserved).
	DisconnectEx(s Socket, ov Overlapped, flags, reserved uint32) error
	// WSASend is WSASend(s, one WSABUF over b, 1, lpNumberOfBytesSent,
	// 0, ov, NULL) and WSARecv is WSARecv(s, one WSABUF over b, 1,
	// lpNumberOfBytesRecvd, &flags (0), ov, NULL). With ov 0 the call is
	// blocking and returns the bytes transferred. With an OVERLAPPED the
	// count is NULL, as Microsoft's pages advise, so the call returns 0
	// bytes and nil (done at once) or ERROR_IO_PENDING, and the bytes come
	// from GetOverlappedResult or the completion packet; either way the
	// request completes through ov (event, packet), and b must stay valid
	// and untouched until it has. WSARecv's 0 bytes with success is the
	// peer's FIN.
	WSASend(s Socket, b []byte, ov Overlapped) (uint32, error)
	WSARecv(s Socket, b []byte, ov Overlapped) (uint32, error)

	// NewOverlapped allocates a zeroed OVERLAPPED whose hEvent is event
	// (0 for NULL; set the low bit to suppress the completion packet).
	NewOverlapped(event Handle) (Overlapped, error)
	// FreeOverlapped releases an OVERLAPPED. It fails with
	// ERROR_IO_PENDING while a request still uses it.
	FreeOverlapped(ov Overlapped) error
	// OverlappedFields reads the OVERLAPPED's Internal (the request's
	// NTSTATUS: STATUS_PENDING while it runs) and InternalHigh (the bytes
	// transferred), as Wine's tests read them after each call.
	// SetOverlappedFields writes them, as those tests do before a call to
	// see which fields the call writes; GetOverlappedResult and
	// WSAGetOverlappedResult then report what they hold. Both fail with
	// ERROR_INVALID_PARAMETER for an OVERLAPPED the backend did not hand
	// out.
	OverlappedFields(ov Overlapped) (internal NTStatus, internalHigh uintptr, err error)
	SetOverlappedFields(ov Overlapped, internal NTStatus, internalHigh uintptr) error
	// GetOverlappedResult reports the Win32 view of a request: bytes
	// transferred, and nil or the Win32 error (ERROR_IO_INCOMPLETE while
	// pending and wait is false).
	GetOverlappedResult(h Handle, ov Overlapped, wait bool) (uint32, error)
	// WSAGetOverlappedResult reports the Winsock view of the same request.
	WSAGetOverlappedResult(s Socket, ov Overlapped, wait bool) (bytes, flags uint32, err error)
	// CancelIoEx cancels the request using ov on h, or every request on h
	// when ov is 0. ERROR_NOT_FOUND when nothing matched.
	CancelIoEx(h Handle, ov Overlapped) error

	CreateEvent(manualReset, initialState bool) (Handle, error)
	SetEvent(h Handle) error
	ResetEvent(h Handle) error
	// WaitForSingleObject returns nil when h is signalled (WAIT_OBJECT_0)
	// and WAIT_TIMEOUT when the timeout expires first.
	WaitForSingleObject(h Handle, timeout time.Duration) error
	// CloseHandle closes an event or a completion port.
	CloseHandle(h Handle) error

	// CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, concurrency).
	CreateIoCompletionPort(concurrency uint32) (Handle, error)
	// AssociateCompletionPort is CreateIoCompletionPort(s, port, key, 0).
	AssociateCompletionPort(port Handle, s Socket, key uintptr) error
	SetFileCompletionNotificationModes(s Socket, flags uint8) error
	// GetQueuedCompletionStatus returns a packet, or WAIT_TIMEOUT with a
	// zero Completion. A packet of a failed request comes with its error and
	// a nonzero Overlapped, as Windows reports it.
	GetQueuedCompletionStatus(port Handle, timeout time.Duration) (Completion, error)
	PostQueuedCompletionStatus(port Handle, bytes uint32, key uintptr, ov Overlapped) error

	// NewThread starts a thread. Calls made through the returned Thread are
	// issued by it.
	NewThread() (Thread, error)
	// Sleep suspends the calling thread. On the emulator it advances
	// virtual time.
	Sleep(d time.Duration)
	// TCPTable lists the TCP connections of the system, TIME_WAIT included.
	TCPTable() ([]TCPRow, error)
}

// Thread is an API whose calls are all issued by one thread of its own.
// Exit ends the thread. Pending requests it issued are canceled with
// ERROR_OPERATION_ABORTED, except (on Windows Vista and later) requests on
// handles associated with a completion port. Calls after Exit fail with
// ERROR_INVALID_HANDLE.
type Thread interface {
	API
	Exit() error
}

// DisconnectExFunc has the shape of the DisconnectEx extension function.
type DisconnectExFunc func(s Socket, ov Overlapped, flags, reserved uint32) error

// LoadDisconnectEx obtains DisconnectEx the documented way: WSAIoctl with
// SIO_GET_EXTENSION_FUNCTION_POINTER and WSAID_DISCONNECTEX on the socket
// that will use it. The function it returns issues calls through api (a
// Thread, to issue them from that thread).
func LoadDisconnectEx(api API, s Socket) (DisconnectExFunc, error) {
	if _, err := api.GetExtensionFunction(s, WSAID_DISCONNECTEX); err != nil {
		return nil, err
	}
	return api.DisconnectEx, nil
}

// Settings are the system-wide TCP settings that shape DisconnectEx: on
// Windows they live in the registry and netsh; the emulator takes them at
// construction.
type Settings struct {
	// TcpTimedWaitDelay is how long a closed connection stays in TIME_WAIT
	// (HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters). The page
	// gives 0 to 300 seconds, whole seconds, default 240.
	TcpTimedWaitDelay time.Duration
	// DynamicPorts is the ephemeral port range that implicit binds draw from.
	DynamicPorts PortRange
}

// PortRange is a range of ports: Start, Start+1, ..., Start+Count-1.
type PortRange struct {
	Start uint16
	Count int
}

// Contains reports whether port lies in the range.
func (r PortRange) Contains(port uint16) bool {
	return int(port) >= int(r.Start) && int(port) < int(r.Start)+r.Count
}

// Defaults of Settings.
const (
	DefaultTcpTimedWaitDelay = 240 * time.Second
	MaxTcpTimedWaitDelay     = 300 * time.Second
	MSL                      = 120 * time.Second
)

// DefaultDynamicPorts is Windows' ephemeral range since Vista: 49152-65535.
var DefaultDynamicPorts = PortRange{Start: 49152, Count: 16384}

// DefaultSettings returns Windows' defaults.
func DefaultSettings() Settings {
	return Settings{TcpTimedWaitDelay: DefaultTcpTimedWaitDelay, DynamicPorts: DefaultDynamicPorts}
}

// Validate reports settings Windows would not accept: a TIME_WAIT delay
// outside 0..300 s or not in whole seconds, or a port range that starts at
// 0, is empty, or runs past 65535. The range check cannot overflow: Count
// is compared with the room left above Start, so no Count, however large,
// wraps into a range that looks valid.
func (s Settings) Validate() error {
	if s.TcpTimedWaitDelay < 0 || s.TcpTimedWaitDelay > MaxTcpTimedWaitDelay {
		return fmt.Errorf("spec: TcpTimedWaitDelay %v is outside the documented range 0s..300s", s.TcpTimedWaitDelay)
	}
	if s.TcpTimedWaitDelay%time.Second != 0 {
		return fmt.Errorf("spec: TcpTimedWaitDelay %v is not a whole number of seconds (the registry value is a DWORD of seconds)", s.TcpTimedWaitDelay)
	}
	if r := s.DynamicPorts; r.Start == 0 || r.Count < 1 || r.Count > 65536-int(r.Start) {
		return fmt.Errorf("spec: dynamic port range start %d count %d is not within 1..65535", s.DynamicPorts.Start, s.DynamicPorts.Count)
	}
	return nil
}
