package emulator

import (
	"net/netip"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
	"gotest.tools/v3/assert"
)

// Unit tests of the emulator's behaviour rules (the package doc, "Rules"),
// each run on both profiles; where the profiles differ the test says so.
// The tests are numbered in the order DisconnectEx and its neighbours check
// things, and the numbers are defined here, by the test names, nowhere else:
//
//	 1 not a socket            7 TIME_WAIT: who holds it   13 TCP close states
//	 2 bad OVERLAPPED          8 completion signalling     14 ports
//	 3 datagram sockets        9 reuse targets             15 overlapped results
//	 4 not connected          10 thread exit               16 socket creation
//	 5 invalid arguments      11 cancellation              17 extension lookup
//	 6 flags                  12 a second request          18 virtual time

var profiles = []Profile{Windows, Documented}

func eachProfile(t *testing.T, f func(t *testing.T, w *world), opts ...Option) {
	for _, p := range profiles {
		t.Run(p.String(), func(t *testing.T) { f(t, newWorld(t, p, opts...)) })
	}
}

func TestNewRejectsBadSettings(t *testing.T) {
	_, err := New(settings(301 * time.Second))
	assert.ErrorContains(t, err, "outside")
	_, err = New(settings(1500 * time.Millisecond))
	assert.ErrorContains(t, err, "whole")
	_, err = New(spec.Settings{TcpTimedWaitDelay: time.Second})
	assert.ErrorContains(t, err, "port range")
	_, err = New(spec.DefaultSettings(), WithProfile(Profile(9)))
	assert.ErrorContains(t, err, "profile")
	for _, d := range []time.Duration{0, 300 * time.Second} {
		_, err = New(settings(d))
		assert.NilError(t, err)
	}
	assert.Equal(t, Windows.String(), "windows")
	assert.Equal(t, Documented.String(), "documented")
	assert.Equal(t, len(Documented.Clauses()), 3)
	for _, id := range Documented.Clauses() {
		c, ok := spec.Lookup(id)
		assert.Assert(t, ok)
		assert.Equal(t, c.Status, spec.Contradicts)
	}
	n := 0
	for _, c := range spec.Clauses() {
		if c.Status == spec.Contradicts {
			n++
		}
	}
	assert.Equal(t, n, 3, "the Documented profile must cover every Contradicts clause")
}

func TestHandles(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		ev, _ := e.CreateEvent(true, false)
		port, _ := e.CreateIoCompletionPort(0)
		s := w.sock(true)
		seen := map[uintptr]bool{}
		for _, h := range []uintptr{uintptr(ev), uintptr(port), uintptr(s), uintptr(w.listener)} {
			assert.Assert(t, h != 0 && h%4 == 0, "%#x", h)
			assert.Assert(t, !seen[h])
			seen[h] = true
		}
		// An event handle, a port, a closed socket and junk are not sockets.
		assert.NilError(t, e.Closesocket(s))
		for _, h := range []spec.Socket{spec.Socket(ev), spec.Socket(port), s, spec.INVALID_SOCKET, 0, 0x1234} {
			w.is(e.Listen(h, 1), spec.WSAENOTSOCK)
			w.is(e.DisconnectEx(h, 0, 0, 0), spec.WSAENOTSOCK)
		}
		// A new socket reusing the slot gets a different value.
		s2 := w.sock(true)
		assert.Assert(t, s2 != s)
		w.is(e.Closesocket(s), spec.WSAENOTSOCK)
		// Unknown handles to event and port calls.
		w.is(e.SetEvent(spec.Handle(s)), spec.ERROR_INVALID_HANDLE)
		w.is(e.SetEvent(spec.Handle(port)), spec.ERROR_INVALID_HANDLE)
		_, err := e.GetQueuedCompletionStatus(ev, 0)
		w.is(err, spec.ERROR_INVALID_HANDLE)
		w.ok(e.CloseHandle(ev))
		w.is(e.CloseHandle(ev), spec.ERROR_INVALID_HANDLE)
		w.is(e.WaitForSingleObject(ev, 0), spec.ERROR_INVALID_HANDLE)
		// Overlapped addresses are not handles.
		ov := w.ov(0)
		assert.Assert(t, !seen[uintptr(ov)])
		w.is(e.Listen(spec.Socket(ov), 1), spec.WSAENOTSOCK)
	})
}

func TestRule1NotSocket(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		ov := w.ov(0)
		ev, _ := w.e.CreateEvent(true, false)
		for _, s := range []spec.Socket{spec.INVALID_SOCKET, 0, spec.Socket(ev), 0xdead0} {
			w.is(w.e.DisconnectEx(s, ov, spec.TF_REUSE_SOCKET, 1), spec.WSAENOTSOCK)
		}
	})
}

