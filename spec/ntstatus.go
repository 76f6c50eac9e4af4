package spec

import "fmt"

// NTStatus is the status an overlapped request leaves in OVERLAPPED.Internal.
// Windows keeps one status per request and translates it differently
// depending on who asks: GetOverlappedResult reports the Win32 error
// (RtlNtStatusToDosError), WSAGetOverlappedResult and the Winsock calls
// report the Winsock error. Backends that model requests keep the NTSTATUS
// and translate it with Win32 and Winsock, so both views stay consistent.
type NTStatus uint32

// NTSTATUS values a socket request can finish with.
const (
	STATUS_SUCCESS                NTStatus = 0x00000000
	STATUS_PENDING                NTStatus = 0x00000103
	STATUS_INVALID_PARAMETER      NTStatus = 0xC000000D
	STATUS_PIPE_DISCONNECTED      NTStatus = 0xC00000B0
	STATUS_CANCELLED              NTStatus = 0xC0000120
	STATUS_LOCAL_DISCONNECT       NTStatus = 0xC000013B
	STATUS_REMOTE_DISCONNECT      NTStatus = 0xC000013C
	STATUS_INVALID_CONNECTION     NTStatus = 0xC0000140
	STATUS_ADDRESS_ALREADY_EXISTS NTStatus = 0xC000020A
	STATUS_CONNECTION_RESET       NTStatus = 0xC000020D
	STATUS_CONNECTION_REFUSED     NTStatus = 0xC0000236
	STATUS_GRACEFUL_DISCONNECT    NTStatus = 0xC0000237
	STATUS_CONNECTION_ABORTED     NTStatus = 0xC0000241
	STATUS_TOO_MANY_ADDRESSES     NTStatus = 0xC0000209
	STATUS_IO_TIMEOUT             NTStatus = 0xC00000B5
	STATUS_NETWORK_UNREACHABLE    NTStatus = 0xC000023C
	STATUS_HOST_UNREACHABLE       NTStatus = 0xC000023D
)

type statusInfo struct {
	name           string
	win32, winsock Errno
}

