package emulator

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"gotest.tools/v3/assert"

	"github.com/disconnectex/disconnectex/spec"
)

// Binds on one port across addresses (DX-GAP-BIND-ADDRESS): only the same
// address conflicts, the unspecified one included.
func TestBindAddresses(t *testing.T) {
	any6 := netip.IPv6Unspecified()
	loop6 := netip.IPv6Loopback()
	loop2 := netip.MustParseAddr("127.0.0.2")
	for _, tc := range []struct {
		name          string
		af            int
		first, second netip.Addr
		want          error
	}{
		{"any then loopback", spec.AF_INET, netip.IPv4Unspecified(), loop4, nil},
		{"loopback then any", spec.AF_INET, loop4, netip.IPv4Unspecified(), nil},
		{"any twice", spec.AF_INET, netip.IPv4Unspecified(), netip.IPv4Unspecified(), spec.WSAEADDRINUSE},
		{"loopback twice", spec.AF_INET, loop4, loop4, spec.WSAEADDRINUSE},
		{"two loopback addresses", spec.AF_INET, loop4, loop2, nil},
		{"IPv6 any then loopback", spec.AF_INET6, any6, loop6, nil},
		{"IPv6 loopback then any", spec.AF_INET6, loop6, any6, nil},
		{"IPv6 any twice", spec.AF_INET6, any6, any6, spec.WSAEADDRINUSE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, Windows)
			e := w.e
			a, _ := e.Socket(tc.af, spec.SOCK_STREAM, 0, 0)
			b, _ := e.Socket(tc.af, spec.SOCK_STREAM, 0, 0)
			w.ok(e.Bind(a, netip.AddrPortFrom(tc.first, 9000)))
			w.is(e.Bind(b, netip.AddrPortFrom(tc.second, 9000)), tc.want)
			// Closing the first frees its address: the second bind then succeeds.
			w.ok(e.Closesocket(a))
			if tc.want != nil {
				w.ok(e.Bind(b, netip.AddrPortFrom(tc.second, 9000)))
			}
		})
	}
}

// A connection goes to the listener on its own address, whichever bound
// first; without one, to the listener on the unspecified address.
func TestListenerOnSpecificAddressWins(t *testing.T) {
	for _, specificFirst := range []bool{false, true} {
		w := newWorld(t, Windows)
		e := w.e
		var spec4, wild spec.Socket
		if specificFirst {
			spec4, _ = listenAt(t, e, 9000)
			wild = listenOn(t, e, netip.AddrPortFrom(netip.IPv4Unspecified(), 9000))
		} else {
			wild = listenOn(t, e, netip.AddrPortFrom(netip.IPv4Unspecified(), 9000))
			spec4, _ = listenAt(t, e, 9000)
		}
		to := netip.AddrPortFrom(loop4, 9000)
		c := w.sock(false)
		w.ok(e.Connect(c, to))
		_, _, err := e.Accept(spec4)
		assert.NilError(t, err, "specific first %v: the listener on 127.0.0.1 gets the connection", specificFirst)
		// With the specific listener gone, the wildcard one takes it.
		w.ok(e.Closesocket(spec4))
		c2 := w.sock(false)
		w.ok(e.Connect(c2, to))
		_, _, err = e.Accept(wild)
		assert.NilError(t, err, "specific first %v: then the listener on 0.0.0.0", specificFirst)
	}
}

