package emulator

import (
	"fmt"
	"strings"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// EventKind says what a trace Event records.
type EventKind uint8

const (
	// KindCall: an API call as issued, with its arguments.
	KindCall EventKind = iota
	// KindResult: what the call returned.
	KindResult
	// KindTransition: a socket changed spec.State, or a connection entered
	// or left the TIME_WAIT table.
	KindTransition
	// KindCompletion: an overlapped request completed.
	KindCompletion
	// KindFault: a fault rule fired on a call, or its delayed effect came
	// due (see Fault). Call is the call, Args names the rule ("rule 2"),
	// Result says what it did.
	KindFault
)

func (k EventKind) String() string {
	switch k {
	case KindCall:
		return "call"
	case KindResult:
		return "result"
	case KindTransition:
		return "transition"
	case KindCompletion:
		return "completion"
	case KindFault:
		return "fault"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one line of the trace. The trace depends only on the calls made
// and their order: handle values, overlapped addresses, ports and virtual
// times are all deterministic.
type Event struct {
	Seq    int           // position in the trace, from 1
	Time   time.Duration // emulator time (virtual by default) when it happened
	Kind   EventKind
	Thread int         // issuing thread: 0 is the main thread
	Socket spec.Socket // socket concerned, 0 if none
	Call   string      // API call name; for transitions, the event that caused it
	Args   string      // call arguments, formatted
	Result string      // "ok", an error name, a state change "connected -> transmit-closing", a status
	// From and To are the states of a KindTransition of a socket.
	From, To spec.State
}

// String formats the event on one line, for example
//
//	[  240s] #12 T0 transition s=0x4 TIME_WAIT -> reusable (TIME_WAIT expires)
func (ev Event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%7s] #%d T%d %s", spec.FormatDuration(ev.Time), ev.Seq, ev.Thread, ev.Kind)
	switch ev.Kind {
	case KindCall:
		fmt.Fprintf(&b, " %s(%s)", ev.Call, ev.Args)
	case KindResult:
		fmt.Fprintf(&b, " %s = %s", ev.Call, ev.Result)
		if ev.Args != "" {
			fmt.Fprintf(&b, " [%s]", ev.Args)
		}
	case KindTransition:
		if ev.Socket != 0 {
			fmt.Fprintf(&b, " s=%#x", uintptr(ev.Socket))
		}
		fmt.Fprintf(&b, " %s (%s)", ev.Result, ev.Call)
		if ev.Args != "" {
			fmt.Fprintf(&b, " %s", ev.Args)
		}
	case KindCompletion:
		fmt.Fprintf(&b, " s=%#x %s %s %s", uintptr(ev.Socket), ev.Call, ev.Args, ev.Result)
	case KindFault:
		fmt.Fprintf(&b, " %s", ev.Call)
		if ev.Socket != 0 {
			fmt.Fprintf(&b, " s=%#x", uintptr(ev.Socket))
		}
		fmt.Fprintf(&b, ": %s (%s)", ev.Result, ev.Args)
	}
	return b.String()
}

type tracer struct {
	events []Event
	seq    int         // events so far
	keep   bool        // WithTrace (without WithTraceFunc): events are kept
	sink   func(Event) // WithTraceFunc: each event goes here and is not kept
	ring   int         // WithTraceRing: keep at most this many events (0: all)
	next   int         // ring: where the next event goes once events is full

	// WithObserver (observer.go): events wait in queue until a call
	// returns and hands them to observe, outside the lock.
	observe      func(Event)
	queue, spare []Event
	delivering   bool
}

// add records an event stamped with the current time. Callers check e.tr != nil.
func (t *tracer) add(e *Emulator, ev Event) {
	t.seq++
	ev.Seq = t.seq
	if ev.Time == 0 {
		ev.Time = time.Duration(e.now())
	}
	if t.sink != nil {
		t.sink(ev)
	} else if t.keep {
		t.keepEvent(ev)
	}
	if t.observe != nil {
		t.queue = append(t.queue, ev)
	}
}

// keepEvent keeps ev: appended, or with a full ring in place of the oldest.
func (t *tracer) keepEvent(ev Event) {
	if t.ring > 0 && len(t.events) == t.ring {
		t.events[t.next] = ev // the oldest event's strings become garbage
		t.next++
		if t.next == t.ring {
			t.next = 0
		}
		return
	}
	t.events = append(t.events, ev)
}

// kept returns the kept events, oldest first, in a new slice.
func (t *tracer) kept() []Event {
	if len(t.events) == 0 {
		return nil
	}
	out := make([]Event, 0, len(t.events))
	out = append(out, t.events[t.next:]...)
	return append(out, t.events[:t.next]...)
}

// WithTraceFunc is the streaming trace: each event WithTrace would record
// is handed to f as it happens, in order, and nothing is kept (Trace
// returns nil), so a long run costs no memory for its trace. f is called
// with the emulator's lock held: it must not call the emulator (WithObserver
// hands the same events to a function outside the lock). Besides f's
// own work, an event costs the formatting of its Args and Result strings
// (a few hundred bytes of garbage).
func WithTraceFunc(f func(Event)) Option { return func(c *config) { c.traceFunc = f } }

// WithTraceRing is the bounded trace: it records what WithTrace records
// but keeps only the last n events (n >= 1; New fails otherwise), so a run
// of any length holds at most n events. Trace returns them oldest first;
// their Seq numbers keep counting from the start of the run, so the first
// kept event's Seq-1 events were dropped. The ring is allocated as it
// fills, one Event (96 bytes on 64-bit platforms, unsafe.Sizeof(Event{}))
// per slot, and each kept event also holds its Args and Result strings
// (typically 20 to 80 bytes; a call name is a constant and costs nothing).
// An event that falls off the ring leaves its strings to the garbage
// collector. Each event costs the same formatting work as with WithTrace.
// WithTraceFunc, given too, takes precedence: nothing is kept.
func WithTraceRing(n int) Option {
	return func(c *config) {
		if n < 1 {
			if c.err == nil {
				c.err = fmt.Errorf("emulator: WithTraceRing(%d): the ring must hold at least one event", n)
			}
			return
		}
		c.trace, c.traceRing = true, n
	}
}

// Trace returns the events recorded so far (nil unless WithTrace or
// WithTraceRing was given), oldest first. The slice is a copy.
func (e *Emulator) Trace() []Event {
	if !e.usable() {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tr == nil {
		return nil
	}
	if e.tr.sink != nil {
		return nil
	}
	return e.tr.kept()
}

// TraceString returns the trace, one event per line.
func (e *Emulator) TraceString() string {
	var b strings.Builder
	for _, ev := range e.Trace() {
		b.WriteString(ev.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func (e *Emulator) traceCall(t *thread, call string, s spec.Socket, args string) {
	e.tr.add(e, Event{Kind: KindCall, Thread: t.id, Socket: s, Call: call, Args: args})
}

func (e *Emulator) traceResult(t *thread, call string, s spec.Socket, err error, extra string) {
	e.tr.add(e, Event{Kind: KindResult, Thread: t.id, Socket: s, Call: call, Result: resultName(err), Args: extra})
}

func resultName(err error) string {
	if err == nil {
		return "ok"
	}
	if c, ok := err.(spec.Errno); ok {
		return c.Name()
	}
	return err.Error()
}
