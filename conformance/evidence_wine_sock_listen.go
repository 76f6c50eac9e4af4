package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of sock.c's test_listen and test_accept (Gcenx/winecx,
// crossover-wine-23.0.1; see evidence_wine_sock.go for the pin).
// test_listen binds the fixed port SERVERPORT; its case binds port 0 and
// uses the port it was given. test_accept runs one listener through a
// series of connectors, most of them taken with WSAAccept or with
// address arguments spec.API's Accept cannot pass (whyWSAAccept,
// whyAcceptAddr).

// whyAcceptConn: SO_ACCEPTCONN is neither read nor settable through
// spec.API (SetBindOption refuses every option but the two bind options
// itself, before any setsockopt, so a case could not fail).
const whyAcceptConn = "spec.API has no getsockopt or setsockopt of SO_ACCEPTCONN (SetBindOption refuses any option but SO_REUSEADDR and SO_EXCLUSIVEADDRUSE before calling setsockopt)"

// whyWSAAccept: WSAAccept, with or without a condition function.
const whyWSAAccept = "spec.API has no WSAAccept: no condition function (CF_DEFER), and no WSAAccept address arguments"

// whyAcceptAddr: spec.API's Accept always passes accept() a full
// SOCKADDR_STORAGE and its length and returns the parsed peer address.
const whyAcceptAddr = "spec.API's Accept always passes a SOCKADDR_STORAGE with its full length and returns only the parsed address: a NULL or too-short address argument, a NULL length, and the length accept writes back cannot be expressed"

