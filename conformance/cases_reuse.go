package conformance

import (
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// reuseThenConnectEx makes the client end reusable and reconnects it
// with ConnectEx, without a new bind, to a second listener.
func reuseThenConnectEx(t *T, api spec.API, how connectHow) {
	t.Helper()
	c := connectedVia(t, api, how, byAccept)
	port := localPort(t, api, c.client)
	reuseClient(t, api, c)
	l2, addr2 := listener(t, api)
	if !wantConnectEx(t, api, "ConnectEx on the reused socket without a new bind", c.client, addr2) {
		return
	}
	if got := localPort(t, api, c.client); got != port {
		t.Errorf("local port after the reused ConnectEx: got %d, want %d (the socket stays bound)", got, port)
	}
	s2 := acceptOne(t, api, l2, byAccept)
	roundTrip(t, api, "over the new connection", c.client, s2)
}

// reuseThenAcceptEx makes the server end reusable and accepts a new
// connection into it with AcceptEx.
func reuseThenAcceptEx(t *T, api spec.API, how acceptHow) {
	t.Helper()
	c := connectedVia(t, api, byConnect, how)
	reuseServer(t, api, c)
	c2 := dial(t, api, c.addr, byConnect)
	if err := tryAcceptEx(t, api, c.ln, c.server); err != nil {
		t.Errorf("AcceptEx into the reused socket: got %s, want success", errName(err))
		return
	}
	roundTrip(t, api, "over the new connection", c2, c.server)
}

// reusedClientToAcceptEx makes the client end (connected with how)
// reusable and returns the outcome of AcceptEx into it from a second
// listener with a connection waiting.
func reusedClientToAcceptEx(t *T, api spec.API, how connectHow) error {
	t.Helper()
	c := connectedVia(t, api, how, byAccept)
	reuseClient(t, api, c)
	l2, addr2 := listener(t, api)
	dial(t, api, addr2, byConnect)
	return tryAcceptEx(t, api, l2, c.client)
}

// reusedServerToConnectEx makes the server end (accepted with how)
// reusable and returns the outcome of ConnectEx on it to a second listener.
func reusedServerToConnectEx(t *T, api spec.API, how acceptHow) error {
	t.Helper()
	c := connectedVia(t, api, byConnect, how)
	reuseServer(t, api, c)
	_, addr2 := listener(t, api)
	return tryConnectEx(t, api, c.server, addr2)
}

// Cases for TF_REUSE_SOCKET: which call a reused socket may go to, and
// what it costs in time.
var reuseCases = []Case{
	{
		Name:    "reuse/connect-then-connectex",
		Clauses: clauses(spec.ClauseFlagReuse, spec.ClauseFlagReuseTarget),
		Body:    func(t *T, api spec.API) { reuseThenConnectEx(t, api, byConnect) },
	},
	{
		Name:    "reuse/connectex-then-connectex",
		Clauses: clauses(spec.ClauseFlagReuse, spec.ClauseFlagReuseTarget),
		Body:    func(t *T, api spec.API) { reuseThenConnectEx(t, api, byConnectEx) },
	},
	{
		Name:    "reuse/accept-then-acceptex",
		Clauses: clauses(spec.ClauseFlagReuse, spec.ClauseFlagReuseTarget),
		Body:    func(t *T, api spec.API) { reuseThenAcceptEx(t, api, byAccept) },
	},
	{
		Name:    "reuse/acceptex-then-acceptex",
		Clauses: clauses(spec.ClauseFlagReuse, spec.ClauseFlagReuseTarget),
		Body:    func(t *T, api spec.API) { reuseThenAcceptEx(t, api, byAcceptEx) },
	},
	{
		Name:    "reuse/connected-to-acceptex-einval",
		Clauses: clauses(spec.ClauseFlagReuseTarget),
		Body: func(t *T, api spec.API) {
			err := reusedClientToAcceptEx(t, api, byConnect)
			wantErr(t, "AcceptEx into a reused socket that had connected", err, spec.WSAEINVAL)
		},
	},
	{
		Name:    "reuse/connectex-to-acceptex-einval",
		Clauses: clauses(spec.ClauseFlagReuseTarget),
		Body: func(t *T, api spec.API) {
			err := reusedClientToAcceptEx(t, api, byConnectEx)
			wantErr(t, "AcceptEx into a reused socket that had connected with ConnectEx", err, spec.WSAEINVAL)
		},
	},
	{
		Name:    "reuse/accepted-to-connectex-einval",
		Clauses: clauses(spec.ClauseFlagReuseTarget),
		Body: func(t *T, api spec.API) {
			err := reusedServerToConnectEx(t, api, byAccept)
			wantErr(t, "ConnectEx on a reused accepted socket", err, spec.WSAEINVAL)
		},
	},
	{
		Name:    "reuse/acceptex-to-connectex-einval",
		Clauses: clauses(spec.ClauseFlagReuseTarget),
		Body: func(t *T, api spec.API) {
			err := reusedServerToConnectEx(t, api, byAcceptEx)
			wantErr(t, "ConnectEx on a reused socket that AcceptEx filled", err, spec.WSAEINVAL)
		},
	},
	{
		Name:    "reuse/no-flag-connectex-isconn",
		Clauses: clauses(spec.ClauseGapNoReuse, spec.ClauseFlagReuse),
		Body: func(t *T, api spec.API) {
			c := connectedVia(t, api, byConnectEx, byAccept)
			mustOK(t, "DisconnectEx(client, NULL, 0, 0)", api.DisconnectEx(c.client, 0, 0, 0))
			closeNow(t, api, "server closes", c.server)
			_, addr2 := listener(t, api)
			err := tryConnectEx(t, api, c.client, addr2)
			wantErr(t, "ConnectEx after DisconnectEx without TF_REUSE_SOCKET", err, spec.WSAEISCONN)
		},
	},
	{
		Name:    "reuse/no-flag-acceptex-einval",
		Clauses: clauses(spec.ClauseGapNoReuse),
		Body: func(t *T, api spec.API) {
			c := connectedVia(t, api, byConnect, byAcceptEx)
			mustOK(t, "DisconnectEx(server, NULL, 0, 0)", api.DisconnectEx(c.server, 0, 0, 0))
			closeNow(t, api, "client closes", c.client)
			dial(t, api, c.addr, byConnect)
			err := tryAcceptEx(t, api, c.ln, c.server)
			wantErr(t, "AcceptEx into a socket disconnected without TF_REUSE_SOCKET", err, spec.WSAEINVAL)
		},
	},
	{
		Name:    "reuse/no-flag-connect-isconn",
		Clauses: clauses(spec.ClauseGapNoReuse, spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, 0)
			wantDone(t, api, "flags 0", c.client, ov, ev, spec.ERROR_SUCCESS)
			_, addr2 := listener(t, api)
			wantErr(t, "connect after DisconnectEx without TF_REUSE_SOCKET", api.Connect(c.client, addr2), spec.WSAEISCONN)
		},
	},
	{
		Name:    "reuse/passive-immediate",
		Clauses: clauses(spec.ClauseGapPeerClosed, spec.ClauseFlagTimeWait, spec.ClauseFlagReuse),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			closeNow(t, api, "server closes first", c.server)
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			wantDone(t, api, "passive closer with the default 240s TIME_WAIT", c.client, ov, ev, spec.ERROR_SUCCESS)
			wantState(t, api, "passive closer after TF_REUSE_SOCKET", c.client, spec.StateReusable)
			_, addr2 := listener(t, api)
			wantConnectEx(t, api, "ConnectEx right after the passive close", c.client, addr2)
		},
	},
	{
		Name:     "reuse/active-delayed",
		Clauses:  clauses(spec.ClauseFlagTimeWait, spec.ClauseFlagReuse, spec.ClauseRemTimeWait),
		Needs:    needs(Settings),
		Settings: delay(30 * time.Second),
		Waits:    31 * time.Second,
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			closeNow(t, api, "server closes second", c.server)
			atOnce, ok := wantReuseDone(t, "active closer", 30*time.Second, onEvent(api, ev))
			if !ok {
				return
			}
			wantResult(t, api, "active closer", c.client, ov, spec.ERROR_SUCCESS)
			if atOnce {
				// The old connection's TIME_WAIT row still holds the pair.
				api.Sleep(30*time.Second + prompt)
			}
			wantConnectEx(t, api, "ConnectEx to the same server after TIME_WAIT", c.client, c.addr)
		},
	},
	{
		Name:    "reuse/twice",
		Clauses: clauses(spec.ClauseFlagReuse, spec.ClausePurpose),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			c := dial(t, api, addr, byConnectEx)
			for i := 1; i <= 3; i++ {
				s := acceptOne(t, api, l, byAccept)
				roundTrip(t, api, "round "+string(rune('0'+i)), c, s)
				closeNow(t, api, "server closes first", s)
				mustOK(t, "DisconnectEx(client, NULL, TF_REUSE_SOCKET, 0)", api.DisconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0))
				if i < 3 {
					// A new server each round: the last one holds this pair in
					// TIME_WAIT (reconnecting to it is DX-GAP-TIMEWAIT-SYN's case).
					l, addr = listener(t, api)
					connectEx(t, api, c, addr)
				}
			}
		},
	},
	{
		Name:     "reuse/states",
		Clauses:  clauses(spec.ClauseFlagReuse, spec.ClauseRemTimeWait),
		Needs:    needs(Introspection, Settings),
		Settings: delay(30 * time.Second),
		Waits:    31 * time.Second,
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, _ := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			wantState(t, api, "before the peer's FIN", c.client, spec.StateTransmitClosing)
			closeNow(t, api, "server closes", c.server)
			if st, ok := api.(interface {
				State(spec.Socket) (spec.State, error)
			}); ok {
				// TIME_WAIT until the row expires, or reusable at once (DX-FLAG-TIMEWAIT).
				got, _ := st.State(c.client)
				if got != spec.StateTimeWait && got != spec.StateReusable {
					t.Errorf("after the peer's FIN: state got %v, want %v or %v", got, spec.StateTimeWait, spec.StateReusable)
				}
			}
			_, err := api.GetOverlappedResult(spec.Handle(c.client), ov, true)
			mustOK(t, "GetOverlappedResult(wait)", err)
			wantState(t, api, "after completion", c.client, spec.StateReusable)
		},
	},
	{
		Name:    "reuse/reconnect-same-server",
		Clauses: clauses(spec.ClauseFlagReuse, spec.ClauseRemTimeWaitPair, spec.ClauseGapTimeWaitSYN),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			reuseClient(t, api, c)
			// Passive close: the client holds no TIME_WAIT row, but the server,
			// which closed first, holds the pair: its SYN takes the row over
			// or is refused (DX-GAP-TIMEWAIT-SYN).
			reconnectOutcome(t, "ConnectEx to the same server after a passive close", tryConnectEx(t, api, c.client, c.addr))
		},
	},
	{
		Name:    "reuse/acceptex-then-pending-recv",
		Clauses: clauses(spec.ClauseFlagReuse, spec.ClauseFlagReuseTarget),
		Body:    reuseThenPendingRecv,
	},
}

