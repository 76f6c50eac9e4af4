package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of sock.c's test_bind and test_getsockname (Gcenx/winecx,
// crossover-wine-23.0.1; see evidence_wine_sock.go for the pin). Both
// tests loop over the host's own addresses (test_bind over
// GetAdaptersAddresses, test_getsockname over gethostbyname("")); the
// cases run those loops for the loopback addresses only.

const (
	// whySockaddr: spec.API's Bind and Getsockname take and give a
	// netip.AddrPort, which the backend turns into a whole sockaddr of
	// the address's family.
	whySockaddr = "spec.API's Bind and Getsockname pass a whole sockaddr built from a netip.AddrPort and give back a netip.AddrPort: a NULL pointer, a length shorter than the family's sockaddr, an sa_family other than the address's, and the raw bytes written (the length, sin_zero, a buffer left untouched on failure) cannot be passed or seen"
	// whyAdapters: the adapter table itself.
	whyAdapters = "spec.API has no GetAdaptersAddresses: the cases bind the loopback adapter's addresses (127.0.0.1 and ::1), which every host lists, but cannot read the table"
)

// wineSockBind, which evidence_wine_sock.go lists, holds both functions'
// entries.
var wineSockBind = concatEvidence(wineSockTestBind, wineSockGetsockname)

var wineSockTestBind = []expectation{
	{Func: "test_bind", Line: 12136, End: 12137, Kind: kindOK, Clause: spec.ClauseErrFault, Checks: "bind with a NULL address and length 0 fails WSAEFAULT", Why: whySockaddr},
	{Func: "test_bind", Line: 12141, End: 12142, Kind: kindOK, Clause: spec.ClauseErrFault, Checks: "bind with a NULL address and the length of a sockaddr fails WSAEFAULT", Why: whySockaddr},
	{Func: "test_bind", Line: 12147, End: 12148, Kind: kindOK, Clause: spec.ClauseErrFault, Checks: "bind with an AF_INET sockaddr and length 0 fails WSAEFAULT", Why: whySockaddr},
	{Func: "test_bind", Line: 12153, End: 12154, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "bind with sa_family 0xdead fails WSAEAFNOSUPPORT", Why: whySockaddr},
	{Func: "test_bind", Line: 12158, End: 12159, Kind: kindOK, Clause: spec.ClauseErrFault, Checks: "bind with a sockaddr_in one byte short fails WSAEFAULT", Why: whySockaddr},
	{Func: "test_bind", Line: 12163, End: 12164, Kind: kindOK, Checks: "bind to 192.0.2.0, not a local address, fails WSAEADDRNOTAVAIL (the test's socket has seen the failed binds above first; the case's is new)", Case: "wine-bind/not-local"},
	{Func: "test_bind", Line: 12168, Kind: kindOK, Checks: "bind to 127.0.0.1:0 succeeds", Case: "wine-bind/twice-and-in-use"},
	{Func: "test_bind", Line: 12169, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "the successful bind sets the last error to 0 (Windows 7 and later; older ones leave it untouched)", Why: whyLastError},
	{Func: "test_bind", Line: 12173, End: 12174, Kind: kindOK, Checks: "a second bind of the bound socket to 127.0.0.1:0 fails WSAEINVAL", Case: "wine-bind/twice-and-in-use"},
	{Func: "test_bind", Line: 12178, Kind: kindOK, Checks: "getsockname of the bound socket succeeds", Case: "wine-bind/twice-and-in-use"},
	{Func: "test_bind", Line: 12184, End: 12185, Kind: kindOK, Checks: "a second TCP socket's bind to that name (127.0.0.1 and the port given) fails WSAEADDRINUSE", Case: "wine-bind/twice-and-in-use"},
	{Func: "test_bind", Line: 12194, Kind: kindOK, Checks: "a UDP socket binds 127.0.0.1:0", Case: "wine-bind/udp"},
	{Func: "test_bind", Line: 12195, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "and the last error is then 0 (Windows 7 and later)", Why: whyLastError},
	{Func: "test_bind", Line: 12200, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "setup: GetAdaptersAddresses with no buffer fails ERROR_BUFFER_OVERFLOW and gives the size", Why: whyAdapters},
	{Func: "test_bind", Line: 12203, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "setup: GetAdaptersAddresses with a buffer of that size succeeds", Why: whyAdapters},
	{Func: "test_bind", Line: 12214, Kind: kindOK, Checks: "for each unicast address of each adapter, a TCP socket of its family is made (the case: the loopback adapter's 127.0.0.1 and ::1)", Case: "wine-bind/adapter-loopback"},
	{Func: "test_bind", Line: 12217, Kind: kindOK, Checks: "and binds that address, as the table gives it (port 0, its scope id), successfully (the case: 127.0.0.1 and ::1, scope 0)", Case: "wine-bind/adapter-loopback"},
	{Func: "test_bind", Line: 12227, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "an IPv6 adapter address comes with the length of a sockaddr_in6", Why: whyAdapters},
	{Func: "test_bind", Line: 12231, Kind: kindOK, Checks: "for an IPv6 address, a second TCP socket is made (the case: for ::1)", Case: "wine-bind/ipv6-unknown-scope"},
	{Func: "test_bind", Line: 12234, End: 12235, Kind: kindOK, Clause: spec.ClauseErrFault, Checks: "its bind with the length of the old sockaddr_in6 (without sin6_scope_id) fails WSAEFAULT", Why: whySockaddr},
	{Func: "test_bind", Line: 12241, End: 12242, Kind: kindTodoWine, Checks: "its bind to the address with scope id 0xabacab, which no interface has, fails WSAEADDRNOTAVAIL (todo_wine only for addresses of scope 0, ::1 among them: Wine binds)", Case: "wine-bind/ipv6-unknown-scope"},
	{Func: "test_bind", Line: 12248, Kind: kindTodoWine, Checks: "then its bind to the address with scope id 0 succeeds (todo_wine for addresses of scope 0: Wine's socket is already bound)", Case: "wine-bind/ipv6-unknown-scope"},
	{Func: "test_bind", Line: 12254, End: 12255, Kind: kindOK, Clause: spec.ClauseErrFault, Checks: "getsockname of the bound IPv6 socket with the length of the old sockaddr_in6 fails WSAEFAULT", Why: whySockaddr},
	{Func: "test_bind", Line: 12260, End: 12264, Kind: kindOK, Checks: "getsockname with a full sockaddr_in6 succeeds and gives AF_INET6, a nonzero port, the address bound and the adapter address's scope id (the case: ::1, bound with scope 0 at once, not after the scope-0xabacab bind)", Case: "wine-bind/ipv6-getsockname"},
}

