package emulator

import (
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/spec"
	"gotest.tools/v3/assert"
)

func TestDiagram(t *testing.T) {
	for _, format := range []string{"mermaid", "dot"} {
		d, err := Diagram(format)
		assert.NilError(t, err)
		for _, want := range []string{"connected", "transmit-closing", "TIME_WAIT", "reusable",
			"DisconnectEx(0)", "DisconnectEx(TF_REUSE_SOCKET), peer FIN first", "TIME_WAIT expires",
			"DisconnectEx(TF_REUSE_SOCKET), we close first"} {
			assert.Assert(t, strings.Contains(d, want), "%s diagram lacks %q", format, want)
		}
		// One edge line per transition.
		n := 0
		for _, line := range strings.Split(d, "\n") {
			if strings.Contains(line, "->") && strings.Contains(line, ":") || strings.Contains(line, "[label=") {
				n++
			}
		}
		assert.Assert(t, n >= len(Transitions()), "%s: %d edge lines for %d transitions", format, n, len(Transitions()))
	}
	_, err := Diagram("svg")
	assert.ErrorContains(t, err, "svg")
	d, _ := Diagram("mermaid")
	assert.Assert(t, strings.HasPrefix(d, "stateDiagram-v2\n"))
	assert.Assert(t, strings.Contains(d, "connected --> transmit_closing : DisconnectEx(0)"), d)
}

// TestTransitionsExercised checks that the state machine is the one the
// emulator runs: every edge of the table shows up in some trace.
func TestTransitionsExercised(t *testing.T) {
	type key struct {
		from, to spec.State
		event    string
	}
	table := map[key]bool{}
	for _, tr := range Transitions() {
		k := key{tr.From, tr.To, tr.Event}
		assert.Assert(t, !table[k], "duplicate %v", tr)
		table[k] = true
	}
	seen := map[key]bool{}
	collect := func(e *Emulator) {
		for _, ev := range e.Trace() {
			if ev.Kind == KindTransition && ev.Call != "TCP" {
				// Every traced transition is an edge of the table:
				// setState takes the target from it, and a missing
				// edge panics in this package's tests (strict mode;
				// TestMissedTransitions covers the other mode).
				seen[key{ev.From, ev.To, ev.Call}] = true
			}
		}
	}
	runs := VariantRuns()
	for seed := uint64(1); seed <= 40; seed++ {
		opts := append([]Option{WithTrace(), WithProfile(profiles[seed%2])}, runs[seed%uint64(len(runs))].Options...)
		collect(chaos(t, seed, 3000, opts...))
	}
	collect(scriptRareTransitions(t))
	collect(scriptAfterClose(t))
	collect(scriptRemote(t))
	for k := range table {
		if !seen[k] {
			t.Errorf("transition never exercised: %v -> %v on %q", k.from, k.to, k.event)
		}
	}
}