// reuseThenPendingRecv is a server's loop, as package reuse runs it: an
// overlapped WSARecv takes the client's FIN, DisconnectEx(TF_REUSE_SOCKET)
// recycles the socket, AcceptEx takes the next connection into it, and a
// WSARecv posted before that client sends completes with its data.
func reuseThenPendingRecv(t *T, api spec.API) {
	c := connectedVia(t, api, byConnect, byAcceptEx)
	ev := event(t, api)
	ov := overlapped(t, api, ev)
	buf := make([]byte, 16)
	_, err := api.WSARecv(c.server, buf, ov)
	if err != nil && !isErr(err, spec.ERROR_IO_PENDING) {
		t.Fatalf("WSARecv(server, ov) before the client's FIN: got %s", errName(err))
	}
	closeNow(t, api, "client closes first", c.client)
	if !waitPrompt(t, api, "the WSARecv that takes the FIN", ev) {
		api.CancelIoEx(spec.Handle(c.server), ov)
		return
	}
	if n, err := api.GetOverlappedResult(spec.Handle(c.server), ov, false); err != nil || n != 0 {
		t.Fatalf("the WSARecv that takes the FIN: got %d bytes with %s, want 0 with success", n, errName(err))
	}
	mustOK(t, "DisconnectEx(server, NULL, TF_REUSE_SOCKET) as passive closer", api.DisconnectEx(c.server, 0, spec.TF_REUSE_SOCKET, 0))
	c2 := dial(t, api, c.addr, byConnect)
	if err := tryAcceptEx(t, api, c.ln, c.server); err != nil {
		t.Fatalf("AcceptEx into the reused socket: got %s, want success", errName(err))
	}
	_, err = api.WSARecv(c.server, buf, ov)
	if !isErr(err, spec.ERROR_IO_PENDING) {
		t.Fatalf("WSARecv(server, ov) on the new connection before it has data: got %s, want ERROR_IO_PENDING", errName(err))
	}
	n, err := api.Send(c2, []byte("ping"))
	mustOK(t, "send on the new connection", err)
	if n != 4 {
		t.Fatalf("send on the new connection: got %d bytes, want 4", n)
	}
	if !waitPrompt(t, api, "the pending WSARecv on the new connection", ev) {
		api.CancelIoEx(spec.Handle(c.server), ov)
		api.GetOverlappedResult(spec.Handle(c.server), ov, true)
		return
	}
	n32, err := api.GetOverlappedResult(spec.Handle(c.server), ov, false)
	if err != nil || string(buf[:n32]) != "ping" {
		t.Errorf("the pending WSARecv on the new connection: got %q with %s, want \"ping\"", buf[:n32], errName(err))
	}
}
