package conformance

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Helpers for the clauses whose Windows behaviour the evidence does not
// settle (the emulator offers each plausible outcome as a variant, see
// emulator.Variants): each accepts exactly the outcomes the clause's
// evidence allows and logs the one the backend chose.

// wantReuseDone follows a TF_REUSE_SOCKET request of the side that closed
// first, whose peer's FIN has just arrived, with TIME_WAIT delay d. Two
// outcomes are allowed (DX-FLAG-TIMEWAIT): the request completes with the
// graceful close, at once (variant after-close), or when TIME_WAIT ends,
// d later (variant waits). wait waits on the object the request signals,
// returning nil when it is signalled and WAIT_TIMEOUT otherwise. It reports
// whether the request completed at once, and whether it completed as
// allowed at all.
func wantReuseDone(t *T, what string, d time.Duration, wait func(time.Duration) error) (atOnce, ok bool) {
	t.Helper()
	if d < 2*prompt {
		if err := wait(prompt); err != nil {
			t.Errorf("%s: waiting %v with a %v TIME_WAIT: got %s, want success", what, prompt, d, errName(err))
			return true, false
		}
		return true, true
	}
	if wait(prompt) == nil {
		t.Logf("%s: completed with the graceful close, the %v TIME_WAIT still running (DX-FLAG-TIMEWAIT: after-close)", what, d)
		return true, true
	}
	t.Logf("%s: still pending %v after the peer's FIN (DX-FLAG-TIMEWAIT: waits)", what, prompt)
	if err := wait(d - 2*prompt); !isErr(err, spec.WAIT_TIMEOUT) {
		t.Errorf("%s: waiting %v more, before the end of a %v TIME_WAIT: got %s, want WAIT_TIMEOUT (a request that waits, waits all of it)", what, d-2*prompt, d, errName(err))
		return false, false
	}
	if err := wait(2 * prompt); err != nil {
		t.Errorf("%s: waiting %v at the end of a %v TIME_WAIT: got %s, want success", what, 2*prompt, d, errName(err))
		return false, false
	}
	return false, true
}

// onEvent is the wait function of wantReuseDone for a request with hEvent.
func onEvent(api spec.API, ev spec.Handle) func(time.Duration) error {
	return func(d time.Duration) error { return api.WaitForSingleObject(ev, d) }
}

// defaultDelays are the TIME_WAIT delays Windows may use when
// TcpTimedWaitDelay is not set (DX-REM-TIMEWAIT-DEFAULT), in ascending
// order: 120 s (the Server 2003 and XP IPv4 default) or 240 s (the page).
var defaultDelays = []time.Duration{spec.MSL, spec.DefaultTcpTimedWaitDelay}

// wantRowLeaves checks that the TIME_WAIT row from lport to remote, in the
// table now, stays until one of the delays ds (ascending, counted from now
// minus spent) has passed and leaves within prompt of it. It returns the
// delay that matched, or 0 after reporting an error.
func wantRowLeaves(t *T, api spec.API, what string, lport uint16, remote netip.AddrPort, spent time.Duration, ds ...time.Duration) time.Duration {
	t.Helper()
	elapsed := spent
	for i, d := range ds {
		if d-prompt > elapsed {
			api.Sleep(d - prompt - elapsed)
			elapsed = d - prompt
		}
		if !wantRow(t, api, fmt.Sprintf("%s, %v before the end of a %v TIME_WAIT", what, prompt, d), lport, remote, spec.TCPTimeWait) {
			return 0
		}
		api.Sleep(2 * prompt)
		elapsed += 2 * prompt
		if st, found := row(t, api, lport, remote); !found || st != spec.TCPTimeWait {
			if len(ds) > 1 {
				t.Logf("%s: the row left after %v (TIME_WAIT delay %v)", what, d, d)
			}
			return d
		}
		if i == len(ds)-1 {
			t.Errorf("%s: TCP table row :%d -> %v %v after the end of a %v TIME_WAIT: got TIME_WAIT, want none", what, lport, remote, prompt, d)
		}
	}
	return 0
}

// wantIgnoredOrRejected checks a DisconnectEx call on the connected
// client c.client with a reserved value or flag bits the page forbids
// (DX-PARAM-RESERVED, DX-ERR-EINVAL-FLAGS). Two outcomes are allowed: the
// call fails at once (variant einval), starting nothing; or the forbidden
// part is ignored (variant ignored, Wine's behaviour) and the call acts
// as DisconnectEx with flags (TF_REUSE_SOCKET or 0): the FIN goes out,
// flags 0 complete, a TF_REUSE_SOCKET request waits for the peer's FIN
// (it is canceled here). ov and ev are the request's OVERLAPPED and event,
// or 0 for a synchronous call, which is made only with flags 0.
func wantIgnoredOrRejected(t *T, api spec.API, what string, c conn, err error, ov spec.Overlapped, ev spec.Handle, flags uint32) {
	t.Helper()
	ignored := err == nil || isErr(err, spec.ERROR_IO_PENDING)
	if !ignored {
		expectFailure(t, what, err, spec.WSAEINVAL)
		if ev != 0 && signalled(api, ev) {
			t.Errorf("event after the rejected call: got signalled, want not signalled (no request was started)")
		}
		peerSeesNoFIN(t, api, "server after the rejected call", c.server)
		roundTrip(t, api, "client -> server after the rejected call", c.client, c.server)
		return
	}
	t.Logf("%s: %s: the backend ignores what the page forbids (variant ignored)", what, errName(err))
	if ov != 0 && err == nil {
		t.Errorf("%s: got success with an OVERLAPPED on an overlapped socket, want ERROR_IO_PENDING (DX-PARAM-OVERLAPPED)", what)
	}
	if ov != 0 {
		if flags&spec.TF_REUSE_SOCKET != 0 {
			wantPending(t, api, what+", acting as TF_REUSE_SOCKET with the peer still open", c.client, ov)
			mustOK(t, "CancelIoEx(client, ov)", api.CancelIoEx(spec.Handle(c.client), ov))
			wantAborted(t, api, what+", canceled", c.client, ov, ev)
		} else {
			wantDone(t, api, what+", acting as flags 0", c.client, ov, ev, spec.ERROR_SUCCESS)
		}
	}
	peerSeesFIN(t, api, "server after the call that ignored them", c.server)
}
