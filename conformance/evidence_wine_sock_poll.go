package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of sock.c's test_WSAPoll (Gcenx/winecx,
// crossover-wine-23.0.1; see evidence_wine_sock.go for the pin). The
// check_poll* lines are checks: the macros' ok_ reports at the caller's
// line. Each asks WSAPoll about one socket for 1 s and checks the count
// (1 exactly when revents is nonzero) and revents; spec.API's Poll gives
// the revents alone, which the cases check.

const (
	whyPollArray   = "spec.API's Poll takes one socket: no array to pass NULL, a count, or several descriptors in"
	whyOOB         = "spec.API has no MSG_OOB or SO_OOBINLINE"
	whyPollClose   = "the check needs a second thread that closes the socket while WSAPoll waits; the suite's cases make their calls from one goroutine"
	whyPollIfZero  = "inside if (0): never run (the test says the kernel's buffering makes it unreliable)"
	whyInteractive = "runs only with winetest_interactive (on Windows the refused connect takes over 2 s to show) and needs FIONBIO and SO_ERROR"
)

const pollCountNote = " (and the count 1)"

var wineSockPoll = []expectation{
	{Func: "test_WSAPoll", Line: 7765, Kind: kindWinSkip, Clause: spec.ClauseRequirements, Checks: "the test skips where ws2_32 has no WSAPoll: before Vista", Why: "a difference between Windows versions; spec.API's Poll is WSAPoll"},
	{Func: "test_WSAPoll", Line: 7773, End: 7789, Kind: kindOK, Clause: spec.ClauseGapShutdownSend, Checks: "WSAPoll(NULL, 0, t) fails WSAEINVAL and WSAPoll(NULL, 1, t) fails WSAEFAULT, for timeouts 0 and 1", Why: whyPollArray},
	{Func: "test_WSAPoll", Line: 7804, Kind: kindTodoWine, Checks: "WSAPoll on a listener with any one of 13 bits other than POLLRDNORM, POLLRDBAND and POLLWRNORM in events (POLLPRI and POLLWRBAND among them) returns -1", Case: "wine-poll/listener-refuses-events"},
	{Func: "test_WSAPoll", Line: 7805, Kind: kindTodoWine, Checks: "with WSAEINVAL", Case: "wine-poll/listener-refuses-events"},
	{Func: "test_WSAPoll", Line: 7813, End: 7814, Kind: kindOK, Checks: "WSAPoll(listener, RDNORM|RDBAND|WRNORM, 0) with nothing pending returns 0 with revents 0", Case: "wine-poll/listener-idle"},
	{Func: "test_WSAPoll", Line: 7824, End: 7866, Kind: kindOK, Clause: spec.ClauseGapBadHandle, Checks: "with several descriptors, an invalid one (-1 or 0xabacab) gets POLLNVAL and does not fail the call unless all are invalid (WSAENOTSOCK); POLLERR asked for on one fails WSAEINVAL (todo_wine at 7850-7853)", Why: whyPollArray},
	{Func: "test_WSAPoll", Line: 7875, End: 7876, Kind: kindOK, Checks: "with a connection waiting, WSAPoll(listener, POLLIN, 100 ms) returns 1 with POLLRDNORM", Case: "wine-poll/listener-backlog-readable"},
	{Func: "test_WSAPoll", Line: 7880, End: 7881, Kind: kindOK, Checks: "so does WSAPoll(listener, POLLIN, 0)", Case: "wine-poll/listener-backlog-readable"},
	{Func: "test_WSAPoll", Line: 7886, End: 7887, Kind: kindOK, Checks: "WSAPoll(listener, RDBAND|WRNORM, 0) returns 0 with revents 0", Case: "wine-poll/listener-backlog-readable"},
	{Func: "test_WSAPoll", Line: 7890, Kind: kindOK, Checks: "setup: accept takes the connection (both ends then non-blocking)", Case: "wine-poll/connected-refuses-events"},
	{Func: "test_WSAPoll", Line: 7901, Kind: kindTodoWine, Checks: "WSAPoll on the accepted socket with any one of the 13 invalid bits returns -1", Case: "wine-poll/connected-refuses-events"},
	{Func: "test_WSAPoll", Line: 7902, Kind: kindTodoWine, Checks: "with WSAEINVAL", Case: "wine-poll/connected-refuses-events"},
	{Func: "test_WSAPoll", Line: 7917, Kind: kindOK, Clause: spec.ClauseGapShutdownSend, Checks: "WSAPoll of listener, server and client together returns 2", Why: whyPollArray},
	{Func: "test_WSAPoll", Line: 7918, End: 7920, Kind: kindOK, Checks: "the listener reports nothing, server and client POLLWRNORM (the case polls each alone)", Case: "wine-poll/connected-writable"},
	{Func: "test_WSAPoll", Line: 7925, Kind: kindOK, Checks: "setup: the server sends 4 bytes", Case: "wine-poll/data-readable"},
	{Func: "test_WSAPoll", Line: 7927, Kind: kindOK, Checks: "the client with data waiting reports POLLRDNORM for POLLIN" + pollCountNote, Case: "wine-poll/data-readable"},
	{Func: "test_WSAPoll", Line: 7928, Kind: kindOK, Checks: "and POLLRDNORM|POLLWRNORM for all events" + pollCountNote, Case: "wine-poll/data-readable"},
	{Func: "test_WSAPoll", Line: 7929, Kind: kindOK, Checks: "the server reports POLLWRNORM" + pollCountNote, Case: "wine-poll/data-readable"},
	{Func: "test_WSAPoll", Line: 7932, Kind: kindOK, Checks: "the client receives the 4 bytes", Case: "wine-poll/data-readable"},
	{Func: "test_WSAPoll", Line: 7934, End: 7935, Kind: kindOK, Checks: "then client and server report POLLWRNORM only" + pollCountNote, Case: "wine-poll/data-readable"},
	{Func: "test_WSAPoll", Line: 7946, End: 7952, Kind: kindOK, Clause: spec.ClauseGapShutdownSend, Checks: "with the send buffer full the server reports nothing and the client POLLWRNORM|POLLRDNORM; drained, both POLLWRNORM", Why: whyPollIfZero},
	{Func: "test_WSAPoll", Line: 7960, End: 7992, Kind: kindOK, Clause: spec.ClauseGapShutdownSend, Checks: "out-of-band data: POLLRDBAND while it waits, POLLRDNORM with SO_OOBINLINE, nothing once read (todo_wine at 7992)", Why: whyOOB},
	{Func: "test_WSAPoll", Line: 7997, Kind: kindOK, Checks: "shutdown(client, SD_RECEIVE) succeeds (the test's connection has been through the OOB checks; the case's is fresh)", Case: "wine-poll/after-shutdown"},
	{Func: "test_WSAPoll", Line: 7999, Kind: kindOK, Checks: "the client then reports POLLWRNORM" + pollCountNote, Case: "wine-poll/after-shutdown"},
	{Func: "test_WSAPoll", Line: 8000, Kind: kindTodoWine, Checks: "the server reports POLLWRNORM (Wine differs there after the OOB checks; on the case's fresh connection Wine 8.0 agrees)" + pollCountNote, Case: "wine-poll/after-shutdown"},
	{Func: "test_WSAPoll", Line: 8003, Kind: kindOK, Checks: "shutdown(client, SD_SEND) succeeds", Case: "wine-poll/after-shutdown"},
	{Func: "test_WSAPoll", Line: 8005, Kind: kindOK, Checks: "the client, both directions shut, still reports POLLWRNORM" + pollCountNote, Case: "wine-poll/after-shutdown"},
	{Func: "test_WSAPoll", Line: 8006, Kind: kindTodoWine, Checks: "the server, with the client's FIN in, reports POLLHUP for events 0 (on the fresh connection Wine 8.0 agrees)" + pollCountNote, Case: "wine-poll/after-shutdown"},
	{Func: "test_WSAPoll", Line: 8007, Kind: kindTodoWine, Checks: "and POLLWRNORM|POLLHUP for all events: no POLLRDNORM for the FIN" + pollCountNote, Case: "wine-poll/after-shutdown"},
	{Func: "test_WSAPoll", Line: 8016, End: 8018, Kind: kindOK, Checks: "setup: a new client connects and is accepted", Case: "wine-poll/peer-closed"},
	{Func: "test_WSAPoll", Line: 8022, Kind: kindOK, Checks: "after closesocket(client) the server reports POLLHUP for events 0" + pollCountNote, Case: "wine-poll/peer-closed"},
	{Func: "test_WSAPoll", Line: 8023, Kind: kindOK, Checks: "and POLLWRNORM|POLLHUP for all events: the FIN is not POLLRDNORM" + pollCountNote, Case: "wine-poll/peer-closed"},
	{Func: "test_WSAPoll", Line: 8031, End: 8033, Kind: kindOK, Checks: "setup: a new client connects and is accepted", Case: "wine-poll/shutdown-with-data"},
	{Func: "test_WSAPoll", Line: 8036, Kind: kindOK, Checks: "the client sends 5 bytes", Case: "wine-poll/shutdown-with-data"},
	{Func: "test_WSAPoll", Line: 8038, End: 8040, Kind: kindOK, Checks: "the client reports POLLWRNORM; the server POLLRDNORM for POLLIN and POLLWRNORM|POLLRDNORM for all" + pollCountNote, Case: "wine-poll/shutdown-with-data"},
	{Func: "test_WSAPoll", Line: 8044, Kind: kindOK, Checks: "after shutdown(client, SD_SEND) (its result unchecked) the client reports POLLWRNORM" + pollCountNote, Case: "wine-poll/shutdown-with-data"},
	{Func: "test_WSAPoll", Line: 8045, Kind: kindTodoWine, Checks: "the server, data and FIN waiting, reports POLLHUP for events 0 (Wine reports nothing)" + pollCountNote, Case: "wine-poll/shutdown-with-data"},
	{Func: "test_WSAPoll", Line: 8046, Kind: kindTodoWine, Checks: "and POLLWRNORM|POLLRDNORM|POLLHUP for all events (Wine: no POLLHUP)" + pollCountNote, Case: "wine-poll/shutdown-with-data"},
	{Func: "test_WSAPoll", Line: 8060, End: 8063, Kind: kindOK, Clause: spec.ClauseGapBadHandle, Checks: "a WSAPoll waiting on a socket that another thread closes after 500 ms returns 1 with POLLNVAL", Why: whyPollClose},
	{Func: "test_WSAPoll", Line: 8087, End: 8127, Kind: kindOK, Clause: spec.ClauseGapShutdownSend, Checks: "a refused non-blocking connect: WSAPoll reports POLLWRNORM|POLLHUP|POLLERR (todo_wine), SO_ERROR is WSAECONNREFUSED twice; after a refused blocking connect the same events and SO_ERROR 0 (todo_wine)", Why: whyInteractive},
	{Func: "test_WSAPoll", Line: 8139, End: 8140, Kind: kindOK, Checks: "two unbound UDP sockets report POLLWRNORM" + pollCountNote, Case: "wine-poll/udp-writable"},
	{Func: "test_WSAPoll", Line: 8143, End: 8146, Kind: kindOK, Checks: "setup: one is bound to 127.0.0.1:0 and named", Case: "wine-poll/udp-writable"},
	{Func: "test_WSAPoll", Line: 8148, End: 8149, Kind: kindOK, Checks: "both still report POLLWRNORM" + pollCountNote, Case: "wine-poll/udp-writable"},
	{Func: "test_WSAPoll", Line: 8152, End: 8156, Kind: kindOK, Checks: "after a 5-byte sendto to it the bound socket reports POLLRDNORM (POLLIN) and POLLWRNORM|POLLRDNORM, the sender POLLWRNORM (the case sends with connect and send: spec.API has no sendto)", Case: "wine-poll/udp-readable"},
}
