package conformance

import "github.com/disconnectex/disconnectex/spec"

// Cases for the hEvent reset at the start of a request (issue 7): a
// server that keeps one OVERLAPPED and one manual-reset event per slot
// reuses them for the next request, and GetOverlappedResult(bWait TRUE)
// must wait for that request, not return on the old signal.
var eventResetCases = []Case{
	{
		Name:    "overlapped/event-reset-acceptex",
		Clauses: clauses(spec.ClauseGapEventReset, spec.ClauseRemSignalEvent),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			ev := event(t, api)
			ov := overlapped(t, api, ev)
			// First slot use: a connection waits in the backlog.
			dial(t, api, addr, byConnect)
			a1 := tcp(t, api)
			if err := api.AcceptEx(l, a1, ov); isErr(err, spec.ERROR_IO_PENDING) {
				waitPrompt(t, api, "first AcceptEx", ev)
			} else {
				mustOK(t, "first AcceptEx", err)
			}
			_, err := api.GetOverlappedResult(spec.Handle(l), ov, false)
			mustOK(t, "GetOverlappedResult of the first AcceptEx", err)
			if !signalled(api, ev) {
				t.Fatalf("hEvent after the first AcceptEx: got not signalled, want signalled")
			}
			// Second use of the same OVERLAPPED and event: nothing to accept.
			a2 := tcp(t, api)
			if err := api.AcceptEx(l, a2, ov); !isErr(err, spec.ERROR_IO_PENDING) {
				t.Fatalf("second AcceptEx with an empty backlog: got %s, want ERROR_IO_PENDING", errName(err))
			}
			if signalled(api, ev) {
				t.Errorf("hEvent once the second AcceptEx pends: got still signalled, want reset when the request started")
			}
			wantPending(t, api, "second AcceptEx", l, ov)
			dial(t, api, addr, byConnect)
			n, err := api.GetOverlappedResult(spec.Handle(l), ov, true)
			if wantOK(t, "GetOverlappedResult(wait) of the second AcceptEx", err) && n != 0 {
				t.Errorf("GetOverlappedResult(wait): got %d bytes, want 0", n)
			}
			wantOK(t, "SO_UPDATE_ACCEPT_CONTEXT", api.UpdateAcceptContext(a2, l))
		},
	},
	{
		Name:    "overlapped/event-reset-disconnectex",
		Clauses: clauses(spec.ClauseGapEventReset, spec.ClauseRemSignalEvent, spec.ClauseRetPending),
		Body: func(t *T, api spec.API) {
			ev := event(t, api)
			ov := overlapped(t, api, ev)
			c1 := connected(t, api)
			if err := api.DisconnectEx(c1.client, ov, 0, 0); isErr(err, spec.ERROR_IO_PENDING) {
				waitPrompt(t, api, "first DisconnectEx", ev)
			} else {
				mustOK(t, "first DisconnectEx", err)
			}
			_, err := api.GetOverlappedResult(spec.Handle(c1.client), ov, false)
			mustOK(t, "GetOverlappedResult of the first DisconnectEx", err)
			// The same OVERLAPPED and event for a TF_REUSE_SOCKET request
			// that waits for the peer's FIN.
			c2 := connected(t, api)
			if err := api.DisconnectEx(c2.client, ov, spec.TF_REUSE_SOCKET, 0); !isErr(err, spec.ERROR_IO_PENDING) {
				t.Fatalf("DisconnectEx(TF_REUSE_SOCKET) before the peer's FIN: got %s, want ERROR_IO_PENDING", errName(err))
			}
			if signalled(api, ev) {
				t.Errorf("hEvent once the second DisconnectEx pends: got still signalled, want reset when the request started")
			}
			_, err = api.GetOverlappedResult(spec.Handle(c2.client), ov, false)
			wantErr(t, "GetOverlappedResult(no wait) of the second DisconnectEx", err, spec.ERROR_IO_INCOMPLETE)
			closeNow(t, api, "server closes", c2.server)
			// In the after-close variant the server's close has completed it.
			expectOneOf(t, "CancelIoEx", api.CancelIoEx(spec.Handle(c2.client), ov), spec.ERROR_SUCCESS, spec.ERROR_NOT_FOUND)
			_, err = api.GetOverlappedResult(spec.Handle(c2.client), ov, true)
			expectOneOf(t, "GetOverlappedResult(wait) of the second DisconnectEx", err, spec.ERROR_SUCCESS, spec.ERROR_OPERATION_ABORTED)
		},
	},
}