func TestRule2BadOverlapped(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		s := w.sock(true)
		freed := w.ov(0)
		w.ok(e.FreeOverlapped(freed))
		live := w.ov(0)
		for _, ov := range []spec.Overlapped{1, 0xdeadbeef, spec.Overlapped(s), freed, live + 16, live + 8} {
			// WSAEFAULT comes before the never-connected WSAENOTCONN and the bad flags.
			w.is(e.DisconnectEx(s, ov, 0x80, 1), spec.WSAEFAULT)
		}
	})
}

func TestRule3Datagram(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		u, err := e.Socket(spec.AF_INET, spec.SOCK_DGRAM, 0, spec.WSA_FLAG_OVERLAPPED)
		w.ok(err)
		w.is(e.DisconnectEx(u, 0, 0, 0), spec.WSAENOTCONN)
		w.ok(e.Connect(u, netip.MustParseAddrPort("127.0.0.1:53")))
		w.wantState(u, spec.StateConnected)
		w.is(e.DisconnectEx(u, w.ov(0), spec.TF_REUSE_SOCKET, 1), spec.WSAENOTCONN)
	})
}

func TestRule4NotConnected(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		never := w.sock(true)
		bound := w.sock(true)
		w.ok(e.Bind(bound, any4))
		reset, srv := w.pair(true)
		w.ok(e.SetLinger(srv, true, 0))
		w.ok(e.Closesocket(srv))
		reusable, srv2 := w.pair(true)
		w.ok(e.Closesocket(srv2))
		w.ok(e.DisconnectEx(reusable, 0, spec.TF_REUSE_SOCKET, 0))
		w.wantState(reusable, spec.StateReusable)
		ov := w.ov(0)
		for _, s := range []spec.Socket{never, bound, w.listener, reset, reusable} {
			for _, fl := range []uint32{0, spec.TF_REUSE_SOCKET} {
				w.is(e.DisconnectEx(s, 0, fl, 0), spec.WSAENOTCONN)
				w.is(e.DisconnectEx(s, ov, fl, 0), spec.WSAENOTCONN)
				w.is(e.DisconnectEx(s, ov, fl|0x100, 7), spec.WSAENOTCONN) // before the flag checks
			}
		}
	})
}

func TestRule5Invalid(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		c, _ := w.pair(true)
		for _, x := range []struct{ flags, reserved uint32 }{{0, 1}, {spec.TF_REUSE_SOCKET, 1}, {spec.TF_DISCONNECT, 0}, {spec.TF_WRITE_BEHIND | spec.TF_REUSE_SOCKET, 0}, {0x80000000, 0}} {
			w.is(w.e.DisconnectEx(c, 0, x.flags, x.reserved), spec.WSAEINVAL)
		}
		w.wantState(c, spec.StateConnected)
	})
}

func TestRule6FlagsZero(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		c, s := w.pair(true)
		ev, _ := e.CreateEvent(true, false)
		ov := w.ov(ev)
		w.is(e.DisconnectEx(c, ov, 0, 0), spec.ERROR_IO_PENDING)
		w.ok(e.WaitForSingleObject(ev, 0)) // completed at once
		n, err := e.GetOverlappedResult(spec.Handle(c), ov, false)
		w.ok(err)
		assert.Equal(t, n, uint32(0))
		w.wantState(c, spec.StateTransmitClosing)
		// shutdown(SD_SEND) semantics
		buf := make([]byte, 8)
		n2, err := e.Recv(s, buf)
		w.ok(err)
		assert.Equal(t, n2, 0, "peer sees FIN")
		_, err = e.Send(c, []byte("x"))
		w.is(err, spec.WSAESHUTDOWN)
		w.is(e.Connect(c, serverAddr), spec.WSAEISCONN)
		_, err = e.Send(s, []byte("hello"))
		w.ok(err)
		n2, err = e.Recv(c, buf)
		w.ok(err)
		assert.Equal(t, string(buf[:n2]), "hello")
		peer, err := e.Getpeername(c)
		w.ok(err)
		assert.Equal(t, peer, serverAddr)
		_, err = e.Getsockname(c)
		w.ok(err)
		assert.Equal(t, w.rows(spec.TCPFinWait2), 1)
		assert.Equal(t, w.rows(spec.TCPCloseWait), 1)
		// Second call with flags 0.
		err = e.DisconnectEx(c, 0, 0, 0)
		if w.e.Profile() == Documented {
			w.is(err, spec.WSAENOTCONN)
		} else {
			w.ok(err)
			w.is(e.DisconnectEx(c, ov, 0, 0), spec.ERROR_IO_PENDING)
		}
		w.wantState(c, spec.StateTransmitClosing)
		// TF_REUSE_SOCKET is still allowed in transmit-closing on both profiles.
		w.ok(e.Closesocket(s))
		w.ok(e.DisconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0))
		w.wantState(c, spec.StateReusable)
	})
}

