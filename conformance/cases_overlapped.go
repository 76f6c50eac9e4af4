package conformance

import (
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases for overlapped completion: ERROR_IO_PENDING, the event in hEvent,
// the socket handle when hEvent is NULL, GetOverlappedResult with and
// without waiting, and WSAGetOverlappedResult.
var overlappedCases = []Case{
	{
		Name:    "overlapped/flags-zero-pends",
		Clauses: clauses(spec.ClauseParamOverlapped, spec.ClauseRemPending, spec.ClauseFlagTimeWait),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, 0)
			wantDone(t, api, "flags 0", c.client, ov, ev, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "overlapped/reuse-passive-pends",
		Clauses: clauses(spec.ClauseParamOverlapped, spec.ClauseRemPending, spec.ClauseGapPeerClosed),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			closeNow(t, api, "server closes first", c.server)
			// Nothing to wait for, yet the call still pends.
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			wantDone(t, api, "TF_REUSE_SOCKET as passive closer", c.client, ov, ev, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "overlapped/event-signalled",
		Clauses: clauses(spec.ClauseRemSignalEvent),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, 0)
			// The completion signals hEvent (whether the socket handle is
			// signalled too is overlapped/skip-set-event-on-handle's matter).
			waitPrompt(t, api, "hEvent", ev)
			n, err := api.GetOverlappedResult(spec.Handle(c.client), ov, false)
			if wantOK(t, "GetOverlappedResult(no wait) after the event", err) && n != 0 {
				t.Errorf("GetOverlappedResult: got %d bytes, want 0", n)
			}
		},
	},
	{
		Name:    "overlapped/event-not-signalled-while-pending",
		Clauses: clauses(spec.ClauseRemSignalEvent, spec.ClauseFlagTimeWait),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			wantErr(t, "WaitForSingleObject(hEvent, 1s) while TF_REUSE_SOCKET waits for the peer's FIN",
				api.WaitForSingleObject(ev, prompt), spec.WAIT_TIMEOUT)
			wantPending(t, api, "TF_REUSE_SOCKET before the peer's FIN", c.client, ov)
		},
	},
	{
		Name:    "overlapped/socket-signalled",
		Clauses: clauses(spec.ClauseRemSignalSocket),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov := pendingWith(t, api, api, c.client, 0, 0)
			wantOK(t, "WaitForSingleObject(socket, 1s) after the completion", api.WaitForSingleObject(spec.Handle(c.client), prompt))
			wantResult(t, api, "hEvent NULL", c.client, ov, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:     "overlapped/result-wait-on-event",
		Clauses:  clauses(spec.ClauseRetPending, spec.ClauseRemSignalEvent, spec.ClauseFlagTimeWait),
		Needs:    needs(Settings),
		Settings: delay(30 * time.Second),
		Waits:    31 * time.Second,
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			closeNow(t, api, "server closes", c.server)
			// Completes at once or when the 30 s TIME_WAIT ends (DX-FLAG-TIMEWAIT);
			// GetOverlappedResult(wait) waits for the rest either way.
			if api.WaitForSingleObject(ev, prompt) != nil {
				wantErr(t, "WaitForSingleObject(hEvent, 28s) into a 30s TIME_WAIT", api.WaitForSingleObject(ev, 28*time.Second), spec.WAIT_TIMEOUT)
			}
			n, err := api.GetOverlappedResult(spec.Handle(c.client), ov, true)
			if wantOK(t, "GetOverlappedResult(wait) through the rest of TIME_WAIT", err) && n != 0 {
				t.Errorf("GetOverlappedResult(wait): got %d bytes, want 0", n)
			}
			if !signalled(api, ev) {
				t.Errorf("hEvent after GetOverlappedResult(wait) returned: got not signalled, want signalled")
			}
		},
	},
	{
		Name:     "overlapped/result-wait-on-socket",
		Clauses:  clauses(spec.ClauseRemSignalSocket, spec.ClauseRetPending),
		Needs:    needs(Settings),
		Settings: delay(30 * time.Second),
		Waits:    31 * time.Second,
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov := pendingWith(t, api, api, c.client, 0, spec.TF_REUSE_SOCKET)
			closeNow(t, api, "server closes", c.server)
			// Pending in TIME_WAIT, or already complete (DX-FLAG-TIMEWAIT:
			// after-close): GetOverlappedResult(wait) returns its result either way.
			if _, err := api.GetOverlappedResult(spec.Handle(c.client), ov, false); isErr(err, spec.ERROR_IO_INCOMPLETE) {
				t.Logf("TF_REUSE_SOCKET pending in TIME_WAIT (DX-FLAG-TIMEWAIT: waits)")
			}
			_, err := api.GetOverlappedResult(spec.Handle(c.client), ov, true)
			wantOK(t, "GetOverlappedResult(socket, wait) with hEvent NULL", err)
		},
	},
	{
		Name:    "overlapped/result-no-wait-incomplete",
		Clauses: clauses(spec.ClauseRetPending, spec.ClauseRemPending),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, _ := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			wantPending(t, api, "TF_REUSE_SOCKET before the peer's FIN", c.client, ov)
			_, _, err := api.WSAGetOverlappedResult(c.client, ov, false)
			wantErr(t, "WSAGetOverlappedResult(no wait) before the peer's FIN", err, spec.WSA_IO_INCOMPLETE)
		},
	},
	{
		Name:     "overlapped/wsa-result-wait",
		Clauses:  clauses(spec.ClauseRetPending, spec.ClauseFlagTimeWait),
		Needs:    needs(Settings),
		Settings: delay(30 * time.Second),
		Waits:    30 * time.Second,
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, _ := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			closeNow(t, api, "server closes", c.server)
			n, flags, err := api.WSAGetOverlappedResult(c.client, ov, true)
			if wantOK(t, "WSAGetOverlappedResult(wait) through TIME_WAIT", err) && (n != 0 || flags != 0) {
				t.Errorf("WSAGetOverlappedResult(wait): got %d bytes, flags %#x, want 0, 0", n, flags)
			}
		},
	},
	{
		Name:    "overlapped/free-while-pending",
		Clauses: clauses(spec.ClauseRetPending, spec.ClauseGapCancel),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ev := event(t, api)
			ov, err := api.NewOverlapped(ev)
			mustOK(t, "NewOverlapped", err)
			if err := api.DisconnectEx(c.client, ov, spec.TF_REUSE_SOCKET, 0); !isErr(err, spec.ERROR_IO_PENDING) {
				t.Fatalf("DisconnectEx(client, ov, TF_REUSE_SOCKET, 0): got %s, want ERROR_IO_PENDING", errName(err))
			}
			wantErr(t, "FreeOverlapped while the request is pending", api.FreeOverlapped(ov), spec.ERROR_IO_PENDING)
			mustOK(t, "CancelIoEx", api.CancelIoEx(spec.Handle(c.client), ov))
			waitPrompt(t, api, "canceled request", ev)
			wantOK(t, "FreeOverlapped after the completion", api.FreeOverlapped(ov))
		},
	},
	{
		Name:    "overlapped/skip-set-event-on-handle",
		Clauses: clauses(spec.ClauseRemSignalSocket, spec.ClauseRemSignalEvent),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			mustOK(t, "SetFileCompletionNotificationModes(FILE_SKIP_SET_EVENT_ON_HANDLE)",
				api.SetFileCompletionNotificationModes(c.client, spec.FILE_SKIP_SET_EVENT_ON_HANDLE))
			ov, ev := pending(t, api, c.client, 0)
			// hEvent is still set; only the handle is skipped.
			waitPrompt(t, api, "hEvent with FILE_SKIP_SET_EVENT_ON_HANDLE", ev)
			if signalled(api, spec.Handle(c.client)) {
				t.Errorf("socket handle with FILE_SKIP_SET_EVENT_ON_HANDLE: got signalled, want not signalled")
			}
			wantResult(t, api, "FILE_SKIP_SET_EVENT_ON_HANDLE", c.client, ov, spec.ERROR_SUCCESS)
		},
	},
}
