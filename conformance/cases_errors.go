package conformance

import (
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases for the Error codes section: WSAENOTCONN for unconnected sockets,
// the transmit-closing sentence (contradicted by Windows), and what a
// second request does while the first is pending.
var errorsCases = []Case{
	{
		Name:    "errors/notconn-fresh",
		Clauses: clauses(spec.ClauseErrNotConn, spec.ClauseParamSocket),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			wantErr(t, "DisconnectEx(fresh socket, NULL, 0, 0)", api.DisconnectEx(s, 0, 0, 0), spec.WSAENOTCONN)
		},
	},
	{
		Name:    "errors/notconn-fresh-overlapped",
		Clauses: clauses(spec.ClauseErrNotConn, spec.ClauseParamOverlapped),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			ov := overlapped(t, api, event(t, api))
			wantErr(t, "DisconnectEx(fresh socket, ov, 0, 0)", api.DisconnectEx(s, ov, 0, 0), spec.WSAENOTCONN)
		},
	},
	{
		Name:    "errors/notconn-fresh-reuse",
		Clauses: clauses(spec.ClauseErrNotConn),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			wantErr(t, "DisconnectEx(fresh socket, NULL, TF_REUSE_SOCKET, 0)", api.DisconnectEx(s, 0, spec.TF_REUSE_SOCKET, 0), spec.WSAENOTCONN)
		},
	},
	{
		Name:    "errors/notconn-bound",
		Clauses: clauses(spec.ClauseErrNotConn),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			mustOK(t, "bind 127.0.0.1:0", api.Bind(s, netip.AddrPortFrom(loopback4, 0)))
			wantErr(t, "DisconnectEx(bound socket, NULL, 0, 0)", api.DisconnectEx(s, 0, 0, 0), spec.WSAENOTCONN)
		},
	},
	{
		Name:    "errors/notconn-refused",
		Clauses: clauses(spec.ClauseErrNotConn),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			closeNow(t, api, "listener", l)
			s := tcp(t, api)
			wantErr(t, "connect to a closed listener", api.Connect(s, addr), spec.WSAECONNREFUSED)
			wantErr(t, "DisconnectEx after a refused connect", api.DisconnectEx(s, 0, 0, 0), spec.WSAENOTCONN)
		},
	},
	{
		Name:    "errors/transmit-second-flags-zero",
		Clauses: clauses(spec.ClauseErrNotConnTransmit),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			mustOK(t, "first DisconnectEx(client, NULL, 0, 0)", api.DisconnectEx(c.client, 0, 0, 0))
			wantOK(t, "second DisconnectEx(client, NULL, 0, 0) in transmit-closing", api.DisconnectEx(c.client, 0, 0, 0))
		},
	},
	{
		Name:    "errors/transmit-second-overlapped",
		Clauses: clauses(spec.ClauseErrNotConnTransmit, spec.ClauseRemPending),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov1, ev1 := pending(t, api, c.client, 0)
			wantDone(t, api, "first request", c.client, ov1, ev1, spec.ERROR_SUCCESS)
			ev2 := event(t, api)
			ov2 := overlapped(t, api, ev2)
			err := api.DisconnectEx(c.client, ov2, 0, 0)
			if wantErr(t, "second DisconnectEx(client, ov, 0, 0) in transmit-closing", err, spec.ERROR_IO_PENDING) {
				wantDone(t, api, "second request", c.client, ov2, ev2, spec.ERROR_SUCCESS)
			}
		},
	},
	{
		Name:    "errors/transmit-state",
		Clauses: clauses(spec.ClauseErrNotConnTransmit, spec.ClauseGapShutdownSend),
		Needs:   needs(Introspection),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			wantState(t, api, "connected client", c.client, spec.StateConnected)
			mustOK(t, "DisconnectEx(client, NULL, 0, 0)", api.DisconnectEx(c.client, 0, 0, 0))
			wantState(t, api, "after DisconnectEx flags 0", c.client, spec.StateTransmitClosing)
			wantState(t, api, "server after the client's FIN", c.server, spec.StateConnected)
		},
	},
	{
		Name:     "errors/transmit-then-reuse",
		Clauses:  clauses(spec.ClauseErrNotConnTransmit, spec.ClauseFlagReuse),
		Needs:    needs(Settings),
		Settings: delay(0),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			mustOK(t, "DisconnectEx(client, NULL, 0, 0)", api.DisconnectEx(c.client, 0, 0, 0))
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			wantPending(t, api, "TF_REUSE_SOCKET in transmit-closing before the peer's FIN", c.client, ov)
			closeNow(t, api, "server closes", c.server)
			wantDone(t, api, "TF_REUSE_SOCKET after the server's FIN", c.client, ov, ev, spec.ERROR_SUCCESS)
			_, addr2 := listener(t, api)
			wantConnectEx(t, api, "ConnectEx after the reuse", c.client, addr2)
		},
	},
	{
		Name:     "errors/second-reuse-while-pending",
		Clauses:  clauses(spec.ClauseGapSecondPending),
		Needs:    needs(Settings),
		Settings: delay(0),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov1, ev1 := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			ev2 := event(t, api)
			ov2 := overlapped(t, api, ev2)
			err := api.DisconnectEx(c.client, ov2, spec.TF_REUSE_SOCKET, 0)
			// With an OVERLAPPED on an overlapped socket a call that starts
			// returns ERROR_IO_PENDING, never TRUE (DX-PARAM-OVERLAPPED):
			// the second request either waits alongside or is refused.
			if !expectOneOf(t, "second DisconnectEx(ov, TF_REUSE_SOCKET) while the first is pending", err,
				spec.ERROR_IO_PENDING, spec.WSAEINVAL) {
				return
			}
			if isErr(err, spec.ERROR_IO_PENDING) {
				wantPending(t, api, "second request before the peer's FIN", c.client, ov2)
			} else if signalled(api, ev2) {
				t.Errorf("event of the refused second request: got signalled, want not signalled (no request was started)")
			}
			closeNow(t, api, "server closes", c.server)
			wantDone(t, api, "first request", c.client, ov1, ev1, spec.ERROR_SUCCESS)
			if isErr(err, spec.ERROR_IO_PENDING) {
				wantDone(t, api, "second request", c.client, ov2, ev2, spec.ERROR_SUCCESS)
			}
		},
	},
	{
		Name:    "errors/second-flags-zero-while-pending",
		Clauses: clauses(spec.ClauseGapSecondPending, spec.ClauseErrNotConnTransmit),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, _ := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			err := api.DisconnectEx(c.client, 0, 0, 0)
			expectOneOf(t, "DisconnectEx(client, NULL, 0, 0) while a TF_REUSE_SOCKET request is pending", err,
				spec.ERROR_SUCCESS, spec.WSAEINVAL)
			wantPending(t, api, "the TF_REUSE_SOCKET request after the second call", c.client, ov)
		},
	},
}
