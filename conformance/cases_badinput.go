package conformance

import (
	"fmt"
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// udp makes a UDP socket, optionally connected to a bound UDP peer.
func udp(t *T, api spec.API, connect bool) spec.Socket {
	t.Helper()
	s := sock(t, api, spec.AF_INET, spec.SOCK_DGRAM, spec.IPPROTO_UDP, spec.WSA_FLAG_OVERLAPPED)
	if connect {
		peer := sock(t, api, spec.AF_INET, spec.SOCK_DGRAM, spec.IPPROTO_UDP, spec.WSA_FLAG_OVERLAPPED)
		mustOK(t, "bind UDP peer", api.Bind(peer, netip.AddrPortFrom(loopback4, 0)))
		a, err := api.Getsockname(peer)
		mustOK(t, "getsockname(UDP peer)", err)
		mustOK(t, "connect UDP socket", api.Connect(s, netip.AddrPortFrom(loopback4, a.Port())))
	}
	return s
}

// badFlags checks that DisconnectEx with flags fails on a connected
// socket and leaves the connection as it was. The call carries an
// OVERLAPPED: a backend that wrongly accepts TF_REUSE_SOCKET in flags then
// pends (and is canceled) instead of blocking the case until the peer
// closes, which it never does.
func badFlags(t *T, api spec.API, flags uint32) {
	t.Helper()
	c := connected(t, api)
	ev := event(t, api)
	ov := overlapped(t, api, ev)
	err := api.DisconnectEx(c.client, ov, flags, 0)
	wantIgnoredOrRejected(t, api, "DisconnectEx(client, ov, "+flagName(flags)+", 0)", c, err, ov, ev, flags&spec.TF_REUSE_SOCKET)
}

func flagName(f uint32) string {
	switch f {
	case spec.TF_DISCONNECT:
		return "TF_DISCONNECT"
	case spec.TF_DISCONNECT | spec.TF_REUSE_SOCKET:
		return "TF_DISCONNECT|TF_REUSE_SOCKET"
	case spec.TF_WRITE_BEHIND:
		return "TF_WRITE_BEHIND"
	}
	return fmt.Sprintf("%#x", f)
}

// Cases for inputs the page rules out or does not mention: bad handles,
// bad pointers, bad flags, sockets in every state that is not connected.
var badinputCases = []Case{
	{
		Name:    "badinput/invalid-socket",
		Clauses: clauses(spec.ClauseGapBadHandle, spec.ClauseParamSocket),
		Body: func(t *T, api spec.API) {
			wantErr(t, "DisconnectEx(INVALID_SOCKET, NULL, 0, 0)", api.DisconnectEx(spec.INVALID_SOCKET, 0, 0, 0), spec.WSAENOTSOCK)
			ov := overlapped(t, api, event(t, api))
			wantErr(t, "DisconnectEx(INVALID_SOCKET, ov, 0, 0)", api.DisconnectEx(spec.INVALID_SOCKET, ov, 0, 0), spec.WSAENOTSOCK)
		},
	},
	{
		Name:    "badinput/closed-socket",
		Clauses: clauses(spec.ClauseGapBadHandle),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			closeNow(t, api, "client", c.client)
			ev := event(t, api)
			ov := overlapped(t, api, ev)
			wantErr(t, "DisconnectEx(closed socket, ov, 0, 0)", api.DisconnectEx(c.client, ov, 0, 0), spec.WSAENOTSOCK)
			if signalled(api, ev) {
				t.Errorf("event after the rejected call: got signalled, want not signalled")
			}
		},
	},
	{
		Name:    "badinput/event-handle",
		Clauses: clauses(spec.ClauseGapBadHandle),
		Body: func(t *T, api spec.API) {
			ev := event(t, api)
			wantErr(t, "DisconnectEx(event handle, NULL, 0, 0)", api.DisconnectEx(spec.Socket(ev), 0, 0, 0), spec.WSAENOTSOCK)
		},
	},
	{
		Name:    "badinput/port-handle",
		Clauses: clauses(spec.ClauseGapBadHandle),
		Body: func(t *T, api spec.API) {
			p := port(t, api)
			wantErr(t, "DisconnectEx(completion port handle, NULL, 0, 0)", api.DisconnectEx(spec.Socket(p), 0, 0, 0), spec.WSAENOTSOCK)
		},
	},
	{
		Name:    "badinput/wild-overlapped",
		Clauses: clauses(spec.ClauseErrFault),
		Needs:   needs(WildPointers),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			wantErr(t, "DisconnectEx(client, wild pointer, 0, 0)", api.DisconnectEx(c.client, wildOverlapped, 0, 0), spec.WSAEFAULT)
			peerSeesNoFIN(t, api, "server after the rejected call", c.server)
		},
	},
	{
		Name:    "badinput/freed-overlapped",
		Clauses: clauses(spec.ClauseErrFault),
		Needs:   needs(WildPointers),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, err := api.NewOverlapped(0)
			mustOK(t, "NewOverlapped", err)
			mustOK(t, "FreeOverlapped", api.FreeOverlapped(ov))
			wantErr(t, "DisconnectEx(client, freed OVERLAPPED, TF_REUSE_SOCKET, 0)", api.DisconnectEx(c.client, ov, spec.TF_REUSE_SOCKET, 0), spec.WSAEFAULT)
		},
	},
	{
		Name:    "badinput/wild-overlapped-never-connected",
		Clauses: clauses(spec.ClauseErrFault, spec.ClauseErrNotConn),
		Needs:   needs(WildPointers),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			expectOneOf(t, "DisconnectEx(fresh socket, wild pointer, 0, 0)", api.DisconnectEx(s, wildOverlapped, 0, 0), spec.WSAEFAULT, spec.WSAENOTCONN)
		},
	},
	{
		Name:    "badinput/wild-overlapped-invalid-socket",
		Clauses: clauses(spec.ClauseErrFault, spec.ClauseGapBadHandle),
		Needs:   needs(WildPointers),
		Body: func(t *T, api spec.API) {
			expectOneOf(t, "DisconnectEx(INVALID_SOCKET, wild pointer, 0, 0)", api.DisconnectEx(spec.INVALID_SOCKET, wildOverlapped, 0, 0), spec.WSAENOTSOCK, spec.WSAEFAULT)
		},
	},
	{
		Name:    "badinput/unknown-flag-bit",
		Clauses: clauses(spec.ClauseErrInvalFlags),
		Body:    func(t *T, api spec.API) { badFlags(t, api, 0x80) },
	},
	{
		Name:    "badinput/all-flag-bits",
		Clauses: clauses(spec.ClauseErrInvalFlags),
		Body:    func(t *T, api spec.API) { badFlags(t, api, 0xFFFFFFFF) },
	},
	{
		Name:    "badinput/tf-disconnect",
		Clauses: clauses(spec.ClauseErrInvalFlags),
		Body:    func(t *T, api spec.API) { badFlags(t, api, spec.TF_DISCONNECT) },
	},
	{
		Name:    "badinput/tf-disconnect-reuse",
		Clauses: clauses(spec.ClauseErrInvalFlags, spec.ClauseFlagReuse),
		Body:    func(t *T, api spec.API) { badFlags(t, api, spec.TF_DISCONNECT|spec.TF_REUSE_SOCKET) },
	},
	{
		Name:    "badinput/tf-write-behind",
		Clauses: clauses(spec.ClauseErrInvalFlags),
		Body:    func(t *T, api spec.API) { badFlags(t, api, spec.TF_WRITE_BEHIND) },
	},
	{
		Name:    "badinput/bad-flags-never-connected",
		Clauses: clauses(spec.ClauseErrInvalFlags, spec.ClauseErrNotConn),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			// As for TransmitFile, the connection state is checked first.
			expectOneOf(t, "DisconnectEx(fresh socket, NULL, 0x80, 0)", api.DisconnectEx(s, 0, 0x80, 0), spec.WSAENOTCONN, spec.WSAEINVAL)
		},
	},
	{
		Name:    "badinput/udp-unconnected",
		Clauses: clauses(spec.ClauseRemDatagram),
		Body: func(t *T, api spec.API) {
			s := udp(t, api, false)
			wantErr(t, "DisconnectEx(UDP socket, NULL, 0, 0)", api.DisconnectEx(s, 0, 0, 0), spec.WSAENOTCONN)
		},
	},
	{
		Name:    "badinput/udp-connected",
		Clauses: clauses(spec.ClauseRemDatagram),
		Body: func(t *T, api spec.API) {
			s := udp(t, api, true)
			// WSAENOTCONN observed (variant enotconn); WSAEINVAL inferred for a
			// connected one (variant einval-connected).
			expectOneOf(t, "DisconnectEx(connected UDP socket, NULL, 0, 0)", api.DisconnectEx(s, 0, 0, 0), spec.WSAENOTCONN, spec.WSAEINVAL)
		},
	},
	{
		Name:    "badinput/udp-connected-reuse-overlapped",
		Clauses: clauses(spec.ClauseRemDatagram, spec.ClauseParamOverlapped),
		Body: func(t *T, api spec.API) {
			s := udp(t, api, true)
			ev := event(t, api)
			ov := overlapped(t, api, ev)
			expectOneOf(t, "DisconnectEx(connected UDP socket, ov, TF_REUSE_SOCKET, 0)", api.DisconnectEx(s, ov, spec.TF_REUSE_SOCKET, 0), spec.WSAENOTCONN, spec.WSAEINVAL)
			if signalled(api, ev) {
				t.Errorf("event after the rejected call: got signalled, want not signalled")
			}
		},
	},
	{
		Name:    "badinput/seqpacket-rdm-unsupported",
		Clauses: clauses(spec.ClauseRemSocketTypes),
		Body: func(t *T, api spec.API) {
			for _, typ := range []int{spec.SOCK_SEQPACKET, spec.SOCK_RDM} {
				s, err := api.Socket(spec.AF_INET, typ, 0, spec.WSA_FLAG_OVERLAPPED)
				if err == nil {
					api.Closesocket(s)
				}
				expectFailure(t, "socket(AF_INET, "+spec.SocketTypeName(typ)+", 0)", err, spec.WSAESOCKTNOSUPPORT)
			}
		},
	},
	{
		Name:    "badinput/listening",
		Clauses: clauses(spec.ClauseGapListening),
		Body: func(t *T, api spec.API) {
			l, _ := listener(t, api)
			expectFailure(t, "DisconnectEx(listening socket, NULL, 0, 0)", api.DisconnectEx(l, 0, 0, 0), spec.WSAENOTCONN)
		},
	},
	{
		Name:    "badinput/listening-reuse-overlapped",
		Clauses: clauses(spec.ClauseGapListening),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			ov := overlapped(t, api, event(t, api))
			expectFailure(t, "DisconnectEx(listening socket, ov, TF_REUSE_SOCKET, 0)", api.DisconnectEx(l, ov, spec.TF_REUSE_SOCKET, 0), spec.WSAENOTCONN)
			c := dial(t, api, addr, byConnect)
			s := acceptOne(t, api, l, byAccept)
			roundTrip(t, api, "the listener still accepts", c, s)
		},
	},
	{
		Name:    "badinput/reusable-socket",
		Clauses: clauses(spec.ClauseErrNotConn, spec.ClauseFlagReuse),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			reuseClient(t, api, c)
			wantErr(t, "DisconnectEx(reusable socket, NULL, 0, 0)", api.DisconnectEx(c.client, 0, 0, 0), spec.WSAENOTCONN)
			wantErr(t, "DisconnectEx(reusable socket, NULL, TF_REUSE_SOCKET, 0)", api.DisconnectEx(c.client, 0, spec.TF_REUSE_SOCKET, 0), spec.WSAENOTCONN)
		},
	},
	{
		Name:    "badinput/after-shutdown-send",
		Clauses: clauses(spec.ClauseGapAfterShutdown),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			mustOK(t, "shutdown(client, SD_SEND)", api.Shutdown(c.client, spec.SD_SEND))
			expectOneOf(t, "DisconnectEx(client, NULL, 0, 0) after shutdown(SD_SEND)", api.DisconnectEx(c.client, 0, 0, 0),
				spec.ERROR_SUCCESS, spec.WSAESHUTDOWN)
			peerSeesFIN(t, api, "server", c.server)
		},
	},
	{
		Name:     "badinput/after-shutdown-send-reuse",
		Clauses:  clauses(spec.ClauseGapAfterShutdown, spec.ClauseFlagReuse),
		Needs:    needs(Settings),
		Settings: delay(0),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			mustOK(t, "shutdown(client, SD_SEND)", api.Shutdown(c.client, spec.SD_SEND))
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			closeNow(t, api, "server closes", c.server)
			wantDone(t, api, "TF_REUSE_SOCKET after shutdown(SD_SEND)", c.client, ov, ev, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "badinput/peer-closed-first",
		Clauses: clauses(spec.ClauseGapPeerClosed),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			closeNow(t, api, "server closes first", c.server)
			peerSeesFIN(t, api, "client", c.client)
			wantOK(t, "DisconnectEx(client, NULL, 0, 0) after the peer's FIN", api.DisconnectEx(c.client, 0, 0, 0))
		},
	},
	{
		Name:    "badinput/peer-shutdown-first",
		Clauses: clauses(spec.ClauseGapPeerClosed),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			mustOK(t, "shutdown(server, SD_SEND)", api.Shutdown(c.server, spec.SD_SEND))
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			wantDone(t, api, "TF_REUSE_SOCKET after the peer's FIN", c.client, ov, ev, spec.ERROR_SUCCESS)
			peerSeesFIN(t, api, "server", c.server)
		},
	},
	{
		Name:    "badinput/peer-reset",
		Clauses: clauses(spec.ClauseGapPeerReset),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			reset(t, api, c.server)
			expectOneOf(t, "DisconnectEx(client, NULL, 0, 0) after the peer's RST", api.DisconnectEx(c.client, 0, 0, 0),
				spec.WSAENOTCONN, spec.WSAECONNRESET, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "badinput/peer-reset-reuse-overlapped",
		Clauses: clauses(spec.ClauseGapPeerReset, spec.ClauseRetLaterFailure),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			reset(t, api, c.server)
			ev := event(t, api)
			ov := overlapped(t, api, ev)
			err := api.DisconnectEx(c.client, ov, spec.TF_REUSE_SOCKET, 0)
			if isErr(err, spec.ERROR_IO_PENDING) {
				// The request may complete with the outcomes DX-GAP-PEER-RESET
				// allows: success, WSAENOTCONN or WSAECONNRESET, in their
				// Winsock face and in their Win32 face.
				waitPrompt(t, api, "TF_REUSE_SOCKET after the peer's RST", ev)
				_, _, werr := api.WSAGetOverlappedResult(c.client, ov, false)
				expectOneOf(t, "TF_REUSE_SOCKET after the peer's RST: WSAGetOverlappedResult", werr,
					spec.ERROR_SUCCESS, spec.WSAENOTCONN, spec.WSAECONNRESET)
				_, err = api.GetOverlappedResult(spec.Handle(c.client), ov, false)
				expectOneOf(t, "TF_REUSE_SOCKET after the peer's RST: GetOverlappedResult", err,
					win32Faces(spec.ERROR_SUCCESS, spec.WSAENOTCONN, spec.WSAECONNRESET)...)
				return
			}
			expectOneOf(t, "DisconnectEx(client, ov, TF_REUSE_SOCKET, 0) after the peer's RST", err,
				spec.WSAENOTCONN, spec.WSAECONNRESET)
		},
	},
}
