package conformance

import (
	"fmt"
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_ipv6only (see evidence_wine_sock_ipv6only.go):
// the checks that need no IPV6_V6ONLY. spec.API can neither read nor set
// that option, so an AF_INET6 socket here always has it at its default,
// on, and cannot be made dual-stack. The test binds the fixed port
// SERVERPORT; the cases take the port the first bind was given.

var wineIPv6OnlyCases = []Case{
	{
		// With IPV6_V6ONLY on, an AF_INET6 socket on [::]:P does not hold
		// the IPv4 port P: an AF_INET socket binds 0.0.0.0:P beside it.
		Name:    "wine-ipv6only/v6only-default",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			v6 := tcpOf(t, api, spec.AF_INET6)
			mustOK(t, "bind of the AF_INET6 socket to [::]:0", api.Bind(v6, netip.AddrPortFrom(netip.IPv6Unspecified(), 0)))
			p := localPort(t, api, v6)
			v4 := tcpOf(t, api, spec.AF_INET)
			at := netip.AddrPortFrom(netip.IPv4Unspecified(), p)
			wantOK(t, fmt.Sprintf("bind of an AF_INET socket to %v, beside the AF_INET6 one on [::]:%d (IPV6_V6ONLY at its default)", at, p), api.Bind(v4, at))
		},
	},
	{
		// The options the test's second half sets before its dual-stack
		// binds: SO_EXCLUSIVEADDRUSE on a new AF_INET6 socket and
		// SO_REUSEADDR on a new AF_INET one.
		Name:    "wine-ipv6only/bind-options",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			v6 := tcpOf(t, api, spec.AF_INET6)
			wantOK(t, "setsockopt(SO_EXCLUSIVEADDRUSE) on a new AF_INET6 socket", api.SetBindOption(v6, spec.SO_EXCLUSIVEADDRUSE, true))
			v4 := tcpOf(t, api, spec.AF_INET)
			wantOK(t, "setsockopt(SO_REUSEADDR) on a new AF_INET socket", api.SetBindOption(v4, spec.SO_REUSEADDR, true))
		},
	},
}
