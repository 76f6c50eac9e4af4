package conformance

import "github.com/disconnectex/disconnectex/spec"

// Cases from sock.c's test_shutdown_completion_port: which ways of ending
// a connection queue a completion packet.

// portClient makes a client socket on a new port (key 0) before it
// connects, as the test does, and connects it to a fresh listener.
func portClient(t *T, api spec.API) (conn, spec.Handle) {
	t.Helper()
	l, addr := listener(t, api)
	c := tcp(t, api)
	p := associate(t, api, c, 0)
	mustOK(t, "connect", api.Connect(c, addr))
	s := acceptOne(t, api, l, byAccept)
	return conn{client: c, server: s, ln: l, addr: addr}, p
}

// autoEvent makes an auto-reset event closed after the case.
func autoEvent(t *T, api spec.API) spec.Handle {
	t.Helper()
	h, err := api.CreateEvent(false, false)
	mustOK(t, "CreateEvent(auto-reset)", err)
	t.Cleanup(func() { api.CloseHandle(h) })
	return h
}

var wineIOCPCases = []Case{
	{
		Name:    "wine-shutdown-iocp/shutdown-no-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c, p := portClient(t, api)
			mustOK(t, "shutdown(client, SD_BOTH)", api.Shutdown(c.client, spec.SD_BOTH))
			wantNoPacket(t, api, "after shutdown(SD_BOTH)", p)
		},
	},
	{
		Name:    "wine-shutdown-iocp/disconnectex-queues-despite-skip",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseRetPending, spec.ClauseRemSignalEvent),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			c := tcp(t, api)
			p := associate(t, api, c, 0)
			mustOK(t, "SetFileCompletionNotificationModes(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)",
				api.SetFileCompletionNotificationModes(c, spec.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS))
			mustOK(t, "connect", api.Connect(c, addr))
			acceptOne(t, api, l, byAccept)
			ev := autoEvent(t, api)
			ov := overlapped(t, api, ev)
			wantErr(t, "DisconnectEx(client, ov, 0, 0)", api.DisconnectEx(c, ov, 0, 0), spec.ERROR_IO_PENDING)
			waitPrompt(t, api, "DisconnectEx", ev)
			// The auto-reset event is consumed; the request is complete.
			n, err := api.GetOverlappedResult(spec.Handle(c), ov, true)
			if wantOK(t, "GetOverlappedResult(wait)", err) && n != 0 {
				t.Errorf("GetOverlappedResult: got %d bytes, want 0", n)
			}
			wantPacket(t, api, "pended DisconnectEx with skip-on-success", p, 0, ov, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "wine-shutdown-iocp/null-overlapped-no-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseGapNullOverlapped),
		Body: func(t *T, api spec.API) {
			c, p := portClient(t, api)
			wantOK(t, "DisconnectEx(client, NULL, 0, 0)", api.DisconnectEx(c.client, 0, 0, 0))
			wantNoPacket(t, api, "after a synchronous DisconnectEx", p)
		},
	},
	{
		Name:    "wine-shutdown-iocp/low-bit-no-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseRemSignalEvent),
		Body: func(t *T, api spec.API) {
			c, p := portClient(t, api)
			ev := autoEvent(t, api)
			ov := overlapped(t, api, ev|1)
			wantErr(t, "DisconnectEx(client, ov with hEvent|1, 0, 0)", api.DisconnectEx(c.client, ov, 0, 0), spec.ERROR_IO_PENDING)
			waitPrompt(t, api, "DisconnectEx with hEvent|1", ev)
			n, err := api.GetOverlappedResult(spec.Handle(c.client), ov, true)
			if wantOK(t, "GetOverlappedResult(wait)", err) && n != 0 {
				t.Errorf("GetOverlappedResult: got %d bytes, want 0", n)
			}
			wantNoPacket(t, api, "DisconnectEx with hEvent|1", p)
		},
	},
}
