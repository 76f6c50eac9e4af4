//go:build windows

package native

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// DisconnectEx for code written against golang.org/x/sys/windows rather
// than spec.API. x/sys/windows (v0.50.0) declares WSAID_CONNECTEX,
// SIO_GET_EXTENSION_FUNCTION_POINTER, TF_DISCONNECT, TF_REUSE_SOCKET and
// SO_UPDATE_CONNECT_CONTEXT, and wraps ConnectEx, AcceptEx and
// TransmitFile, but has neither the GUID nor a wrapper for DisconnectEx:
// this file adds what is missing, in that package's style, and nothing it
// already has.

// WSAID_DISCONNECTEX identifies DisconnectEx to
// WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER):
// {7FDA2E11-8630-436F-A031-F536A6EEC157}, as mswsock.h declares it (the
// same value as spec.WSAID_DISCONNECTEX, in x/sys's GUID type).
var WSAID_DISCONNECTEX = windows.GUID{
	Data1: 0x7fda2e11,
	Data2: 0x8630,
	Data3: 0x436f,
	Data4: [8]byte{0xa0, 0x31, 0xf5, 0x36, 0xa6, 0xee, 0xc1, 0x57},
}

// DE_REUSE_SOCKET is mswsock.h's name for DisconnectEx's only flag, the
// value of windows.TF_REUSE_SOCKET: the socket may afterwards be passed to
// AcceptEx or ConnectEx (by Windows' observed behaviour, a socket that had
// an accepted connection only to AcceptEx; clause DX-FLAG-REUSE-TARGET).
const DE_REUSE_SOCKET = windows.TF_REUSE_SOCKET

var disconnectExFunc struct {
	once sync.Once
	addr uintptr
	err  error
}

// LoadDisconnectEx looks DisconnectEx up once per process, as
// windows.LoadConnectEx does for ConnectEx: WSAIoctl with
// SIO_GET_EXTENSION_FUNCTION_POINTER and WSAID_DISCONNECTEX on a probe TCP
// socket, AF_INET first and AF_INET6 when that fails (an AF_INET socket
// cannot be made where IPv4 is disabled, golang/go#29759). The pointer is
// the one of the default TCP provider; a process that layers another
// provider over some sockets should look the function up on the socket
// itself (Backend.GetExtensionFunction). DisconnectEx calls it first; the
// error is kept and returned by every later call.
func LoadDisconnectEx() error {
	disconnectExFunc.once.Do(func() {
		disconnectExFunc.addr, disconnectExFunc.err = probeExtension(WSAID_DISCONNECTEX)
	})
	return disconnectExFunc.err
}

// probeExtension loads the extension function id from a probe TCP socket
// of the first address family that can make one.
func probeExtension(id windows.GUID) (uintptr, error) {
	var errs []error
	for _, af := range []int32{windows.AF_INET, windows.AF_INET6} {
		s, err := windows.WSASocket(af, windows.SOCK_STREAM, windows.IPPROTO_TCP, nil, 0, windows.WSA_FLAG_OVERLAPPED)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var fn uintptr
		var n uint32
		err = windows.WSAIoctl(s, windows.SIO_GET_EXTENSION_FUNCTION_POINTER,
			(*byte)(unsafe.Pointer(&id)), uint32(unsafe.Sizeof(id)),
			(*byte)(unsafe.Pointer(&fn)), uint32(unsafe.Sizeof(fn)), &n, nil, 0)
		windows.Closesocket(s)
		if err == nil && fn == 0 {
			err = windows.WSAEINVAL
		}
		if err == nil {
			return fn, nil
		}
		errs = append(errs, err)
	}
	return 0, errors.Join(errs...)
}

// DisconnectEx closes the connection on s and, with DE_REUSE_SOCKET
// (windows.TF_REUSE_SOCKET), prepares the handle for AcceptEx or ConnectEx.
// reserved must be 0. It is the Winsock extension function, loaded by
// LoadDisconnectEx, called as x/sys/windows calls ConnectEx and AcceptEx:
// the error is the syscall.Errno of WSAGetLastError when the function
// returns FALSE, so a request that pends returns windows.ERROR_IO_PENDING
// and completes through o (its hEvent, or the completion port s is
// associated with; windows.GetOverlappedResult and WSAGetOverlappedResult
// then give the outcome). With o nil the call is synchronous (and, with
// DE_REUSE_SOCKET, may last the peer's FIN or a TIME_WAIT). o must stay
// valid and unmoved until the request completes: memory from
// windows.VirtualAlloc, or a Go heap object kept reachable (Go's collector
// does not move heap objects). The errors Windows reports are those of the
// page and of spec's clauses: WSAENOTCONN for a socket that is not
// connected, WSAEINVAL for bad flags, WSAENOTSOCK for a handle that is not
// a socket, WSAEFAULT for a bad o.
func DisconnectEx(s windows.Handle, o *windows.Overlapped, flags, reserved uint32) error {
	if err := LoadDisconnectEx(); err != nil {
		return fmt.Errorf("failed to find DisconnectEx: %w", err)
	}
	r1, _, e1 := syscall.SyscallN(disconnectExFunc.addr, uintptr(s), uintptr(unsafe.Pointer(o)), uintptr(flags), uintptr(reserved))
	if uint32(r1) == 0 { // BOOL FALSE
		if e1 != 0 {
			return e1
		}
		return syscall.EINVAL
	}
	return nil
}
