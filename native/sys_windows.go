//go:build windows

package native

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// What golang.org/x/sys/windows v0.50.0 lacks: the procedures below are not
// wrapped there (accept, send, recv and WSAPoll on raw buffers,
// GetExtendedTcpTable) or are wrapped with Go pointer types that this
// package must not manufacture from arbitrary addresses (the OVERLAPPED
// calls take a spec.Overlapped, which may be any address, and are called
// with the raw value).
var (
	modws2_32   = windows.NewLazySystemDLL("ws2_32.dll")
	modkernel32 = windows.NewLazySystemDLL("kernel32.dll")
	modiphlpapi = windows.NewLazySystemDLL("iphlpapi.dll")
	modntdll    = windows.NewLazySystemDLL("ntdll.dll")

	procAccept                 = modws2_32.NewProc("accept")
	procSend                   = modws2_32.NewProc("send")
	procRecv                   = modws2_32.NewProc("recv")
	procWSAPoll                = modws2_32.NewProc("WSAPoll")
	procWSAIoctl               = modws2_32.NewProc("WSAIoctl")
	procWSAGetOverlappedResult = modws2_32.NewProc("WSAGetOverlappedResult")

	procGetOverlappedResult        = modkernel32.NewProc("GetOverlappedResult")
	procCancelIoEx                 = modkernel32.NewProc("CancelIoEx")
	procGetQueuedCompletionStatus  = modkernel32.NewProc("GetQueuedCompletionStatus")
	procPostQueuedCompletionStatus = modkernel32.NewProc("PostQueuedCompletionStatus")

	procGetExtendedTcpTable = modiphlpapi.NewProc("GetExtendedTcpTable")

	procWineGetVersion = modntdll.NewProc("wine_get_version")
)

// Constants x/sys/windows does not declare.
const (
	soProtocolInfoW     = 0x2005 // SO_PROTOCOL_INFOW
	tcpTableOwnerPIDAll = 5      // TCP_TABLE_OWNER_PID_ALL
	statusPending       = 0x103  // STATUS_PENDING in OVERLAPPED.Internal
	errInsufficientBuf  = 122    // ERROR_INSUFFICIENT_BUFFER
	invalidSocket       = ^uintptr(0)
)

// at turns an address this package owns (VirtualAlloc memory, or a string
// that Wine returns) into a pointer. The memory is not Go's, so the
// collector neither moves nor frees it.
func at(addr uintptr) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(nil), addr) }

// lastErr returns the error of a failed raw call: the thread's last error,
// as GetLastError and WSAGetLastError (the same slot) report it.
func lastErr(e syscall.Errno) error {
	if e == 0 {
		// The call failed without setting an error; report it as Windows
		// would print it rather than as success.
		return errnoOf(syscall.Errno(windows.ERROR_INVALID_FUNCTION))
	}
	return errnoOf(e)
}
