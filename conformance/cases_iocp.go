package conformance

import (
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases for completion ports (not on the page): one packet per pending
// request even with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, none for a
// NULL OVERLAPPED or an hEvent with its low bit set.
var iocpCases = []Case{
	{
		Name:    "iocp/packet",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseRetPending),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 7)
			ov, ev := pending(t, api, c.client, 0)
			wantPacket(t, api, "DisconnectEx flags 0", p, 7, ov, spec.ERROR_SUCCESS)
			wantNoPacket(t, api, "after the packet", p)
			if !signalled(api, ev) {
				t.Errorf("hEvent of a request on a port: got not signalled, want signalled as well as the packet")
			}
		},
	},
	{
		Name:    "iocp/packet-null-event",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseRemSignalSocket),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 11)
			ov := pendingWith(t, api, api, c.client, 0, 0)
			wantPacket(t, api, "hEvent NULL", p, 11, ov, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "iocp/skip-on-success-still-queues",
		Clauses: clauses(spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 5)
			mustOK(t, "SetFileCompletionNotificationModes(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)",
				api.SetFileCompletionNotificationModes(c.client, spec.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS))
			ov, ev := pending(t, api, c.client, 0)
			waitPrompt(t, api, "hEvent", ev)
			wantPacket(t, api, "pending request with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS", p, 5, ov, spec.ERROR_SUCCESS)
			wantNoPacket(t, api, "after the packet", p)
		},
	},
	{
		Name:    "iocp/skip-both-modes-still-queues",
		Clauses: clauses(spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 6)
			mustOK(t, "SetFileCompletionNotificationModes(both)", api.SetFileCompletionNotificationModes(c.client,
				spec.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS|spec.FILE_SKIP_SET_EVENT_ON_HANDLE))
			ov := pendingWith(t, api, api, c.client, 0, 0)
			wantPacket(t, api, "pending request with both skip modes", p, 6, ov, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "iocp/low-bit-event-no-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseRemSignalEvent),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 8)
			ev := event(t, api)
			ov := pendingWith(t, api, api, c.client, ev|1, 0)
			wantDone(t, api, "hEvent with the low bit set", c.client, ov, ev, spec.ERROR_SUCCESS)
			wantNoPacket(t, api, "hEvent with the low bit set", p)
		},
	},
	{
		Name:    "iocp/null-overlapped-no-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseGapNullOverlapped),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 4)
			wantOK(t, "DisconnectEx(client, NULL, 0, 0) on a port", api.DisconnectEx(c.client, 0, 0, 0))
			wantNoPacket(t, api, "synchronous call", p)
		},
	},
	{
		Name:    "iocp/null-overlapped-reuse-no-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseGapNullOverlapped, spec.ClauseFlagReuse),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 4)
			closeNow(t, api, "server closes first", c.server)
			wantOK(t, "DisconnectEx(client, NULL, TF_REUSE_SOCKET, 0) on a port", api.DisconnectEx(c.client, 0, spec.TF_REUSE_SOCKET, 0))
			wantNoPacket(t, api, "synchronous TF_REUSE_SOCKET", p)
		},
	},
	{
		Name:     "iocp/packet-after-timewait",
		Clauses:  clauses(spec.ClauseGapCompletionPort, spec.ClauseFlagTimeWait),
		Needs:    needs(Settings),
		Settings: delay(30 * time.Second),
		Waits:    31 * time.Second,
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 12)
			ov, _ := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			closeNow(t, api, "server closes", c.server)
			// The packet comes at once or when the 30 s TIME_WAIT ends
			// (DX-FLAG-TIMEWAIT: after-close or waits).
			var cp spec.Completion
			wait := func(d time.Duration) error {
				var err error
				cp, err = api.GetQueuedCompletionStatus(p, d)
				return err
			}
			_, ok := wantReuseDone(t, "GetQueuedCompletionStatus", 30*time.Second, wait)
			if ok && (cp.Key != 12 || cp.Overlapped != ov) {
				t.Errorf("packet: got %s, want key 12, ov %#x", packet(cp), uintptr(ov))
			}
		},
	},
	{
		Name:    "iocp/cancel-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseGapCancel, spec.ClauseRetLaterFailure),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 13)
			ov, _ := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			wantNoPacket(t, api, "pending request", p)
			mustOK(t, "CancelIoEx(client, ov)", api.CancelIoEx(spec.Handle(c.client), ov))
			wantPacket(t, api, "canceled request", p, 13, ov, spec.ERROR_OPERATION_ABORTED)
		},
	},
	{
		Name:    "iocp/post-does-not-disturb",
		Clauses: clauses(spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 1)
			mustOK(t, "PostQueuedCompletionStatus", api.PostQueuedCompletionStatus(p, 42, 99, 0))
			ov, _ := pending(t, api, c.client, 0)
			cp, err := api.GetQueuedCompletionStatus(p, prompt)
			if wantOK(t, "first packet (posted)", err) && (cp.Bytes != 42 || cp.Key != 99 || cp.Overlapped != 0) {
				t.Errorf("first packet: got %s, want the posted {bytes 42, key 99, ov 0}", packet(cp))
			}
			wantPacket(t, api, "second packet (DisconnectEx)", p, 1, ov, spec.ERROR_SUCCESS)
		},
	},
}
