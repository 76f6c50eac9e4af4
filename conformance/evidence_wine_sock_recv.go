package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of sock.c's test_nonblocking_async_recv (and its
// thread, nonblocking_async_recv_thread), test_simultaneous_async_recv and
// test_empty_recv (Gcenx/winecx crossover-wine-23.0.1), in file order.
// Their cases are in cases_wine_recv.go.

const (
	whyBlockedThread = "the check needs a call blocked in a second thread while the first one sends; a spec.API Thread's call blocks its caller"
	whyWSABufs       = "spec.API's WSARecv always passes exactly one WSABUF"
	// nonblockingNote is added where the test's socket is non-blocking.
	nonblockingNote = " (the test's socket is non-blocking, which spec.API cannot make; the case's is blocking)"
)

const (
	caseRecvNullEvent   = "wine-recv/null-event-signals-socket"
	caseRecvEvent       = "wine-recv/event-pends-until-data"
	caseRecvWaiting     = "wine-recv/data-waiting"
	caseRecvNonOverlap  = "wine-recv/non-overlapped-socket-data-waiting"
	caseRecvTwo         = "wine-recv/two-pending-in-order"
	caseRecvZeroPends   = "wine-recv/zero-length-pends-until-data"
	caseRecvZeroWaiting = "wine-recv/zero-length-with-data-at-once"
)

func nonblocking(fn string, line, end int, checks string) expectation {
	return expectation{Func: fn, Line: line, End: end, Kind: kindOK, Clause: spec.ClauseParamOverlapped, Checks: checks, Why: whyNonblocking}
}

func blockedThread(fn string, line, end int, checks string) expectation {
	return expectation{Func: fn, Line: line, End: end, Kind: kindOK, Clause: spec.ClauseParamOverlapped, Checks: checks, Why: whyBlockedThread}
}

const fnNonblockingRecv = "test_nonblocking_async_recv"