// A socket on the unspecified address that has connected has its
// connection's address: a bind to that address conflicts with it, and two
// sockets sharing a port cannot make one 4-tuple twice.
func TestSharedPortTuples(t *testing.T) {
	w := newWorld(t, Windows)
	e := w.e
	wild := w.sock(false)
	w.ok(e.Bind(wild, netip.AddrPortFrom(netip.IPv4Unspecified(), 9100)))
	w.ok(e.Connect(wild, serverAddr)) // local 127.0.0.1:9100
	x := w.sock(false)
	w.is(e.Bind(x, netip.AddrPortFrom(loop4, 9100)), spec.WSAEADDRINUSE)
	// 127.0.0.2 is another address: the bind succeeds.
	loop2 := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.2"), 9100)
	w.ok(e.Bind(x, loop2))

	// The other way round: a socket on 127.0.0.1:9200 is connected to the
	// server, so one on 0.0.0.0:9200 cannot connect there from the same
	// address, and can elsewhere.
	named := w.sock(false)
	w.ok(e.Bind(named, netip.AddrPortFrom(loop4, 9200)))
	w.ok(e.Connect(named, serverAddr))
	wild2 := w.sock(false)
	w.ok(e.Bind(wild2, netip.AddrPortFrom(netip.IPv4Unspecified(), 9200)))
	w.is(e.Connect(wild2, serverAddr), spec.WSAEADDRINUSE)
	other, _ := listenAt(t, e, 9300)
	w.ok(e.Connect(wild2, netip.AddrPortFrom(loop4, 9300)))
	_, _, err := e.Accept(other)
	assert.NilError(t, err)
}

// The count of sockets on one port saturates: past 65,535 (one socket for
// each of that many loopback addresses) bind fails WSAENOBUFS instead of
// wrapping the count.
func TestBindCountSaturates(t *testing.T) {
	w := newWorld(t, Windows)
	e := w.e
	base := netip.MustParseAddr("127.1.0.0")
	a := base
	for i := 0; i < 65535; i++ {
		a = a.Next()
		s, err := e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, 0)
		assert.NilError(t, err)
		if err := e.Bind(s, netip.AddrPortFrom(a, 9400)); err != nil {
			t.Fatalf("bind %d (%v): %v", i, a, err)
		}
	}
	s := w.sock(false)
	w.is(e.Bind(s, netip.AddrPortFrom(a.Next(), 9400)), spec.WSAENOBUFS)
}

// No connection may share a 4-tuple with another end, however sockets on
// different addresses share their ports: a connect to its own address and
// port, and one that would repeat the server end of a connection (waiting
// in the backlog, accepted, or accepted from a listener since closed),
// fail WSAEADDRINUSE.
func TestSharedPortNoDuplicateTuples(t *testing.T) {
	ap := netip.MustParseAddrPort
	noDuplicates := func(t *testing.T, e *Emulator) {
		t.Helper()
		rows, err := e.TCPTable()
		assert.NilError(t, err)
		seen := map[[2]netip.AddrPort]bool{}
		for _, r := range rows {
			k := [2]netip.AddrPort{r.Local, r.Remote}
			assert.Assert(t, !seen[k], "the TCP table lists %v -> %v twice", r.Local, r.Remote)
			seen[k] = true
		}
	}
	t.Run("to itself", func(t *testing.T) {
		for _, c := range [][2]string{{"127.0.0.1:7000", "0.0.0.0:7000"}, {"0.0.0.0:7000", "127.0.0.1:7000"}} {
			w := newWorld(t, Windows)
			listenOn(t, w.e, ap(c[0]))
			s := w.sock(false)
			w.ok(w.e.Bind(s, ap(c[1])))
			w.is(w.e.Connect(s, ap("127.0.0.1:7000")), spec.WSAEADDRINUSE)
			noDuplicates(t, w.e)
		}
	})
	for _, tc := range []struct {
		name          string
		listener, by  string // the first listener's address, the crossing socket's
		accept, close bool
	}{
		{"server end in the backlog", "0.0.0.0:8081", "127.0.0.1:8081", false, false},
		{"server end accepted", "0.0.0.0:8081", "127.0.0.1:8081", true, false},
		{"listener closed", "127.0.0.1:8081", "0.0.0.0:8081", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, Windows)
			e := w.e
			l := listenOn(t, e, ap(tc.listener))
			c := w.sock(false)
			w.ok(e.Bind(c, ap("127.0.0.1:9000")))
			listenOn(t, e, ap("0.0.0.0:9000")) // beside c, on its port
			w.ok(e.Connect(c, ap("127.0.0.1:8081")))
			if tc.accept {
				_, _, err := e.Accept(l)
				assert.NilError(t, err)
			}
			if tc.close {
				w.ok(e.Closesocket(l))
			}
			// x would be 127.0.0.1:8081 -> 127.0.0.1:9000: c's server end.
			x := w.sock(false)
			w.ok(e.Bind(x, ap(tc.by)))
			w.is(e.Connect(x, ap("127.0.0.1:9000")), spec.WSAEADDRINUSE)
			noDuplicates(t, e)
		})
	}
}

