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
		t.events = append(t.events, ev)
	}
	if t.observe != nil {
		t.queue = append(t.queue, ev)
	}
}

// WithTraceFunc is the streaming trace: each event WithTrace would record
// is handed to f as it happens, in order, and nothing is kept (Trace
// returns nil), so a long run costs no memory for its trace. f is called
// with the emulator's lock held: it must not call the emulator (WithObserver
// hands the same events to a function outside the lock). Besides f's
// own work, an event costs the formatting of its Args and Result strings
// (a few hundred bytes of garbage).
func WithTraceFunc(f func(Event)) Option { return func(c *config) { c.traceFunc = f } }

// Trace returns the events recorded so far (nil unless WithTrace was given).
// The slice is a copy.
func (e *Emulator) Trace() []Event {
	if !e.usable() {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tr == nil {
		return nil
	}
	return append([]Event(nil), e.tr.events...)
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
