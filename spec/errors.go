package spec

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"syscall"
)

// Errno is a Windows error code: a Win32 error (ERROR_*), a Winsock error
// (WSAE*), or a wait result that Windows reports through GetLastError
// (WAIT_TIMEOUT). The numbers are Windows' own, so an Errno from the
// emulator compares equal to the same failure from real Windows.
//
// Every backend reports a failed call as an Errno: the Go equivalent of a
// FALSE return followed by WSAGetLastError or GetLastError. ERROR_IO_PENDING
// is returned as an error too, exactly as Windows reports it, even though it
// means the request was started.
type Errno uint32

// Error codes used by the DisconnectEx contract. The values are Windows';
// Name and Message give each one's name and meaning, Aliases its second
// Winsock names.
const (
	ERROR_SUCCESS                    Errno = 0
	ERROR_INVALID_HANDLE             Errno = 6
	ERROR_NOT_ENOUGH_MEMORY          Errno = 8
	ERROR_DUP_NAME                   Errno = 52 // RtlNtStatusToDosError(STATUS_ADDRESS_ALREADY_EXISTS)
	ERROR_UNEXP_NET_ERR              Errno = 59 // RtlNtStatusToDosError(STATUS_INVALID_CONNECTION)
	ERROR_NETNAME_DELETED            Errno = 64
	ERROR_TOO_MANY_NAMES             Errno = 68 // RtlNtStatusToDosError(STATUS_TOO_MANY_ADDRESSES)
	ERROR_INVALID_PARAMETER          Errno = 87
	ERROR_SEM_TIMEOUT                Errno = 121 // RtlNtStatusToDosError(STATUS_IO_TIMEOUT): a connect that timed out
	ERROR_PIPE_NOT_CONNECTED         Errno = 233
	WAIT_TIMEOUT                     Errno = 258
	ERROR_OPERATION_ABORTED          Errno = 995
	ERROR_IO_INCOMPLETE              Errno = 996
	ERROR_IO_PENDING                 Errno = 997
	ERROR_ABANDONED_WAIT_0           Errno = 735
	ERROR_NOT_FOUND                  Errno = 1168
	ERROR_CONNECTION_REFUSED         Errno = 1225
	ERROR_GRACEFUL_DISCONNECT        Errno = 1226
	ERROR_ADDRESS_ALREADY_ASSOCIATED Errno = 1227
	ERROR_CONNECTION_INVALID         Errno = 1229
	ERROR_NETWORK_UNREACHABLE        Errno = 1231
	ERROR_HOST_UNREACHABLE           Errno = 1232
	ERROR_CONNECTION_ABORTED         Errno = 1236

	WSA_IO_PENDING        = ERROR_IO_PENDING
	WSA_IO_INCOMPLETE     = ERROR_IO_INCOMPLETE
	WSA_OPERATION_ABORTED = ERROR_OPERATION_ABORTED
	WSA_INVALID_HANDLE    = ERROR_INVALID_HANDLE
	WSA_INVALID_PARAMETER = ERROR_INVALID_PARAMETER

	WSAEINTR           Errno = 10004
	WSAEBADF           Errno = 10009
	WSAEACCES          Errno = 10013
	WSAEFAULT          Errno = 10014
	WSAEINVAL          Errno = 10022
	WSAEWOULDBLOCK     Errno = 10035
	WSAEINPROGRESS     Errno = 10036
	WSAEALREADY        Errno = 10037
	WSAENOTSOCK        Errno = 10038
	WSAEPROTOTYPE      Errno = 10041
	WSAENOPROTOOPT     Errno = 10042
	WSAEPROTONOSUPPORT Errno = 10043
	WSAESOCKTNOSUPPORT Errno = 10044
	WSAEOPNOTSUPP      Errno = 10045
	WSAEAFNOSUPPORT    Errno = 10047
	WSAEADDRINUSE      Errno = 10048
	WSAEADDRNOTAVAIL   Errno = 10049
	WSAENETUNREACH     Errno = 10051
	WSAECONNABORTED    Errno = 10053
	WSAECONNRESET      Errno = 10054
	WSAENOBUFS         Errno = 10055
	WSAEISCONN         Errno = 10056
	WSAENOTCONN        Errno = 10057
	WSAESHUTDOWN       Errno = 10058
	WSAETIMEDOUT       Errno = 10060
	WSAECONNREFUSED    Errno = 10061
	WSAEHOSTUNREACH    Errno = 10065
	WSAEDISCON         Errno = 10101
)

type errnoInfo struct {
	name, msg string
}

