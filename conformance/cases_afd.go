package conformance

import "github.com/disconnectex/disconnectex/spec"

// Cases ported from Wine's dlls/ws2_32/tests/afd.c (Gcenx/winecx at
// crossover-wine-23.0.1). test_async_thread_termination issues an AFD
// request (IOCTL_AFD_POLL on a listener) from a thread that then exits, in
// every combination of event, APC and completion value, with and without a
// completion port; its ok() lines pass on Windows. A Winsock overlapped call
// reaches NtDeviceIoControlFile with event = hEvent without its low bit and
// completion value = lpOverlapped, or none when hEvent's low bit is set; it
// never passes an APC. So the rows without an APC are the four hEvent forms
// (an event; NULL; event|1; 1, that is no event and no value), and the cases
// run them with AcceptEx pending on a listener, the same object the test
// polls (and, for two rows, DisconnectEx). That the rule holds for every AFD
// request alike, not only for IOCTL_AFD_POLL, is the inference these cases
// rest on; the test's thread_NtDeviceIoControlFile shows that a normal exit
// and TerminateThread give the same result, and spec.Thread has only the
// normal exit.
var afdCases = []Case{
	afdExitCase("thread-exit-cancels-event", false, afdEvent),
	afdExitCase("thread-exit-cancels-null-event", false, afdNull),
	afdExitCase("thread-exit-cancels-event-low-bit", false, afdEventLowBit),
	afdExitCase("thread-exit-cancels-hevent-one", false, afdOne),
	afdExitCase("port-thread-exit-cancels-event", true, afdEvent),
	afdExitCase("port-thread-exit-cancels-event-low-bit", true, afdEventLowBit),
	afdExitCase("port-thread-exit-cancels-hevent-one", true, afdOne),
	afdExitCase("port-thread-exit-spares-null-event", true, afdNull),
	afdDisconnectExitCase("port-thread-exit-cancels-disconnectex-event-low-bit", afdEventLowBit),
	afdDisconnectExitCase("port-thread-exit-cancels-disconnectex-hevent-one", afdOne),
	{
		Name:    "afd/poll-acceptex-takes-connection",
		Clauses: clauses(spec.ClauseFlagReuseTarget, spec.ClauseRemSignalEvent),
		Body: func(t *T, api spec.API) {
			// test_poll: a connection that arrives while AcceptEx is
			// pending goes to AcceptEx (its event within 200 ms, 0 bytes)
			// and leaves the listener with nothing to accept; the next one
			// makes the listener readable and accept() takes it. The test
			// watches the listener with IOCTL_AFD_POLL; WSAPoll is the
			// Winsock call made of that request.
			l, addr := listener(t, api)
			ev := event(t, api)
			ov := overlapped(t, api, ev)
			server := tcp(t, api)
			if err := api.AcceptEx(l, server, ov); !isErr(err, spec.ERROR_IO_PENDING) {
				t.Fatalf("AcceptEx with no connection waiting: got %s, want ERROR_IO_PENDING", errName(err))
			}
			client := tcp(t, api)
			mustOK(t, "connect", api.Connect(client, addr))
			if !wantOK(t, "AcceptEx: WaitForSingleObject(event, 200ms)", api.WaitForSingleObject(ev, prompt/5)) {
				return
			}
			n, err := api.GetOverlappedResult(spec.Handle(l), ov, false)
			if wantOK(t, "AcceptEx: GetOverlappedResult", err) && n != 0 {
				t.Errorf("AcceptEx: GetOverlappedResult: got %d bytes, want 0", n)
			}
			if re, err := api.Poll(l, spec.POLLRDNORM, 0); err != nil || re != 0 {
				t.Errorf("WSAPoll(listener, POLLRDNORM, 0) after AcceptEx took the connection: got revents %#x with %s, want 0", re, errName(err))
			}
			closeNow(t, api, "close the accepted socket", server)
			closeNow(t, api, "close the client", client)
			client2 := tcp(t, api)
			mustOK(t, "connect a second client", api.Connect(client2, addr))
			if re, err := api.Poll(l, spec.POLLRDNORM, prompt/5); err != nil || re&spec.POLLRDNORM == 0 {
				t.Errorf("WSAPoll(listener, POLLRDNORM, 200ms) with a connection waiting: got revents %#x with %s, want POLLRDNORM", re, errName(err))
			}
			s, _, err := api.Accept(l)
			if wantOK(t, "accept", err) {
				api.Closesocket(s)
			}
		},
	},
}

// afdHEvent is one of the four forms of hEvent a Winsock call can pass.
type afdHEvent int

const (
	afdEvent       afdHEvent = iota // an event: event and completion value
	afdNull                         // NULL: completion value, no event
	afdEventLowBit                  // event|1: event, no completion value
	afdOne                          // 1: neither
)

