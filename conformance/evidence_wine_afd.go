package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of Wine's dlls/ws2_32/tests/afd.c that bear on these
// calls: test_async_thread_termination (read completely) and the AcceptEx
// part of test_poll. Line numbers are of that file at the tag. The test
// issues IOCTL_AFD_POLL; the cases issue AcceptEx (and DisconnectEx), other
// requests of the same driver (see cases_afd.go for the mapping of hEvent
// to the test's event and completion value).

func init() { registerEvidence(&wineAfd) }

const (
	whyAFDFields = "spec.API does not expose an AFD request's IO_STATUS_BLOCK or IOCTL_AFD_POLL's output"
	whyTerminate = "spec.Thread has only a normal exit, not TerminateThread; the test's rows with TerminateThread give the same result as its rows with a normal exit"
)

var wineAfd = evidenceSource{
	Name:       "wine-afd",
	Repo:       "Gcenx/winecx",
	Path:       "dlls/ws2_32/tests/afd.c",
	Version:    "crossover-wine-23.0.1",
	Commit:     "6a0fff9c3888951aeae69c9fdb44458e36905f42",
	CasePrefix: "afd/",
	Complete:   []string{"test_async_thread_termination"},
	Entries: []expectation{
		{Func: "test_poll", Line: 722, End: 723, Kind: kindOK, Checks: "AcceptEx with no connection waiting returns FALSE with ERROR_IO_PENDING", Case: "afd/poll-acceptex-takes-connection"},
		{Func: "test_poll", Line: 727, Kind: kindOK, Checks: "setup: a client connects to the listener", Case: "afd/poll-acceptex-takes-connection"},
		{Func: "test_poll", Line: 730, Kind: kindOK, Checks: "the AcceptEx event is signalled within 200 ms", Case: "afd/poll-acceptex-takes-connection"},
		{Func: "test_poll", Line: 732, End: 733, Kind: kindOK, Checks: "GetOverlappedResult(listener, no wait) succeeds with 0 bytes", Case: "afd/poll-acceptex-takes-connection"},
		{Func: "test_poll", Line: 736, Kind: kindOK, Checks: "an AFD_POLL_ACCEPT poll pending on the listener is not signalled: AcceptEx took the connection", Case: "afd/poll-acceptex-takes-connection"},
		{Func: "test_poll", Line: 743, Kind: kindOK, Checks: "setup: a second client connects", Case: "afd/poll-acceptex-takes-connection"},
		{Func: "test_poll", Line: 746, Kind: kindOK, Checks: "now the poll is signalled within 200 ms", Case: "afd/poll-acceptex-takes-connection"},
		{Func: "test_poll", Line: 747, End: 752, Kind: kindOK, Checks: "the poll's IO_STATUS_BLOCK and output name the listener with AFD_POLL_ACCEPT", Why: whyAFDFields},
		{Func: "test_poll", Line: 755, Kind: kindOK, Checks: "accept() takes the second connection", Case: "afd/poll-acceptex-takes-connection"},

		{Func: "test_async_thread_termination", Line: 2520, Kind: kindOK, Checks: "setup: bind the listener to 127.0.0.1", Case: "afd/thread-exit-cancels-event"},
		{Func: "test_async_thread_termination", Line: 2522, Kind: kindOK, Checks: "setup: listen", Case: "afd/thread-exit-cancels-event"},
		{Func: "test_async_thread_termination", Line: 2541, Kind: kindOK, Checks: "no port: the request issued on the thread returns STATUS_PENDING (event and completion value: hEvent an event)", Case: "afd/thread-exit-cancels-event"},
		{Func: "test_async_thread_termination", Line: 2541, Kind: kindOK, Checks: "the same, no event, a completion value (hEvent NULL)", Case: "afd/thread-exit-cancels-null-event"},
		{Func: "test_async_thread_termination", Line: 2541, Kind: kindOK, Checks: "the same, an event, no completion value (hEvent = event|1)", Case: "afd/thread-exit-cancels-event-low-bit"},
		{Func: "test_async_thread_termination", Line: 2541, Kind: kindOK, Checks: "the same, neither (hEvent = 1)", Case: "afd/thread-exit-cancels-hevent-one"},
		{Func: "test_async_thread_termination", Line: 2542, Kind: kindOK, Checks: "no port: after the thread exits the request is canceled (STATUS_CANCELLED), hEvent an event", Case: "afd/thread-exit-cancels-event"},
		{Func: "test_async_thread_termination", Line: 2542, Kind: kindOK, Checks: "the same with hEvent NULL", Case: "afd/thread-exit-cancels-null-event"},
		{Func: "test_async_thread_termination", Line: 2542, Kind: kindOK, Checks: "the same with hEvent = event|1", Case: "afd/thread-exit-cancels-event-low-bit"},
		{Func: "test_async_thread_termination", Line: 2542, Kind: kindOK, Checks: "the same with hEvent = 1", Case: "afd/thread-exit-cancels-hevent-one"},
		{Func: "test_async_thread_termination", Line: 2542, Kind: kindOK, Clause: spec.ClauseRemThreadExit, Checks: "the same for the rows with an APC routine", Why: whyAPC},
		{Func: "test_async_thread_termination", Line: 2542, Kind: kindOK, Clause: spec.ClauseRemThreadExit, Checks: "the same when the thread is killed with TerminateThread", Why: whyTerminate},
		{Func: "test_async_thread_termination", Line: 2546, Kind: kindOK, Checks: "the canceled request's event is signalled within 1 s", Case: "afd/thread-exit-cancels-event"},
		{Func: "test_async_thread_termination", Line: 2546, Kind: kindOK, Checks: "the same with hEvent = event|1", Case: "afd/thread-exit-cancels-event-low-bit"},
		{Func: "test_async_thread_termination", Line: 2552, Kind: kindOK, Clause: spec.ClauseRemThreadExit, Checks: "no APC of a canceled request ran", Why: whyAPC},
		{Func: "test_async_thread_termination", Line: 2566, Kind: kindOK, Clause: spec.ClauseGapCompletionPort, Checks: "on a port-associated handle a request with an APC routine fails STATUS_INVALID_PARAMETER", Why: whyAPC},
		{Func: "test_async_thread_termination", Line: 2570, Kind: kindOK, Checks: "on a port: the request returns STATUS_PENDING, hEvent an event", Case: "afd/port-thread-exit-cancels-event"},
		{Func: "test_async_thread_termination", Line: 2570, Kind: kindOK, Checks: "the same with hEvent = event|1", Case: "afd/port-thread-exit-cancels-event-low-bit"},
		{Func: "test_async_thread_termination", Line: 2570, Kind: kindOK, Checks: "the same with hEvent = 1", Case: "afd/port-thread-exit-cancels-hevent-one"},
		{Func: "test_async_thread_termination", Line: 2570, Kind: kindOK, Checks: "the same with hEvent NULL", Case: "afd/port-thread-exit-spares-null-event"},
		{Func: "test_async_thread_termination", Line: 2573, Kind: kindOK, Checks: "on a port, a request with an event or without a completion value is canceled at thread exit: hEvent an event", Case: "afd/port-thread-exit-cancels-event"},
		{Func: "test_async_thread_termination", Line: 2573, Kind: kindOK, Checks: "the same with hEvent = event|1", Case: "afd/port-thread-exit-cancels-event-low-bit"},
		{Func: "test_async_thread_termination", Line: 2573, Kind: kindOK, Checks: "the same with hEvent = 1", Case: "afd/port-thread-exit-cancels-hevent-one"},
		{Func: "test_async_thread_termination", Line: 2573, Kind: kindOK, Checks: "the same rule for DisconnectEx(TF_REUSE_SOCKET) with hEvent = event|1 (inferred: the rule is per request, not per IOCTL)", Case: "afd/port-thread-exit-cancels-disconnectex-event-low-bit"},
		{Func: "test_async_thread_termination", Line: 2573, Kind: kindOK, Checks: "the same for DisconnectEx with hEvent = 1", Case: "afd/port-thread-exit-cancels-disconnectex-hevent-one"},
		{Func: "test_async_thread_termination", Line: 2580, End: 2583, Kind: kindOK, Checks: "with a completion value the canceled request queues a packet: key 0, value the OVERLAPPED, STATUS_CANCELLED", Case: "afd/port-thread-exit-cancels-event"},
		{Func: "test_async_thread_termination", Line: 2587, Kind: kindOK, Checks: "without a completion value nothing is queued (hEvent = event|1)", Case: "afd/port-thread-exit-cancels-event-low-bit"},
		{Func: "test_async_thread_termination", Line: 2587, Kind: kindOK, Checks: "the same with hEvent = 1", Case: "afd/port-thread-exit-cancels-hevent-one"},
		{Func: "test_async_thread_termination", Line: 2587, Kind: kindOK, Checks: "the same for DisconnectEx with hEvent = event|1", Case: "afd/port-thread-exit-cancels-disconnectex-event-low-bit"},
		{Func: "test_async_thread_termination", Line: 2587, Kind: kindOK, Checks: "the same for DisconnectEx with hEvent = 1", Case: "afd/port-thread-exit-cancels-disconnectex-hevent-one"},
		{Func: "test_async_thread_termination", Line: 2594, Kind: kindOK, Checks: "on a port, a request with a completion value and no event (hEvent NULL) survives its thread: its status is untouched", Case: "afd/port-thread-exit-spares-null-event"},
		{Func: "test_async_thread_termination", Line: 2599, Kind: kindOK, Checks: "and no packet is queued", Case: "afd/port-thread-exit-spares-null-event"},
		{Func: "test_async_thread_termination", Line: 2602, End: 2605, Kind: kindOK, Checks: "CancelIoEx(listener, NULL) then queues its packet: key 0, value the OVERLAPPED, STATUS_CANCELLED", Case: "afd/port-thread-exit-spares-null-event"},
	},
}