// errorTable holds the name and the meaning of every Errno the project
// uses. Messages are our own words, written for people debugging a call.
var errorTable = map[Errno]errnoInfo{
	ERROR_SUCCESS:                    {"ERROR_SUCCESS", "the operation completed successfully"},
	ERROR_INVALID_HANDLE:             {"ERROR_INVALID_HANDLE", "the handle is invalid or already closed"},
	ERROR_NOT_ENOUGH_MEMORY:          {"ERROR_NOT_ENOUGH_MEMORY", "not enough memory to process the request"},
	ERROR_DUP_NAME:                   {"ERROR_DUP_NAME", "a duplicate name (address) exists on the network (Win32 form of STATUS_ADDRESS_ALREADY_EXISTS, that is WSAEADDRINUSE)"},
	ERROR_UNEXP_NET_ERR:              {"ERROR_UNEXP_NET_ERR", "an unexpected network error occurred (Win32 form of STATUS_INVALID_CONNECTION, that is WSAENOTCONN)"},
	ERROR_TOO_MANY_NAMES:             {"ERROR_TOO_MANY_NAMES", "the name limit for the network adapter was exceeded (Win32 form of STATUS_TOO_MANY_ADDRESSES, that is WSAENOBUFS)"},
	ERROR_NETNAME_DELETED:            {"ERROR_NETNAME_DELETED", "the connection was reset or closed locally (Win32 form of several NTSTATUS disconnect codes)"},
	ERROR_INVALID_PARAMETER:          {"ERROR_INVALID_PARAMETER", "a parameter is incorrect"},
	ERROR_SEM_TIMEOUT:                {"ERROR_SEM_TIMEOUT", "the request timed out (Win32 form of STATUS_IO_TIMEOUT, that is WSAETIMEDOUT: a connect whose SYNs went unanswered)"},
	ERROR_PIPE_NOT_CONNECTED:         {"ERROR_PIPE_NOT_CONNECTED", "the sending side of the connection was shut down"},
	WAIT_TIMEOUT:                     {"WAIT_TIMEOUT", "the wait timed out before the object was signalled or a packet arrived"},
	ERROR_OPERATION_ABORTED:          {"ERROR_OPERATION_ABORTED", "the I/O request was canceled: CancelIoEx, closesocket, or the issuing thread exited"},
	ERROR_IO_INCOMPLETE:              {"ERROR_IO_INCOMPLETE", "the overlapped request has not completed yet"},
	ERROR_IO_PENDING:                 {"ERROR_IO_PENDING", "the overlapped request was started and will complete later"},
	ERROR_ABANDONED_WAIT_0:           {"ERROR_ABANDONED_WAIT_0", "the completion port was closed while the caller waited on it"},
	ERROR_NOT_FOUND:                  {"ERROR_NOT_FOUND", "no pending request matches"},
	ERROR_CONNECTION_REFUSED:         {"ERROR_CONNECTION_REFUSED", "the remote computer refused the connection"},
	ERROR_GRACEFUL_DISCONNECT:        {"ERROR_GRACEFUL_DISCONNECT", "the connection was closed gracefully"},
	ERROR_ADDRESS_ALREADY_ASSOCIATED: {"ERROR_ADDRESS_ALREADY_ASSOCIATED", "the transport endpoint already has an address"},
	ERROR_CONNECTION_INVALID:         {"ERROR_CONNECTION_INVALID", "the operation was attempted on a connection that does not exist"},
	ERROR_NETWORK_UNREACHABLE:        {"ERROR_NETWORK_UNREACHABLE", "the remote network is not reachable (Win32 form of STATUS_NETWORK_UNREACHABLE, that is WSAENETUNREACH)"},
	ERROR_HOST_UNREACHABLE:           {"ERROR_HOST_UNREACHABLE", "the remote host is not reachable (Win32 form of STATUS_HOST_UNREACHABLE, that is WSAEHOSTUNREACH)"},
	ERROR_CONNECTION_ABORTED:         {"ERROR_CONNECTION_ABORTED", "the connection was aborted by the local system"},

	WSAEINTR:           {"WSAEINTR", "a blocking call was interrupted (for example by closesocket from another thread)"},
	WSAEBADF:           {"WSAEBADF", "bad file handle"},
	WSAEACCES:          {"WSAEACCES", "permission denied: the address is held exclusively (SO_EXCLUSIVEADDRUSE), SO_REUSEADDR may not take it, or the process may not make raw sockets (SOCK_RAW)"},
	WSAEFAULT:          {"WSAEFAULT", "a pointer argument is not a valid address"},
	WSAEINVAL:          {"WSAEINVAL", "an invalid argument was supplied"},
	WSAEWOULDBLOCK:     {"WSAEWOULDBLOCK", "the non-blocking operation cannot complete immediately"},
	WSAEINPROGRESS:     {"WSAEINPROGRESS", "a blocking operation is in progress"},
	WSAEALREADY:        {"WSAEALREADY", "an operation is already in progress on this socket"},
	WSAENOTSOCK:        {"WSAENOTSOCK", "the handle is not a socket"},
	WSAEPROTOTYPE:      {"WSAEPROTOTYPE", "the protocol is the wrong type for the socket"},
	WSAENOPROTOOPT:     {"WSAENOPROTOOPT", "the option is unknown or not supported at that level"},
	WSAEPROTONOSUPPORT: {"WSAEPROTONOSUPPORT", "the protocol is not supported"},
	WSAESOCKTNOSUPPORT: {"WSAESOCKTNOSUPPORT", "the socket type is not supported in this address family"},
	WSAEOPNOTSUPP:      {"WSAEOPNOTSUPP", "the operation is not supported for this type of socket"},
	WSAEAFNOSUPPORT:    {"WSAEAFNOSUPPORT", "the address family is not supported"},
	WSAEADDRINUSE:      {"WSAEADDRINUSE", "the local address (or socket pair) is already in use"},
	WSAEADDRNOTAVAIL:   {"WSAEADDRNOTAVAIL", "the requested address is not valid in its context"},
	WSAENETUNREACH:     {"WSAENETUNREACH", "no route to the destination network"},
	WSAECONNABORTED:    {"WSAECONNABORTED", "the connection was aborted by the local system"},
	WSAECONNRESET:      {"WSAECONNRESET", "the connection was reset by the peer"},
	WSAENOBUFS:         {"WSAENOBUFS", "no buffer space (or no ephemeral port) is available"},
	WSAEISCONN:         {"WSAEISCONN", "the socket is already connected"},
	WSAENOTCONN:        {"WSAENOTCONN", "the socket is not connected"},
	WSAESHUTDOWN:       {"WSAESHUTDOWN", "the socket has been shut down in that direction"},
	WSAETIMEDOUT:       {"WSAETIMEDOUT", "the connection attempt timed out"},
	WSAECONNREFUSED:    {"WSAECONNREFUSED", "the connection was refused: nothing listens at the address"},
	WSAEHOSTUNREACH:    {"WSAEHOSTUNREACH", "the destination host is unreachable"},
	WSAEDISCON:         {"WSAEDISCON", "the peer closed the connection gracefully"},
}

