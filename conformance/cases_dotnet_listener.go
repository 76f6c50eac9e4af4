package conformance

import (
	"fmt"
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from dotnet/runtime's TcpListenerTest.cs (see
// evidence_dotnet_listener.go). TcpListener on Windows, as TCPListener.cs
// (dotnet/runtime at 04da5a17) makes its calls: the constructor makes the
// socket (WSASocketW); Start() is bind to the endpoint given, then listen
// with SOMAXCONN ((int)SocketOptionName.MaxConnections, 0x7fffffff) unless
// a backlog is given; Stop() disposes the socket (CancelIoEx, closesocket)
// and forgets it, so the next Start or Server makes a new one;
// AcceptSocket is accept(), AcceptSocketAsync and BeginAcceptSocket are
// Socket.AcceptAsync (AcceptEx, SO_UPDATE_ACCEPT_CONTEXT); Pending() is
// Socket.Poll(0, SelectRead), which SocketPal.Windows.cs makes a select()
// with the socket alone in readfds and a zero timeout: the cases ask
// WSAPoll for POLLRDNORM instead, the readability of a listener with a
// connection waiting. ExclusiveAddressUse reads and writes
// SO_EXCLUSIVEADDRUSE on the current socket while there is one (the
// setter before bind), and a field of TcpListener after Stop; Start sets
// the option on a new socket again when the field is on.

// lsNotPending is Pending() returning false: WSAPoll(l, POLLRDNORM, 0)
// reports nothing.
func lsNotPending(t *T, api spec.API, what string, l spec.Socket) {
	t.Helper()
	if re, err := api.Poll(l, spec.POLLRDNORM, 0); err != nil || re != 0 {
		t.Errorf("%s: WSAPoll(listener, POLLRDNORM, 0): got revents %#x with %s, want 0 (not readable)", what, uint16(re), errName(err))
	}
}

// lsCloseClient is TcpClient.Dispose without a stream: shutdown(SD_BOTH),
// whose failure it ignores, then the socket's Dispose.
func lsCloseClient(t *T, d *dotnet, c spec.Socket) {
	t.Helper()
	d.api.Shutdown(c, spec.SD_BOTH)
	d.dispose(t, "dispose the client", c)
}

// lsAcceptRound is one using block of Accept_AcceptsPendingSocketOrClient
// or VerifyAccept: a new client's ConnectAsync (a wildcard bind, then
// ConnectEx), the accept (accept() after a poll when sync, else AcceptEx),
// Pending() false while the accepted socket is open, then the accepted
// socket's and the client's Dispose with the connect awaited between.
func lsAcceptRound(t *T, d *dotnet, l spec.Socket, addr netip.AddrPort, async bool, what string) {
	t.Helper()
	c := d.socket(t)
	conn := d.connectAsync(t, c, addr)
	var s spec.Socket
	if async {
		var acc *dnOp
		acc, s = d.acceptAsync(t, l, 0)
		acc.mustDone(t)
	} else {
		var ok bool
		if s, _, ok = acceptWaiting(t, d.api, l, what+": the listener"); !ok {
			t.FailNow()
		}
	}
	lsNotPending(t, d.api, what+": after the accept", l)
	d.dispose(t, what+": dispose the accepted socket", s)
	conn.mustDone(t)
	lsCloseClient(t, d, c)
}

// lsAcceptCase is Accept_AcceptsPendingSocketOrClient in one mode: the
// AcceptSocket round, then the AcceptTcpClient round, which makes the
// same calls.
func lsAcceptCase(name string, async bool) Case {
	return Case{
		Name:    name,
		Clauses: clauses(spec.ClauseGapListening),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			l, addr := d.listen(t, somaxconn)
			lsAcceptRound(t, d, l, addr, async, "AcceptSocket round")
			lsAcceptRound(t, d, l, addr, async, "AcceptTcpClient round")
			d.dispose(t, "Stop: dispose the listener", l)
		},
	}
}

// lsExclusive reads SO_EXCLUSIVEADDRUSE of s and checks it against want.
func lsExclusive(t *T, api spec.API, what string, s spec.Socket, want bool) {
	t.Helper()
	got, err := api.BindOption(s, spec.SO_EXCLUSIVEADDRUSE)
	if wantOK(t, what+": getsockopt(SO_EXCLUSIVEADDRUSE)", err) && got != want {
		t.Errorf("%s: getsockopt(SO_EXCLUSIVEADDRUSE): got %v, want %v", what, got, want)
	}
}

