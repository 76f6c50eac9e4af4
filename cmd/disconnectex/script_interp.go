package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// interp runs a script's calls on one emulator, line by line, printing
// each line, its result and (verbose) the trace events it caused.
//
// What it holds is bounded: the values of the script's names (at most
// maxNames), the labels of the values names have now, at most maxLive open
// objects in the emulator, and the trace events of one line (the emulator
// streams its trace here and keeps none).
type interp struct {
	em      *emulator.Emulator
	verbose bool
	out     io.Writer

	vals     map[string]uint64         // name -> handle or overlapped address
	threads  map[string]spec.Thread    // thread name -> thread
	labels   map[uint64]string         // handle value -> name (for the trace)
	addrs    map[string]netip.AddrPort // listening socket -> its address
	ovs      map[spec.Overlapped]string
	tl       *timeline
	pending  *[]emulator.Event // trace events not printed yet (the emulator's WithTraceFunc appends)
	nthreads int               // threads started: the emulator numbers them from 1
	live     int               // handles, overlappeds and threads created and not yet closed
	recvBuf  []byte            // recv's buffer, grown to the largest N asked for

	calls    int // lines run
	failures int // unmet expectations
}

func newInterp(em *emulator.Emulator, verbose bool, out io.Writer) *interp {
	in := &interp{em: em, verbose: verbose, out: out,
		vals: map[string]uint64{}, threads: map[string]spec.Thread{},
		labels: map[uint64]string{}, addrs: map[string]netip.AddrPort{}, ovs: map[spec.Overlapped]string{}}
	in.tl = newTimeline(out, in.label)
	in.tl.indent = "    "
	return in
}

// label names a handle or overlapped value for the trace ("" if none).
func (in *interp) label(v uint64) string { return in.labels[v] }

// flush prints the trace events not printed yet, and forgets them.
func (in *interp) flush() {
	if in.pending == nil || len(*in.pending) == 0 {
		return
	}
	in.tl.add(*in.pending)
	if cap(*in.pending) > 4096 {
		*in.pending = nil // a line with a burst of events: do not keep its buffer
	} else {
		clear(*in.pending)
		*in.pending = (*in.pending)[:0]
	}
}

// result is what one line produced.
type result struct {
	err    error
	value  string   // the verb's value, if it has one
	detail string   // extra words after the result (new handle, packet, data)
	lines  []string // extra lines (the TCP table)
}

// outcome is how a line ended, for the loop that runs the script.
type outcome int

const (
	lineOK      outcome = iota // the line ran (and met its expectation, if any)
	lineFailed                 // the line ran and missed its expectation
	lineHung                   // the call blocked with nothing able to release it: stop
	lineStopped                // the line would exceed a limit: stop
)

// step runs one line, prints it and its result and checks its
// expectation. msg says what went wrong when the outcome is not lineOK.
func (in *interp) step(c *call) (o outcome, msg string) {
	in.calls++
	in.flush()
	fmt.Fprintf(in.out, "%s  line %d: %s\n", fmtAt(in.em.Now()), c.line, lineText(c))
	r, hung := in.call(c)
	in.flush()
	if hung {
		msg := fmt.Sprintf("%s blocked, and only a later line could release it (no timeout, no TIME_WAIT to end); stopping", c.text)
		fmt.Fprintf(in.out, "          !! HUNG: %s\n", msg)
		in.failures++
		return lineHung, msg
	}
	var le *limitError
	if errors.As(r.err, &le) {
		fmt.Fprintf(in.out, "          !! LIMIT: %s; stopping\n", le.msg)
		return lineStopped, le.msg
	}
	got := "ok"
	if r.err != nil {
		got = spec.ErrorName(r.err)
	} else if r.value != "" {
		got = r.value
	}
	if r.detail != "" {
		got += " (" + r.detail + ")"
	}
	fmt.Fprintf(in.out, "          => %s\n", got)
	for _, l := range r.lines {
		fmt.Fprintf(in.out, "             %s\n", l)
	}
	if e := c.expect; e != nil {
		if m := e.check(r); m != "" {
			fmt.Fprintf(in.out, "          !! expected %s, got %s\n", e.text, m)
			in.failures++
			return lineFailed, fmt.Sprintf("%s: expected %s, got %s", c.text, e.text, m)
		}
	}
	return lineOK, ""
}

// exec issues one line's call(s). A panic in the emulator is an internal
// error of this line, not the end of the command.
func (in *interp) exec(c *call) (r result) {
	defer func() {
		if v := recover(); v != nil {
			r = result{err: fmt.Errorf("internal error: the call panicked: %v", v)}
		}
	}()
	api := in.api(c)
	if api == nil {
		r.err = fmt.Errorf("thread %s did not start", c.thread)
		return r
	}
	return c.step.run(in, api)
}

func lineText(c *call) string {
	t := c.text
	if c.expect != nil {
		t += " -> " + c.expect.text
	}
	return t
}

// check returns "" when r meets the expectation, else what r was.
func (e *expectation) check(r result) string {
	got := "ok"
	if r.err != nil {
		got = spec.ErrorName(r.err)
	}
	switch {
	case e.any:
		if r.err == nil {
			return "success"
		}
	case e.err != 0:
		var x spec.Errno
		if !errors.As(r.err, &x) || x != e.err {
			return got
		}
	case e.value != "":
		if r.err != nil {
			return got
		}
		if !strings.EqualFold(r.value, e.value) {
			return r.value
		}
	default:
		if r.err != nil {
			return got
		}
	}
	return ""
}

// step is one parsed call, ready to run on an interpreter.
type step interface {
	run(in *interp, api spec.API) result
}

// api returns the API a line issues its call through.
func (in *interp) api(c *call) spec.API {
	if c.thread != "" {
		if th, ok := in.threads[c.thread]; ok {
			return th
		}
		return nil
	}
	return in.em
}

// val is an operand's value: a name's value or a literal.
func (in *interp) val(r ref) uint64 {
	if r.name == "" {
		return r.lit
	}
	return in.vals[r.name]
}

func (in *interp) sock(r ref) spec.Socket   { return spec.Socket(in.val(r)) }
func (in *interp) handle(r ref) spec.Handle { return spec.Handle(in.val(r)) }
func (in *interp) ov(r ref) spec.Overlapped { return spec.Overlapped(in.val(r)) }

// bind gives name the value a creating call returned, and counts the new
// object when the call succeeded. The name's old value loses its label, so
// that the labels stay as many as the names.
func (in *interp) bind(name string, v uint64, err error) {
	if old, ok := in.vals[name]; ok && in.labels[old] == name {
		delete(in.labels, old)
	}
	if old, ok := in.vals[name]; ok && in.ovs[spec.Overlapped(old)] == name {
		delete(in.ovs, spec.Overlapped(old))
	}
	in.vals[name] = v
	if v != 0 && v != uint64(spec.INVALID_SOCKET) {
		in.labels[v] = name
	}
	if err == nil {
		in.live++
	}
}

// released counts an object a successful close or free ended.
func (in *interp) released(err error) {
	if err == nil && in.live > 0 {
		in.live--
	}
}

// maxLive is how many sockets, events, ports, overlappeds and threads a
// script may hold open at once.
const maxLive = 1 << 16

// limitError stops a script that would hold more than a limit allows.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

// room reports a limitError when one more object would exceed maxLive.
func (in *interp) room() error {
	if in.live >= maxLive {
		return &limitError{fmt.Sprintf("the script holds %d open sockets, events, ports, overlappeds and threads, the most it may (close some first)", in.live)}
	}
	return nil
}