var wineSockGetsockname = []expectation{
	{Func: "test_getsockname", Line: 4959, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "setup: WSAStartup(2.0) succeeds", Why: whySetup},
	{Func: "test_getsockname", Line: 4968, Kind: kindOK, Checks: "setup: socket(PF_INET, SOCK_STREAM, IPPROTO_IP) succeeds", Case: "wine-getsockname/unbound"},
	{Func: "test_getsockname", Line: 4973, End: 4974, Kind: kindOK, Checks: "getsockname of the unbound socket fails WSAEINVAL", Case: "wine-getsockname/unbound"},
	{Func: "test_getsockname", Line: 4975, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "and leaves the caller's buffer as it was", Why: whySockaddr},
	{Func: "test_getsockname", Line: 4978, Kind: kindOK, Checks: "bind to 0.0.0.0:0 succeeds", Case: "wine-getsockname/unspecified"},
	{Func: "test_getsockname", Line: 4983, Kind: kindOK, Checks: "getsockname of the bound socket succeeds", Case: "wine-getsockname/unspecified"},
	{Func: "test_getsockname", Line: 4984, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "and sets the last error to 0 (Windows 7 and later)", Why: whyLastError},
	{Func: "test_getsockname", Line: 4985, End: 4987, Kind: kindOK, Checks: "it gives AF_INET, a nonzero port and INADDR_ANY, the address bound", Case: "wine-getsockname/unspecified"},
	{Func: "test_getsockname", Line: 4990, Kind: kindOK, Clause: spec.ClauseGapBindAddress, Checks: "and zeroes sin_zero", Why: whySockaddr},
	{Func: "test_getsockname", Line: 4995, End: 4997, Kind: kindOK, Clause: spec.ClauseErrFault, Checks: "getsockname with a length one byte short of a sockaddr_in fails WSAEFAULT and leaves the length as it was", Why: whySockaddr},
	{Func: "test_getsockname", Line: 5012, Kind: kindOK, Checks: "for each IPv4 address gethostbyname(\"\") gives, a UDP socket is made (the case: for 127.0.0.1, which spec.API can name; it cannot list the host's addresses, and the list need not hold the loopback address)", Case: "wine-getsockname/udp-bound-address"},
	{Func: "test_getsockname", Line: 5019, Kind: kindOK, Checks: "it binds that address with port 0", Case: "wine-getsockname/udp-bound-address"},
	{Func: "test_getsockname", Line: 5022, End: 5024, Kind: kindOK, Checks: "getsockname succeeds and gives the address bound", Case: "wine-getsockname/udp-bound-address"},
}
