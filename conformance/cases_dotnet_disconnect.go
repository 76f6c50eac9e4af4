package conformance

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from DisconnectTest.cs. Every test class runs on Windows; none is
// OuterLoop. Disconnect_Sync and Disconnect_SyncForceNonBlocking use the
// synchronous calls (connect(), DisconnectEx with a NULL OVERLAPPED); the
// Apm, Task, CancellableTask and Eap classes the overlapped ones through the
// thread pool's completion port.
//
// Disconnect_Success(reuseSocket: true) is the evidence on DX-FLAG-TIMEWAIT
// for the side that closes first: the client's DisconnectEx sends the first
// FIN; the test server reads 0 bytes and then shuts down and closes its end,
// so the client ends in TIME_WAIT. The test awaits the disconnect (no time
// limit of its own) and then connects the reused socket at once to a second
// server, which succeeds. That the request completes and the reconnection
// succeeds is observed; how long the request took is not asserted. So the
// cases accept both variants: completion at once after the server's close,
// or after the TIME_WAIT delay, and log which.
var dotnetDisconnectCases = []Case{
	{
		Name:    "dotnet-disconnect/success-reuse-overlapped",
		Clauses: clauses(spec.ClauseFlagReuse, spec.ClauseFlagReuseTarget, spec.ClauseFlagTimeWait, spec.ClauseGapCompletionPort),
		Waits:   reuseWaits,
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			server1, server2 := d.server(t), d.server(t)
			client := d.socket(t)
			d.connectAsync(t, client, server1.addr).mustDone(t)
			op := d.disconnectAsync(t, client, true)
			server1.pump(t, prompt)
			if !server1.closed {
				t.Fatalf("test server: after the client's DisconnectEx(TF_REUSE_SOCKET): got no FIN within 1s, want it (0 bytes read)")
			}
			waitActiveReuse(t, "DisconnectEx(client, ov, TF_REUSE_SOCKET), client closed first", func(d time.Duration) bool { return op.wait(t, d) })
			if op.err != nil {
				t.Fatalf("DisconnectEx(client, ov, TF_REUSE_SOCKET): got %s, want success", errName(op.err))
			}
			logReuseRow(t, api, "DisconnectEx(client, ov, TF_REUSE_SOCKET)", client, server1.addr)
			reconnectReused(t, d, client, server2)
		},
	},
	{
		Name:    "dotnet-disconnect/success-reuse-sync",
		Clauses: clauses(spec.ClauseFlagReuse, spec.ClauseFlagReuseTarget, spec.ClauseFlagTimeWait, spec.ClauseGapNullOverlapped),
		Waits:   reuseWaits,
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			server1, server2 := d.server(t), d.server(t)
			client := d.socket(t)
			mustOK(t, "connect to the test server", d.connect(t, client, server1.addr))
			// The blocking call returns only once the server has closed
			// its end; the server runs on another thread in the test.
			th := thread(t, api)
			res := make(chan error, 1)
			go func() { res <- th.DisconnectEx(client, 0, spec.TF_REUSE_SOCKET, 0) }()
			server1.pumpUntilClosed(t)
			// At once or after TIME_WAIT: either passes (the case's
			// watchdog ends a call that never returns).
			err := <-res
			logReuseRow(t, api, "DisconnectEx(client, NULL, TF_REUSE_SOCKET)", client, server1.addr)
			if err != nil {
				t.Fatalf("DisconnectEx(client, NULL, TF_REUSE_SOCKET): got %s, want success", errName(err))
			}
			reconnectReused(t, d, client, server2)
		},
	},
	{
		Name:    "dotnet-disconnect/success-noreuse-connectex-isconn",
		Clauses: clauses(spec.ClauseGapNoReuse, spec.ClauseFlagReuse, spec.ClauseGapShutdownSend, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			server1, server2 := d.server(t), d.server(t)
			client := d.socket(t)
			d.connectAsync(t, client, server1.addr).mustDone(t)
			d.disconnectAsync(t, client, false).mustDone(t)
			server1.pump(t, prompt)
			err := d.connectAsync(t, client, server2.addr).result(t, prompt)
			wantErr(t, "ConnectEx to a second server after DisconnectEx(ov, 0)", err, spec.WSAEISCONN)
		},
	},
	{
		Name:    "dotnet-disconnect/noreuse-connectex-isconn-before-peer-closes",
		Clauses: clauses(spec.ClauseGapNoReuse, spec.ClauseGapShutdownSend, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			// The test does not wait for the server's close: its
			// ConnectAsync may run before the server has read the FIN.
			d := newDotnet(t, api)
			server1, server2 := d.server(t), d.server(t)
			client := d.socket(t)
			d.connectAsync(t, client, server1.addr).mustDone(t)
			server1.pump(t, prompt) // accepted, receive posted
			d.disconnectAsync(t, client, false).mustDone(t)
			err := d.connectAsync(t, client, server2.addr).result(t, prompt)
			wantErr(t, "ConnectEx to a second server after DisconnectEx(ov, 0), server not closed yet", err, spec.WSAEISCONN)
		},
	},
	notConnectedCase(false, false),
	notConnectedCase(false, true),
	notConnectedCase(true, false),
	notConnectedCase(true, true),
}

