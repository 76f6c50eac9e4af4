package conformance

import (
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_getpeername and test_backlog_query: the checks
// of those functions that spec.API can express (the rest are about NULL
// and short name buffers, sendto, and SIO_IDEAL_SEND_BACKLOG_QUERY).
var wineMiscCases = []Case{
	{
		Name:    "wine-getpeername/invalid-socket",
		Clauses: clauses(spec.ClauseGapBadHandle),
		Body: func(t *T, api spec.API) {
			_, err := api.Getpeername(spec.INVALID_SOCKET)
			wantErr(t, "getpeername(INVALID_SOCKET)", err, spec.WSAENOTSOCK)
		},
	},
	{
		Name:    "wine-getpeername/udp-unconnected",
		Clauses: clauses(spec.ClauseRemDatagram),
		Body: func(t *T, api spec.API) {
			// socket(PF_INET, SOCK_DGRAM, IPPROTO_IP): protocol 0.
			s := sock(t, api, spec.AF_INET, spec.SOCK_DGRAM, 0, spec.WSA_FLAG_OVERLAPPED)
			_, err := api.Getpeername(s)
			wantErr(t, "getpeername(unconnected UDP socket)", err, spec.WSAENOTCONN)
		},
	},
	{
		Name:    "wine-getpeername/udp-connected",
		Clauses: clauses(spec.ClauseRemDatagram),
		Body: func(t *T, api spec.API) {
			s := sock(t, api, spec.AF_INET, spec.SOCK_DGRAM, 0, spec.WSA_FLAG_OVERLAPPED)
			to := netip.AddrPortFrom(loopback4, 139)
			mustOK(t, "connect(UDP socket, 127.0.0.1:139)", api.Connect(s, to))
			peer, err := api.Getpeername(s)
			if wantOK(t, "getpeername(connected UDP socket)", err) && peer != to {
				t.Errorf("getpeername(connected UDP socket): got %v, want %v", peer, to)
			}
		},
	},
	{
		Name:    "wine-backlog/lookup-listen-connect",
		Clauses: clauses(spec.ClauseRemLookup),
		Body: func(t *T, api spec.API) {
			l := sock(t, api, spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
			_, err := api.GetExtensionFunction(l, spec.WSAID_ACCEPTEX)
			wantOK(t, "WSAIoctl(listener, WSAID_ACCEPTEX)", err)
			mustOK(t, "bind(listener, 127.0.0.1:0)", api.Bind(l, netip.AddrPortFrom(loopback4, 0)))
			a, err := api.Getsockname(l)
			mustOK(t, "getsockname(listener)", err)
			mustOK(t, "listen(listener, 2)", api.Listen(l, 2))
			c := tcp(t, api)
			wantOK(t, "connect", api.Connect(c, netip.AddrPortFrom(loopback4, a.Port())))
		},
	},
}