// statusTable maps each NTSTATUS to its two user-mode faces.
//
// Win32 column: RtlNtStatusToDosError, each row checked against Wine's
// dlls/ntdll/tests/error.c (strict cmp() rows, which pass on Windows).
// Winsock column: the mapping ws2_32 applies in WSAGetOverlappedResult and
// the completion routines, checked against Wine's dlls/ws2_32/socket.c
// NtStatusToWSAError table (error statuses it does not list become
// WSAEINVAL).
//
// STATUS_PENDING is the exception: RtlNtStatusToDosError and
// NtStatusToWSAError both give ERROR_IO_PENDING, but a request that is still
// pending is reported by GetOverlappedResult(bWait FALSE) as
// ERROR_IO_INCOMPLETE and by WSAGetOverlappedResult as WSA_IO_INCOMPLETE,
// which is what the row records.
//
// Windows observations behind some rows (Wine tests that pass on Windows):
// a refused ConnectEx completes ERROR_CONNECTION_REFUSED (sock.c
// test_connect); a pending WSARecv whose peer resets completes
// ERROR_NETNAME_DELETED (sock.c test_WSARecv, test_completion_port); closing
// a listener under AcceptEx leaves Internal = STATUS_CANCELLED and reports
// ERROR_OPERATION_ABORTED (test_completion_port); AFD fails requests on an
// unconnected or listening socket with STATUS_INVALID_CONNECTION (afd.c
// test_recv).
var statusTable = map[NTStatus]statusInfo{
	STATUS_SUCCESS:           {"STATUS_SUCCESS", ERROR_SUCCESS, ERROR_SUCCESS},
	STATUS_PENDING:           {"STATUS_PENDING", ERROR_IO_INCOMPLETE, WSA_IO_INCOMPLETE},
	STATUS_INVALID_PARAMETER: {"STATUS_INVALID_PARAMETER", ERROR_INVALID_PARAMETER, WSAEINVAL},
	STATUS_PIPE_DISCONNECTED: {"STATUS_PIPE_DISCONNECTED", ERROR_PIPE_NOT_CONNECTED, WSAESHUTDOWN},
	STATUS_CANCELLED:         {"STATUS_CANCELLED", ERROR_OPERATION_ABORTED, WSA_OPERATION_ABORTED},
	STATUS_LOCAL_DISCONNECT:  {"STATUS_LOCAL_DISCONNECT", ERROR_NETNAME_DELETED, WSAECONNABORTED},
	STATUS_REMOTE_DISCONNECT: {"STATUS_REMOTE_DISCONNECT", ERROR_NETNAME_DELETED, WSAECONNRESET},
	// Not ERROR_CONNECTION_INVALID: that is the face of a different status,
	// STATUS_CONNECTION_INVALID (0xC000023A).
	STATUS_INVALID_CONNECTION: {"STATUS_INVALID_CONNECTION", ERROR_UNEXP_NET_ERR, WSAENOTCONN},
	// Not ERROR_ADDRESS_ALREADY_ASSOCIATED: that is the face of
	// STATUS_ADDRESS_ALREADY_ASSOCIATED (0xC0000238).
	STATUS_ADDRESS_ALREADY_EXISTS: {"STATUS_ADDRESS_ALREADY_EXISTS", ERROR_DUP_NAME, WSAEADDRINUSE},
	STATUS_CONNECTION_RESET:       {"STATUS_CONNECTION_RESET", ERROR_NETNAME_DELETED, WSAECONNRESET},
	STATUS_CONNECTION_REFUSED:     {"STATUS_CONNECTION_REFUSED", ERROR_CONNECTION_REFUSED, WSAECONNREFUSED},
	STATUS_GRACEFUL_DISCONNECT:    {"STATUS_GRACEFUL_DISCONNECT", ERROR_GRACEFUL_DISCONNECT, WSAEDISCON},
	STATUS_CONNECTION_ABORTED:     {"STATUS_CONNECTION_ABORTED", ERROR_CONNECTION_ABORTED, WSAECONNABORTED},
	STATUS_TOO_MANY_ADDRESSES:     {"STATUS_TOO_MANY_ADDRESSES", ERROR_TOO_MANY_NAMES, WSAENOBUFS},
	// A connect that fails in the network. Win32: error.c rows
	// STATUS_IO_TIMEOUT -> ERROR_SEM_TIMEOUT (line 508),
	// STATUS_NETWORK_UNREACHABLE and STATUS_HOST_UNREACHABLE (lines 900-901)
	// at crossover-wine-23.0.1; Winsock: sock.c map_status.
	STATUS_IO_TIMEOUT:          {"STATUS_IO_TIMEOUT", ERROR_SEM_TIMEOUT, WSAETIMEDOUT},
	STATUS_NETWORK_UNREACHABLE: {"STATUS_NETWORK_UNREACHABLE", ERROR_NETWORK_UNREACHABLE, WSAENETUNREACH},
	STATUS_HOST_UNREACHABLE:    {"STATUS_HOST_UNREACHABLE", ERROR_HOST_UNREACHABLE, WSAEHOSTUNREACH},
}

// String returns the status name, such as "STATUS_CANCELLED".
func (s NTStatus) String() string {
	if info, ok := statusTable[s]; ok {
		return info.name
	}
	return fmt.Sprintf("NTSTATUS(0x%08X)", uint32(s))
}

// Win32 is the error GetOverlappedResult reports for a request that ended
// with this status (ERROR_SUCCESS for success).
func (s NTStatus) Win32() Errno {
	if s == STATUS_SUCCESS { // the common case, without the map (statusTable's row)
		return ERROR_SUCCESS
	}
	if info, ok := statusTable[s]; ok {
		return info.win32
	}
	return ERROR_INVALID_PARAMETER
}

// Winsock is the error WSAGetOverlappedResult reports for a request that
// ended with this status: ERROR_SUCCESS for any success, informational or
// not (NT_SUCCESS, except STATUS_PENDING); the table's error for a status
// it knows; WSAEINVAL for any other warning or error status.
func (s NTStatus) Winsock() Errno {
	if s == STATUS_SUCCESS { // the common case, without the map (statusTable's row)
		return ERROR_SUCCESS
	}
	if info, ok := statusTable[s]; ok {
		return info.winsock
	}
	if e, ok := winsockFaces[s]; ok {
		return e
	}
	if int32(s) >= 0 {
		return ERROR_SUCCESS
	}
	return WSAEINVAL
}