// hEvent makes the OVERLAPPED's hEvent of that form.
func (f afdHEvent) hEvent(t *T, api spec.API) (hEvent, ev spec.Handle) {
	t.Helper()
	switch f {
	case afdEvent:
		ev, err := api.CreateEvent(false, false) // the test's event is auto-reset
		mustOK(t, "CreateEvent(auto-reset)", err)
		t.Cleanup(func() { api.CloseHandle(ev) })
		return ev, ev
	case afdEventLowBit:
		ev, err := api.CreateEvent(false, false)
		mustOK(t, "CreateEvent(auto-reset)", err)
		t.Cleanup(func() { api.CloseHandle(ev) })
		return ev | 1, ev
	case afdOne:
		return 1, 0
	}
	return 0, 0
}

// packet reports whether a request of this form queues a completion packet.
func (f afdHEvent) packet() bool { return f == afdEvent || f == afdNull }

func (f afdHEvent) String() string {
	return [...]string{"an event", "hEvent NULL", "hEvent = event|1", "hEvent = 1"}[f]
}

// afdExitCase: AcceptEx pending on a listener, issued by a thread that
// exits. Without a port every form is canceled; on a port only hEvent NULL
// (a completion value and no event) survives, until CancelIoEx.
func afdExitCase(name string, onPort bool, f afdHEvent) Case {
	cl := clauses(spec.ClauseRemThreadExit, spec.ClauseRetLaterFailure)
	if onPort {
		cl = append(cl, spec.ClauseGapCompletionPort)
	}
	if f == afdOne {
		cl = append(cl, spec.ClauseParamOverlapped)
	}
	return Case{
		Name:    "afd/" + name,
		Clauses: cl,
		Body: func(t *T, api spec.API) {
			l, _ := listener(t, api)
			var p spec.Handle
			if onPort {
				p = associate(t, api, l, 0) // the test's port has key 0
			}
			th := thread(t, api)
			hEvent, ev := f.hEvent(t, api)
			ov := overlapped(t, api, hEvent)
			a := tcp(t, api)
			if err := th.AcceptEx(l, a, ov); !isErr(err, spec.ERROR_IO_PENDING) {
				t.Fatalf("AcceptEx(listener, ov with %v) on a thread: got %s, want ERROR_IO_PENDING", f, errName(err))
			}
			mustOK(t, "thread exit", th.Exit())
			afdWantOutcome(t, api, "AcceptEx", spec.Handle(l), ov, ev, p, onPort && f == afdNull, f)
		},
	}
}

// afdDisconnectExitCase is afdExitCase with DisconnectEx(TF_REUSE_SOCKET)
// on a port-associated client instead of AcceptEx.
func afdDisconnectExitCase(name string, f afdHEvent) Case {
	cl := clauses(spec.ClauseRemThreadExit, spec.ClauseGapCompletionPort, spec.ClauseRetLaterFailure)
	if f == afdOne {
		cl = append(cl, spec.ClauseParamOverlapped)
	}
	return Case{
		Name:    "afd/" + name,
		Clauses: cl,
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			p := associate(t, api, c.client, 0)
			th := thread(t, api)
			hEvent, ev := f.hEvent(t, api)
			ov := pendingWith(t, api, th, c.client, hEvent, spec.TF_REUSE_SOCKET)
			mustOK(t, "thread exit", th.Exit())
			afdWantOutcome(t, api, "DisconnectEx(TF_REUSE_SOCKET)", spec.Handle(c.client), ov, ev, p, false, f)
		},
	}
}

// afdWantOutcome checks a request after its thread exited: spared (still
// pending, no packet, then canceled by CancelIoEx with a packet), or
// canceled (ERROR_OPERATION_ABORTED, the event signalled within 1 s when
// there is one, a packet on port p only when the form carries a completion
// value).
func afdWantOutcome(t *T, api spec.API, what string, h spec.Handle, ov spec.Overlapped, ev, p spec.Handle, spared bool, f afdHEvent) {
	t.Helper()
	what += " with " + f.String() + " after its thread exited"
	if spared {
		_, err := api.GetOverlappedResult(h, ov, false)
		wantErr(t, what+": GetOverlappedResult(no wait)", err, spec.ERROR_IO_INCOMPLETE)
		wantNoPacket(t, api, what, p)
		mustOK(t, "CancelIoEx(handle, NULL)", api.CancelIoEx(h, 0))
		wantPacket(t, api, what+", then CancelIoEx", p, 0, ov, spec.ERROR_OPERATION_ABORTED)
		return
	}
	if ev != 0 {
		waitPrompt(t, api, what, ev)
	}
	_, err := api.GetOverlappedResult(h, ov, false)
	wantErr(t, what+": GetOverlappedResult", err, spec.ERROR_OPERATION_ABORTED)
	if p == 0 {
		return
	}
	if f.packet() {
		wantPacket(t, api, what, p, 0, ov, spec.ERROR_OPERATION_ABORTED)
	} else {
		wantNoPacket(t, api, what, p)
	}
}
