package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of sock.c's test_completion_port and
// test_connect_completion_port (Gcenx/winecx crossover-wine-23.0.1), in
// file order. Their cases are in cases_wine_completion.go and
// cases_wine_connect_completion.go.

// Reasons particular to these two functions.
const (
	whyGQCSOutputs = "spec.API's GetQueuedCompletionStatus returns a zero Completion on WAIT_TIMEOUT, so whether the call leaves its key and byte-count outputs untouched (0xdeadbeef) is not visible"
	whyCountNull   = "spec.API's WSASend and WSARecv pass a NULL byte count with an OVERLAPPED, so whether a call that does not complete at once leaves the count untouched (0xdeadbeef) is not visible"
	whyDuplicate   = "spec.API has no WSADuplicateSocket (a second socket handle to one socket)"
)

const (
	fnCompletion        = "test_completion_port"
	fnConnectCompletion = "test_connect_completion_port"
)

// noPacket returns the entries of one of the test's five-line checks that
// GetQueuedCompletionStatus times out (FALSE, WAIT_TIMEOUT, key and byte
// count untouched, no OVERLAPPED) starting at line, checked by case c.
func noPacket(fn string, line int, kind evidenceKind, c, after string) []expectation {
	return []expectation{
		{Func: fn, Line: line, End: line + 1, Kind: kind, Checks: "GetQueuedCompletionStatus then times out: FALSE, WAIT_TIMEOUT (" + after + ")", Case: c},
		{Func: fn, Line: line + 2, End: line + 3, Kind: kind, Clause: spec.ClauseGapCompletionPort, Checks: "the timed-out call leaves the key and byte count untouched (" + after + ")", Why: whyGQCSOutputs},
		{Func: fn, Line: line + 4, Kind: kind, Checks: "the timed-out call returns a NULL OVERLAPPED pointer (" + after + ")", Case: c},
	}
}

// dequeued returns the entries of one of the test's checks of a successful
// dequeue: TRUE at line, the last error untouched at line+1, then the key,
// the byte count, the OVERLAPPED (and Internal) up to end.
func dequeued(fn string, line, end int, what, c string) []expectation {
	return []expectation{
		{Func: fn, Line: line, Kind: kindOK, Checks: "GetQueuedCompletionStatus returns TRUE: " + what, Case: c},
		{Func: fn, Line: line + 1, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "the successful dequeue leaves the last error untouched (0xdeadbeef)", Why: whyLastError},
		{Func: fn, Line: line + 2, End: end, Kind: kindOK, Checks: "the packet's key, byte count and OVERLAPPED: " + what, Case: c},
	}
}

const (
	caseRecvReset       = "wine-completion/recv-pending-peer-reset"
	caseSendReset       = "wine-completion/send-after-peer-reset-fails-at-once"
	caseSendAtOnce      = "wine-completion/send-completes-at-once"
	caseRecvAtOnce      = "wine-completion/recv-at-once-queues-packet"
	caseRecvFIN         = "wine-completion/recv-fin-at-once-queues-packet"
	caseRecvAfterReset  = "wine-completion/recv-after-peer-reset-fails-at-once"
	caseRecvUnconnected = "wine-completion/recv-unconnected-fails-at-once"
	casePortAfter       = "wine-completion/acceptex-then-port-close-listener"
	casePortBefore      = "wine-completion/port-then-acceptex-close-listener"
	caseIdleListener    = "wine-completion/close-idle-listener-no-packet"
	caseListenerKey     = "wine-completion/acceptex-packet-has-listener-key"
	caseAcceptorClosed  = "wine-completion/acceptex-done-then-acceptor-closed"
)

