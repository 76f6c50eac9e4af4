package conformance

import (
	"bytes"
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_shutdown: shutdown() in each direction on each
// end of a connection, with a receive pending, on a listener and on UDP
// sockets. DisconnectEx with flags 0 is modelled on shutdown(SD_SEND)
// (DX-GAP-SHUTDOWN-SEND), so these are the facts that model rests on.
// The test makes the client non-blocking after connecting; every recv it
// checks on that socket fails or completes at once, so a blocking socket
// sees the same outcomes.

var testMsg = []byte("test\x00") // the test sends "test" with its NUL: 5 bytes

// howBogus is the test's shutdown how 0xdeadbeef as the int it becomes.
const howBogus = -559038737

// wantRecvN checks that a blocking recv on s gives want (nil: the FIN).
func wantRecvN(t *T, api spec.API, what string, s spec.Socket, want []byte) bool {
	t.Helper()
	buf := make([]byte, 5)
	n, err := api.Recv(s, buf)
	if err != nil || n != len(want) || !bytes.Equal(buf[:n], want) {
		t.Errorf("%s: got %q with %s, want %q", what, buf[:max(n, 0)], errName(err), want)
		return false
	}
	return true
}

// wantSendErr checks that sending testMsg on s fails with want.
func wantSendErr(t *T, api spec.API, what string, s spec.Socket, want spec.Errno) bool {
	t.Helper()
	_, err := api.Send(s, testMsg)
	return wantErr(t, what, err, want)
}

// wantSent5 checks that sending testMsg on s sends all 5 bytes.
func wantSent5(t *T, api spec.API, what string, s spec.Socket) bool {
	t.Helper()
	n, err := api.Send(s, testMsg)
	if err != nil || n != len(testMsg) {
		t.Errorf("%s: got %d with %s, want 5", what, n, errName(err))
		return false
	}
	return true
}

// shutSendTwice is the test's first run on a connection (8978-8996): the
// client shuts its sending side twice, cannot send, and the server reads
// the FIN twice.
func shutSendTwice(t *T, api spec.API, c conn) {
	t.Helper()
	wantOK(t, "shutdown(client, SD_SEND)", api.Shutdown(c.client, spec.SD_SEND))
	wantOK(t, "shutdown(client, SD_SEND) again", api.Shutdown(c.client, spec.SD_SEND))
	wantSendErr(t, api, "send on the client after SD_SEND", c.client, spec.WSAESHUTDOWN)
	wantRecvN(t, api, "recv on the server (the FIN)", c.server, nil)
	wantRecvN(t, api, "recv on the server again (the FIN)", c.server, nil)
}

// shutServerReceive continues it (8998-9013): the server shuts its
// receiving side, cannot receive, and can still send to the client.
func shutServerReceive(t *T, api spec.API, c conn) {
	t.Helper()
	wantOK(t, "shutdown(server, SD_RECEIVE)", api.Shutdown(c.server, spec.SD_RECEIVE))
	_, err := api.Recv(c.server, make([]byte, 5))
	wantErr(t, "recv on the server after SD_RECEIVE", err, spec.WSAESHUTDOWN)
	wantSent5(t, api, "send on the server after its SD_RECEIVE", c.server)
	wantRecvN(t, api, "recv on the client", c.client, testMsg)
}

// wantNamesKept checks that both ends of c still have their names after
// both directions are shut (Windows; Wine fails getpeername).
func wantNamesKept(t *T, api spec.API, what string, c conn) {
	t.Helper()
	peer, err := api.Getpeername(c.client)
	if wantOK(t, what+": getpeername(client)", err) && peer != c.addr {
		t.Errorf("%s: getpeername(client): got %v, want the listener's %v", what, peer, c.addr)
	}
	local, err := api.Getsockname(c.client)
	mustOK(t, what+": getsockname(client)", err)
	peer, err = api.Getpeername(c.server)
	if wantOK(t, what+": getpeername(server)", err) && peer != local {
		t.Errorf("%s: getpeername(server): got %v, want the client's %v", what, peer, local)
	}
}

// shutBoth is the test's fourth run on the first connection (9015-9038):
// both ends end up shut in both directions.
func shutBoth(t *T, api spec.API, c conn) {
	t.Helper()
	shutSendTwice(t, api, c)
	shutServerReceive(t, api, c)
	wantOK(t, "shutdown(client, SD_RECEIVE)", api.Shutdown(c.client, spec.SD_RECEIVE))
	for _, what := range []string{"recv on the client after SD_RECEIVE", "recv on the client again"} {
		_, err := api.Recv(c.client, make([]byte, 5))
		wantErr(t, what, err, spec.WSAESHUTDOWN)
	}
	wantOK(t, "shutdown(server, SD_SEND)", api.Shutdown(c.server, spec.SD_SEND))
	wantSendErr(t, api, "send on the server after SD_SEND", c.server, spec.WSAESHUTDOWN)
}

// udpSocket makes an overlapped IPv4 UDP socket closed after the case.
func udpSocket(t *T, api spec.API) spec.Socket {
	t.Helper()
	return sock(t, api, spec.AF_INET, spec.SOCK_DGRAM, spec.IPPROTO_UDP, spec.WSA_FLAG_OVERLAPPED)
}

// boundUDP makes a UDP socket bound to 127.0.0.1:0 and returns its address.
func boundUDP(t *T, api spec.API) (spec.Socket, netip.AddrPort) {
	t.Helper()
	s := udpSocket(t, api)
	mustOK(t, "bind UDP socket to 127.0.0.1:0", api.Bind(s, netip.AddrPortFrom(loopback4, 0)))
	a, err := api.Getsockname(s)
	mustOK(t, "getsockname(UDP socket)", err)
	return s, a
}

// recvShutClient sets up test_shutdown's third connection (9130-9151): a
// WSARecv pends on the client, the client shuts its receiving side, and
// a new blocking WSARecv fails WSAESHUTDOWN. It returns the pending
// request's OVERLAPPED, auto-reset event and buffer.
func recvShutClient(t *T, api spec.API, c conn) (spec.Overlapped, spec.Handle, []byte) {
	t.Helper()
	ev := autoEvent(t, api)
	ov := overlapped(t, api, ev)
	buf := make([]byte, 5)
	_, err := api.WSARecv(c.client, buf, ov)
	if !wantErr(t, "WSARecv(client, ov)", err, spec.ERROR_IO_PENDING) {
		t.FailNow()
	}
	wantOK(t, "shutdown(client, SD_RECEIVE) with a WSARecv pending", api.Shutdown(c.client, spec.SD_RECEIVE))
	_, err = api.WSARecv(c.client, make([]byte, 5), 0)
	wantErr(t, "blocking WSARecv(client) after SD_RECEIVE", err, spec.WSAESHUTDOWN)
	return ov, ev, buf
}

var wineShutdownCases = []Case{
	{
		Name:    "wine-shutdown/not-connected",
		Clauses: clauses(spec.ClauseGapShutdownSend, spec.ClauseErrNotConn),
		Body: func(t *T, api spec.API) {
			c := tcp(t, api)
			wantErr(t, "shutdown(unconnected, SD_SEND)", api.Shutdown(c, spec.SD_SEND), spec.WSAENOTCONN)
			wantErr(t, "shutdown(unconnected, SD_RECEIVE)", api.Shutdown(c, spec.SD_RECEIVE), spec.WSAENOTCONN)
		},
	},
	{
		Name:    "wine-shutdown/send-twice",
		Clauses: clauses(spec.ClauseGapShutdownSend, spec.ClauseGapAfterShutdown),
		Body: func(t *T, api spec.API) {
			shutSendTwice(t, api, connected(t, api))
		},
	},
	{
		Name:    "wine-shutdown/receive-after-fin",
		Clauses: clauses(spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			shutSendTwice(t, api, c)
			shutServerReceive(t, api, c)
		},
	},
	{
		Name:    "wine-shutdown/both-ends-both-ways",
		Clauses: clauses(spec.ClauseGapShutdownSend, spec.ClauseGapAfterShutdown),
		Body: func(t *T, api spec.API) {
			shutBoth(t, api, connected(t, api))
		},
	},
	{
		Name:    "wine-shutdown/fully-shut-keeps-names",
		Clauses: clauses(spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			shutBoth(t, api, c)
			wantNamesKept(t, api, "after shutting both ends both ways", c)
		},
	},
	{
		Name:    "wine-shutdown/fully-shut-still-connected",
		Clauses: clauses(spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			shutBoth(t, api, c)
			wantErr(t, "connect(client) after shutting both ways", api.Connect(c.client, c.addr), spec.WSAEISCONN)
			wantErr(t, "shutdown(client, 0xdeadbeef)", api.Shutdown(c.client, howBogus), spec.WSAEINVAL)
		},
	},
	{
		Name:    "wine-shutdown/sd-both",
		Clauses: clauses(spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			wantOK(t, "shutdown(client, SD_BOTH)", api.Shutdown(c.client, spec.SD_BOTH))
			_, err := api.Recv(c.client, make([]byte, 5))
			wantErr(t, "recv on the client after SD_BOTH", err, spec.WSAESHUTDOWN)
			wantSendErr(t, api, "send on the client after SD_BOTH", c.client, spec.WSAESHUTDOWN)
			wantRecvN(t, api, "recv on the server (the FIN)", c.server, nil)
			wantOK(t, "shutdown(server, SD_BOTH)", api.Shutdown(c.server, spec.SD_BOTH))
			_, err = api.Recv(c.server, make([]byte, 5))
			wantErr(t, "recv on the server after SD_BOTH", err, spec.WSAESHUTDOWN)
			wantSendErr(t, api, "send on the server after SD_BOTH", c.server, spec.WSAESHUTDOWN)
		},
	},
	{
		Name:    "wine-shutdown/sd-both-keeps-names",
		Clauses: clauses(spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			mustOK(t, "shutdown(client, SD_BOTH)", api.Shutdown(c.client, spec.SD_BOTH))
			wantRecvN(t, api, "recv on the server (the FIN)", c.server, nil)
			mustOK(t, "shutdown(server, SD_BOTH)", api.Shutdown(c.server, spec.SD_BOTH))
			wantNamesKept(t, api, "after SD_BOTH on both ends", c)
		},
	},
	{
		// Issue 8 item 9: the request pending at shutdown(SD_RECEIVE)
		// takes the peer's later data.
		Name:    "wine-shutdown/pending-recv-survives-sd-receive",
		Clauses: clauses(spec.ClauseGapShutdownSend, spec.ClauseRetPending),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev, buf := recvShutClient(t, api, c)
			wantSent5(t, api, "send on the server", c.server)
			waitPrompt(t, api, "the pending WSARecv", ev)
			n, err := api.GetOverlappedResult(spec.Handle(c.client), ov, false)
			if wantOK(t, "GetOverlappedResult(client, no wait)", err) && (n != 5 || !bytes.Equal(buf, testMsg)) {
				t.Errorf("the pending WSARecv: got %q (%d bytes), want %q", buf[:min(int(n), len(buf))], n, testMsg)
			}
			_, err = api.WSARecv(c.client, buf, ov)
			wantErr(t, "WSARecv(client, ov) after it completed", err, spec.WSAESHUTDOWN)
		},
	},
	{
		Name:    "wine-shutdown/pending-recv-ends-at-fin",
		Clauses: clauses(spec.ClauseGapShutdownSend, spec.ClauseRetPending),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev, buf := recvShutClient(t, api, c)
			if !wantSent5(t, api, "send on the server", c.server) || !waitPrompt(t, api, "the pending WSARecv", ev) {
				return
			}
			_, err := api.WSARecv(c.server, buf, ov)
			if !wantErr(t, "WSARecv(server, ov)", err, spec.ERROR_IO_PENDING) {
				return
			}
			wantOK(t, "shutdown(client, SD_SEND)", api.Shutdown(c.client, spec.SD_SEND))
			waitPrompt(t, api, "the server's pending WSARecv", ev)
			// The test passes the client's handle with the server's
			// OVERLAPPED; without waiting only the OVERLAPPED counts.
			n, err := api.GetOverlappedResult(spec.Handle(c.client), ov, false)
			if wantOK(t, "GetOverlappedResult(client handle, no wait)", err) && n != 0 {
				t.Errorf("the server's WSARecv: got %d bytes, want 0 (the FIN)", n)
			}
		},
	},
	{
		Name:    "wine-shutdown/listener",
		Clauses: clauses(spec.ClauseGapListening),
		Body: func(t *T, api spec.API) {
			l, _ := listener(t, api)
			wantErr(t, "shutdown(listener, SD_SEND)", api.Shutdown(l, spec.SD_SEND), spec.WSAENOTCONN)
			wantErr(t, "shutdown(listener, SD_RECEIVE)", api.Shutdown(l, spec.SD_RECEIVE), spec.WSAENOTCONN)
		},
	},
	{
		Name:    "wine-shutdown/udp-receive",
		Clauses: clauses(spec.ClauseRemDatagram, spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			s, _ := boundUDP(t, api)
			wantOK(t, "shutdown(bound UDP socket, SD_RECEIVE)", api.Shutdown(s, spec.SD_RECEIVE))
			_, err := api.Recv(s, make([]byte, 5))
			wantErr(t, "recv on the UDP socket after SD_RECEIVE", err, spec.WSAESHUTDOWN)
		},
	},
	{
		Name:    "wine-shutdown/udp-send",
		Clauses: clauses(spec.ClauseRemDatagram, spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			srv, addr := boundUDP(t, api)
			mustOK(t, "shutdown(server, SD_RECEIVE)", api.Shutdown(srv, spec.SD_RECEIVE))
			// The test sends with sendto(server's address); spec.API has no
			// sendto, so the client connects to that address and sends.
			c := udpSocket(t, api)
			mustOK(t, "connect(UDP client, server)", api.Connect(c, addr))
			wantSent5(t, api, "send on the UDP client", c)
			wantOK(t, "shutdown(UDP client, SD_SEND)", api.Shutdown(c, spec.SD_SEND))
			wantOK(t, "shutdown(UDP client, SD_SEND) again", api.Shutdown(c, spec.SD_SEND))
			wantSendErr(t, api, "send on the UDP client after SD_SEND", c, spec.WSAESHUTDOWN)
		},
	},
}
