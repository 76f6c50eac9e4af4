package main

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/disconnectex/disconnectex/conformance"
	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/internal/backends"
	"github.com/disconnectex/disconnectex/spec"
)

const traceHelp = `Usage: disconnectex trace [-profile windows|documented] [-format text|json|mermaid|svg] CASE
       disconnectex trace -list

Run one conformance case on the emulator with tracing on and print its
timeline: the virtual time of every event, each call and its result, each
socket's state transitions and TCP state changes, and each completion of an
overlapped request. Virtual time makes a 240 s TIME_WAIT pass instantly.

-format picks the output: text (the timeline below), json (the events
with handles named, and every socket's state after each event), mermaid
(a sequenceDiagram of the calls between threads and sockets) or svg (a
timeline 1200 px wide with one lane per socket and per TCP connection and
state bands to scale on the virtual time axis). The picture formats draw
the first emulator the case builds.

CASE is a case name as 'trace -list' prints it (group/what-it-checks); a
unique part of a name is enough. The exit status is 1 if the case fails on
the chosen profile (a known divergence counts as expected), 2 if CASE names
no case.

Each line of the timeline reads

  TIME  THREAD  KIND        WHAT

where KIND is call, result, transition (socket state or TCP state) or
completion. Sockets, events, ports and overlappeds are named in the order
the case creates them (sock1, sock2, event1, port1, ov1, ...); scripts run
with 'run' use their own names.
`

func runTrace(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("trace", traceHelp)
	list := fs.Bool("list", false, "list the cases with the clauses they check")
	profile := fs.String("profile", "windows", "emulator profile: windows or documented")
	format := fs.String("format", "text", "output: text, json, mermaid or svg")
	pos, st := parseFlags(fs, args, stdout, stderr)
	if st >= 0 {
		return st
	}
	if st := checkFormat(fs, stderr, *format, traceFormats...); st >= 0 {
		return st
	}
	p, err := emulator.ParseProfile(*profile)
	if err != nil {
		return usageError(fs, stderr, "unknown -profile %q (want windows or documented)", *profile)
	}
	if *list {
		if len(pos) != 0 {
			return usageError(fs, stderr, "-list takes no case")
		}
		tw := newTable(stdout)
		for _, c := range conformance.Cases() {
			fmt.Fprintf(tw, "%s\t%s\n", c.Name, strings.Join(c.Clauses, " "))
		}
		tw.Flush()
		return exitOK
	}
	if len(pos) != 1 {
		return usageError(fs, stderr, "want exactly one case name (trace -list lists them)")
	}
	if strings.TrimSpace(pos[0]) == "" {
		return usageError(fs, stderr, "empty case name (trace -list lists them)")
	}
	c, matches := findCase(pos[0])
	if c == nil {
		if len(matches) > 1 {
			fmt.Fprintf(stderr, "disconnectex trace: %q matches %d cases; say which:\n", pos[0], len(matches))
			for _, m := range matches {
				fmt.Fprintf(stderr, "  %s\n", m)
			}
		} else {
			fmt.Fprintf(stderr, "disconnectex trace: no case named %q; 'disconnectex trace -list' lists them\n", pos[0])
		}
		return exitUsage
	}
	return traceCase(*c, p, *format, stdout, stderr)
}

// findCase finds a case by exact name, else by a unique substring. It
// returns the candidates when the name is ambiguous.
func findCase(name string) (*conformance.Case, []string) {
	if c, ok := conformance.Lookup(name); ok {
		return &c, nil
	}
	var hits []conformance.Case
	for _, c := range conformance.Cases() {
		if strings.Contains(c.Name, name) {
			hits = append(hits, c)
		}
	}
	if len(hits) == 1 {
		return &hits[0], nil
	}
	var names []string
	for _, c := range hits {
		names = append(names, c.Name)
	}
	return nil, names
}