// A datagram goes to the socket bound to its destination address before
// one bound to the unspecified address on the port, even one connected
// elsewhere.
func TestDatagramSpecificAddressFirst(t *testing.T) {
	ap := netip.MustParseAddrPort
	for _, wildConnected := range []bool{false, true} {
		w := newWorld(t, Windows)
		e := w.e
		udp := func(bind string) spec.Socket {
			s, err := e.Socket(spec.AF_INET, spec.SOCK_DGRAM, 0, 0)
			assert.NilError(t, err)
			if bind != "" {
				w.ok(e.Bind(s, ap(bind)))
			}
			return s
		}
		wild := udp("0.0.0.0:7000")
		if wildConnected {
			w.ok(e.Connect(wild, ap("127.0.0.5:1234")))
		}
		specific := udp("127.0.0.1:7000")
		c := udp("")
		w.ok(e.Connect(c, ap("127.0.0.1:7000")))
		_, err := e.Send(c, []byte("hi"))
		assert.NilError(t, err)
		// Poll first: a datagram that went elsewhere would block Recv.
		ev, err := e.Poll(specific, spec.POLLRDNORM, time.Second)
		assert.NilError(t, err)
		assert.Assert(t, ev&spec.POLLRDNORM != 0, "wild connected %v: nothing reached the socket on 127.0.0.1", wildConnected)
		b := make([]byte, 8)
		n, err := e.Recv(specific, b)
		assert.NilError(t, err)
		assert.Equal(t, string(b[:n]), "hi", "wild connected %v", wildConnected)
	}
}

// An IPv6 zone does not make another address: [::1%1]:P and [::1]:P
// conflict.
func TestBindZone(t *testing.T) {
	w := newWorld(t, Windows)
	e := w.e
	a, _ := e.Socket(spec.AF_INET6, spec.SOCK_STREAM, 0, 0)
	b, _ := e.Socket(spec.AF_INET6, spec.SOCK_STREAM, 0, 0)
	w.ok(e.Bind(a, netip.MustParseAddrPort("[::1%1]:9000")))
	w.is(e.Bind(b, netip.MustParseAddrPort("[::1]:9000")), spec.WSAEADDRINUSE)
	w.ok(e.Closesocket(a))
	w.ok(e.Bind(b, netip.MustParseAddrPort("[::1]:9000")))
}

// A scope id that names no interface makes a local IPv6 address
// unavailable, and scope 0 is accepted (sock.c test_bind lines
// 12241-12242 and 12248, ok on Windows); so is 1, the loopback
// interface's own (inferred). The failed bind leaves the socket unbound:
// the next bind succeeds. Zones read as the native backend converts them,
// and getsockname gives the zone back as it would.
func TestBindUnknownScope(t *testing.T) {
	w := newWorld(t, Windows)
	e := w.e
	s, _ := e.Socket(spec.AF_INET6, spec.SOCK_STREAM, 0, 0)
	w.is(e.Bind(s, netip.MustParseAddrPort("[::1%11250859]:0")), spec.WSAEADDRNOTAVAIL) // 0xabacab
	_, err := e.Getsockname(s)
	w.is(err, spec.WSAEINVAL)
	w.ok(e.Bind(s, netip.MustParseAddrPort("[::1%0]:0")))
	a, _ := e.Socket(spec.AF_INET6, spec.SOCK_STREAM, 0, 0)
	w.ok(e.Bind(a, netip.MustParseAddrPort("[::1%1]:0")))
	b, _ := e.Socket(spec.AF_INET6, spec.SOCK_STREAM, 0, 0)
	w.ok(e.Bind(b, netip.MustParseAddrPort("[::1]:0")))
	// An interface name the emulator does not have reads as scope 0, as
	// the native backend converts it.
	c, _ := e.Socket(spec.AF_INET6, spec.SOCK_STREAM, 0, 0)
	w.ok(e.Bind(c, netip.MustParseAddrPort("[::1%eth0]:0")))
	for _, tc := range []struct{ zone, want string }{
		{"0", ""}, {"00", ""}, {"eth0", ""}, {"-1", ""}, {"4294967296", ""}, {"1", "1"}, {"01", "1"},
	} {
		s, _ := e.Socket(spec.AF_INET6, spec.SOCK_STREAM, 0, 0)
		w.ok(e.Bind(s, netip.MustParseAddrPort("[::1%"+tc.zone+"]:0")))
		name, err := e.Getsockname(s)
		w.ok(err)
		if got := name.Addr().Zone(); got != tc.want {
			t.Errorf("bind to [::1%%%s]: getsockname gives zone %q, want %q", tc.zone, got, tc.want)
		}
	}
}

