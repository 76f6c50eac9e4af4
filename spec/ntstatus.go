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
	if info, ok := statusTable[s]; ok {
		return info.win32
	}
	return ERROR_INVALID_PARAMETER
}

// Winsock is the error WSAGetOverlappedResult reports for a request that
// ended with this status. Error statuses it does not know map to WSAEINVAL.
func (s NTStatus) Winsock() Errno {
	if info, ok := statusTable[s]; ok {
		return info.winsock
	}
	return WSAEINVAL
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
	}
	return STATUS_INVALID_PARAMETER
}
