package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// hangLimit is how long (wall time) one script line may block before the
// interpreter gives up on it: a call that blocks on the emulator with
// nothing scheduled (accept with no connection, wait infinite on an event
// nobody sets) would otherwise hang forever. Virtual-time waits never come
// near it.
var hangLimit = 5 * time.Second

func runScript(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("run", scriptHelp())
	quiet := fs.Bool("q", false, "print only the lines and their results, not the emulator's trace events")
	pos, st := parseFlags(fs, args, stdout, stderr)
	if st >= 0 {
		return st
	}
	if len(pos) != 1 {
		return usageError(fs, stderr, "want exactly one script file (or - for standard input)")
	}
	name := pos[0]
	var in io.Reader
	if name == "-" {
		in = os.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "disconnectex run: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		in = f
	}
	s, err := parseScript(in)
	if err != nil {
		// A syntax error, or a FILE that cannot be read as a script (a
		// directory, a line too long): bad input either way.
		fmt.Fprintf(stderr, "disconnectex run: %s: %v\n", name, err)
		return exitUsage
	}
	return execScript(s, name, !*quiet, stdout, stderr)
}

// script is a parsed script.
type script struct {
	profile  string // "windows" or "documented"
	settings spec.Settings
	calls    []*call
}

// parseScript reads a whole script and checks it.
func parseScript(r io.Reader) (*script, error) {
	p := newParser()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxLine)
	s := &script{}
	for sc.Scan() {
		c, err := p.parseLine(sc.Text())
		if err != nil {
			return nil, err
		}
		if c != nil {
			s.calls = append(s.calls, c)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &syntaxError{p.line + 1, fmt.Sprintf("line longer than %d bytes", maxLine)}
		}
		return nil, fmt.Errorf("reading the script: %w", err)
	}
	if p.calls == 0 {
		if err := p.settingsDone(); err != nil {
			return nil, err
		}
	}
	s.profile, s.settings = p.profile, p.settings
	return s, nil
}

// interp runs a parsed script on one emulator.
type interp struct {
	s       *script
	em      *emulator.Emulator
	verbose bool
	out     io.Writer

	vals     map[string]uint64         // name -> handle or overlapped address
	threads  map[string]spec.Thread    // thread name -> thread
	labels   map[uint64]string         // handle value -> name (for the trace)
	addrs    map[string]netip.AddrPort // listening socket -> its address
	ovs      map[spec.Overlapped]string
	tl       *timeline
	nthreads int // threads started: the emulator numbers them from 1
	live     int // handles, overlappeds and threads created and not yet closed
	recvBuf  [maxRecv]byte
}

// failure is an unmet expectation.
type failure struct {
	line int
	msg  string
}

func execScript(s *script, name string, verbose bool, stdout, stderr io.Writer) int {
	profile := emulator.Windows
	if s.profile == "documented" {
		profile = emulator.Documented
	}
	em, err := emulator.New(s.settings, emulator.WithProfile(profile), emulator.WithTrace())
	if err != nil {
		fmt.Fprintf(stderr, "disconnectex run: %s: %v\n", name, err)
		return exitUsage
	}
	in := &interp{s: s, em: em, verbose: verbose, out: stdout,
		vals: map[string]uint64{}, threads: map[string]spec.Thread{},
		labels: map[uint64]string{}, addrs: map[string]netip.AddrPort{}, ovs: map[spec.Overlapped]string{}}
	in.tl = newTimeline(stdout, in.label)
	in.tl.indent = "    "
	fmt.Fprintf(stdout, "# %s: profile %s, TcpTimedWaitDelay %v, dynamic ports %d-%d\n", filepath.Base(name), profile,
		s.settings.TcpTimedWaitDelay, s.settings.DynamicPorts.Start, int(s.settings.DynamicPorts.Start)+s.settings.DynamicPorts.Count-1)
	var fails []failure
	for _, c := range s.calls {
		f, hung := in.step(c)
		if f != nil {
			fails = append(fails, *f)
		}
		if hung {
			break
		}
	}
	in.flush()
	if len(fails) == 0 {
		fmt.Fprintf(stdout, "# ok: %d calls, every expectation met, virtual time %v\n", len(s.calls), fmtDur(em.Now()))
		return exitOK
	}
	fmt.Fprintf(stdout, "# FAIL: %d unmet expectation(s)\n", len(fails))
	for _, f := range fails {
		fmt.Fprintf(stderr, "%s:%d: %s\n", name, f.line, f.msg)
	}
	return exitUnexpected
}

// label names a handle or overlapped value for the trace ("" if none).
func (in *interp) label(v uint64) string { return in.labels[v] }

// flush prints the trace events not printed yet.
func (in *interp) flush() {
	if in.verbose {
		in.tl.write(in.em.Trace())
	}
}

// result is what one line produced.
type result struct {
	err    error
	value  string   // the verb's value, if it has one
	detail string   // extra words after the result (new handle, packet, data)
	lines  []string // extra lines (the TCP table)
}

// step runs one line, prints it and checks its expectation. hung reports
// that the call never returned.
func (in *interp) step(st *call) (f *failure, hung bool) {
	in.flush()
	fmt.Fprintf(in.out, "%s  line %d: %s\n", fmtAt(in.em.Now()), st.line, lineText(st))
	done := make(chan result, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- result{err: fmt.Errorf("internal error: the call panicked: %v", v)}
			}
		}()
		done <- in.exec(st)
	}()
	timer := time.NewTimer(hangLimit)
	defer timer.Stop()
	var r result
	select {
	case r = <-done:
	case <-timer.C:
		in.flush()
		msg := fmt.Sprintf("%s blocked and nothing in the script can wake it (a blocking call with nothing to wait for); stopping", st.text)
		fmt.Fprintf(in.out, "          !! HUNG: %s\n", msg)
		return &failure{st.line, msg}, true
	}
	in.flush()
	got := "ok"
	if r.err != nil {
		got = errText(r.err)
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
	if e := st.expect; e != nil {
		if msg := e.check(r); msg != "" {
			fmt.Fprintf(in.out, "          !! expected %s, got %s\n", e.text, msg)
			return &failure{st.line, fmt.Sprintf("%s: expected %s, got %s", st.text, e.text, msg)}, false
		}
	}
	return nil, false
}

func lineText(st *call) string {
	t := st.text
	if st.expect != nil {
		t += " -> " + st.expect.text
	}
	return t
}

// errText names an error: "WSAENOTCONN", or the error's text.
func errText(err error) string {
	var e spec.Errno
	if errors.As(err, &e) {
		return e.Name()
	}
	return err.Error()
}

// check returns "" when r meets the expectation, else what r was.
func (e *expectation) check(r result) string {
	got := "ok"
	if r.err != nil {
		got = errText(r.err)
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
// object when the call succeeded.
func (in *interp) bind(name string, v uint64, err error) {
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

// step is one parsed call, ready to run on an interpreter.
type step interface {
	run(in *interp, api spec.API) result
}

// exec issues one line's call(s).
func (in *interp) exec(c *call) (r result) {
	api := in.api(c)
	if api == nil {
		r.err = fmt.Errorf("thread %s did not start", c.thread)
		return r
	}
	return c.step.run(in, api)
}
