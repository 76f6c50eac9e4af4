//go:build windows

package native

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/disconnectex/disconnectex/spec"
)

// The x/sys-style DisconnectEx (xsys_windows.go), used as a program that
// never adopts spec.API would: windows.Handle, *windows.Overlapped, an
// event from windows.CreateEvent, windows.GetOverlappedResult. The
// backend only builds the connected pair.

func TestXSysGUID(t *testing.T) {
	var a, b bytes.Buffer
	_ = binary.Write(&a, binary.LittleEndian, WSAID_DISCONNECTEX)
	_ = binary.Write(&b, binary.LittleEndian, spec.WSAID_DISCONNECTEX)
	if !bytes.Equal(a.Bytes(), b.Bytes()) || unsafe.Sizeof(WSAID_DISCONNECTEX) != 16 {
		t.Errorf("WSAID_DISCONNECTEX %x, spec's %x", a.Bytes(), b.Bytes())
	}
	if DE_REUSE_SOCKET != spec.TF_REUSE_SOCKET {
		t.Errorf("DE_REUSE_SOCKET = %#x", DE_REUSE_SOCKET)
	}
}

// TestXSysLoadDisconnectEx: the once-per-process pointer is the one the
// socket in use reports.
func TestXSysLoadDisconnectEx(t *testing.T) {
	if err := LoadDisconnectEx(); err != nil {
		t.Fatal(err)
	}
	b := newBackend(t)
	s := socket(t, b)
	fn, err := b.GetExtensionFunction(s, spec.WSAID_DISCONNECTEX)
	if err != nil {
		t.Fatal(err)
	}
	if fn != disconnectExFunc.addr {
		t.Errorf("LoadDisconnectEx loaded %#x, the socket reports %#x", disconnectExFunc.addr, fn)
	}
}

// newEventOverlapped returns a windows.Overlapped on the Go heap with a
// manual-reset event, both released at the end of the test.
func newEventOverlapped(t *testing.T) *windows.Overlapped {
	t.Helper()
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { windows.CloseHandle(ev) })
	return &windows.Overlapped{HEvent: ev}
}

// waitOverlapped waits for o's event and returns GetOverlappedResult.
func waitOverlapped(t *testing.T, s windows.Handle, o *windows.Overlapped) (uint32, error) {
	t.Helper()
	if ev, err := windows.WaitForSingleObject(o.HEvent, 10_000); ev != windows.WAIT_OBJECT_0 {
		t.Fatalf("the request's event was not signalled in 10 s: %#x, %v", ev, err)
	}
	var n uint32
	err := windows.GetOverlappedResult(s, o, &n, false)
	return n, err
}

func TestXSysDisconnectEx(t *testing.T) {
	b := newBackend(t)
	_, c, s := pair(t, b)
	o := newEventOverlapped(t)
	err := DisconnectEx(windows.Handle(c), o, 0, 0)
	if err != nil && err != windows.ERROR_IO_PENDING {
		t.Fatalf("DisconnectEx(flags 0) = %v, want success or ERROR_IO_PENDING", err)
	}
	if n, err := waitOverlapped(t, windows.Handle(c), o); n != 0 || err != nil {
		t.Fatalf("GetOverlappedResult = %d, %v", n, err)
	}
	buf := make([]byte, 4)
	if n, err := b.Recv(s, buf); n != 0 || err != nil {
		t.Errorf("the peer's recv after DisconnectEx = %d, %v; want 0 (the FIN)", n, err)
	}
}

// TestXSysDisconnectExReuse: the peer closed first, so
// DisconnectEx(DE_REUSE_SOCKET) completes without waiting (DX-GAP-PEER-CLOSED:
// the passive closer enters no TIME_WAIT).
func TestXSysDisconnectExReuse(t *testing.T) {
	b := newBackend(t)
	_, c, s := pair(t, b)
	if err := b.Closesocket(s); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if n, err := b.Recv(c, buf); n != 0 || err != nil {
		t.Fatalf("recv of the peer's FIN = %d, %v", n, err)
	}
	o := newEventOverlapped(t)
	err := DisconnectEx(windows.Handle(c), o, DE_REUSE_SOCKET, 0)
	if err != nil && err != windows.ERROR_IO_PENDING {
		t.Fatalf("DisconnectEx(DE_REUSE_SOCKET) = %v", err)
	}
	if n, err := waitOverlapped(t, windows.Handle(c), o); n != 0 || err != nil {
		t.Fatalf("GetOverlappedResult = %d, %v", n, err)
	}
	if _, wine := WineVersion(); !wine {
		// Wine ignores TF_REUSE_SOCKET (internal/backends/divergences/wine.json).
		if _, err := windows.Getpeername(windows.Handle(c)); err != windows.WSAENOTCONN {
			t.Errorf("getpeername after DisconnectEx(DE_REUSE_SOCKET) = %v, want WSAENOTCONN", err)
		}
	}
}

// TestXSysDisconnectExErrors: the errors come back as x/sys's
// syscall.Errno values, the same numbers spec names.
func TestXSysDisconnectExErrors(t *testing.T) {
	b := newBackend(t)
	s := socket(t, b)
	err := DisconnectEx(windows.Handle(s), nil, 0, 0)
	if err != windows.WSAENOTCONN {
		t.Errorf("DisconnectEx on an unconnected socket = %v, want WSAENOTCONN", err)
	}
	if !errors.Is(spec.WSAENOTCONN, err) {
		t.Errorf("spec.WSAENOTCONN is not %v", err)
	}
	if err := DisconnectEx(windows.InvalidHandle, nil, 0, 0); err != windows.WSAENOTSOCK {
		t.Errorf("DisconnectEx(INVALID_SOCKET) = %v, want WSAENOTSOCK", err)
	}
}
