package conformance

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_WSASocket, test_errors and test_UDP (see
// evidence_wine_sock_socket.go).
//
// test_WSASocket's table of (af, type, protocol) triples runs here through
// spec.API's Socket (WSASocketW with no WSAPROTOCOL_INFO and flags 0, as
// the test's WSASocketA calls). The test reads the family and type of the
// sockets made from SO_PROTOCOL_INFO or SO_TYPE, which spec.API lacks; the
// cases observe them instead: an AF_INET socket binds 127.0.0.1, a stream
// socket listens and a datagram socket refuses to. Its
// WSAPROTOCOL_INFO-driven creations and WSAEnumProtocols are not
// expressible. test_UDP's sendto and recvfrom become connect and send on
// the senders and recv on the receiver, as spec.API has no sendto or
// recvfrom.

// Constants test_WSASocket uses that spec does not name.
const (
	// wsBad is the test's 0xdead, a value no family, type or protocol has.
	wsBad        = 0xdead
	afUnspec     = 0    // AF_UNSPEC
	afIPX        = 6    // AF_IPX (ws2def.h)
	nsprotoIPX   = 1000 // NSPROTO_IPX (wsipx.h)
	ipprotoICMP  = 1    // IPPROTO_ICMP
	ipprotoRawIP = 255  // IPPROTO_RAW
)

// wsTriple is one row of test_WSASocket's table: the arguments, and the
// error or, for a row that succeeds, the type of the socket made (the
// family made is AF_INET for every such row).
type wsTriple struct {
	row            int
	af, typ, proto int
	err            spec.Errno
	madeType       int
}

func (x wsTriple) String() string {
	call := fmt.Sprintf("WSASocket(%#x, %#x, %#x, NULL, 0, 0)", x.af, x.typ, x.proto)
	if x.row < 0 {
		return call
	}
	return fmt.Sprintf("row %d: %s", x.row, call)
}

// wsRefused are the table's rows that fail, but row 7 (wsFamilyFirst),
// which Wine gets wrong.
var wsRefused = []wsTriple{
	{row: 0, af: wsBad, typ: spec.SOCK_STREAM, proto: spec.IPPROTO_TCP, err: spec.WSAEAFNOSUPPORT},
	{row: 1, af: -1, typ: spec.SOCK_STREAM, proto: spec.IPPROTO_TCP, err: spec.WSAEAFNOSUPPORT},
	{row: 2, af: spec.AF_INET, typ: wsBad, proto: spec.IPPROTO_TCP, err: spec.WSAESOCKTNOSUPPORT},
	{row: 3, af: spec.AF_INET, typ: -1, proto: spec.IPPROTO_TCP, err: spec.WSAESOCKTNOSUPPORT},
	{row: 4, af: spec.AF_INET, typ: spec.SOCK_STREAM, proto: wsBad, err: spec.WSAEPROTONOSUPPORT},
	{row: 5, af: spec.AF_INET, typ: spec.SOCK_STREAM, proto: -1, err: spec.WSAEPROTONOSUPPORT},
	{row: 6, af: wsBad, typ: wsBad, proto: spec.IPPROTO_TCP, err: spec.WSAESOCKTNOSUPPORT},
	{row: 8, af: spec.AF_INET, typ: wsBad, proto: wsBad, err: spec.WSAESOCKTNOSUPPORT},
	{row: 9, af: wsBad, typ: spec.SOCK_STREAM, proto: spec.IPPROTO_UDP, err: spec.WSAEAFNOSUPPORT},
	{row: 12, af: spec.AF_INET, typ: wsBad, proto: 0, err: spec.WSAESOCKTNOSUPPORT},
	{row: 15, af: spec.AF_INET, typ: 0, proto: wsBad, err: spec.WSAEPROTONOSUPPORT},
	{row: 17, af: spec.AF_INET, typ: spec.SOCK_STREAM, proto: spec.IPPROTO_UDP, err: spec.WSAEPROTONOSUPPORT},
	{row: 18, af: spec.AF_INET, typ: spec.SOCK_DGRAM, proto: spec.IPPROTO_TCP, err: spec.WSAEPROTONOSUPPORT},
	{row: 20, af: afUnspec, typ: spec.SOCK_STREAM, proto: wsBad, err: spec.WSAEPROTONOSUPPORT},
	{row: 21, af: afUnspec, typ: wsBad, proto: spec.IPPROTO_UDP, err: spec.WSAESOCKTNOSUPPORT},
	{row: 22, af: afUnspec, typ: spec.SOCK_STREAM, proto: 0, err: spec.WSAEINVAL},
	{row: 23, af: afUnspec, typ: spec.SOCK_DGRAM, proto: 0, err: spec.WSAEINVAL},
	{row: 24, af: afUnspec, typ: wsBad, proto: 0, err: spec.WSAEINVAL},
	{row: 27, af: afUnspec, typ: 0, proto: wsBad, err: spec.WSAEPROTONOSUPPORT},
	{row: 28, af: afUnspec, typ: 0, proto: 0, err: spec.WSAEINVAL},
}

// wsFamilyFirst is row 7: an unknown family and an unknown protocol on a
// known type fail for the family.
var wsFamilyFirst = wsTriple{row: 7, af: wsBad, typ: spec.SOCK_STREAM, proto: wsBad, err: spec.WSAEAFNOSUPPORT}

// wsMade are the rows that make a socket.
var wsMade = []wsTriple{
	{row: 10, af: spec.AF_INET, typ: spec.SOCK_STREAM, proto: 0, madeType: spec.SOCK_STREAM},
	{row: 11, af: spec.AF_INET, typ: spec.SOCK_DGRAM, proto: 0, madeType: spec.SOCK_DGRAM},
	{row: 13, af: spec.AF_INET, typ: 0, proto: spec.IPPROTO_TCP, madeType: spec.SOCK_STREAM},
	{row: 14, af: spec.AF_INET, typ: 0, proto: spec.IPPROTO_UDP, madeType: spec.SOCK_DGRAM},
	{row: 16, af: spec.AF_INET, typ: 0, proto: 0, madeType: spec.SOCK_STREAM},
	{row: 19, af: afUnspec, typ: spec.SOCK_STREAM, proto: spec.IPPROTO_TCP, madeType: spec.SOCK_STREAM},
	{row: 25, af: afUnspec, typ: 0, proto: spec.IPPROTO_TCP, madeType: spec.SOCK_STREAM},
	{row: 26, af: afUnspec, typ: 0, proto: spec.IPPROTO_UDP, madeType: spec.SOCK_DGRAM},
}

// wantRefused checks that a row's creation fails with its error and
// gives INVALID_SOCKET.
func wantRefused(t *T, api spec.API, x wsTriple) {
	t.Helper()
	s, err := api.Socket(x.af, x.typ, x.proto, 0)
	if err == nil {
		t.Cleanup(func() { api.Closesocket(s) })
	}
	wantErr(t, x.String(), err, x.err)
	if s != spec.INVALID_SOCKET {
		t.Errorf("%s: got socket %#x, want INVALID_SOCKET", x, s)
	}
}

// wantMade checks that a row's creation succeeds and that the socket is
// an AF_INET socket (it binds 127.0.0.1:0) of the row's type (a stream
// socket then listens, a datagram socket cannot).
func wantMade(t *T, api spec.API, x wsTriple) {
	t.Helper()
	s, err := api.Socket(x.af, x.typ, x.proto, 0)
	if !wantOK(t, x.String(), err) {
		return
	}
	defer api.Closesocket(s)
	if s == spec.INVALID_SOCKET {
		t.Errorf("%s: succeeded with INVALID_SOCKET", x)
		return
	}
	if !wantOK(t, x.String()+": bind to 127.0.0.1:0 (an AF_INET socket takes it)", api.Bind(s, netip.AddrPortFrom(loopback4, 0))) {
		return
	}
	what := x.String() + ": listen (the socket made is " + spec.SocketTypeName(x.madeType) + ")"
	if x.madeType == spec.SOCK_STREAM {
		wantOK(t, what, api.Listen(s, 1))
	} else {
		expectFailure(t, what, api.Listen(s, 1), spec.WSAEOPNOTSUPP)
	}
}

// socketOrRefused creates a socket that is allowed to fail with refused:
// it reports whether one was made (and closes it after the case).
func socketOrRefused(t *T, api spec.API, what string, af, typ, proto int, refused spec.Errno) bool {
	t.Helper()
	s, err := api.Socket(af, typ, proto, 0)
	if err == nil {
		t.Cleanup(func() { api.Closesocket(s) })
		t.Logf("%s: succeeded", what)
		return true
	}
	wantErr(t, what+" (when it fails)", err, refused)
	return false
}

// udpPeers is test_UDP's setup: NUM_UDP_PEERS (3) UDP sockets made and
// bound to 127.0.0.1 from the last to the first, the first on port 9374
// (SERVERPORT), the others on port 0, each one named by getsockname. It
// returns the sockets and their names, peers[0] the receiver.
func udpPeers(t *T, api spec.API) ([]spec.Socket, []netip.AddrPort) {
	t.Helper()
	const peers, serverPort, bindTries = 3, 9374, 10
	socks, names := make([]spec.Socket, peers), make([]netip.AddrPort, peers)
	var wantPort uint16
	for i := peers - 1; i >= 0; i-- {
		// socket(AF_INET, SOCK_DGRAM, 0)
		socks[i] = sock(t, api, spec.AF_INET, spec.SOCK_DGRAM, 0, spec.WSA_FLAG_OVERLAPPED)
		at := netip.AddrPortFrom(loopback4, 0)
		if i == 0 {
			// As the test's do_bind, the next port where another program
			// holds this one; getsockname must give the port taken.
			var err error
			for try := range bindTries {
				at = netip.AddrPortFrom(loopback4, serverPort+uint16(try))
				if err = api.Bind(socks[i], at); !errors.Is(err, spec.WSAEADDRINUSE) {
					break
				}
			}
			mustOK(t, fmt.Sprintf("peer 0: bind to %v", at), err)
			wantPort = at.Port()
		} else {
			mustOK(t, fmt.Sprintf("peer %d: bind to %v", i, at), api.Bind(socks[i], at))
		}
		name, err := api.Getsockname(socks[i])
		if !wantOK(t, fmt.Sprintf("peer %d: getsockname", i), err) {
			t.FailNow()
		}
		if name.Port() == 0 {
			t.Errorf("peer %d: getsockname gives port 0, want the port bind gave", i)
		}
		names[i] = name
	}
	if names[0].Port() != wantPort {
		t.Errorf("peer 0: getsockname gives port %d, want %d, the port bound", names[0].Port(), wantPort)
	}
	return socks, names
}

var wineSocketCases = []Case{
	{
		Name:    "wine-wsasocket/refused",
		Clauses: clauses(spec.ClauseRemSocketTypes),
		Body: func(t *T, api spec.API) {
			for _, x := range wsRefused {
				wantRefused(t, api, x)
			}
		},
	},
	{
		Name:    "wine-wsasocket/family-before-protocol",
		Clauses: clauses(spec.ClauseRemSocketTypes),
		Body:    func(t *T, api spec.API) { wantRefused(t, api, wsFamilyFirst) },
	},
	{
		Name:    "wine-wsasocket/made",
		Clauses: clauses(spec.ClauseRemSocketTypes),
		Body: func(t *T, api spec.API) {
			for _, x := range wsMade {
				wantMade(t, api, x)
			}
		},
	},
	{
		// The raw socket checks: an ICMP raw socket is made where the
		// process may have one and refused WSAEACCES where not; where
		// it is made, so are the others the test makes.
		Name:    "wine-wsasocket/raw",
		Clauses: clauses(spec.ClauseRemSocketTypes),
		Body: func(t *T, api spec.API) {
			if !socketOrRefused(t, api, "WSASocket(AF_INET, SOCK_RAW, IPPROTO_ICMP)", spec.AF_INET, spec.SOCK_RAW, ipprotoICMP, spec.WSAEACCES) {
				return
			}
			if !socketOrRefused(t, api, "WSASocket(0, 0, IPPROTO_RAW)", afUnspec, 0, ipprotoRawIP, spec.WSAEACCES) {
				return
			}
			s, err := api.Socket(spec.AF_INET, spec.SOCK_RAW, spec.IPPROTO_TCP, 0)
			if wantOK(t, "WSASocket(AF_INET, SOCK_RAW, IPPROTO_TCP)", err) {
				api.Closesocket(s)
			}
		},
	},
	{
		// The IPX checks: without IPX the family is refused; with it,
		// the protocol alone picks a datagram socket, SOCK_STREAM is
		// refused, and NSPROTO_IPX + n (n up to 255) is accepted.
		Name:    "wine-wsasocket/ipx",
		Clauses: clauses(spec.ClauseRemSocketTypes),
		Body: func(t *T, api spec.API) {
			if !socketOrRefused(t, api, "WSASocket(AF_IPX, SOCK_DGRAM, NSPROTO_IPX)", afIPX, spec.SOCK_DGRAM, nsprotoIPX, spec.WSAEAFNOSUPPORT) {
				return
			}
			s, err := api.Socket(afUnspec, 0, nsprotoIPX, 0)
			if wantOK(t, "WSASocket(0, 0, NSPROTO_IPX)", err) {
				api.Closesocket(s)
			}
			wantRefused(t, api, wsTriple{row: -1, af: afIPX, typ: spec.SOCK_STREAM, proto: nsprotoIPX, err: spec.WSAEPROTONOSUPPORT})
			for n := 0; n <= 255; n += 17 {
				s, err := api.Socket(afUnspec, 0, nsprotoIPX+n, 0)
				if wantOK(t, fmt.Sprintf("WSASocket(0, 0, NSPROTO_IPX + %d)", n), err) {
					api.Closesocket(s)
				}
			}
		},
	},
	{
		// test_errors: a blocking connect to a loopback port nobody
		// listens on is refused, and closesocket of the socket then
		// succeeds. The test takes port 6924; the case takes a port it
		// has just bound and freed, so that no program can listen there.
		Name:    "wine-errors/connect-refused",
		Clauses: clauses(spec.ClauseGapUnreachable),
		Body: func(t *T, api spec.API) {
			free := sock(t, api, spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
			mustOK(t, "bind(127.0.0.1:0) for a port nobody listens on", api.Bind(free, netip.AddrPortFrom(loopback4, 0)))
			to := netip.AddrPortFrom(loopback4, localPort(t, api, free))
			mustOK(t, "closesocket of that socket", api.Closesocket(free))
			s := sock(t, api, spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED) // socket(PF_INET, SOCK_STREAM, 0)
			wantErr(t, fmt.Sprintf("connect to %v, where nothing listens", to), api.Connect(s, to), spec.WSAECONNREFUSED)
			wantOK(t, "closesocket after the refused connect", api.Closesocket(s))
		},
	},
	{
		Name:    "wine-udp-peers/names",
		Clauses: clauses(spec.ClauseRemDatagram, spec.ClauseGapBindAddress),
		Body:    func(t *T, api spec.API) { udpPeers(t, api) },
	},
	{
		// Each other peer sends 16 bytes holding its port to peer 0,
		// which receives them all. The test's sendto becomes connect and
		// send; recv cannot give the sender's address, so the case
		// checks that each datagram holds the port of a sender, each
		// sender's once.
		Name:    "wine-udp-peers/to-first",
		Clauses: clauses(spec.ClauseRemDatagram),
		Body: func(t *T, api spec.API) {
			socks, names := udpPeers(t, api)
			var sent []uint16
			for i := 1; i < len(socks); i++ {
				buf := make([]byte, 16)
				binary.BigEndian.PutUint16(buf, names[i].Port())
				mustOK(t, fmt.Sprintf("peer %d: connect to peer 0 (%v)", i, names[0]), api.Connect(socks[i], names[0]))
				n, err := api.Send(socks[i], buf)
				if err != nil || n != len(buf) {
					t.Errorf("peer %d: send of 16 bytes to peer 0: got %d with %s, want 16", i, n, errName(err))
					continue
				}
				sent = append(sent, names[i].Port())
			}
			for k, want := 0, len(sent); k < want; k++ {
				// An empty queue would block recv: ask first.
				if ev, err := api.Poll(socks[0], spec.POLLRDNORM, prompt); err != nil || ev&spec.POLLRDNORM == 0 {
					t.Errorf("peer 0: no datagram waits (poll: %v, %s)", ev, errName(err))
					return
				}
				buf := make([]byte, 16)
				n, err := api.Recv(socks[0], buf)
				if err != nil || n != len(buf) {
					t.Errorf("peer 0: recv: got %d with %s, want 16 bytes", n, errName(err))
					continue
				}
				p := binary.BigEndian.Uint16(buf)
				i := slices.Index(sent, p)
				if i < 0 {
					t.Errorf("peer 0: recv: the datagram holds port %d, want one of the senders' ports not yet seen", p)
					continue
				}
				sent = slices.Delete(sent, i, i+1)
			}
		},
	},
}
