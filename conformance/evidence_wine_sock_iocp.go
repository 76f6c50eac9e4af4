package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of sock.c's test_iocp and the functions it calls
// (Gcenx/winecx crossover-wine-23.0.1), in file order. Their cases are in
// cases_wine_iocp_read.go. test_iocp has no check of its own: it runs
// sync_read and iocp_async_read on one pair, iocp_async_read_thread on
// another, iocp_async_read_closesocket once per way of closing
// (closesocket, CloseHandle, NtClose), iocp_async_closesocket and
// iocp_async_read_thread_closesocket.

const (
	whyNtClose = "spec.API has no NtClose"
	whyGuard   = "the test's guard against a bad argument to its own helper, never reached"
	whyXP      = "the branch runs only where the broken() before it matched (XP): the suite follows Vista and later, where the request survives its thread (the documented profile's cancel-on-exit is XP's)"
)

const (
	caseIOCPRead         = "wine-iocp/async-read"
	caseIOCPClosesocket  = "wine-iocp/async-read-closesocket"
	caseIOCPCloseHandle  = "wine-iocp/async-read-closehandle"
	caseIOCPIdle         = "wine-iocp/closesocket-idle-no-packet"
	caseIOCPThreadClose  = "wine-iocp/thread-read-closesocket"
	caseIOCPThreadSurviv = "wine-iocp/thread-read-survives-exit"
)

// selectLines returns one entry for a run of WSAAsyncSelect message checks.
func selectLines(fn string, line, end int, checks string) expectation {
	return expectation{Func: fn, Line: line, End: end, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: checks, Why: whySelect}
}

// closedUnderRecv returns the entries of the checks of a WSARecv whose
// socket was closed (lines line..line+10 of the test's layout), checked by
// case c; how names the way of closing.
func closedUnderRecv(fn string, line int, how, c string) []expectation {
	return []expectation{
		{Func: fn, Line: line, Kind: kindOK, Checks: "after " + how + ", GetQueuedCompletionStatus(100 ms) returns FALSE: the pending WSARecv's packet", Case: c},
		{Func: fn, Line: line + 2, Kind: kindTodoWine, Checks: "its error is ERROR_CONNECTION_ABORTED (ERROR_NETNAME_DELETED on XP, the test's comment says)", Case: c},
		{Func: fn, Line: line + 3, End: line + 5, Kind: kindOK, Checks: "0 bytes, key 0x12345678, the OVERLAPPED", Case: c},
		{Func: fn, Line: line + 8, Kind: kindOK, Checks: "InternalHigh 0", Case: c},
		{Func: fn, Line: line + 10, Kind: kindTodoWine, Checks: "Internal STATUS_CONNECTION_ABORTED (STATUS_LOCAL_DISCONNECT on XP)", Case: c},
	}
}

