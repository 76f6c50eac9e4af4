package emulator

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
	"gotest.tools/v3/assert"
)

func TestPoll(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		r, err := e.Poll(w.listener, spec.POLLRDNORM, time.Second)
		w.ok(err)
		assert.Equal(t, r, spec.PollEvents(0))
		assert.Equal(t, e.Now(), time.Second, "the timeout passed in virtual time")
		c := w.sock(false)
		w.ok(e.Connect(c, serverAddr))
		r, _ = e.Poll(w.listener, spec.POLLRDNORM, 0)
		assert.Equal(t, r, spec.POLLRDNORM, "a connection waits in the backlog")
		s, peer, err := e.Accept(w.listener)
		w.ok(err)
		local, _ := e.Getsockname(c)
		assert.Equal(t, peer, local)
		r, _ = e.Poll(c, spec.POLLRDNORM|spec.POLLWRNORM, 0)
		assert.Equal(t, r, spec.POLLWRNORM)
		_, _ = e.Send(s, []byte("ab"))
		r, _ = e.Poll(c, spec.POLLRDNORM, spec.Infinite)
		assert.Equal(t, r, spec.POLLRDNORM)
		w.ok(e.Shutdown(s, spec.SD_SEND))
		buf := make([]byte, 1)
		n, _ := e.Recv(c, buf)
		assert.Equal(t, n, 1)
		n, _ = e.Recv(c, make([]byte, 8))
		assert.Equal(t, n, 1, "data before the FIN is still read")
		n, err = e.Recv(c, buf)
		w.ok(err)
		assert.Equal(t, n, 0)
		// The FIN is POLLHUP, not POLLRDNORM (Wine sock.c test_WSAPoll
		// 8022-8023, ok on Windows).
		r, _ = e.Poll(c, spec.POLLRDNORM, 0)
		assert.Equal(t, r, spec.POLLHUP)
		w.ok(e.SetLinger(c, true, 0))
		w.ok(e.Closesocket(c))
		// A reset socket is POLLERR|POLLHUP and still POLLWRNORM (Wine
		// sock.c test_tcp_reset 13328, ok on Windows).
		r, _ = e.Poll(s, spec.POLLWRNORM, 0)
		assert.Equal(t, r, spec.POLLHUP|spec.POLLERR|spec.POLLWRNORM)
	})
}

func TestAddresses(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		// The local address of an implicit bind becomes the loopback address used.
		c, _ := w.pair(false)
		local, _ := e.Getsockname(c)
		assert.Equal(t, local, netip.MustParseAddrPort("127.0.0.1:49152"))
		// IPv6 loopback works the same way.
		l6, _ := e.Socket(spec.AF_INET6, spec.SOCK_STREAM, 0, 0)
		a6 := netip.MustParseAddrPort("[::1]:8080")
		w.ok(e.Bind(l6, a6))
		w.ok(e.Listen(l6, 1))
		c6, _ := e.Socket(spec.AF_INET6, spec.SOCK_STREAM, 0, 0)
		w.ok(e.Connect(c6, a6))
		s6, peer, err := e.Accept(l6)
		w.ok(err)
		got, _ := e.Getsockname(c6)
		assert.Equal(t, peer, got)
		sl, _ := e.Getsockname(s6)
		assert.Equal(t, sl, a6)
		// A listener on 0.0.0.0 accepts connections to any loopback address.
		any := w.sock(false)
		w.ok(e.Bind(any, netip.MustParseAddrPort("0.0.0.0:9000")))
		w.ok(e.Listen(any, 1))
		c2 := w.sock(false)
		w.ok(e.Connect(c2, netip.MustParseAddrPort("127.0.0.2:9000")))
		s2, _, err := e.Accept(any)
		w.ok(err)
		sl, _ = e.Getsockname(s2)
		assert.Equal(t, sl, netip.MustParseAddrPort("127.0.0.2:9000"))
		// A v4 client does not reach a v6 listener.
		c3 := w.sock(false)
		w.is(e.Connect(c3, netip.MustParseAddrPort("127.0.0.1:8081")), spec.WSAECONNREFUSED)
	})
}