// scriptRareTransitions drives the transitions random scripts rarely reach.
func scriptRareTransitions(t *testing.T) *Emulator {
	w := newWorld(t, Windows, WithTrace(), reuseWaits)
	e := w.e
	// shutdown(SD_SEND) keeps the state connected; the peer's FIN then puts
	// the connection in TIME_WAIT: DisconnectEx(TF_REUSE_SOCKET) in TIME_WAIT.
	c, s := w.pair(true)
	w.ok(e.Shutdown(c, spec.SD_SEND))
	w.ok(e.Closesocket(s))
	ov := w.ov(0)
	w.is(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
	w.wantState(c, spec.StateTimeWait)
	w.ok(e.CancelIoEx(spec.Handle(c), ov))
	w.wantState(c, spec.StateTransmitClosing)
	e.Sleep(spec.DefaultTcpTimedWaitDelay)
	w.ok(e.DisconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0)) // TIME_WAIT already over
	w.wantState(c, spec.StateReusable)
	// The same from connected.
	c2, s2 := w.pair(true)
	w.ok(e.Shutdown(c2, spec.SD_SEND))
	w.ok(e.Closesocket(s2))
	e.Sleep(spec.DefaultTcpTimedWaitDelay)
	w.ok(e.DisconnectEx(c2, 0, spec.TF_REUSE_SOCKET, 0))
	c3, s3 := w.pair(true)
	w.ok(e.Shutdown(c3, spec.SD_SEND))
	w.ok(e.Closesocket(s3))
	w.is(e.DisconnectEx(c3, w.ov(0), spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
	w.wantState(c3, spec.StateTimeWait)
	// Delay 0: the peer's FIN ends a pending reuse at once.
	w0 := newWorldWith(t, settings(0), WithTrace())
	c4, s4 := w0.pair(true)
	w0.is(w0.e.DisconnectEx(c4, w0.ov(0), spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
	w0.ok(w0.e.Closesocket(s4))
	w0.wantState(c4, spec.StateReusable)
	// A reused accepted socket taken by AcceptEx again; then closed in each state.
	a := w0.sock(true)
	aov := w0.ov(0)
	w0.is(w0.e.AcceptEx(w0.listener, a, aov), spec.ERROR_IO_PENDING)
	cl := w0.sock(false)
	w0.ok(w0.e.Connect(cl, serverAddr))
	w0.ok(w0.e.Closesocket(cl))
	w0.ok(w0.e.DisconnectEx(a, 0, spec.TF_REUSE_SOCKET, 0))
	w0.is(w0.e.AcceptEx(w0.listener, a, aov), spec.ERROR_IO_PENDING)
	cl2 := w0.sock(false)
	w0.ok(w0.e.Connect(cl2, serverAddr))
	w0.wantState(a, spec.StateConnected)
	// From transmit-closing: a second DisconnectEx(0), then TF_REUSE_SOCKET
	// before the peer closes, the peer's FIN, TIME_WAIT expiry, ConnectEx.
	c5, s5 := w.pair(true)
	w.ok(e.DisconnectEx(c5, 0, 0, 0))
	w.ok(e.DisconnectEx(c5, 0, 0, 0))
	ov5 := w.ov(0)
	w.is(e.DisconnectEx(c5, ov5, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
	w.ok(e.Closesocket(s5))
	w.wantState(c5, spec.StateTimeWait)
	_, err := e.GetOverlappedResult(spec.Handle(c5), ov5, true)
	w.ok(err)
	w.is(e.ConnectEx(c5, serverAddr, ov5), spec.ERROR_IO_PENDING)
	_, _, err = e.Accept(w.listener) // keep the backlog empty for pair()
	w.ok(err)
	// transmit-closing, the peer closed first: reusable at once.
	c6, s6 := w.pair(true)
	w.ok(e.Closesocket(s6))
	w.ok(e.DisconnectEx(c6, 0, 0, 0))
	w.ok(e.DisconnectEx(c6, 0, spec.TF_REUSE_SOCKET, 0))
	w.wantState(c6, spec.StateReusable)
	// transmit-closing, our TIME_WAIT running: TF_REUSE_SOCKET waits in TIME_WAIT; close it there.
	c7, s7 := w.pair(true)
	w.ok(e.DisconnectEx(c7, 0, 0, 0))
	w.ok(e.Closesocket(s7))
	w.is(e.DisconnectEx(c7, w.ov(0), spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
	w.wantState(c7, spec.StateTimeWait)
	w.ok(e.Closesocket(c7))
	u, _ := w.e.Socket(spec.AF_INET, spec.SOCK_DGRAM, 0, 0)
	w.ok(e.Connect(u, serverAddr))
	for _, x := range []spec.Socket{u, c, c3, w.sock(false)} {
		w.ok(e.Closesocket(x))
	}
	// e's trace plus w0's: merge by returning a combined emulator view.
	e.tr.events = append(e.tr.events, w0.e.Trace()...)
	return e
}

// TestMissedTransitions: outside strict mode (the package's tests) a
// missing edge leaves the state as it was and is reported, bounded, by
// MissedTransitions, which the conformance backends check after each case.
func TestMissedTransitions(t *testing.T) {
	strictTransitions = false
	defer func() { strictTransitions = true }()
	e, err := New(spec.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.MissedTransitions()) != 0 {
		t.Fatal("a fresh emulator reports misses")
	}
	e.mu.Lock()
	so := e.sock(s)
	from := so.state
	var tr trigger
	for tr = 0; tr < numTriggers && next[from][tr] != 0; tr++ {
	}
	if tr == numTriggers {
		e.mu.Unlock()
		t.Fatalf("every trigger has an edge from %v", from)
	}
	for range maxMissed + 4 {
		e.setState(so, tr)
	}
	state := so.state
	e.mu.Unlock()
	if state != from {
		t.Errorf("state moved from %v to %v on a missing edge", from, state)
	}
	if m := e.MissedTransitions(); len(m) != maxMissed || !strings.Contains(m[0], "no transition from "+from.String()) {
		t.Errorf("MissedTransitions: %d entries, first %q", len(m), m[0])
	}
}
