package conformance

import (
	"fmt"
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// A TCP stack keys connections by their 4-tuple. When the server closes
// first and the client connects again from the same port, the SYN meets
// the server's TIME_WAIT row for that very pair: it either takes the row
// over (the connect succeeds and the row leaves) or is refused
// (WSAEADDRINUSE until the row expires). The evidence allows both
// (DX-GAP-TIMEWAIT-SYN); it never allows a second row for the pair.

// rowsFor counts the TCP table rows from local port lport to remote.
func rowsFor(t *T, api spec.API, lport uint16, remote netip.AddrPort) int {
	t.Helper()
	rows, err := api.TCPTable()
	mustOK(t, "TCP table", err)
	n := 0
	for _, r := range rows {
		if r.Local.Port() == lport && r.Remote == remote {
			n++
		}
	}
	return n
}

// wantOnePairRow checks that the server's side of the pair has exactly one
// row, in TIME_WAIT, after cycle i.
func wantOnePairRow(t *T, api spec.API, i int, server uint16, client netip.AddrPort) bool {
	t.Helper()
	if !wantRow(t, api, fmt.Sprintf("after cycle %d, server closed first", i), server, client, spec.TCPTimeWait) {
		return false
	}
	if n := rowsFor(t, api, server, client); n != 1 {
		t.Errorf("after cycle %d: %d TCP table rows :%d -> %v, want 1 (a pair has one row)", i, n, server, client)
		return false
	}
	return true
}

// reconnectOutcome checks the outcome of cycle i's connection from the
// port of an earlier one: success (the SYN took the row over) or
// WSAEADDRINUSE (refused). It reports whether the connection was made.
func reconnectOutcome(t *T, what string, err error) bool {
	t.Helper()
	if isErr(err, spec.WSAEADDRINUSE) {
		return false
	}
	if err != nil {
		t.Errorf("%s: got %s, want success or WSAEADDRINUSE", what, errName(err))
		return false
	}
	return true
}

var tupleCases = []Case{
	{
		Name:    "ports/timewait-syn-one-row-per-pair",
		Clauses: clauses(spec.ClauseGapTimeWaitSYN, spec.ClauseRemTimeWaitPair),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			local := netip.AddrPortFrom(loopback4, 0)
			for i := 1; i <= 3; i++ {
				c := tcp(t, api)
				mustOK(t, fmt.Sprintf("cycle %d: bind client to %v", i, local), api.Bind(c, local))
				if i == 1 {
					a, err := api.Getsockname(c)
					mustOK(t, "getsockname", err)
					local = a
				}
				err := api.Connect(c, addr)
				if i == 1 {
					mustOK(t, "cycle 1: connect", err)
				} else if !reconnectOutcome(t, fmt.Sprintf("cycle %d: connect from %v, whose pair the server holds in TIME_WAIT", i, local), err) {
					wantOnePairRow(t, api, i, addr.Port(), local)
					return
				}
				s := acceptOne(t, api, l, byAccept)
				closeNow(t, api, fmt.Sprintf("cycle %d: server closes first", i), s)
				closeNow(t, api, fmt.Sprintf("cycle %d: client closes", i), c)
				if !wantOnePairRow(t, api, i, addr.Port(), local) {
					return
				}
			}
		},
	},
	{
		Name:    "reuse/cycles-one-row-per-pair",
		Clauses: clauses(spec.ClauseGapTimeWaitSYN, spec.ClauseFlagReuse),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			c := dial(t, api, addr, byConnectEx)
			local, err := api.Getsockname(c)
			mustOK(t, "getsockname", err)
			for i := 1; i <= 3; i++ {
				if i > 1 && !reconnectOutcome(t, fmt.Sprintf("reconnect %d of the reused socket", i), tryConnectEx(t, api, c, addr)) {
					wantOnePairRow(t, api, i, addr.Port(), local)
					return
				}
				s := acceptOne(t, api, l, byAccept)
				closeNow(t, api, fmt.Sprintf("cycle %d: server closes first", i), s)
				mustOK(t, fmt.Sprintf("cycle %d: DisconnectEx(client, NULL, TF_REUSE_SOCKET, 0)", i), api.DisconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0))
				if !wantOnePairRow(t, api, i, addr.Port(), local) {
					return
				}
			}
		},
	},
}
