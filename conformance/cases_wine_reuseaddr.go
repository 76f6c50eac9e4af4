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

// reuseFamily is one run of test_reuseaddr's tests[] loop, and of the
// other sources' loops over the two families: its name in messages, its
// short name in case names, and its unspecified and loopback addresses.
type reuseFamily struct {
	name, short   string
	af            int
	any, loopback netip.Addr
}

var reuseFamilies = []reuseFamily{
	{"AF_INET", "v4", spec.AF_INET, netip.IPv4Unspecified(), loopback4},
	{"AF_INET6", "v6", spec.AF_INET6, netip.IPv6Unspecified(), netip.IPv6Loopback()},
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
		acceptWaiting(t, api, onLoopback, fmt.Sprintf("%s: the listener on %v (the connection goes there)", f.name, to))
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

// bindWith makes a TCP socket of f's family with the bind option opt set
// (0 for none) and binds it to addr.
func bindWith(t *T, api spec.API, f reuseFamily, opt int, addr netip.AddrPort) (spec.Socket, error) {
	t.Helper()
	s := sock(t, api, f.af, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
	if opt != 0 {
		mustOK(t, fmt.Sprintf("%s: setsockopt(%s)", f.name, optName(opt)), api.SetBindOption(s, opt, true))
	}
	return s, api.Bind(s, addr)
}

func optName(opt int) string {
	if opt == 0 {
		return "no option"
	}
	return spec.OptionName(opt)
}

// exclusiveRows are the rows of test_reuseaddr's tests_exclusive whose
// sockets are both AF_INET; the others need IPV6_V6ONLY off, which
// spec.API cannot set. Each is the first socket's address and option, the
// second's, and the second bind's error (0: success).
var exclusiveRows = []struct {
	first, second       netip.Addr
	firstOpt, secondOpt int
	want                spec.Errno
}{
	{netip.IPv4Unspecified(), loopback4, spec.SO_EXCLUSIVEADDRUSE, 0, spec.WSAEACCES},
	{netip.IPv4Unspecified(), loopback4, 0, spec.SO_EXCLUSIVEADDRUSE, 0},
	{netip.IPv4Unspecified(), loopback4, spec.SO_EXCLUSIVEADDRUSE, spec.SO_EXCLUSIVEADDRUSE, spec.WSAEACCES},
	{loopback4, netip.IPv4Unspecified(), spec.SO_EXCLUSIVEADDRUSE, 0, 0},
	{loopback4, netip.IPv4Unspecified(), 0, spec.SO_EXCLUSIVEADDRUSE, spec.WSAEADDRINUSE},
	{netip.IPv4Unspecified(), netip.IPv4Unspecified(), 0, spec.SO_EXCLUSIVEADDRUSE, spec.WSAEADDRINUSE},
	{netip.IPv4Unspecified(), netip.IPv4Unspecified(), 0, 0, spec.WSAEADDRINUSE},
	{loopback4, loopback4, spec.SO_EXCLUSIVEADDRUSE, 0, spec.WSAEADDRINUSE},
	{loopback4, loopback4, 0, spec.SO_EXCLUSIVEADDRUSE, spec.WSAEADDRINUSE},
}

var wineReuseaddrOptionCases = []Case{
	{
		Name:    "wine-reuseaddr/reuse-second-only",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			for _, f := range reuseFamilies {
				s1, err := bindWith(t, api, f, 0, netip.AddrPortFrom(f.loopback, 0))
				mustOK(t, f.name+": bind to the loopback address", err)
				at := netip.AddrPortFrom(f.loopback, localPort(t, api, s1))
				_, err = bindWith(t, api, f, spec.SO_REUSEADDR, at)
				wantErr(t, fmt.Sprintf("%s: bind with SO_REUSEADDR to %v, which a socket without it holds", f.name, at), err, spec.WSAEACCES)
			}
		},
	},
	{
		Name:    "wine-reuseaddr/reuse-both",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			for _, f := range reuseFamilies {
				s1, err := bindWith(t, api, f, spec.SO_REUSEADDR, netip.AddrPortFrom(f.loopback, 0))
				mustOK(t, f.name+": bind with SO_REUSEADDR to the loopback address", err)
				at := netip.AddrPortFrom(f.loopback, localPort(t, api, s1))
				s2 := sock(t, api, f.af, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
				if on, err := api.BindOption(s2, spec.SO_REUSEADDR); wantOK(t, f.name+": getsockopt(SO_REUSEADDR) of a new socket", err) && on {
					t.Errorf("%s: getsockopt(SO_REUSEADDR) of a new socket: got TRUE, want FALSE", f.name)
				}
				if err := api.Bind(s2, at); err == nil {
					t.Errorf("%s: bind without SO_REUSEADDR to %v, which a socket with it holds: got success, want an error", f.name, at)
				}
				mustOK(t, f.name+": setsockopt(SO_REUSEADDR)", api.SetBindOption(s2, spec.SO_REUSEADDR, true))
				mustOK(t, fmt.Sprintf("%s: then bind to %v", f.name, at), api.Bind(s2, at))
				mustOK(t, f.name+": listen on the first", api.Listen(s1, 1))
				wantOK(t, f.name+": listen on the second, on the same address and port", api.Listen(s2, 1))
				c := sock(t, api, f.af, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
				mustOK(t, fmt.Sprintf("%s: connect to %v", f.name, at), api.Connect(c, at))
				acceptWaiting(t, api, s1, f.name+": the first listener")
			}
		},
	},
	{
		Name:    "wine-reuseaddr/exclusive-with-reuse",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			mustOK(t, "setsockopt(SO_REUSEADDR)", api.SetBindOption(s, spec.SO_REUSEADDR, true))
			wantErr(t, "then setsockopt(SO_EXCLUSIVEADDRUSE)", api.SetBindOption(s, spec.SO_EXCLUSIVEADDRUSE, true), spec.WSAEINVAL)
			_ = api.SetBindOption(s, spec.SO_REUSEADDR, false) // as the test, unchecked
			wantOK(t, "then setsockopt(SO_EXCLUSIVEADDRUSE)", api.SetBindOption(s, spec.SO_EXCLUSIVEADDRUSE, true))
			wantErr(t, "then setsockopt(SO_REUSEADDR)", api.SetBindOption(s, spec.SO_REUSEADDR, true), spec.WSAEINVAL)
		},
	},
	{
		Name:    "wine-reuseaddr/exclusive-table",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			f := reuseFamilies[0]
			for i, row := range exclusiveRows {
				s1, err := bindWith(t, api, f, row.firstOpt, netip.AddrPortFrom(row.first, 0))
				mustOK(t, fmt.Sprintf("row %d: first bind to %v:0 (%s)", i, row.first, optName(row.firstOpt)), err)
				at := netip.AddrPortFrom(row.second, localPort(t, api, s1))
				_, err = bindWith(t, api, f, row.secondOpt, at)
				wantErr(t, fmt.Sprintf("row %d: %v (%s) then %v (%s)", i, row.first, optName(row.firstOpt), at, optName(row.secondOpt)), err, row.want)
				_ = api.Closesocket(s1) // frees the port before the next row
			}
		},
	},
}