func TestTCPTableStates(t *testing.T) {
	eachProfile(t, func(t *testing.T, w *world) {
		e := w.e
		c, s := w.pair(false)
		assert.Equal(t, w.rows(spec.TCPEstab), 2)
		assert.Equal(t, w.rows(spec.TCPListen), 1)
		w.ok(e.Shutdown(c, spec.SD_SEND))
		assert.Equal(t, w.rows(spec.TCPFinWait2), 1)
		assert.Equal(t, w.rows(spec.TCPCloseWait), 1)
		w.ok(e.Shutdown(s, spec.SD_BOTH))
		assert.Equal(t, w.rows(spec.TCPTimeWait), 1)
		rows, _ := e.TCPTable()
		assert.Equal(t, len(rows), 2, "%v", rows) // LISTEN and our TIME_WAIT; the server end is closed
		w.wantState(c, spec.StateConnected)
		_, err := e.Recv(s, make([]byte, 1))
		w.is(err, spec.WSAESHUTDOWN)
	})
}

// TestShutdownDatagram: shutdown on a bound, unconnected UDP socket
// succeeds, and recv then fails WSAESHUTDOWN; after SD_SEND (twice) send
// fails WSAESHUTDOWN (Wine sock.c test_shutdown, lines 9217-9241, ok on
// Windows). Before, shutdown failed WSAENOTCONN and a recv blocked.
func TestShutdownDatagram(t *testing.T) {
	w := newWorld(t, Windows, WithDeadlockError())
	e := w.e
	srv, err := e.Socket(spec.AF_INET, spec.SOCK_DGRAM, spec.IPPROTO_UDP, spec.WSA_FLAG_OVERLAPPED)
	w.ok(err)
	w.ok(e.Bind(srv, netip.AddrPortFrom(loop4, 0)))
	w.ok(e.Shutdown(srv, spec.SD_RECEIVE))
	_, err = e.Recv(srv, make([]byte, 5))
	w.is(err, spec.WSAESHUTDOWN)
	addr, err := e.Getsockname(srv)
	w.ok(err)

	cli, err := e.Socket(spec.AF_INET, spec.SOCK_DGRAM, spec.IPPROTO_UDP, spec.WSA_FLAG_OVERLAPPED)
	w.ok(err)
	w.is(e.Shutdown(cli, spec.SD_SEND), spec.WSAENOTCONN) // neither bound nor connected: no source; kept
	w.ok(e.Connect(cli, addr))
	n, err := e.Send(cli, []byte("test\x00"))
	w.ok(err)
	assert.Equal(t, n, 5)
	w.ok(e.Shutdown(cli, spec.SD_SEND))
	w.ok(e.Shutdown(cli, spec.SD_SEND))
	_, err = e.Send(cli, []byte("test\x00"))
	w.is(err, spec.WSAESHUTDOWN)
}

