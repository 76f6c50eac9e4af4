package conformance

import (
	"fmt"
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from Accept.cs. Accept_Success, the concurrent-accept tests and the
// target-socket tests are OuterLoop (dotnet's outer-loop Windows runs, not
// every pull request); AcceptAsync_MultipleAcceptsThenDispose and
// AcceptGetsCanceledByDispose run in the ordinary pass. The target-socket
// tests return early for the synchronous helpers (no accept into an
// existing socket) and ReuseAfterDisconnect also for APM. The asynchronous
// helpers accept with AcceptEx, the synchronous ones with accept().
var dotnetAcceptCases = []Case{
	{
		Name:    "dotnet-accept/success-acceptex-endpoints",
		Clauses: clauses(spec.ClauseFlagReuseTarget, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			l, addr := d.listen(t, 1)
			op, accepted := d.acceptAsync(t, l, 0)
			if !op.pending(t) {
				t.Errorf("AcceptEx with no connection waiting: got %s at once, want pending", errName(op.err))
			}
			client := d.socket(t)
			d.connectAsync(t, client, addr).mustDone(t)
			op.mustDone(t)
			wantCrossedNames(t, api, client, accepted)
		},
	},
	{
		Name:    "dotnet-accept/success-accept-endpoints",
		Clauses: clauses(spec.ClauseFlagReuseTarget),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			l, addr := d.listen(t, 1)
			th := thread(t, api)
			type acc struct {
				s   spec.Socket
				err error
			}
			res := make(chan acc, 1)
			go func() { s, _, err := th.Accept(l); res <- acc{s, err} }()
			client := d.socket(t)
			mustOK(t, "connect", d.connect(t, client, addr))
			a := <-res
			mustOK(t, "accept on another thread", a.err)
			t.Cleanup(func() { api.Closesocket(a.s) })
			wantCrossedNames(t, api, client, a.s)
		},
	},
	concurrentAcceptsCase(true, 2),
	concurrentAcceptsCase(true, 5),
	concurrentAcceptsCase(false, 2),
	concurrentAcceptsCase(false, 5),
	{
		Name:    "dotnet-accept/target-socket",
		Clauses: clauses(spec.ClauseFlagReuseTarget),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			l, addr := d.listen(t, 1)
			server := d.socket(t)
			op, _ := d.acceptAsync(t, l, server)
			client := d.socket(t)
			mustOK(t, "connect", d.connect(t, client, addr))
			op.mustDone(t)
			wantAcceptedFrom(t, api, "the target socket", server, client)
		},
	},
	{
		Name:    "dotnet-accept/target-reuse-after-disconnect",
		Clauses: clauses(spec.ClauseFlagReuse, spec.ClauseFlagReuseTarget, spec.ClauseGapPeerClosed, spec.ClauseGapNullOverlapped),
		Body: func(t *T, api spec.API) {
			d, l, addr, server := acceptedThenClientGone(t, api)
			mustOK(t, "DisconnectEx(server, NULL, TF_REUSE_SOCKET) after the client closed", d.disconnect(server, true))
			op, _ := d.acceptAsync(t, l, server)
			if !op.pending(t) {
				t.Errorf("AcceptEx into the reused socket, no connection waiting: got %s at once, want pending", errName(op.err))
			}
			client := d.socket(t)
			mustOK(t, "connect a second client", d.connect(t, client, addr))
			if err := op.result(t, prompt); err != nil {
				t.Fatalf("AcceptEx into the reused socket: got %s, want success", errName(err))
			}
			wantAcceptedFrom(t, api, "the reused socket", server, client)
		},
	},
	{
		Name:    "dotnet-accept/target-noreuse-after-disconnect-einval",
		Clauses: clauses(spec.ClauseGapNoReuse, spec.ClauseFlagReuseTarget, spec.ClauseGapPeerClosed),
		Body: func(t *T, api spec.API) {
			d, l, _, server := acceptedThenClientGone(t, api)
			mustOK(t, "DisconnectEx(server, NULL, 0) after the client closed", d.disconnect(server, false))
			op, _ := d.acceptAsync(t, l, server)
			wantErr(t, "AcceptEx into a socket disconnected without TF_REUSE_SOCKET", op.result(t, prompt), spec.WSAEINVAL)
		},
	},
	{
		Name:    "dotnet-accept/two-pending-then-dispose",
		Clauses: clauses(spec.ClauseGapCancel, spec.ClauseGapClosePending, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			l, _ := d.listen(t, 2)
			op1, _ := d.acceptAsync(t, l, 0)
			op2, _ := d.acceptAsync(t, l, 0)
			d.dispose(t, "dispose the listener", l)
			for i, op := range []*dnOp{op1, op2} {
				switch err := op.result(t, prompt); {
				case err == errStillPending:
					t.Errorf("AcceptEx %d after the listener's dispose: got still pending after 1s, want a failure", i+1)
				case err == nil:
					t.Errorf("AcceptEx %d after the listener's dispose: got success, want a failure", i+1)
				default:
					t.Logf("AcceptEx %d after the listener's dispose: %s (packet: %s)", i+1, errName(err), errName(op.packetErr))
				}
			}
		},
	},
	{
		Name:    "dotnet-accept/dispose-aborts-acceptex",
		Clauses: clauses(spec.ClauseGapCancel, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			l, _ := d.listen(t, 1)
			op, _ := d.acceptAsync(t, l, 0)
			if !op.pending(t) {
				t.Fatalf("AcceptEx with no connection waiting: got %s at once, want pending", errName(op.err))
			}
			d.dispose(t, "dispose the listener", l)
			// Dispose cancels before it closes, so the packet itself says
			// the request was canceled.
			op.wantCanceled(t, "pending AcceptEx after the listener's dispose")
		},
	},
}

