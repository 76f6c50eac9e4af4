package conformance

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// activeReuse runs the active closer's TF_REUSE_SOCKET through TIME_WAIT
// and checks the TCP table and the completion timing for delay d (the
// backend's TcpTimedWaitDelay; with several, ascending, any one of them:
// the default delay is a variant, DX-REM-TIMEWAIT-DEFAULT). The request
// completes either with the graceful close, leaving the row behind for d,
// or when the row leaves (DX-FLAG-TIMEWAIT's two variants).
func activeReuse(t *T, api spec.API, ds ...time.Duration) {
	t.Helper()
	c := connected(t, api)
	cport := localPort(t, api, c.client)
	ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
	wantRow(t, api, "active closer before the peer's FIN", cport, c.addr, spec.TCPFinWait2)
	closeNow(t, api, "server closes", c.server)
	if ds[0] >= 2*prompt {
		wantRow(t, api, "active closer after the peer's FIN", cport, c.addr, spec.TCPTimeWait)
	}
	if ds[0] < 2*prompt || api.WaitForSingleObject(ev, prompt) == nil {
		// Completed with the graceful close (or no TIME_WAIT at all).
		if !waitPrompt(t, api, "TF_REUSE_SOCKET after the peer's FIN", ev) {
			return
		}
		if ds[0] >= 2*prompt {
			t.Logf("TF_REUSE_SOCKET completed with the graceful close; the TIME_WAIT row stays (DX-FLAG-TIMEWAIT: after-close)")
		}
		wantResult(t, api, "TF_REUSE_SOCKET after the peer's FIN", c.client, ov, spec.ERROR_SUCCESS)
		wantState(t, api, "after the peer's FIN", c.client, spec.StateReusable)
		if ds[0] >= 2*prompt {
			wantRowLeaves(t, api, "the reused socket's old connection", cport, c.addr, 0, ds...)
		} else {
			wantNoRow(t, api, "with no TIME_WAIT", cport, c.addr, spec.TCPTimeWait)
		}
		return
	}
	t.Logf("TF_REUSE_SOCKET waits in TIME_WAIT (DX-FLAG-TIMEWAIT: waits)")
	wantState(t, api, "active closer after the peer's FIN", c.client, spec.StateTimeWait)
	elapsed := prompt // the probe above
	for i, d := range ds {
		if err := api.WaitForSingleObject(ev, d-prompt-elapsed); !isErr(err, spec.WAIT_TIMEOUT) {
			t.Errorf("WaitForSingleObject(hEvent, %v) into a %v TIME_WAIT: got %s, want WAIT_TIMEOUT", d-prompt-elapsed, d, errName(err))
			return
		}
		wantRow(t, api, fmt.Sprintf("%v before the end of TIME_WAIT", prompt), cport, c.addr, spec.TCPTimeWait)
		wantPending(t, api, fmt.Sprintf("%v before the end of TIME_WAIT", prompt), c.client, ov)
		err := api.WaitForSingleObject(ev, 2*prompt)
		elapsed = d + prompt
		if err == nil {
			break
		}
		if i == len(ds)-1 {
			t.Errorf("WaitForSingleObject(hEvent, %v) at the end of a %v TIME_WAIT: got %s, want success", 2*prompt, d, errName(err))
			return
		}
	}
	wantResult(t, api, "TF_REUSE_SOCKET after TIME_WAIT", c.client, ov, spec.ERROR_SUCCESS)
	wantNoRow(t, api, "after TIME_WAIT", cport, c.addr, spec.TCPTimeWait)
	wantState(t, api, "after TIME_WAIT", c.client, spec.StateReusable)
}

// rejectDelay checks that settings with TIME_WAIT delay d are refused,
// both by spec.Settings.Validate and by the backend constructor.
func rejectDelay(t *T, d time.Duration) {
	t.Helper()
	s := spec.DefaultSettings()
	s.TcpTimedWaitDelay = d
	if err := s.Validate(); err == nil {
		t.Errorf("Settings{TcpTimedWaitDelay: %v}.Validate(): got success, want an error", d)
	}
	api, err := t.New(s)
	if err == nil {
		t.Errorf("%s: New with TcpTimedWaitDelay %v: got success (api %T), want an error", t.Backend().Name, d, api)
	} else {
		t.Logf("New with TcpTimedWaitDelay %v: %v", d, err)
	}
}

