package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
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
	fs := flagSet("run", scriptHelp)
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

// interp runs a parsed script on one emulator.
type interp struct {
	s       *script
	em      *emulator.Emulator
	verbose bool
	out     io.Writer

	vals     map[string]uint64         // name -> handle or overlapped address
	kinds    map[string]kind           // name -> what it is
	threads  map[string]spec.Thread    // thread name -> thread
	labels   map[uint64]string         // handle value -> name (for the trace)
	addrs    map[string]netip.AddrPort // listening socket -> its address
	ovs      map[spec.Overlapped]string
	tl       *timeline
	nthreads int // threads started: the emulator numbers them from 1
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
		vals: map[string]uint64{}, kinds: map[string]kind{}, threads: map[string]spec.Thread{},
		labels: map[uint64]string{}, addrs: map[string]netip.AddrPort{}, ovs: map[spec.Overlapped]string{}}
	in.tl = newTimeline(stdout, in.label)
	in.tl.indent = "    "
	fmt.Fprintf(stdout, "# %s: profile %s, TcpTimedWaitDelay %v, dynamic ports %d-%d\n", filepath.Base(name), profile,
		s.settings.TcpTimedWaitDelay, s.settings.DynamicPorts.Start, int(s.settings.DynamicPorts.Start)+s.settings.DynamicPorts.Count-1)
	var fails []failure
	for _, st := range s.stmts {
		f, hung := in.step(st)
		if f != nil {
			fails = append(fails, *f)
		}
		if hung {
			break
		}
	}
	in.flush()
	if len(fails) == 0 {
		fmt.Fprintf(stdout, "# ok: %d calls, every expectation met, virtual time %v\n", len(s.stmts), fmtDur(em.Now()))
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
func (in *interp) step(st *stmt) (f *failure, hung bool) {
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

func lineText(st *stmt) string {
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
func (in *interp) api(st *stmt) spec.API {
	if st.thread != "" {
		if th, ok := in.threads[st.thread]; ok {
			return th
		}
		return nil
	}
	return in.em
}

// operand i as a value: a name's value or a literal.
func (in *interp) v(st *stmt, i int) uint64 {
	if st.names[i] == "" {
		return st.lits[i]
	}
	return in.vals[st.names[i]]
}

func (in *interp) sock(st *stmt, i int) spec.Socket   { return spec.Socket(in.v(st, i)) }
func (in *interp) handle(st *stmt, i int) spec.Handle { return spec.Handle(in.v(st, i)) }
func (in *interp) ov(st *stmt, i int) spec.Overlapped { return spec.Overlapped(in.v(st, i)) }
func (in *interp) bind(name string, k kind, v uint64) {
	in.vals[name], in.kinds[name] = v, k
	if v != 0 && v != uint64(spec.INVALID_SOCKET) {
		in.labels[v] = name
	}
}

// targetAddr resolves a TARGET operand.
func (in *interp) targetAddr(api spec.API, st *stmt) (netip.AddrPort, error) {
	if st.hasAddr {
		return st.addr, nil
	}
	if a, ok := in.addrs[st.target]; ok {
		return a, nil
	}
	return api.Getsockname(spec.Socket(in.vals[st.target]))
}

// exec issues one line's call(s).
func (in *interp) exec(st *stmt) (r result) {
	api := in.api(st)
	if api == nil {
		r.err = fmt.Errorf("thread %s did not start", st.thread)
		return r
	}
	switch st.verb {
	case "socket":
		f := families[st.word]
		var flags uint32
		if st.opt {
			flags = spec.WSA_FLAG_OVERLAPPED
		}
		s, err := api.Socket(f[0], f[1], f[2], flags)
		in.bind(st.names[0], kSocket, uint64(s))
		r.err = err
	case "bind":
		r.err = api.Bind(in.sock(st, 0), st.addr)
	case "listen":
		if st.opt {
			s, err := api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
			if st.addr.Addr().Is6() {
				s, err = api.Socket(spec.AF_INET6, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
			}
			in.bind(st.names[0], kSocket, uint64(s))
			if err != nil {
				r.err = err
				return
			}
		}
		s := in.sock(st, 0)
		if st.hasAddr {
			if r.err = api.Bind(s, st.addr); r.err != nil {
				return
			}
		}
		if r.err = api.Listen(s, 16); r.err == nil {
			if a, err := api.Getsockname(s); err == nil {
				r.detail = "listening on " + a.String()
				if st.names[0] != "" {
					in.addrs[st.names[0]] = a
				}
			}
		}
	case "connect":
		a, err := in.targetAddr(api, st)
		if err != nil {
			r.err = err
			return
		}
		r.err = api.Connect(in.sock(st, 0), a)
		r.detail = "to " + a.String()
	case "accept":
		s, a, err := api.Accept(in.sock(st, 1))
		in.bind(st.names[0], kSocket, uint64(s))
		r.err = err
		if err == nil {
			r.detail = "from " + a.String()
		}
	case "connectex":
		a, err := in.targetAddr(api, st)
		if err != nil {
			r.err = err
			return
		}
		r.err = api.ConnectEx(in.sock(st, 0), a, in.ov(st, 1))
		r.detail = "to " + a.String()
	case "acceptex":
		r.err = api.AcceptEx(in.sock(st, 0), in.sock(st, 1), in.ov(st, 2))
	case "updatecontext":
		if len(st.names) == 2 {
			r.err = api.UpdateAcceptContext(in.sock(st, 0), in.sock(st, 1))
		} else {
			r.err = api.UpdateConnectContext(in.sock(st, 0))
		}
	case "send":
		n, err := api.Send(in.sock(st, 0), []byte(st.data))
		r.err, r.value = err, strconv.Itoa(n)
	case "recv":
		buf := make([]byte, st.num)
		n, err := api.Recv(in.sock(st, 0), buf)
		r.err, r.value = err, strconv.Itoa(n)
		if err == nil && n > 0 {
			r.detail = strconv.Quote(string(buf[:n]))
		} else if err == nil {
			r.detail = "end of stream: the peer sent its FIN"
		}
	case "shutdown":
		r.err = api.Shutdown(in.sock(st, 0), int(st.num))
	case "linger":
		r.err = api.SetLinger(in.sock(st, 0), st.opt, uint16(st.num))
	case "sockname", "peername":
		get := api.Getsockname
		if st.verb == "peername" {
			get = api.Getpeername
		}
		a, err := get(in.sock(st, 0))
		r.err, r.value = err, a.String()
	case "state":
		intro, ok := api.(interface {
			State(spec.Socket) (spec.State, error)
		})
		if !ok {
			intro = in.em
		}
		s, err := intro.State(in.sock(st, 0))
		r.err, r.value = err, s.String()
	case "close":
		name := st.names[0]
		switch {
		case name == "":
			r.err = api.Closesocket(in.sock(st, 0))
		case in.kinds[name] == kSocket:
			r.err = api.Closesocket(in.sock(st, 0))
		case in.kinds[name] == kEvent || in.kinds[name] == kPort:
			r.err = api.CloseHandle(in.handle(st, 0))
		case in.kinds[name] == kOverlapped:
			r.err = api.FreeOverlapped(in.ov(st, 0))
		case in.kinds[name] == kThread:
			th, ok := in.threads[name]
			if !ok {
				r.err = fmt.Errorf("thread %s did not start", name)
				return
			}
			r.err = th.Exit()
		}
	case "disconnectex":
		r.err = api.DisconnectEx(in.sock(st, 0), in.ov(st, 1), uint32(st.num), uint32(st.num2))
	case "extension":
		p, err := api.GetExtensionFunction(in.sock(st, 0), guids[st.word])
		r.err = err
		if err == nil && p != 0 {
			r.detail = "a function pointer"
		}
	case "event":
		h, err := api.CreateEvent(st.word == "manual", st.opt)
		in.bind(st.names[0], kEvent, uint64(h))
		r.err = err
	case "setevent":
		r.err = api.SetEvent(in.handle(st, 0))
	case "resetevent":
		r.err = api.ResetEvent(in.handle(st, 0))
	case "overlapped":
		ev := in.handle(st, 1)
		if st.opt {
			ev |= 1
		}
		o, err := api.NewOverlapped(ev)
		in.bind(st.names[0], kOverlapped, uint64(o))
		if err == nil {
			in.ovs[o] = st.names[0]
		}
		r.err = err
	case "free":
		r.err = api.FreeOverlapped(in.ov(st, 0))
	case "wait":
		r.err = api.WaitForSingleObject(in.handle(st, 0), st.dur)
	case "result":
		n, err := api.GetOverlappedResult(in.handle(st, 0), in.ov(st, 1), st.opt)
		r.err, r.value = err, strconv.FormatUint(uint64(n), 10)
		if err == nil {
			r.detail = "bytes"
		}
	case "wsaresult":
		n, flags, err := api.WSAGetOverlappedResult(in.sock(st, 0), in.ov(st, 1), st.opt)
		r.err, r.value = err, strconv.FormatUint(uint64(n), 10)
		if err == nil {
			r.detail = fmt.Sprintf("bytes, flags %d", flags)
		}
	case "cancel":
		r.err = api.CancelIoEx(in.handle(st, 0), in.ov(st, 1))
	case "port":
		h, err := api.CreateIoCompletionPort(uint32(st.num))
		in.bind(st.names[0], kPort, uint64(h))
		r.err = err
	case "associate":
		r.err = api.AssociateCompletionPort(in.handle(st, 0), in.sock(st, 1), uintptr(st.num))
	case "skipmodes":
		r.err = api.SetFileCompletionNotificationModes(in.sock(st, 0), uint8(st.num))
	case "dequeue":
		c, err := api.GetQueuedCompletionStatus(in.handle(st, 0), st.dur)
		r.err = err
		if c.Overlapped != 0 || err == nil {
			r.value = in.ovName(c.Overlapped)
			r.detail = fmt.Sprintf("packet: key %d, %d bytes, overlapped %s", c.Key, c.Bytes, r.value)
		}
	case "post":
		r.err = api.PostQueuedCompletionStatus(in.handle(st, 0), 0, uintptr(st.num), in.ov(st, 1))
	case "thread":
		th, err := api.NewThread()
		r.err = err
		if err == nil {
			in.threads[st.names[0]] = th
			in.nthreads++
			r.detail = fmt.Sprintf("its calls show as T%d", in.nthreads)
		}
		in.kinds[st.names[0]] = kThread
	case "sleep":
		api.Sleep(st.dur)
	case "table":
		rows, err := api.TCPTable()
		r.err, r.value = err, strconv.Itoa(len(rows))
		r.detail = "rows"
		for _, row := range rows {
			r.lines = append(r.lines, fmt.Sprintf("%-22s %-22s %s", row.Local, row.Remote, row.State))
		}
	default:
		r.err = fmt.Errorf("internal error: verb %q not implemented", st.verb)
	}
	return r
}

// ovName names an overlapped value: its script name, null, or the number.
func (in *interp) ovName(o spec.Overlapped) string {
	if o == 0 {
		return "null"
	}
	if n, ok := in.ovs[o]; ok {
		return n
	}
	return fmt.Sprintf("%#x", uint64(o))
}