func TestRule6AfterShutdown(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		c, _ := w.pair(false)
		w.ok(w.e.Shutdown(c, spec.SD_SEND))
		w.wantState(c, spec.StateConnected)
		w.ok(w.e.DisconnectEx(c, 0, 0, 0))
		w.wantState(c, spec.StateTransmitClosing)
	})
}

func TestRule7PassiveCloser(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		c, s := w.pair(true)
		w.ok(e.Closesocket(s)) // the server closes first
		ov := w.ov(0)
		w.is(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		_, err := e.GetOverlappedResult(spec.Handle(c), ov, false)
		w.ok(err)
		w.wantState(c, spec.StateReusable)
		assert.Equal(t, w.rows(spec.TCPTimeWait), 1, "the server end is in TIME_WAIT, not us")
		rows, _ := e.TCPTable()
		for _, r := range rows {
			if r.State == spec.TCPTimeWait {
				assert.Equal(t, r.Local, serverAddr)
			}
		}
		assert.Equal(t, e.Now(), time.Duration(0))
	})
}

func TestRule7ActiveCloser(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		c, s := w.pair(true)
		local, _ := e.Getsockname(c)
		ev, _ := e.CreateEvent(true, false)
		ov := w.ov(ev)
		w.is(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		w.wantState(c, spec.StateTransmitClosing)
		_, err := e.GetOverlappedResult(spec.Handle(c), ov, false)
		w.is(err, spec.ERROR_IO_INCOMPLETE)
		w.is(e.WaitForSingleObject(ev, 10*time.Second), spec.WAIT_TIMEOUT)
		assert.Equal(t, e.Now(), 10*time.Second, "nothing scheduled: the wait advanced to its deadline")
		n, err := e.Recv(s, make([]byte, 1))
		assert.Equal(t, n, 0)
		w.ok(err)
		w.ok(e.Closesocket(s)) // the peer's FIN
		w.wantState(c, spec.StateTimeWait)
		rows, _ := e.TCPTable()
		assert.Equal(t, rows[len(rows)-1], spec.TCPRow{Local: local, Remote: serverAddr, State: spec.TCPTimeWait})
		e.Sleep(239 * time.Second)
		w.wantState(c, spec.StateTimeWait)
		_, err = e.GetOverlappedResult(spec.Handle(c), ov, false)
		w.is(err, spec.ERROR_IO_INCOMPLETE)
		w.ok(e.WaitForSingleObject(ev, spec.Infinite))
		assert.Equal(t, e.Now(), 250*time.Second)
		w.wantState(c, spec.StateReusable)
		assert.Equal(t, w.rows(spec.TCPTimeWait), 0)
		_, err = e.GetOverlappedResult(spec.Handle(c), ov, false)
		w.ok(err)
	}, reuseWaits)
}