var wineSockRecv = []expectation{
	blockedThread("nonblocking_async_recv_thread", 12566, 12570, "in the second thread, WSARecv with an OVERLAPPED on a non-overlapped, non-blocking socket blocks until data arrives, then returns 0; GetOverlappedResult gives the 4 bytes"),

	nonblocking(fnNonblockingRecv, 12596, 12597, "recv on a non-blocking overlapped socket with nothing to read fails WSAEWOULDBLOCK"),
	nonblocking(fnNonblockingRecv, 12602, 12604, "WSARecv without an OVERLAPPED fails WSAEWOULDBLOCK and leaves the (unused) OVERLAPPED's Internal alone"),
	{Func: fnNonblockingRecv, Line: 12615, End: 12616, Kind: kindOK, Checks: "an overlapped WSARecv with hEvent NULL and nothing sent returns SOCKET_ERROR with ERROR_IO_PENDING" + nonblockingNote, Case: caseRecvNullEvent},
	{Func: fnNonblockingRecv, Line: 12618, Kind: kindOK, Checks: "the socket handle is not signalled while it pends", Case: caseRecvNullEvent},
	{Func: fnNonblockingRecv, Line: 12619, End: 12620, Kind: kindOK, Checks: "Internal is STATUS_PENDING and InternalHigh keeps its preset 0xdeadbeef while it pends", Case: caseRecvNullEvent},
	{Func: fnNonblockingRecv, Line: 12623, Kind: kindOK, Checks: "the peer sends 4 bytes", Case: caseRecvNullEvent},
	{Func: fnNonblockingRecv, Line: 12626, Kind: kindOK, Checks: "the socket handle is then signalled within 1 s", Case: caseRecvNullEvent},
	{Func: fnNonblockingRecv, Line: 12628, End: 12630, Kind: kindOK, Checks: "GetOverlappedResult(no wait) succeeds with the 4 bytes, intact", Case: caseRecvNullEvent},
	{Func: fnNonblockingRecv, Line: 12639, End: 12640, Kind: kindOK, Checks: "with an event, the overlapped WSARecv also returns SOCKET_ERROR with ERROR_IO_PENDING" + nonblockingNote, Case: caseRecvEvent},
	{Func: fnNonblockingRecv, Line: 12642, Kind: kindOK, Checks: "the event is not signalled while it pends", Case: caseRecvEvent},
	{Func: fnNonblockingRecv, Line: 12645, Kind: kindOK, Checks: "the peer sends 4 bytes", Case: caseRecvEvent},
	{Func: fnNonblockingRecv, Line: 12648, Kind: kindOK, Checks: "the event is signalled within 1 s", Case: caseRecvEvent},
	{Func: fnNonblockingRecv, Line: 12650, End: 12652, Kind: kindOK, Checks: "GetOverlappedResult(no wait) succeeds with the 4 bytes, intact", Case: caseRecvEvent},
	{Func: fnNonblockingRecv, Line: 12658, Kind: kindOK, Checks: "the peer sends 4 bytes before the next WSARecv", Case: caseRecvWaiting},
	{Func: fnNonblockingRecv, Line: 12662, Kind: kindOK, Checks: "with the data waiting, the overlapped WSARecv returns 0 or pends (the test says 0 is usual but not reliable)" + nonblockingNote, Case: caseRecvWaiting},
	{Func: fnNonblockingRecv, Line: 12664, Kind: kindOK, Checks: "the event is signalled within 1 s", Case: caseRecvWaiting},
	{Func: fnNonblockingRecv, Line: 12666, End: 12668, Kind: kindOK, Checks: "GetOverlappedResult(no wait) succeeds with the 4 bytes, intact", Case: caseRecvWaiting},
	nonblocking(fnNonblockingRecv, 12682, 12683, "on a non-overlapped, non-blocking pair, recv with nothing to read fails WSAEWOULDBLOCK"),
	nonblocking(fnNonblockingRecv, 12688, 12690, "and so does WSARecv without an OVERLAPPED, leaving the OVERLAPPED alone"),
	blockedThread(fnNonblockingRecv, 12699, 12705, "WSARecv with an OVERLAPPED (hEvent NULL) on the non-overlapped socket blocks its thread for 200 ms, until the peer sends 4 bytes; then the thread ends"),
	blockedThread(fnNonblockingRecv, 12715, 12721, "the same with an event in the OVERLAPPED"),
	{Func: fnNonblockingRecv, Line: 12727, Kind: kindOK, Checks: "the peer sends 4 bytes to the non-overlapped socket", Case: caseRecvNonOverlap},
	{Func: fnNonblockingRecv, Line: 12731, Kind: kindOK, Checks: "with the data waiting, WSARecv with an OVERLAPPED on the non-overlapped socket returns 0" + nonblockingNote, Case: caseRecvNonOverlap},
	{Func: fnNonblockingRecv, Line: 12733, End: 12735, Kind: kindOK, Checks: "GetOverlappedResult(no wait) succeeds with the 4 bytes, intact", Case: caseRecvNonOverlap},

	{Func: "test_simultaneous_async_recv", Line: 12765, End: 12766, Kind: kindOK, Checks: "two overlapped WSARecv of 16 bytes each (own events) both return SOCKET_ERROR with ERROR_IO_PENDING", Case: caseRecvTwo},
	{Func: "test_simultaneous_async_recv", Line: 12770, Kind: kindOK, Checks: "the peer sends 32 bytes in one send", Case: caseRecvTwo},
	{Func: "test_simultaneous_async_recv", Line: 12779, Kind: kindOK, Checks: "each request's event is signalled within 1 s", Case: caseRecvTwo},
	{Func: "test_simultaneous_async_recv", Line: 12783, End: 12785, Kind: kindOK, Checks: "each completes with 16 bytes: the first request the first half, the second the second half", Case: caseRecvTwo},

	{Func: "test_empty_recv", Line: 12808, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "WSARecv with no WSABUF array (NULL, count 0) fails", Why: whyWSABufs},
	{Func: "test_empty_recv", Line: 12809, Kind: kindTodoWine, Clause: spec.ClauseRetPending, Checks: "with WSAEINVAL", Why: whyWSABufs},
	{Func: "test_empty_recv", Line: 12815, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "WSARecv with a buffer but a count of 0 fails", Why: whyWSABufs},
	{Func: "test_empty_recv", Line: 12816, Kind: kindTodoWine, Clause: spec.ClauseRetPending, Checks: "with WSAEINVAL", Why: whyWSABufs},
	{Func: "test_empty_recv", Line: 12820, End: 12821, Kind: kindOK, Checks: "an overlapped WSARecv of one zero-length WSABUF with nothing sent returns SOCKET_ERROR with ERROR_IO_PENDING", Case: caseRecvZeroPends},
	{Func: "test_empty_recv", Line: 12824, Kind: kindOK, Checks: "the peer sends 5 bytes", Case: caseRecvZeroPends},
	{Func: "test_empty_recv", Line: 12827, Kind: kindOK, Checks: "the zero-length WSARecv's event is then signalled within 1 s", Case: caseRecvZeroPends},
	{Func: "test_empty_recv", Line: 12829, End: 12830, Kind: kindOK, Checks: "GetOverlappedResult succeeds with 0 bytes", Case: caseRecvZeroPends},
	{Func: "test_empty_recv", Line: 12834, End: 12835, Kind: kindOK, Checks: "with the data waiting, another zero-length WSARecv returns 0 at once with a count of 0 (the case reads the count from GetOverlappedResult)", Case: caseRecvZeroWaiting},
	{Func: "test_empty_recv", Line: 12838, Kind: kindOK, Checks: "recv(NULL, 0) returns 0", Case: caseRecvZeroWaiting},
	{Func: "test_empty_recv", Line: 12841, End: 12842, Kind: kindOK, Checks: "the zero-length reads took nothing: recv of 5 bytes returns the 5 bytes sent", Case: caseRecvZeroWaiting},
}

