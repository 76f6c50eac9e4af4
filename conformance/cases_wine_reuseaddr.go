package conformance

import (
	"fmt"
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_reuseaddr: the parts without socket options,
// for AF_INET and AF_INET6 as its tests[] loop runs them. Sockets bound to
// the unspecified and to the loopback address share a port, a connection
// goes to the listener on the loopback address, and two binds to the
// unspecified address on one port conflict (DX-GAP-BIND-ADDRESS). The test
// binds the fixed port SERVERPORT+1; these cases take the port the first
// bind was given, so that they cannot meet another program's socket.

// reuseFamily is one run of test_reuseaddr's tests[] loop.
type reuseFamily struct {
	name          string
	af            int
	any, loopback netip.Addr
}

var reuseFamilies = []reuseFamily{
	{"AF_INET", spec.AF_INET, netip.IPv4Unspecified(), loopback4},
	{"AF_INET6", spec.AF_INET6, netip.IPv6Unspecified(), netip.IPv6Loopback()},
}

// bindListen makes a TCP socket of f's family bound to addr:port (port 0
// for a new one) and listening, and returns it and its port; the socket
// is closed after the case.
func bindListen(t *T, api spec.API, f reuseFamily, addr netip.Addr, port uint16) (spec.Socket, uint16, error) {
	t.Helper()
	s := sock(t, api, f.af, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
	what := fmt.Sprintf("%s: bind to %v", f.name, netip.AddrPortFrom(addr, port))
	if err := api.Bind(s, netip.AddrPortFrom(addr, port)); err != nil {
		return s, 0, fmt.Errorf("%s: got %s, want success", what, errName(err))
	}
	if port == 0 {
		port = localPort(t, api, s)
	}
	if err := api.Listen(s, 1); err != nil {
		return s, port, fmt.Errorf("%s: listen: got %s, want success", what, errName(err))
	}
	return s, port, nil
}

// sharedPort binds and listens on first, then on second at the same port,
// connects to the loopback address and accepts on the listener that
// should get the connection: the one on the loopback address.
func sharedPort(t *T, api spec.API, loopbackFirst bool) {
	for _, f := range reuseFamilies {
		first, second := f.any, f.loopback
		if loopbackFirst {
			first, second = f.loopback, f.any
		}
		s1, port, err := bindListen(t, api, f, first, 0)
		if err != nil {
			t.Fatalf("%v", err)
		}
		s2, _, err := bindListen(t, api, f, second, port)
		if err != nil {
			t.Errorf("%v (%v listens)", err, netip.AddrPortFrom(first, port))
		}
		to := netip.AddrPortFrom(f.loopback, port)
		c := sock(t, api, f.af, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
		mustOK(t, fmt.Sprintf("%s: connect to %v", f.name, to), api.Connect(c, to))
		onLoopback := s2
		if loopbackFirst {
			onLoopback = s1
		}
		what := fmt.Sprintf("%s: accept on the listener on %v (the connection goes there)", f.name, to)
		// A listener the connection did not reach would block accept: ask first.
		if ev, err := api.Poll(onLoopback, spec.POLLRDNORM, prompt); err == nil && ev&spec.POLLRDNORM == 0 {
			t.Errorf("%s: no connection is waiting there", what)
			continue
		}
		a, _, err := api.Accept(onLoopback)
		if wantOK(t, what, err) {
			t.Cleanup(func() { api.Closesocket(a) })
		}
	}
}

var wineReuseaddrCases = []Case{
	{
		Name:    "wine-reuseaddr/any-then-loopback",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body:    func(t *T, api spec.API) { sharedPort(t, api, false) },
	},
	{
		Name:    "wine-reuseaddr/loopback-then-any",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body:    func(t *T, api spec.API) { sharedPort(t, api, true) },
	},
	{
		Name:    "wine-reuseaddr/any-twice",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			for _, f := range reuseFamilies {
				s1 := sock(t, api, f.af, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
				mustOK(t, f.name+": bind to the unspecified address", api.Bind(s1, netip.AddrPortFrom(f.any, 0)))
				at := netip.AddrPortFrom(f.any, localPort(t, api, s1))
				s2 := sock(t, api, f.af, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
				wantErr(t, fmt.Sprintf("%s: a second bind to %v", f.name, at), api.Bind(s2, at), spec.WSAEADDRINUSE)
			}
		},
	},
}
