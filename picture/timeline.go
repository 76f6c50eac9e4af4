package picture

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// LaneKind says what a Lane follows.
type LaneKind uint8

const (
	// SocketLane follows a socket handle through its spec.State values.
	SocketLane LaneKind = iota
	// ConnectionLane follows one TCP connection (a local and remote
	// address pair) through its TCP states, TIME_WAIT included, which may
	// outlive the socket handle.
	ConnectionLane
)

// MarkKind says what a Mark records.
type MarkKind uint8

const (
	MarkCall       MarkKind = iota // a call on the lane's socket
	MarkPending                    // the call returned ERROR_IO_PENDING: a request is in flight
	MarkError                      // the call failed
	MarkCompletion                 // an overlapped request on the socket completed
	MarkFault                      // a fault rule fired on the socket (emulator.KindFault)
)

var markNames = [...]string{"call", "pending", "error", "completion", "fault"}

func (k MarkKind) String() string {
	if int(k) < len(markNames) {
		return markNames[k]
	}
	return fmt.Sprintf("MarkKind(%d)", uint8(k))
}

// Band is a state a lane held from From to To (virtual time). FromSeq and
// ToSeq are the trace positions (Event.Seq) where it began and ended; ToSeq
// is 0 for a band still open at the end of the trace.
type Band struct {
	State          string
	From, To       time.Duration
	FromSeq, ToSeq int
}

// Mark is a call, result or completion on a lane.
type Mark struct {
	Kind MarkKind
	At   time.Duration
	Seq  int
	Text string // the event as the timeline prints it, with names
	// Failed is set on a completion whose status is not success.
	Failed bool
}

// Lane is one row of the picture.
type Lane struct {
	Kind   LaneKind
	Name   string      // the socket's name, or "local -> remote"
	Socket spec.Socket // the socket (for a connection: the socket that owned it)
	Bands  []Band
	Marks  []Mark
}

// Timeline is a trace read into lanes. End is the time of the last event.
type Timeline struct {
	Lanes []Lane
	End   time.Duration
}

// Read builds the timeline of evs, naming values with names (AutoNames(evs)
// when names is nil).
func Read(evs []emulator.Event, names Names) *Timeline {
	if names == nil {
		names = AutoNames(evs)
	}
	r := reader{names: names, sockets: map[spec.Socket]int{}, conns: map[string]int{}}
	tl := &Timeline{}
	for _, ev := range evs {
		if ev.Time > tl.End {
			tl.End = ev.Time
		}
		r.event(tl, ev)
	}
	for i := range tl.Lanes {
		bands := tl.Lanes[i].Bands
		if n := len(bands); n > 0 && bands[n-1].ToSeq == 0 {
			bands[n-1].To = tl.End
		}
	}
	return tl
}

type reader struct {
	names   Names
	sockets map[spec.Socket]int // lane index of each socket
	conns   map[string]int      // lane index of each connection, by "local -> remote"
}

func (r *reader) event(tl *Timeline, ev emulator.Event) {
	switch ev.Kind {
	case emulator.KindResult:
		if s, ok := Created(ev); ok && stems[ev.Call] == "sock" {
			// accept's own transition may come first; then the lane has begun.
			if i := r.socketLane(tl, spec.Socket(s)); len(tl.Lanes[i].Bands) == 0 {
				r.open(tl, i, spec.StateUnconnected.String(), ev)
			}
		}
		if ev.Socket == 0 || ev.Result == "ok" {
			return
		}
		kind := MarkError
		if ev.Result == spec.ERROR_IO_PENDING.Name() {
			kind = MarkPending
		}
		r.mark(tl, ev.Socket, Mark{Kind: kind, At: ev.Time, Seq: ev.Seq, Text: ev.Call + " = " + r.label(ev.Result)})
	case emulator.KindCall:
		if ev.Socket != 0 {
			r.mark(tl, ev.Socket, Mark{Kind: MarkCall, At: ev.Time, Seq: ev.Seq, Text: ev.Call + "(" + r.label(ev.Args) + ")"})
		}
	case emulator.KindCompletion:
		if ev.Socket != 0 {
			text := strings.TrimSpace(ev.Call + " " + r.label(ev.Args) + " " + ev.Result)
			r.mark(tl, ev.Socket, Mark{Kind: MarkCompletion, At: ev.Time, Seq: ev.Seq, Text: text,
				Failed: ev.Result != "STATUS_SUCCESS"})
		}
	case emulator.KindFault:
		if ev.Socket != 0 {
			r.mark(tl, ev.Socket, Mark{Kind: MarkFault, At: ev.Time, Seq: ev.Seq,
				Text: ev.Call + ": " + r.label(ev.Result) + " (" + ev.Args + ")"})
		}
	case emulator.KindTransition:
		from, to, ok := strings.Cut(ev.Result, " -> ")
		if !ok {
			return
		}
		if ev.Call == "TCP" {
			i := r.connLane(tl, ev)
			if len(tl.Lanes[i].Bands) == 0 && from != spec.TCPClosed.String() {
				r.open(tl, i, from, ev)
			}
			r.open(tl, i, to, ev)
			return
		}
		if ev.Socket != 0 {
			i := r.socketLane(tl, ev.Socket)
			if len(tl.Lanes[i].Bands) == 0 {
				r.open(tl, i, from, ev)
			}
			r.open(tl, i, to, ev)
		}
	}
}

// open ends lane i's current band at ev and starts a band of state, unless
// state is the end of the lane's life (closed, CLOSED).
func (r *reader) open(tl *Timeline, i int, state string, ev emulator.Event) {
	l := &tl.Lanes[i]
	if n := len(l.Bands); n > 0 && l.Bands[n-1].ToSeq == 0 {
		l.Bands[n-1].To, l.Bands[n-1].ToSeq = ev.Time, ev.Seq
	}
	if state == spec.StateClosed.String() || state == spec.TCPClosed.String() {
		return
	}
	l.Bands = append(l.Bands, Band{State: state, From: ev.Time, FromSeq: ev.Seq})
}

func (r *reader) mark(tl *Timeline, s spec.Socket, m Mark) {
	i := r.socketLane(tl, s)
	tl.Lanes[i].Marks = append(tl.Lanes[i].Marks, m)
}

func (r *reader) socketLane(tl *Timeline, s spec.Socket) int {
	if i, ok := r.sockets[s]; ok {
		return i
	}
	name := r.names(uint64(s))
	if name == "" {
		name = fmt.Sprintf("%#x", uint64(s))
	}
	tl.Lanes = append(tl.Lanes, Lane{Kind: SocketLane, Name: name, Socket: s})
	r.sockets[s] = len(tl.Lanes) - 1
	return len(tl.Lanes) - 1
}

func (r *reader) connLane(tl *Timeline, ev emulator.Event) int {
	if i, ok := r.conns[ev.Args]; ok {
		return i
	}
	tl.Lanes = append(tl.Lanes, Lane{Kind: ConnectionLane, Name: ev.Args, Socket: ev.Socket})
	r.conns[ev.Args] = len(tl.Lanes) - 1
	return len(tl.Lanes) - 1
}

var hexWord = regexp.MustCompile(`\b0x[0-9a-fA-F]+\b`)

func (r *reader) label(s string) string { return r.names.Label(s) }
