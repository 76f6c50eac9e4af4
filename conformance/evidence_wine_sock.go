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
	},
	Entries: concatEvidence(wineSockDisconnectEx),
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
		Why: "spec.API returns nil for TRUE and does not expose the last error after a success"},
	{Func: "test_DisconnectEx", Line: 9362, Kind: kindBroken, Clause: spec.ClauseGapNullOverlapped, Checks: "before Windows 7 the successful synchronous call leaves the last error untouched (0xdeadbeef) instead of setting 0",
		Why: "spec.API does not expose the last error after a success"},
	{Func: "test_DisconnectEx", Line: 9366, Kind: kindOK, Checks: "a second DisconnectEx(NULL, 0, 0) on the same socket returns TRUE again", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9367, Kind: kindOK, Clause: spec.ClauseGapNullOverlapped, Checks: "after the second success WSAGetLastError is 0",
		Why: "spec.API returns nil for TRUE and does not expose the last error after a success"},
	{Func: "test_DisconnectEx", Line: 9367, Kind: kindBroken, Clause: spec.ClauseGapNullOverlapped, Checks: "before Windows 7 the second success also leaves the last error untouched",
		Why: "spec.API does not expose the last error after a success"},
	{Func: "test_DisconnectEx", Line: 9370, End: 9371, Kind: kindOK, Checks: "after the synchronous calls, connect fails WSAEISCONN", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9375, End: 9376, Kind: kindOK, Checks: "send on the client fails WSAESHUTDOWN", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9379, Kind: kindOK, Checks: "recv on the server returns 0 (one FIN for the two calls)", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9382, Kind: kindOK, Checks: "the server can still send 5 bytes", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9385, End: 9386, Kind: kindOK, Checks: "the client still receives them intact", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9390, End: 9391, Kind: kindOK, Checks: "getpeername(client) gives the listener's address", Case: "wine-disconnectex/sync-twice-half-closes"},
	{Func: "test_DisconnectEx", Line: 9395, End: 9399, Kind: kindOK, Checks: "getsockname(client) equals getpeername(server)", Case: "wine-disconnectex/sync-twice-half-closes"},
}