var wineSockCompletion = concatEvidence(
	[]expectation{
		{Func: fnCompletion, Line: 10092, Kind: kindOK, Checks: "setup: CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0) makes a port", Case: caseRecvReset},
		{Func: fnCompletion, Line: 10103, Kind: kindOK, Checks: "the accepted end of a connected pair joins the port with key 125", Case: caseRecvReset},
		{Func: fnCompletion, Line: 10108, End: 10109, Kind: kindOK, Checks: "an overlapped WSARecv with nothing sent returns SOCKET_ERROR with ERROR_IO_PENDING", Case: caseRecvReset},
		{Func: fnCompletion, Line: 10121, End: 10125, Kind: kindOK, Checks: "after the peer closes with an RST (SO_LINGER 0), the pending WSARecv's packet arrives within 100 ms: FALSE, ERROR_NETNAME_DELETED, key 125, 0 bytes, the OVERLAPPED", Case: caseRecvReset},
	},
	noPacket(fnCompletion, 10133, kindOK, caseRecvReset, "no second packet after the reset WSARecv's"),
	[]expectation{
		{Func: fnCompletion, Line: 10151, Kind: kindOK, Checks: "setup: a new pair's accepted end joins the port with key 125", Case: caseSendReset},
		{Func: fnCompletion, Line: 10163, End: 10164, Kind: kindOK, Checks: "after the peer's RST, an overlapped WSASend (on a socket the test made non-blocking; the case's is blocking, which an overlapped call does not consult) fails at once: SOCKET_ERROR, WSAECONNRESET", Case: caseSendReset},
		{Func: fnCompletion, Line: 10165, Kind: kindOK, Clause: spec.ClauseGapPeerReset, Checks: "the failed WSASend leaves its byte count untouched", Why: whyCountNull},
	},
	noPacket(fnCompletion, 10173, kindOK, caseSendReset, "a WSASend that failed at once queues nothing"),
	[]expectation{
		{Func: fnCompletion, Line: 10191, End: 10192, Kind: kindOK, Checks: "an overlapped WSASend of 1024 bytes on an idle connection succeeds at once, sending 1024 bytes (the case reads the count from GetOverlappedResult, the test from the call's count)", Case: caseSendAtOnce},
		{Func: fnCompletion, Line: 10195, Kind: kindOK, Checks: "setup: the receiving end joins the port with key 125 after the data was sent", Case: caseRecvAtOnce},
		{Func: fnCompletion, Line: 10206, End: 10207, Kind: kindOK, Checks: "once select (the case: WSAPoll) shows it readable, an overlapped WSARecv succeeds at once with the 1024 bytes (count from GetOverlappedResult in the case)", Case: caseRecvAtOnce},
	},
	dequeued(fnCompletion, 10215, 10219, "a WSARecv that succeeded at once still queues its packet: key 125, 1024 bytes, the OVERLAPPED", caseRecvAtOnce),
	[]expectation{
		{Func: fnCompletion, Line: 10233, End: 10234, Kind: kindOK, Checks: "after the peer's graceful close, an overlapped WSARecv succeeds at once with 0 bytes (the FIN)", Case: caseRecvFIN},
	},
	dequeued(fnCompletion, 10242, 10246, "the WSARecv of the FIN queues a packet: key 125, 0 bytes, the OVERLAPPED", caseRecvFIN),
	[]expectation{
		{Func: fnCompletion, Line: 10263, Kind: kindOK, Checks: "setup: a new pair's accepted end joins the port with key 125", Case: caseRecvAfterReset},
		{Func: fnCompletion, Line: 10277, End: 10278, Kind: kindTodoWine, Checks: "after the peer's RST has arrived (readable), an overlapped WSARecv fails at once: SOCKET_ERROR, WSAECONNRESET (Wine reads the RST as a graceful close)", Case: caseRecvAfterReset},
		{Func: fnCompletion, Line: 10279, Kind: kindTodoWine, Clause: spec.ClauseGapPeerReset, Checks: "the failed WSARecv leaves its byte count untouched", Why: whyCountNull},
	},
	noPacket(fnCompletion, 10287, kindTodoWine, caseRecvAfterReset, "a WSARecv that failed at once after an RST queues nothing"),
	[]expectation{
		{Func: fnCompletion, Line: 10297, Kind: kindOK, Checks: "setup: socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)", Case: caseRecvUnconnected},
		{Func: fnCompletion, Line: 10300, Kind: kindOK, Checks: "the never-connected socket joins the port with key 125", Case: caseRecvUnconnected},
		{Func: fnCompletion, Line: 10308, End: 10309, Kind: kindOK, Checks: "an overlapped WSARecv on it fails at once: SOCKET_ERROR, WSAENOTCONN", Case: caseRecvUnconnected},
		{Func: fnCompletion, Line: 10310, Kind: kindOK, Clause: spec.ClauseErrNotConn, Checks: "the failed WSARecv leaves its byte count untouched", Why: whyCountNull},
	},
	noPacket(fnCompletion, 10318, kindOK, caseRecvUnconnected, "a WSARecv that failed WSAENOTCONN queues nothing"),
	[]expectation{
		{Func: fnCompletion, Line: 10328, End: 10332, Kind: kindOK, Checks: "setup: the accept socket is created and the AcceptEx lookup on it succeeds", Case: casePortAfter},
		{Func: fnCompletion, Line: 10343, End: 10344, Kind: kindOK, Checks: "AcceptEx (OVERLAPPED with hEvent NULL) on a listener with an empty backlog returns FALSE with ERROR_IO_PENDING", Case: casePortAfter},
		{Func: fnCompletion, Line: 10347, Kind: kindOK, Checks: "the listener joins the port with key 125 after the AcceptEx was issued", Case: casePortAfter},
		{Func: fnCompletion, Line: 10358, End: 10363, Kind: kindOK, Checks: "closing the listener queues the AcceptEx's packet on the port joined afterwards: FALSE, ERROR_OPERATION_ABORTED, key 125, 0 bytes, the OVERLAPPED, Internal STATUS_CANCELLED", Case: casePortAfter},
	},
	noPacket(fnCompletion, 10370, kindOK, casePortAfter, "one packet for the aborted AcceptEx"),
	[]expectation{
		{Func: fnCompletion, Line: 10383, Kind: kindOK, Checks: "a new listener joins the port with key 125 before its AcceptEx", Case: casePortBefore},
		{Func: fnCompletion, Line: 10388, End: 10389, Kind: kindOK, Checks: "AcceptEx into the accept socket of the previous, aborted AcceptEx pends again: FALSE, ERROR_IO_PENDING", Case: casePortBefore},
		{Func: fnCompletion, Line: 10400, End: 10405, Kind: kindOK, Checks: "closing the listener queues FALSE, ERROR_OPERATION_ABORTED, key 125, 0 bytes, the OVERLAPPED, Internal STATUS_CANCELLED", Case: casePortBefore},
	},
	noPacket(fnCompletion, 10412, kindOK, casePortBefore, "one packet for the aborted AcceptEx"),
	[]expectation{
		{Func: fnCompletion, Line: 10425, Kind: kindOK, Clause: spec.ClauseGapClosePending, Checks: "setup of the duplicated-handle block: the listener joins the port with key 125", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10429, End: 10435, Kind: kindOK, Clause: spec.ClauseGapClosePending, Checks: "WSADuplicateSocket and WSASocket give a second handle; AcceptEx on that handle pends", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10442, End: 10446, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "no packet while the AcceptEx on the duplicate pends", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10458, End: 10463, Kind: kindOK, Clause: spec.ClauseGapClosePending, Checks: "closing both handles aborts it: FALSE, ERROR_OPERATION_ABORTED, key 125 (the original's association), 0 bytes, Internal STATUS_CANCELLED", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10470, End: 10474, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "no second packet", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10483, Kind: kindOK, Clause: spec.ClauseGapClosePending, Checks: "setup of the close-the-duplicate block: the listener joins the port with key 125", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10487, End: 10493, Kind: kindOK, Clause: spec.ClauseGapClosePending, Checks: "a duplicate handle is made and AcceptEx on it pends", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10503, End: 10518, Kind: kindOK, Clause: spec.ClauseGapClosePending, Checks: "closing only the duplicate handle the request was issued on does not end it: two 200 ms dequeues time out", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10524, End: 10529, Kind: kindOK, Clause: spec.ClauseGapClosePending, Checks: "closing the original then aborts it: FALSE, ERROR_OPERATION_ABORTED, key 125, 0 bytes, the OVERLAPPED, Internal STATUS_CANCELLED", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10536, End: 10540, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "no second packet", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10549, Kind: kindOK, Clause: spec.ClauseGapClosePending, Checks: "setup of the close-the-original block: the listener joins the port with key 125", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10553, End: 10559, Kind: kindOK, Clause: spec.ClauseGapClosePending, Checks: "a duplicate handle is made and AcceptEx on it pends", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10569, End: 10573, Kind: kindOK, Clause: spec.ClauseGapClosePending, Checks: "closing the original handle while the duplicate is open does not end the request: the dequeue times out", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10579, End: 10584, Kind: kindOK, Clause: spec.ClauseGapClosePending, Checks: "closing the duplicate then aborts it: FALSE, ERROR_OPERATION_ABORTED, key 125, 0 bytes, the OVERLAPPED, Internal STATUS_CANCELLED", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10591, End: 10595, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "no second packet", Why: whyDuplicate},
		{Func: fnCompletion, Line: 10604, Kind: kindOK, Checks: "a listener with no AcceptEx joins the port with key 125", Case: caseIdleListener},
	},
	noPacket(fnCompletion, 10614, kindOK, caseIdleListener, "closing a listener with no request queues nothing"),
	[]expectation{
		{Func: fnCompletion, Line: 10625, Kind: kindOK, Checks: "setup: a connector socket", Case: caseListenerKey},
		{Func: fnCompletion, Line: 10628, End: 10631, Kind: kindOK, Checks: "the listener joins the port with key 125 and the accept socket the same port with key 236", Case: caseListenerKey},
		{Func: fnCompletion, Line: 10636, End: 10637, Kind: kindOK, Checks: "AcceptEx pends: FALSE, ERROR_IO_PENDING", Case: caseListenerKey},
		{Func: fnCompletion, Line: 10640, Kind: kindOK, Checks: "connect() to the accepting listener succeeds; the connector is then closed", Case: caseListenerKey},
	},
	dequeued(fnCompletion, 10651, 10656, "the AcceptEx's packet carries the listener's key 125, 0 bytes, the OVERLAPPED, Internal STATUS_SUCCESS (the test's AcceptEx has a receive buffer and completes when the connector closes without sending; spec.API's has none and completes at the connect)", caseListenerKey),
	noPacket(fnCompletion, 10663, kindOK, caseListenerKey, "nothing for the accept socket's key 236"),
	[]expectation{
		{Func: fnCompletion, Line: 10679, End: 10688, Kind: kindOK, Checks: "setup: a new accept socket and connector; listener on the port with key 125, accept socket with key 236", Case: caseAcceptorClosed},
		{Func: fnCompletion, Line: 10693, End: 10694, Kind: kindOK, Checks: "AcceptEx pends: FALSE, ERROR_IO_PENDING", Case: caseAcceptorClosed},
		{Func: fnCompletion, Line: 10697, End: 10700, Kind: kindOK, Checks: "the connector connects and sends 1 byte; 100 ms later the accept socket is closed", Case: caseAcceptorClosed},
		{Func: fnCompletion, Line: 10713, Kind: kindOK, Checks: "GetQueuedCompletionStatus returns TRUE: the AcceptEx completed before its accept socket was closed", Case: caseAcceptorClosed},
		{Func: fnCompletion, Line: 10714, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "the successful dequeue leaves the last error untouched", Why: whyLastError},
		{Func: fnCompletion, Line: 10715, Kind: kindOK, Checks: "the packet carries the listener's key 125", Case: caseAcceptorClosed},
		{Func: fnCompletion, Line: 10716, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "the packet counts the 1 byte received into AcceptEx's buffer (the case sees 0 bytes: no buffer)", Why: whyBuffers},
		{Func: fnCompletion, Line: 10717, End: 10718, Kind: kindOK, Checks: "the packet carries the OVERLAPPED, Internal STATUS_SUCCESS", Case: caseAcceptorClosed},
	},
	noPacket(fnCompletion, 10725, kindOK, caseAcceptorClosed, "one packet for the completed AcceptEx"),
	[]expectation{
		{Func: fnCompletion, Line: 10741, End: 10759, Kind: kindOK, Clause: spec.ClauseGapClosePending, Checks: "setup: listener (key 125) and accept socket (key 236) on the port, AcceptEx with a receive buffer pends, a client connects without sending", Why: whyBuffers},
		{Func: fnCompletion, Line: 10769, End: 10775, Kind: kindOK, Clause: spec.ClauseGapClosePending, Checks: "closing the accept socket while the AcceptEx waits for the first data queues FALSE with ERROR_OPERATION_ABORTED or ERROR_CONNECTION_ABORTED, key 125, 0 bytes, the OVERLAPPED, Internal STATUS_CANCELLED or STATUS_CONNECTION_ABORTED (spec.API's AcceptEx completes at the connect: it never waits for data)", Why: whyBuffers},
		{Func: fnCompletion, Line: 10783, End: 10787, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "no second packet after that one", Why: whyBuffers},
	},
)