// notConnectedCase is Disconnect_NotConnected_ThrowsSocketException for one
// helper kind (overlapped or not) and one reuseSocket: DisconnectEx on a new
// socket must fail. The test asks for a SocketException, any code; the
// usual one is WSAENOTCONN.
func notConnectedCase(overlapped, reuse bool) Case {
	kind, flags := "sync", "noreuse"
	if overlapped {
		kind = "overlapped"
	}
	if reuse {
		flags = "reuse"
	}
	return Case{
		Name:    fmt.Sprintf("dotnet-disconnect/not-connected-%s-%s", kind, flags),
		Clauses: clauses(spec.ClauseErrNotConn, spec.ClauseRetFailure),
		Body: func(t *T, api spec.API) {
			d := newDotnet(t, api)
			s := d.socket(t)
			what := fmt.Sprintf("DisconnectEx(new socket, %s, %#x, 0)", map[bool]string{false: "NULL", true: "ov"}[overlapped], reuseFlags(reuse))
			if !overlapped {
				expectFailure(t, what, d.disconnect(s, reuse), spec.WSAENOTCONN)
				return
			}
			op := d.disconnectAsync(t, s, reuse)
			err := op.result(t, prompt)
			switch {
			case err == errStillPending:
				t.Errorf("%s: got a request still pending after 1s, want a failure (usually WSAENOTCONN)", what)
			case err == nil:
				t.Errorf("%s: got success, want a failure (usually WSAENOTCONN)", what)
			case !isErr(err, spec.WSAENOTCONN):
				t.Logf("%s: failed with %s; the emulator gives WSAENOTCONN", what, errName(err))
			}
		},
	}
}

// reuseWaits is what a TF_REUSE_SOCKET request of the side that closed
// first may wait: the TIME_WAIT delay (the wait variant) and a margin.
const reuseWaits = spec.DefaultTcpTimedWaitDelay + 4*prompt

// waitActiveReuse waits for a TF_REUSE_SOCKET request of the side that
// closed first, with done(timeout) reporting whether it has completed: at
// once (the evidence of DisconnectTest) or after waiting out TIME_WAIT (the
// DisconnectEx page's note). Either passes; the log says which.
func waitActiveReuse(t *T, what string, done func(time.Duration) bool) {
	t.Helper()
	if done(prompt) {
		t.Logf("%s: completed at once after the peer's close", what)
		return
	}
	if !done(t.Settings().TcpTimedWaitDelay + prompt) {
		t.Fatalf("%s: got a request still pending after the %v TIME_WAIT delay, want it completed", what, t.Settings().TcpTimedWaitDelay)
	}
	t.Logf("%s: completed after waiting out TIME_WAIT", what)
}

// logReuseRow logs which DX-FLAG-TIMEWAIT variant a completed request of
// the side that closed first showed: a TIME_WAIT row still in the table
// means it did not wait for it.
func logReuseRow(t *T, api spec.API, what string, s spec.Socket, remote netip.AddrPort) {
	t.Helper()
	if st, ok := row(t, api, localPort(t, api, s), remote); ok && st == spec.TCPTimeWait {
		t.Logf("%s: completed with the connection still in TIME_WAIT (reuse does not wait)", what)
		return
	}
	t.Logf("%s: completed with no TIME_WAIT row left (reuse waited it out, or the stack keeps none)", what)
}

// reconnectReused is the end of Disconnect_Success(reuseSocket: true): the
// reused client connects at once with ConnectAsync to a second test server
// (no new bind), and the server sees the client's address.
func reconnectReused(t *T, d *dotnet, client spec.Socket, server2 *testServer) {
	t.Helper()
	port := localPort(t, d.api, client)
	if err := d.connectAsync(t, client, server2.addr).result(t, prompt); err != nil {
		t.Errorf("ConnectEx of the reused client to a second server: got %s, want success", errName(err))
		return
	}
	if got := localPort(t, d.api, client); got != port {
		t.Errorf("local port after the reused ConnectEx: got %d, want %d (the reused socket stays bound)", got, port)
	}
	server2.pump(t, prompt)
	peer, err := d.api.Getpeername(server2.conn)
	if wantOK(t, "getpeername(second server's connection)", err) && peer.Port() != port {
		t.Errorf("getpeername(second server's connection): got %v, want port %d (the reused client)", peer, port)
	}
	roundTripEcho(t, d, client, server2)
}

// roundTripEcho sends through c and reads the test server's echo.
func roundTripEcho(t *T, d *dotnet, c spec.Socket, srv *testServer) {
	t.Helper()
	msg := []byte("ping")
	d.sendAsync(t, c, msg).mustDone(t)
	srv.pump(t, prompt)
	got := make([]byte, 16)
	op := d.receiveAsync(t, c, got)
	if err := op.result(t, prompt); err != nil || string(got[:op.bytes]) != string(msg) {
		t.Errorf("echo from the test server: got %q with %s, want %q", got[:op.bytes], errName(err), msg)
	}
}

// pumpUntilClosed runs the server until it has closed its connection, for
// a client whose FIN is sent by a call on another goroutine: the first wait
// has no time limit, because the FIN may not have been sent yet.
func (srv *testServer) pumpUntilClosed(t *T) {
	t.Helper()
	srv.pump(t, prompt)
	if srv.closed {
		return
	}
	// The receive is posted; wait for its packet without a deadline (the
	// case's watchdog ends a wait that nothing wakes).
	if !srv.recv.wait(t, spec.Infinite) {
		t.Fatalf("test server: GetQueuedCompletionStatus(INFINITE) returned no packet")
	}
	srv.pump(t, prompt)
	if !srv.closed {
		t.Fatalf("test server: after the client's DisconnectEx: got no FIN, want 0 bytes read")
	}
}
