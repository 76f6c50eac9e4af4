package main

// The verbs of events, overlappeds, waits, completion ports, threads and
// time, and the settings: each parse function, the typed step it returns
// and what running the step does.

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

type eventStep struct {
	name        string
	manual, set bool
}

func parseEvent(p *parser, a []string) (step, error) {
	if a[1] != "manual" && a[1] != "auto" || len(a) == 3 && a[2] != "set" {
		return nil, p.errf("want: %s", verbIndex["event"].usage())
	}
	return &eventStep{a[0], a[1] == "manual", len(a) == 3}, p.declare(a[0], kEvent)
}

func (st *eventStep) run(in *interp, api spec.API) (r result) {
	if r.err = in.room(); r.err != nil {
		return r
	}
	h, err := api.CreateEvent(st.manual, st.set)
	in.bind(st.name, uint64(h), err)
	r.err = err
	return r
}

type setEventStep struct {
	e     ref
	reset bool
}

func parseSetEvent(reset bool) func(*parser, []string) (step, error) {
	return func(p *parser, a []string) (step, error) {
		e, err := p.handle(a[0])
		return &setEventStep{e, reset}, err
	}
}

func (st *setEventStep) run(in *interp, api spec.API) result {
	if st.reset {
		return result{err: api.ResetEvent(in.handle(st.e))}
	}
	return result{err: api.SetEvent(in.handle(st.e))}
}

type overlappedStep struct {
	name     string
	ev       ref // hEvent: null, or a handle
	nopacket bool
}