var wineSockListen = []expectation{
	// test_listen
	{Func: "test_listen", Line: 3848, End: 3850, Kind: kindOK, Checks: "listen on socket handle 0 fails WSAENOTSOCK", Case: "wine-listen/invalid-socket"},
	{Func: "test_listen", Line: 3853, End: 3855, Kind: kindOK, Checks: "listen on handle 0xdeadbeef fails WSAENOTSOCK", Case: "wine-listen/invalid-socket"},
	{Func: "test_listen", Line: 3859, Kind: kindOK, Checks: "setup: socket A (AF_INET, SOCK_STREAM, protocol 0)", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3862, Kind: kindOK, Checks: "setup: socket B, the same kind", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3865, End: 3867, Kind: kindOK, Checks: "listen on the unbound socket A with a backlog of -2 fails WSAEINVAL", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3870, End: 3872, Kind: kindOK, Checks: "and with a backlog of 1, WSAEINVAL", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3875, End: 3877, Kind: kindOK, Checks: "and with SOMAXCONN, WSAEINVAL", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3879, Kind: kindOK, Checks: "after those failures A binds to 127.0.0.1 (the case on port 0, the test on SERVERPORT)", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3882, Kind: kindOK, Checks: "B's bind to the same address and port, where A is bound but not listening, fails (the error is not checked; the case logs it)", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3883, Kind: kindOK, Checks: "re-reads the variable still holding the WSAEINVAL of listen(SOMAXCONN) on the unbound socket (lines 3875-3877), not the bind's error: nothing new, and the case checks that listen", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3887, End: 3888, Kind: kindOK, Checks: "getsockopt(SO_ACCEPTCONN) of the bound, not listening socket succeeds with 0", Why: whyAcceptConn, Clause: spec.ClauseGapListening},
	{Func: "test_listen", Line: 3893, End: 3894, Kind: kindOK, Checks: "setsockopt(SO_ACCEPTCONN, 1) fails WSAENOPROTOOPT (the option is read-only)", Why: whyAcceptConn, Clause: spec.ClauseGapListening},
	{Func: "test_listen", Line: 3899, End: 3900, Kind: kindOK, Checks: "setsockopt(SO_ACCEPTCONN, 0) fails WSAENOPROTOOPT", Why: whyAcceptConn, Clause: spec.ClauseGapListening},
	{Func: "test_listen", Line: 3902, Kind: kindOK, Checks: "listen on the bound A with a backlog of 0 succeeds", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3903, Kind: kindOK, Checks: "a second listen on A, now with SOMAXCONN, succeeds too", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3907, End: 3908, Kind: kindOK, Checks: "getsockopt(SO_ACCEPTCONN) of the listening socket succeeds with 1", Why: whyAcceptConn, Clause: spec.ClauseGapListening},
	{Func: "test_listen", Line: 3913, End: 3914, Kind: kindOK, Checks: "on the listening socket setsockopt(SO_ACCEPTCONN, 1) fails WSAENOPROTOOPT", Why: whyAcceptConn, Clause: spec.ClauseGapListening},
	{Func: "test_listen", Line: 3919, End: 3920, Kind: kindOK, Checks: "and setsockopt(SO_ACCEPTCONN, 0) fails WSAENOPROTOOPT", Why: whyAcceptConn, Clause: spec.ClauseGapListening},
	{Func: "test_listen", Line: 3923, End: 3925, Kind: kindOK, Checks: "listen on B, whose bind failed and which is therefore unbound, fails WSAEINVAL", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3928, Kind: kindOK, Checks: "closesocket(B) succeeds", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3931, Kind: kindOK, Checks: "setup: a new socket B", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3934, End: 3936, Kind: kindOK, Checks: "its bind to the address and port A listens on fails WSAEADDRINUSE", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3939, Kind: kindOK, Checks: "closesocket(A), the listener, succeeds", Case: "wine-listen/unbound-bound-listening"},
	{Func: "test_listen", Line: 3941, Kind: kindOK, Checks: "closesocket(new B) succeeds", Case: "wine-listen/unbound-bound-listening"},

	// test_accept
	{Func: "test_accept", Line: 4646, Kind: kindOK, Checks: "WSAAccept with a condition function returning CF_DEFER fails WSATRY_AGAIN for a waiting connection", Why: whyWSAAccept, Clause: spec.ClauseFlagReuseTarget},
	{Func: "test_accept", Line: 4649, Kind: kindOK, Checks: "accept(NULL, NULL) then takes the deferred connection", Why: whyWSAAccept, Clause: spec.ClauseFlagReuseTarget},
	{Func: "test_accept", Line: 4660, Kind: kindOK, Checks: "closesocket of the listener succeeds while another thread waits in accept on it (after a 200 ms pause, as the case)", Case: "wine-accept/close-wakes-accept"},
	{Func: "test_accept", Line: 4663, Kind: kindOK, Checks: "the accept waiting on the other thread returns INVALID_SOCKET within the test's 1 s wait for the thread (the error is not checked; the case wants an error code rather than a backend failure such as a deadlock, and logs it, and has no 1 s bound of its own: its wall-time limit catches an accept that stays blocked; the check passes as well if the close beat the thread into accept)", Case: "wine-accept/close-wakes-accept"},
	{Func: "test_accept", Line: 4677, End: 4678, Kind: kindOK, Checks: "WSAAccept with an address buffer and a length of 0 fails WSAEFAULT and leaves the length 0", Why: whyWSAAccept, Clause: spec.ClauseFlagReuseTarget},
	{Func: "test_accept", Line: 4687, Kind: kindOK, Checks: "WSAAccept with no address and no condition function accepts the next connection", Why: whyWSAAccept, Clause: spec.ClauseFlagReuseTarget},
	{Func: "test_accept", Line: 4699, End: 4701, Kind: kindOK, Checks: "WSAAccept with a SOCKADDR_STORAGE accepts, writes back a length shorter than the buffer and sets the address family", Why: whyWSAAccept, Clause: spec.ClauseFlagReuseTarget},
	{Func: "test_accept", Line: 4712, End: 4713, Kind: kindOK, Checks: "accept with an address buffer and a length of 0 fails WSAEFAULT and leaves the length 0", Why: whyAcceptAddr, Clause: spec.ClauseFlagReuseTarget},
	{Func: "test_accept", Line: 4722, Kind: kindOK, Checks: "accept with a NULL address and a NULL length accepts the next connection", Why: whyAcceptAddr, Clause: spec.ClauseFlagReuseTarget},
	{Func: "test_accept", Line: 4734, Kind: kindOK, Checks: "accept with a SOCKADDR_STORAGE and its full length accepts a waiting connection", Case: "wine-accept/peer-family"},
	{Func: "test_accept", Line: 4735, Kind: kindOK, Checks: "the length it writes back is shorter than the buffer's (that of a sockaddr_in)", Why: whyAcceptAddr, Clause: spec.ClauseFlagReuseTarget},
	{Func: "test_accept", Line: 4736, Kind: kindOK, Checks: "the address it fills in has its family set (the case: an AF_INET address)", Case: "wine-accept/peer-family"},
	{Func: "test_accept", Line: 4748, End: 4749, Kind: kindOK, Checks: "accept with an address buffer but a NULL length accepts, and leaves the buffer untouched", Why: whyAcceptAddr, Clause: spec.ClauseFlagReuseTarget},
}