// concurrentAcceptsCase is Accept_ConcurrentAcceptsBeforeConnects_Success
// (before) or Accept_ConcurrentAcceptsAfterConnects_Success (!before) with
// the asynchronous helpers: n AcceptEx requests on a listener with backlog n,
// issued before or after n ConnectEx requests; all of them succeed.
func concurrentAcceptsCase(before bool, n int) Case {
	order := "after"
	if before {
		order = "before"
	}
	return Case{
		Name:    fmt.Sprintf("dotnet-accept/concurrent-%s-connects-%d", order, n),
		Clauses: clauses(spec.ClauseFlagReuseTarget, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			l, addr := d.listen(t, n)
			clients := make([]spec.Socket, n)
			accepts := make([]*dnOp, n)
			servers := make([]spec.Socket, n)
			connects := make([]*dnOp, n)
			for i := range n {
				clients[i] = d.socket(t)
				if before {
					accepts[i], servers[i] = d.acceptAsync(t, l, 0)
				} else {
					connects[i] = d.connectAsync(t, clients[i], addr)
				}
			}
			for i := range n {
				if before {
					d.connectAsync(t, clients[i], addr).mustDone(t)
				} else {
					accepts[i], servers[i] = d.acceptAsync(t, l, 0)
				}
			}
			for i, op := range connects {
				if op != nil {
					if err := op.result(t, prompt); err != nil {
						t.Errorf("ConnectEx %d: got %s, want success", i+1, errName(err))
					}
				}
			}
			for i, op := range accepts {
				if err := op.result(t, prompt); err != nil {
					t.Errorf("AcceptEx %d: got %s, want success", i+1, errName(err))
					continue
				}
				if _, err := api.Getpeername(servers[i]); err != nil {
					t.Errorf("AcceptEx %d: getpeername of the accepted socket: got %s, want success (connected)", i+1, errName(err))
				}
			}
		},
	}
}

// acceptedThenClientGone is the start of
// Accept_WithTargetSocket_ReuseAfterDisconnect_Success: AcceptEx into a
// given socket, a client that connects with connect() and is then
// disposed, so the server end has the client's FIN.
func acceptedThenClientGone(t *T, api spec.API) (*dotnet, spec.Socket, netip.AddrPort, spec.Socket) {
	t.Helper()
	d := newDotnet(t, api)
	l, addr := d.listen(t, 1)
	server := d.socket(t)
	op, _ := d.acceptAsync(t, l, server)
	client := d.socket(t)
	mustOK(t, "connect", d.connect(t, client, addr))
	op.mustDone(t)
	wantAcceptedFrom(t, api, "the target socket", server, client)
	d.dispose(t, "the client is disposed", client)
	return d, l, addr, server
}

// wantCrossedNames checks Accept_Success's endpoint asserts: the client's
// local address is the accepted socket's remote one and the other way round.
func wantCrossedNames(t *T, api spec.API, client, accepted spec.Socket) {
	t.Helper()
	cl, err1 := api.Getsockname(client)
	cr, err2 := api.Getpeername(client)
	al, err3 := api.Getsockname(accepted)
	ar, err4 := api.Getpeername(accepted)
	if !wantOK(t, "getsockname(client)", err1) || !wantOK(t, "getpeername(client)", err2) ||
		!wantOK(t, "getsockname(accepted)", err3) || !wantOK(t, "getpeername(accepted)", err4) {
		return
	}
	if cl != ar {
		t.Errorf("client's local address vs the accepted socket's remote one: got %v and %v, want equal", cl, ar)
	}
	if al != cr {
		t.Errorf("accepted socket's local address vs the client's remote one: got %v and %v, want equal", al, cr)
	}
}

// wantAcceptedFrom checks that s (the socket AcceptEx filled) is connected
// to client.
func wantAcceptedFrom(t *T, api spec.API, what string, s, client spec.Socket) {
	t.Helper()
	cl, err := api.Getsockname(client)
	mustOK(t, "getsockname(client)", err)
	peer, err := api.Getpeername(s)
	if wantOK(t, "getpeername("+what+")", err) && peer != cl {
		t.Errorf("getpeername(%s): got %v, want the client's %v", what, peer, cl)
	}
}