func TestRule7DelayZero(t *testing.T) {
	for _, p := range profiles {
		t.Run(p.String(), func(t *testing.T) {
			w := newWorldWith(t, settings(0), WithProfile(p))
			c, s := w.pair(true)
			ov := w.ov(0)
			w.is(w.e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
			w.ok(w.e.Closesocket(s))
			w.wantState(c, spec.StateReusable)
			assert.Equal(t, w.rows(spec.TCPTimeWait), 0)
			_, err := w.e.GetOverlappedResult(spec.Handle(c), ov, false)
			w.ok(err)
		})
	}
}

func TestRule8Signalling(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		port, _ := e.CreateIoCompletionPort(0)
		// NULL OVERLAPPED: synchronous, no packet, the handle not signalled.
		c, _ := w.pair(true)
		w.ok(e.AssociateCompletionPort(port, c, 77))
		w.ok(e.DisconnectEx(c, 0, 0, 0))
		_, err := e.GetQueuedCompletionStatus(port, 0)
		w.is(err, spec.WAIT_TIMEOUT)
		w.is(e.WaitForSingleObject(spec.Handle(c), 0), spec.WAIT_TIMEOUT)

		// hEvent NULL: the socket handle is signalled; a packet even with skip-on-success.
		c2, _ := w.pair(true)
		w.ok(e.AssociateCompletionPort(port, c2, 78))
		w.ok(e.SetFileCompletionNotificationModes(c2, spec.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS))
		ov := w.ov(0)
		w.is(e.DisconnectEx(c2, ov, 0, 0), spec.ERROR_IO_PENDING)
		w.ok(e.WaitForSingleObject(spec.Handle(c2), 0))
		cp, err := e.GetQueuedCompletionStatus(port, 0)
		w.ok(err)
		assert.Equal(t, cp, spec.Completion{Bytes: 0, Key: 78, Overlapped: ov})
		_, err = e.GetQueuedCompletionStatus(port, 0)
		w.is(err, spec.WAIT_TIMEOUT)

		// Low bit of hEvent: the event is set, no packet.
		c3, _ := w.pair(true)
		w.ok(e.AssociateCompletionPort(port, c3, 79))
		ev, _ := e.CreateEvent(false, false)
		ov3 := w.ov(ev | 1)
		w.is(e.DisconnectEx(c3, ov3, 0, 0), spec.ERROR_IO_PENDING)
		w.ok(e.WaitForSingleObject(ev, 0))
		w.is(e.WaitForSingleObject(ev, 0), spec.WAIT_TIMEOUT) // auto-reset
		_, err = e.GetQueuedCompletionStatus(port, 0)
		w.is(err, spec.WAIT_TIMEOUT)

		// FILE_SKIP_SET_EVENT_ON_HANDLE: the handle stays unsignalled.
		c4, _ := w.pair(true)
		w.ok(e.SetFileCompletionNotificationModes(c4, spec.FILE_SKIP_SET_EVENT_ON_HANDLE))
		ov4 := w.ov(0)
		w.is(e.DisconnectEx(c4, ov4, 0, 0), spec.ERROR_IO_PENDING)
		w.is(e.WaitForSingleObject(spec.Handle(c4), 0), spec.WAIT_TIMEOUT)
		_, err = e.GetOverlappedResult(spec.Handle(c4), ov4, false)
		w.ok(err)

		// A non-overlapped socket with an OVERLAPPED: synchronous, event still set.
		c5, _ := w.pair(false)
		ev5, _ := e.CreateEvent(true, false)
		ov5 := w.ov(ev5)
		w.ok(e.DisconnectEx(c5, ov5, 0, 0))
		w.ok(e.WaitForSingleObject(ev5, 0))
		_, err = e.GetOverlappedResult(spec.Handle(c5), ov5, false)
		w.ok(err)
	})
}

func TestRule8SynchronousReuseBlocks(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		c, s := w.pair(true)
		w.ok(e.DisconnectEx(c, 0, 0, 0))
		w.ok(e.Closesocket(s)) // we closed first: TIME_WAIT now
		w.wantState(c, spec.StateTransmitClosing)
		assert.Equal(t, w.rows(spec.TCPTimeWait), 1)
		w.ok(e.DisconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0)) // blocks for the TIME_WAIT
		assert.Equal(t, e.Now(), 240*time.Second)
		w.wantState(c, spec.StateReusable)
	}, reuseWaits)
}

func TestRule9ReuseTargets(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		documented := e.Profile() == Documented
		// Connected by connect, reused: bound.
		c, s := w.pair(true)
		local, _ := e.Getsockname(c)
		w.ok(e.Closesocket(s))
		w.ok(e.DisconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0))
		w.wantState(c, spec.StateReusable)
		got, err := e.Getsockname(c)
		w.ok(err)
		assert.Equal(t, got.Port(), local.Port(), "stays bound")
		a := w.ov(0)
		err = e.AcceptEx(w.listener, c, a)
		if documented {
			w.is(err, spec.ERROR_IO_PENDING)
			w.ok(e.CancelIoEx(spec.Handle(w.listener), a))
			w.wantState(c, spec.StateReusable)
		} else {
			w.is(err, spec.WSAEINVAL)
		}
		ov := w.ov(0)
		w.is(e.ConnectEx(c, serverAddr, ov), spec.ERROR_IO_PENDING)
		_, err = e.GetOverlappedResult(spec.Handle(c), ov, false)
		w.ok(err)
		w.wantState(c, spec.StateConnected)
		_, _, err = e.Accept(w.listener) // take c's server end out of the backlog
		w.ok(err)
		after, _ := e.Getsockname(c)
		if !documented {
			assert.Equal(t, after.Port(), local.Port(), "ConnectEx reuses the bound port")
		}

		// Accepted with AcceptEx, reused: unbound.
		acc := w.sock(true)
		aov := w.ov(0)
		w.is(e.AcceptEx(w.listener, acc, aov), spec.ERROR_IO_PENDING)
		cl := w.sock(true)
		w.ok(e.Connect(cl, serverAddr))
		_, err = e.GetOverlappedResult(spec.Handle(w.listener), aov, false)
		w.ok(err)
		w.ok(e.UpdateAcceptContext(acc, w.listener))
		w.wantState(acc, spec.StateConnected)
		w.ok(e.Closesocket(cl))
		w.ok(e.DisconnectEx(acc, 0, spec.TF_REUSE_SOCKET, 0))
		w.wantState(acc, spec.StateReusable)
		_, err = e.Getsockname(acc)
		w.is(err, spec.WSAEINVAL)
		err = e.ConnectEx(acc, serverAddr, w.ov(0))
		if documented {
			w.is(err, spec.ERROR_IO_PENDING)
			w.wantState(acc, spec.StateConnected)
		} else {
			w.is(err, spec.WSAEINVAL)
			w.is(e.AcceptEx(w.listener, acc, aov), spec.ERROR_IO_PENDING)
			cl2 := w.sock(false)
			w.ok(e.Connect(cl2, serverAddr))
			w.wantState(acc, spec.StateConnected)
		}

		// Without TF_REUSE_SOCKET the socket is still connected.
		c3, _ := w.pair(true)
		w.ok(e.DisconnectEx(c3, 0, 0, 0))
		w.is(e.ConnectEx(c3, serverAddr, w.ov(0)), spec.WSAEISCONN)
		w.is(e.Connect(c3, serverAddr), spec.WSAEISCONN)
		w.is(e.AcceptEx(w.listener, c3, w.ov(0)), spec.WSAEINVAL)
	})
}

