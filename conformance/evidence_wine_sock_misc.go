package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of sock.c's test_getpeername and test_backlog_query
// (Gcenx/winecx, crossover-wine-23.0.1; see evidence_wine_sock.go for the
// pin).

const (
	whyNameBuffers = "spec.API's Getpeername always passes a valid sockaddr buffer and length: NULL, wild and zero-length ones cannot be passed"
	whySendto      = "spec.API has no sendto"
)

var wineSockGetpeername = []expectation{
	{Func: "test_getpeername", Line: 9621, End: 9622, Kind: kindOK, Checks: "getpeername(INVALID_SOCKET, NULL, NULL) fails WSAENOTSOCK: the socket is checked before the buffers (the case passes valid buffers)", Case: "wine-getpeername/invalid-socket"},
	{Func: "test_getpeername", Line: 9626, Kind: kindOK, Checks: "setup: socket(PF_INET, SOCK_DGRAM, IPPROTO_IP) succeeds", Case: "wine-getpeername/udp-unconnected"},
	{Func: "test_getpeername", Line: 9629, Kind: kindOK, Checks: "getpeername on the unconnected UDP socket fails", Case: "wine-getpeername/udp-unconnected"},
	{Func: "test_getpeername", Line: 9630, Kind: kindTodoWine, Checks: "with WSAENOTCONN although its buffers are NULL (Wine checks the length first: WSAEFAULT); the case passes valid buffers", Case: "wine-getpeername/udp-unconnected"},
	{Func: "test_getpeername", Line: 9640, Kind: kindOK, Clause: spec.ClauseRemDatagram, Checks: "sendto from the unconnected UDP socket to 127.0.0.1:139 succeeds", Why: whySendto},
	{Func: "test_getpeername", Line: 9644, Kind: kindOK, Clause: spec.ClauseRemDatagram, Checks: "after that sendto getpeername still fails: sendto does not connect", Why: whySendto},
	{Func: "test_getpeername", Line: 9645, Kind: kindTodoWine, Clause: spec.ClauseRemDatagram, Checks: "with WSAENOTCONN", Why: whySendto},
	{Func: "test_getpeername", Line: 9649, Kind: kindOK, Checks: "connect of the UDP socket to 127.0.0.1:139 succeeds", Case: "wine-getpeername/udp-connected"},
	{Func: "test_getpeername", Line: 9653, End: 9654, Kind: kindOK, Clause: spec.ClauseErrFault, Checks: "getpeername(connected, NULL, NULL) fails WSAEFAULT", Why: whyNameBuffers},
	{Func: "test_getpeername", Line: 9661, End: 9662, Kind: kindOK, Clause: spec.ClauseErrFault, Checks: "wild name and length pointers fail WSAEFAULT (inside if (0): it crashes Wine)", Why: whyNameBuffers},
	{Func: "test_getpeername", Line: 9667, End: 9683, Kind: kindOK, Clause: spec.ClauseErrFault, Checks: "a NULL length, a NULL buffer with length 0, or a buffer with length 0 fail WSAEFAULT and leave the length 0", Why: whyNameBuffers},
	{Func: "test_getpeername", Line: 9687, End: 9688, Kind: kindOK, Checks: "getpeername with a full-size buffer succeeds and gives the connected address", Case: "wine-getpeername/udp-connected"},
	{Func: "test_getpeername", Line: 9690, Kind: kindOK, Clause: spec.ClauseRemDatagram, Checks: "and writes the length sizeof(sockaddr_in)", Why: whyNameBuffers},
}

var wineSockBacklog = []expectation{
	{Func: "test_backlog_query", Line: 5689, Kind: kindOK, Checks: "setup: a listener socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)", Case: "wine-backlog/lookup-listen-connect"},
	{Func: "test_backlog_query", Line: 5693, Kind: kindOK, Checks: "the AcceptEx lookup on it succeeds", Case: "wine-backlog/lookup-listen-connect"},
	{Func: "test_backlog_query", Line: 5696, End: 5701, Kind: kindOK, Checks: "setup: bind to 127.0.0.1:0, getsockname and listen(2) succeed", Case: "wine-backlog/lookup-listen-connect"},
	{Func: "test_backlog_query", Line: 5705, Kind: kindOK, Clause: spec.ClauseErrNotConn, Checks: "SIO_IDEAL_SEND_BACKLOG_QUERY on an unconnected TCP socket fails WSAENOTCONN", Why: whyIoctl},
	{Func: "test_backlog_query", Line: 5709, Kind: kindOK, Checks: "the socket connects to the listener", Case: "wine-backlog/lookup-listen-connect"},
	{Func: "test_backlog_query", Line: 5711, End: 5712, Kind: kindOK, Clause: spec.ClauseErrNotConn, Checks: "connected, the query succeeds with 0x10000", Why: whyIoctl},
	{Func: "test_backlog_query", Line: 5721, Kind: kindOK, Clause: spec.ClauseRemDatagram, Checks: "on a UDP socket the query fails WSAEOPNOTSUPP", Why: whyIoctl},
}