// TestDatagramDelivery: a connected UDP socket's send arrives whole at the
// bound socket it names, one datagram per recv, and makes it readable;
// the bound socket, unconnected, cannot send (Wine sock.c
// test_connect_udp, lines 13620-13636, ok and todo_wine on Windows).
func TestDatagramDelivery(t *testing.T) {
	w := newWorld(t, Windows, WithDeadlockError())
	e := w.e
	udp := func() spec.Socket {
		s, err := e.Socket(spec.AF_INET, spec.SOCK_DGRAM, spec.IPPROTO_UDP, spec.WSA_FLAG_OVERLAPPED)
		w.ok(err)
		return s
	}
	srv, cli := udp(), udp()
	w.ok(e.Bind(srv, netip.AddrPortFrom(loop4, 0)))
	addr, err := e.Getsockname(srv)
	w.ok(err)
	w.ok(e.Connect(cli, addr))
	for _, m := range []string{"data", "more"} {
		n, err := e.Send(cli, []byte(m))
		w.ok(err)
		assert.Equal(t, n, len(m))
	}
	r, err := e.Poll(srv, spec.POLLRDNORM|spec.POLLWRNORM, 0)
	w.ok(err)
	assert.Equal(t, r, spec.POLLRDNORM|spec.POLLWRNORM)
	buf := make([]byte, 5)
	n, err := e.Recv(srv, buf)
	w.ok(err)
	assert.Equal(t, string(buf[:n]), "data")
	n, err = e.Recv(srv, buf[:2])
	w.ok(err)
	assert.Equal(t, string(buf[:n]), "mo", "a longer datagram is cut to the buffer")
	_, err = e.Recv(srv, buf)
	w.is(err, ErrDeadlock) // nothing left: it would wait forever
	_, err = e.Send(srv, []byte("x"))
	w.is(err, spec.WSAENOTCONN)
	// A datagram to a socket shut for receiving is dropped.
	w.ok(e.Shutdown(srv, spec.SD_RECEIVE))
	_, err = e.Send(cli, []byte("late"))
	w.ok(err)
	r, _ = e.Poll(srv, spec.POLLRDNORM, 0)
	assert.Equal(t, r, spec.PollEvents(0))
}

// A SYN finds its listener the same way with a few listeners (scanned)
// and with many (looked up by port): the one on the port with the
// destination address or the unspecified one, and none once it is closed.
func TestFindListenerMany(t *testing.T) {
	for _, extra := range []int{0, 20} { // 20 more listeners: past the scan
		e, err := New(spec.DefaultSettings())
		if err != nil {
			t.Fatal(err)
		}
		listen := func(addr string) spec.Socket {
			t.Helper()
			l, err := e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, 0)
			if err == nil {
				err = e.Bind(l, netip.MustParseAddrPort(addr))
			}
			if err == nil {
				err = e.Listen(l, 4)
			}
			if err != nil {
				t.Fatalf("listen %s: %v", addr, err)
			}
			return l
		}
		var extras []spec.Socket
		for i := 0; i < extra; i++ {
			extras = append(extras, listen(fmt.Sprintf("127.0.0.1:%d", 7000+i)))
		}
		two := listen("127.0.0.2:9000")
		three := listen("127.0.0.3:9001")
		wildcard := listen("0.0.0.0:9100")
		accepts := func(to string, want spec.Socket) {
			t.Helper()
			c, err := e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			err = e.Connect(c, netip.MustParseAddrPort(to))
			if want == spec.INVALID_SOCKET {
				if !errors.Is(err, spec.WSAECONNREFUSED) {
					t.Errorf("%d listeners: connect %s: %v, want WSAECONNREFUSED", extra+3, to, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%d listeners: connect %s: %v", extra+3, to, err)
			}
			if _, _, err := e.Accept(want); err != nil {
				t.Errorf("%d listeners: connect %s: the expected listener has nothing to accept: %v", extra+3, to, err)
			}
		}
		accepts("127.0.0.2:9000", two)
		accepts("127.0.0.3:9001", three)
		accepts("127.0.0.1:9000", spec.INVALID_SOCKET) // bound to 127.0.0.2 only
		accepts("127.0.0.5:9100", wildcard)
		if extra > 0 {
			accepts("127.0.0.1:7013", extras[13])
			accepts("127.0.0.2:7013", spec.INVALID_SOCKET) // bound to 127.0.0.1 only
		}
		_ = e.Closesocket(two)
		accepts("127.0.0.2:9000", spec.INVALID_SOCKET)
		accepts("127.0.0.3:9001", three)
		_ = e.Closesocket(three)
		accepts("127.0.0.3:9001", spec.INVALID_SOCKET)
		_ = e.Closesocket(wildcard)
		accepts("127.0.0.5:9100", spec.INVALID_SOCKET)
	}
}
