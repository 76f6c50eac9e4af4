package conformance

import (
	"github.com/disconnectex/disconnectex/spec"
)

// thread starts a thread that is ended after the case.
func thread(t *T, api spec.API) spec.Thread {
	t.Helper()
	th, err := api.NewThread()
	mustOK(t, "NewThread", err)
	t.Cleanup(func() { th.Exit() })
	return th
}

// Cases for cancellation: thread exit (not for port-associated sockets
// since Vista, which the page does not say), CancelIoEx, and closesocket
// while a request is pending.
var threadCases = []Case{
	{
		Name:    "thread/exit-cancels",
		Clauses: clauses(spec.ClauseRemThreadExit, spec.ClauseRetLaterFailure),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			th := thread(t, api)
			ov, ev := pendingBy(t, api, th, c.client, spec.TF_REUSE_SOCKET)
			mustOK(t, "thread exit", th.Exit())
			wantAborted(t, api, "thread exit", c.client, ov, ev)
		},
	},
	{
		Name:    "thread/exit-spares-port-associated",
		Clauses: clauses(spec.ClauseRemThreadExit, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 21)
			th := thread(t, api)
			// hEvent NULL on a port-associated socket: the request would
			// post a packet and has no event, so it outlives its thread.
			ov := pendingWith(t, api, th, c.client, 0, spec.TF_REUSE_SOCKET)
			mustOK(t, "thread exit", th.Exit())
			if cp, err := api.GetQueuedCompletionStatus(p, prompt); !isErr(err, spec.WAIT_TIMEOUT) {
				t.Errorf("thread exit, socket on a port, hEvent NULL: GetQueuedCompletionStatus(1s): got packet %s with %s, want WAIT_TIMEOUT (still pending)", packet(cp), errName(err))
			}
			_, err := api.GetOverlappedResult(spec.Handle(c.client), ov, false)
			wantErr(t, "thread exit, socket on a port, hEvent NULL: GetOverlappedResult(no wait)", err, spec.ERROR_IO_INCOMPLETE)
			mustOK(t, "CancelIoEx of the survivor", api.CancelIoEx(spec.Handle(c.client), ov))
			wantPacket(t, api, "canceled survivor", p, 21, ov, spec.ERROR_OPERATION_ABORTED)
		},
	},
	{
		Name:     "thread/exit-spared-request-completes",
		Clauses:  clauses(spec.ClauseRemThreadExit, spec.ClauseGapCompletionPort, spec.ClauseFlagTimeWait),
		Needs:    needs(Settings),
		Settings: delay(0),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 22)
			th := thread(t, api)
			ov := pendingWith(t, api, th, c.client, 0, spec.TF_REUSE_SOCKET)
			mustOK(t, "thread exit", th.Exit())
			closeNow(t, api, "server closes after the thread exited", c.server)
			wantPacket(t, api, "request that outlived its thread", p, 22, ov, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "thread/exit-cancels-port-associated-with-event",
		Clauses: clauses(spec.ClauseRemThreadExit, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 23)
			th := thread(t, api)
			ov, ev := pendingBy(t, api, th, c.client, spec.TF_REUSE_SOCKET)
			mustOK(t, "thread exit", th.Exit())
			wantDone(t, api, "thread exit, socket on a port, with an event", c.client, ov, ev, spec.ERROR_OPERATION_ABORTED)
			wantPacket(t, api, "canceled request with an event", p, 23, ov, spec.ERROR_OPERATION_ABORTED)
		},
	},
	{
		Name:    "thread/exit-after-completion",
		Clauses: clauses(spec.ClauseRemThreadExit),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			th := thread(t, api)
			ov, ev := pendingBy(t, api, th, c.client, 0)
			waitPrompt(t, api, "flags 0 request", ev)
			mustOK(t, "thread exit", th.Exit())
			wantResult(t, api, "completed request after its thread exited", c.client, ov, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "thread/exit-other-thread",
		Clauses: clauses(spec.ClauseRemThreadExit),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, _ := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			th := thread(t, api)
			mustOK(t, "another thread's CreateEvent", func() error { _, err := th.CreateEvent(true, false); return err }())
			mustOK(t, "the other thread exits", th.Exit())
			wantPending(t, api, "request of a thread that did not exit", c.client, ov)
		},
	},
	{
		Name:    "thread/exit-leaves-transmit-closing",
		Clauses: clauses(spec.ClauseRemThreadExit, spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			th := thread(t, api)
			_, ev := pendingBy(t, api, th, c.client, spec.TF_REUSE_SOCKET)
			mustOK(t, "thread exit", th.Exit())
			waitPrompt(t, api, "canceled request", ev)
			wantState(t, api, "after the canceled TF_REUSE_SOCKET", c.client, spec.StateTransmitClosing)
			peerSeesFIN(t, api, "server (the FIN went out before the cancel)", c.server)
			_, err := api.Send(c.client, []byte("x"))
			wantErr(t, "send after the canceled TF_REUSE_SOCKET", err, spec.WSAESHUTDOWN)
			_, addr2 := listener(t, api)
			wantErr(t, "connect after the canceled TF_REUSE_SOCKET", api.Connect(c.client, addr2), spec.WSAEISCONN)
		},
	},
	{
		Name:    "thread/calls-after-exit",
		Clauses: clauses(spec.ClauseRemThreadExit),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			th := thread(t, api)
			mustOK(t, "thread exit", th.Exit())
			wantErr(t, "DisconnectEx through an exited thread", th.DisconnectEx(c.client, 0, 0, 0), spec.ERROR_INVALID_HANDLE)
			peerSeesNoFIN(t, api, "server", c.server)
		},
	},
	{
		Name:    "thread/cancelioex-one",
		Clauses: clauses(spec.ClauseGapCancel),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			wantOK(t, "CancelIoEx(client, ov)", api.CancelIoEx(spec.Handle(c.client), ov))
			wantDone(t, api, "CancelIoEx", c.client, ov, ev, spec.ERROR_OPERATION_ABORTED)
			wantErr(t, "CancelIoEx again", api.CancelIoEx(spec.Handle(c.client), ov), spec.ERROR_NOT_FOUND)
		},
	},
	{
		Name:    "thread/cancelioex-all",
		Clauses: clauses(spec.ClauseGapCancel),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			wantOK(t, "CancelIoEx(client, NULL)", api.CancelIoEx(spec.Handle(c.client), 0))
			wantDone(t, api, "CancelIoEx(NULL)", c.client, ov, ev, spec.ERROR_OPERATION_ABORTED)
		},
	},
	{
		Name:    "thread/cancelioex-completed",
		Clauses: clauses(spec.ClauseGapCancel),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, 0)
			waitPrompt(t, api, "flags 0 request", ev)
			wantErr(t, "CancelIoEx on a completed request", api.CancelIoEx(spec.Handle(c.client), ov), spec.ERROR_NOT_FOUND)
			wantResult(t, api, "completed request after CancelIoEx", c.client, ov, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "thread/cancelioex-other-thread",
		Clauses: clauses(spec.ClauseGapCancel),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			th := thread(t, api)
			ov, ev := pendingBy(t, api, th, c.client, spec.TF_REUSE_SOCKET)
			wantOK(t, "CancelIoEx from another thread", api.CancelIoEx(spec.Handle(c.client), ov))
			wantDone(t, api, "CancelIoEx from another thread", c.client, ov, ev, spec.ERROR_OPERATION_ABORTED)
		},
	},
	{
		Name:     "thread/cancel-then-reuse-again",
		Clauses:  clauses(spec.ClauseGapCancel, spec.ClauseFlagReuse),
		Needs:    needs(Settings),
		Settings: delay(0),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			mustOK(t, "CancelIoEx", api.CancelIoEx(spec.Handle(c.client), ov))
			waitPrompt(t, api, "canceled request", ev)
			ov2, ev2 := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			closeNow(t, api, "server closes", c.server)
			wantDone(t, api, "second TF_REUSE_SOCKET", c.client, ov2, ev2, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "thread/closesocket-pending",
		Clauses: clauses(spec.ClauseGapClosePending),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			closeNow(t, api, "closesocket with the request pending", c.client)
			waitPrompt(t, api, "request of a closed socket", ev)
			// The socket handle is gone, but GetOverlappedResult without a
			// wait only reads the OVERLAPPED: it never looks at the handle.
			_, err := api.GetOverlappedResult(spec.Handle(c.client), ov, false)
			expectOneOf(t, "request of a closed socket: GetOverlappedResult", err,
				spec.ERROR_OPERATION_ABORTED, spec.ERROR_NETNAME_DELETED, spec.ERROR_CONNECTION_ABORTED)
		},
	},
	{
		Name:    "thread/closesocket-pending-packet",
		Clauses: clauses(spec.ClauseGapClosePending, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 31)
			ov, _ := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			closeNow(t, api, "closesocket with the request pending", c.client)
			cp, err := api.GetQueuedCompletionStatus(p, prompt)
			if expectOneOf(t, "closed socket's request: packet", err,
				spec.ERROR_OPERATION_ABORTED, spec.ERROR_NETNAME_DELETED, spec.ERROR_CONNECTION_ABORTED) &&
				(cp.Key != 31 || cp.Overlapped != ov) {
				t.Errorf("packet: got %s, want key 31, ov %#x", packet(cp), uintptr(ov))
			}
			wantNoPacket(t, api, "after the packet", p)
		},
	},
}
