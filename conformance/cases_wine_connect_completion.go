package conformance

import (
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_connect_completion_port: which ways of
// connecting queue a packet on the connecting socket's port.

// connectListener is the test's listener: bound to 127.0.0.1:0, named,
// listening with a backlog of 1.
func connectListener(t *T, api spec.API) (spec.Socket, netip.AddrPort) {
	t.Helper()
	l := tcp(t, api)
	mustOK(t, "bind listener to 127.0.0.1:0", api.Bind(l, netip.AddrPortFrom(loopback4, 0)))
	a, err := api.Getsockname(l)
	mustOK(t, "getsockname(listener)", err)
	mustOK(t, "listen(1)", api.Listen(l, 1))
	return l, netip.AddrPortFrom(loopback4, a.Port())
}

// connectorOnPort makes a connector on a new port (key 0), with the given
// notification modes (0 for none) set before it is bound to 127.0.0.1:0.
func connectorOnPort(t *T, api spec.API, modes uint8) (spec.Socket, spec.Handle) {
	t.Helper()
	c := tcp(t, api)
	p := associate(t, api, c, 0)
	if modes != 0 {
		mustOK(t, "SetFileCompletionNotificationModes", api.SetFileCompletionNotificationModes(c, modes))
	}
	mustOK(t, "bind connector to 127.0.0.1:0", api.Bind(c, netip.AddrPortFrom(loopback4, 0)))
	return c, p
}

// connectExDone runs ConnectEx(c, addr) with an OVERLAPPED whose hEvent is
// hEvent (an auto-reset event, its low bit perhaps set; ev is the event
// itself), checks that it pends, that ev is signalled within wait, and
// that GetOverlappedResult(no wait) then reports want with 0 bytes.
func connectExDone(t *T, api spec.API, c spec.Socket, addr netip.AddrPort, hEvent, ev spec.Handle, wait time.Duration, want spec.Errno) spec.Overlapped {
	t.Helper()
	ov := overlapped(t, api, hEvent)
	if err := api.ConnectEx(c, addr, ov); !isErr(err, spec.ERROR_IO_PENDING) {
		t.Fatalf("ConnectEx(%v): got %s, want ERROR_IO_PENDING", addr, errName(err))
	}
	wantOK(t, "WaitForSingleObject(hEvent) after ConnectEx", api.WaitForSingleObject(ev, wait))
	n, err := api.GetOverlappedResult(spec.Handle(c), ov, false)
	wantErr(t, "GetOverlappedResult of the ConnectEx", err, want)
	if n != 0 {
		t.Errorf("GetOverlappedResult of the ConnectEx: got %d bytes, want 0", n)
	}
	return ov
}

// acceptAndClose takes the connection off l and closes it, as the test
// does after each connect.
func acceptAndClose(t *T, api spec.API, l spec.Socket) {
	t.Helper()
	s, _, err := api.Accept(l)
	mustOK(t, "accept", err)
	closeNow(t, api, "accepted socket", s)
}

// refusedWait is how long the refused case waits for the event: the test
// allows 15 s; Windows' retries of a refused SYN take about a second or two,
// and a case that waits beyond longWait needs virtual time or long waits.
const refusedWait = longWait

var wineConnectCompletionCases = []Case{
	{
		Name:    "wine-connect-iocp/connect-no-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			l, addr := connectListener(t, api)
			c := tcp(t, api)
			_, err := api.GetExtensionFunction(c, spec.WSAID_CONNECTEX)
			mustOK(t, "WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_CONNECTEX)", err)
			p := associate(t, api, c, 0)
			mustOK(t, "connect", api.Connect(c, addr))
			acceptAndClose(t, api, l)
			wantNothingQueued(t, api, "after a blocking connect", p, 0)
		},
	},
	{
		Name:    "wine-connect-iocp/connectex-queues-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseRetPending, spec.ClauseRemSignalEvent),
		Body: func(t *T, api spec.API) {
			l, addr := connectListener(t, api)
			ev := autoEvent(t, api)
			c, p := connectorOnPort(t, api, 0)
			ov := connectExDone(t, api, c, addr, ev, ev, prompt, spec.ERROR_SUCCESS)
			acceptAndClose(t, api, l)
			wantQueued(t, api, "pended ConnectEx", p, 0, 0, 0, ov, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "wine-connect-iocp/connectex-low-bit-no-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseRemSignalEvent),
		Body: func(t *T, api spec.API) {
			l, addr := connectListener(t, api)
			ev := autoEvent(t, api)
			c, p := connectorOnPort(t, api, 0)
			connectExDone(t, api, c, addr, ev|1, ev, prompt, spec.ERROR_SUCCESS)
			acceptAndClose(t, api, l)
			wantNothingQueued(t, api, "ConnectEx with hEvent|1", p, 0)
		},
	},
	{
		Name:    "wine-connect-iocp/connectex-skip-on-success-still-queues",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseRetPending),
		Body: func(t *T, api spec.API) {
			l, addr := connectListener(t, api)
			ev := autoEvent(t, api)
			c, p := connectorOnPort(t, api, spec.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)
			ov := connectExDone(t, api, c, addr, ev, ev, prompt, spec.ERROR_SUCCESS)
			acceptAndClose(t, api, l)
			wantQueued(t, api, "pended ConnectEx with skip-on-success", p, 0, 0, 0, ov, spec.ERROR_SUCCESS)
		},
	},
	{
		Name:    "wine-connect-iocp/connectex-refused-queues-packet",
		Clauses: clauses(spec.ClauseGapCompletionPort, spec.ClauseRetLaterFailure),
		Waits:   refusedWait,
		Body: func(t *T, api spec.API) {
			l, addr := connectListener(t, api)
			closeNow(t, api, "listener", l)
			ev := autoEvent(t, api)
			c, p := connectorOnPort(t, api, spec.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)
			ov := connectExDone(t, api, c, addr, ev, ev, refusedWait, spec.ERROR_CONNECTION_REFUSED)
			wantQueued(t, api, "refused ConnectEx with skip-on-success", p, 0, 0, 0, ov, spec.ERROR_CONNECTION_REFUSED)
		},
	},
}