// Name returns the Windows name of the code, such as "WSAENOTCONN", or
// "Errno(N)" for a code this package does not know.
func (e Errno) Name() string {
	if info, ok := errorTable[e]; ok {
		return info.name
	}
	return "Errno(" + strconv.FormatUint(uint64(e), 10) + ")"
}

// ErrorName names an error as traces, reports and scripts show results:
// the name of the Errno err is or wraps ("WSAENOTCONN"), "success" for nil,
// or else err's text.
func ErrorName(err error) string {
	if err == nil {
		return "success"
	}
	var e Errno
	if errors.As(err, &e) {
		return e.Name()
	}
	return err.Error()
}

// Message returns what the code means, in a short sentence.
func (e Errno) Message() string {
	if info, ok := errorTable[e]; ok {
		return info.msg
	}
	return "unknown Windows error"
}

// Known reports whether the code is in this package's table.
func (e Errno) Known() bool {
	_, ok := errorTable[e]
	return ok
}

// Error returns "WSAENOTCONN (10057): the socket is not connected".
func (e Errno) Error() string {
	return fmt.Sprintf("%s (%d): %s", e.Name(), uint32(e), e.Message())
}

// Is lets errors.Is match an Errno against a syscall.Errno (and so against
// golang.org/x/sys/windows.Errno constants) with the same number, and
// relates the two faces of one failure: the Win32 error GetOverlappedResult
// reports and the Winsock error WSAGetOverlappedResult reports for the
// same NTSTATUS (NTStatus.Win32 and Winsock), so that
// errors.Is(ERROR_CONNECTION_REFUSED, WSAECONNREFUSED) and the reverse
// hold, and a caller checking either face matches both. See sameFailure
// for which pairs, and why not all.
func (e Errno) Is(target error) bool {
	switch t := target.(type) {
	case Errno:
		return e == t || sameFailure(e, t)
	case syscall.Errno:
		return uint32(e) == uint32(t) || sameFailure(e, Errno(t))
	}
	return false
}

// Errnos returns every known code in ascending order.
func Errnos() []Errno { return slices.Sorted(maps.Keys(errorTable)) }

// ParseErrno accepts a name ("WSAENOTCONN", case-insensitive), one of the
// Winsock aliases (Aliases: "WSA_OPERATION_ABORTED"), "NO_ERROR", or a
// decimal or 0x-prefixed number ("10057"), and returns the known code it
// names.
func ParseErrno(s string) (Errno, error) {
	if n, err := strconv.ParseUint(s, 0, 32); err == nil {
		e := Errno(n)
		if !e.Known() {
			return 0, fmt.Errorf("spec: %d is not a Windows error code this project knows (see spec.Errnos)", n)
		}
		return e, nil
	}
	if e, ok := lookupErrnoName(s); ok {
		return e, nil
	}
	return 0, fmt.Errorf("spec: %q is not a Windows error name this project knows (try WSAENOTCONN or 10057)", s)
}
