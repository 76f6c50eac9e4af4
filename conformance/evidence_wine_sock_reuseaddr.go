package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of sock.c's test_reuseaddr (Gcenx/winecx,
// crossover-wine-23.0.1; see evidence_wine_sock.go for the pin). Its loop
// over tests[] runs each check for AF_INET and for AF_INET6; the cases do
// the same. The table's rows that need IPV6_V6ONLY off are not run
// (whyDualStack).

// whyDualStack: the SO_EXCLUSIVEADDRUSE table's rows with an AF_INET6
// socket turn IPV6_V6ONLY off, which spec.API cannot do; so do
// test_ipv6only's binds in its second half.
const whyDualStack = "spec.API cannot turn IPV6_V6ONLY off: the dual-stack binds (an AF_INET6 socket on a v4-mapped or the unspecified address beside an AF_INET one: the table's rows in test_reuseaddr, the second half of test_ipv6only) are not run"

var wineSockReuseaddr = []expectation{
	{Func: "test_reuseaddr", Line: 2175, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "setup for the SO_EXCLUSIVEADDRUSE table: inet_pton of ::ffff:127.0.0.1 succeeds", Why: whyDualStack},
	{Func: "test_reuseaddr", Line: 2179, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "setup for the SO_EXCLUSIVEADDRUSE table: inet_pton of ::ffff:0.0.0.0 succeeds", Why: whyDualStack},
	{Func: "test_reuseaddr", Line: 2187, End: 2197, Kind: kindOK, Checks: "setup: a socket bound to the loopback address, and a second with SO_REUSEADDR set", Case: "wine-reuseaddr/reuse-second-only"},
	{Func: "test_reuseaddr", Line: 2200, End: 2201, Kind: kindOK, Checks: "with SO_REUSEADDR on the second socket only, its bind to the same loopback address and port fails WSAEACCES", Case: "wine-reuseaddr/reuse-second-only"},
	{Func: "test_reuseaddr", Line: 2208, End: 2218, Kind: kindOK, Checks: "setup: a socket with SO_REUSEADDR bound to the loopback address, and a second socket", Case: "wine-reuseaddr/reuse-both"},
	{Func: "test_reuseaddr", Line: 2223, Kind: kindOK, Checks: "getsockopt(SO_REUSEADDR) of a new socket succeeds with 0", Case: "wine-reuseaddr/reuse-both"},
	{Func: "test_reuseaddr", Line: 2226, Kind: kindOK, Checks: "without SO_REUSEADDR the second socket cannot bind the first one's loopback address and port (the error is not checked)", Case: "wine-reuseaddr/reuse-both"},
	{Func: "test_reuseaddr", Line: 2230, End: 2236, Kind: kindOK, Checks: "with SO_REUSEADDR set on it too, the same bind succeeds", Case: "wine-reuseaddr/reuse-both"},
	{Func: "test_reuseaddr", Line: 2240, Kind: kindOK, Checks: "the first of the two sockets on one address and port listens", Case: "wine-reuseaddr/reuse-both"},
	{Func: "test_reuseaddr", Line: 2242, Kind: kindTodoWine, Checks: "and so does the second", Case: "wine-reuseaddr/reuse-both"},
	{Func: "test_reuseaddr", Line: 2244, End: 2249, Kind: kindOK, Checks: "a connection to that address and port is accepted on the first listener", Case: "wine-reuseaddr/reuse-both"},
	{Func: "test_reuseaddr", Line: 2258, End: 2264, Kind: kindOK, Checks: "setup: a socket bound to the unspecified address listens", Case: "wine-reuseaddr/any-then-loopback"},
	{Func: "test_reuseaddr", Line: 2267, Kind: kindOK, Checks: "setup: a second socket", Case: "wine-reuseaddr/any-then-loopback"},
	{Func: "test_reuseaddr", Line: 2270, Kind: kindTodoWine, Checks: "without any option the second binds the loopback address on the same port", Case: "wine-reuseaddr/any-then-loopback"},
	{Func: "test_reuseaddr", Line: 2273, Kind: kindTodoWine, Checks: "and listens there", Case: "wine-reuseaddr/any-then-loopback"},
	{Func: "test_reuseaddr", Line: 2276, End: 2279, Kind: kindOK, Checks: "a third socket connects to the loopback address and port", Case: "wine-reuseaddr/any-then-loopback"},
	{Func: "test_reuseaddr", Line: 2283, Kind: kindTodoWine, Checks: "the connection is accepted on the listener on the loopback address, not on the unspecified one", Case: "wine-reuseaddr/any-then-loopback"},
	{Func: "test_reuseaddr", Line: 2293, End: 2302, Kind: kindOK, Checks: "setup: a socket bound to the loopback address listens, and a second socket", Case: "wine-reuseaddr/loopback-then-any"},
	{Func: "test_reuseaddr", Line: 2305, Kind: kindTodoWine, Checks: "without any option the second binds the unspecified address on the same port", Case: "wine-reuseaddr/loopback-then-any"},
	{Func: "test_reuseaddr", Line: 2308, Kind: kindTodoWine, Checks: "and listens there", Case: "wine-reuseaddr/loopback-then-any"},
	{Func: "test_reuseaddr", Line: 2311, End: 2314, Kind: kindOK, Checks: "a third socket connects to the loopback address and port", Case: "wine-reuseaddr/loopback-then-any"},
	{Func: "test_reuseaddr", Line: 2318, Kind: kindOK, Checks: "the connection is accepted on the listener on the loopback address, which bound first", Case: "wine-reuseaddr/loopback-then-any"},
	{Func: "test_reuseaddr", Line: 2327, End: 2333, Kind: kindOK, Checks: "setup: a socket bound to the unspecified address, and a second socket", Case: "wine-reuseaddr/any-twice"},
	{Func: "test_reuseaddr", Line: 2336, Kind: kindOK, Checks: "the second socket's bind to the unspecified address on the same port fails WSAEADDRINUSE", Case: "wine-reuseaddr/any-twice"},
	{Func: "test_reuseaddr", Line: 2346, End: 2350, Kind: kindOK, Checks: "setup: SO_REUSEADDR is set on a new socket", Case: "wine-reuseaddr/exclusive-with-reuse"},
	{Func: "test_reuseaddr", Line: 2354, Kind: kindOK, Checks: "SO_EXCLUSIVEADDRUSE on a socket with SO_REUSEADDR fails WSAEINVAL", Case: "wine-reuseaddr/exclusive-with-reuse"},
	{Func: "test_reuseaddr", Line: 2361, Kind: kindOK, Checks: "with SO_REUSEADDR cleared, SO_EXCLUSIVEADDRUSE can be set", Case: "wine-reuseaddr/exclusive-with-reuse"},
	{Func: "test_reuseaddr", Line: 2365, Kind: kindOK, Checks: "then SO_REUSEADDR fails WSAEINVAL", Case: "wine-reuseaddr/exclusive-with-reuse"},
	{Func: "test_reuseaddr", Line: 2379, End: 2395, Kind: kindOK, Checks: "setup of each row of the SO_EXCLUSIVEADDRUSE table: sockets made, the option and IPV6_V6ONLY set as the row says, the first bind succeeds (the case runs the nine rows of two AF_INET sockets; the dual-stack rows need IPV6_V6ONLY off, which spec.API cannot set)", Case: "wine-reuseaddr/exclusive-table"},
	{Func: "test_reuseaddr", Line: 2400, End: 2403, Kind: kindOK, Checks: "the second bind fails with the row's error (WSAEACCES when the first socket on the unspecified address has SO_EXCLUSIVEADDRUSE; WSAEADDRINUSE for the same address, or for the unspecified address with SO_EXCLUSIVEADDRUSE beside a specific one) or succeeds", Case: "wine-reuseaddr/exclusive-table"},
}