// winsockFaces are the Winsock faces of statuses no backend request here
// ends with, as WSAGetOverlappedResult reports them when a program leaves
// one in Internal. They are the table Wine's dlls/ws2_32/tests/sock.c
// (crossover-wine-23.0.1) map_status holds and test_WSAGetOverlappedResult
// checks on Windows, status by status, over whole ranges of codes; the
// values are the numbers of winerror.h.
var winsockFaces = map[NTStatus]Errno{
	0x80000005: 10040, // STATUS_BUFFER_OVERFLOW: WSAEMSGSIZE
	0xC0000002: 10045, // STATUS_NOT_IMPLEMENTED: WSAEOPNOTSUPP
	0xC0000005: 10014, // STATUS_ACCESS_VIOLATION: WSAEFAULT
	0xC0000007: 10055, // STATUS_PAGEFILE_QUOTA: WSAENOBUFS
	0xC0000008: 10038, // STATUS_INVALID_HANDLE: WSAENOTSOCK
	0xC000000E: 10050, // STATUS_NO_SUCH_DEVICE: WSAENETDOWN
	0xC000000F: 10050, // STATUS_NO_SUCH_FILE: WSAENETDOWN
	0xC0000017: 10055, // STATUS_NO_MEMORY: WSAENOBUFS
	0xC0000018: 10055, // STATUS_CONFLICTING_ADDRESSES: WSAENOBUFS
	0xC0000022: 10013, // STATUS_ACCESS_DENIED: WSAEACCES
	0xC0000023: 10014, // STATUS_BUFFER_TOO_SMALL: WSAEFAULT
	0xC0000024: 10038, // STATUS_OBJECT_TYPE_MISMATCH: WSAENOTSOCK
	0xC0000034: 10050, // STATUS_OBJECT_NAME_NOT_FOUND: WSAENETDOWN
	0xC000003A: 10050, // STATUS_OBJECT_PATH_NOT_FOUND: WSAENETDOWN
	0xC0000043: 10048, // STATUS_SHARING_VIOLATION: WSAEADDRINUSE
	0xC0000044: 10055, // STATUS_QUOTA_EXCEEDED: WSAENOBUFS
	0xC0000097: 10055, // STATUS_TOO_MANY_PAGING_FILES: WSAENOBUFS
	0xC000009A: 10055, // STATUS_INSUFFICIENT_RESOURCES: WSAENOBUFS
	0xC00000A1: 10055, // STATUS_WORKING_SET_QUOTA: WSAENOBUFS
	0xC00000A3: 10035, // STATUS_DEVICE_NOT_READY: WSAEWOULDBLOCK
	0xC00000B5: 10060, // STATUS_IO_TIMEOUT: WSAETIMEDOUT
	0xC00000BB: 10045, // STATUS_NOT_SUPPORTED: WSAEOPNOTSUPP
	0xC00000BC: 10061, // STATUS_REMOTE_NOT_LISTENING: WSAECONNREFUSED
	0xC00000BE: 10051, // STATUS_BAD_NETWORK_PATH: WSAENETUNREACH
	0xC00000BF: 10050, // STATUS_NETWORK_BUSY: WSAENETDOWN
	0xC00000C3: 10050, // STATUS_INVALID_NETWORK_RESPONSE: WSAENETDOWN
	0xC00000C4: 10050, // STATUS_UNEXPECTED_NETWORK_ERROR: WSAENETDOWN
	0xC00000D0: 10035, // STATUS_REQUEST_NOT_ACCEPTED: WSAEWOULDBLOCK
	0xC000012D: 10055, // STATUS_COMMITMENT_LIMIT: WSAENOBUFS
	0xC000013D: 10055, // STATUS_REMOTE_RESOURCES: WSAENOBUFS
	0xC000013E: 10054, // STATUS_LINK_FAILED: WSAECONNRESET
	0xC000013F: 10060, // STATUS_LINK_TIMEOUT: WSAETIMEDOUT
	0xC0000141: 10049, // STATUS_INVALID_ADDRESS: WSAEADDRNOTAVAIL
	0xC0000206: 10040, // STATUS_INVALID_BUFFER_SIZE: WSAEMSGSIZE
	0xC0000207: 10049, // STATUS_INVALID_ADDRESS_COMPONENT: WSAEADDRNOTAVAIL
	0xC000020C: 10054, // STATUS_CONNECTION_DISCONNECTED: WSAECONNRESET
	0xC000020F: 10053, // STATUS_TRANSACTION_ABORTED: WSAECONNABORTED
	0xC000023B: 10056, // STATUS_CONNECTION_ACTIVE: WSAEISCONN
	0xC000023C: 10051, // STATUS_NETWORK_UNREACHABLE: WSAENETUNREACH
	0xC000023D: 10065, // STATUS_HOST_UNREACHABLE: WSAEHOSTUNREACH
	0xC000023E: 10051, // STATUS_PROTOCOL_UNREACHABLE: WSAENETUNREACH
	0xC000023F: 10054, // STATUS_PORT_UNREACHABLE: WSAECONNRESET
	0xC0000240: 10004, // STATUS_REQUEST_ABORTED: WSAEINTR
	0xC00002C5: 10014, // STATUS_DATATYPE_MISALIGNMENT_ERROR: WSAEFAULT
	0xC0000350: 10064, // STATUS_HOST_DOWN: WSAEHOSTDOWN
	// HRESULT-shaped codes carrying ERROR_IO_INCOMPLETE (996); before
	// Windows 8, 0xC00703E4 gave WSAEINVAL.
	0x800703E4: 996,
	0xC00103E4: 996,
	0xC00703E4: 996,
}