// lsStartExclusive is Start() after ExclusiveAddressUse = true: a new
// socket with SO_EXCLUSIVEADDRUSE set (twice when the setter found the
// socket: once by the setter, once by Start), bound to 127.0.0.1:0,
// listening with SOMAXCONN.
func lsStartExclusive(t *T, api spec.API, sets int) spec.Socket {
	t.Helper()
	s := tcp(t, api)
	for i := 0; i < sets; i++ {
		mustOK(t, fmt.Sprintf("setsockopt(SO_EXCLUSIVEADDRUSE, 1) #%d before bind", i+1), api.SetBindOption(s, spec.SO_EXCLUSIVEADDRUSE, true))
	}
	mustOK(t, "bind(127.0.0.1:0)", api.Bind(s, netip.AddrPortFrom(loopback4, 0)))
	mustOK(t, "listen(SOMAXCONN)", api.Listen(s, somaxconn))
	return s
}

var dotnetListenerCases = []Case{
	{
		Name:    "dotnet-listener/pending-when-waiting",
		Clauses: clauses(spec.ClauseGapListening),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			l, addr := d.listen(t, somaxconn)
			lsNotPending(t, api, "a new listener", l)
			// new TcpClient(127.0.0.1:0): a socket bound to the loopback
			// address, so ConnectAsync binds nothing more before ConnectEx.
			c := d.socket(t)
			mustOK(t, "bind(client, 127.0.0.1:0)", api.Bind(c, netip.AddrPortFrom(loopback4, 0)))
			d.right[c] = true
			conn := d.connectAsync(t, c, addr)
			s, _, ok := acceptWaiting(t, api, l, "the listener, a client connecting")
			if !ok {
				return
			}
			d.dispose(t, "dispose the accepted socket", s)
			conn.mustDone(t)
			lsCloseClient(t, d, c)
			d.dispose(t, "Stop: dispose the listener", l)
		},
	},
	lsAcceptCase("dotnet-listener/accept-then-not-pending-sync", false),
	lsAcceptCase("dotnet-listener/accept-then-not-pending-async", true),
	{
		Name:    "dotnet-listener/start-after-stop-accepts",
		Clauses: clauses(spec.ClauseGapListening),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			for i := 1; i <= 2; i++ {
				l, addr := d.listen(t, somaxconn)
				lsAcceptRound(t, d, l, addr, true, fmt.Sprintf("listener %d", i))
				d.dispose(t, fmt.Sprintf("Stop: dispose listener %d", i), l)
			}
		},
	},
	{
		Name:    "dotnet-listener/exclusive-read-back-unbound",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			mustOK(t, "setsockopt(SO_EXCLUSIVEADDRUSE, 1) on a new socket", api.SetBindOption(s, spec.SO_EXCLUSIVEADDRUSE, true))
			lsExclusive(t, api, "after setting it to 1", s, true)
			mustOK(t, "setsockopt(SO_EXCLUSIVEADDRUSE, 0)", api.SetBindOption(s, spec.SO_EXCLUSIVEADDRUSE, false))
			lsExclusive(t, api, "after setting it to 0", s, false)
		},
	},
	{
		Name:    "dotnet-listener/exclusive-set-start-read",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			l := lsStartExclusive(t, api, 2)
			lsExclusive(t, api, "a listener on 127.0.0.1 with the option set before bind", l, true)
			mustOK(t, "Stop: closesocket(listener)", api.Closesocket(l))
		},
	},
	{
		Name:    "dotnet-listener/exclusive-restart-read",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			first := tcp(t, api)
			mustOK(t, "bind(first, 127.0.0.1:0)", api.Bind(first, netip.AddrPortFrom(loopback4, 0)))
			mustOK(t, "listen(first, SOMAXCONN)", api.Listen(first, somaxconn))
			mustOK(t, "Stop: closesocket(first)", api.Closesocket(first))
			l := lsStartExclusive(t, api, 1)
			lsExclusive(t, api, "the second listener, the option set before its bind", l, true)
			mustOK(t, "Stop: closesocket(second)", api.Closesocket(l))
		},
	},
	{
		Name:    "dotnet-listener/stop-fails-pending-accept",
		Clauses: clauses(spec.ClauseGapClosePending, spec.ClauseGapCancel),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			l, _ := d.listen(t, somaxconn)
			op, _ := d.acceptAsync(t, l, 0)
			if !op.pending(t) {
				t.Fatalf("AcceptEx with no connection waiting: got %s at once, want pending", errName(op.err))
			}
			d.dispose(t, "Stop: dispose the listener", l)
			switch err := op.result(t, prompt); {
			case err == errStillPending:
				t.Errorf("AcceptEx after Stop disposed the listener: got still pending after 1s, want a failure")
			case err == nil:
				t.Errorf("AcceptEx after Stop disposed the listener: got success, want a failure")
			default:
				t.Logf("AcceptEx after Stop disposed the listener: %s (packet: %s)", errName(err), errName(op.packetErr))
			}
		},
	},
}
