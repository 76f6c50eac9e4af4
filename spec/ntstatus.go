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
// Win32 column: RtlNtStatusToDosError. Winsock column: the mapping ws2_32
// applies in WSAGetOverlappedResult (Wine's ws2_32 NtStatusToWSAError
// carries the same table; unknown error statuses become WSAEINVAL).
var statusTable = map[NTStatus]statusInfo{
	STATUS_SUCCESS:                {"STATUS_SUCCESS", ERROR_SUCCESS, ERROR_SUCCESS},
	STATUS_PENDING:                {"STATUS_PENDING", ERROR_IO_INCOMPLETE, WSA_IO_INCOMPLETE},
	STATUS_INVALID_PARAMETER:      {"STATUS_INVALID_PARAMETER", ERROR_INVALID_PARAMETER, WSAEINVAL},
	STATUS_PIPE_DISCONNECTED:      {"STATUS_PIPE_DISCONNECTED", ERROR_PIPE_NOT_CONNECTED, WSAESHUTDOWN},
	STATUS_CANCELLED:              {"STATUS_CANCELLED", ERROR_OPERATION_ABORTED, WSA_OPERATION_ABORTED},
	STATUS_LOCAL_DISCONNECT:       {"STATUS_LOCAL_DISCONNECT", ERROR_NETNAME_DELETED, WSAECONNABORTED},
	STATUS_REMOTE_DISCONNECT:      {"STATUS_REMOTE_DISCONNECT", ERROR_NETNAME_DELETED, WSAECONNRESET},
	STATUS_INVALID_CONNECTION:     {"STATUS_INVALID_CONNECTION", ERROR_CONNECTION_INVALID, WSAENOTCONN},
	STATUS_ADDRESS_ALREADY_EXISTS: {"STATUS_ADDRESS_ALREADY_EXISTS", ERROR_ADDRESS_ALREADY_ASSOCIATED, WSAEADDRINUSE},
	STATUS_CONNECTION_RESET:       {"STATUS_CONNECTION_RESET", ERROR_NETNAME_DELETED, WSAECONNRESET},
	STATUS_CONNECTION_REFUSED:     {"STATUS_CONNECTION_REFUSED", ERROR_CONNECTION_REFUSED, WSAECONNREFUSED},
	STATUS_GRACEFUL_DISCONNECT:    {"STATUS_GRACEFUL_DISCONNECT", ERROR_GRACEFUL_DISCONNECT, WSAEDISCON},
	STATUS_CONNECTION_ABORTED:     {"STATUS_CONNECTION_ABORTED", ERROR_CONNECTION_ABORTED, WSAECONNABORTED},
	STATUS_TOO_MANY_ADDRESSES:     {"STATUS_TOO_MANY_ADDRESSES", ERROR_NOT_ENOUGH_MEMORY, WSAENOBUFS},
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
