package conformance

import (
	"bytes"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_iocp and the functions it calls (sync_read,
// iocp_async_read, iocp_async_read_closesocket, iocp_async_closesocket,
// iocp_async_read_thread_closesocket, iocp_async_read_thread): a WSARecv
// pending on a socket on a port, how it ends when data arrives, when its
// thread exits and when the socket is closed. The test also watches
// WSAAsyncSelect messages throughout, which spec.API cannot.

// keyIOCP is the completion key test_iocp's functions use.
const keyIOCP uintptr = 0x12345678

var hello = []byte("Hello World!")

// readPair is test_iocp's tcp_socketpair: src connects, dst is accepted;
// the reads are on src, dst sends.
func readPair(t *T, api spec.API) (src, dst spec.Socket) {
	t.Helper()
	c := connected(t, api)
	return c.client, c.server
}

// sendHello sends the test's 12 bytes from s.
func sendHello(t *T, api spec.API, s spec.Socket) {
	t.Helper()
	if n, err := api.Send(s, hello); err != nil || n != len(hello) {
		t.Fatalf("send(%q): got %d with %s, want 12", hello, n, errName(err))
	}
}

// recvPends starts a WSARecv of up to 512 bytes on s (issued by issuer,
// api itself or a Thread) with an OVERLAPPED whose hEvent is NULL and
// checks that it pends. The buffer is returned to check the data.
func recvPends(t *T, api, issuer spec.API, s spec.Socket) (spec.Overlapped, []byte) {
	t.Helper()
	ov := overlapped(t, api, 0)
	buf := make([]byte, 512)
	if _, err := issuer.WSARecv(s, buf, ov); !isErr(err, spec.ERROR_IO_PENDING) {
		t.Fatalf("WSARecv(512 bytes, ov) with nothing sent: got %s, want ERROR_IO_PENDING", errName(err))
	}
	return ov, buf
}

// wantHelloPacket checks the packet of a WSARecv that got the 12 bytes:
// success, 12 bytes, the key, the OVERLAPPED, InternalHigh 12, Internal 0,
// the data.
func wantHelloPacket(t *T, api spec.API, what string, p spec.Handle, ov spec.Overlapped, buf []byte) {
	t.Helper()
	if !wantQueued(t, api, what, p, 100*time.Millisecond, keyIOCP, 12, ov, spec.ERROR_SUCCESS) {
		return
	}
	st, high, err := api.OverlappedFields(ov)
	if wantOK(t, what+": OverlappedFields", err) && (st != spec.STATUS_SUCCESS || high != 12) {
		t.Errorf("%s: Internal, InternalHigh: got %v, %d, want STATUS_SUCCESS, 12", what, st, high)
	}
	if !bytes.Equal(buf[:12], hello) {
		t.Errorf("%s: data: got %q, want %q", what, buf[:12], hello)
	}
}

// wantClosedUnderRecv checks the packet of a WSARecv whose socket was
// closed: ERROR_CONNECTION_ABORTED (ERROR_NETNAME_DELETED on XP), 0 bytes,
// the key, the OVERLAPPED, InternalHigh 0, Internal STATUS_CONNECTION_ABORTED
// (STATUS_LOCAL_DISCONNECT on XP); then nothing more.
func wantClosedUnderRecv(t *T, api spec.API, what string, p spec.Handle, ov spec.Overlapped) {
	t.Helper()
	c, err := api.GetQueuedCompletionStatus(p, 100*time.Millisecond)
	if isErr(err, spec.WAIT_TIMEOUT) {
		t.Errorf("%s: GetQueuedCompletionStatus(100ms): got WAIT_TIMEOUT, want a packet", what)
		return
	}
	expectOneOf(t, what+": GetQueuedCompletionStatus", err, spec.ERROR_CONNECTION_ABORTED, spec.ERROR_NETNAME_DELETED)
	if c.Key != keyIOCP || c.Overlapped != ov || c.Bytes != 0 {
		t.Errorf("%s: packet: got %s, want {bytes 0, key %d, ov %#x}", what, packet(c), keyIOCP, uintptr(ov))
	}
	st, high, ferr := api.OverlappedFields(ov)
	if wantOK(t, what+": OverlappedFields", ferr) {
		if high != 0 {
			t.Errorf("%s: InternalHigh: got %d, want 0", what, high)
		}
		if st != spec.STATUS_CONNECTION_ABORTED && st != spec.STATUS_LOCAL_DISCONNECT {
			t.Errorf("%s: Internal: got %v, want STATUS_CONNECTION_ABORTED (STATUS_LOCAL_DISCONNECT on XP)", what, st)
		}
	}
	wantNothingQueued(t, api, what+": second packet", p, 100*time.Millisecond)
}

// readClosedCase is iocp_async_read_closesocket with one way of closing.
func readClosedCase(name string, close func(t *T, api spec.API, s spec.Socket)) Case {
	return Case{
		Name:    name,
		Clauses: clauses(spec.ClauseGapClosePending, spec.ClauseRetLaterFailure, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			src, _ := readPair(t, api)
			p := associate(t, api, src, keyIOCP)
			ov, _ := recvPends(t, api, api, src)
			wantNothingQueued(t, api, "pending WSARecv", p, 100*time.Millisecond)
			close(t, api, src)
			api.Sleep(200 * time.Millisecond)
			wantClosedUnderRecv(t, api, "WSARecv whose socket was closed", p, ov)
		},
	}
}

var wineIOCPReadCases = []Case{
	{
		Name:    "wine-iocp/async-read",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseRetPending),
		Body: func(t *T, api spec.API) {
			src, dst := readPair(t, api)
			// sync_read first, on the same pair.
			sendHello(t, api, dst)
			got := make([]byte, 512)
			n, err := api.Recv(src, got)
			if wantOK(t, "recv(src, 512)", err) && (n != 12 || !bytes.Equal(got[:n], hello)) {
				t.Errorf("recv(src, 512): got %d bytes %q, want 12 bytes %q", n, got[:n], hello)
			}
			p := associate(t, api, src, keyIOCP)
			ov, buf := recvPends(t, api, api, src)
			wantNothingQueued(t, api, "pending WSARecv", p, 100*time.Millisecond)
			sendHello(t, api, dst)
			wantHelloPacket(t, api, "WSARecv after the send", p, ov, buf)
			wantNothingQueued(t, api, "after the WSARecv's packet", p, 100*time.Millisecond)
		},
	},
	readClosedCase("wine-iocp/async-read-closesocket", func(t *T, api spec.API, s spec.Socket) {
		closeNow(t, api, "src", s)
	}),
	readClosedCase("wine-iocp/async-read-closehandle", func(t *T, api spec.API, s spec.Socket) {
		mustOK(t, "CloseHandle(src)", api.CloseHandle(spec.Handle(s)))
	}),
	{
		Name:    "wine-iocp/closesocket-idle-no-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			src, _ := readPair(t, api)
			p := associate(t, api, src, keyIOCP)
			wantNothingQueued(t, api, "socket on a port, nothing pending", p, 100*time.Millisecond)
			closeNow(t, api, "src", src)
			api.Sleep(100 * time.Millisecond)
			wantNothingQueued(t, api, "after closing a socket with nothing pending", p, 100*time.Millisecond)
		},
	},
	{
		Name:    "wine-iocp/thread-read-closesocket",
		Clauses: clauses(spec.ClauseRemThreadExit, spec.ClauseGapClosePending, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			src, _ := readPair(t, api)
			p := associate(t, api, src, keyIOCP)
			th := thread(t, api)
			ov, _ := recvPends(t, api, th, src)
			mustOK(t, "exit of the thread that issued the WSARecv", th.Exit())
			api.Sleep(100 * time.Millisecond)
			// XP canceled the request here (broken() in the test).
			wantNothingQueued(t, api, "WSARecv of an exited thread, socket on a port", p, 100*time.Millisecond)
			api.Sleep(100 * time.Millisecond)
			closeNow(t, api, "src", src)
			api.Sleep(100 * time.Millisecond)
			wantClosedUnderRecv(t, api, "thread's WSARecv whose socket was closed", p, ov)
		},
	},
	{
		Name:    "wine-iocp/thread-read-survives-exit",
		Clauses: clauses(spec.ClauseRemThreadExit, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			src, dst := readPair(t, api)
			p := associate(t, api, src, keyIOCP)
			th := thread(t, api)
			ov, buf := recvPends(t, api, th, src)
			mustOK(t, "exit of the thread that issued the WSARecv", th.Exit())
			api.Sleep(100 * time.Millisecond)
			wantNothingQueued(t, api, "WSARecv of an exited thread, socket on a port", p, 100*time.Millisecond)
			sendHello(t, api, dst)
			api.Sleep(100 * time.Millisecond)
			wantHelloPacket(t, api, "exited thread's WSARecv after the send", p, ov, buf)
		},
	},
}
