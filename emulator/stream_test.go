package emulator

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/disconnectex/disconnectex/spec"
	"gotest.tools/v3/assert"
)

func TestWSARecvPendsUntilData(t *testing.T) {
	w := newWorld(t, Windows)
	client, server := w.pair(true)
	ev, err := w.e.CreateEvent(true, false)
	w.ok(err)
	ov := w.ov(ev)
	buf := make([]byte, 8)
	_, err = w.e.WSARecv(server, buf, ov)
	w.is(err, spec.ERROR_IO_PENDING)
	_, err = w.e.GetOverlappedResult(spec.Handle(server), ov, false)
	w.is(err, spec.ERROR_IO_INCOMPLETE)
	w.is(w.e.WaitForSingleObject(ev, 0), spec.WAIT_TIMEOUT)

	n, err := w.e.WSASend(client, []byte("hello"), 0)
	w.ok(err)
	if n != 5 {
		t.Fatalf("blocking WSASend: %d bytes, want 5", n)
	}
	w.ok(w.e.WaitForSingleObject(ev, 0))
	got, err := w.e.GetOverlappedResult(spec.Handle(server), ov, false)
	w.ok(err)
	if string(buf[:got]) != "hello" {
		t.Fatalf("received %q, want hello", buf[:got])
	}

	// Data already there: done within the call, still through the OVERLAPPED.
	w.ok(w.e.ResetEvent(ev))
	_, err = w.e.WSASend(client, []byte("again"), 0)
	w.ok(err)
	n, err = w.e.WSARecv(server, buf, ov)
	w.ok(err)
	if n != 0 {
		t.Fatalf("overlapped WSARecv returned %d bytes, want 0 (the count comes from the OVERLAPPED)", n)
	}
	w.ok(w.e.WaitForSingleObject(ev, 0))
	got, err = w.e.GetOverlappedResult(spec.Handle(server), ov, false)
	w.ok(err)
	if string(buf[:got]) != "again" {
		t.Fatalf("received %q, want again", buf[:got])
	}

	// The peer's FIN ends a pending receive with 0 bytes.
	_, err = w.e.WSARecv(server, buf, ov)
	w.is(err, spec.ERROR_IO_PENDING)
	w.ok(w.e.Shutdown(client, spec.SD_SEND))
	got, err = w.e.GetOverlappedResult(spec.Handle(server), ov, true)
	if err != nil || got != 0 {
		t.Fatalf("after FIN: %d bytes, %v; want 0, nil", got, err)
	}
}

func TestWSARecvResetAndCancel(t *testing.T) {
	w := newWorld(t, Windows)
	client, server := w.pair(true)
	ov := w.ov(0)
	buf := make([]byte, 8)
	_, err := w.e.WSARecv(server, buf, ov)
	w.is(err, spec.ERROR_IO_PENDING)
	w.ok(w.e.CancelIoEx(spec.Handle(server), ov))
	_, err = w.e.GetOverlappedResult(spec.Handle(server), ov, false)
	w.is(err, spec.ERROR_OPERATION_ABORTED)

	_, err = w.e.WSARecv(server, buf, ov)
	w.is(err, spec.ERROR_IO_PENDING)
	w.ok(w.e.SetLinger(client, true, 0))
	w.ok(w.e.Closesocket(client))
	// Wine sock.c test_completion_port (ok on Windows): ERROR_NETNAME_DELETED,
	// WSAECONNRESET in the Winsock face.
	_, err = w.e.GetOverlappedResult(spec.Handle(server), ov, false)
	w.is(err, spec.ERROR_NETNAME_DELETED)
	_, _, err = w.e.WSAGetOverlappedResult(server, ov, false)
	w.is(err, spec.WSAECONNRESET)
	_, err = w.e.WSASend(server, []byte("x"), ov)
	w.is(err, spec.WSAECONNRESET)
	_, err = w.e.WSARecv(server, buf, ov)
	w.is(err, spec.WSAECONNRESET)
}

