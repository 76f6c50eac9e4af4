package emulator

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

func init() { strictTransitions, checkBindFastPath = true, true }

var (
	loop4      = netip.MustParseAddr("127.0.0.1")
	any4       = netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
	serverAddr = netip.AddrPortFrom(loop4, 8080)
)

// world is a test fixture: an emulator with a listener.
type world struct {
	t        testing.TB
	e        *Emulator
	listener spec.Socket
}

func settings(delay time.Duration) spec.Settings {
	s := spec.DefaultSettings()
	s.TcpTimedWaitDelay = delay
	return s
}

// reuseWaits picks variant waits of DX-FLAG-TIMEWAIT, for the tests of
// what a TF_REUSE_SOCKET request does while it waits out its own side's
// TIME_WAIT (the default, after-close, completes it with the graceful
// close, so there is no such wait to test).
var reuseWaits = WithVariant(spec.ClauseFlagTimeWait, VariantReuseWaits)

func newWorld(t testing.TB, p Profile, opts ...Option) *world {
	t.Helper()
	return newWorldWith(t, settings(spec.DefaultTcpTimedWaitDelay), append([]Option{WithProfile(p)}, opts...)...)
}

func newWorldWith(t testing.TB, s spec.Settings, opts ...Option) *world {
	t.Helper()
	e, err := New(s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, e: e}
	w.listener = w.sock(true)
	w.ok(e.Bind(w.listener, serverAddr))
	w.ok(e.Listen(w.listener, 16))
	return w
}

func (w *world) ok(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatalf("unexpected error: %v", err)
	}
}

func (w *world) is(err error, want error) {
	w.t.Helper()
	if !errors.Is(err, want) && !(err == nil && want == nil) {
		w.t.Fatalf("got %v, want %v", err, want)
	}
}

func (w *world) sock(overlapped bool) spec.Socket {
	w.t.Helper()
	var f uint32
	if overlapped {
		f = spec.WSA_FLAG_OVERLAPPED
	}
	s, err := w.e.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, f)
	w.ok(err)
	return s
}

func (w *world) state(s spec.Socket) spec.State {
	w.t.Helper()
	st, err := w.e.State(s)
	w.ok(err)
	return st
}

func (w *world) wantState(s spec.Socket, want spec.State) {
	w.t.Helper()
	if got := w.state(s); got != want {
		w.t.Fatalf("socket %#x state %v, want %v", s, got, want)
	}
}

// pair returns a connected client (made with connect) and the accepted server end.
func (w *world) pair(overlapped bool) (client, server spec.Socket) {
	w.t.Helper()
	client = w.sock(overlapped)
	w.ok(w.e.Connect(client, serverAddr))
	server, _, err := w.e.Accept(w.listener)
	w.ok(err)
	return client, server
}

func (w *world) ov(ev spec.Handle) spec.Overlapped {
	w.t.Helper()
	ov, err := w.e.NewOverlapped(ev)
	w.ok(err)
	return ov
}

func (w *world) rows(state spec.TCPState) int {
	w.t.Helper()
	rows, err := w.e.TCPTable()
	w.ok(err)
	n := 0
	for _, r := range rows {
		if r.State == state {
			n++
		}
	}
	return n
}
