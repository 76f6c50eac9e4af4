package conformance

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// row finds the TCP table row from local port lport to remote.
func row(t *T, api spec.API, lport uint16, remote netip.AddrPort) (spec.TCPState, bool) {
	t.Helper()
	rows, err := api.TCPTable()
	mustOK(t, "TCPTable", err)
	for _, r := range rows {
		if r.Local.Port() == lport && r.Remote == remote {
			return r.State, true
		}
	}
	return 0, false
}

// settle re-reads the TCP table for up to prompt until ok accepts the
// row: a real stack may take a moment to process a FIN on loopback. The
// first read decides on the emulator, so it sleeps (advancing virtual
// time) only when the check is about to fail anyway.
func settle(t *T, api spec.API, lport uint16, remote netip.AddrPort, ok func(spec.TCPState, bool) bool) (spec.TCPState, bool) {
	t.Helper()
	const tries = 20
	for i := 0; ; i++ {
		st, found := row(t, api, lport, remote)
		if ok(st, found) || i == tries {
			return st, found
		}
		api.Sleep(prompt / tries)
	}
}

func wantRow(t *T, api spec.API, what string, lport uint16, remote netip.AddrPort, want spec.TCPState) bool {
	t.Helper()
	st, ok := settle(t, api, lport, remote, func(st spec.TCPState, found bool) bool { return found && st == want })
	if !ok {
		t.Errorf("%s: TCP table row :%d -> %v: got none, want %v", what, lport, remote, want)
		return false
	}
	if st != want {
		t.Errorf("%s: TCP table row :%d -> %v: got %v, want %v", what, lport, remote, st, want)
		return false
	}
	return true
}

// wantNoRow checks that no row from lport to remote is in the table (in
// one of the states not, if given).
func wantNoRow(t *T, api spec.API, what string, lport uint16, remote netip.AddrPort, not ...spec.TCPState) bool {
	t.Helper()
	bad := func(st spec.TCPState, found bool) bool { return found && (len(not) == 0 || slices.Contains(not, st)) }
	st, found := settle(t, api, lport, remote, func(st spec.TCPState, found bool) bool { return !bad(st, found) })
	if bad(st, found) {
		t.Errorf("%s: TCP table row :%d -> %v: got %v, want none", what, lport, remote, st)
		return false
	}
	return true
}

// wantNoPacket checks that the port holds no packet.
func wantNoPacket(t *T, api spec.API, what string, p spec.Handle) bool {
	t.Helper()
	c, err := api.GetQueuedCompletionStatus(p, 0)
	if isErr(err, spec.WAIT_TIMEOUT) {
		return true
	}
	t.Errorf("%s: GetQueuedCompletionStatus(0): got a packet %s with %s, want WAIT_TIMEOUT", what, packet(c), errName(err))
	return false
}

// packet formats a completion packet.
func packet(c spec.Completion) string {
	return fmt.Sprintf("{bytes %d, key %d, ov %#x}", c.Bytes, c.Key, uintptr(c.Overlapped))
}

// wantPacket dequeues one packet and checks it.
func wantPacket(t *T, api spec.API, what string, p spec.Handle, key uintptr, ov spec.Overlapped, want spec.Errno) bool {
	t.Helper()
	c, err := api.GetQueuedCompletionStatus(p, prompt)
	if isErr(err, spec.WAIT_TIMEOUT) {
		t.Errorf("%s: GetQueuedCompletionStatus: got WAIT_TIMEOUT, want a packet", what)
		return false
	}
	ok := wantErr(t, what+": GetQueuedCompletionStatus", err, want)
	if c.Key != key || c.Overlapped != ov || c.Bytes != 0 {
		t.Errorf("%s: packet: got %s, want {bytes 0, key %d, ov %#x}", what, packet(c), key, uintptr(ov))
		ok = false
	}
	return ok
}

// associate puts s on a new port with key and returns the port.
func associate(t *T, api spec.API, s spec.Socket, key uintptr) spec.Handle {
	t.Helper()
	p := port(t, api)
	mustOK(t, "CreateIoCompletionPort(socket, port)", api.AssociateCompletionPort(p, s, key))
	return p
}

// stater is the optional introspection interface (capability Introspection).
type stater interface {
	State(spec.Socket) (spec.State, error)
}