func TestWSASendPacketsAndSkipOnSuccess(t *testing.T) {
	w := newWorld(t, Windows)
	client, server := w.pair(true)
	port, err := w.e.CreateIoCompletionPort(0)
	w.ok(err)
	w.ok(w.e.AssociateCompletionPort(port, client, 7))
	ov := w.ov(0)
	_, err = w.e.WSASend(client, []byte("abc"), ov)
	w.ok(err)
	c, err := w.e.GetQueuedCompletionStatus(port, 0)
	w.ok(err)
	if c.Bytes != 3 || c.Key != 7 || c.Overlapped != ov {
		t.Fatalf("packet %+v, want 3 bytes, key 7, ov %#x", c, ov)
	}
	w.ok(w.e.SetFileCompletionNotificationModes(client, spec.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS))
	_, err = w.e.WSASend(client, []byte("abc"), ov)
	w.ok(err)
	if _, err := w.e.GetQueuedCompletionStatus(port, 0); !errors.Is(err, spec.WAIT_TIMEOUT) {
		t.Fatalf("skip on success: got %v, want WAIT_TIMEOUT", err)
	}
	// A receive that pends queues its packet whatever the mode.
	buf := make([]byte, 16)
	_, err = w.e.WSARecv(client, buf, ov)
	w.is(err, spec.ERROR_IO_PENDING)
	_, err = w.e.WSASend(server, []byte("xy"), 0)
	w.ok(err)
	c, err = w.e.GetQueuedCompletionStatus(port, 0)
	w.ok(err)
	if c.Bytes != 2 {
		t.Fatalf("packet of the pended receive: %+v, want 2 bytes", c)
	}
	n, err := w.e.WSARecv(server, buf, 0)
	w.ok(err)
	if string(buf[:n]) != "abcabc" {
		t.Fatalf("blocking WSARecv got %q", buf[:n])
	}
	_, err = w.e.WSARecv(server, buf, spec.Overlapped(12345))
	w.is(err, spec.WSAEFAULT)
}

// TestRecvPendingAtShutdownReceive: a receive waiting when its end is shut
// with shutdown(SD_RECEIVE) stays pending and completes with the data the
// peer sends afterwards, while a new receive fails WSAESHUTDOWN (Wine
// dlls/ws2_32/tests/sock.c, test_shutdown, lines 9142-9167, ok on Windows;
// issue 8 item 9). Before the fix, send dropped the data and the request
// stayed pending forever.
func TestRecvPendingAtShutdownReceive(t *testing.T) {
	w := newWorld(t, Windows, WithDeadlockError())
	client, server := w.pair(true)
	ev, err := w.e.CreateEvent(false, false)
	w.ok(err)
	ov := w.ov(ev)
	buf := make([]byte, 5)
	_, err = w.e.WSARecv(client, buf, ov)
	w.is(err, spec.ERROR_IO_PENDING)
	w.ok(w.e.Shutdown(client, spec.SD_RECEIVE))
	_, err = w.e.WSARecv(client, make([]byte, 5), 0)
	w.is(err, spec.WSAESHUTDOWN)
	w.is(w.e.WaitForSingleObject(ev, 0), spec.WAIT_TIMEOUT)
	n, err := w.e.Send(server, []byte("test\x00"))
	w.ok(err)
	if n != 5 {
		t.Fatalf("send: %d bytes, want 5", n)
	}
	w.ok(w.e.WaitForSingleObject(ev, 0))
	got, err := w.e.GetOverlappedResult(spec.Handle(client), ov, false)
	w.ok(err)
	if string(buf[:got]) != "test\x00" {
		t.Fatalf("pending receive got %q, want \"test\\x00\"", buf[:got])
	}
	_, err = w.e.WSARecv(client, buf, ov)
	w.is(err, spec.WSAESHUTDOWN)
	// With no receive waiting, later data is dropped: nothing readable.
	_, err = w.e.Send(server, []byte("more"))
	w.ok(err)
	if r, err := w.e.Poll(client, spec.POLLRDNORM, 0); err != nil || r&spec.POLLRDNORM != 0 {
		t.Fatalf("poll after dropped data: %v, %v; want not readable", r, err)
	}
}

// TestBlockedRecvAtShutdownReceive: a blocking recv waiting at
// shutdown(SD_RECEIVE) is not released by it and takes the peer's later
// data, as the pending WSARecv of TestRecvPendingAtShutdownReceive does
// (issue 8 item 9; inferred for the blocking call).
func TestBlockedRecvAtShutdownReceive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, Windows)
		client, server := w.pair(false)
		got := make(chan string, 1)
		go func() {
			b := make([]byte, 8)
			n, err := w.e.Recv(client, b)
			got <- fmt.Sprintf("%q %s", b[:n], resultName(err))
		}()
		synctest.Wait()
		w.ok(w.e.Shutdown(client, spec.SD_RECEIVE))
		synctest.Wait()
		if len(got) != 0 {
			t.Fatalf("recv released by shutdown(SD_RECEIVE): %s", <-got)
		}
		_, err := w.e.Recv(client, make([]byte, 1))
		w.is(err, spec.WSAESHUTDOWN)
		_, err = w.e.Send(server, []byte("test"))
		w.ok(err)
		synctest.Wait()
		assert.Equal(t, <-got, `"test" ok`)
	})
}
