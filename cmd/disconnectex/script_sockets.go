package main

// The socket verbs: each verb's parse function, the typed step it returns
// and what running the step does.

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/disconnectex/disconnectex/spec"
)

// family is a socket kind a script names: tcp, udp6, ...
type family struct {
	name              string
	af, typ, protocol int
}

var familyList = []family{
	{"tcp", spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP},
	{"tcp6", spec.AF_INET6, spec.SOCK_STREAM, spec.IPPROTO_TCP},
	{"udp", spec.AF_INET, spec.SOCK_DGRAM, spec.IPPROTO_UDP},
	{"udp6", spec.AF_INET6, spec.SOCK_DGRAM, spec.IPPROTO_UDP},
	{"seqpacket", spec.AF_INET, spec.SOCK_SEQPACKET, 0},
	{"rdm", spec.AF_INET, spec.SOCK_RDM, 0},
	{"raw", spec.AF_INET, spec.SOCK_RAW, 0},
}

var familyNames = func() (n []string) {
	for _, f := range familyList {
		n = append(n, f.name)
	}
	return n
}()

type socketStep struct {
	name       string
	fam        family
	overlapped bool
}

func parseSocket(p *parser, a []string) (step, error) {
	i := indexOf(familyNames, a[1])
	if i < 0 {
		return nil, p.errf("unknown socket kind %q (want %s)", a[1], orList(familyNames))
	}
	st := &socketStep{name: a[0], fam: familyList[i]}
	if len(a) == 3 {
		if a[2] != "overlapped" {
			return nil, p.errf("unknown socket option %q (want overlapped)", a[2])
		}
		st.overlapped = true
	}
	return st, p.declare(a[0], kSocket)
}

func (st *socketStep) run(in *interp, api spec.API) (r result) {
	if r.err = in.room(); r.err != nil {
		return r
	}
	var flags uint32
	if st.overlapped {
		flags = spec.WSA_FLAG_OVERLAPPED
	}
	s, err := api.Socket(st.fam.af, st.fam.typ, st.fam.protocol, flags)
	in.bind(st.name, uint64(s), err)
	r.err = err
	return r
}

type bindStep struct {
	s    ref
	addr netip.AddrPort
}

func parseBind(p *parser, a []string) (step, error) {
	s, err := p.handle(a[0])
	if err != nil {
		return nil, err
	}
	addr, err := p.address(a[1])
	return &bindStep{s, addr}, err
}

func (st *bindStep) run(in *interp, api spec.API) result {
	return result{err: api.Bind(in.sock(st.s), st.addr)}
}

type listenStep struct {
	s       ref
	create  bool // S is a new name: create an overlapped TCP socket first
	addr    netip.AddrPort
	hasAddr bool
}

func parseListen(p *parser, a []string) (step, error) {
	st := &listenStep{}
	if _, ok := p.names[a[0]]; !ok && validName(a[0]) {
		if len(a) < 2 {
			return nil, p.errf("listen %s: %s is new, so give the address to listen on (listen %s 127.0.0.1:0)", a[0], a[0], a[0])
		}
		st.create = true
		if err := p.declare(a[0], kSocket); err != nil {
			return nil, err
		}
	}
	var err error
	if st.s, err = p.handle(a[0]); err != nil {
		return nil, err
	}
	if len(a) == 2 {
		st.addr, err = p.address(a[1])
		st.hasAddr = true
	}
	return st, err
}

