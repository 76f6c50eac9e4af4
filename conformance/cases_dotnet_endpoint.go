package conformance

import (
	"fmt"
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from dotnet/runtime's LocalEndPointTest.cs (see
// evidence_dotnet_endpoint.go). Socket.LocalEndPoint is getsockname, read
// once and then cached until the socket's endpoint changes; RemoteEndPoint
// is the address accept() or AcceptEx (GetAcceptExSockaddrs) reported for
// an accepted socket, getpeername otherwise. BindToAnonymousPort is a bind
// to port 0 and a getsockname for the port. Each test runs for IPv4 and
// for IPv6 (AF_INET6 sockets made with the family, so IPV6_V6ONLY stays
// on: no dual-mode socket is involved) and with five helper classes: the
// synchronous two (Sync, SyncForceNonBlocking, which only toggles FIONBIO
// on and off again) call connect() and accept(); APM, Task and EAP call
// ConnectEx and AcceptEx. A case here is one test, one family and one of
// those two ways.

// epMode is how the helper class connects and accepts.
type epMode struct {
	name  string
	async bool // ConnectEx and AcceptEx; else connect() and accept()
}

var epModes = []epMode{{"sync", false}, {"async", true}}

// epRun is one run of a TCP test of LocalEndPointTest.cs.
type epRun struct {
	api  spec.API
	d    *dotnet
	fam  reuseFamily
	mode epMode
	l    spec.Socket
	port uint16
	acc  *dnOp
	tgt  spec.Socket
}

func (r *epRun) tcp(t *T) spec.Socket {
	t.Helper()
	return tcpOf(t, r.api, r.fam.af)
}

// bindAnonymous is BindToAnonymousPort: bind(addr:0), getsockname.
func (r *epRun) bindAnonymous(t *T, s spec.Socket, addr netip.Addr) uint16 {
	t.Helper()
	mustOK(t, fmt.Sprintf("bind(%v)", netip.AddrPortFrom(addr, 0)), r.api.Bind(s, netip.AddrPortFrom(addr, 0)))
	r.d.right[s] = true
	return localPort(t, r.api, s)
}

// local is getsockname(s), which must succeed.
func (r *epRun) local(t *T, what string, s spec.Socket) netip.AddrPort {
	t.Helper()
	a, err := r.api.Getsockname(s)
	mustOK(t, "getsockname("+what+")", err)
	return a
}

// server makes the server: a socket bound to addr:0 (BindToAnonymousPort),
// not yet listening.
func (r *epRun) server(t *T, addr netip.Addr) {
	t.Helper()
	r.l = r.tcp(t)
	r.port = r.bindAnonymous(t, r.l, addr)
}

// listenAndAccept is server.Listen() (backlog int.MaxValue, SOMAXCONN)
// and AcceptAsync: with the asynchronous helpers an AcceptEx posted now;
// with the synchronous ones accept() runs on another thread, which the
// case does after the connect (see finishAccept).
func (r *epRun) listenAndAccept(t *T) {
	t.Helper()
	mustOK(t, "listen(server, SOMAXCONN)", r.api.Listen(r.l, somaxconn))
	if r.mode.async {
		r.acc, r.tgt = r.d.acceptAsync(t, r.l, r.tcp(t))
	}
}

// connect is ConnectAsync(client, loopback:port): ConnectEx, after a bind
// to the wildcard address on port 0 if the client has no endpoint yet
// (WildcardBindForConnectIfNecessary); or connect().
func (r *epRun) connect(t *T, c spec.Socket) {
	t.Helper()
	to := netip.AddrPortFrom(r.fam.loopback, r.port)
	if !r.mode.async {
		mustOK(t, fmt.Sprintf("connect(client, %v)", to), r.d.connect(t, c, to))
		return
	}
	r.d.connectAsync(t, c, to).mustDone(t)
}

// finishAccept awaits the accept and returns the accepted socket and its
// RemoteEndPoint: the address accept() returned, or, after AcceptEx and
// SO_UPDATE_ACCEPT_CONTEXT, getpeername (spec.API has no
// GetAcceptExSockaddrs, from which System.Net.Sockets takes it).
func (r *epRun) finishAccept(t *T) (spec.Socket, netip.AddrPort) {
	t.Helper()
	if r.mode.async {
		r.acc.mustDone(t)
		peer, err := r.api.Getpeername(r.tgt)
		mustOK(t, "getpeername(accepted)", err)
		return r.tgt, peer
	}
	s, peer, ok := acceptWaiting(t, r.api, r.l, "the listener, after the connect")
	if !ok {
		t.FailNow()
	}
	return s, peer
}

// wantAddr checks the address of a getsockname result.
func wantAddr(t *T, what string, got netip.AddrPort, want netip.Addr) {
	t.Helper()
	if got.Addr() != want {
		t.Errorf("%s: got address %v (%v), want %v", what, got.Addr(), got, want)
	}
}

// wantEndpoint checks that two endpoints are equal.
func wantEndpoint(t *T, what string, got, want netip.AddrPort) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

// epTest is one TCP test of the file; body runs it for one family and mode.
type epTest struct {
	stem string
	body func(t *T, r *epRun)
}

var epTCPTests = []epTest{
	{"client-bound-wildcard", func(t *T, r *epRun) { // TcpClientSocket_WhenBoundToWildcardAddress_LocalEPChangeToSpecificOnConnect
		r.server(t, r.fam.any)
		c := r.tcp(t)
		port := r.bindAnonymous(t, c, r.fam.any)
		wantAddr(t, "getsockname(client) after bind to the wildcard address, before connect", r.local(t, "client", c), r.fam.any)
		r.listenAndAccept(t)
		r.connect(t, c)
		after := r.local(t, "client", c)
		wantAddr(t, "getsockname(client) after connect", after, r.fam.loopback)
		if after.Port() != port {
			t.Errorf("getsockname(client) after connect: got port %d, want %d, the port of the bind", after.Port(), port)
		}
		_, peer := r.finishAccept(t)
		wantEndpoint(t, "the accepted socket's remote endpoint against getsockname(client)", peer, after)
	}},
	{"client-unbound", func(t *T, r *epRun) { // TcpClientSocket_WhenNotBound_LocalEPChangeToSpecificOnConnect
		r.server(t, r.fam.loopback)
		r.listenAndAccept(t)
		c := r.tcp(t)
		r.connect(t, c)
		after := r.local(t, "client", c)
		wantAddr(t, "getsockname(client) after connect of a socket the test never bound", after, r.fam.loopback)
		if after.Port() == 0 {
			t.Errorf("getsockname(client) after connect: got port 0, want the port of the implicit bind")
		}
		_, peer := r.finishAccept(t)
		wantEndpoint(t, "the accepted socket's remote endpoint against getsockname(client)", peer, after)
	}},
	{"accept-server-wildcard", func(t *T, r *epRun) { // TcpAcceptSocket_WhenServerBoundToWildcardAddress_LocalEPIsSpecific
		r.server(t, r.fam.any)
		wantAddr(t, "getsockname(server) after bind to the wildcard address", r.local(t, "server", r.l), r.fam.any)
		r.listenAndAccept(t)
		c := r.tcp(t)
		r.connect(t, c)
		a, peer := r.finishAccept(t)
		cl := r.local(t, "client", c)
		wantEndpoint(t, "the accepted socket's remote endpoint against getsockname(client)", peer, cl)
		al := r.local(t, "accepted", a)
		cp, err := r.api.Getpeername(c)
		if wantOK(t, "getpeername(client)", err) {
			wantEndpoint(t, "getpeername(client)", cp, netip.AddrPortFrom(r.fam.loopback, r.port))
		}
		wantEndpoint(t, "getsockname(accepted) against the endpoint the client connected to", al, netip.AddrPortFrom(r.fam.loopback, r.port))
		sl := r.local(t, "server", r.l)
		wantAddr(t, "getsockname(server) after the accept", sl, r.fam.any)
		wantAddr(t, "getsockname(accepted)", al, r.fam.loopback)
		if al.Port() != r.port {
			t.Errorf("getsockname(accepted): got port %d, want the server's %d", al.Port(), r.port)
		}
	}},
	{"accept-server-specific", func(t *T, r *epRun) { // TcpAcceptSocket_WhenServerBoundToSpecificAddress_LocalEPIsSame
		r.server(t, r.fam.loopback)
		sl := r.local(t, "server", r.l)
		wantAddr(t, "getsockname(server) after bind to the loopback address", sl, r.fam.loopback)
		r.listenAndAccept(t)
		c := r.tcp(t)
		r.connect(t, c)
		a, peer := r.finishAccept(t)
		wantEndpoint(t, "the accepted socket's remote endpoint against getsockname(client)", peer, r.local(t, "client", c))
		al := r.local(t, "accepted", a)
		wantAddr(t, "getsockname(accepted) against the server's address", al, sl.Addr())
		if al.Port() != r.port {
			t.Errorf("getsockname(accepted): got port %d, want the server's %d", al.Port(), r.port)
		}
	}},
}

// epCaseName names the case of one test, family and mode.
func epCaseName(stem string, fam reuseFamily, mode epMode) string {
	return "dotnet-endpoint/" + stem + "-" + fam.short + "-" + mode.name
}

// epUDPCaseName names the UDP case of one family.
func epUDPCaseName(fam reuseFamily) string { return "dotnet-endpoint/udp-bound-wildcard-" + fam.short }

var dotnetEndpointCases = func() []Case {
	var out []Case
	for _, fam := range reuseFamilies {
		out = append(out, Case{
			// UdpSocket_WhenBoundToWildcardAddress_LocalEPDoesNotChangeOnSendTo, up to its sendto.
			Name:    epUDPCaseName(fam),
			Clauses: clauses(spec.ClauseGapBindAddress),
			Body: func(t *T, api spec.API) {
				recv := sock(t, api, fam.af, spec.SOCK_DGRAM, spec.IPPROTO_UDP, spec.WSA_FLAG_OVERLAPPED)
				mustOK(t, "bind(receiver, wildcard:0)", api.Bind(recv, netip.AddrPortFrom(fam.any, 0)))
				s := sock(t, api, fam.af, spec.SOCK_DGRAM, spec.IPPROTO_UDP, spec.WSA_FLAG_OVERLAPPED)
				mustOK(t, "bind(sender, wildcard:0)", api.Bind(s, netip.AddrPortFrom(fam.any, 0)))
				a, err := api.Getsockname(s)
				if wantOK(t, "getsockname(sender)", err) {
					wantAddr(t, "getsockname(sender) after bind to the wildcard address", a, fam.any)
					if a.Port() == 0 {
						t.Errorf("getsockname(sender): got port 0, want the port bind chose")
					}
				}
			},
		})
		for _, test := range epTCPTests {
			for _, mode := range epModes {
				out = append(out, Case{
					Name:    epCaseName(test.stem, fam, mode),
					Clauses: clauses(spec.ClauseGapBindAddress),
					Body: func(t *T, api spec.API) {
						test.body(t, &epRun{api: api, d: newDotnet(t, api), fam: fam, mode: mode})
					},
				})
			}
		}
	}
	return out
}()