// test_WSARecv (with its threads recv_thread and recv_thread_apc_func) and
// test_tcp_reset.
const (
	caseWSARecvPartial = "wine-wsarecv/blocking-partial-reads"
	caseWSARecvReset   = "wine-wsarecv/pending-recv-reset-auto-event"
	caseTCPReset       = "wine-tcp-reset/pending-recv-then-reset"
	whyOneRequest      = "not ported: the emulator keeps one request per OVERLAPPED and fails a second WSARecv on an OVERLAPPED in use with WSAEINVAL, and its Windows profile may record no divergence; a request record apart from the OVERLAPPED it writes is left to do"
)

var wineSockWSARecv = []expectation{
	{Func: "recv_thread_apc_func", Line: 7326, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "the APC queued to the receiving thread sends 4 bytes", Why: whyAPC},
	{Func: "recv_thread", Line: 7360, End: 7362, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "a blocking WSARecv in a thread whose APC sends the data returns 0, last error 0, with the 4 bytes", Why: whyAPC},

	{Func: "test_WSARecv", Line: 7400, Kind: kindOK, Checks: "send of 4 bytes returns 4", Case: caseWSARecvPartial},
	{Func: "test_WSARecv", Line: 7401, Kind: kindOK, Checks: "and leaves the last error 0", Why: whyLastError},
	{Func: "test_WSARecv", Line: 7407, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "QueueUserAPC to the test's own thread succeeds", Why: whyAPC},
	{Func: "test_WSARecv", Line: 7410, End: 7411, Kind: kindOK, Checks: "a blocking WSARecv of 2 bytes returns 0 with 2 bytes", Case: caseWSARecvPartial},
	{Func: "test_WSARecv", Line: 7412, Kind: kindOK, Checks: "and leaves the last error 0", Why: whyLastError},
	{Func: "test_WSARecv", Line: 7414, End: 7416, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "the blocking WSARecv did not run the queued APC; SleepEx(0, TRUE) does", Why: whyAPC},
	{Func: "test_WSARecv", Line: 7421, End: 7422, Kind: kindOK, Checks: "a second blocking WSARecv of 2 bytes returns the other 2", Case: caseWSARecvPartial},
	{Func: "test_WSARecv", Line: 7423, Kind: kindOK, Checks: "and leaves the last error 0", Why: whyLastError},
	{Func: "test_WSARecv", Line: 7428, Kind: kindOK, Checks: "send of 4 more bytes returns 4", Case: caseWSARecvPartial},
	{Func: "test_WSARecv", Line: 7429, Kind: kindOK, Checks: "and leaves the last error 0", Why: whyLastError},
	{Func: "test_WSARecv", Line: 7433, End: 7434, Kind: kindOK, Checks: "a blocking WSARecv of 4 bytes returns 0 with 4 bytes", Case: caseWSARecvPartial},
	{Func: "test_WSARecv", Line: 7435, Kind: kindOK, Checks: "and leaves the last error 0", Why: whyLastError},
	{Func: "test_WSARecv", Line: 7443, End: 7454, Kind: kindOK, Clause: spec.ClauseParamOverlapped, Checks: "9 bytes sent are scattered over two WSABUFs of 4 and 5 bytes by one blocking WSARecv, last error 0", Why: whyWSABufs},
	{Func: "test_WSARecv", Line: 7458, Kind: kindOK, Checks: "setup: an auto-reset event for the OVERLAPPED", Case: caseWSARecvReset},
	{Func: "test_WSARecv", Line: 7463, Kind: kindOK, Checks: "an overlapped WSARecv with nothing sent returns SOCKET_ERROR with ERROR_IO_PENDING", Case: caseWSARecvReset},
	{Func: "test_WSARecv", Line: 7466, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "a second overlapped WSARecv on the same OVERLAPPED, the first still pending, also pends", Why: whyOneRequest},
	{Func: "test_WSARecv", Line: 7471, Kind: kindOK, Checks: "after the peer's RST the event is signalled within 1 s", Case: caseWSARecvReset},
	{Func: "test_WSARecv", Line: 7474, End: 7476, Kind: kindOK, Checks: "GetOverlappedResult fails ERROR_NETNAME_DELETED with 0 bytes", Case: caseWSARecvReset},
	{Func: "test_WSARecv", Line: 7481, End: 7506, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "setup of the thread and APC part: a non-overlapped client connects to a listener and is accepted", Why: whyAPC},
	{Func: "test_WSARecv", Line: 7521, End: 7523, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "an APC queued to a thread blocked in WSARecv runs (once) and its send completes that WSARecv", Why: whyAPC},
	{Func: "test_WSARecv", Line: 7531, End: 7540, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "WSARecv with a completion routine pends; SleepEx(1000, TRUE) returns WAIT_IO_COMPLETION after the routine ran once; the event is not signalled", Why: whyAPC},
	{Func: "test_WSARecv", Line: 7543, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "the socket joins a port", Why: whyAPC},
	{Func: "test_WSARecv", Line: 7549, End: 7550, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "a WSARecv with a completion routine on a socket on a port fails WSAEINVAL and the routine is not called", Why: whyAPC},

	{Func: "test_tcp_reset", Line: 13302, End: 13303, Kind: kindOK, Checks: "an overlapped WSARecv with nothing sent returns SOCKET_ERROR with ERROR_IO_PENDING", Case: caseTCPReset},
	{Func: "test_tcp_reset", Line: 13308, Kind: kindOK, Checks: "after the peer closes with an RST the event is signalled within 1 s", Case: caseTCPReset},
	{Func: "test_tcp_reset", Line: 13310, End: 13313, Kind: kindOK, Checks: "GetOverlappedResult fails ERROR_NETNAME_DELETED with 0 bytes, Internal STATUS_CONNECTION_RESET", Case: caseTCPReset},
	{Func: "test_tcp_reset", Line: 13317, End: 13318, Kind: kindOK, Clause: spec.ClauseGapPeerReset, Checks: "getsockopt(SO_ERROR) then succeeds with 0: the reset is not left as a pending socket error", Why: whySockopt},
	{Func: "test_tcp_reset", Line: 13325, End: 13326, Kind: kindTodoWine, Checks: "a second overlapped WSARecv fails at once with WSAECONNRESET", Case: caseTCPReset},
	{Func: "test_tcp_reset", Line: 13328, Kind: kindOK, Checks: "WSAPoll on the reset socket (POLLIN|POLLWRNORM asked) reports POLLERR|POLLHUP|POLLWRNORM", Case: caseTCPReset},
	{Func: "test_tcp_reset", Line: 13337, End: 13346, Kind: kindOK, Clause: spec.ClauseGapPeerReset, Checks: "select then reports the reset socket readable and writable but not in the except set", Why: whySelect},
}

