package conformance

import (
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_connect: ConnectEx's argument and state checks,
// what a failed call leaves in the OVERLAPPED, and connect() on sockets in
// each state.

// wantFields checks the OVERLAPPED's Internal, and that InternalHigh still
// holds spec.Untouched (what the case preset).
func wantFields(t *T, api spec.API, what string, ov spec.Overlapped, internal spec.NTStatus) {
	t.Helper()
	st, high, err := api.OverlappedFields(ov)
	if !wantOK(t, what+": OverlappedFields", err) {
		return
	}
	if st != internal {
		t.Errorf("%s: Internal: got %v, want %v", what, st, internal)
	}
	if high != uintptr(spec.Untouched) {
		t.Errorf("%s: InternalHigh: got %#x, want it untouched (0xdeadbeef)", what, high)
	}
}

// preset writes 0xdeadbeef to both fields, as the Wine tests do before a
// call whose effect on them they check.
func preset(t *T, api spec.API, ov spec.Overlapped) {
	t.Helper()
	mustOK(t, "SetOverlappedFields(0xdeadbeef, 0xdeadbeef)", api.SetOverlappedFields(ov, spec.NTStatus(spec.Untouched), uintptr(spec.Untouched)))
}

// wantConnectExFails runs ConnectEx(s, addr, ov) on a preset OVERLAPPED and
// checks that it fails at once with want, leaving STATUS_PENDING in
// Internal and InternalHigh untouched.
func wantConnectExFails(t *T, api spec.API, what string, s spec.Socket, addr netip.AddrPort, want spec.Errno) {
	t.Helper()
	ov := overlapped(t, api, event(t, api))
	preset(t, api, ov)
	wantErr(t, what, api.ConnectEx(s, addr, ov), want)
	wantFields(t, api, what, ov, spec.STATUS_PENDING)
}

var wineConnectCases = []Case{
	{
		Name:    "wine-connect/connect-on-listener",
		Clauses: clauses(spec.ClauseGapListening),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			wantErr(t, "connect(listener, its own address)", api.Connect(l, addr), spec.WSAEINVAL)
		},
	},
	{
		Name:    "wine-connect/connectex-on-listener",
		Clauses: clauses(spec.ClauseGapListening, spec.ClauseParamOverlapped),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			wantConnectExFails(t, api, "ConnectEx(listener)", l, addr, spec.WSAEINVAL)
		},
	},
	{
		Name:    "wine-connect/connectex-invalid-socket",
		Clauses: clauses(spec.ClauseGapBadHandle),
		Body: func(t *T, api spec.API) {
			_, addr := listener(t, api)
			ov := overlapped(t, api, event(t, api))
			wantErr(t, "ConnectEx(INVALID_SOCKET)", api.ConnectEx(spec.INVALID_SOCKET, addr, ov), spec.WSAENOTSOCK)
		},
	},
	{
		Name:    "wine-connect/connectex-unbound",
		Clauses: clauses(spec.ClauseFlagReuseTarget),
		Body: func(t *T, api spec.API) {
			_, addr := listener(t, api)
			c := sock(t, api, spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
			ov := overlapped(t, api, event(t, api))
			wantErr(t, "ConnectEx(unbound socket)", api.ConnectEx(c, addr, ov), spec.WSAEINVAL)
		},
	},
	{
		Name:    "wine-connect/connectex-null-overlapped",
		Clauses: clauses(spec.ClauseParamOverlapped),
		Body: func(t *T, api spec.API) {
			_, addr := listener(t, api)
			c := tcp(t, api)
			mustOK(t, "bind 127.0.0.1:0", api.Bind(c, netip.AddrPortFrom(loopback4, 0)))
			wantErr(t, "ConnectEx(bound socket, NULL OVERLAPPED)", api.ConnectEx(c, addr, 0), spec.ERROR_INVALID_PARAMETER)
		},
	},
	{
		Name:    "wine-connect/connectex-auto-reset-event",
		Clauses: clauses(spec.ClauseRemSignalEvent, spec.ClauseRetPending),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			c := tcp(t, api)
			mustOK(t, "bind 127.0.0.1:0", api.Bind(c, netip.AddrPortFrom(loopback4, 0)))
			ev, err := api.CreateEvent(false, false)
			mustOK(t, "CreateEvent(auto-reset)", err)
			t.Cleanup(func() { api.CloseHandle(ev) })
			ov := overlapped(t, api, ev)
			wantErr(t, "ConnectEx(bound socket, ov)", api.ConnectEx(c, addr, ov), spec.ERROR_IO_PENDING)
			waitPrompt(t, api, "ConnectEx", ev)
			n, err := api.GetOverlappedResult(spec.Handle(c), ov, false)
			if wantOK(t, "GetOverlappedResult(no wait) after the event", err) && n != 0 {
				t.Errorf("GetOverlappedResult: got %d bytes, want 0 (no send buffer)", n)
			}
			acceptOne(t, api, l, byAccept)
		},
	},
	{
		Name:    "wine-connect/connect-after-connectex-einval",
		Clauses: clauses(spec.ClauseGapNoReuse),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			c := tcp(t, api)
			mustOK(t, "bind 127.0.0.1:0", api.Bind(c, netip.AddrPortFrom(loopback4, 0)))
			ev := event(t, api)
			ov := overlapped(t, api, ev)
			if err := api.ConnectEx(c, addr, ov); isErr(err, spec.ERROR_IO_PENDING) {
				waitPrompt(t, api, "ConnectEx", ev)
			} else {
				mustOK(t, "ConnectEx", err)
			}
			_, err := api.GetOverlappedResult(spec.Handle(c), ov, false)
			mustOK(t, "GetOverlappedResult", err)
			acceptOne(t, api, l, byAccept)
			// No SO_UPDATE_CONNECT_CONTEXT: the socket is connected for
			// the driver but not yet for connect().
			wantErr(t, "connect() after ConnectEx, before SO_UPDATE_CONNECT_CONTEXT", api.Connect(c, addr), spec.WSAEINVAL)
			wantConnectExFails(t, api, "ConnectEx again on the connected socket", c, addr, spec.WSAEISCONN)
		},
	},
	{
		Name:    "wine-connect/connectex-on-accepted-isconn",
		Clauses: clauses(spec.ClauseGapNoReuse),
		Body: func(t *T, api spec.API) {
			c := connectedVia(t, api, byConnectEx, byAccept)
			wantErr(t, "connect(accepted socket)", api.Connect(c.server, c.addr), spec.WSAEISCONN)
			wantConnectExFails(t, api, "ConnectEx(accepted socket)", c.server, c.addr, spec.WSAEISCONN)
		},
	},
	{
		Name:    "wine-connect/socketpair-isconn",
		Clauses: clauses(spec.ClauseGapNoReuse),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			wantErr(t, "connect(connected client)", api.Connect(c.client, c.addr), spec.WSAEISCONN)
			wantErr(t, "connect(accepted end)", api.Connect(c.server, c.addr), spec.WSAEISCONN)
			wantConnectExFails(t, api, "ConnectEx(connected client)", c.client, c.addr, spec.WSAEISCONN)
			wantConnectExFails(t, api, "ConnectEx(accepted end)", c.server, c.addr, spec.WSAEISCONN)
		},
	},
	{
		Name:    "wine-connect/connectex-refused",
		Clauses: clauses(spec.ClauseRetLaterFailure),
		Body: func(t *T, api spec.API) {
			c := tcp(t, api)
			mustOK(t, "bind 127.0.0.1:0", api.Bind(c, netip.AddrPortFrom(loopback4, 0)))
			ev := event(t, api)
			ov := overlapped(t, api, ev)
			wantErr(t, "ConnectEx(127.0.0.1:1, nothing listening)", api.ConnectEx(c, netip.AddrPortFrom(loopback4, 1), ov), spec.ERROR_IO_PENDING)
			if waitPrompt(t, api, "refused ConnectEx", ev) {
				_, err := api.GetOverlappedResult(spec.Handle(c), ov, false)
				wantErr(t, "GetOverlappedResult of the refused ConnectEx", err, spec.ERROR_CONNECTION_REFUSED)
			}
		},
	},
}
