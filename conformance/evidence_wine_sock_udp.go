package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of sock.c's test_connect_udp (Gcenx/winecx,
// crossover-wine-23.0.1; see evidence_wine_sock.go for the pin).

const whyUnboundRecv = "the test's socket is non-blocking; spec.API has no FIONBIO, and a blocking recv on an unbound UDP socket waits forever under Wine 8.0 (Linux lets it wait), which would hang the suite; the emulator fails it WSAEINVAL at once, as Windows does"

var wineSockConnectUDP = []expectation{
	{Func: "test_connect_udp", Line: 13587, Kind: kindOK, Checks: "send on a new, unconnected UDP socket fails", Case: "wine-connect-udp/send-unconnected"},
	{Func: "test_connect_udp", Line: 13588, Kind: kindTodoWine, Checks: "with WSAENOTCONN (Wine: WSAEINVAL)", Case: "wine-connect-udp/send-unconnected"},
	{Func: "test_connect_udp", Line: 13592, Kind: kindOK, Clause: spec.ClauseRemDatagram, Checks: "recv on an unbound UDP socket fails", Why: whyUnboundRecv},
	{Func: "test_connect_udp", Line: 13593, Kind: kindTodoWine, Clause: spec.ClauseRemDatagram, Checks: "with WSAEINVAL", Why: whyUnboundRecv},
	{Func: "test_connect_udp", Line: 13596, End: 13599, Kind: kindOK, Checks: "setup: the server is bound to 127.0.0.1:0 and named", Case: "wine-connect-udp/connected-names"},
	{Func: "test_connect_udp", Line: 13603, End: 13604, Kind: kindOK, Clause: spec.ClauseRemDatagram, Checks: "recv on the bound, non-blocking server with nothing queued fails WSAEWOULDBLOCK", Why: whyNonblocking},
	{Func: "test_connect_udp", Line: 13607, Kind: kindOK, Checks: "connect of the client to the server's address succeeds", Case: "wine-connect-udp/connected-names"},
	{Func: "test_connect_udp", Line: 13609, End: 13610, Kind: kindOK, Checks: "getpeername(client) succeeds and gives the server's address", Case: "wine-connect-udp/connected-names"},
	{Func: "test_connect_udp", Line: 13613, Kind: kindOK, Checks: "getsockname(client) succeeds (connect bound it)", Case: "wine-connect-udp/connected-names"},
	{Func: "test_connect_udp", Line: 13617, End: 13618, Kind: kindOK, Checks: "getpeername on the unconnected server fails WSAENOTCONN", Case: "wine-connect-udp/connected-names"},
	{Func: "test_connect_udp", Line: 13621, Kind: kindOK, Checks: "send of 4 bytes on the connected client sends 4", Case: "wine-connect-udp/send-receive"},
	{Func: "test_connect_udp", Line: 13625, End: 13626, Kind: kindOK, Checks: "the server receives the datagram whole: 4 bytes, \"data\"", Case: "wine-connect-udp/send-receive"},
	{Func: "test_connect_udp", Line: 13630, End: 13631, Kind: kindOK, Clause: spec.ClauseRemDatagram, Checks: "a second recv on the server finds nothing: WSAEWOULDBLOCK", Why: whyNonblocking},
	{Func: "test_connect_udp", Line: 13635, Kind: kindOK, Checks: "send on the bound but unconnected server fails", Case: "wine-connect-udp/server-send-unconnected"},
	{Func: "test_connect_udp", Line: 13636, Kind: kindTodoWine, Checks: "with WSAENOTCONN (Wine: WSAEINVAL)", Case: "wine-connect-udp/server-send-unconnected"},
	{Func: "test_connect_udp", Line: 13639, Kind: kindOK, Checks: "connecting the client to the same address again succeeds", Case: "wine-connect-udp/reconnect"},
	{Func: "test_connect_udp", Line: 13642, Kind: kindOK, Checks: "and to the next port too (the case also checks getpeername then names it)", Case: "wine-connect-udp/reconnect"},
	{Func: "test_connect_udp", Line: 13647, Kind: kindOK, Clause: spec.ClauseRemDatagram, Checks: "connect to an AF_UNSPEC address succeeds and dissolves the association", Why: "spec.API's Connect takes an IP address and port: an AF_UNSPEC sockaddr cannot be passed"},
	{Func: "test_connect_udp", Line: 13650, End: 13651, Kind: kindOK, Clause: spec.ClauseRemDatagram, Checks: "getpeername then fails WSAENOTCONN", Why: "follows the AF_UNSPEC connect, which spec.API cannot pass"},
}