// StatusFromWinsock returns the NTSTATUS a backend stores for a request that
// fails with the given Winsock error, so that both result views agree.
func StatusFromWinsock(e Errno) NTStatus {
	switch e {
	case ERROR_SUCCESS:
		return STATUS_SUCCESS
	case WSA_OPERATION_ABORTED:
		return STATUS_CANCELLED
	case WSAENOTCONN:
		return STATUS_INVALID_CONNECTION
	case WSAESHUTDOWN:
		return STATUS_PIPE_DISCONNECTED
	case WSAECONNABORTED:
		return STATUS_CONNECTION_ABORTED
	case WSAECONNRESET:
		return STATUS_CONNECTION_RESET
	case WSAECONNREFUSED:
		return STATUS_CONNECTION_REFUSED
	case WSAEDISCON:
		return STATUS_GRACEFUL_DISCONNECT
	case WSAEADDRINUSE:
		return STATUS_ADDRESS_ALREADY_EXISTS
	case WSAENOBUFS:
		return STATUS_TOO_MANY_ADDRESSES
	case WSAETIMEDOUT:
		return STATUS_IO_TIMEOUT
	case WSAENETUNREACH:
		return STATUS_NETWORK_UNREACHABLE
	case WSAEHOSTUNREACH:
		return STATUS_HOST_UNREACHABLE
	}
	return STATUS_INVALID_PARAMETER
}

// faces holds the pairs of codes that are the Win32 and the Winsock face
// of one row of statusTable, both ways round. Left out:
//   - STATUS_SUCCESS and STATUS_PENDING, which are not failures;
//   - STATUS_INVALID_PARAMETER: ERROR_INVALID_PARAMETER and WSAEINVAL are
//     also what Win32 and Winsock report for any status they do not map,
//     and what many calls return at once for unrelated bad arguments, so
//     relating them would make every invalid-argument error match.
//
// The relation is the table's and not transitive: ERROR_NETNAME_DELETED
// is the Win32 face of a reset (WSAECONNRESET) and of a local disconnect
// (WSAECONNABORTED), so it matches both, while WSAECONNRESET and
// WSAECONNABORTED stay distinct. A syscall.Errno's own Is knows nothing of
// this: errors.Is(spec.WSAECONNREFUSED, windows.ERROR_CONNECTION_REFUSED)
// holds, errors.Is(windows.WSAECONNREFUSED, spec.ERROR_CONNECTION_REFUSED)
// does not.
var faces = func() map[[2]Errno]bool {
	m := map[[2]Errno]bool{}
	for st, info := range statusTable {
		switch st {
		case STATUS_SUCCESS, STATUS_PENDING, STATUS_INVALID_PARAMETER:
			continue
		}
		if info.win32 != info.winsock {
			m[[2]Errno{info.win32, info.winsock}] = true
			m[[2]Errno{info.winsock, info.win32}] = true
		}
	}
	return m
}()

// sameFailure reports whether a and b are the two faces of one failure.
func sameFailure(a, b Errno) bool { return faces[[2]Errno{a, b}] }
