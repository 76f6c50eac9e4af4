package conformance

import (
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases for the summary and the Parameters section: obtaining the
// function, what hSocket, lpOverlapped, dwFlags and reserved do.
var paramsCases = []Case{
	{
		Name:    "params/lookup-disconnectex",
		Clauses: clauses(spec.ClauseRemLookup, spec.ClauseExtension, spec.ClauseRequirements),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p, err := api.GetExtensionFunction(c.client, spec.WSAID_DISCONNECTEX)
			mustOK(t, "WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_DISCONNECTEX)", err)
			if p == 0 {
				t.Errorf("WSAIoctl(WSAID_DISCONNECTEX): got a NULL pointer, want nonzero")
			}
			f, err := spec.LoadDisconnectEx(api, c.client)
			mustOK(t, "LoadDisconnectEx", err)
			wantOK(t, "DisconnectEx through the loaded pointer", f(c.client, 0, 0, 0))
		},
	},
	{
		Name:    "params/lookup-distinct-pointers",
		Clauses: clauses(spec.ClauseRemLookup, spec.ClauseExtension),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			seen := map[uintptr]string{}
			for _, g := range []struct {
				name string
				id   spec.GUID
			}{{"WSAID_DISCONNECTEX", spec.WSAID_DISCONNECTEX}, {"WSAID_CONNECTEX", spec.WSAID_CONNECTEX},
				{"WSAID_ACCEPTEX", spec.WSAID_ACCEPTEX}, {"WSAID_GETACCEPTEXSOCKADDRS", spec.WSAID_GETACCEPTEXSOCKADDRS}} {
				p, err := api.GetExtensionFunction(s, g.id)
				if !wantOK(t, "WSAIoctl("+g.name+")", err) {
					continue
				}
				if p == 0 {
					t.Errorf("WSAIoctl(%s): got a NULL pointer, want nonzero", g.name)
				} else if other, dup := seen[p]; dup {
					t.Errorf("WSAIoctl(%s): got the same pointer as %s, want distinct functions", g.name, other)
				}
				seen[p] = g.name
			}
		},
	},
	{
		Name:    "params/lookup-ipv6-socket",
		Clauses: clauses(spec.ClauseRemLookup),
		Body: func(t *T, api spec.API) {
			s := sock(t, api, spec.AF_INET6, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
			p, err := api.GetExtensionFunction(s, spec.WSAID_DISCONNECTEX)
			if wantOK(t, "WSAIoctl(WSAID_DISCONNECTEX) on an AF_INET6 socket", err) && p == 0 {
				t.Errorf("WSAIoctl(WSAID_DISCONNECTEX) on an AF_INET6 socket: got a NULL pointer, want nonzero")
			}
		},
	},
	{
		Name:    "params/lookup-guid-value",
		Clauses: clauses(spec.ClauseRemGUID),
		Body: func(t *T, api spec.API) {
			const want = "{7FDA2E11-8630-436F-A031-F536A6EEC157}"
			if got := spec.WSAID_DISCONNECTEX.String(); got != want {
				t.Errorf("WSAID_DISCONNECTEX: got %s, want %s (mswsock.h)", got, want)
			}
			// The backend knows exactly this value: it, and not its
			// neighbour, gives the function.
			s := tcp(t, api)
			p, err := api.GetExtensionFunction(s, spec.WSAID_DISCONNECTEX)
			if wantOK(t, "WSAIoctl(WSAID_DISCONNECTEX)", err) && p == 0 {
				t.Errorf("WSAIoctl(WSAID_DISCONNECTEX): got a NULL pointer, want nonzero")
			}
			near := spec.WSAID_DISCONNECTEX
			near.Data4[7] ^= 1
			_, err = api.GetExtensionFunction(s, near)
			wantErr(t, "WSAIoctl with WSAID_DISCONNECTEX off by one bit", err, spec.WSAEINVAL)
		},
	},
	{
		Name:    "params/lookup-unknown-guid",
		Clauses: clauses(spec.ClauseRemGUID),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			_, err := api.GetExtensionFunction(s, spec.GUID{Data1: 0x12345678, Data2: 0x9ABC, Data3: 0xDEF0})
			wantErr(t, "WSAIoctl(unknown GUID)", err, spec.WSAEINVAL)
		},
	},
	{
		Name:    "params/lookup-not-a-socket",
		Clauses: clauses(spec.ClauseRemLookup, spec.ClauseGapBadHandle),
		Body: func(t *T, api spec.API) {
			ev := event(t, api)
			_, err := api.GetExtensionFunction(spec.Socket(ev), spec.WSAID_DISCONNECTEX)
			wantErr(t, "WSAIoctl(WSAID_DISCONNECTEX) on an event handle", err, spec.WSAENOTSOCK)
		},
	},
	{
		Name:    "params/socket-client-end",
		Clauses: clauses(spec.ClauseParamSocket, spec.ClausePurpose),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			wantOK(t, "DisconnectEx(client, NULL, 0, 0)", api.DisconnectEx(c.client, 0, 0, 0))
			peerSeesFIN(t, api, "server after the client's DisconnectEx", c.server)
		},
	},
	{
		Name:    "params/socket-server-end",
		Clauses: clauses(spec.ClauseParamSocket, spec.ClausePurpose),
		Body: func(t *T, api spec.API) {
			c := connectedVia(t, api, byConnectEx, byAcceptEx)
			wantOK(t, "DisconnectEx(accepted, NULL, 0, 0)", api.DisconnectEx(c.server, 0, 0, 0))
			peerSeesFIN(t, api, "client after the server's DisconnectEx", c.client)
		},
	},
	{
		Name:    "params/socket-ipv6",
		Clauses: clauses(spec.ClauseParamSocket),
		Body: func(t *T, api spec.API) {
			l := sock(t, api, spec.AF_INET6, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
			mustOK(t, "bind [::1]:0", api.Bind(l, netip.AddrPortFrom(netip.IPv6Loopback(), 0)))
			mustOK(t, "listen", api.Listen(l, 4))
			a, err := api.Getsockname(l)
			mustOK(t, "getsockname", err)
			c := sock(t, api, spec.AF_INET6, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
			mustOK(t, "connect [::1]", api.Connect(c, netip.AddrPortFrom(netip.IPv6Loopback(), a.Port())))
			s := acceptOne(t, api, l, byAccept)
			wantOK(t, "DisconnectEx(IPv6 client, NULL, 0, 0)", api.DisconnectEx(c, 0, 0, 0))
			peerSeesFIN(t, api, "IPv6 server", s)
		},
	},
	{
		Name:    "params/overlapped-on-blocking-socket",
		Clauses: clauses(spec.ClauseParamOverlapped),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			c := sock(t, api, spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
			mustOK(t, "connect", api.Connect(c, addr))
			s := acceptOne(t, api, l, byAccept)
			ev := event(t, api)
			ov := overlapped(t, api, ev)
			// Not opened as overlapped: the call is synchronous even with an
			// OVERLAPPED, and still reports through it.
			wantOK(t, "DisconnectEx(non-overlapped socket, ov, 0, 0)", api.DisconnectEx(c, ov, 0, 0))
			if !signalled(api, ev) {
				t.Errorf("event after a synchronous DisconnectEx with an OVERLAPPED: got not signalled, want signalled")
			}
			wantResult(t, api, "synchronous DisconnectEx", c, ov, spec.ERROR_SUCCESS)
			peerSeesFIN(t, api, "server", s)
		},
	},
	{
		Name:    "params/flags-zero-sends-fin",
		Clauses: clauses(spec.ClauseParamFlags, spec.ClauseGapShutdownSend, spec.ClausePurpose),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			peerSeesNoFIN(t, api, "server before DisconnectEx", c.server)
			mustOK(t, "DisconnectEx(client, NULL, 0, 0)", api.DisconnectEx(c.client, 0, 0, 0))
			peerSeesFIN(t, api, "server after DisconnectEx flags 0", c.server)
		},
	},
	{
		Name:    "params/flags-zero-send-fails",
		Clauses: clauses(spec.ClauseParamFlags, spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			mustOK(t, "DisconnectEx(client, NULL, 0, 0)", api.DisconnectEx(c.client, 0, 0, 0))
			_, err := api.Send(c.client, []byte("late"))
			wantErr(t, "send after DisconnectEx flags 0", err, spec.WSAESHUTDOWN)
		},
	},
	{
		Name:    "params/flags-zero-still-receives",
		Clauses: clauses(spec.ClauseParamFlags, spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			mustOK(t, "DisconnectEx(client, NULL, 0, 0)", api.DisconnectEx(c.client, 0, 0, 0))
			roundTrip(t, api, "server -> client after the client's DisconnectEx flags 0", c.server, c.client)
		},
	},
	{
		Name:    "params/flags-zero-keeps-names",
		Clauses: clauses(spec.ClauseParamFlags, spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			local, err := api.Getsockname(c.client)
			mustOK(t, "getsockname before", err)
			peer, err := api.Getpeername(c.client)
			mustOK(t, "getpeername before", err)
			mustOK(t, "DisconnectEx(client, NULL, 0, 0)", api.DisconnectEx(c.client, 0, 0, 0))
			if got, err := api.Getsockname(c.client); wantOK(t, "getsockname after DisconnectEx flags 0", err) && got != local {
				t.Errorf("getsockname after DisconnectEx flags 0: got %v, want %v", got, local)
			}
			if got, err := api.Getpeername(c.client); wantOK(t, "getpeername after DisconnectEx flags 0", err) && got != peer {
				t.Errorf("getpeername after DisconnectEx flags 0: got %v, want %v", got, peer)
			}
		},
	},
	{
		Name:    "params/flags-zero-connect-isconn",
		Clauses: clauses(spec.ClauseParamFlags, spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			mustOK(t, "DisconnectEx(client, NULL, 0, 0)", api.DisconnectEx(c.client, 0, 0, 0))
			wantErr(t, "connect after DisconnectEx flags 0", api.Connect(c.client, c.addr), spec.WSAEISCONN)
		},
	},
	{
		Name:    "params/reuse-flag-disconnects",
		Clauses: clauses(spec.ClauseFlagReuse, spec.ClausePurpose),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			reuseClient(t, api, c)
			_, err := api.Getpeername(c.client)
			expectFailure(t, "getpeername after DisconnectEx(TF_REUSE_SOCKET) completed", err, spec.WSAENOTCONN)
			_, err = api.Send(c.client, []byte("x"))
			expectFailure(t, "send after DisconnectEx(TF_REUSE_SOCKET) completed", err, spec.WSAENOTCONN)
		},
	},
	{
		Name:    "params/reserved-nonzero",
		Clauses: clauses(spec.ClauseParamReserved, spec.ClauseRetFailure),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			err := api.DisconnectEx(c.client, 0, 0, 1)
			wantIgnoredOrRejected(t, api, "DisconnectEx(client, NULL, 0, reserved 1)", c, err, 0, 0, 0)
		},
	},
	{
		Name:    "params/reserved-high-bit-with-reuse",
		Clauses: clauses(spec.ClauseParamReserved),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			// With an OVERLAPPED, so that a backend ignoring reserved pends
			// instead of blocking until the peer closes.
			ev := event(t, api)
			ov := overlapped(t, api, ev)
			err := api.DisconnectEx(c.client, ov, spec.TF_REUSE_SOCKET, 0x80000000)
			wantIgnoredOrRejected(t, api, "DisconnectEx(client, ov, TF_REUSE_SOCKET, reserved 0x80000000)", c, err, ov, ev, spec.TF_REUSE_SOCKET)
		},
	},
	{
		Name:    "params/reserved-nonzero-overlapped",
		Clauses: clauses(spec.ClauseParamReserved, spec.ClauseParamOverlapped),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ev := event(t, api)
			ov := overlapped(t, api, ev)
			err := api.DisconnectEx(c.client, ov, 0, 1)
			wantIgnoredOrRejected(t, api, "DisconnectEx(client, ov, 0, reserved 1)", c, err, ov, ev, 0)
		},
	},
}