// SO_REUSEADDR and SO_EXCLUSIVEADDRUSE decide which binds to a port in use
// succeed: the table of sock.c's test_reuseaddr for one family (its
// SO_EXCLUSIVEADDRUSE rows without IPV6_V6ONLY, and its SO_REUSEADDR
// checks), and the rows trio's how-does-windows-so-reuseaddr-work.py
// shows for a first socket on the unspecified address.
func TestBindOptions(t *testing.T) {
	const (
		none  = 0
		reuse = spec.SO_REUSEADDR
		excl  = spec.SO_EXCLUSIVEADDRUSE
	)
	anyA, loop := netip.IPv4Unspecified(), loop4
	for _, tc := range []struct {
		first, second       netip.Addr
		firstOpt, secondOpt int
		want                error
	}{
		{anyA, loop, excl, none, spec.WSAEACCES},
		{anyA, loop, none, excl, nil},
		{anyA, loop, excl, excl, spec.WSAEACCES},
		{loop, anyA, excl, none, nil},
		{loop, anyA, none, excl, spec.WSAEADDRINUSE},
		{anyA, anyA, none, excl, spec.WSAEADDRINUSE},
		{anyA, anyA, none, none, spec.WSAEADDRINUSE},
		{loop, loop, excl, none, spec.WSAEADDRINUSE},
		{loop, loop, none, excl, spec.WSAEADDRINUSE},
		{loop, loop, none, reuse, spec.WSAEACCES},
		{loop, loop, reuse, none, spec.WSAEADDRINUSE},
		{loop, loop, reuse, reuse, nil},
		{anyA, anyA, none, reuse, spec.WSAEACCES}, // trio: default wildcard, then SO_REUSEADDR wildcard
		{anyA, loop, none, reuse, nil},            // and SO_REUSEADDR specific
	} {
		w := newWorld(t, Windows)
		e := w.e
		name := fmt.Sprintf("%v (%s) then %v (%s)", tc.first, optLabel(tc.firstOpt), tc.second, optLabel(tc.secondOpt))
		a, b := w.sock(false), w.sock(false)
		if tc.firstOpt != none {
			w.ok(e.SetBindOption(a, tc.firstOpt, true))
		}
		if tc.secondOpt != none {
			w.ok(e.SetBindOption(b, tc.secondOpt, true))
		}
		w.ok(e.Bind(a, netip.AddrPortFrom(tc.first, 9000)))
		err := e.Bind(b, netip.AddrPortFrom(tc.second, 9000))
		if !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
			t.Errorf("%s: got %v, want %v", name, err, tc.want)
		}
	}
}

func optLabel(opt int) string {
	if opt == 0 {
		return "no option"
	}
	return spec.OptionName(opt)
}

