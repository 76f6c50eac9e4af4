package conformance

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_connecting_socket: a socket whose ConnectEx to
// an address nobody answers (192.0.2.0 there; the backend's host that drops
// SYNs here) is still in progress. The first half of that test starts the
// connect with a non-blocking connect(), which spec.API cannot express
// (evidence_wine_sock_connecting.go says so line by line).

// blockBound is how long unblocked lets a call that should fail at once
// block before it closes the socket under it.
const blockBound = 2 * time.Second

// unblocked runs call, which should return at once, and cancels what is
// pending on s and closes it under the call if it blocks for blockBound of
// wall time (a backend that blocks where
// Windows fails would otherwise hang the case): the call's error then
// tells what happened, and "blocked" is logged.
func unblocked(t *T, api spec.API, s spec.Socket, call func() error) error {
	t.Helper()
	var blocked atomic.Bool
	timer := time.AfterFunc(blockBound, func() {
		blocked.Store(true)
		api.CancelIoEx(spec.Handle(s), 0) // the connect in progress, and the call if the backend made it a request
		api.Closesocket(s)
	})
	err := call()
	timer.Stop()
	if blocked.Load() {
		t.Logf("the call blocked for %v; the socket was closed under it", blockBound)
		if err == nil {
			return errBlocked
		}
		return fmt.Errorf("blocked, then %w", err)
	}
	return err
}

var errBlocked = errors.New("blocked, then success")

var wineConnectingCases = []Case{
	{
		Name:    "wine-connecting/connectex-in-progress",
		Clauses: clauses(spec.ClauseGapConnecting, spec.ClauseRetPending),
		Needs:   needs(RemoteHosts),
		Body: func(t *T, api spec.API) {
			c, _, _, dst := pendingConnectEx(t, api)
			wantErr(t, "connect() while the ConnectEx is in progress", api.Connect(c, dst), spec.WSAEINVAL)
			ov := overlapped(t, api, 0)
			preset(t, api, ov)
			wantErr(t, "a second ConnectEx while the first is in progress", api.ConnectEx(c, dst, ov), spec.WSAEINVAL)
			if st, _, err := api.OverlappedFields(ov); wantOK(t, "OverlappedFields", err) && st != spec.STATUS_PENDING {
				t.Errorf("second ConnectEx: Internal: got %v, want STATUS_PENDING", st)
			}
			if a, err := api.Getsockname(c); wantOK(t, "getsockname(connecting socket)", err) {
				if !a.Addr().Is4() || a.Port() == 0 {
					t.Errorf("getsockname(connecting socket): got %v, want an IPv4 address with a nonzero port", a)
				}
			}
			_, err := api.Getpeername(c)
			wantErr(t, "getpeername(socket with a ConnectEx in progress)", err, spec.WSAENOTCONN)
		},
	},
	{
		Name:    "wine-connecting/second-connectex-leaves-internalhigh",
		Clauses: clauses(spec.ClauseGapConnecting),
		Needs:   needs(RemoteHosts),
		Body: func(t *T, api spec.API) {
			c, _, _, dst := pendingConnectEx(t, api)
			wantConnectExFails(t, api, "a second ConnectEx while the first is in progress", c, dst, spec.WSAEINVAL)
		},
	},
	{
		Name:    "wine-connecting/recv-enotconn",
		Clauses: clauses(spec.ClauseGapConnecting),
		Needs:   needs(RemoteHosts),
		Body: func(t *T, api spec.API) {
			c, _, _, _ := pendingConnectEx(t, api)
			err := unblocked(t, api, c, func() error { _, err := api.Recv(c, make([]byte, 4)); return err })
			wantErr(t, "recv(socket with a ConnectEx in progress)", err, spec.WSAENOTCONN)
		},
	},
	{
		Name:    "wine-connecting/send-enotconn",
		Clauses: clauses(spec.ClauseGapConnecting),
		Needs:   needs(RemoteHosts),
		Body: func(t *T, api spec.API) {
			c, _, _, _ := pendingConnectEx(t, api)
			err := unblocked(t, api, c, func() error { _, err := api.Send(c, []byte("data\x00")); return err })
			wantErr(t, "send(socket with a ConnectEx in progress)", err, spec.WSAENOTCONN)
		},
	},
}
