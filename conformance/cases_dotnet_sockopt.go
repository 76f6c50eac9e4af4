package conformance

import (
	"fmt"
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from dotnet/runtime's SocketOptionNameTest.cs and
// LingerStateTest.cs (see evidence_dotnet_sockopt.go). SetSocketOption of
// ReuseAddress or ExclusiveAddressUse with a bool is setsockopt(SOL_SOCKET,
// SO_REUSEADDR or SO_EXCLUSIVEADDRUSE) with 1 or 0 (SetBindOption here);
// LingerState's setter is setsockopt(SO_LINGER) (SetLinger).

// sockoptVal is one of ReuseAddress's bool? arguments: not set, or set
// to false or true.
type sockoptVal int8

const (
	optUnset sockoptVal = iota
	optOff
	optOn
)

func (v sockoptVal) String() string {
	switch v {
	case optOff:
		return "0"
	case optOn:
		return "1"
	}
	return "unset"
}

// reuseAddressRow is one InlineData row of ReuseAddress or
// ReuseAddress_Windows: SO_EXCLUSIVEADDRUSE and SO_REUSEADDR of the first
// socket, SO_REUSEADDR of the second, and whether the second bind fails.
type reuseAddressRow struct {
	exclusive, firstReuse, secondReuse sockoptVal
	fails                              bool
}

// ReuseAddress's rows, run on every platform.
var reuseAddressRows = []reuseAddressRow{
	{optUnset, optUnset, optUnset, true},
	{optUnset, optUnset, optOff, true},
	{optUnset, optOff, optOff, true},
	{optUnset, optOn, optOff, true},
	{optUnset, optOn, optOn, false},
	{optOn, optUnset, optUnset, true},
	{optOn, optUnset, optOff, true},
	{optOn, optUnset, optOn, true},
	{optOn, optOff, optUnset, true},
	{optOn, optOff, optOff, true},
	{optOn, optOff, optOn, true},
}

// ReuseAddress_Windows's rows (PlatformSpecific Windows).
var reuseAddressWindowsRows = []reuseAddressRow{
	{optOff, optUnset, optUnset, true},
	{optOff, optUnset, optOff, true},
	{optOff, optOff, optUnset, true},
	{optOff, optOff, optOff, true},
	{optOff, optOn, optUnset, true},
	{optOff, optOn, optOff, true},
	{optOff, optOn, optOn, false},
}

// setSockopt sets opt as v says (nothing when unset); the test has no
// Assert around it, so a failure fails the test.
func setSockopt(t *T, api spec.API, what string, s spec.Socket, opt int, v sockoptVal) bool {
	t.Helper()
	if v == optUnset {
		return true
	}
	return wantOK(t, fmt.Sprintf("%s: setsockopt(%s, %s)", what, spec.OptionName(opt), v), api.SetBindOption(s, opt, v == optOn))
}

// reuseAddress runs one row as ReuseAddress does: two UDP sockets, the
// first bound to 127.0.0.1:0, the second bound to the first one's address.
func reuseAddress(t *T, api spec.API, i int, row reuseAddressRow) {
	t.Helper()
	what := fmt.Sprintf("row %d (SO_EXCLUSIVEADDRUSE %s, SO_REUSEADDR %s; second SO_REUSEADDR %s)", i, row.exclusive, row.firstReuse, row.secondReuse)
	a := udpSocket(t, api)
	if !setSockopt(t, api, what+" first", a, spec.SO_EXCLUSIVEADDRUSE, row.exclusive) ||
		!setSockopt(t, api, what+" first", a, spec.SO_REUSEADDR, row.firstReuse) {
		return
	}
	if !wantOK(t, what+": bind(first, 127.0.0.1:0)", api.Bind(a, netip.AddrPortFrom(loopback4, 0))) {
		return
	}
	at, err := api.Getsockname(a)
	if !wantOK(t, what+": getsockname(first)", err) {
		return
	}
	b := udpSocket(t, api)
	if !setSockopt(t, api, what+" second", b, spec.SO_REUSEADDR, row.secondReuse) {
		return
	}
	err = api.Bind(b, at)
	bind := fmt.Sprintf("%s: bind(second, %v)", what, at)
	if !row.fails {
		wantOK(t, bind, err)
		return
	}
	// The test accepts any SocketException. The emulator's code: a bind
	// with SO_REUSEADDR where the holder has none is WSAEACCES, any other
	// conflict on one address WSAEADDRINUSE.
	usual := spec.WSAEADDRINUSE
	if row.secondReuse == optOn {
		usual = spec.WSAEACCES
	}
	expectFailure(t, bind, err, usual)
}

var dotnetSockoptCases = []Case{
	{
		Name:    "dotnet-sockopt/reuse-address-udp",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			for i, row := range reuseAddressRows {
				reuseAddress(t, api, i, row)
			}
		},
	},
	{
		Name:    "dotnet-sockopt/reuse-address-windows-udp",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			for i, row := range reuseAddressWindowsRows {
				reuseAddress(t, api, i, row)
			}
		},
	},
	{
		Name:    "dotnet-sockopt/exclusive-address-use-tcp",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			a := tcp(t, api)
			mustOK(t, "setsockopt(SO_EXCLUSIVEADDRUSE, 1)", api.SetBindOption(a, spec.SO_EXCLUSIVEADDRUSE, true))
			mustOK(t, "bind(first, 127.0.0.1:0)", api.Bind(a, netip.AddrPortFrom(loopback4, 0)))
			mustOK(t, "listen(first, SOMAXCONN)", api.Listen(a, somaxconn))
			at := netip.AddrPortFrom(loopback4, localPort(t, api, a))
			b := tcp(t, api)
			wantErr(t, fmt.Sprintf("bind(second, %v) without options beside the exclusive listener", at), api.Bind(b, at), spec.WSAEADDRINUSE)
		},
	},
	{
		Name:    "dotnet-linger/common-boundaries",
		Clauses: clauses(spec.ClauseGapPeerReset),
		Body:    func(t *T, api spec.API) { setLingers(t, api, 0, 120) },
	},
	{
		Name:    "dotnet-linger/upper-boundaries",
		Clauses: clauses(spec.ClauseGapPeerReset),
		Body:    func(t *T, api spec.API) { setLingers(t, api, 32767, 32768, 65535) },
	},
}

// setLingers sets SO_LINGER on, with each time in turn, on one new TCP
// socket, as TestLingerState_Success's callers do.
func setLingers(t *T, api spec.API, secs ...uint16) {
	t.Helper()
	s := tcp(t, api)
	for _, n := range secs {
		wantOK(t, fmt.Sprintf("setsockopt(SO_LINGER, l_onoff 1, l_linger %d) on a new TCP socket", n), api.SetLinger(s, true, n))
	}
}