// wantState checks s's life-cycle state when the API can report it.
func wantState(t *T, api spec.API, what string, s spec.Socket, want spec.State) bool {
	t.Helper()
	st, ok := api.(stater)
	if !ok {
		if t.Backend().Has(Introspection) {
			t.Errorf("%s: backend claims %s but its API has no State method", what, Introspection)
			return false
		}
		return true
	}
	got, err := st.State(s)
	if err != nil {
		t.Errorf("%s: State: got %s, want %v", what, errName(err), want)
		return false
	}
	if got != want {
		t.Errorf("%s: State: got %v, want %v", what, got, want)
		return false
	}
	return true
}

// peerSeesFIN checks that a recv on s returns 0 (the peer's FIN).
func peerSeesFIN(t *T, api spec.API, what string, s spec.Socket) bool {
	t.Helper()
	ev, err := api.Poll(s, spec.POLLRDNORM, prompt)
	if err != nil || ev&(spec.POLLRDNORM|spec.POLLHUP) == 0 {
		t.Errorf("%s: WSAPoll(POLLRDNORM, 1s) on the peer: got revents %#x with %s, want readable (FIN)", what, ev, errName(err))
		return false
	}
	var b [16]byte
	n, err := api.Recv(s, b[:])
	if err != nil || n != 0 {
		t.Errorf("%s: recv on the peer: got %d bytes with %s, want 0 (FIN)", what, n, errName(err))
		return false
	}
	return true
}

// peerSeesNoFIN checks that s has nothing to read (no FIN arrived).
func peerSeesNoFIN(t *T, api spec.API, what string, s spec.Socket) bool {
	t.Helper()
	ev, err := api.Poll(s, spec.POLLRDNORM, 0)
	if err != nil || ev != 0 {
		t.Errorf("%s: WSAPoll(POLLRDNORM, 0) on the peer: got revents %#x with %s, want 0 (no FIN)", what, ev, errName(err))
		return false
	}
	return true
}

// roundTrip sends b from -> to and checks it arrives.
func roundTrip(t *T, api spec.API, what string, from, to spec.Socket) bool {
	t.Helper()
	msg := []byte("ping")
	n, err := api.Send(from, msg)
	if err != nil || n != len(msg) {
		t.Errorf("%s: send: got %d bytes with %s, want %d with success", what, n, errName(err), len(msg))
		return false
	}
	got := make([]byte, 16)
	n, err = api.Recv(to, got)
	if err != nil || string(got[:n]) != string(msg) {
		t.Errorf("%s: recv: got %q with %s, want %q", what, got[:n], errName(err), msg)
		return false
	}
	return true
}

// closeNow closes s now (the Cleanup close then fails harmlessly).
func closeNow(t *T, api spec.API, what string, s spec.Socket) {
	t.Helper()
	mustOK(t, what+": closesocket", api.Closesocket(s))
}

// reset closes s with an RST (SO_LINGER on, 0 s).
func reset(t *T, api spec.API, s spec.Socket) {
	t.Helper()
	mustOK(t, "setsockopt(SO_LINGER, on, 0)", api.SetLinger(s, true, 0))
	mustOK(t, "closesocket (reset)", api.Closesocket(s))
}

// reuseClient makes c.client reusable the cheap way: the server closes
// first, so the client is the passive closer and a synchronous
// DisconnectEx(TF_REUSE_SOCKET) returns at once, with no TIME_WAIT.
func reuseClient(t *T, api spec.API, c conn) {
	t.Helper()
	closeNow(t, api, "server closes first", c.server)
	mustOK(t, "DisconnectEx(client, NULL, TF_REUSE_SOCKET) as passive closer", api.DisconnectEx(c.client, 0, spec.TF_REUSE_SOCKET, 0))
}

// reuseServer is reuseClient for the accepted end.
func reuseServer(t *T, api spec.API, c conn) {
	t.Helper()
	closeNow(t, api, "client closes first", c.client)
	mustOK(t, "DisconnectEx(server, NULL, TF_REUSE_SOCKET) as passive closer", api.DisconnectEx(c.server, 0, spec.TF_REUSE_SOCKET, 0))
}

// delay returns a Settings func setting the TIME_WAIT delay.
func delay(d time.Duration) func(*spec.Settings) {
	return func(s *spec.Settings) { s.TcpTimedWaitDelay = d }
}

// clauses is shorthand for the Clauses field.
func clauses(ids ...string) []string { return ids }

// needs is shorthand for the Needs field.
func needs(cs ...Capability) []Capability { return cs }
