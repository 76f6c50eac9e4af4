package emulator

import (
	"fmt"
	"slices"
	"strings"

	"github.com/disconnectex/disconnectex/spec"
)

// Transition is one edge of the socket life-cycle state machine: in state
// From, Event moves the socket to state To. The emulator changes a socket's
// spec.State only by looking its next state up in this table.
type Transition struct {
	From  spec.State
	To    spec.State
	Event string
}

// trigger is an event that changes a socket's State; its name labels the edge.
type trigger uint8

const (
	trBind trigger = iota
	trImplicitBind
	trListen
	trConnect
	trEstablished
	trRefused
	trConnectDgram
	trAccepted
	trDisconnect0
	trReuseWeFirst
	trReusePeerFirst
	trReuseInTimeWait
	trReuseClosed
	trPeerFIN
	trPeerFINNoWait
	trTimeWaitExpires
	trReuseRowStays
	trPeerFINRowStays
	trCanceled
	trClose
	trConnectTimeout
	trUnreachable
	trConnectCanceled
	numTriggers
)

var triggerNames = [numTriggers]string{
	trBind:            "bind",
	trImplicitBind:    "connect/bind(0): implicit bind",
	trListen:          "listen",
	trConnect:         "connect / ConnectEx",
	trEstablished:     "connection established",
	trRefused:         "connection refused",
	trConnectDgram:    "connect (datagram)",
	trAccepted:        "accept / AcceptEx completes",
	trDisconnect0:     "DisconnectEx(0)",
	trReuseWeFirst:    "DisconnectEx(TF_REUSE_SOCKET), we close first",
	trReusePeerFirst:  "DisconnectEx(TF_REUSE_SOCKET), peer FIN first",
	trReuseInTimeWait: "DisconnectEx(TF_REUSE_SOCKET) during TIME_WAIT",
	trReuseClosed:     "DisconnectEx(TF_REUSE_SOCKET), TIME_WAIT already over",
	trPeerFIN:         "peer FIN: TIME_WAIT starts",
	trPeerFINNoWait:   "peer FIN, TcpTimedWaitDelay 0",
	trTimeWaitExpires: "TIME_WAIT expires",
	trReuseRowStays:   "DisconnectEx(TF_REUSE_SOCKET) during TIME_WAIT, variant after-close: the row stays",
	trPeerFINRowStays: "peer FIN, variant after-close: TIME_WAIT row stays",
	trCanceled:        "TF_REUSE_SOCKET request canceled",
	trClose:           "closesocket",
	trConnectTimeout:  "SYN retransmissions exhausted",
	trUnreachable:     "host or network unreachable",
	trConnectCanceled: "connect canceled",
}

var _ [32 - numTriggers]struct{} // next's second bound holds every trigger

func (t trigger) String() string { return triggerNames[t] }

type edge struct {
	from spec.State
	on   trigger
	to   spec.State
}

// table is the state machine. Order matters only for Transitions and the
// diagrams.
var table = func() []edge {
	const (
		unconnected = spec.StateUnconnected
		bound       = spec.StateBound
		listening   = spec.StateListening
		connecting  = spec.StateConnecting
		connected   = spec.StateConnected
		closing     = spec.StateTransmitClosing
		timeWait    = spec.StateTimeWait
		reusable    = spec.StateReusable
		closed      = spec.StateClosed
	)
	t := []edge{
		{unconnected, trBind, bound},
		{unconnected, trImplicitBind, bound},
		{bound, trListen, listening},
		{bound, trConnect, connecting},
		{bound, trConnectDgram, connected},
		{reusable, trConnect, connecting},
		{connecting, trEstablished, connected},
		{connecting, trRefused, bound},
		{unconnected, trAccepted, connected},
		{reusable, trAccepted, connected},
		{connected, trDisconnect0, closing},
		{closing, trDisconnect0, closing},
		{connected, trReuseWeFirst, closing},
		{closing, trReuseWeFirst, closing},
		{connected, trReusePeerFirst, reusable},
		{closing, trReusePeerFirst, reusable},
		{connected, trReuseInTimeWait, timeWait},
		{closing, trReuseInTimeWait, timeWait},
		{connected, trReuseClosed, reusable},
		{closing, trReuseClosed, reusable},
		{closing, trPeerFIN, timeWait},
		{closing, trPeerFINNoWait, reusable},
		{timeWait, trTimeWaitExpires, reusable},
		{connected, trReuseRowStays, reusable},
		{closing, trReuseRowStays, reusable},
		{closing, trPeerFINRowStays, reusable},
		{timeWait, trCanceled, closing},
		{connecting, trConnectTimeout, bound},
		{connecting, trUnreachable, bound},
		{connecting, trConnectCanceled, bound},
	}
	for _, s := range spec.States() {
		if s != closed && s != connecting { // a connect in progress ends (connect canceled) before closesocket closes
			t = append(t, edge{s, trClose, closed})
		}
	}
	return t
}()