// The two options exclude each other, unknown ones fail WSAENOPROTOOPT,
// and a new socket has neither; two sockets on one address with
// SO_REUSEADDR both listen, and the first to listen gets the connection.
func TestBindOptionCalls(t *testing.T) {
	w := newWorld(t, Windows)
	e := w.e
	s := w.sock(false)
	on, err := e.BindOption(s, spec.SO_REUSEADDR)
	assert.NilError(t, err)
	assert.Assert(t, !on)
	w.ok(e.SetBindOption(s, spec.SO_REUSEADDR, true))
	w.is(e.SetBindOption(s, spec.SO_EXCLUSIVEADDRUSE, true), spec.WSAEINVAL)
	w.ok(e.SetBindOption(s, spec.SO_REUSEADDR, false))
	w.ok(e.SetBindOption(s, spec.SO_EXCLUSIVEADDRUSE, true))
	w.is(e.SetBindOption(s, spec.SO_REUSEADDR, true), spec.WSAEINVAL)
	on, err = e.BindOption(s, spec.SO_EXCLUSIVEADDRUSE)
	assert.NilError(t, err)
	assert.Assert(t, on)
	w.is(e.SetBindOption(s, 0x1234, true), spec.WSAENOPROTOOPT)
	_, err = e.BindOption(s, 0x1234)
	assert.ErrorIs(t, err, spec.WSAENOPROTOOPT)
	w.is(e.SetBindOption(spec.INVALID_SOCKET, spec.SO_REUSEADDR, true), spec.WSAENOTSOCK)

	at := netip.AddrPortFrom(loop4, 9500)
	var ls [2]spec.Socket
	for i := range ls {
		ls[i] = w.sock(false)
		w.ok(e.SetBindOption(ls[i], spec.SO_REUSEADDR, true))
		w.ok(e.Bind(ls[i], at))
		w.ok(e.Listen(ls[i], 1))
	}
	c := w.sock(false)
	w.ok(e.Connect(c, at))
	ev, err := e.Poll(ls[0], spec.POLLRDNORM, 0)
	assert.NilError(t, err)
	assert.Assert(t, ev&spec.POLLRDNORM != 0, "the first listener has the connection")
	// Closing them leaves nothing counted.
	for _, l := range append(ls[:], c) {
		w.ok(e.Closesocket(l))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	assert.Equal(t, len(e.ports.optionedOn), 0)
}

// A fault rule can name each bind option's call, as the trace writes it.
func TestBindOptionFaults(t *testing.T) {
	w := newWorld(t, Windows)
	e := w.e
	_, err := e.Inject(Fault{Call: "setsockopt(SO_EXCLUSIVEADDRUSE)", Action: FaultFail, Err: spec.WSAENOBUFS})
	assert.NilError(t, err)
	s := w.sock(false)
	w.is(e.SetBindOption(s, spec.SO_EXCLUSIVEADDRUSE, true), spec.WSAENOBUFS)
	w.ok(e.SetBindOption(s, spec.SO_REUSEADDR, true))
}

// TCP and UDP have their own ports: the options of one protocol's sockets
// do not reach the other's binds, nor does one's socket on an address.
func TestBindOptionsPerProtocol(t *testing.T) {
	w := newWorld(t, Windows)
	e := w.e
	tcp := w.sock(false)
	w.ok(e.SetBindOption(tcp, spec.SO_EXCLUSIVEADDRUSE, true))
	w.ok(e.Bind(tcp, netip.AddrPortFrom(netip.IPv4Unspecified(), 9000)))
	for _, at := range []netip.Addr{loop4, netip.IPv4Unspecified()} {
		u, err := e.Socket(spec.AF_INET, spec.SOCK_DGRAM, 0, 0)
		assert.NilError(t, err)
		w.ok(e.Bind(u, netip.AddrPortFrom(at, 9000)))
	}
	u, _ := e.Socket(spec.AF_INET, spec.SOCK_DGRAM, 0, 0)
	w.is(e.Bind(u, netip.AddrPortFrom(loop4, 9000)), spec.WSAEADDRINUSE) // UDP on UDP: the same address
}
