package conformance

import (
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from Connect.cs. Connect_Success and Connect_AfterDisconnect_Fails
// are OuterLoop; Connect_AfterDisconnect_Fails runs on Windows only
// (PlatformSpecific). Connect_Udp_Success runs in the ordinary pass.
// ConnectGetsCanceledByDispose (OuterLoop) and the *_CancelDuringConnect_Throws
// tests (OuterLoop, Windows only) connect to addresses nobody answers
// (1.1.1.1:23, 1.2.3.4:1): here a remote host that drops SYNs.
var dotnetConnectCases = []Case{
	{
		Name:    "dotnet-connect/dispose-aborts-connectex",
		Clauses: clauses(spec.ClauseGapSYNTimeout, spec.ClauseGapCancel),
		Needs:   needs(RemoteHosts),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			client, op := connectNobodyAnswers(t, d)
			d.dispose(t, "dispose the connecting socket", client)
			// Dispose cancels before it closes: the packet says canceled,
			// not timed out (the test's NotEqual(TimedOut)).
			op.wantCanceled(t, "pending ConnectEx after the socket's dispose")
		},
	},
	{
		Name:    "dotnet-connect/cancel-during-connect",
		Clauses: clauses(spec.ClauseGapSYNTimeout, spec.ClauseGapCancel),
		Needs:   needs(RemoteHosts),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			client, op := connectNobodyAnswers(t, d)
			// CancellationTokenSource.CancelAfter(100): the registration
			// SocketAsyncEventArgs made once the call pended cancels that
			// one request, CancelIoEx(s, its OVERLAPPED); a result of
			// OperationAborted after a cancel is OperationCanceledException.
			mustOK(t, "CancelIoEx(socket, the ConnectEx's OVERLAPPED)", api.CancelIoEx(spec.Handle(client), op.ov))
			op.wantCanceled(t, "ConnectEx after its cancel")
			// The test's using block disposes the socket afterwards.
			d.dispose(t, "dispose after the canceled ConnectEx", client)
		},
	},
	{
		Name:    "dotnet-connect/success-connectex",
		Clauses: clauses(spec.ClauseFlagReuseTarget, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			srv := d.server(t)
			client := d.socket(t)
			d.connectAsync(t, client, srv.addr).mustDone(t)
			srv.pump(t, prompt)
			roundTripEcho(t, d, client, srv)
		},
	},
	{
		Name:    "dotnet-connect/success-connect",
		Clauses: clauses(spec.ClauseFlagReuseTarget),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			srv := d.server(t)
			client := d.socket(t)
			mustOK(t, "connect to the test server", d.connect(t, client, srv.addr))
			peer, err := api.Getpeername(client)
			if wantOK(t, "getpeername(client)", err) && peer != srv.addr {
				t.Errorf("getpeername(client): got %v, want the server's %v", peer, srv.addr)
			}
			srv.pump(t, prompt)
			roundTripEcho(t, d, client, srv)
		},
	},
	{
		Name:    "dotnet-connect/udp",
		Clauses: clauses(spec.ClauseRemDatagram),
		Body: func(t *T, api spec.API) {
			l := sock(t, api, spec.AF_INET, spec.SOCK_DGRAM, spec.IPPROTO_UDP, spec.WSA_FLAG_OVERLAPPED)
			c := sock(t, api, spec.AF_INET, spec.SOCK_DGRAM, spec.IPPROTO_UDP, spec.WSA_FLAG_OVERLAPPED)
			mustOK(t, "bind UDP socket to 127.0.0.1:0", api.Bind(l, netip.AddrPortFrom(loopback4, 0)))
			a, err := api.Getsockname(l)
			mustOK(t, "getsockname(UDP socket)", err)
			addr := netip.AddrPortFrom(loopback4, a.Port())
			// System.Net.Sockets connects a datagram socket with connect(),
			// never ConnectEx.
			if !wantOK(t, "connect(UDP socket, bound UDP address)", api.Connect(c, addr)) {
				return
			}
			peer, err := api.Getpeername(c)
			if wantOK(t, "getpeername(connected UDP socket)", err) && peer != addr {
				t.Errorf("getpeername(connected UDP socket): got %v, want %v", peer, addr)
			}
		},
	},
	{
		Name:    "dotnet-connect/after-disconnect-isconn",
		Clauses: clauses(spec.ClauseGapNoReuse, spec.ClauseGapNullOverlapped, spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			srv := d.server(t)
			client := d.socket(t)
			d.connectAsync(t, client, srv.addr).mustDone(t)
			mustOK(t, "DisconnectEx(client, NULL, 0, 0)", d.disconnect(client, false))
			err := d.connectAsync(t, client, srv.addr).result(t, prompt)
			wantErr(t, "ConnectEx to the same server after DisconnectEx(NULL, 0)", err, spec.WSAEISCONN)
		},
	},
}

// connectNobodyAnswers is ConnectAsync to an address nobody answers, seen
// still pending 100 ms later (the tests wait that long "so the operation
// is started").
func connectNobodyAnswers(t *T, d *dotnet) (spec.Socket, *dnOp) {
	t.Helper()
	dst := remoteHost(t, d.api, spec.HostDropsSYN)
	client := d.socket(t)
	op := d.connectAsync(t, client, dst)
	// A case that stops early must not free the OVERLAPPED under a
	// request still pending.
	t.Cleanup(func() { d.api.CancelIoEx(spec.Handle(client), op.ov) })
	if op.wait(t, 100*time.Millisecond) {
		t.Fatalf("ConnectEx to a host that drops SYNs: got %s within 100 ms, want pending", errName(op.err))
	}
	return client, op
}
