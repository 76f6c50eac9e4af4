package conformance

import (
	"errors"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases for the Return value section: TRUE, FALSE with WSAGetLastError,
// ERROR_IO_PENDING followed by exactly one completion, and late failures.
var returnCases = []Case{
	{
		Name:    "return/sync-true",
		Clauses: clauses(spec.ClauseRetSuccess, spec.ClauseGapNullOverlapped),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			wantOK(t, "DisconnectEx(client, NULL, 0, 0) on an overlapped socket", api.DisconnectEx(c.client, 0, 0, 0))
		},
	},
	{
		Name:    "return/sync-true-reuse-passive",
		Clauses: clauses(spec.ClauseRetSuccess, spec.ClauseGapNullOverlapped, spec.ClauseFlagReuse),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			closeNow(t, api, "server closes first", c.server)
			wantOK(t, "DisconnectEx(client, NULL, TF_REUSE_SOCKET, 0) as passive closer",
				api.DisconnectEx(c.client, 0, spec.TF_REUSE_SOCKET, 0))
		},
	},
	{
		Name:    "return/failure-winsock-code",
		Clauses: clauses(spec.ClauseRetFailure, spec.ClauseErrNotConn),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			err := api.DisconnectEx(s, 0, 0, 0)
			var e spec.Errno
			if !errors.As(err, &e) {
				t.Fatalf("DisconnectEx on a fresh socket: got %s, want a spec.Errno (FALSE + WSAGetLastError)", errName(err))
			}
			if !e.Known() || e < spec.WSAEBADF {
				t.Errorf("DisconnectEx on a fresh socket: got %s, want a Winsock code (WSAE*)", errName(err))
			}
			wantErr(t, "DisconnectEx on a fresh socket", err, spec.WSAENOTCONN)
		},
	},
	{
		Name:    "return/failure-starts-nothing",
		Clauses: clauses(spec.ClauseRetFailure, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			p := associate(t, api, s, 3)
			ev := event(t, api)
			ov := overlapped(t, api, ev)
			wantErr(t, "DisconnectEx(fresh socket, ov, 0, 0)", api.DisconnectEx(s, ov, 0, 0), spec.WSAENOTCONN)
			if signalled(api, ev) {
				t.Errorf("event after a failed call: got signalled, want not signalled")
			}
			wantNoPacket(t, api, "port after a failed call", p)
		},
	},
	{
		Name:    "return/pending-one-completion",
		Clauses: clauses(spec.ClauseRetPending, spec.ClauseRemPending, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 9)
			ov, ev := pending(t, api, c.client, 0)
			wantDone(t, api, "flags 0", c.client, ov, ev, spec.ERROR_SUCCESS)
			wantPacket(t, api, "the one packet", p, 9, ov, spec.ERROR_SUCCESS)
			wantNoPacket(t, api, "after the one packet", p)
		},
	},
	{
		Name:     "return/pending-result-later",
		Clauses:  clauses(spec.ClauseRetPending, spec.ClauseFlagTimeWait),
		Needs:    needs(Settings),
		Settings: delay(0),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			wantPending(t, api, "TF_REUSE_SOCKET before the peer's FIN", c.client, ov)
			_, _, err := api.WSAGetOverlappedResult(c.client, ov, false)
			wantErr(t, "WSAGetOverlappedResult(no wait) before the peer's FIN", err, spec.WSA_IO_INCOMPLETE)
			closeNow(t, api, "server closes", c.server)
			wantDone(t, api, "TF_REUSE_SOCKET with TcpTimedWaitDelay 0", c.client, ov, ev, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "return/later-failure-canceled",
		Clauses: clauses(spec.ClauseRetLaterFailure, spec.ClauseGapCancel),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			mustOK(t, "CancelIoEx(client, ov)", api.CancelIoEx(spec.Handle(c.client), ov))
			wantAborted(t, api, "canceled request", c.client, ov, ev)
		},
	},
	{
		Name:    "return/wsa-result-success",
		Clauses: clauses(spec.ClauseRetPending, spec.ClauseRemSignalEvent),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, _ := pending(t, api, c.client, 0)
			n, flags, err := api.WSAGetOverlappedResult(c.client, ov, true)
			if wantOK(t, "WSAGetOverlappedResult(wait)", err) && (n != 0 || flags != 0) {
				t.Errorf("WSAGetOverlappedResult(wait): got %d bytes, flags %#x, want 0, 0", n, flags)
			}
		},
	},
}
