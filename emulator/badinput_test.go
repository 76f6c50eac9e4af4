package emulator

import (
	"net/netip"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// TestBadInput calls every spec.API method with bad handles, bad
// OVERLAPPEDs, bad addresses and bad sizes, and checks the Windows error.
func TestBadInput(t *testing.T) {
	for _, p := range profiles {
		t.Run(p.String(), func(t *testing.T) { testBadInput(t, p) })
	}
}

func testBadInput(t *testing.T, p Profile) {
	w := newWorld(t, p)
	e := w.e
	closed := w.sock(true)
	w.ok(e.Closesocket(closed))
	ev, _ := e.CreateEvent(true, false)
	port, _ := e.CreateIoCompletionPort(0)
	closedEv, _ := e.CreateEvent(true, false)
	w.ok(e.CloseHandle(closedEv))
	live := w.sock(true)
	ov := w.ov(0)
	// A request that stays pending (we closed first, the peer never does):
	// GetOverlappedResult(wait) must wait on the handle it is given.
	pc, _ := w.pair(true)
	pendingOv := w.ov(0)
	w.is(e.DisconnectEx(pc, pendingOv, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
	freedOv := w.ov(0)
	w.ok(e.FreeOverlapped(freedOv))
	udp, _ := e.Socket(spec.AF_INET, spec.SOCK_DGRAM, 0, 0)
	six, _ := e.Socket(spec.AF_INET6, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)

	badSockets := map[string]spec.Socket{
		"INVALID_SOCKET": spec.INVALID_SOCKET, "zero": 0, "closed": closed, "event": spec.Socket(ev),
		"port": spec.Socket(port), "low bits": 0x4 | 1, "unknown": 0x40000, "overlapped": spec.Socket(ov),
	}
	badHandles := map[string]spec.Handle{
		"zero": 0, "closed event": closedEv, "closed socket": spec.Handle(closed), "unknown": 0x40000,
		"INVALID_HANDLE_VALUE": ^spec.Handle(0), "overlapped": spec.Handle(ov),
	}
	badOvs := map[string]spec.Overlapped{"junk": 0x1234, "freed": freedOv, "handle": spec.Overlapped(live), "misaligned": ov + 1}

	type call struct {
		name string
		f    func(s spec.Socket) error
	}
	sockCalls := []call{
		{"Bind", func(s spec.Socket) error { return e.Bind(s, any4) }},
		{"Listen", func(s spec.Socket) error { return e.Listen(s, 1) }},
		{"Connect", func(s spec.Socket) error { return e.Connect(s, serverAddr) }},
		{"Accept", func(s spec.Socket) error { _, _, err := e.Accept(s); return err }},
		{"Send", func(s spec.Socket) error { _, err := e.Send(s, []byte("x")); return err }},
		{"Recv", func(s spec.Socket) error { _, err := e.Recv(s, make([]byte, 1)); return err }},
		{"Poll", func(s spec.Socket) error { _, err := e.Poll(s, spec.POLLRDNORM, 0); return err }},
		{"Shutdown", func(s spec.Socket) error { return e.Shutdown(s, spec.SD_SEND) }},
		{"SetLinger", func(s spec.Socket) error { return e.SetLinger(s, true, 0) }},
		{"Getsockname", func(s spec.Socket) error { _, err := e.Getsockname(s); return err }},
		{"Getpeername", func(s spec.Socket) error { _, err := e.Getpeername(s); return err }},
		{"UpdateAcceptContext/accepted", func(s spec.Socket) error { return e.UpdateAcceptContext(s, w.listener) }},
		{"UpdateAcceptContext/listener", func(s spec.Socket) error { return e.UpdateAcceptContext(live, s) }},
		{"UpdateConnectContext", func(s spec.Socket) error { return e.UpdateConnectContext(s) }},
		{"Closesocket", func(s spec.Socket) error { return e.Closesocket(s) }},
		{"GetExtensionFunction", func(s spec.Socket) error { _, err := e.GetExtensionFunction(s, spec.WSAID_DISCONNECTEX); return err }},
		{"ConnectEx", func(s spec.Socket) error { return e.ConnectEx(s, serverAddr, ov) }},
		{"AcceptEx/listener", func(s spec.Socket) error { return e.AcceptEx(s, live, ov) }},
		{"AcceptEx/accepted", func(s spec.Socket) error { return e.AcceptEx(w.listener, s, ov) }},
		{"DisconnectEx", func(s spec.Socket) error { return e.DisconnectEx(s, ov, 0, 0) }},
	}
	for _, c := range sockCalls {
		for name, s := range badSockets {
			if err := c.f(s); err != spec.WSAENOTSOCK {
				t.Errorf("%s(%s socket) = %v, want WSAENOTSOCK", c.name, name, err)
			}
		}
	}
	// Win32 calls that take a socket as a file handle.
	for name, s := range badSockets {
		for cname, f := range map[string]func() error{
			"AssociateCompletionPort":            func() error { return e.AssociateCompletionPort(port, s, 1) },
			"SetFileCompletionNotificationModes": func() error { return e.SetFileCompletionNotificationModes(s, 1) },
			"CancelIoEx":                         func() error { return e.CancelIoEx(spec.Handle(s), 0) },
		} {
			if name == "port" && cname == "CancelIoEx" {
				continue // a port is a valid handle with no I/O: ERROR_NOT_FOUND
			}
			if err := f(); err != spec.ERROR_INVALID_HANDLE {
				t.Errorf("%s(%s) = %v, want ERROR_INVALID_HANDLE", cname, name, err)
			}
		}
	}
	handleCalls := map[string]func(h spec.Handle) error{
		"SetEvent":                   func(h spec.Handle) error { return e.SetEvent(h) },
		"ResetEvent":                 func(h spec.Handle) error { return e.ResetEvent(h) },
		"WaitForSingleObject":        func(h spec.Handle) error { return e.WaitForSingleObject(h, 0) },
		"CloseHandle":                func(h spec.Handle) error { return e.CloseHandle(h) },
		"GetQueuedCompletionStatus":  func(h spec.Handle) error { _, err := e.GetQueuedCompletionStatus(h, 0); return err },
		"PostQueuedCompletionStatus": func(h spec.Handle) error { return e.PostQueuedCompletionStatus(h, 0, 0, 0) },
		"AssociateCompletionPort":    func(h spec.Handle) error { return e.AssociateCompletionPort(h, live, 0) },
		"GetOverlappedResult":        func(h spec.Handle) error { _, err := e.GetOverlappedResult(h, pendingOv, true); return err },
		"CancelIoEx":                 func(h spec.Handle) error { return e.CancelIoEx(h, 0) },
	}
	for cname, f := range handleCalls {
		for name, h := range badHandles {
			if err := f(h); err != spec.ERROR_INVALID_HANDLE {
				t.Errorf("%s(%s handle) = %v, want ERROR_INVALID_HANDLE", cname, name, err)
			}
		}
	}
	// GetOverlappedResult reads a completed request's result from the
	// OVERLAPPED alone: the handle is not looked at (it may be closed
	// already). WSAGetOverlappedResult checks its socket first, pending or
	// not (Wine sock.c test_WSAGetOverlappedResult, ok on Windows).
	// The failed ConnectEx and AcceptEx calls above left STATUS_PENDING in
	// ov, as Windows does: make it a completed request again.
	w.ok(e.SetOverlappedFields(ov, spec.STATUS_SUCCESS, 0))
	for name, h := range badHandles {
		if _, err := e.GetOverlappedResult(h, ov, true); err != nil {
			t.Errorf("GetOverlappedResult(%s handle, completed ov) = %v, want success", name, err)
		}
		for _, o := range []spec.Overlapped{ov, pendingOv} {
			if _, _, err := e.WSAGetOverlappedResult(spec.Socket(h), o, true); err != spec.WSAENOTSOCK {
				t.Errorf("WSAGetOverlappedResult(%s handle) = %v, want WSAENOTSOCK", name, err)
			}
		}
	}
	// Wrong kinds of valid handles.
	for _, x := range []struct {
		name string
		err  error
		want spec.Errno
	}{
		{"SetEvent(port)", e.SetEvent(port), spec.ERROR_INVALID_HANDLE},
		{"GetQueuedCompletionStatus(event)", func() error { _, err := e.GetQueuedCompletionStatus(ev, 0); return err }(), spec.ERROR_INVALID_HANDLE},
		{"PostQueuedCompletionStatus(socket)", e.PostQueuedCompletionStatus(spec.Handle(live), 0, 0, 0), spec.ERROR_INVALID_HANDLE},
		{"AssociateCompletionPort(event)", e.AssociateCompletionPort(ev, live, 0), spec.ERROR_INVALID_HANDLE},
		{"WaitForSingleObject(port)", e.WaitForSingleObject(port, 0), spec.ERROR_INVALID_HANDLE},
		{"CancelIoEx(event)", e.CancelIoEx(ev, 0), spec.ERROR_INVALID_HANDLE},
		{"CancelIoEx(port)", e.CancelIoEx(port, 0), spec.ERROR_NOT_FOUND},
		{"SetFileCompletionNotificationModes(bad flags)", e.SetFileCompletionNotificationModes(live, 0x80), spec.ERROR_INVALID_PARAMETER},
	} {
		if x.err != x.want {
			t.Errorf("%s = %v, want %v", x.name, x.err, x.want)
		}
	}
	// OVERLAPPED pointers.
	for name, bad := range badOvs {
		for cname, x := range map[string]struct {
			err  error
			want spec.Errno
		}{
			"ConnectEx":              {e.ConnectEx(live, serverAddr, bad), spec.WSAEFAULT},
			"AcceptEx":               {e.AcceptEx(w.listener, live, bad), spec.WSAEFAULT},
			"DisconnectEx":           {e.DisconnectEx(live, bad, 0, 0), spec.WSAEFAULT},
			"GetOverlappedResult":    {func() error { _, err := e.GetOverlappedResult(spec.Handle(live), bad, false); return err }(), spec.ERROR_INVALID_PARAMETER},
			"WSAGetOverlappedResult": {func() error { _, _, err := e.WSAGetOverlappedResult(live, bad, false); return err }(), spec.WSAEFAULT},
			"FreeOverlapped":         {e.FreeOverlapped(bad), spec.ERROR_INVALID_PARAMETER},
			"CancelIoEx":             {e.CancelIoEx(spec.Handle(live), bad), spec.ERROR_NOT_FOUND},
		} {
			if x.err != x.want {
				t.Errorf("%s(%s OVERLAPPED) = %v, want %v", cname, name, x.err, x.want)
			}
		}
	}
	// NULL where an OVERLAPPED is required.
	for cname, x := range map[string]struct {
		err  error
		want spec.Errno
	}{
		"ConnectEx":           {e.ConnectEx(live, serverAddr, 0), spec.ERROR_INVALID_PARAMETER},
		"AcceptEx":            {e.AcceptEx(w.listener, live, 0), spec.ERROR_INVALID_PARAMETER},
		"GetOverlappedResult": {func() error { _, err := e.GetOverlappedResult(spec.Handle(live), 0, false); return err }(), spec.ERROR_INVALID_PARAMETER},
		"FreeOverlapped":      {e.FreeOverlapped(0), spec.ERROR_INVALID_PARAMETER},
	} {
		if x.err != x.want {
			t.Errorf("%s(NULL) = %v, want %v", cname, x.err, x.want)
		}
	}
	// Addresses.
	bad6 := netip.MustParseAddrPort("[::1]:80")
	for _, x := range []struct {
		name string
		err  error
		want spec.Errno
	}{
		{"Bind(invalid)", e.Bind(w.sock(false), netip.AddrPort{}), spec.WSAEFAULT},
		{"Bind(v6 on v4)", e.Bind(w.sock(false), bad6), spec.WSAEFAULT},
		{"Bind(v4 on v6)", e.Bind(six, any4), spec.WSAEFAULT},
		{"Bind(not local)", e.Bind(w.sock(false), netip.MustParseAddrPort("8.8.8.8:80")), spec.WSAEADDRNOTAVAIL},
		{"Bind(in use)", e.Bind(w.sock(false), serverAddr), spec.WSAEADDRINUSE},
		{"Bind(twice)", func() error { s := w.sock(false); w.ok(e.Bind(s, any4)); return e.Bind(s, any4) }(), spec.WSAEINVAL},
		{"Connect(invalid)", e.Connect(w.sock(false), netip.AddrPort{}), spec.WSAEFAULT},
		{"Connect(unspecified)", e.Connect(w.sock(false), netip.MustParseAddrPort("0.0.0.0:80")), spec.WSAEADDRNOTAVAIL},
		{"Connect(port 0)", e.Connect(w.sock(false), netip.MustParseAddrPort("127.0.0.1:0")), spec.WSAEADDRNOTAVAIL},
		{"Connect(v6 on v4)", e.Connect(w.sock(false), bad6), spec.WSAEFAULT},
		{"ConnectEx(unbound)", e.ConnectEx(live, serverAddr, ov), spec.WSAEINVAL},
		{"ConnectEx(udp)", e.ConnectEx(udp, serverAddr, ov), spec.WSAEINVAL},
		{"Listen(unbound)", e.Listen(w.sock(false), 5), spec.WSAEINVAL},
		{"Listen(udp)", e.Listen(udp, 5), spec.WSAEOPNOTSUPP},
		{"Accept(not listening)", func() error { _, _, err := e.Accept(live); return err }(), spec.WSAEINVAL},
		{"AcceptEx(not listening)", e.AcceptEx(live, w.sock(true), ov), spec.WSAEINVAL},
		{"AcceptEx(self)", e.AcceptEx(w.listener, w.listener, ov), spec.WSAEINVAL},
		{"AcceptEx(family)", e.AcceptEx(w.listener, six, ov), spec.WSAEINVAL},
		{"Getsockname(unbound)", func() error { _, err := e.Getsockname(live); return err }(), spec.WSAEINVAL},
		{"Getpeername(unconnected)", func() error { _, err := e.Getpeername(live); return err }(), spec.WSAENOTCONN},
		{"Send(unconnected)", func() error { _, err := e.Send(live, nil); return err }(), spec.WSAENOTCONN},
		{"Recv(unconnected)", func() error { _, err := e.Recv(live, nil); return err }(), spec.WSAENOTCONN},
		{"Shutdown(how -1)", e.Shutdown(live, -1), spec.WSAEINVAL},
		{"Shutdown(unconnected)", e.Shutdown(live, spec.SD_BOTH), spec.WSAENOTCONN},
		{"Poll(bad events)", func() error { _, err := e.Poll(live, -1, 0); return err }(), spec.WSAEINVAL},
		{"UpdateConnectContext(unconnected)", e.UpdateConnectContext(live), spec.WSAENOTCONN},
		{"UpdateAcceptContext(not listener)", e.UpdateAcceptContext(live, live), spec.WSAEINVAL},
	} {
		if x.err != x.want {
			t.Errorf("%s = %v, want %v", x.name, x.err, x.want)
		}
	}
	// Negative sizes and timeouts that must not hang or panic.
	w.ok(e.Listen(w.listener, -5))
	r, err := e.Poll(live, spec.POLLRDNORM, -time.Second+time.Second) // 0: immediate
	w.ok(err)
	if r != 0 {
		t.Errorf("Poll = %#x", r)
	}
	w.is(e.WaitForSingleObject(ev, time.Nanosecond), spec.WAIT_TIMEOUT)
	if _, err := e.NewOverlapped(^spec.Handle(0)); err != nil {
		t.Error(err)
	}
	e.Sleep(-5*time.Nanosecond + 5) // zero
}