func (st *listenStep) run(in *interp, api spec.API) (r result) {
	if st.create {
		if r.err = in.room(); r.err != nil {
			return r
		}
		af := spec.AF_INET
		if st.addr.Addr().Is6() {
			af = spec.AF_INET6
		}
		s, err := api.Socket(af, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
		in.bind(st.s.name, uint64(s), err)
		if r.err = err; err != nil {
			return r
		}
	}
	s := in.sock(st.s)
	if st.hasAddr {
		if r.err = api.Bind(s, st.addr); r.err != nil {
			return r
		}
	}
	if r.err = api.Listen(s, 16); r.err == nil {
		if a, err := api.Getsockname(s); err == nil {
			r.detail = "listening on " + a.String()
			if st.s.name != "" {
				in.addrs[st.s.name] = a
			}
		}
	}
	return r
}

type connectStep struct {
	s  ref
	to target
	ov ref
	ex bool // ConnectEx with ov
}

func parseConnect(p *parser, a []string) (step, error) {
	s, err := p.handle(a[0])
	if err != nil {
		return nil, err
	}
	to, err := p.target(a[1])
	return &connectStep{s: s, to: to}, err
}

func parseConnectEx(p *parser, a []string) (step, error) {
	st, err := parseConnect(p, a[:2])
	if err != nil {
		return nil, err
	}
	c := st.(*connectStep)
	c.ex = true
	c.ov, err = p.overlapped(a[2])
	return c, err
}

func (st *connectStep) run(in *interp, api spec.API) (r result) {
	a, err := in.targetAddr(api, st.to)
	if err != nil {
		r.err = err
		return r
	}
	if st.ex {
		r.err = api.ConnectEx(in.sock(st.s), a, in.ov(st.ov))
	} else {
		r.err = api.Connect(in.sock(st.s), a)
	}
	r.detail = "to " + a.String()
	return r
}

// targetAddr resolves a TARGET operand.
func (in *interp) targetAddr(api spec.API, t target) (netip.AddrPort, error) {
	if t.sock == "" {
		return t.addr, nil
	}
	if a, ok := in.addrs[t.sock]; ok {
		return a, nil
	}
	return api.Getsockname(spec.Socket(in.vals[t.sock]))
}

type acceptStep struct {
	name string
	l    ref
}

func parseAccept(p *parser, a []string) (step, error) {
	l, err := p.handle(a[1])
	if err != nil {
		return nil, err
	}
	return &acceptStep{a[0], l}, p.declare(a[0], kSocket)
}

func (st *acceptStep) run(in *interp, api spec.API) (r result) {
	if r.err = in.room(); r.err != nil {
		return r
	}
	s, a, err := api.Accept(in.sock(st.l))
	in.bind(st.name, uint64(s), err)
	r.err = err
	if err == nil {
		r.detail = "from " + a.String()
	}
	return r
}

type acceptExStep struct{ l, s, ov ref }

func parseAcceptEx(p *parser, a []string) (step, error) {
	var st acceptExStep
	var err error
	if st.l, err = p.handle(a[0]); err != nil {
		return nil, err
	}
	if st.s, err = p.handle(a[1]); err != nil {
		return nil, err
	}
	st.ov, err = p.overlapped(a[2])
	return &st, err
}

func (st *acceptExStep) run(in *interp, api spec.API) result {
	return result{err: api.AcceptEx(in.sock(st.l), in.sock(st.s), in.ov(st.ov))}
}

type updateContextStep struct {
	s, l   ref
	accept bool // SO_UPDATE_ACCEPT_CONTEXT with the listener l
}

func parseUpdateContext(p *parser, a []string) (step, error) {
	var st updateContextStep
	var err error
	if st.s, err = p.handle(a[0]); err != nil {
		return nil, err
	}
	if len(a) == 2 {
		st.accept = true
		st.l, err = p.handle(a[1])
	}
	return &st, err
}

func (st *updateContextStep) run(in *interp, api spec.API) result {
	if st.accept {
		return result{err: api.UpdateAcceptContext(in.sock(st.s), in.sock(st.l))}
	}
	return result{err: api.UpdateConnectContext(in.sock(st.s))}
}

type sendStep struct {
	s    ref
	data []byte
}

func parseSend(p *parser, a []string) (step, error) {
	s, err := p.handle(a[0])
	return &sendStep{s, []byte(joinWords(a[1:]))}, err
}

func (st *sendStep) run(in *interp, api spec.API) (r result) {
	n, err := api.Send(in.sock(st.s), st.data)
	r.err, r.value = err, strconv.Itoa(n)
	return r
}

type recvStep struct {
	s ref
	n int
}

func parseRecv(p *parser, a []string) (step, error) {
	s, err := p.handle(a[0])
	if err != nil {
		return nil, err
	}
	st := &recvStep{s: s, n: 512}
	if len(a) == 2 {
		n, err := p.number(a[1], "buffer size")
		if err != nil {
			return nil, err
		}
		if n > maxRecv {
			return nil, p.errf("recv buffer size %d is larger than %d", n, maxRecv)
		}
		st.n = int(n)
	}
	return st, nil
}

func (st *recvStep) run(in *interp, api spec.API) (r result) {
	if len(in.recvBuf) < st.n {
		in.recvBuf = make([]byte, st.n)
	}
	buf := in.recvBuf[:st.n]
	n, err := api.Recv(in.sock(st.s), buf)
	r.err, r.value = err, strconv.Itoa(n)
	if err == nil && n > 0 {
		r.detail = strconv.Quote(string(buf[:n]))
	} else if err == nil {
		r.detail = "end of stream: the peer sent its FIN"
	}
	return r
}

var shutdownNames = []string{"send", "receive", "both"}

type shutdownStep struct {
	s   ref
	how int
}

func parseShutdown(p *parser, a []string) (step, error) {
	s, err := p.handle(a[0])
	if err != nil {
		return nil, err
	}
	how := indexOf(shutdownNames, a[1]) // in shutdownNames order
	if how < 0 {
		return nil, p.errf("unknown shutdown direction %q (want %s)", a[1], orList(shutdownNames))
	}
	return &shutdownStep{s, [...]int{spec.SD_SEND, spec.SD_RECEIVE, spec.SD_BOTH}[how]}, nil
}

func (st *shutdownStep) run(in *interp, api spec.API) result {
	return result{err: api.Shutdown(in.sock(st.s), st.how)}
}

type lingerStep struct {
	s    ref
	on   bool
	secs uint16
}

func parseLinger(p *parser, a []string) (step, error) {
	s, err := p.handle(a[0])
	if err != nil {
		return nil, err
	}
	if a[1] != "on" && a[1] != "off" {
		return nil, p.errf("want: linger S on|off SECONDS")
	}
	n, err := p.number(a[2], "linger time")
	if err != nil {
		return nil, err
	}
	if n > 65535 {
		return nil, p.errf("linger time %d is larger than 65535", n)
	}
	return &lingerStep{s, a[1] == "on", uint16(n)}, nil
}

func (st *lingerStep) run(in *interp, api spec.API) result {
	return result{err: api.SetLinger(in.sock(st.s), st.on, st.secs)}
}

type bindOptionStep struct {
	s   ref
	opt int
	on  bool
}

// bindOptions are the options sockopt sets, named as spec.OptionName names them.
var bindOptions = []int{spec.SO_REUSEADDR, spec.SO_EXCLUSIVEADDRUSE}

func bindOptionSyntax() string {
	names := make([]string, len(bindOptions))
	for i, o := range bindOptions {
		names[i] = spec.OptionName(o)
	}
	return strings.Join(names, "|")
}

func parseBindOption(p *parser, a []string) (step, error) {
	s, err := p.handle(a[0])
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(bindOptions, func(o int) bool { return spec.OptionName(o) == a[1] })
	if i < 0 || (a[2] != "on" && a[2] != "off") {
		return nil, p.errf("want: sockopt S %s on|off", bindOptionSyntax())
	}
	return &bindOptionStep{s, bindOptions[i], a[2] == "on"}, nil
}

func (st *bindOptionStep) run(in *interp, api spec.API) result {
	return result{err: api.SetBindOption(in.sock(st.s), st.opt, st.on)}
}

type addrStep struct {
	s    ref
	peer bool // getpeername, else getsockname
}

func parseAddrOf(peer bool) func(*parser, []string) (step, error) {
	return func(p *parser, a []string) (step, error) {
		s, err := p.handle(a[0])
		return &addrStep{s, peer}, err
	}
}

func (st *addrStep) run(in *interp, api spec.API) (r result) {
	get := api.Getsockname
	if st.peer {
		get = api.Getpeername
	}
	a, err := get(in.sock(st.s))
	r.err, r.value = err, a.String()
	return r
}

type stateStep struct{ s ref }

func parseState(p *parser, a []string) (step, error) {
	s, err := p.handle(a[0])
	return &stateStep{s}, err
}

func (st *stateStep) run(in *interp, api spec.API) (r result) {
	intro, ok := api.(interface {
		State(spec.Socket) (spec.State, error)
	})
	if !ok {
		intro = in.em
	}
	s, err := intro.State(in.sock(st.s))
	r.err, r.value = err, s.String()
	return r
}

type closeStep struct {
	h ref
	k kind // what the name is; a literal is closed as a socket
}

func parseClose(p *parser, a []string) (step, error) {
	if k, ok := p.names[a[0]]; ok {
		return &closeStep{ref{name: a[0]}, k}, nil
	}
	h, err := p.handle(a[0])
	return &closeStep{h, kSocket}, err
}

func (st *closeStep) run(in *interp, api spec.API) (r result) {
	switch st.k {
	case kSocket:
		r.err = api.Closesocket(in.sock(st.h))
	case kEvent, kPort:
		r.err = api.CloseHandle(in.handle(st.h))
	case kOverlapped:
		r.err = api.FreeOverlapped(in.ov(st.h))
	case kThread:
		th, ok := in.threads[st.h.name]
		if !ok {
			r.err = fmt.Errorf("thread %s did not start", st.h.name)
			return r
		}
		r.err = th.Exit()
	}
	in.released(r.err)
	return r
}

type disconnectExStep struct {
	s, ov           ref
	flags, reserved uint32
}

func parseDisconnectEx(p *parser, a []string) (step, error) {
	var st disconnectExStep
	var err error
	if st.s, err = p.handle(a[0]); err != nil {
		return nil, err
	}
	if st.ov, err = p.overlapped(a[1]); err != nil {
		return nil, err
	}
	if st.flags, err = spec.ParseFlags(a[2]); err != nil {
		return nil, p.errf("bad flags %q", a[2])
	}
	if len(a) == 4 {
		st.reserved, err = p.number(a[3], "reserved value")
	}
	return &st, err
}

func (st *disconnectExStep) run(in *interp, api spec.API) result {
	return result{err: api.DisconnectEx(in.sock(st.s), in.ov(st.ov), st.flags, st.reserved)}
}

var extensionNames = []string{"disconnectex", "connectex", "acceptex", "getacceptexsockaddrs", "unknown"}

// unknownGUID is the "unknown" extension: a GUID no provider knows.
var unknownGUID = spec.GUID{Data1: 0x12345678}

type extensionStep struct {
	s    ref
	guid spec.GUID
}

func parseExtension(p *parser, a []string) (step, error) {
	s, err := p.handle(a[0])
	if err != nil {
		return nil, err
	}
	if indexOf(extensionNames, a[1]) < 0 {
		return nil, p.errf("unknown extension %q (want %s)", a[1], orList(extensionNames))
	}
	if a[1] == "unknown" {
		return &extensionStep{s, unknownGUID}, nil
	}
	g, err := spec.ParseGUID(a[1])
	return &extensionStep{s, g}, err
}

func (st *extensionStep) run(in *interp, api spec.API) (r result) {
	p, err := api.GetExtensionFunction(in.sock(st.s), st.guid)
	r.err = err
	if err == nil && p != 0 {
		r.detail = "a function pointer"
	}
	return r
}

type tableStep struct{}

func parseTable(*parser, []string) (step, error) { return tableStep{}, nil }

func (tableStep) run(in *interp, api spec.API) (r result) {
	rows, err := api.TCPTable()
	r.err, r.value = err, strconv.Itoa(len(rows))
	r.detail = "rows"
	for _, row := range rows {
		r.lines = append(r.lines, fmt.Sprintf("%-22s %-22s %s", row.Local, row.Remote, row.State))
	}
	return r
}