// Cases for TIME_WAIT: the delay each documented setting gives, seen in
// the TCP table and in when TF_REUSE_SOCKET completes.
var timewaitCases = []Case{
	{
		Name:     "timewait/delay-0s",
		Clauses:  clauses(spec.ClauseFlagTimeWait, spec.ClauseRemTimeWaitRange, spec.ClauseRemTimeWaitConfig),
		Needs:    needs(Settings),
		Settings: delay(0),
		Body:     func(t *T, api spec.API) { activeReuse(t, api, 0) },
	},
	{
		Name:     "timewait/delay-30s",
		Clauses:  clauses(spec.ClauseFlagTimeWait, spec.ClauseRemTimeWait, spec.ClauseRemTimeWaitConfig, spec.ClauseRemTimeWaitRange, spec.ClauseRemTimeWaitTuning),
		Needs:    needs(Settings),
		Settings: delay(30 * time.Second),
		Waits:    31 * time.Second,
		Body:     func(t *T, api spec.API) { activeReuse(t, api, 30*time.Second) },
	},
	{
		Name:     "timewait/delay-120s",
		Clauses:  clauses(spec.ClauseFlagTimeWait, spec.ClauseRemTimeWait, spec.ClauseRemTimeWaitConfig, spec.ClauseRemMSL),
		Needs:    needs(Settings),
		Settings: delay(spec.MSL),
		Waits:    121 * time.Second,
		Body:     func(t *T, api spec.API) { activeReuse(t, api, spec.MSL) },
	},
	{
		Name:    "timewait/delay-240s-default",
		Clauses: clauses(spec.ClauseFlagTimeWait, spec.ClauseRemTimeWait, spec.ClauseRemTimeWaitDefault, spec.ClauseRemMSL),
		Waits:   243 * time.Second,
		// The backend is built with spec.DefaultSettings(); that the default
		// is 2 MSL is a property of spec, checked by TestDefaultDelay. What
		// Windows uses when the value is absent is 240 s or 120 s.
		Body: func(t *T, api spec.API) { activeReuse(t, api, defaultDelays...) },
	},
	{
		Name:     "timewait/delay-300s",
		Clauses:  clauses(spec.ClauseFlagTimeWait, spec.ClauseRemTimeWait, spec.ClauseRemTimeWaitRange),
		Needs:    needs(Settings),
		Settings: delay(spec.MaxTcpTimedWaitDelay),
		Waits:    301 * time.Second,
		Body:     func(t *T, api spec.API) { activeReuse(t, api, spec.MaxTcpTimedWaitDelay) },
	},
	{
		Name:    "timewait/delay-301s-rejected",
		Clauses: clauses(spec.ClauseRemTimeWaitRange),
		Needs:   needs(Settings),
		Body: func(t *T, api spec.API) {
			rejectDelay(t, 301*time.Second)
			rejectDelay(t, -time.Second)
		},
	},
	{
		Name:    "timewait/delay-fraction-rejected",
		Clauses: clauses(spec.ClauseRemTimeWaitConfig),
		Needs:   needs(Settings),
		Body:    func(t *T, api spec.API) { rejectDelay(t, 30*time.Second+500*time.Millisecond) },
	},
	{
		Name:    "timewait/flags-zero-no-wait",
		Clauses: clauses(spec.ClauseFlagTimeWait, spec.ClauseRemTimeWait),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			cport := localPort(t, api, c.client)
			ov, ev := pending(t, api, c.client, 0)
			wantDone(t, api, "flags 0 with the default 240s TIME_WAIT", c.client, ov, ev, spec.ERROR_SUCCESS)
			closeNow(t, api, "server closes", c.server)
			wantRow(t, api, "client that sent the first FIN", cport, c.addr, spec.TCPTimeWait)
		},
	},
	{
		Name:    "timewait/reuse-waits-for-peer-fin",
		Clauses: clauses(spec.ClauseFlagTimeWait),
		Waits:   10 * time.Minute,
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			if err := api.WaitForSingleObject(ev, 10*time.Minute); !isErr(err, spec.WAIT_TIMEOUT) {
				t.Errorf("WaitForSingleObject(hEvent, 10m) with the peer never closing: got %s, want WAIT_TIMEOUT", errName(err))
			}
			wantPending(t, api, "10 minutes without the peer's FIN", c.client, ov)
		},
	},
	{
		Name:    "timewait/passive-closer-no-row",
		Clauses: clauses(spec.ClauseRemTimeWait, spec.ClauseGapPeerClosed, spec.ClauseFlagTimeWait),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			cport := localPort(t, api, c.client)
			closeNow(t, api, "server closes first", c.server)
			wantRow(t, api, "passive closer after the peer's FIN", cport, c.addr, spec.TCPCloseWait)
			ov, ev := pending(t, api, c.client, spec.TF_REUSE_SOCKET)
			wantDone(t, api, "TF_REUSE_SOCKET as passive closer", c.client, ov, ev, spec.ERROR_SUCCESS)
			wantNoRow(t, api, "passive closer", cport, c.addr)
			wantRow(t, api, "active closer (the server end)", c.addr.Port(), netip.AddrPortFrom(loopback4, cport), spec.TCPTimeWait)
		},
	},
	{
		Name:    "timewait/row-outlives-handle",
		Clauses: clauses(spec.ClauseRemTimeWait, spec.ClauseRemTimeWaitDefault),
		Waits:   243 * time.Second,
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			cport := localPort(t, api, c.client)
			closeNow(t, api, "client closes first", c.client)
			closeNow(t, api, "server closes", c.server)
			wantRow(t, api, "closed client's connection", cport, c.addr, spec.TCPTimeWait)
			wantRowLeaves(t, api, "closed client's connection", cport, c.addr, 0, defaultDelays...)
		},
	},
	{
		Name:    "timewait/sync-reuse-blocks",
		Clauses: clauses(spec.ClauseFlagTimeWait, spec.ClauseGapNullOverlapped, spec.ClauseGapAfterShutdown),
		Waits:   243 * time.Second,
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			cport := localPort(t, api, c.client)
			mustOK(t, "shutdown(client, SD_SEND)", api.Shutdown(c.client, spec.SD_SEND))
			closeNow(t, api, "server closes", c.server)
			wantRow(t, api, "client after both FINs", cport, c.addr, spec.TCPTimeWait)
			wantOK(t, "DisconnectEx(client, NULL, TF_REUSE_SOCKET, 0) in TIME_WAIT", api.DisconnectEx(c.client, 0, spec.TF_REUSE_SOCKET, 0))
			if st, found := row(t, api, cport, c.addr); found && st == spec.TCPTimeWait {
				// Returned with the graceful close over (DX-FLAG-TIMEWAIT:
				// after-close): the row stays for the rest of its delay.
				t.Logf("the synchronous TF_REUSE_SOCKET returned with the TIME_WAIT row still there (DX-FLAG-TIMEWAIT: after-close)")
				wantRowLeaves(t, api, "the reused socket's old connection", cport, c.addr, 0, defaultDelays...)
				return
			}
			wantNoRow(t, api, "after the synchronous TF_REUSE_SOCKET returned", cport, c.addr, spec.TCPTimeWait)
		},
	},
	{
		Name:    "timewait/reset-no-row",
		Clauses: clauses(spec.ClauseRemTimeWait, spec.ClauseGapPeerReset),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			cport := localPort(t, api, c.client)
			reset(t, api, c.client)
			wantNoRow(t, api, "client closed with RST", cport, c.addr)
			var b [8]byte
			_, err := api.Recv(c.server, b[:])
			wantErr(t, "recv on the reset peer", err, spec.WSAECONNRESET)
		},
	},
}