// test_send (and its drain_socket_thread, which has no check of its own).
var wineSockSend = []expectation{
	{Func: "test_send", Line: 5877, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "setsockopt(SO_SNDBUF, 0) on the receiving end succeeds, so that a large WSASend pends", Why: whySockopt},
	{Func: "test_send", Line: 5890, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "a blocking send of 1 MiB returns 1 MiB while a second thread drains the other end", Why: whyBlockedThread},
	{Func: "test_send", Line: 5896, Kind: kindOK, Checks: "setup: an auto-reset event for the OVERLAPPED", Case: "wine-send/invalid-socket"},
	{Func: "test_send", Line: 5903, End: 5904, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "an overlapped WSASend of 1 MiB on the socket without a send buffer pends: SOCKET_ERROR, ERROR_IO_PENDING", Why: whySockopt},
	{Func: "test_send", Line: 5920, End: 5924, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "non-blocking recv of one byte at a time on the peer gets every byte of the pending send, in order", Why: whyNonblocking},
	{Func: "test_send", Line: 5928, End: 5932, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "the event is then signalled and GetOverlappedResult reports the 1 MiB sent", Why: whySockopt},
	{Func: "test_send", Line: 5938, Kind: kindOK, Checks: "WSASend(INVALID_SOCKET, ov) fails WSAENOTSOCK", Case: "wine-send/invalid-socket"},
	{Func: "test_send", Line: 5943, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "another overlapped WSASend of 1 MiB pends", Why: whySockopt},
	{Func: "test_send", Line: 5954, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "the drain thread ends within 500 ms once the sockets are closed", Why: whyBlockedThread},
}
