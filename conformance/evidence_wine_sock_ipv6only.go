package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of sock.c's test_ipv6only (Gcenx/winecx,
// crossover-wine-23.0.1; see evidence_wine_sock.go for the pin). Its
// first half binds an AF_INET6 socket to [::]:SERVERPORT with IPV6_V6ONLY
// at its default and an AF_INET one to 0.0.0.0:SERVERPORT beside it, and
// reads and sets IPV6_V6ONLY on the AF_INET socket (Windows accepts the
// option there until the bind); its second half turns the option off on
// an AF_INET6 socket with SO_EXCLUSIVEADDRUSE, so that its bind to
// [::]:SERVERPORT+2 holds the IPv4 port too. The cases run the binds and
// options without IPV6_V6ONLY (whyV6Only); the dual-stack binds are not
// run (whyDualStack).

// whyV6Only: the option itself.
const whyV6Only = "spec.API has no getsockopt/setsockopt of IPV6_V6ONLY (SetBindOption and BindOption take SO_REUSEADDR and SO_EXCLUSIVEADDRUSE only): the option cannot be read, set, or seen refused, on an AF_INET6 socket or an AF_INET one"

var wineSockIPv6Only = []expectation{
	{Func: "test_ipv6only", Line: 6955, Kind: kindOK, Checks: "setup: socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) succeeds (where it fails, on a host without IPv6, the test skips the rest)", Case: "wine-ipv6only/v6only-default"},
	{Func: "test_ipv6only", Line: 6961, End: 6962, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "getsockopt(IPPROTO_IPV6, IPV6_V6ONLY) of the new AF_INET6 socket succeeds and gives 1: the option is on by default", Why: whyV6Only},
	{Func: "test_ipv6only", Line: 6965, Kind: kindOK, Checks: "the AF_INET6 socket binds [::]:SERVERPORT (the case: [::]:0, then the port it was given)", Case: "wine-ipv6only/v6only-default"},
	{Func: "test_ipv6only", Line: 6968, Kind: kindOK, Checks: "setup: socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) succeeds", Case: "wine-ipv6only/v6only-default"},
	{Func: "test_ipv6only", Line: 6973, End: 6974, Kind: kindTodoWine, Clause: spec.ClauseGapBindAddress, Checks: "getsockopt(IPPROTO_IPV6, IPV6_V6ONLY) of the new AF_INET socket succeeds and gives 1", Why: whyV6Only},
	{Func: "test_ipv6only", Line: 6980, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "setsockopt(IPV6_V6ONLY, 0) on the unbound AF_INET socket succeeds", Why: whyV6Only},
	{Func: "test_ipv6only", Line: 6985, End: 6986, Kind: kindTodoWine, Clause: spec.ClauseGapBindAddress, Checks: "then getsockopt(IPV6_V6ONLY) of it gives 0", Why: whyV6Only},
	{Func: "test_ipv6only", Line: 6992, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "setsockopt(IPV6_V6ONLY, 1) on it succeeds", Why: whyV6Only},
	{Func: "test_ipv6only", Line: 6996, Kind: kindOK, Checks: "the AF_INET socket binds 0.0.0.0:SERVERPORT beside the AF_INET6 socket on [::]:SERVERPORT, whose IPV6_V6ONLY is at its default, on (the test's AF_INET socket has had IPV6_V6ONLY set to 0 and back to 1, which spec.API cannot do; the case's is new)", Case: "wine-ipv6only/v6only-default"},
	{Func: "test_ipv6only", Line: 7001, End: 7002, Kind: kindTodoWine, Clause: spec.ClauseGapBindAddress, Checks: "after the bind getsockopt(IPV6_V6ONLY) of the AF_INET socket succeeds and gives 1", Why: whyV6Only},
	{Func: "test_ipv6only", Line: 7008, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "setsockopt(IPV6_V6ONLY, 0) on the bound AF_INET socket fails (the error is not checked)", Why: whyV6Only},
	{Func: "test_ipv6only", Line: 7013, End: 7014, Kind: kindTodoWine, Clause: spec.ClauseGapBindAddress, Checks: "and getsockopt(IPV6_V6ONLY) still gives 1", Why: whyV6Only},
	{Func: "test_ipv6only", Line: 7020, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "setsockopt(IPV6_V6ONLY, 1) on the bound AF_INET socket fails too", Why: whyV6Only},
	{Func: "test_ipv6only", Line: 7030, Kind: kindOK, Checks: "setup: after both sockets are closed, a new socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) succeeds", Case: "wine-ipv6only/bind-options"},
	{Func: "test_ipv6only", Line: 7035, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "setsockopt(IPV6_V6ONLY, 0) on the unbound AF_INET6 socket succeeds", Why: whyV6Only},
	{Func: "test_ipv6only", Line: 7039, End: 7040, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "then getsockopt(IPV6_V6ONLY) of it succeeds and gives 0", Why: whyV6Only},
	{Func: "test_ipv6only", Line: 7052, Kind: kindOK, Checks: "SO_EXCLUSIVEADDRUSE can be set on the unbound AF_INET6 socket (the test's has IPV6_V6ONLY off; the case's has it at its default, on)", Case: "wine-ipv6only/bind-options"},
	{Func: "test_ipv6only", Line: 7055, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "the dual-stack AF_INET6 socket with SO_EXCLUSIVEADDRUSE binds [::]:SERVERPORT+2", Why: whyDualStack},
	{Func: "test_ipv6only", Line: 7060, End: 7061, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "after the bind IPV6_V6ONLY of the AF_INET6 socket is still 0 (line 7060 tests the bind's result again; the getsockopt's own is not checked)", Why: whyV6Only},
	{Func: "test_ipv6only", Line: 7064, Kind: kindOK, Checks: "setup: socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) succeeds", Case: "wine-ipv6only/bind-options"},
	{Func: "test_ipv6only", Line: 7068, Kind: kindOK, Checks: "SO_REUSEADDR can be set on the unbound AF_INET socket", Case: "wine-ipv6only/bind-options"},
	{Func: "test_ipv6only", Line: 7072, End: 7073, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "its bind to 0.0.0.0:SERVERPORT+2, whose IPv4 port the dual-stack socket with SO_EXCLUSIVEADDRUSE holds, fails WSAEACCES, SO_REUSEADDR notwithstanding", Why: whyDualStack},
}
