package conformance

import (
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_AcceptEx: the argument and state checks, what a
// failed call leaves in Internal, and how a pending AcceptEx ends.

// wantAcceptExFails runs AcceptEx(l, a) on a preset OVERLAPPED and checks
// that it fails at once with want, leaving STATUS_PENDING in Internal.
func wantAcceptExFails(t *T, api spec.API, what string, l, a spec.Socket, want spec.Errno) {
	t.Helper()
	ov := overlapped(t, api, event(t, api))
	preset(t, api, ov)
	err := api.AcceptEx(l, a, ov)
	wantErr(t, what, err, want)
	if isErr(err, spec.ERROR_IO_PENDING) {
		api.CancelIoEx(spec.Handle(l), ov)
	}
	st, _, ferr := api.OverlappedFields(ov)
	if wantOK(t, what+": OverlappedFields", ferr) && st != spec.STATUS_PENDING && !isErr(err, spec.ERROR_IO_PENDING) {
		t.Errorf("%s: Internal: got %v, want STATUS_PENDING", what, st)
	}
}

// pendingAcceptEx starts AcceptEx(l, a) with a fresh manual-reset event and
// checks that it pends (no connection is waiting).
func pendingAcceptEx(t *T, api spec.API, l, a spec.Socket) (spec.Overlapped, spec.Handle) {
	t.Helper()
	ev := event(t, api)
	ov := overlapped(t, api, ev)
	if err := api.AcceptEx(l, a, ov); !isErr(err, spec.ERROR_IO_PENDING) {
		t.Fatalf("AcceptEx with an empty backlog: got %s, want ERROR_IO_PENDING", errName(err))
	}
	return ov, ev
}

var wineAcceptExCases = []Case{
	{
		Name:    "wine-acceptex/invalid-listener",
		Clauses: clauses(spec.ClauseGapBadHandle),
		Body: func(t *T, api spec.API) {
			listener(t, api)
			a := tcp(t, api)
			wantAcceptExFails(t, api, "AcceptEx(INVALID_SOCKET, acceptor)", spec.INVALID_SOCKET, a, spec.WSAENOTSOCK)
		},
	},
	{
		Name:    "wine-acceptex/not-listening",
		Clauses: clauses(spec.ClauseGapListening, spec.ClauseFlagReuseTarget),
		Body: func(t *T, api spec.API) {
			l := tcp(t, api)
			mustOK(t, "bind 127.0.0.1:0", api.Bind(l, netip.AddrPortFrom(loopback4, 0)))
			a := tcp(t, api)
			wantAcceptExFails(t, api, "AcceptEx(bound, not listening socket)", l, a, spec.WSAEINVAL)
		},
	},
	{
		Name:    "wine-acceptex/invalid-acceptor",
		Clauses: clauses(spec.ClauseGapBadHandle),
		Body: func(t *T, api spec.API) {
			l, _ := listener(t, api)
			wantAcceptExFails(t, api, "AcceptEx(listener, INVALID_SOCKET)", l, spec.INVALID_SOCKET, spec.WSAENOTSOCK)
		},
	},
	{
		Name:    "wine-acceptex/udp-acceptor",
		Clauses: clauses(spec.ClauseFlagReuseTarget, spec.ClauseRemDatagram),
		Body: func(t *T, api spec.API) {
			l, _ := listener(t, api)
			a := sock(t, api, spec.AF_INET, spec.SOCK_DGRAM, spec.IPPROTO_UDP, spec.WSA_FLAG_OVERLAPPED)
			wantAcceptExFails(t, api, "AcceptEx(listener, UDP socket)", l, a, spec.WSAEINVAL)
		},
	},
	{
		Name:    "wine-acceptex/bound-acceptor",
		Clauses: clauses(spec.ClauseFlagReuseTarget),
		Body: func(t *T, api spec.API) {
			l, _ := listener(t, api)
			a := tcp(t, api)
			mustOK(t, "bind the acceptor to 127.0.0.1:0", api.Bind(a, netip.AddrPortFrom(loopback4, 0)))
			wantAcceptExFails(t, api, "AcceptEx(listener, bound socket)", l, a, spec.WSAEINVAL)
		},
	},
	{
		Name:    "wine-acceptex/connected-acceptor",
		Clauses: clauses(spec.ClauseFlagReuseTarget, spec.ClauseGapNoReuse),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			l, _ := listener(t, api)
			wantAcceptExFails(t, api, "AcceptEx(listener, connected client)", l, c.client, spec.WSAEINVAL)
			wantAcceptExFails(t, api, "AcceptEx(listener, accepted end)", l, c.server, spec.WSAEINVAL)
		},
	},
	{
		Name:    "wine-acceptex/null-overlapped",
		Clauses: clauses(spec.ClauseParamOverlapped),
		Body: func(t *T, api spec.API) {
			l, _ := listener(t, api)
			a := tcp(t, api)
			wantErr(t, "AcceptEx(listener, acceptor, NULL OVERLAPPED)", api.AcceptEx(l, a, 0), spec.ERROR_INVALID_PARAMETER)
		},
	},
	{
		Name:    "wine-acceptex/pending-then-connect",
		Clauses: clauses(spec.ClauseRetPending, spec.ClauseRemSignalEvent, spec.ClauseFlagReuseTarget),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			a := tcp(t, api)
			ov, ev := pendingAcceptEx(t, api, l, a)
			// The same socket, the same OVERLAPPED, again (the test
			// overwrites only Internal of the pending request).
			mustOK(t, "SetOverlappedFields(0xdeadbeef, 0)", api.SetOverlappedFields(ov, 0xdeadbeef, 0))
			wantErr(t, "AcceptEx into a socket already being accepted into", api.AcceptEx(l, a, ov), spec.WSAEINVAL)
			if st, _, err := api.OverlappedFields(ov); err == nil && st != spec.STATUS_PENDING {
				t.Errorf("after the refused second AcceptEx: Internal: got %v, want STATUS_PENDING", st)
			}
			wantErr(t, "connect() on a socket being accepted into", api.Connect(a, addr), spec.WSAEINVAL)
			ov2 := overlapped(t, api, event(t, api))
			wantErr(t, "ConnectEx on a socket being accepted into", api.ConnectEx(a, addr, ov2), spec.WSAEINVAL)
			dial(t, api, addr, byConnect)
			waitPrompt(t, api, "AcceptEx after the connect", ev)
			if st, _, err := api.OverlappedFields(ov); wantOK(t, "OverlappedFields", err) && st != spec.STATUS_SUCCESS {
				t.Errorf("completed AcceptEx: Internal: got %v, want STATUS_SUCCESS", st)
			}
			n, err := api.GetOverlappedResult(spec.Handle(l), ov, false)
			if wantOK(t, "GetOverlappedResult", err) && n != 0 {
				t.Errorf("GetOverlappedResult: got %d bytes, want 0", n)
			}
			wantOK(t, "SO_UPDATE_ACCEPT_CONTEXT", api.UpdateAcceptContext(a, l))
			_, err = api.Getsockname(a)
			wantOK(t, "getsockname(accepted socket)", err)
		},
	},
	{
		Name:    "wine-acceptex/close-acceptor-aborts",
		Clauses: clauses(spec.ClauseGapClosePending, spec.ClauseGapCancel),
		Body: func(t *T, api spec.API) {
			l, _ := listener(t, api)
			a := tcp(t, api)
			ov, ev := pendingAcceptEx(t, api, l, a)
			closeNow(t, api, "acceptor", a)
			waitPrompt(t, api, "AcceptEx after its acceptor closed", ev)
			_, err := api.GetOverlappedResult(spec.Handle(l), ov, false)
			wantErr(t, "GetOverlappedResult of the AcceptEx", err, spec.ERROR_OPERATION_ABORTED)
		},
	},
	{
		Name:    "wine-acceptex/cancel-on-acceptor-no-effect",
		Clauses: clauses(spec.ClauseGapCancel),
		Body: func(t *T, api spec.API) {
			l, _ := listener(t, api)
			a := tcp(t, api)
			ov, ev := pendingAcceptEx(t, api, l, a)
			// The request belongs to the listener's handle. What the cancel
			// call returns is not checked by the test (CancelIo there).
			expectOneOf(t, "CancelIoEx(acceptor, NULL)", api.CancelIoEx(spec.Handle(a), 0), spec.ERROR_NOT_FOUND, spec.ERROR_SUCCESS)
			wantErr(t, "WaitForSingleObject(hEvent, 1s) after canceling on the acceptor", api.WaitForSingleObject(ev, prompt), spec.WAIT_TIMEOUT)
			wantPending(t, api, "AcceptEx", l, ov)
		},
		Waits: time.Second,
	},
	{
		Name:    "wine-acceptex/close-listener-aborts",
		Clauses: clauses(spec.ClauseGapClosePending),
		Body: func(t *T, api spec.API) {
			l, _ := listener(t, api)
			a := tcp(t, api)
			ov, ev := pendingAcceptEx(t, api, l, a)
			closeNow(t, api, "listener", l)
			waitPrompt(t, api, "AcceptEx after its listener closed", ev)
			_, err := api.GetOverlappedResult(spec.Handle(l), ov, false)
			wantErr(t, "GetOverlappedResult of the AcceptEx", err, spec.ERROR_OPERATION_ABORTED)
		},
	},
}