var wineSockIOCP = concatEvidence(
	[]expectation{
		{Func: "sync_read", Line: 11378, Kind: kindOK, Checks: "send of 12 bytes on the accepted end returns 12", Case: caseIOCPRead},
		{Func: "sync_read", Line: 11382, End: 11383, Kind: kindOK, Checks: "a blocking recv of up to 512 bytes on the connecting end returns the 12 bytes intact", Case: caseIOCPRead},

		{Func: "iocp_async_read", Line: 11400, Kind: kindOK, Checks: "the connecting end joins a new port with key 0x12345678", Case: caseIOCPRead},
		{Func: "iocp_async_read", Line: 11408, End: 11409, Kind: kindOK, Checks: "an overlapped WSARecv (hEvent NULL) with nothing sent returns SOCKET_ERROR with ERROR_IO_PENDING", Case: caseIOCPRead},
		{Func: "iocp_async_read", Line: 11410, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "the pending WSARecv leaves its byte count untouched", Why: whyCountNull},
	},
	noPacket("iocp_async_read", 11417, kindOK, caseIOCPRead, "nothing while the WSARecv pends"),
	[]expectation{
		{Func: "iocp_async_read", Line: 11424, Kind: kindOK, Checks: "the peer sends 12 bytes", Case: caseIOCPRead},
		{Func: "iocp_async_read", Line: 11431, End: 11434, Kind: kindOK, Checks: "GetQueuedCompletionStatus(100 ms) returns TRUE: 12 bytes, key 0x12345678, the OVERLAPPED", Case: caseIOCPRead},
		{Func: "iocp_async_read", Line: 11437, End: 11439, Kind: kindOK, Checks: "InternalHigh 12, Internal 0, and the buffer holds the 12 bytes", Case: caseIOCPRead},
	},
	noPacket("iocp_async_read", 11447, kindOK, caseIOCPRead, "one packet for the WSARecv"),

	[]expectation{
		selectLines("iocp_async_read_closesocket", 11470, 11473, "setup: a window and WSAAsyncSelect(all events) on the connecting end"),
		selectLines("iocp_async_read_closesocket", 11478, 11482, "WSAAsyncSelect posts FD_WRITE (lParam 2) at once"),
		{Func: "iocp_async_read_closesocket", Line: 11488, Kind: kindOK, Checks: "the connecting end joins a new port with key 0x12345678", Case: caseIOCPClosesocket},
		selectLines("iocp_async_read_closesocket", 11492, 11492, "joining the port posts no message"),
		{Func: "iocp_async_read_closesocket", Line: 11500, End: 11501, Kind: kindOK, Checks: "an overlapped WSARecv with nothing sent returns SOCKET_ERROR with ERROR_IO_PENDING", Case: caseIOCPClosesocket},
		{Func: "iocp_async_read_closesocket", Line: 11502, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "the pending WSARecv leaves its byte count untouched", Why: whyCountNull},
		selectLines("iocp_async_read_closesocket", 11506, 11506, "the pending WSARecv posts no message"),
	},
	noPacket("iocp_async_read_closesocket", 11513, kindOK, caseIOCPClosesocket, "nothing while the WSARecv pends"),
	[]expectation{
		selectLines("iocp_async_read_closesocket", 11521, 11521, "still no message"),
		{Func: "iocp_async_read_closesocket", Line: 11535, Kind: kindOK, Checks: "ok(0): an unknown way of closing", Why: whyGuard},
		selectLines("iocp_async_read_closesocket", 11545, 11545, "after closesocket no message follows"),
		{Func: "iocp_async_read_closesocket", Line: 11551, End: 11555, Kind: kindTodoWine, Clause: spec.ClauseGapCompletionPort, Checks: "after CloseHandle or NtClose on the socket WSAAsyncSelect posts FD_CLOSE (lParam 0x20)", Why: whySelect},
		{Func: "iocp_async_read_closesocket", Line: 11559, Kind: kindOK, Checks: "ok(0): an unknown way of closing", Why: whyGuard},
	},
	closedUnderRecv("iocp_async_read_closesocket", 11568, "closesocket", caseIOCPClosesocket),
	closedUnderRecv("iocp_async_read_closesocket", 11568, "CloseHandle on the socket", caseIOCPCloseHandle),
	[]expectation{
		{Func: "iocp_async_read_closesocket", Line: 11568, End: 11578, Kind: kindOK, Clause: spec.ClauseGapClosePending, Checks: "the same checks after NtClose on the socket", Why: whyNtClose},
	},
	noPacket("iocp_async_read_closesocket", 11586, kindOK, caseIOCPClosesocket, "one packet for the WSARecv of the closed socket"),

	[]expectation{
		selectLines("iocp_async_closesocket", 11609, 11612, "setup: a window and WSAAsyncSelect(all events)"),
		selectLines("iocp_async_closesocket", 11617, 11621, "WSAAsyncSelect posts FD_WRITE (lParam 2) at once"),
		{Func: "iocp_async_closesocket", Line: 11624, Kind: kindOK, Checks: "the connecting end joins a new port with key 0x12345678; nothing is pending on it", Case: caseIOCPIdle},
		selectLines("iocp_async_closesocket", 11628, 11628, "joining the port posts no message"),
	},
	noPacket("iocp_async_closesocket", 11635, kindOK, caseIOCPIdle, "nothing queued for a socket with no request"),
	[]expectation{
		selectLines("iocp_async_closesocket", 11643, 11643, "still no message"),
		selectLines("iocp_async_closesocket", 11650, 11650, "closesocket posts no message"),
	},
	noPacket("iocp_async_closesocket", 11657, kindOK, caseIOCPIdle, "closing a socket with nothing pending queues nothing"),

	[]expectation{
		selectLines("wsa_async_select_thread", 11680, 11680, "WSAAsyncSelect(all events) from another thread succeeds"),
		{Func: "wsa_recv_thread", Line: 11702, End: 11703, Kind: kindOK, Checks: "an overlapped WSARecv (hEvent NULL) issued by a second thread returns SOCKET_ERROR with ERROR_IO_PENDING", Case: caseIOCPThreadClose},
		{Func: "wsa_recv_thread", Line: 11702, End: 11703, Kind: kindOK, Checks: "the same, before the thread exits and data arrives", Case: caseIOCPThreadSurviv},
		{Func: "wsa_recv_thread", Line: 11704, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "the pending WSARecv leaves its byte count untouched", Why: whyCountNull},
	},

	[]expectation{
		selectLines("iocp_async_read_thread_closesocket", 11724, 11731, "setup: a window; a thread that calls WSAAsyncSelect is created and ends"),
		selectLines("iocp_async_read_thread_closesocket", 11736, 11740, "WSAAsyncSelect posts FD_WRITE (lParam 2)"),
		{Func: "iocp_async_read_thread_closesocket", Line: 11743, Kind: kindOK, Checks: "the connecting end joins a new port with key 0x12345678", Case: caseIOCPThreadClose},
		selectLines("iocp_async_read_thread_closesocket", 11747, 11747, "joining the port posts no message"),
		{Func: "iocp_async_read_thread_closesocket", Line: 11755, End: 11757, Kind: kindOK, Checks: "the thread that issues the WSARecv is created and exits", Case: caseIOCPThreadClose},
		selectLines("iocp_async_read_thread_closesocket", 11761, 11761, "no message after the thread's exit"),
		{Func: "iocp_async_read_thread_closesocket", Line: 11768, End: 11769, Kind: kindOK, Checks: "after its thread exited, the WSARecv on the port-associated socket is still pending: the dequeue times out (WAIT_TIMEOUT)", Case: caseIOCPThreadClose},
		{Func: "iocp_async_read_thread_closesocket", Line: 11769, Kind: kindBroken, Clause: spec.ClauseRemThreadExit, Checks: "XP canceled the WSARecv when its thread exited: the dequeue gives ERROR_OPERATION_ABORTED", Why: whyXP},
		{Func: "iocp_async_read_thread_closesocket", Line: 11773, End: 11774, Kind: kindOK, Clause: spec.ClauseRemThreadExit, Checks: "the timed-out call leaves the key and byte count untouched", Why: whyGQCSOutputs},
		{Func: "iocp_async_read_thread_closesocket", Line: 11775, Kind: kindOK, Checks: "the timed-out call returns a NULL OVERLAPPED pointer", Case: caseIOCPThreadClose},
		{Func: "iocp_async_read_thread_closesocket", Line: 11779, End: 11785, Kind: kindBroken, Clause: spec.ClauseRemThreadExit, Checks: "on XP the packet of the canceled WSARecv: 0 bytes, key 0x12345678, the OVERLAPPED, InternalHigh 0, Internal STATUS_CANCELLED", Why: whyXP},
		selectLines("iocp_async_read_thread_closesocket", 11794, 11800, "no message before or after closesocket"),
	},
	closedUnderRecv("iocp_async_read_thread_closesocket", 11807, "closesocket, with the issuing thread gone,", caseIOCPThreadClose),
	noPacket("iocp_async_read_thread_closesocket", 11826, kindOK, caseIOCPThreadClose, "one packet for the WSARecv of the closed socket"),

	[]expectation{
		selectLines("iocp_async_read_thread", 11852, 11859, "setup: a window; a thread that calls WSAAsyncSelect is created and ends"),
		selectLines("iocp_async_read_thread", 11864, 11868, "WSAAsyncSelect posts FD_WRITE (lParam 2)"),
		{Func: "iocp_async_read_thread", Line: 11871, Kind: kindOK, Checks: "the connecting end joins a new port with key 0x12345678", Case: caseIOCPThreadSurviv},
		selectLines("iocp_async_read_thread", 11875, 11875, "joining the port posts no message"),
		{Func: "iocp_async_read_thread", Line: 11883, End: 11885, Kind: kindOK, Checks: "the thread that issues the WSARecv is created and exits", Case: caseIOCPThreadSurviv},
		selectLines("iocp_async_read_thread", 11889, 11889, "no message after the thread's exit"),
		{Func: "iocp_async_read_thread", Line: 11896, End: 11897, Kind: kindOK, Checks: "after its thread exited, the WSARecv is still pending: the dequeue times out (WAIT_TIMEOUT)", Case: caseIOCPThreadSurviv},
		{Func: "iocp_async_read_thread", Line: 11897, Kind: kindBroken, Clause: spec.ClauseRemThreadExit, Checks: "XP canceled the WSARecv when its thread exited: the dequeue gives ERROR_OPERATION_ABORTED", Why: whyXP},
		{Func: "iocp_async_read_thread", Line: 11900, End: 11901, Kind: kindOK, Clause: spec.ClauseRemThreadExit, Checks: "the timed-out call leaves the key and byte count untouched", Why: whyGQCSOutputs},
		{Func: "iocp_async_read_thread", Line: 11902, Kind: kindOK, Checks: "the timed-out call returns a NULL OVERLAPPED pointer", Case: caseIOCPThreadSurviv},
		{Func: "iocp_async_read_thread", Line: 11906, End: 11912, Kind: kindBroken, Clause: spec.ClauseRemThreadExit, Checks: "on XP the packet of the canceled WSARecv: 0 bytes, key 0x12345678, the OVERLAPPED, InternalHigh 0, Internal STATUS_CANCELLED", Why: whyXP},
		selectLines("iocp_async_read_thread", 11919, 11919, "no message after the thread's exit"),
		{Func: "iocp_async_read_thread", Line: 11919, Kind: kindBroken, Clause: spec.ClauseRemThreadExit, Checks: "XP posts a message here (the canceled WSARecv no longer holds the data back)", Why: whySelect},
		{Func: "iocp_async_read_thread", Line: 11922, End: 11924, Kind: kindBroken, Clause: spec.ClauseRemThreadExit, Checks: "on XP the message is WM_SOCKET for the socket with lParam 1 (FD_READ)", Why: whySelect},
		{Func: "iocp_async_read_thread", Line: 11928, Kind: kindOK, Checks: "the peer sends 12 bytes", Case: caseIOCPThreadSurviv},
		selectLines("iocp_async_read_thread", 11933, 11933, "the data goes to the pending WSARecv: no FD_READ message"),
		{Func: "iocp_async_read_thread", Line: 11933, Kind: kindBroken, Clause: spec.ClauseRemThreadExit, Checks: "XP posts FD_READ instead (no WSARecv is pending there)", Why: whySelect},
		{Func: "iocp_async_read_thread", Line: 11936, End: 11939, Kind: kindBroken, Clause: spec.ClauseRemThreadExit, Checks: "on XP the message is WM_SOCKET for the socket with lParam 1 (FD_READ)", Why: whySelect},
		{Func: "iocp_async_read_thread", Line: 11947, Kind: kindOK, Checks: "the exited thread's WSARecv completes with the data: GetQueuedCompletionStatus(100 ms) returns TRUE", Case: caseIOCPThreadSurviv},
		{Func: "iocp_async_read_thread", Line: 11947, Kind: kindBroken, Clause: spec.ClauseRemThreadExit, Checks: "on XP nothing is queued (WAIT_TIMEOUT): the request was canceled at the thread's exit", Why: whyXP},
		{Func: "iocp_async_read_thread", Line: 11950, End: 11952, Kind: kindOK, Checks: "12 bytes, key 0x12345678, the OVERLAPPED", Case: caseIOCPThreadSurviv},
		{Func: "iocp_async_read_thread", Line: 11955, End: 11957, Kind: kindOK, Checks: "InternalHigh 12, Internal 0, the buffer holds the 12 bytes", Case: caseIOCPThreadSurviv},
		{Func: "iocp_async_read_thread", Line: 11962, End: 11964, Kind: kindBroken, Clause: spec.ClauseRemThreadExit, Checks: "on XP the timed-out call leaves the outputs untouched and returns no OVERLAPPED", Why: whyXP},
	},
)