const (
	caseConnectNoPacket = "wine-connect-iocp/connect-no-packet"
	caseConnectExPacket = "wine-connect-iocp/connectex-queues-packet"
	caseConnectExLowBit = "wine-connect-iocp/connectex-low-bit-no-packet"
	caseConnectExSkip   = "wine-connect-iocp/connectex-skip-on-success-still-queues"
	caseConnectExRefuse = "wine-connect-iocp/connectex-refused-queues-packet"
)

// connectExRun returns the entries of one of the test's ConnectEx blocks:
// setup (socket, port, bind, modes) from setup to setupEnd, then pending,
// the event, GetOverlappedResult, accept and the dequeue (queued: a packet,
// or none).
func connectExRun(setup, setupEnd, pend, wait, result, accept, deq, deqEnd int, what string, queued bool, c string) []expectation {
	got := "WAIT_TIMEOUT: the low bit of hEvent suppressed the packet"
	if queued {
		got = "a packet: success, key 0, 0 bytes, the OVERLAPPED"
	}
	return []expectation{
		{Func: fnConnectCompletion, Line: setup, End: setupEnd, Kind: kindOK, Checks: "setup: a connector on a new port (key 0), bound to 127.0.0.1:0" + what, Case: c},
		{Func: fnConnectCompletion, Line: pend, End: pend + 1, Kind: kindOK, Checks: "ConnectEx (auto-reset event) to the listener returns FALSE with ERROR_IO_PENDING", Case: c},
		{Func: fnConnectCompletion, Line: wait, Kind: kindOK, Checks: "its event is signalled within 1 s", Case: c},
		{Func: fnConnectCompletion, Line: result, End: result + 1, Kind: kindOK, Checks: "GetOverlappedResult(no wait) succeeds with 0 bytes", Case: c},
		{Func: fnConnectCompletion, Line: accept, Kind: kindOK, Checks: "the listener accepts the connection", Case: c},
		{Func: fnConnectCompletion, Line: deq, End: deqEnd, Kind: kindOK, Checks: "GetQueuedCompletionStatus(0): " + got, Case: c},
	}
}

