package conformance

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_bind and test_getsockname (see
// evidence_wine_sock_bind.go): the checks spec.API can express. The rest
// pass NULL or short sockaddrs, an unknown sa_family, or read the raw
// sockaddr (its length, sin_zero, an untouched buffer), which a
// netip.AddrPort cannot carry. The tests' loops over the host's adapter
// addresses (GetAdaptersAddresses) and over its IPv4 addresses
// (gethostbyname("")) run here for the loopback addresses, which every
// host has and lists: spec.API cannot enumerate the others.

// notLocal4 is the address test_bind binds to see WSAEADDRNOTAVAIL: the
// first of TEST-NET-1 (RFC 5737), never a local address.
var notLocal4 = netip.AddrFrom4([4]byte{192, 0, 2, 0})

// unknownScope is the scope id test_bind puts on an adapter's IPv6
// address, one no interface has: 0xabacab, as a netip zone.
var unknownScope = strconv.FormatUint(0xabacab, 10)

// tcpOf makes a TCP socket of family af, as socket(af, SOCK_STREAM,
// IPPROTO_TCP) does (socket() sockets are overlapped).
func tcpOf(t *T, api spec.API, af int) spec.Socket {
	t.Helper()
	return sock(t, api, af, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
}

var wineBindCases = []Case{
	{
		Name:    "wine-bind/not-local",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			s := tcpOf(t, api, spec.AF_INET)
			to := netip.AddrPortFrom(notLocal4, 0)
			wantErr(t, fmt.Sprintf("bind to %v, not a local address", to), api.Bind(s, to), spec.WSAEADDRNOTAVAIL)
		},
	},
	{
		Name:    "wine-bind/twice-and-in-use",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			s := tcpOf(t, api, spec.AF_INET)
			at := netip.AddrPortFrom(loopback4, 0)
			mustOK(t, "bind to 127.0.0.1:0", api.Bind(s, at))
			wantErr(t, "a second bind of the bound socket to 127.0.0.1:0", api.Bind(s, at), spec.WSAEINVAL)
			name, err := api.Getsockname(s)
			mustOK(t, "getsockname of the bound socket", err)
			s2 := tcpOf(t, api, spec.AF_INET)
			wantErr(t, fmt.Sprintf("bind of a second socket to %v, the first one's name", name), api.Bind(s2, name), spec.WSAEADDRINUSE)
		},
	},
	{
		Name:    "wine-bind/udp",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			s := udpSocket(t, api)
			wantOK(t, "bind of a UDP socket to 127.0.0.1:0", api.Bind(s, netip.AddrPortFrom(loopback4, 0)))
		},
	},
	{
		// The adapter loop's first bind, for the loopback adapter's
		// addresses, as GetAdaptersAddresses gives them (port 0, scope 0).
		Name:    "wine-bind/adapter-loopback",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			for _, f := range reuseFamilies {
				s := tcpOf(t, api, f.af)
				to := netip.AddrPortFrom(f.loopback, 0)
				wantOK(t, fmt.Sprintf("%s: bind to %v", f.name, to), api.Bind(s, to))
				_ = api.Closesocket(s)
			}
		},
	},
	{
		// The adapter loop's IPv6 binds with a scope id set, for ::1
		// (scope 0: the lines Wine marks todo_wine).
		Name:    "wine-bind/ipv6-unknown-scope",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			s := tcpOf(t, api, spec.AF_INET6)
			bad := netip.AddrPortFrom(netip.IPv6Loopback().WithZone(unknownScope), 0)
			wantErr(t, fmt.Sprintf("bind to %v (scope id 0xabacab)", bad), api.Bind(s, bad), spec.WSAEADDRNOTAVAIL)
			wantOK(t, "then, with scope id 0, bind to [::1]:0", api.Bind(s, netip.AddrPortFrom(netip.IPv6Loopback(), 0)))
		},
	},
	{
		// The adapter loop's getsockname after the IPv6 bind, for ::1. The
		// case binds with scope 0 at once: in the test that bind follows
		// the one with a scope id no interface has, which Wine lets
		// succeed (wine-bind/ipv6-unknown-scope).
		Name:    "wine-bind/ipv6-getsockname",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			s := tcpOf(t, api, spec.AF_INET6)
			mustOK(t, "bind to [::1]:0", api.Bind(s, netip.AddrPortFrom(netip.IPv6Loopback(), 0)))
			name, err := api.Getsockname(s)
			if !wantOK(t, "getsockname", err) {
				return
			}
			what, addr := fmt.Sprintf("getsockname: got %v", name), name.Addr()
			if !addr.Is6() || addr.Is4In6() {
				t.Errorf("%s, want an AF_INET6 address", what)
			}
			if name.Port() == 0 {
				t.Errorf("%s, want a nonzero port", what)
			}
			if addr.WithZone("") != netip.IPv6Loopback() {
				t.Errorf("%s, want the address bound, ::1", what)
			}
			if addr.Zone() != "" {
				t.Errorf("%s, want scope id 0, ::1's", what)
			}
		},
	},
	{
		Name:    "wine-getsockname/unbound",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			// socket(PF_INET, SOCK_STREAM, IPPROTO_IP): protocol 0.
			s := sock(t, api, spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
			_, err := api.Getsockname(s)
			wantErr(t, "getsockname of an unbound socket", err, spec.WSAEINVAL)
		},
	},
	{
		Name:    "wine-getsockname/unspecified",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			s := sock(t, api, spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
			mustOK(t, "bind to 0.0.0.0:0", api.Bind(s, netip.AddrPortFrom(any4, 0)))
			name, err := api.Getsockname(s)
			if !wantOK(t, "getsockname", err) {
				return
			}
			what := fmt.Sprintf("getsockname: got %v", name)
			if !name.Addr().Is4() {
				t.Errorf("%s, want an AF_INET address", what)
			}
			if name.Port() == 0 {
				t.Errorf("%s, want a nonzero port", what)
			}
			if name.Addr() != any4 {
				t.Errorf("%s, want INADDR_ANY, the address bound", what)
			}
		},
	},
	{
		// The host-address loop, for 127.0.0.1.
		Name:    "wine-getsockname/udp-bound-address",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			// socket(AF_INET, SOCK_DGRAM, 0).
			s := sock(t, api, spec.AF_INET, spec.SOCK_DGRAM, 0, spec.WSA_FLAG_OVERLAPPED)
			mustOK(t, "bind of a UDP socket to 127.0.0.1:0", api.Bind(s, netip.AddrPortFrom(loopback4, 0)))
			name, err := api.Getsockname(s)
			if wantOK(t, "getsockname", err) && name.Addr() != loopback4 {
				t.Errorf("getsockname: got %v, want the address bound, 127.0.0.1", name)
			}
		},
	},
}
