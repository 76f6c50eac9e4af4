package conformance

import (
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from SocketAsyncEventArgsTest.cs: the tests that make socket calls
// (the others check SocketAsyncEventArgs' own properties). Their
// connections are made with listen.AcceptAsync and client.ConnectAsync, that
// is AcceptEx and ConnectEx; ReceiveAsync and SendAsync are WSARecv and
// WSASend with an OVERLAPPED, through the thread pool's port.
var dotnetSAEACases = []Case{
	{
		Name:    "dotnet-saea/receive-pends-until-data",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseRemPending),
		Body: func(t *T, api spec.API) {
			d, client, server := dotnetPair(t, api)
			b := make([]byte, 1)
			op := d.receiveAsync(t, client, b)
			if !op.pending(t) {
				t.Fatalf("WSARecv(client, 1 byte, ov) with nothing sent: got %s at once, want pending", errName(op.err))
			}
			if n, err := api.Send(server, []byte{7}); err != nil || n != 1 {
				t.Fatalf("send(server, 1 byte): got %d with %s, want 1", n, errName(err))
			}
			if err := op.result(t, prompt); err != nil || op.bytes != 1 || b[0] != 7 {
				t.Errorf("pending WSARecv after the server's send: got %d bytes %v with %s, want 1 byte [7]", op.bytes, b, errName(err))
			}
		},
	},
	{
		Name:    "dotnet-saea/receive-twice",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseRemPending),
		Body: func(t *T, api spec.API) {
			d, client, server := dotnetPair(t, api)
			for i := byte(1); i <= 2; i++ {
				b := make([]byte, 1)
				op := d.receiveAsync(t, client, b)
				if !op.pending(t) {
					t.Fatalf("WSARecv %d with nothing sent: got %s at once, want pending", i, errName(op.err))
				}
				if n, err := api.Send(server, []byte{i}); err != nil || n != 1 {
					t.Fatalf("send %d: got %d with %s, want 1", i, n, errName(err))
				}
				if err := op.result(t, prompt); err != nil || op.bytes != 1 || b[0] != i {
					t.Errorf("WSARecv %d: got %d bytes %v with %s, want 1 byte [%d]", i, op.bytes, b, errName(err), i)
				}
			}
		},
	},
	{
		Name:    "dotnet-saea/send-receive-ten-rounds",
		Clauses: clauses(spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			d, client, server := dotnetPair(t, api)
			for i := byte(1); i <= 10; i++ {
				d.sendAsync(t, server, []byte{i}).mustDone(t)
				b := make([]byte, 1024)
				op := d.receiveAsync(t, client, b)
				if err := op.result(t, prompt); err != nil || op.bytes != 1 || b[0] != i {
					t.Errorf("round %d: WSARecv: got %d bytes, first %d, with %s, want 1 byte %d", i, op.bytes, b[0], errName(err), i)
				}
			}
		},
	},
	{
		Name:    "dotnet-saea/connectex-unlistened-port-fails",
		Clauses: clauses(spec.ClauseFlagReuseTarget, spec.ClauseGapCancel),
		Body: func(t *T, api spec.API) {
			// CancelConnectAsync_*: the target is bound but not listening,
			// so the connect is refused (Windows retries the SYN first, so
			// it may still be pending); it never succeeds.
			d := newDotnet(t, api)
			l := d.socket(t)
			mustOK(t, "bind to 127.0.0.1:0", api.Bind(l, netip.AddrPortFrom(loopback4, 0)))
			a, err := api.Getsockname(l)
			mustOK(t, "getsockname", err)
			client := d.socket(t)
			op := d.connectAsync(t, client, netip.AddrPortFrom(loopback4, a.Port()))
			switch err := op.result(t, prompt); {
			case err == nil:
				t.Errorf("ConnectEx to a bound port nobody listens on: got success, want a failure")
			case err == errStillPending:
				t.Logf("ConnectEx to a bound port nobody listens on: still pending after 1s (SYN retries); canceled")
				d.dispose(t, "CancelConnectAsync disposes the socket", client)
				if err := op.result(t, prompt); err == nil {
					t.Errorf("ConnectEx after the cancel: got success, want a failure")
				}
			default:
				t.Logf("ConnectEx to a bound port nobody listens on: %s", errName(err))
			}
		},
	},
}

// dotnetPair is the connection those tests make: listen.AcceptAsync and
// client.ConnectAsync on a listener with backlog 1.
func dotnetPair(t *T, api spec.API) (*dotnet, spec.Socket, spec.Socket) {
	t.Helper()
	d := newDotnet(t, api)
	l, addr := d.listen(t, 1)
	op, server := d.acceptAsync(t, l, 0)
	client := d.socket(t)
	d.connectAsync(t, client, addr).mustDone(t)
	op.mustDone(t)
	return d, client, server
}
