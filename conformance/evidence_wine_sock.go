package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of Wine's dlls/ws2_32/tests/sock.c, as CrossOver 23.0.1
// ships Wine 8.0.1's tests. Line numbers are of that file at that commit.
// Each function's entries are in a variable of their own, in file order.

func init() { registerEvidence(&wineSock) }

var wineSock = evidenceSource{
	Name:       "wine-sock",
	Repo:       "Gcenx/winecx",
	Path:       "dlls/ws2_32/tests/sock.c",
	Version:    "crossover-wine-23.0.1",
	Commit:     "6a0fff9c3888951aeae69c9fdb44458e36905f42",
	CasePrefix: "wine-",
	Complete: []string{
		"test_DisconnectEx",
		"test_get_extension_func",
		"test_WSAGetOverlappedResult",
		"test_connect",
	},
	Entries: concatEvidence(wineSockDisconnectEx, wineSockExtension, wineSockWSAResult, wineSockConnect),
}

func concatEvidence(parts ...[]expectation) []expectation {
	var out []expectation
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var wineSockDisconnectEx = []expectation{
	{Func: "test_DisconnectEx", Line: 9263, Kind: kindOK, Checks: "setup: socket(AF_INET, SOCK_STREAM, 0) succeeds", Case: "wine-disconnectex/errors-before-connect"},
	{Func: "test_DisconnectEx", Line: 9269, Kind: kindWinSkip, Clause: spec.ClauseRequirements,
		Checks: "the test skips where WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_DISCONNECTEX) fails: Windows versions before XP have no DisconnectEx", Case: "wine-disconnectex/errors-before-connect"},
	{Func: "test_DisconnectEx", Line: 9275, End: 9286, Kind: kindOK, Checks: "setup: a listener socket is created, bound to 127.0.0.1:0, named and listening", Case: "wine-disconnectex/overlapped-half-closes"},
	{Func: "test_DisconnectEx", Line: 9290, End: 9291, Kind: kindOK, Checks: "DisconnectEx(INVALID_SOCKET, &ov, 0, 0) fails with WSAENOTSOCK", Case: "wine-disconnectex/errors-before-connect"},
	{Func: "test_DisconnectEx", Line: 9295, End: 9296, Kind: kindOK, Checks: "DisconnectEx on a never-connected TCP socket with an OVERLAPPED fails with WSAENOTCONN", Case: "wine-disconnectex/errors-before-connect"},
	{Func: "test_DisconnectEx", Line: 9299, End: 9301, Kind: kindOK, Checks: "setup: connect to the listener and accept succeed", Case: "wine-disconnectex/overlapped-half-closes"},
	{Func: "test_DisconnectEx", Line: 9305, End: 9306, Kind: kindOK, Checks: "DisconnectEx(connected, &ov, 0, 0) returns FALSE with ERROR_IO_PENDING", Case: "wine-disconnectex/overlapped-half-closes"},
	{Func: "test_DisconnectEx", Line: 9309, Kind: kindOK, Checks: "the OVERLAPPED's manual-reset event is signalled within 1 s", Case: "wine-disconnectex/overlapped-half-closes"},
	{Func: "test_DisconnectEx", Line: 9312, End: 9313, Kind: kindOK, Checks: "GetOverlappedResult(socket, no wait) then succeeds with 0 bytes", Case: "wine-disconnectex/overlapped-half-closes"},
	{Func: "test_DisconnectEx", Line: 9316, End: 9317, Kind: kindOK, Checks: "after the overlapped DisconnectEx, connect to the listener fails WSAEISCONN", Case: "wine-disconnectex/overlapped-half-closes"},
	{Func: "test_DisconnectEx", Line: 9321, End: 9322, Kind: kindOK, Checks: "send on the disconnected client fails WSAESHUTDOWN", Case: "wine-disconnectex/overlapped-half-closes"},
	{Func: "test_DisconnectEx", Line: 9325, Kind: kindOK, Checks: "recv on the server returns 0 (the FIN)", Case: "wine-disconnectex/overlapped-half-closes"},
	{Func: "test_DisconnectEx", Line: 9328, Kind: kindOK, Checks: "the server can still send 5 bytes", Case: "wine-disconnectex/overlapped-half-closes"},
	{Func: "test_DisconnectEx", Line: 9331, End: 9332, Kind: kindOK, Checks: "the client still receives those 5 bytes intact", Case: "wine-disconnectex/overlapped-half-closes"},
	{Func: "test_DisconnectEx", Line: 9336, End: 9337, Kind: kindOK, Checks: "getpeername(client) still succeeds and gives the listener's address", Case: "wine-disconnectex/overlapped-half-closes"},
	{Func: "test_DisconnectEx", Line: 9341, End: 9345, Kind: kindOK, Checks: "getsockname(client) succeeds and getpeername(server) gives that address", Case: "wine-disconnectex/overlapped-half-closes"},
	{Func: "test_DisconnectEx", Line: 9353, End: 9357, Kind: kindOK, Checks: "setup: a second socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) connects and is accepted", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9361, Kind: kindOK, Checks: "DisconnectEx(connected, NULL, 0, 0) returns TRUE", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9362, Kind: kindOK, Clause: spec.ClauseGapNullOverlapped, Checks: "after that success WSAGetLastError is 0",
		Why: whyLastError},
	{Func: "test_DisconnectEx", Line: 9362, Kind: kindBroken, Clause: spec.ClauseGapNullOverlapped, Checks: "before Windows 7 the successful synchronous call leaves the last error untouched (0xdeadbeef) instead of setting 0",
		Why: whyLastError},
	{Func: "test_DisconnectEx", Line: 9366, Kind: kindOK, Checks: "a second DisconnectEx(NULL, 0, 0) on the same socket returns TRUE again", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9367, Kind: kindOK, Clause: spec.ClauseGapNullOverlapped, Checks: "after the second success WSAGetLastError is 0",
		Why: whyLastError},
	{Func: "test_DisconnectEx", Line: 9367, Kind: kindBroken, Clause: spec.ClauseGapNullOverlapped, Checks: "before Windows 7 the second success also leaves the last error untouched",
		Why: whyLastError},
	{Func: "test_DisconnectEx", Line: 9370, End: 9371, Kind: kindOK, Checks: "after the synchronous calls, connect fails WSAEISCONN", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9375, End: 9376, Kind: kindOK, Checks: "send on the client fails WSAESHUTDOWN", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9379, Kind: kindOK, Checks: "recv on the server returns 0 (one FIN for the two calls)", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9382, Kind: kindOK, Checks: "the server can still send 5 bytes", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9385, End: 9386, Kind: kindOK, Checks: "the client still receives them intact", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9390, End: 9391, Kind: kindOK, Checks: "getpeername(client) gives the listener's address", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9395, End: 9399, Kind: kindOK, Checks: "getsockname(client) equals getpeername(server)", Case: "wine-disconnectex/sync-twice-half-closes"},
}

var wineSockExtension = []expectation{
	{Func: "test_get_extension_func", Line: 5606, End: 5607, Kind: kindOK, Checks: "the lookup with an OVERLAPPED but lpcbBytesReturned NULL fails with WSAEFAULT", Case: "wine-results/lookup-overlapped-needs-byte-count"},
	{Func: "test_get_extension_func", Line: 5613, Kind: kindOK, Checks: "the lookup of WSAID_ACCEPTEX without an OVERLAPPED succeeds", Case: "wine-results/lookup-bytes-returned"},
	{Func: "test_get_extension_func", Line: 5614, Kind: kindOK, Checks: "after that success WSAGetLastError is 0", Why: whyLastError},
	{Func: "test_get_extension_func", Line: 5615, Kind: kindOK, Checks: "the byte count is sizeof(void *)", Case: "wine-results/lookup-bytes-returned"},
	{Func: "test_get_extension_func", Line: 5623, Kind: kindOK, Checks: "the lookup with an OVERLAPPED succeeds within the call (returns 0, not pending)", Case: "wine-results/lookup-overlapped-completes"},
	{Func: "test_get_extension_func", Line: 5624, Kind: kindOK, Checks: "after that success WSAGetLastError is 0", Why: whyLastError},
	{Func: "test_get_extension_func", Line: 5625, Kind: kindOK, Checks: "the overlapped lookup writes the byte count sizeof(void *)", Case: "wine-results/lookup-overlapped-completes"},
	{Func: "test_get_extension_func", Line: 5628, End: 5631, Kind: kindOK, Checks: "a completion packet is queued on the socket's port: success, 0 bytes, the socket's key, the same OVERLAPPED", Case: "wine-results/lookup-overlapped-completes"},
	{Func: "test_get_extension_func", Line: 5632, End: 5633, Kind: kindOK, Checks: "the OVERLAPPED's Internal and InternalHigh (preset to 0xdeadbeef) are both 0 afterwards", Case: "wine-results/lookup-overlapped-completes"},
	{Func: "test_get_extension_func", Line: 5640, End: 5641, Kind: kindOK, Checks: "the lookup of an unknown GUID with an OVERLAPPED fails WSAEINVAL", Case: "wine-results/lookup-bogus-guid-writes-nothing"},
	{Func: "test_get_extension_func", Line: 5642, Kind: kindOK, Checks: "the failed lookup leaves the byte count untouched", Case: "wine-results/lookup-bogus-guid-writes-nothing"},
	{Func: "test_get_extension_func", Line: 5643, End: 5644, Kind: kindOK, Checks: "the failed lookup leaves Internal and InternalHigh untouched", Case: "wine-results/lookup-bogus-guid-writes-nothing"},
	{Func: "test_get_extension_func", Line: 5647, End: 5648, Kind: kindOK, Checks: "the failed lookup queues no packet (GetQueuedCompletionStatus(0) times out)", Case: "wine-results/lookup-bogus-guid-writes-nothing"},
	{Func: "test_get_extension_func", Line: 5657, End: 5658, Kind: kindOK, Clause: spec.ClauseRemLookup, Checks: "with a completion routine and lpcbBytesReturned NULL the lookup fails WSAEFAULT", Why: whyAPC},
	{Func: "test_get_extension_func", Line: 5664, End: 5665, Kind: kindOK, Clause: spec.ClauseRemLookup, Checks: "with a completion routine the lookup succeeds with the byte count sizeof(void *)", Why: whyAPC},
	{Func: "test_get_extension_func", Line: 5668, End: 5672, Kind: kindOK, Clause: spec.ClauseRemLookup, Checks: "the completion routine runs once, at the next alertable wait, with error 0, 0 bytes and the OVERLAPPED", Why: whyAPC},
}

var wineSockWSAResult = []expectation{
	{Func: "test_WSAGetOverlappedResult", Line: 12504, End: 12505, Kind: kindOK, Checks: "WSAGetOverlappedResult on handle 0xdeadbeef with a zeroed OVERLAPPED fails WSAENOTSOCK", Case: "wine-results/wsa-result-not-a-socket"},
	{Func: "test_WSAGetOverlappedResult", Line: 12510, End: 12513, Kind: kindOK, Clause: spec.ClauseGapBadHandle, Checks: "on a DuplicateHandle copy of a socket handle it fails WSAENOTSOCK", Why: whyProcess},
	{Func: "test_WSAGetOverlappedResult", Line: 12526, Kind: kindOK, Checks: "with Internal set to each status of eight ranges it returns TRUE exactly for success statuses other than STATUS_PENDING", Case: "wine-results/wsa-result-status-faces"},
	{Func: "test_WSAGetOverlappedResult", Line: 12529, Kind: kindOK, Clause: spec.ClauseRetLaterFailure, Checks: "when it returns TRUE the last error is the status's mapped code (Windows 10 1809 and later)", Why: whyLastError},
	{Func: "test_WSAGetOverlappedResult", Line: 12529, Kind: kindBroken, Clause: spec.ClauseRetLaterFailure, Checks: "before Windows 10 1809 a TRUE result leaves the last error 0; before Windows 7 untouched", Why: whyLastError},
	{Func: "test_WSAGetOverlappedResult", Line: 12536, Kind: kindOK, Checks: "when it returns FALSE the error is the status's Winsock face: the test's table, else WSAEINVAL", Case: "wine-results/wsa-result-status-faces"},
	{Func: "test_WSAGetOverlappedResult", Line: 12536, Kind: kindBroken, Clause: spec.ClauseRetLaterFailure, Checks: "before Windows 8, Internal 0xC00703E4 (ERROR_IO_INCOMPLETE as an HRESULT-shaped status) gives WSAEINVAL instead of ERROR_IO_INCOMPLETE", Why: "a difference between Windows versions; the case expects Windows 8 and later"},
}

var wineSockConnect = []expectation{
	{Func: "test_connect", Line: 8181, End: 8197, Kind: kindOK, Checks: "setup: a listener and a connector socket are created, the listener bound to 127.0.0.1:0, named and listening", Case: "wine-connect/connect-on-listener"},
	{Func: "test_connect", Line: 8200, Kind: kindOK, Checks: "setup: the listener is made blocking (FIONBIO)", Why: whyNonblocking},
	{Func: "test_connect", Line: 8205, End: 8207, Kind: kindOK, Checks: "the ConnectEx lookup succeeds and writes the byte count sizeof(void *)", Case: "wine-results/lookup-bytes-returned"},
	{Func: "test_connect", Line: 8211, End: 8212, Kind: kindOK, Checks: "connect() on a listening socket fails WSAEINVAL", Case: "wine-connect/connect-on-listener"},
	{Func: "test_connect", Line: 8218, End: 8220, Kind: kindOK, Checks: "ConnectEx on a listening socket fails WSAEINVAL and leaves STATUS_PENDING in Internal", Case: "wine-connect/connectex-on-listener"},
	{Func: "test_connect", Line: 8221, Kind: kindTodoWine, Checks: "that failed ConnectEx leaves InternalHigh untouched (Wine writes it)", Case: "wine-connect/connectex-on-listener"},
	{Func: "test_connect", Line: 8224, Kind: kindOK, Checks: "ConnectEx(INVALID_SOCKET) fails WSAENOTSOCK", Case: "wine-connect/connectex-invalid-socket"},
	{Func: "test_connect", Line: 8228, Kind: kindOK, Checks: "ConnectEx on an unbound socket fails WSAEINVAL", Case: "wine-connect/connectex-unbound"},
	{Func: "test_connect", Line: 8236, Kind: kindOK, Checks: "setup: bind the connector to 127.0.0.1:0", Case: "wine-connect/connectex-null-overlapped"},
	{Func: "test_connect", Line: 8239, Kind: kindOK, Checks: "ConnectEx on a bound socket with a NULL OVERLAPPED fails ERROR_INVALID_PARAMETER", Case: "wine-connect/connectex-null-overlapped"},
	{Func: "test_connect", Line: 8245, Kind: kindOK, Checks: "ConnectEx to the listener returns FALSE with ERROR_IO_PENDING", Case: "wine-connect/connectex-auto-reset-event"},
	{Func: "test_connect", Line: 8248, Kind: kindOK, Checks: "its auto-reset event is signalled (within 15 s)", Case: "wine-connect/connectex-auto-reset-event"},
	{Func: "test_connect", Line: 8251, End: 8252, Kind: kindOK, Checks: "GetOverlappedResult(no wait) then succeeds with 0 bytes", Case: "wine-connect/connectex-auto-reset-event"},
	{Func: "test_connect", Line: 8256, End: 8265, Kind: kindOK, Checks: "setup: a new connector is bound; accept takes the first connection", Case: "wine-connect/connect-after-connectex-einval"},
	{Func: "test_connect", Line: 8272, End: 8275, Kind: kindOK, Checks: "ConnectEx with 3 bytes of send data pends and its event is signalled", Case: "wine-connect/connect-after-connectex-einval"},
	{Func: "test_connect", Line: 8278, Kind: kindOK, Checks: "GetOverlappedResult succeeds", Case: "wine-connect/connect-after-connectex-einval"},
	{Func: "test_connect", Line: 8279, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "GetOverlappedResult reports the 3 bytes sent with the connect", Why: whyBuffers},
	{Func: "test_connect", Line: 8282, Kind: kindOK, Checks: "accept takes the ConnectEx connection", Case: "wine-connect/connect-after-connectex-einval"},
	{Func: "test_connect", Line: 8286, End: 8287, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "the accepted socket receives the 3 bytes sent with ConnectEx", Why: whyBuffers},
	{Func: "test_connect", Line: 8292, Kind: kindOK, Checks: "connect() on the socket ConnectEx connected fails", Case: "wine-connect/connect-after-connectex-einval"},
	{Func: "test_connect", Line: 8293, Kind: kindTodoWine, Checks: "that connect() fails WSAEINVAL (no SO_UPDATE_CONNECT_CONTEXT yet), not WSAEISCONN as on Wine", Case: "wine-connect/connect-after-connectex-einval"},
	{Func: "test_connect", Line: 8297, End: 8298, Kind: kindOK, Checks: "connect() on the accepted socket fails WSAEISCONN", Case: "wine-connect/connectex-on-accepted-isconn"},
	{Func: "test_connect", Line: 8304, End: 8306, Kind: kindOK, Checks: "ConnectEx again on the ConnectEx-connected socket fails WSAEISCONN, leaving STATUS_PENDING in Internal", Case: "wine-connect/connect-after-connectex-einval"},
	{Func: "test_connect", Line: 8307, Kind: kindTodoWine, Checks: "and leaving InternalHigh untouched", Case: "wine-connect/connect-after-connectex-einval"},
	{Func: "test_connect", Line: 8313, End: 8315, Kind: kindOK, Checks: "ConnectEx on the accepted socket fails WSAEISCONN, leaving STATUS_PENDING in Internal", Case: "wine-connect/connectex-on-accepted-isconn"},
	{Func: "test_connect", Line: 8316, Kind: kindTodoWine, Checks: "and leaving InternalHigh untouched", Case: "wine-connect/connectex-on-accepted-isconn"},
	{Func: "test_connect", Line: 8326, End: 8332, Kind: kindOK, Checks: "connect() on either end of a connect()/accept() pair fails WSAEISCONN", Case: "wine-connect/socketpair-isconn"},
	{Func: "test_connect", Line: 8338, End: 8340, Kind: kindOK, Checks: "ConnectEx on the connecting end fails WSAEISCONN, leaving STATUS_PENDING in Internal", Case: "wine-connect/socketpair-isconn"},
	{Func: "test_connect", Line: 8341, Kind: kindTodoWine, Checks: "and leaving InternalHigh untouched", Case: "wine-connect/socketpair-isconn"},
	{Func: "test_connect", Line: 8347, End: 8349, Kind: kindOK, Checks: "ConnectEx on the accepted end fails WSAEISCONN, leaving STATUS_PENDING in Internal", Case: "wine-connect/socketpair-isconn"},
	{Func: "test_connect", Line: 8350, Kind: kindTodoWine, Checks: "and leaving InternalHigh untouched", Case: "wine-connect/socketpair-isconn"},
	{Func: "test_connect", Line: 8358, End: 8364, Kind: kindOK, Checks: "setup: a new connector is created and bound", Case: "wine-connect/connectex-refused"},
	{Func: "test_connect", Line: 8369, End: 8372, Kind: kindOK, Checks: "ConnectEx to 127.0.0.1:1, where nothing listens, pends and its event is signalled", Case: "wine-connect/connectex-refused"},
	{Func: "test_connect", Line: 8375, Kind: kindOK, Checks: "GetOverlappedResult of the refused ConnectEx fails ERROR_CONNECTION_REFUSED", Case: "wine-connect/connectex-refused"},
}