// next[from][trigger] is the target state plus one (0: no such edge). Its
// bounds are powers of two so that a lookup needs no bounds check.
var next = func() (n [16][32]uint8) {
	for _, e := range table {
		if n[e.from][e.on] != 0 {
			panic(fmt.Sprintf("emulator: duplicate transition %v on %q", e.from, e.on))
		}
		n[e.from][e.on] = uint8(e.to) + 1
	}
	return n
}()

// strictTransitions makes a missing edge panic; the package's tests set it.
var strictTransitions = false

// setState moves so along the edge for tr. The target comes from the table.
// An edge the table lacks is a bug in the emulator: the tests panic on it;
// otherwise the state is left as it is and the miss recorded (and traced).
func (e *Emulator) setState(so *socket, tr trigger) {
	to := next[so.state&15][tr&31]
	if to == 0 || e.tr != nil {
		e.setStateSlow(so, tr)
		return
	}
	so.state = spec.State(to - 1) // inlined: the common case
}

// setStateSlow is setState with tracing on or for a missing edge.
func (e *Emulator) setStateSlow(so *socket, tr trigger) {
	to := next[so.state&15][tr&31]
	if to == 0 {
		msg := fmt.Sprintf("emulator: no transition from %v on %q (socket %#x)", so.state, tr, so.h)
		if strictTransitions {
			panic(msg)
		}
		if len(e.missed) < maxMissed { // e.mu is held
			e.missed = append(e.missed, msg)
		}
		if e.tr != nil {
			e.tr.add(e, Event{Kind: KindTransition, Socket: so.h, Call: tr.String(), From: so.state, To: so.state,
				Result: "no transition from " + so.state.String()})
		}
		return
	}
	from := so.state
	so.state = spec.State(to - 1)
	if e.tr != nil {
		e.tr.add(e, Event{Kind: KindTransition, Socket: so.h, Call: tr.String(),
			From: from, To: so.state, Result: from.String() + " -> " + so.state.String()})
	}
}

// maxMissed bounds the misses an emulator keeps: the first ones tell the
// bug; a loop that hits it again does not grow the list.
const maxMissed = 16

// MissedTransitions returns the edges the state machine lacked that this
// emulator met (at most the first 16), each as a message naming the state,
// the trigger and the socket. Any entry is a bug in the emulator: outside
// the package's own tests, where a miss panics, the state is left as it
// was. The conformance suite's emulator backends fail a case that leaves
// one (internal/backends).
func (e *Emulator) MissedTransitions() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.missed)
}

// Transitions returns the state machine the emulator runs on, one entry per
// edge. The slice is a copy.
func Transitions() []Transition {
	out := make([]Transition, len(table))
	for i, e := range table {
		out[i] = Transition{From: e.from, To: e.to, Event: e.on.String()}
	}
	return out
}

// Diagram renders Transitions as a Mermaid state diagram ("mermaid") or a
// Graphviz digraph ("dot").
func Diagram(format string) (string, error) {
	var b strings.Builder
	id := func(s spec.State) string { return strings.ReplaceAll(s.String(), "-", "_") }
	switch format {
	case "mermaid":
		b.WriteString("stateDiagram-v2\n")
		for _, s := range spec.States() {
			if id(s) != s.String() {
				fmt.Fprintf(&b, "    state \"%s\" as %s\n", s, id(s))
			}
		}
		fmt.Fprintf(&b, "    [*] --> %s : socket\n", id(spec.StateUnconnected))
		for _, t := range Transitions() {
			fmt.Fprintf(&b, "    %s --> %s : %s\n", id(t.From), id(t.To), strings.ReplaceAll(t.Event, ":", " -"))
		}
		fmt.Fprintf(&b, "    %s --> [*]\n", id(spec.StateClosed))
	case "dot":
		b.WriteString("digraph disconnectex {\n    rankdir=LR;\n    node [shape=box, style=rounded];\n")
		for _, s := range spec.States() {
			fmt.Fprintf(&b, "    %q;\n", s.String())
		}
		for _, t := range Transitions() {
			fmt.Fprintf(&b, "    %q -> %q [label=%q];\n", t.From.String(), t.To.String(), t.Event)
		}
		b.WriteString("}\n")
	default:
		return "", fmt.Errorf("emulator: unknown diagram format %q (want \"mermaid\" or \"dot\")", format)
	}
	return b.String(), nil
}
