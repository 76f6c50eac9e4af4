//go:build windows

package native

import "unsafe"

// The raw calls, generated into zsyscall_windows.go by mkwinsyscall
// (TestGeneratedSyscalls fails when that file is stale). They are what
// golang.org/x/sys/windows v0.50.0 lacks: procedures it does not wrap
// (accept, send, recv and WSAPoll on raw buffers, GetExtendedTcpTable,
// wine_get_version), or wraps with Go pointer types that this package must
// not manufacture from arbitrary addresses: the OVERLAPPED calls take a
// spec.Overlapped, which may be any address, and pass it as a uintptr.
// BOOL and DWORD results are declared as 32-bit values, so that the upper
// half of the register is never read.
//
// The extension functions (DisconnectEx, ConnectEx, AcceptEx,
// GetAcceptExSockaddrs) are not DLL exports and are called through the
// pointer WSAIoctl returns (extension_windows.go).

//sys	accept(s windows.Handle, addr *byte, addrlen *int32) (ns windows.Handle, err error) [failretval==windows.InvalidHandle] = ws2_32.accept
//sys	send(s windows.Handle, buf *byte, n int32, flags int32) (r int32, err error) [failretval==-1] = ws2_32.send
//sys	recv(s windows.Handle, buf *byte, n int32, flags int32) (r int32, err error) [failretval==-1] = ws2_32.recv
//sys	wsaPoll(fds *wsaPollFD, nfds uint32, timeout int32) (r int32, err error) [failretval==-1] = ws2_32.WSAPoll
//sys	wsaSend(s windows.Handle, bufs *windows.WSABuf, nbufs uint32, sent *uint32, flags uint32, ov uintptr, completion uintptr) (r int32, err error) [failretval==-1] = ws2_32.WSASend
//sys	wsaRecv(s windows.Handle, bufs *windows.WSABuf, nbufs uint32, recvd *uint32, flags *uint32, ov uintptr, completion uintptr) (r int32, err error) [failretval==-1] = ws2_32.WSARecv
//sys	wsaIoctl(s windows.Handle, code uint32, in *byte, inLen uint32, out *byte, outLen uint32, got *uint32, ov uintptr, completion uintptr) (r int32, err error) [failretval!=0] = ws2_32.WSAIoctl
//sys	wsaGetOverlappedResult(s windows.Handle, ov uintptr, n *uint32, wait bool, flags *uint32) (ok uint32, err error) [failretval==0] = ws2_32.WSAGetOverlappedResult
//sys	getOverlappedResult(h windows.Handle, ov uintptr, n *uint32, wait bool) (ok uint32, err error) [failretval==0] = kernel32.GetOverlappedResult
//sys	cancelIoEx(h windows.Handle, ov uintptr) (ok uint32, err error) [failretval==0] = kernel32.CancelIoEx
//sys	getQueuedCompletionStatus(port windows.Handle, n *uint32, key *uintptr, ov *uintptr, timeout uint32) (ok uint32, err error) [failretval==0] = kernel32.GetQueuedCompletionStatus
//sys	postQueuedCompletionStatus(port windows.Handle, n uint32, key uintptr, ov uintptr) (ok uint32, err error) [failretval==0] = kernel32.PostQueuedCompletionStatus
//sys	getExtendedTcpTable(buf *byte, size *uint32, order bool, af uint32, class uint32, reserved uint32) (errcode error) = iphlpapi.GetExtendedTcpTable
//sys	wineGetVersion() (version uintptr) = ntdll.wine_get_version

// Constants x/sys/windows does not declare.
const (
	soProtocolInfoW     = 0x2005 // SO_PROTOCOL_INFOW
	tcpTableOwnerPIDAll = 5      // TCP_TABLE_OWNER_PID_ALL
	statusPending       = 0x103  // STATUS_PENDING in OVERLAPPED.Internal
)

// wsaPollFD is WSAPOLLFD.
type wsaPollFD struct {
	fd      uintptr
	events  int16
	revents int16
}

// at turns an address this package owns (VirtualAlloc memory, or a string
// that Wine returns) into a pointer. The memory is not Go's, so the
// collector neither moves nor frees it.
func at(addr uintptr) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(nil), addr) }
