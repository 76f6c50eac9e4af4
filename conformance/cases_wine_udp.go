package conformance

import (
	"bytes"
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_connect_udp: connect() on UDP sockets, what it
// does to their names, and send and recv on either side. The test's
// sockets are non-blocking; its checks of an empty receive queue
// (WSAEWOULDBLOCK) need that and are not ported.

// udpPair is the test's client and server: the server bound to
// 127.0.0.1:0, the client connected to it.
func udpPair(t *T, api spec.API) (client, server spec.Socket, addr netip.AddrPort) {
	t.Helper()
	server, addr = boundUDP(t, api)
	client = udpSocket(t, api)
	mustOK(t, "connect(UDP client, server)", api.Connect(client, addr))
	return client, server, addr
}

var wineUDPCases = []Case{
	{
		Name:    "wine-connect-udp/send-unconnected",
		Clauses: clauses(spec.ClauseRemDatagram),
		Body: func(t *T, api spec.API) {
			c := udpSocket(t, api)
			_, err := api.Send(c, []byte("data"))
			wantErr(t, "send on an unconnected UDP socket", err, spec.WSAENOTCONN)
		},
	},
	{
		Name:    "wine-connect-udp/connected-names",
		Clauses: clauses(spec.ClauseRemDatagram),
		Body: func(t *T, api spec.API) {
			c, s, addr := udpPair(t, api)
			peer, err := api.Getpeername(c)
			if wantOK(t, "getpeername(connected UDP client)", err) && peer != addr {
				t.Errorf("getpeername(connected UDP client): got %v, want the server's %v", peer, addr)
			}
			_, err = api.Getsockname(c)
			wantOK(t, "getsockname(connected UDP client)", err)
			_, err = api.Getpeername(s)
			wantErr(t, "getpeername(unconnected UDP server)", err, spec.WSAENOTCONN)
		},
	},
	{
		Name:    "wine-connect-udp/send-receive",
		Clauses: clauses(spec.ClauseRemDatagram),
		Body: func(t *T, api spec.API) {
			c, s, _ := udpPair(t, api)
			if n, err := api.Send(c, []byte("data")); err != nil || n != 4 {
				t.Fatalf("send(UDP client, 4 bytes): got %d with %s, want 4", n, errName(err))
			}
			buf := bytes.Repeat([]byte{0xcc}, 5)
			n, err := api.Recv(s, buf)
			if err != nil || n != 4 || !bytes.Equal(buf[:4], []byte("data")) {
				t.Errorf("recv(UDP server): got %q with %s, want \"data\"", buf[:max(n, 0)], errName(err))
			}
		},
	},
	{
		Name:    "wine-connect-udp/server-send-unconnected",
		Clauses: clauses(spec.ClauseRemDatagram),
		Body: func(t *T, api spec.API) {
			_, s, _ := udpPair(t, api)
			_, err := api.Send(s, []byte("data"))
			wantErr(t, "send on the unconnected (bound) UDP server", err, spec.WSAENOTCONN)
		},
	},
	{
		Name:    "wine-connect-udp/reconnect",
		Clauses: clauses(spec.ClauseRemDatagram),
		Body: func(t *T, api spec.API) {
			c, _, addr := udpPair(t, api)
			wantOK(t, "connect(UDP client) to the same address again", api.Connect(c, addr))
			next := netip.AddrPortFrom(addr.Addr(), addr.Port()+1)
			wantOK(t, "connect(UDP client) to the next port", api.Connect(c, next))
			peer, err := api.Getpeername(c)
			if wantOK(t, "getpeername after the second connect", err) && peer != next {
				t.Errorf("getpeername after the second connect: got %v, want %v", peer, next)
			}
		},
	},
}