func parseOverlapped(p *parser, a []string) (step, error) {
	st := &overlappedStep{name: a[0]}
	if err := p.declare(a[0], kOverlapped); err != nil {
		return nil, err
	}
	rest := a[1:]
	if len(rest) > 0 && rest[len(rest)-1] == "nopacket" {
		st.nopacket = true
		rest = rest[:len(rest)-1]
	}
	switch {
	case len(rest) > 1:
		return nil, p.errf("want: %s", verbIndex["overlapped"].usage())
	case len(rest) == 1 && rest[0] != "null":
		var err error
		if st.ev, err = p.handle(rest[0], kEvent, kSocket, kPort); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (st *overlappedStep) run(in *interp, api spec.API) (r result) {
	if r.err = in.room(); r.err != nil {
		return r
	}
	ev := in.handle(st.ev)
	if st.nopacket {
		ev |= 1
	}
	o, err := api.NewOverlapped(ev)
	in.bind(st.name, uint64(o), err)
	if err == nil {
		in.ovs[o] = st.name
	}
	r.err = err
	return r
}

type freeStep struct{ ov ref }

func parseFree(p *parser, a []string) (step, error) {
	ov, err := p.overlapped(a[0])
	return &freeStep{ov}, err
}

func (st *freeStep) run(in *interp, api spec.API) result {
	err := api.FreeOverlapped(in.ov(st.ov))
	in.released(err)
	return result{err: err}
}

type waitStep struct {
	h ref
	d time.Duration
}

func parseWait(p *parser, a []string) (step, error) {
	h, err := p.handle(a[0])
	if err != nil {
		return nil, err
	}
	d, err := p.duration(a[1])
	return &waitStep{h, d}, err
}

func (st *waitStep) run(in *interp, api spec.API) result {
	return result{err: api.WaitForSingleObject(in.handle(st.h), st.d)}
}

type resultStep struct {
	h, ov ref
	wait  bool
	wsa   bool // WSAGetOverlappedResult, else GetOverlappedResult
}

func parseResult(wsa bool) func(*parser, []string) (step, error) {
	return func(p *parser, a []string) (step, error) {
		st := &resultStep{wsa: wsa}
		var err error
		if st.h, err = p.handle(a[0]); err != nil {
			return nil, err
		}
		if st.ov, err = p.overlapped(a[1]); err != nil {
			return nil, err
		}
		if len(a) == 3 {
			if a[2] != "wait" {
				return nil, p.errf("want: %s", verbIndex[map[bool]string{false: "result", true: "wsaresult"}[wsa]].usage())
			}
			st.wait = true
		}
		return st, nil
	}
}

func (st *resultStep) run(in *interp, api spec.API) (r result) {
	if st.wsa {
		n, flags, err := api.WSAGetOverlappedResult(in.sock(st.h), in.ov(st.ov), st.wait)
		r.err, r.value = err, strconv.FormatUint(uint64(n), 10)
		if err == nil {
			r.detail = fmt.Sprintf("bytes, flags %d", flags)
		}
		return r
	}
	n, err := api.GetOverlappedResult(in.handle(st.h), in.ov(st.ov), st.wait)
	r.err, r.value = err, strconv.FormatUint(uint64(n), 10)
	if err == nil {
		r.detail = "bytes"
	}
	return r
}

type cancelStep struct{ h, ov ref }

func parseCancel(p *parser, a []string) (step, error) {
	h, err := p.handle(a[0])
	if err != nil {
		return nil, err
	}
	ov, err := p.optOverlapped(a, 1)
	return &cancelStep{h, ov}, err
}

func (st *cancelStep) run(in *interp, api spec.API) result {
	return result{err: api.CancelIoEx(in.handle(st.h), in.ov(st.ov))}
}

type portStep struct {
	name        string
	concurrency uint32
}

func parsePort(p *parser, a []string) (step, error) {
	st := &portStep{name: a[0]}
	if len(a) == 2 {
		var err error
		if st.concurrency, err = p.number(a[1], "concurrency"); err != nil {
			return nil, err
		}
	}
	return st, p.declare(a[0], kPort)
}

func (st *portStep) run(in *interp, api spec.API) (r result) {
	if r.err = in.room(); r.err != nil {
		return r
	}
	h, err := api.CreateIoCompletionPort(st.concurrency)
	in.bind(st.name, uint64(h), err)
	r.err = err
	return r
}

type associateStep struct {
	port, s ref
	key     uint32
}

func parseAssociate(p *parser, a []string) (step, error) {
	var st associateStep
	var err error
	if st.port, err = p.handle(a[0]); err != nil {
		return nil, err
	}
	if st.s, err = p.handle(a[1]); err != nil {
		return nil, err
	}
	st.key, err = p.number(a[2], "key")
	return &st, err
}

func (st *associateStep) run(in *interp, api spec.API) result {
	return result{err: api.AssociateCompletionPort(in.handle(st.port), in.sock(st.s), uintptr(st.key))}
}

type skipModesStep struct {
	s     ref
	modes uint8
}

func parseSkipModes(p *parser, a []string) (step, error) {
	s, err := p.handle(a[0])
	if err != nil {
		return nil, err
	}
	m, err := spec.ParseCompletionModes(a[1])
	if err != nil {
		return nil, p.errf("%s", strings.TrimPrefix(err.Error(), "spec: "))
	}
	return &skipModesStep{s, m}, nil
}

func (st *skipModesStep) run(in *interp, api spec.API) result {
	return result{err: api.SetFileCompletionNotificationModes(in.sock(st.s), st.modes)}
}

type dequeueStep struct {
	port ref
	d    time.Duration
}

func parseDequeue(p *parser, a []string) (step, error) {
	h, err := p.handle(a[0])
	if err != nil {
		return nil, err
	}
	d, err := p.duration(a[1])
	return &dequeueStep{h, d}, err
}

func (st *dequeueStep) run(in *interp, api spec.API) (r result) {
	c, err := api.GetQueuedCompletionStatus(in.handle(st.port), st.d)
	r.err = err
	if c.Overlapped != 0 || err == nil {
		r.value = in.ovName(c.Overlapped)
		r.detail = fmt.Sprintf("packet: key %d, %d bytes, overlapped %s", c.Key, c.Bytes, r.value)
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

type postStep struct {
	port, ov ref
	key      uint32
}

func parsePost(p *parser, a []string) (step, error) {
	var st postStep
	var err error
	if st.port, err = p.handle(a[0]); err != nil {
		return nil, err
	}
	if st.key, err = p.number(a[1], "key"); err != nil {
		return nil, err
	}
	st.ov, err = p.optOverlapped(a, 2)
	return &st, err
}

func (st *postStep) run(in *interp, api spec.API) result {
	return result{err: api.PostQueuedCompletionStatus(in.handle(st.port), 0, uintptr(st.key), in.ov(st.ov))}
}

type threadStep struct{ name string }

func parseThread(p *parser, a []string) (step, error) {
	return &threadStep{a[0]}, p.declare(a[0], kThread)
}

func (st *threadStep) run(in *interp, api spec.API) (r result) {
	if r.err = in.room(); r.err != nil {
		return r
	}
	th, err := api.NewThread()
	r.err = err
	if err == nil {
		in.threads[st.name] = th
		in.nthreads++
		in.live++
		r.detail = fmt.Sprintf("its calls show as T%d", in.nthreads)
	}
	return r
}

type sleepStep struct{ d time.Duration }

func parseSleep(p *parser, a []string) (step, error) {
	d, err := p.duration(a[0])
	if err != nil {
		return nil, err
	}
	if d == spec.Infinite {
		return nil, p.errf("sleep infinite would never return")
	}
	return &sleepStep{d}, nil
}

func (st *sleepStep) run(in *interp, api spec.API) result {
	api.Sleep(st.d)
	return result{}
}

// ---- settings ----

func setProfile(p *parser, a []string) error {
	pr, err := emulator.ParseProfile(a[0])
	if err != nil {
		return p.errf("want: set profile windows|documented")
	}
	p.profile = pr
	return nil
}

func setTimedWaitDelay(p *parser, a []string) error {
	d, err := time.ParseDuration(a[0])
	if err != nil {
		return p.errf("bad duration %q (want e.g. 30s)", a[0])
	}
	p.settings.TcpTimedWaitDelay = d
	return nil
}

func setVariant(p *parser, a []string) error {
	var names []string
	for _, v := range emulator.Variants() {
		if v.Clause == a[0] && v.Name == a[1] {
			p.variants = append(p.variants, v.String())
			return nil
		}
		if v.Clause == a[0] {
			names = append(names, v.Name)
		}
	}
	if names == nil {
		return p.errf("clause %q has no variants (see disconnectex report)", a[0])
	}
	return p.errf("clause %s has no variant %q (want %s)", a[0], a[1], orList(names))
}

// setFault parses set fault CALL NTH ACTION [CODE] [DELAY] into a rule;
// the emulator's Fault.Validate has the last word.
func setFault(p *parser, a []string) error {
	f := emulator.Fault{Call: a[0]}
	for _, n := range emulator.FaultCalls() {
		if strings.EqualFold(n, a[0]) {
			f.Call = n
		}
	}
	nth, err := strconv.Atoi(a[1])
	if err != nil {
		return p.errf("bad NTH %q (want a number, 0 for every call)", a[1])
	}
	f.Nth = nth
	rest := a[3:]
	if n := len(rest); n > 0 {
		if d, err := time.ParseDuration(rest[n-1]); err == nil {
			f.Delay, rest = d, rest[:n-1]
		}
	}
	code := ""
	switch len(rest) {
	case 0:
	case 1:
		code = rest[0]
	default:
		return p.errf("want: set fault CALL NTH fail|complete|reset [CODE] [DELAY]")
	}
	switch a[2] {
	case "fail":
		e, err := spec.ParseErrno(code)
		if err != nil {
			return p.errf("fail needs an error CODE, e.g. WSAECONNREFUSED (got %q)", code)
		}
		f.Action, f.Err = emulator.FaultFail, e
	case "complete":
		st, ok := parseStatus(code)
		if !ok {
			return p.errf("complete needs an NTSTATUS CODE, e.g. STATUS_CONNECTION_REFUSED (got %q)", code)
		}
		f.Action, f.Status = emulator.FaultComplete, st
	case "reset":
		if code != "" {
			return p.errf("reset takes no CODE (got %q)", code)
		}
		f.Action = emulator.FaultReset
	default:
		return p.errf("unknown fault action %q (want fail, complete or reset)", a[2])
	}
	if err := f.Validate(); err != nil {
		return p.errf("%s", strings.TrimPrefix(err.Error(), "emulator: "))
	}
	p.faults = append(p.faults, f)
	return nil
}

func setPorts(p *parser, a []string) error {
	start, err1 := strconv.ParseUint(a[0], 10, 16)
	count, err2 := strconv.Atoi(a[1])
	if err1 != nil || err2 != nil {
		return p.errf("bad port range %s %s (want e.g. set ports 49152 8)", a[0], a[1])
	}
	p.settings.DynamicPorts = spec.PortRange{Start: uint16(start), Count: count}
	return nil
}