// traceCase runs c on a tracing emulator and prints the timeline of every
// emulator the case built (usually one).
func traceCase(c conformance.Case, p emulator.Profile, format string, stdout, stderr io.Writer) int {
	var mu sync.Mutex
	var ems []*emulator.Emulator
	b := emulatorBackend(p, backends.Options{
		Emulator: []emulator.Option{emulator.WithTrace()},
		OnEmulator: func(em *emulator.Emulator) {
			mu.Lock()
			ems = append(ems, em)
			mu.Unlock()
		},
	})
	r := conformance.Execute(b, c)
	if format != "text" {
		return tracePicture(c, r, ems, format, stdout, stderr)
	}

	fmt.Fprintf(stdout, "# case %s on emulator-%s\n", c.Name, p)
	fmt.Fprintf(stdout, "# clauses: %s\n", strings.Join(c.Clauses, ", "))
	for _, id := range c.Clauses {
		if cl, ok := spec.Lookup(id); ok {
			wrap(stdout, "#   "+id+": ", cl.Page, 100)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for i, em := range ems {
		s := em.Settings()
		fmt.Fprintf(stdout, "#\n# emulator %d: TcpTimedWaitDelay %v, dynamic ports %d-%d\n", i+1, s.TcpTimedWaitDelay,
			s.DynamicPorts.Start, int(s.DynamicPorts.Start)+s.DynamicPorts.Count-1)
		tl := newTimeline(stdout, nil)
		tl.write(em.Trace())
		fmt.Fprintf(stdout, "# virtual time at the end: %s\n", spec.FormatDuration(em.Now()))
	}
	if len(ems) == 0 {
		fmt.Fprintf(stdout, "# (the case built no emulator)\n")
	}
	for _, l := range r.Logs {
		fmt.Fprintf(stdout, "# log: %s\n", l)
	}
	for _, m := range r.Messages {
		fmt.Fprintf(stdout, "# failure: %s\n", m)
	}
	fmt.Fprintf(stdout, "# outcome: %s", label(r.Outcome))
	if r.Reason != "" {
		fmt.Fprintf(stdout, " (%s)", r.Reason)
	}
	fmt.Fprintf(stdout, "\n")
	if r.Outcome.Failed() {
		fmt.Fprintf(stderr, "disconnectex trace: case %s: %s\n", c.Name, label(r.Outcome))
		return exitUnexpected
	}
	return exitOK
}

// tracePicture writes the first emulator's trace of a case in a picture
// format; the outcome goes to stderr when the case failed.
func tracePicture(c conformance.Case, r conformance.Result, ems []*emulator.Emulator, format string, stdout, stderr io.Writer) int {
	var evs []emulator.Event
	if len(ems) > 0 {
		evs = ems[0].Trace()
	}
	if err := writePicture(stdout, format, "case "+c.Name, evs, nil); err != nil {
		fmt.Fprintf(stderr, "disconnectex trace: %v\n", err)
		return exitUnexpected
	}
	if r.Outcome.Failed() {
		fmt.Fprintf(stderr, "disconnectex trace: case %s: %s\n", c.Name, label(r.Outcome))
		return exitUnexpected
	}
	return exitOK
}

// timeline prints trace events, one per line, remembering how many it has
// printed so that it can be called again with a longer trace.
type timeline struct {
	w       io.Writer
	label   func(uint64) string // names a handle or overlapped value, or ""
	indent  string
	printed int

	// With no label function, the timeline names what the calls create
	// itself, in order: sock1, sock2, event1, port1, ov1...
	auto   map[uint64]string
	counts map[string]int
}

// newTimeline prints events to w, naming values with label, or with
// names of its own when label is nil.
func newTimeline(w io.Writer, label func(uint64) string) *timeline {
	t := &timeline{w: w, label: label}
	if label == nil {
		t.auto, t.counts = map[uint64]string{}, map[string]int{}
		t.label = func(v uint64) string { return t.auto[v] }
	}
	return t
}

// autoNames are the name stems of created things, by creating call.
// They are call names the emulator's trace uses (TestAutoNamesAreCalls).
var autoNames = map[string]string{"WSASocketW": "sock", "accept": "sock", "CreateEvent": "event",
	"CreateIoCompletionPort": "port", "NewOverlapped": "ov"}

// learn names the value a creating call returned.
func (t *timeline) learn(ev emulator.Event) {
	stem, ok := autoNames[ev.Call]
	if t.auto == nil || !ok || ev.Kind != emulator.KindResult || ev.Result != "ok" {
		return
	}
	n, err := strconv.ParseUint(ev.Args, 10, 64)
	if err != nil || n == 0 {
		return
	}
	t.counts[stem]++
	t.auto[n] = fmt.Sprintf("%s%d", stem, t.counts[stem])
}

// isCreator reports whether call's result carries a new handle or
// overlapped.
func isCreator(call string) bool {
	_, ok := autoNames[call]
	return ok
}

var bigDecimal = regexp.MustCompile(`\b[0-9]{10,}\b`)

var hexWord = regexp.MustCompile(`\b0x[0-9a-fA-F]+\b`)

// names replaces the hex values the label function knows by their names.
func (t *timeline) names(s string) string {
	if t.label == nil {
		return s
	}
	return hexWord.ReplaceAllStringFunc(s, func(w string) string {
		var v uint64
		if _, err := fmt.Sscanf(w, "0x%x", &v); err == nil {
			if n := t.label(v); n != "" {
				return n
			}
		}
		return w
	})
}

func (t *timeline) sock(s spec.Socket) string {
	return t.names(fmt.Sprintf("%#x", uint64(s)))
}

// write prints the events after the ones already printed.
func (t *timeline) write(evs []emulator.Event) {
	if t.printed > len(evs) {
		t.printed = 0
	}
	t.add(evs[t.printed:])
	t.printed = len(evs)
}

// add prints evs, events it has not printed before.
func (t *timeline) add(evs []emulator.Event) {
	for _, ev := range evs {
		t.learn(ev) // first, so that a transition printed before its call's result is named too
	}
	for _, ev := range evs {
		fmt.Fprintf(t.w, "%s%s  T%d  %-10s  %s\n", t.indent, fmtAt(ev.Time), ev.Thread, ev.Kind, t.what(ev))
	}
}

func (t *timeline) what(ev emulator.Event) string {
	var b strings.Builder
	switch ev.Kind {
	case emulator.KindCall:
		fmt.Fprintf(&b, "%s(%s)", ev.Call, t.names(ev.Args))
	case emulator.KindResult:
		fmt.Fprintf(&b, "%s = %s", ev.Call, t.names(ev.Result))
		if ev.Args != "" && !strings.HasPrefix(ev.Args, "&{") { // a Go pointer (CreateThread): not deterministic
			extra := ev.Args
			if n, err := strconv.ParseUint(extra, 10, 64); err == nil && isCreator(ev.Call) {
				extra = fmt.Sprintf("%#x", n) // a new handle or overlapped: hex like the arguments
			} else {
				extra = bigDecimal.ReplaceAllStringFunc(extra, func(w string) string {
					n, err := strconv.ParseUint(w, 10, 64)
					if err != nil || n < 1<<32 {
						return w
					}
					return fmt.Sprintf("%#x", n) // an overlapped address, as in a packet
				})
			}
			fmt.Fprintf(&b, " [%s]", t.names(extra))
		}
	case emulator.KindTransition:
		if ev.Socket != 0 {
			fmt.Fprintf(&b, "%s: ", t.sock(ev.Socket))
		}
		fmt.Fprintf(&b, "%s (%s)", t.names(ev.Result), ev.Call)
		if ev.Args != "" {
			fmt.Fprintf(&b, " %s", t.names(ev.Args))
		}
	case emulator.KindCompletion:
		if ev.Socket != 0 {
			fmt.Fprintf(&b, "%s: ", t.sock(ev.Socket))
		}
		fmt.Fprintf(&b, "%s %s %s", ev.Call, t.names(ev.Args), t.names(ev.Result))
	case emulator.KindFault:
		if ev.Socket != 0 {
			fmt.Fprintf(&b, "%s: ", t.sock(ev.Socket))
		}
		fmt.Fprintf(&b, "%s: %s (%s)", ev.Call, t.names(ev.Result), ev.Args)
	default:
		fmt.Fprintf(&b, "%s %s %s", ev.Call, t.names(ev.Args), t.names(ev.Result))
	}
	return strings.TrimSpace(b.String())
}

// fmtAt is a right-aligned virtual time column.
func fmtAt(d time.Duration) string { return fmt.Sprintf("%8s", spec.FormatDuration(d)) }
