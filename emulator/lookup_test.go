package emulator

import (
	"testing"

	"github.com/disconnectex/disconnectex/spec"
)

func TestExtensionLookup(t *testing.T) {
	e, err := New(spec.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.CreateIoCompletionPort(0)
	if err := e.AssociateCompletionPort(p, s, 123); err != nil {
		t.Fatal(err)
	}
	ov, _ := e.NewOverlapped(0)

	if _, n, err := e.ExtensionLookup(s, spec.WSAID_ACCEPTEX, ov, false); err != spec.WSAEFAULT || n != spec.Untouched {
		t.Errorf("no byte count, with ov: got %d, %v; want Untouched, WSAEFAULT", n, err)
	}
	if _, n, err := e.ExtensionLookup(s, spec.WSAID_ACCEPTEX, 0, false); err != spec.WSAEFAULT || n != spec.Untouched {
		t.Errorf("no byte count: got %d, %v; want Untouched, WSAEFAULT", n, err)
	}
	fn, n, err := e.ExtensionLookup(s, spec.WSAID_ACCEPTEX, 0, true)
	if err != nil || n != 8 || fn != fnAcceptEx {
		t.Errorf("plain lookup: got %#x, %d, %v; want AcceptEx, 8, nil", fn, n, err)
	}
	mustSet(t, e, ov, 0xdeadbeef, 0xdeadbeef)
	if _, n, err := e.ExtensionLookup(s, spec.WSAID_ACCEPTEX, ov, true); err != nil || n != 8 {
		t.Errorf("overlapped lookup: got %d, %v; want 8, nil", n, err)
	}
	if st, high, _ := e.OverlappedFields(ov); st != 0 || high != 0 {
		t.Errorf("after the overlapped lookup: Internal %v, InternalHigh %d; want 0, 0", st, high)
	}
	c, err := e.GetQueuedCompletionStatus(p, 0)
	if err != nil || c.Key != 123 || c.Overlapped != ov || c.Bytes != 0 {
		t.Errorf("packet: got %+v, %v; want {0, 123, ov}", c, err)
	}
	mustSet(t, e, ov, 0xdeadbeef, 0xdeadbeef)
	if _, n, err := e.ExtensionLookup(s, spec.GUID{Data1: 0xdeadbeef}, ov, true); err != spec.WSAEINVAL || n != spec.Untouched {
		t.Errorf("bogus GUID: got %d, %v; want Untouched, WSAEINVAL", n, err)
	}
	if st, high, _ := e.OverlappedFields(ov); st != 0xdeadbeef || high != 0xdeadbeef {
		t.Errorf("after the failed lookup: Internal %v, InternalHigh %#x; want both untouched", st, high)
	}
	if _, err := e.GetQueuedCompletionStatus(p, 0); err != spec.WAIT_TIMEOUT {
		t.Errorf("after the failed lookup: got a packet (%v), want WAIT_TIMEOUT", err)
	}
	if _, _, err := e.ExtensionLookup(spec.INVALID_SOCKET, spec.WSAID_ACCEPTEX, 0, true); err != spec.WSAENOTSOCK {
		t.Errorf("INVALID_SOCKET: got %v, want WSAENOTSOCK", err)
	}
	if _, _, err := e.ExtensionLookup(s, spec.WSAID_ACCEPTEX, 0xBAD0, true); err != spec.WSAEFAULT {
		t.Errorf("wild OVERLAPPED: got %v, want WSAEFAULT", err)
	}
}

func mustSet(t *testing.T, e *Emulator, ov spec.Overlapped, st spec.NTStatus, high uintptr) {
	t.Helper()
	if err := e.SetOverlappedFields(ov, st, high); err != nil {
		t.Fatal(err)
	}
}

func TestOverlappedFields(t *testing.T) {
	e, err := New(spec.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	ov, _ := e.NewOverlapped(0)
	if st, high, err := e.OverlappedFields(ov); err != nil || st != 0 || high != 0 {
		t.Errorf("fresh OVERLAPPED: got %v, %d, %v; want zeroes", st, high, err)
	}
	mustSet(t, e, ov, spec.STATUS_CANCELLED, 7)
	if st, high, _ := e.OverlappedFields(ov); st != spec.STATUS_CANCELLED || high != 7 {
		t.Errorf("after set: got %v, %d", st, high)
	}
	if err := e.SetOverlappedFields(ov, 0, 1<<33); err != spec.ERROR_INVALID_PARAMETER {
		t.Errorf("InternalHigh beyond 32 bits: got %v, want ERROR_INVALID_PARAMETER", err)
	}
	if _, _, err := e.OverlappedFields(0xBAD0); err != spec.ERROR_INVALID_PARAMETER {
		t.Errorf("wild OVERLAPPED: got %v, want ERROR_INVALID_PARAMETER", err)
	}
	if err := e.SetOverlappedFields(0, 0, 0); err != spec.ERROR_INVALID_PARAMETER {
		t.Errorf("NULL OVERLAPPED: got %v, want ERROR_INVALID_PARAMETER", err)
	}
}