func TestRule10ThreadExit(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		documented := e.Profile() == Documented
		port, _ := e.CreateIoCompletionPort(0)
		th, err := e.NewThread()
		w.ok(err)

		plain, _ := w.pair(true) // not on a port
		onPort, _ := w.pair(true)
		w.ok(e.AssociateCompletionPort(port, onPort, 1))
		withEvent, _ := w.pair(true)
		w.ok(e.AssociateCompletionPort(port, withEvent, 2))
		mainIssued, _ := w.pair(true)

		ovPlain, ovPort, ovMain := w.ov(0), w.ov(0), w.ov(0)
		ev, _ := e.CreateEvent(true, false)
		ovEvent := w.ov(ev)
		w.is(th.DisconnectEx(plain, ovPlain, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		w.is(th.DisconnectEx(onPort, ovPort, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		w.is(th.DisconnectEx(withEvent, ovEvent, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		w.is(e.DisconnectEx(mainIssued, ovMain, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		w.ok(th.Exit())

		_, err = e.GetOverlappedResult(spec.Handle(plain), ovPlain, false)
		w.is(err, spec.ERROR_OPERATION_ABORTED)
		w.wantState(plain, spec.StateTransmitClosing)
		_, err = e.GetOverlappedResult(spec.Handle(withEvent), ovEvent, false)
		w.is(err, spec.ERROR_OPERATION_ABORTED)
		w.ok(e.WaitForSingleObject(ev, 0))
		_, err = e.GetOverlappedResult(spec.Handle(onPort), ovPort, false)
		if documented {
			w.is(err, spec.ERROR_OPERATION_ABORTED)
		} else {
			w.is(err, spec.ERROR_IO_INCOMPLETE)
			w.wantState(onPort, spec.StateTransmitClosing)
		}
		// the canceled event request still queued its packet
		var got []spec.Overlapped
		for {
			cp, err := e.GetQueuedCompletionStatus(port, 0)
			if err == spec.WAIT_TIMEOUT {
				break
			}
			w.is(err, spec.ERROR_OPERATION_ABORTED)
			got = append(got, cp.Overlapped)
		}
		if documented {
			assert.DeepEqual(t, got, []spec.Overlapped{ovPort, ovEvent})
		} else {
			assert.DeepEqual(t, got, []spec.Overlapped{ovEvent})
		}
		_, err = e.GetOverlappedResult(spec.Handle(mainIssued), ovMain, false)
		w.is(err, spec.ERROR_IO_INCOMPLETE)
		_, _, err = e.WSAGetOverlappedResult(plain, ovPlain, false)
		w.is(err, spec.WSA_OPERATION_ABORTED)

		// Calls after Exit fail.
		w.is(th.Exit(), spec.ERROR_INVALID_HANDLE)
		w.is(th.Listen(w.listener, 1), spec.ERROR_INVALID_HANDLE)
		s, err := th.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, 0)
		assert.Equal(t, s, spec.INVALID_SOCKET)
		w.is(err, spec.ERROR_INVALID_HANDLE)
		// A canceled reuse leaves transmit-closing; a new TF_REUSE_SOCKET works.
		w.is(e.DisconnectEx(plain, ovPlain, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
	})
}

func TestRule11Cancel(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		c, _ := w.pair(true)
		ov := w.ov(0)
		w.is(e.CancelIoEx(spec.Handle(c), ov), spec.ERROR_NOT_FOUND)
		w.is(e.CancelIoEx(spec.Handle(c), 0), spec.ERROR_NOT_FOUND)
		w.is(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		w.ok(e.CancelIoEx(spec.Handle(c), ov))
		_, err := e.GetOverlappedResult(spec.Handle(c), ov, false)
		w.is(err, spec.ERROR_OPERATION_ABORTED)
		w.wantState(c, spec.StateTransmitClosing)
		w.is(e.CancelIoEx(spec.Handle(c), ov), spec.ERROR_NOT_FOUND)

		// closesocket with a pending request: completion with an event and a packet.
		port, _ := e.CreateIoCompletionPort(0)
		c2, _ := w.pair(true)
		w.ok(e.AssociateCompletionPort(port, c2, 5))
		ev, _ := e.CreateEvent(true, false)
		ov2 := w.ov(ev)
		w.is(e.DisconnectEx(c2, ov2, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		w.is(e.FreeOverlapped(ov2), spec.ERROR_IO_PENDING)
		w.ok(e.Closesocket(c2))
		w.ok(e.WaitForSingleObject(ev, 0))
		cp, err := e.GetQueuedCompletionStatus(port, 0)
		w.is(err, spec.ERROR_OPERATION_ABORTED)
		assert.Equal(t, cp, spec.Completion{Key: 5, Overlapped: ov2})
		w.ok(e.FreeOverlapped(ov2))
		// TIME_WAIT of a canceled reuse on a timewait socket
		c3, s3 := w.pair(true)
		ov3 := w.ov(0)
		w.is(e.DisconnectEx(c3, ov3, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		w.ok(e.Closesocket(s3))
		w.wantState(c3, spec.StateTimeWait)
		w.ok(e.CancelIoEx(spec.Handle(c3), 0))
		w.wantState(c3, spec.StateTransmitClosing)
		w.is(e.DisconnectEx(c3, ov3, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		w.wantState(c3, spec.StateTimeWait)
		_, err = e.GetOverlappedResult(spec.Handle(c3), ov3, true)
		w.ok(err)
		assert.Equal(t, e.Now(), 240*time.Second)
	}, reuseWaits)
}

func TestRule12SecondWhilePending(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		c, s := w.pair(true)
		ov1, ov2, ov3 := w.ov(0), w.ov(0), w.ov(0)
		w.is(e.DisconnectEx(c, ov1, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		err := e.DisconnectEx(c, ov2, 0, 0)
		if e.Profile() == Documented {
			w.is(err, spec.WSAENOTCONN)
		} else {
			w.is(err, spec.ERROR_IO_PENDING)
			_, err = e.GetOverlappedResult(spec.Handle(c), ov2, false)
			w.ok(err)
		}
		w.is(e.DisconnectEx(c, ov3, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		w.ok(e.Closesocket(s))
		_, err = e.GetOverlappedResult(spec.Handle(c), ov3, true)
		w.ok(err)
		_, err = e.GetOverlappedResult(spec.Handle(c), ov1, false)
		w.ok(err)
		w.wantState(c, spec.StateReusable)
	})
}

func TestRule13TCP(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		// refused
		c := w.sock(false)
		w.is(e.Connect(c, netip.MustParseAddrPort("127.0.0.1:9")), spec.WSAECONNREFUSED)
		w.wantState(c, spec.StateBound)
		ov := w.ov(0)
		oc := w.sock(true)
		w.ok(e.Bind(oc, any4))
		w.is(e.ConnectEx(oc, netip.MustParseAddrPort("127.0.0.1:9"), ov), spec.ERROR_IO_PENDING)
		_, err := e.GetOverlappedResult(spec.Handle(oc), ov, false)
		w.is(err, spec.ERROR_CONNECTION_REFUSED)
		_, _, err = e.WSAGetOverlappedResult(oc, ov, false)
		w.is(err, spec.WSAECONNREFUSED)

		// RST with linger 0: no TIME_WAIT, the peer sees a reset
		a, b := w.pair(false)
		w.ok(e.SetLinger(a, true, 0))
		w.ok(e.Closesocket(a))
		_, err = e.Recv(b, make([]byte, 4))
		w.is(err, spec.WSAECONNRESET)
		_, err = e.Send(b, []byte("x"))
		w.is(err, spec.WSAECONNRESET)
		assert.Equal(t, w.rows(spec.TCPTimeWait), 0)

		// graceful: the active closer keeps a row that outlives its handle
		a, b = w.pair(false)
		w.ok(e.Closesocket(a))
		assert.Equal(t, w.rows(spec.TCPFinWait2), 1, "orphan in FIN_WAIT2")
		assert.Equal(t, w.rows(spec.TCPCloseWait), 1)
		n, err := e.Recv(b, make([]byte, 4))
		w.ok(err)
		assert.Equal(t, n, 0)
		w.ok(e.Closesocket(b))
		assert.Equal(t, w.rows(spec.TCPTimeWait), 1)
		assert.Equal(t, w.rows(spec.TCPFinWait2), 0)
		e.Sleep(240 * time.Second)
		assert.Equal(t, w.rows(spec.TCPTimeWait), 0)

		// shutdown, then send fails
		a, _ = w.pair(false)
		w.ok(e.Shutdown(a, spec.SD_SEND))
		_, err = e.Send(a, []byte("x"))
		w.is(err, spec.WSAESHUTDOWN)
		w.is(e.Shutdown(a, 7), spec.WSAEINVAL)
	})
}

func TestRule14Ports(t *testing.T) {
	for _, p := range profiles {
		t.Run(p.String(), func(t *testing.T) {
			s := spec.DefaultSettings()
			s.DynamicPorts = spec.PortRange{Start: 50000, Count: 3}
			w := newWorldWith(t, s, WithProfile(p))
			e := w.e
			var ports []uint16
			var clients []spec.Socket
			for i := 0; i < 3; i++ {
				c, _ := w.pair(false)
				clients = append(clients, c)
				a, _ := e.Getsockname(c)
				ports = append(ports, a.Port())
			}
			assert.DeepEqual(t, ports, []uint16{50000, 50001, 50002})
			x := w.sock(false)
			w.is(e.Bind(x, any4), spec.WSAENOBUFS)
			w.is(e.Connect(x, serverAddr), spec.WSAENOBUFS)
			// Explicit bind to a port a live socket holds.
			w.is(e.Bind(x, netip.AddrPortFrom(loop4, 50001)), spec.WSAEADDRINUSE)
			// Close the first client first: its row holds 50000.
			w.ok(e.Closesocket(clients[0]))
			// server end still open: orphan FIN_WAIT2 holds the port
			w.is(e.Bind(x, any4), spec.WSAENOBUFS)
			rows, _ := e.TCPTable()
			for _, r := range rows {
				if r.Local.Port() == 8080 && r.Remote.Port() == 50000 {
					// close the server end: the client orphan enters TIME_WAIT
					_ = r
				}
			}
			closeServerEnd(t, w, 50000)
			assert.Equal(t, w.rows(spec.TCPTimeWait), 1)
			w.is(e.Bind(x, any4), spec.WSAENOBUFS) // held by TIME_WAIT
			w.ok(e.Bind(x, netip.AddrPortFrom(loop4, 50000)))
			w.is(e.Connect(x, serverAddr), spec.WSAEADDRINUSE) // the pair is in TIME_WAIT
			e.Sleep(240 * time.Second)
			w.ok(e.Connect(x, serverAddr))
			y := w.sock(false)
			w.is(e.Bind(y, any4), spec.WSAENOBUFS)
		})
	}
}

// closeServerEnd accepts nothing new: it closes the accepted end whose peer
// port is port (the fixture's pair() accepted it).
func closeServerEnd(t *testing.T, w *world, port uint16) {
	t.Helper()
	w.e.mu.Lock()
	var h spec.Socket
	for i := range w.e.handles {
		sl := &w.e.handles[i]
		if sl.kind == kindSocket && sl.sock.remote.Port() == port && sl.sock.local == serverAddr {
			h = sl.sock.h
		}
	}
	w.e.mu.Unlock()
	w.ok(w.e.Closesocket(h))
}

func TestRule15OverlappedResult(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		c, _ := w.pair(true)
		_, err := e.GetOverlappedResult(spec.Handle(c), 0x1238, false)
		w.is(err, spec.ERROR_INVALID_PARAMETER)
		_, _, err = e.WSAGetOverlappedResult(c, 0x1238, false)
		w.is(err, spec.WSAEFAULT)
		w.is(e.FreeOverlapped(0x1238), spec.ERROR_INVALID_PARAMETER)
		ov := w.ov(0)
		n, err := e.GetOverlappedResult(spec.Handle(c), ov, false) // never used: Internal 0
		w.ok(err)
		assert.Equal(t, n, uint32(0))
		w.is(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		_, err = e.GetOverlappedResult(spec.Handle(c), ov, false)
		w.is(err, spec.ERROR_IO_INCOMPLETE)
		_, _, err = e.WSAGetOverlappedResult(c, ov, false)
		w.is(err, spec.WSA_IO_INCOMPLETE)
		w.is(e.FreeOverlapped(ov), spec.ERROR_IO_PENDING)
		w.ok(e.CancelIoEx(spec.Handle(c), ov))
		w.ok(e.FreeOverlapped(ov))
		w.is(e.FreeOverlapped(ov), spec.ERROR_INVALID_PARAMETER)
		_, err = e.GetOverlappedResult(spec.Handle(c), ov, false)
		w.is(err, spec.ERROR_INVALID_PARAMETER)
	})
}

func TestRule16SocketCreation(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		for _, x := range []struct {
			af, typ, proto int
			want           error
		}{
			{spec.AF_INET, spec.SOCK_STREAM, 0, nil},
			{spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, nil},
			{spec.AF_INET6, spec.SOCK_STREAM, 0, nil},
			{spec.AF_INET, spec.SOCK_DGRAM, 0, nil},
			{spec.AF_INET6, spec.SOCK_DGRAM, spec.IPPROTO_UDP, nil},
			{spec.AF_INET, spec.SOCK_SEQPACKET, 0, spec.WSAESOCKTNOSUPPORT},
			{spec.AF_INET, spec.SOCK_RDM, 0, spec.WSAESOCKTNOSUPPORT},
			{spec.AF_INET, spec.SOCK_RAW, 0, spec.WSAEACCES}, // the raw provider refuses an unprivileged process (Wine's test_WSASocket, 3255)
			{spec.AF_INET, 99, 0, spec.WSAESOCKTNOSUPPORT},
			{0, spec.SOCK_STREAM, 0, spec.WSAEINVAL}, // AF_UNSPEC needs a protocol (test_WSASocket row 22, 3050)
			{-1, spec.SOCK_STREAM, 0, spec.WSAEAFNOSUPPORT},
			{spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_UDP, spec.WSAEPROTONOSUPPORT}, // test_WSASocket row 17, 3050
			{spec.AF_INET, spec.SOCK_STREAM, -5, spec.WSAEPROTONOSUPPORT},
		} {
			s, err := w.e.Socket(x.af, x.typ, x.proto, 0)
			if x.want == nil {
				w.ok(err)
				assert.Assert(t, s != spec.INVALID_SOCKET)
			} else {
				w.is(err, x.want)
				assert.Equal(t, s, spec.INVALID_SOCKET)
			}
		}
		_, err := w.e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, 0x10000)
		w.is(err, spec.WSAEINVAL)
	})
}

func TestRule17Extensions(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		s := w.sock(true)
		seen := map[uintptr]bool{}
		for _, id := range []spec.GUID{spec.WSAID_DISCONNECTEX, spec.WSAID_CONNECTEX, spec.WSAID_ACCEPTEX, spec.WSAID_GETACCEPTEXSOCKADDRS} {
			fn, err := w.e.GetExtensionFunction(s, id)
			w.ok(err)
			assert.Assert(t, fn != 0 && !seen[fn])
			seen[fn] = true
		}
		_, err := w.e.GetExtensionFunction(s, spec.GUID{Data1: 1})
		w.is(err, spec.WSAEINVAL)
		_, err = w.e.GetExtensionFunction(spec.INVALID_SOCKET, spec.WSAID_DISCONNECTEX)
		w.is(err, spec.WSAENOTSOCK)
		fn, err := spec.LoadDisconnectEx(w.e, s)
		w.ok(err)
		w.is(fn(s, 0, 0, 0), spec.WSAENOTCONN)
	})
}

func TestRule18VirtualTime(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		// Three connections enter TIME_WAIT at 0 s, 10 s, 20 s.
		var socks []spec.Socket
		var ovs []spec.Overlapped
		for i := 0; i < 3; i++ {
			c, s := w.pair(true)
			ov := w.ov(0)
			w.is(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
			w.ok(e.Closesocket(s))
			socks, ovs = append(socks, c), append(ovs, ov)
			e.Sleep(10 * time.Second)
		}
		assert.Equal(t, e.Now(), 30*time.Second)
		// Sleep processes the expiries on the way, in order.
		e.Sleep(215 * time.Second) // now 245 s: the first two are due (240, 250, 260)
		w.wantState(socks[0], spec.StateReusable)
		w.wantState(socks[1], spec.StateTimeWait)
		// A wait advances to the next expiry, not further.
		_, err := e.GetOverlappedResult(spec.Handle(socks[1]), ovs[1], true)
		w.ok(err)
		assert.Equal(t, e.Now(), 250*time.Second)
		// A timed wait with nothing due advances to its deadline.
		port, _ := e.CreateIoCompletionPort(0)
		_, err = e.GetQueuedCompletionStatus(port, 5*time.Second)
		w.is(err, spec.WAIT_TIMEOUT)
		assert.Equal(t, e.Now(), 255*time.Second)
		// A timed wait that an expiry satisfies stops there.
		w.ok(e.WaitForSingleObject(spec.Handle(socks[2]), time.Hour))
		assert.Equal(t, e.Now(), 260*time.Second)
		// An external VirtualClock advance is picked up lazily.
		vc := NewVirtualClock()
		e2, _ := New(spec.DefaultSettings(), WithClock(vc))
		vc.Advance(time.Minute)
		assert.Equal(t, e2.Now(), time.Minute)
	}, reuseWaits)
}
