package conformance

import (
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from dotnet/runtime's Shutdown.cs: Shutdown_TCP_CLOSED_Success
// (OuterLoop: it sleeps 5 s) runs an echo server on AcceptAsync,
// ReceiveAsync and SendAsync (AcceptEx, WSARecv, WSASend with an
// OVERLAPPED), closes the client's sending side first, and shuts the
// client down both ways after its connection has closed. The test binds
// IPv6; the suite's helpers are IPv4. Its server callbacks run while the
// client sends; here the client sends first and the server echoes after,
// which the unbounded loopback buffers make the same exchange.

// dotnetEchoServer runs OnOperationCompleted's receive/send loop on s
// until it reads 0 bytes, then shuts s's sending side and closes it.
func dotnetEchoServer(t *T, api spec.API, s spec.Socket) int {
	t.Helper()
	ev := event(t, api)
	ov := overlapped(t, api, ev)
	buf := make([]byte, 1)
	echoed := 0
	for i := 0; i < 64; i++ {
		_, err := api.WSARecv(s, buf, ov)
		if err != nil && !isErr(err, spec.ERROR_IO_PENDING) {
			t.Fatalf("ReceiveAsync (WSARecv): got %s, want success or ERROR_IO_PENDING", errName(err))
		}
		n, err := api.GetOverlappedResult(spec.Handle(s), ov, true)
		if !wantOK(t, "ReceiveAsync completion: SocketError", err) {
			return echoed
		}
		if n == 0 {
			wantOK(t, "server shutdown(SD_SEND) after reading 0", api.Shutdown(s, spec.SD_SEND))
			wantOK(t, "server closesocket", api.Closesocket(s))
			return echoed
		}
		_, err = api.WSASend(s, buf[:n], ov)
		if err != nil && !isErr(err, spec.ERROR_IO_PENDING) {
			t.Fatalf("SendAsync (WSASend): got %s, want success or ERROR_IO_PENDING", errName(err))
		}
		sent, err := api.GetOverlappedResult(spec.Handle(s), ov, true)
		if !wantOK(t, "SendAsync completion: SocketError", err) {
			return echoed
		}
		if sent != n {
			t.Errorf("SendAsync completion: %d bytes transferred, want the buffer's %d", sent, n)
		}
		echoed += int(sent)
	}
	t.Fatalf("echo server: no end of data after 64 receives")
	return echoed
}

var dotnetShutdownCases = []Case{
	{
		Name:    "dotnet-shutdown/both-after-close",
		Clauses: clauses(spec.ClauseGapShutdownSend, spec.ClauseGapAfterShutdown),
		Waits:   5 * time.Second,
		Body: func(t *T, api spec.API) {
			l := tcp(t, api)
			mustOK(t, "bind(server, 127.0.0.1:0)", api.Bind(l, netip.AddrPortFrom(loopback4, 0)))
			mustOK(t, "listen(server, 1)", api.Listen(l, 1))
			a, err := api.Getsockname(l)
			mustOK(t, "getsockname(server)", err)
			acc := tcp(t, api)
			aev := event(t, api)
			aov := overlapped(t, api, aev)
			if err := api.AcceptEx(l, acc, aov); !isErr(err, spec.ERROR_IO_PENDING) {
				t.Fatalf("AcceptAsync (AcceptEx) with no connection waiting: got %s, want ERROR_IO_PENDING", errName(err))
			}
			client := tcp(t, api)
			mustOK(t, "client connect", api.Connect(client, netip.AddrPortFrom(loopback4, a.Port())))
			waitPrompt(t, api, "AcceptAsync", aev)
			_, err = api.GetOverlappedResult(spec.Handle(l), aov, false)
			if !wantOK(t, "AcceptAsync completion: SocketError", err) {
				return
			}
			mustOK(t, "SO_UPDATE_ACCEPT_CONTEXT", api.UpdateAcceptContext(acc, l))
			for i := 0; i < 32; i++ {
				if n, err := api.Send(client, []byte{42}); err != nil || n != 1 {
					t.Fatalf("client send #%d: got %d with %s, want 1", i+1, n, errName(err))
				}
			}
			mustOK(t, "client shutdown(SD_SEND)", api.Shutdown(client, spec.SD_SEND))
			if n := dotnetEchoServer(t, api, acc); n != 32 {
				t.Errorf("echo server: echoed %d bytes, want 32", n)
			}
			got := 0
			for i := 0; i < 64; i++ {
				n, err := api.Recv(client, make([]byte, 1))
				if !wantOK(t, "client receive", err) {
					return
				}
				if n == 0 {
					break
				}
				got += n
			}
			if got != 32 {
				t.Errorf("client received %d echoed bytes before the FIN, want 32", got)
			}
			api.Sleep(5 * time.Second) // the test's TimeWaitTimeout
			// The test's last call: Shutdown(Both) would throw, failing it.
			wantOK(t, "client shutdown(SD_BOTH) after its connection closed", api.Shutdown(client, spec.SD_BOTH))
		},
	},
}