var wineSockConnectCompletion = concatEvidence(
	[]expectation{
		{Func: fnConnectCompletion, Line: 10809, End: 10821, Kind: kindOK, Checks: "setup: a listener bound to 127.0.0.1:0, named, listening with a backlog of 1", Case: caseConnectNoPacket},
		{Func: fnConnectCompletion, Line: 10824, End: 10828, Kind: kindOK, Checks: "setup: a connector socket; the ConnectEx lookup on it succeeds", Case: caseConnectNoPacket},
		{Func: fnConnectCompletion, Line: 10833, End: 10838, Kind: kindOK, Checks: "the connector joins a port (key 0); a blocking connect() succeeds and the listener accepts", Case: caseConnectNoPacket},
		{Func: fnConnectCompletion, Line: 10842, End: 10843, Kind: kindOK, Checks: "connect() queues no packet: GetQueuedCompletionStatus(0) fails WAIT_TIMEOUT", Case: caseConnectNoPacket},
		{Func: fnConnectCompletion, Line: 10849, End: 10851, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "setup of the non-blocking block: a connector on a port, made non-blocking", Why: whyNonblocking},
		{Func: fnConnectCompletion, Line: 10855, End: 10858, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "a non-blocking connect() fails WSAEWOULDBLOCK, and the listener accepts the connection", Why: whyNonblocking},
		{Func: fnConnectCompletion, Line: 10862, End: 10863, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "a non-blocking connect() queues no packet either: WAIT_TIMEOUT", Why: whyNonblocking},
	},
	connectExRun(10871, 10875, 10879, 10882, 10884, 10887, 10894, 10897, "", true, caseConnectExPacket),
	[]expectation{
		{Func: fnConnectCompletion, Line: 10905, End: 10909, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "setup of the send-buffer block: a connector on a port, bound", Why: whyBuffers},
		{Func: fnConnectCompletion, Line: 10913, End: 10921, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "ConnectEx with the 3-byte send buffer \"one\" pends, its event is signalled, GetOverlappedResult succeeds with 3 bytes, the listener accepts", Why: whyBuffers},
		{Func: fnConnectCompletion, Line: 10928, End: 10931, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "its packet: success, key 0, 3 bytes, the OVERLAPPED", Why: whyBuffers},
	},
	connectExRun(10939, 10943, 10949, 10952, 10954, 10957, 10961, 10962, " (hEvent with its low bit set)", false, caseConnectExLowBit),
	connectExRun(10972, 10978, 10982, 10985, 10987, 10990, 10997, 11000, ", with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS set before the bind; the request pends, so its packet is still queued", true, caseConnectExSkip),
	[]expectation{
		{Func: fnConnectCompletion, Line: 11010, End: 11016, Kind: kindOK, Checks: "setup: with the listener closed, a connector on a port (key 0) with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, bound to 127.0.0.1:0", Case: caseConnectExRefuse},
		{Func: fnConnectCompletion, Line: 11020, End: 11021, Kind: kindOK, Checks: "ConnectEx to the closed listener's address returns FALSE with ERROR_IO_PENDING", Case: caseConnectExRefuse},
		{Func: fnConnectCompletion, Line: 11023, Kind: kindOK, Checks: "its event is signalled within 15 s (the case waits at most 5 s, the longest a case without long waits may)", Case: caseConnectExRefuse},
		{Func: fnConnectCompletion, Line: 11025, End: 11027, Kind: kindOK, Checks: "GetOverlappedResult fails ERROR_CONNECTION_REFUSED with 0 bytes", Case: caseConnectExRefuse},
		{Func: fnConnectCompletion, Line: 11033, End: 11037, Kind: kindOK, Checks: "the failure is queued despite skip-on-success: FALSE, ERROR_CONNECTION_REFUSED, key 0, 0 bytes, the OVERLAPPED", Case: caseConnectExRefuse},
	},
)
