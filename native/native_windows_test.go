//go:build windows

package native

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

var loopback = netip.MustParseAddrPort("127.0.0.1:0")

func newBackend(t *testing.T) *Backend {
	t.Helper()
	b, err := NewBackend(spec.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pair returns a listening socket, a connected client and the accepted server end.
func pair(t *testing.T, b *Backend) (listener, client, server spec.Socket) {
	t.Helper()
	l, addr := listen(t, b)
	c := socket(t, b)
	if err := b.Connect(c, addr); err != nil {
		t.Fatal("connect:", err)
	}
	s, peer, err := b.Accept(l)
	if err != nil {
		t.Fatal("accept:", err)
	}
	t.Cleanup(func() { b.Closesocket(s) })
	local, _ := b.Getsockname(c)
	if peer != local {
		t.Errorf("accept returned peer %v, client is %v", peer, local)
	}
	return l, c, s
}

// listen returns a socket listening on 127.0.0.1 and its address.
func listen(t *testing.T, b *Backend) (spec.Socket, netip.AddrPort) {
	t.Helper()
	l := socket(t, b)
	if err := b.Bind(l, loopback); err != nil {
		t.Fatal("bind:", err)
	}
	if err := b.Listen(l, 8); err != nil {
		t.Fatal("listen:", err)
	}
	addr, err := b.Getsockname(l)
	if err != nil {
		t.Fatal("getsockname:", err)
	}
	return l, addr
}

func socket(t *testing.T, b spec.API) spec.Socket {
	t.Helper()
	s, err := b.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	if err != nil {
		t.Fatal("socket:", err)
	}
	t.Cleanup(func() { b.Closesocket(s) })
	return s
}

func TestExtensionLookup(t *testing.T) {
	b := newBackend(t)
	s := socket(t, b)
	seen := map[uintptr]spec.GUID{}
	for _, id := range []spec.GUID{spec.WSAID_DISCONNECTEX, spec.WSAID_CONNECTEX, spec.WSAID_ACCEPTEX, spec.WSAID_GETACCEPTEXSOCKADDRS} {
		fn, err := b.GetExtensionFunction(s, id)
		if err != nil || fn == 0 {
			t.Fatalf("GetExtensionFunction(%v) = %#x, %v", id, fn, err)
		}
		if other, dup := seen[fn]; dup {
			t.Errorf("%v and %v share the pointer %#x", id, other, fn)
		}
		seen[fn] = id
	}
	if _, err := b.GetExtensionFunction(s, spec.GUID{Data1: 0x12345678}); !errors.Is(err, spec.WSAEINVAL) {
		t.Errorf("unknown GUID: got %v, want WSAEINVAL", err)
	}
	if _, err := b.GetExtensionFunction(spec.INVALID_SOCKET, spec.WSAID_DISCONNECTEX); !errors.Is(err, spec.WSAENOTSOCK) {
		t.Errorf("INVALID_SOCKET: got %v, want WSAENOTSOCK", err)
	}
	if _, err := spec.LoadDisconnectEx(b, s); err != nil {
		t.Errorf("LoadDisconnectEx: %v", err)
	}
}

func TestDisconnectExPendingEvent(t *testing.T) {
	b := newBackend(t)
	_, c, s := pair(t, b)
	ev, err := b.CreateEvent(true, false)
	if err != nil {
		t.Fatal(err)
	}
	defer b.CloseHandle(ev)
	ov, err := b.NewOverlapped(ev)
	if err != nil {
		t.Fatal(err)
	}
	err = b.DisconnectEx(c, ov, 0, 0)
	if err != nil && !errors.Is(err, spec.ERROR_IO_PENDING) {
		t.Fatalf("DisconnectEx = %v, want ERROR_IO_PENDING", err)
	}
	if err := b.WaitForSingleObject(ev, 5*time.Second); err != nil {
		t.Fatalf("event not signalled: %v", err)
	}
	n, err := b.GetOverlappedResult(spec.Handle(c), ov, false)
	if err != nil || n != 0 {
		t.Fatalf("GetOverlappedResult = %d, %v", n, err)
	}
	if _, _, err := b.WSAGetOverlappedResult(c, ov, false); err != nil {
		t.Fatalf("WSAGetOverlappedResult: %v", err)
	}
	// The peer sees the FIN.
	buf := make([]byte, 16)
	if n, err := b.Recv(s, buf); n != 0 || err != nil {
		t.Errorf("peer recv = %d, %v; want 0, nil", n, err)
	}
	if _, err := b.Send(c, []byte("x")); !errors.Is(err, spec.WSAESHUTDOWN) {
		t.Errorf("send after DisconnectEx = %v, want WSAESHUTDOWN", err)
	}
	if err := b.FreeOverlapped(ov); err != nil {
		t.Errorf("FreeOverlapped: %v", err)
	}
	if err := b.FreeOverlapped(ov); !errors.Is(err, spec.ERROR_INVALID_PARAMETER) {
		t.Errorf("second FreeOverlapped = %v", err)
	}
}

func TestDisconnectExNotConnected(t *testing.T) {
	b := newBackend(t)
	s := socket(t, b)
	if err := b.DisconnectEx(s, 0, 0, 0); !errors.Is(err, spec.WSAENOTCONN) {
		t.Errorf("DisconnectEx(unconnected) = %v, want WSAENOTCONN", err)
	}
	if err := b.DisconnectEx(spec.INVALID_SOCKET, 0, 0, 0); !errors.Is(err, spec.WSAENOTSOCK) {
		t.Errorf("DisconnectEx(INVALID_SOCKET) = %v, want WSAENOTSOCK", err)
	}
}

func TestAcceptExConnectExPort(t *testing.T) {
	b := newBackend(t)
	l, laddr := listen(t, b)
	port, err := b.CreateIoCompletionPort(1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.CloseHandle(port)

	acc := socket(t, b)
	aov, _ := b.NewOverlapped(0)
	if err := b.AssociateCompletionPort(port, l, 1); err != nil {
		t.Fatal(err)
	}
	if err := b.AcceptEx(l, acc, aov); !errors.Is(err, spec.ERROR_IO_PENDING) {
		t.Fatalf("AcceptEx = %v, want ERROR_IO_PENDING", err)
	}
	if err := b.FreeOverlapped(aov); !errors.Is(err, spec.ERROR_IO_PENDING) {
		t.Errorf("FreeOverlapped(pending) = %v, want ERROR_IO_PENDING", err)
	}

	c := socket(t, b)
	if err := b.Bind(c, loopback); err != nil {
		t.Fatal(err)
	}
	if err := b.AssociateCompletionPort(port, c, 2); err != nil {
		t.Fatal(err)
	}
	cov, _ := b.NewOverlapped(0)
	if err := b.ConnectEx(c, laddr, cov); err != nil && !errors.Is(err, spec.ERROR_IO_PENDING) {
		t.Fatalf("ConnectEx = %v", err)
	}
	got := map[uintptr]spec.Overlapped{}
	for len(got) < 2 {
		p, err := b.GetQueuedCompletionStatus(port, 5*time.Second)
		if err != nil {
			t.Fatalf("GetQueuedCompletionStatus: %v (have %v)", err, got)
		}
		got[p.Key] = p.Overlapped
	}
	if got[1] != aov || got[2] != cov {
		t.Errorf("packets %v, want key 1 -> %#x, key 2 -> %#x", got, aov, cov)
	}
	if err := b.UpdateAcceptContext(acc, l); err != nil {
		t.Errorf("SO_UPDATE_ACCEPT_CONTEXT: %v", err)
	}
	if err := b.UpdateConnectContext(c); err != nil {
		t.Errorf("SO_UPDATE_CONNECT_CONTEXT: %v", err)
	}
	caddr, _ := b.Getsockname(c)
	if peer, err := b.Getpeername(acc); err != nil || peer != caddr {
		t.Errorf("accepted peer = %v, %v; want %v", peer, err, caddr)
	}
	local, remote, err := b.AcceptExAddresses(l, aov)
	if err != nil || local != laddr || remote != caddr {
		t.Errorf("AcceptExAddresses = %v, %v, %v; want %v, %v", local, remote, err, laddr, caddr)
	}
	if err := b.PostQueuedCompletionStatus(port, 7, 9, cov); err != nil {
		t.Fatal(err)
	}
	if p, err := b.GetQueuedCompletionStatus(port, time.Second); err != nil || p != (spec.Completion{Bytes: 7, Key: 9, Overlapped: cov}) {
		t.Errorf("posted packet = %+v, %v", p, err)
	}
	if _, err := b.GetQueuedCompletionStatus(port, 10*time.Millisecond); !errors.Is(err, spec.WAIT_TIMEOUT) {
		t.Errorf("empty port = %v, want WAIT_TIMEOUT", err)
	}
}

func TestThreadExit(t *testing.T) {
	b := newBackend(t)
	th, err := b.NewThread()
	if err != nil {
		t.Fatal(err)
	}
	tid := th.(*thread).ThreadID()
	if tid == mainThreadID {
		t.Errorf("thread runs on the main thread")
	}
	s := socket(t, th)
	if err := th.Exit(); err != nil {
		t.Fatal(err)
	}
	if err := th.Exit(); !errors.Is(err, spec.ERROR_INVALID_HANDLE) {
		t.Errorf("second Exit = %v", err)
	}
	if _, err := th.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, 0); !errors.Is(err, spec.ERROR_INVALID_HANDLE) {
		t.Errorf("call after Exit = %v", err)
	}
	// The socket outlives the thread that created it.
	if err := b.Bind(s, loopback); err != nil {
		t.Errorf("bind after the creating thread exited: %v", err)
	}
}

func TestTCPTable(t *testing.T) {
	b := newBackend(t)
	_, c, _ := pair(t, b)
	local, _ := b.Getsockname(c)
	rows, err := b.TCPTable()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Local == local {
			if r.State != spec.TCPEstab {
				t.Errorf("client row %v in state %v", r.Local, r.State)
			}
			return
		}
	}
	t.Errorf("no row for %v among %d rows", local, len(rows))
}

func TestWaitTimeout(t *testing.T) {
	b := newBackend(t)
	ev, _ := b.CreateEvent(false, false)
	defer b.CloseHandle(ev)
	if err := b.WaitForSingleObject(ev, 10*time.Millisecond); !errors.Is(err, spec.WAIT_TIMEOUT) {
		t.Errorf("wait = %v, want WAIT_TIMEOUT", err)
	}
	b.SetEvent(ev)
	if err := b.WaitForSingleObject(ev, 0); err != nil {
		t.Errorf("wait on set event = %v", err)
	}
}

// TestThreadExitCancelsIO checks that Exit is a real thread exit: Windows
// cancels the I/O a thread issued when it ends (here a pending AcceptEx,
// on a listener not associated with a completion port).
func TestThreadExitCancelsIO(t *testing.T) {
	b := newBackend(t)
	l, _ := listen(t, b)
	acc := socket(t, b)
	ev, _ := b.CreateEvent(true, false)
	defer b.CloseHandle(ev)
	ov, _ := b.NewOverlapped(ev)
	th, err := b.NewThread()
	if err != nil {
		t.Fatal(err)
	}
	if err := th.AcceptEx(l, acc, ov); !errors.Is(err, spec.ERROR_IO_PENDING) {
		t.Fatalf("AcceptEx = %v, want ERROR_IO_PENDING", err)
	}
	if err := b.WaitForSingleObject(ev, 50*time.Millisecond); !errors.Is(err, spec.WAIT_TIMEOUT) {
		t.Fatalf("event before exit: %v, want WAIT_TIMEOUT", err)
	}
	if err := th.Exit(); err != nil {
		t.Fatal(err)
	}
	if err := b.WaitForSingleObject(ev, 5*time.Second); err != nil {
		t.Fatalf("event after the issuing thread exited: %v", err)
	}
	if _, err := b.GetOverlappedResult(spec.Handle(l), ov, false); !errors.Is(err, spec.ERROR_OPERATION_ABORTED) {
		t.Errorf("AcceptEx after thread exit: %v, want ERROR_OPERATION_ABORTED", err)
	}
	if err := b.FreeOverlapped(ov); err != nil {
		t.Errorf("FreeOverlapped after cancellation: %v", err)
	}
}
