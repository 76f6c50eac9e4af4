package conformance

import "github.com/disconnectex/disconnectex/spec"

// The checks of Wine's sock.c test_connecting_socket (Gcenx/winecx
// crossover-wine-23.0.1, lines 12275-12393): a client socket connecting to
// 192.0.2.0, port 65280 (sin_port 255 in network order), an address of
// TEST-NET-1 that answers nothing, so the connect stays in progress on
// Windows. The first half starts the connect with a non-blocking connect(),
// the second with ConnectEx. spec.API has no non-blocking mode, so the first
// half's checks are not expressible; the second half's are the
// wine-connecting/ cases, on the backend's host that drops SYNs.

const fnConnecting = "test_connecting_socket"

var wineSockConnecting = []expectation{
	{Func: fnConnecting, Line: 12294, Kind: kindOK, Checks: "setup: socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) succeeds (then made non-blocking)", Why: whySetup, Clause: spec.ClauseGapConnecting},
	{Func: fnConnecting, Line: 12298, End: 12299, Kind: kindOK, Checks: "setup: bind to 0.0.0.0:0 succeeds and sets the last error to 0", Why: whySetup, Clause: spec.ClauseGapConnecting},
	{Func: fnConnecting, Line: 12302, End: 12303, Kind: kindOK, Checks: "a non-blocking connect() to 192.0.2.0 fails WSAEWOULDBLOCK: the connect is in progress", Why: whyNonblocking, Clause: spec.ClauseGapConnecting},
	{Func: fnConnecting, Line: 12308, End: 12309, Kind: kindOK, Checks: "a second connect() to the same address while the first is in progress fails WSAEALREADY (Mortal Kombat 11 depends on it)", Why: whyNonblocking, Clause: spec.ClauseGapConnecting},
	{Func: fnConnecting, Line: 12313, Kind: kindOK, Checks: "the WSAID_CONNECTEX lookup on the connecting socket succeeds", Why: whyNonblocking, Clause: spec.ClauseGapConnecting},
	{Func: fnConnecting, Line: 12317, End: 12319, Kind: kindOK, Checks: "ConnectEx on the socket whose non-blocking connect() is in progress returns FALSE with WSAEINVAL and sets Internal to STATUS_PENDING", Why: whyNonblocking, Clause: spec.ClauseGapConnecting},
	{Func: fnConnecting, Line: 12320, Kind: kindTodoWine, Checks: "that failed ConnectEx leaves InternalHigh untouched (0xdeadbeef); Wine writes it", Why: whyNonblocking, Clause: spec.ClauseGapConnecting},
	{Func: fnConnecting, Line: 12324, End: 12326, Kind: kindOK, Checks: "getsockname on the socket whose connect() is in progress succeeds with AF_INET and a nonzero port", Why: whyNonblocking, Clause: spec.ClauseGapConnecting},
	{Func: fnConnecting, Line: 12330, Kind: kindTodoWine, Checks: "getpeername on the socket whose connect() is in progress succeeds (Windows already knows the peer); Wine fails it", Why: whyNonblocking, Clause: spec.ClauseGapConnecting},
	{Func: fnConnecting, Line: 12333, End: 12335, Kind: kindOK, Checks: "where it succeeds, getpeername gives AF_INET, 192.0.2.0 and the port connected to", Why: whyNonblocking, Clause: spec.ClauseGapConnecting},
	{Func: fnConnecting, Line: 12339, Kind: kindOK, Checks: "recv on the socket whose connect() is in progress fails", Why: whyNonblocking, Clause: spec.ClauseGapConnecting},
	{Func: fnConnecting, Line: 12340, Kind: kindTodoWine, Checks: "with WSAENOTCONN; Wine gives another code", Why: whyNonblocking, Clause: spec.ClauseGapConnecting},
	{Func: fnConnecting, Line: 12343, Kind: kindOK, Checks: "send on the socket whose connect() is in progress fails", Why: whyNonblocking, Clause: spec.ClauseGapConnecting},
	{Func: fnConnecting, Line: 12344, Kind: kindTodoWine, Checks: "with WSAENOTCONN; Wine gives another code", Why: whyNonblocking, Clause: spec.ClauseGapConnecting},

	{Func: fnConnecting, Line: 12351, Kind: kindOK, Checks: "setup: a second socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) succeeds", Case: "wine-connecting/connectex-in-progress"},
	{Func: fnConnecting, Line: 12355, End: 12356, Kind: kindOK, Checks: "setup: bind to 0.0.0.0:0 succeeds (the last error 0 is not expressible: spec.API returns nil)", Case: "wine-connecting/connectex-in-progress"},
	{Func: fnConnecting, Line: 12359, End: 12360, Kind: kindOK, Checks: "ConnectEx to the address nobody answers returns FALSE with ERROR_IO_PENDING: the connect is in progress", Case: "wine-connecting/connectex-in-progress"},
	{Func: fnConnecting, Line: 12363, End: 12364, Kind: kindOK, Checks: "connect() while the ConnectEx is in progress fails WSAEINVAL (not WSAEALREADY)", Case: "wine-connecting/connectex-in-progress"},
	{Func: fnConnecting, Line: 12369, End: 12371, Kind: kindOK, Checks: "a second ConnectEx while the first is in progress returns FALSE with WSAEINVAL and sets Internal to STATUS_PENDING", Case: "wine-connecting/connectex-in-progress"},
	{Func: fnConnecting, Line: 12372, Kind: kindTodoWine, Checks: "that second ConnectEx leaves InternalHigh untouched (0xdeadbeef); Wine writes it", Case: "wine-connecting/second-connectex-leaves-internalhigh"},
	{Func: fnConnecting, Line: 12376, End: 12378, Kind: kindOK, Checks: "getsockname on the socket with the ConnectEx in progress succeeds with AF_INET and a nonzero port", Case: "wine-connecting/connectex-in-progress"},
	{Func: fnConnecting, Line: 12382, End: 12383, Kind: kindOK, Checks: "getpeername on the socket with the ConnectEx in progress fails WSAENOTCONN", Case: "wine-connecting/connectex-in-progress"},
	{Func: fnConnecting, Line: 12386, Kind: kindOK, Checks: "recv on the socket with the ConnectEx in progress fails", Case: "wine-connecting/recv-enotconn"},
	{Func: fnConnecting, Line: 12387, Kind: kindTodoWine, Checks: "with WSAENOTCONN; Wine gives another code", Case: "wine-connecting/recv-enotconn"},
	{Func: fnConnecting, Line: 12390, Kind: kindOK, Checks: "send on the socket with the ConnectEx in progress fails", Case: "wine-connecting/send-enotconn"},
	{Func: fnConnecting, Line: 12391, Kind: kindTodoWine, Checks: "with WSAENOTCONN; Wine gives another code", Case: "wine-connecting/send-enotconn"},
}
