package main

// The script language of `disconnectex run`.
//
// A script is a text file of lines. Each line is blank, a comment, a
// setting or one call:
//
//	# a comment runs to the end of the line ('#' at the start of a word)
//	set profile documented          settings come before the first call
//	set timedwaitdelay 30s
//	set ports 49152 8
//	socket c tcp overlapped         one call per line: a verb, then operands
//	disconnectex c o TF_REUSE_SOCKET -> ERROR_IO_PENDING
//	                                '-> X' states the expected result
//
// Operands name things the script created: sockets, events, completion
// ports and threads share Windows' handle space, overlappeds are addresses.
// A verb that creates something takes the new name first (socket c ...,
// accept s srv, event e ..., overlapped o e, port p, thread t). A name keeps
// its handle after close, so using it again shows what Windows does with a
// stale handle. Where a handle is expected, INVALID_SOCKET or a number may
// be written instead; where an overlapped is expected, null (the NULL
// pointer) or a number (an address nobody allocated).
//
// Expectations: ok (the call succeeded; WAIT_OBJECT_0 and TRUE mean the
// same), fail (any error), an error name (WSAENOTCONN, ERROR_IO_PENDING,
// WAIT_TIMEOUT...), or, for a verb that yields a value, the value itself
// (recv -> 0, state c -> TIME_WAIT, dequeue p 0s -> o, table -> 1).
//
// The verbs are listed in scriptHelp; parse checks every line before any
// call runs, so a syntax error (exit 2) never leaves a half-run script.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

const scriptHelp = `Usage: disconnectex run [-q] FILE

Run a script of Winsock calls on the emulator, in virtual time, and print
its timeline: each line with its virtual time and result, the socket state
changes and completions it caused. Exit 1 if a result differs from the
expectation written after '->' (the message names the line), 2 on a syntax
error (with its line number). FILE may be - for standard input.

Lines (one per line; '#' starts a comment; names are letters, digits, _):

  set profile windows|documented   the emulator profile (default windows)
  set timedwaitdelay DURATION      TcpTimedWaitDelay, 0s..300s (default 240s)
  set ports START COUNT            the dynamic port range (default 49152 16384)
                                   (settings come before the first call)

  socket S tcp|tcp6|udp|udp6|seqpacket|rdm|raw [overlapped]
  bind S ADDR                      ADDR is IP:PORT, e.g. 127.0.0.1:0
  listen S [ADDR]                  bind to ADDR if given, then listen; a new
                                   name S is created as an overlapped tcp socket
  connect S TARGET                 TARGET is ADDR or a listening socket's name
  accept S L                       accept from listener L into new socket S
  connectex S TARGET OV
  acceptex L S OV                  accept from L into the existing socket S
  updatecontext S [L]              SO_UPDATE_CONNECT_CONTEXT, or with L
                                   SO_UPDATE_ACCEPT_CONTEXT
  send S TEXT...                   value: bytes sent
  recv S [N]                       value: bytes received (0 after peer's FIN)
  shutdown S send|receive|both
  linger S on|off SECONDS          SO_LINGER (linger S on 0, close S = reset)
  sockname S / peername S          value: the address
  close NAME                       closesocket, CloseHandle, FreeOverlapped
                                   or thread exit, by what NAME is
  disconnectex S OV FLAGS [RESERVED]
                                   FLAGS: 0, TF_REUSE_SOCKET, TF_DISCONNECT,
                                   TF_WRITE_BEHIND, numbers, joined with |
  extension S disconnectex|connectex|acceptex|getacceptexsockaddrs|unknown
                                   WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)
  event E manual|auto [set]        CreateEvent
  setevent E / resetevent E
  overlapped O [E|null] [nopacket] NewOverlapped with hEvent E (nopacket sets
                                   hEvent's low bit: no completion packet)
  free O                           FreeOverlapped
  wait H DURATION|infinite         WaitForSingleObject: -> ok or WAIT_TIMEOUT
  result H O [wait]                GetOverlappedResult: value bytes
  wsaresult S O [wait]             WSAGetOverlappedResult: value bytes
  cancel H [O]                     CancelIoEx
  port P [CONCURRENCY]             CreateIoCompletionPort
  associate P S KEY                associate socket S with port P
  skipmodes S MODE[|MODE]          SetFileCompletionNotificationModes; MODE is
                                   skip-port-on-success, skip-event-on-handle,
                                   or a number
  dequeue P DURATION|infinite      GetQueuedCompletionStatus: value is the
                                   packet's overlapped name
  post P KEY [O]                   PostQueuedCompletionStatus
  thread T                         start a thread; close T makes it exit
  as T CALL                        issue CALL from thread T
  sleep DURATION                   advance virtual time (Sleep)
  state S                          the socket's life-cycle state: unconnected,
                                   bound, listening, connecting, connected,
                                   transmit-closing, TIME_WAIT, reusable, closed
  table                            print the TCP table: value is its row count

Expectations, after '->': ok | fail | an error name (WSAENOTCONN,
ERROR_IO_PENDING, WAIT_TIMEOUT, ...) | the value of a verb that has one.
A line without '->' is not checked: its result is only printed. A call that
blocks with nothing scheduled to wake it (accept with no connection, wait
infinite on an event nobody sets) stops the script after 5 s of real time.
Durations are Go durations: 0s, 500ms, 30s, 4m.

Example (testdata/scenarios has commented lessons):

  listen srv 127.0.0.1:0
  socket c tcp overlapped
  connect c srv
  accept s srv
  event e manual
  overlapped o e
  disconnectex c o TF_REUSE_SOCKET -> ERROR_IO_PENDING
  close s                          # the peer's FIN: c enters TIME_WAIT
  wait e 0s -> WAIT_TIMEOUT
  sleep 240s
  wait e 0s -> ok
  state c -> reusable
`

// kind is what a script name stands for.
type kind int

const (
	kSocket kind = iota + 1
	kEvent
	kPort
	kOverlapped
	kThread
)

func (k kind) String() string {
	return [...]string{"", "socket", "event", "port", "overlapped", "thread"}[k]
}

// script is a parsed script.
type script struct {
	profile  string // "windows" or "documented"
	settings spec.Settings
	stmts    []*stmt
}

// stmt is one call line.
type stmt struct {
	line   int
	text   string // the call as written, without comment and expectation
	thread string // the thread that issues it ("" = the main thread)
	verb   string

	names   []string       // name operands, in order
	addr    netip.AddrPort // ADDR operand
	hasAddr bool
	target  string // TARGET given as a socket name
	word    string // a keyword operand (family, how, manual/auto, GUID name, ...)
	opt     bool   // an optional keyword (overlapped, set, nopacket, wait, on)
	num     uint64 // a number operand (flags, key, backlog, seconds, bytes, mode)
	num2    uint64 // a second number (reserved)
	dur     time.Duration
	data    string // send's text

	// handle literals: names[i] == "" and lits[i] holds the value
	lits []uint64

	expect *expectation
}

// expectation is what '->' asks for.
type expectation struct {
	text  string
	any   bool       // fail: any error
	err   spec.Errno // a specific error (0 with !any and value == "": success)
	value string     // a value (implies success)
}

// syntaxError is a parse error with its line.
type syntaxError struct {
	line int
	msg  string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// maxRecv bounds recv's buffer (the interpreter allocates it).
const maxRecv = 1 << 16

// valueVerbs are the verbs that yield a value an expectation may name.
var valueVerbs = map[string]bool{
	"send": true, "recv": true, "state": true, "table": true, "dequeue": true,
	"result": true, "wsaresult": true, "sockname": true, "peername": true,
}

type parser struct {
	line  int
	names map[string]kind
	seen  bool // a call was seen (settings are over)
	s     *script
}

// parseScript reads a whole script and checks it.
func parseScript(r io.Reader) (*script, error) {
	p := &parser{names: map[string]kind{}, s: &script{profile: "windows", settings: spec.DefaultSettings()}}
	sc := bufio.NewScanner(r)
	settingsLine := 0
	for sc.Scan() {
		p.line++
		raw := sc.Text()
		fields := strings.Fields(stripComment(raw))
		if len(fields) == 0 {
			continue
		}
		if fields[0] == "set" {
			if p.seen {
				return nil, p.errf("settings must come before the first call")
			}
			if err := p.setting(fields[1:]); err != nil {
				return nil, err
			}
			settingsLine = p.line
			continue
		}
		if settingsLine > 0 && !p.seen {
			if err := p.s.settings.Validate(); err != nil {
				return nil, &syntaxError{settingsLine, err.Error()}
			}
		}
		p.seen = true
		st, err := p.call(fields)
		if err != nil {
			return nil, err
		}
		p.s.stmts = append(p.s.stmts, st)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &syntaxError{p.line + 1, fmt.Sprintf("line longer than %d bytes", bufio.MaxScanTokenSize)}
		}
		return nil, fmt.Errorf("reading the script: %w", err)
	}
	if settingsLine > 0 && !p.seen {
		if err := p.s.settings.Validate(); err != nil {
			return nil, &syntaxError{settingsLine, err.Error()}
		}
	}
	return p.s, nil
}

// stripComment drops a '#' that starts a word, and what follows.
func stripComment(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t') {
			return s[:i]
		}
	}
	return s
}

func (p *parser) errf(format string, a ...any) error {
	return &syntaxError{p.line, fmt.Sprintf(format, a...)}
}

func (p *parser) setting(f []string) error {
	if len(f) == 0 {
		return p.errf("set needs a setting: profile, timedwaitdelay or ports")
	}
	switch f[0] {
	case "profile":
		if len(f) != 2 || (f[1] != "windows" && f[1] != "documented") {
			return p.errf("want: set profile windows|documented")
		}
		p.s.profile = f[1]
	case "timedwaitdelay":
		if len(f) != 2 {
			return p.errf("want: set timedwaitdelay DURATION (0s..300s)")
		}
		d, err := time.ParseDuration(f[1])
		if err != nil {
			return p.errf("bad duration %q (want e.g. 30s)", f[1])
		}
		p.s.settings.TcpTimedWaitDelay = d
	case "ports":
		if len(f) != 3 {
			return p.errf("want: set ports START COUNT")
		}
		start, err1 := strconv.ParseUint(f[1], 10, 16)
		count, err2 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil {
			return p.errf("bad port range %s %s (want e.g. set ports 49152 8)", f[1], f[2])
		}
		p.s.settings.DynamicPorts = spec.PortRange{Start: uint16(start), Count: count}
	default:
		return p.errf("unknown setting %q (want profile, timedwaitdelay or ports)", f[0])
	}
	return nil
}

// call parses one call line (already split into words).
func (p *parser) call(f []string) (*stmt, error) {
	st := &stmt{line: p.line}
	for i, w := range f {
		if w == "->" {
			if i == len(f)-1 {
				return nil, p.errf("'->' needs an expected result")
			}
			if i+2 < len(f) {
				return nil, p.errf("one expected result after '->', got %q", strings.Join(f[i+1:], " "))
			}
			st.expect = parseExpectation(f[i+1])
			f = f[:i]
			break
		}
	}
	if len(f) == 0 {
		return nil, p.errf("an expectation needs a call before '->'")
	}
	st.text = strings.Join(f, " ")
	if f[0] == "as" {
		if len(f) < 3 {
			return nil, p.errf("want: as THREAD CALL")
		}
		if err := p.use(f[1], kThread); err != nil {
			return nil, err
		}
		if f[2] == "as" || f[2] == "thread" {
			return nil, p.errf("as %s: %s cannot be issued from a thread", f[1], f[2])
		}
		st.thread = f[1]
		f = f[2:]
	}
	st.verb = f[0]
	if err := p.operands(st, f[0], f[1:]); err != nil {
		return nil, err
	}
	if e := st.expect; e != nil && e.value != "" {
		if !valueVerbs[st.verb] {
			return nil, p.errf("%s has no value to compare with %q (expect ok, fail or an error name)", st.verb, e.value)
		}
		if st.verb == "state" && !validState(e.value) {
			return nil, p.errf("%q is not a socket state (want one of %s)", e.value, stateList())
		}
	}
	return st, nil
}

func validState(s string) bool {
	for _, x := range spec.States() {
		if x.String() == s {
			return true
		}
	}
	return false
}

func stateList() string {
	var n []string
	for _, x := range spec.States() {
		n = append(n, x.String())
	}
	return strings.Join(n, ", ")
}

func parseExpectation(w string) *expectation {
	e := &expectation{text: w}
	switch strings.ToLower(w) {
	case "ok", "true", "wait_object_0":
		return e
	case "fail", "false", "error":
		e.any = true
		return e
	}
	if x, ok := errnoAliases[strings.ToUpper(w)]; ok {
		e.err = x
		return e
	}
	if _, err := strconv.ParseUint(w, 0, 64); err != nil {
		if x, err := spec.ParseErrno(w); err == nil {
			e.err = x
			return e
		}
	}
	e.value = w
	return e
}

// arity checks the operand count.
func (p *parser) arity(verb string, args []string, min, max int, syn string) error {
	if len(args) < min || len(args) > max {
		return p.errf("want: %s %s", verb, syn)
	}
	return nil
}

func validName(s string) bool {
	if s == "" || s == "null" || s == "INVALID_SOCKET" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// declare introduces a new name (or rebinds an old one of the same kind).
func (p *parser) declare(name string, k kind) error {
	if !validName(name) {
		return p.errf("%q is not a valid name (letters, digits and _, starting with a letter)", name)
	}
	if old, ok := p.names[name]; ok && old != k {
		return p.errf("%s is already %s; pick another name for the %s", name, article(old.String()), k)
	}
	p.names[name] = k
	return nil
}

// use checks a name of one of the given kinds.
func (p *parser) use(name string, kinds ...kind) error {
	k, ok := p.names[name]
	if !ok {
		return p.errf("%s is not defined (create it first with %s)", name, creator(kinds[0]))
	}
	for _, want := range kinds {
		if k == want {
			return nil
		}
	}
	var ws []string
	for _, want := range kinds {
		ws = append(ws, want.String())
	}
	return p.errf("%s is %s; want %s", name, article(k.String()), article(strings.Join(ws, " or ")))
}

// article puts "a" or "an" before a noun.
func article(noun string) string {
	if strings.IndexByte("aeiou", noun[0]) >= 0 {
		return "an " + noun
	}
	return "a " + noun
}

func creator(k kind) string {
	return map[kind]string{kSocket: "socket, listen or accept", kEvent: "event", kPort: "port",
		kOverlapped: "overlapped", kThread: "thread"}[k]
}

// handle parses a handle operand: a socket, event or port name, or a
// literal (INVALID_SOCKET, a number). It appends to st.names and st.lits.
func (p *parser) handle(st *stmt, w string, kinds ...kind) error {
	if w == "INVALID_SOCKET" {
		st.names = append(st.names, "")
		st.lits = append(st.lits, uint64(spec.INVALID_SOCKET))
		return nil
	}
	if n, err := strconv.ParseUint(w, 0, 64); err == nil {
		st.names = append(st.names, "")
		st.lits = append(st.lits, n)
		return nil
	}
	if len(kinds) == 0 {
		kinds = []kind{kSocket, kEvent, kPort}
	}
	if err := p.use(w, kinds...); err != nil {
		return err
	}
	st.names = append(st.names, w)
	st.lits = append(st.lits, 0)
	return nil
}

// overlapped parses an overlapped operand: a name, null, or a number.
func (p *parser) overlapped(st *stmt, w string) error {
	if w == "null" || w == "NULL" {
		st.names = append(st.names, "")
		st.lits = append(st.lits, 0)
		return nil
	}
	return p.handle(st, w, kOverlapped)
}

func (p *parser) duration(st *stmt, w string) error {
	if w == "infinite" || w == "INFINITE" {
		st.dur = spec.Infinite
		return nil
	}
	d, err := time.ParseDuration(w)
	if err != nil || d < 0 {
		return p.errf("bad duration %q (want e.g. 0s, 500ms, 240s or infinite)", w)
	}
	st.dur = d
	return nil
}

func (p *parser) number(w, what string) (uint64, error) {
	n, err := strconv.ParseUint(w, 0, 32)
	if err != nil {
		return 0, p.errf("bad %s %q (want a number)", what, w)
	}
	return n, nil
}

// target parses ADDR or the name of a socket whose local address is used.
func (p *parser) target(st *stmt, w string) error {
	if a, err := netip.ParseAddrPort(w); err == nil {
		st.addr, st.hasAddr = a, true
		return nil
	}
	if strings.ContainsAny(w, ".:") {
		return p.errf("bad address %q (want IP:PORT, e.g. 127.0.0.1:0 or [::1]:8080)", w)
	}
	if err := p.use(w, kSocket); err != nil {
		return err
	}
	st.target = w
	return nil
}

func (p *parser) address(st *stmt, w string) error {
	a, err := netip.ParseAddrPort(w)
	if err != nil {
		return p.errf("bad address %q (want IP:PORT, e.g. 127.0.0.1:0 or [::1]:8080)", w)
	}
	st.addr, st.hasAddr = a, true
	return nil
}

var flagNames = map[string]uint32{
	"TF_DISCONNECT":   spec.TF_DISCONNECT,
	"TF_REUSE_SOCKET": spec.TF_REUSE_SOCKET,
	"DE_REUSE_SOCKET": spec.DE_REUSE_SOCKET,
	"TF_WRITE_BEHIND": spec.TF_WRITE_BEHIND,
}

var modeNames = map[string]uint8{
	"skip-port-on-success":                 spec.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS,
	"FILE_SKIP_COMPLETION_PORT_ON_SUCCESS": spec.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS,
	"skip-event-on-handle":                 spec.FILE_SKIP_SET_EVENT_ON_HANDLE,
	"FILE_SKIP_SET_EVENT_ON_HANDLE":        spec.FILE_SKIP_SET_EVENT_ON_HANDLE,
}

// bits parses NAME|NAME|number.
func (p *parser) bits(w, what string, names func(string) (uint64, bool)) (uint64, error) {
	var v uint64
	for _, part := range strings.Split(w, "|") {
		if b, ok := names(part); ok {
			v |= b
			continue
		}
		n, err := strconv.ParseUint(part, 0, 32)
		if err != nil {
			return 0, p.errf("bad %s %q", what, part)
		}
		v |= n
	}
	return v, nil
}

var families = map[string][3]int{
	"tcp":       {spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP},
	"tcp6":      {spec.AF_INET6, spec.SOCK_STREAM, spec.IPPROTO_TCP},
	"udp":       {spec.AF_INET, spec.SOCK_DGRAM, spec.IPPROTO_UDP},
	"udp6":      {spec.AF_INET6, spec.SOCK_DGRAM, spec.IPPROTO_UDP},
	"seqpacket": {spec.AF_INET, spec.SOCK_SEQPACKET, 0},
	"rdm":       {spec.AF_INET, spec.SOCK_RDM, 0},
	"raw":       {spec.AF_INET, spec.SOCK_RAW, 0},
}

var guids = map[string]spec.GUID{
	"disconnectex":         spec.WSAID_DISCONNECTEX,
	"connectex":            spec.WSAID_CONNECTEX,
	"acceptex":             spec.WSAID_ACCEPTEX,
	"getacceptexsockaddrs": spec.WSAID_GETACCEPTEXSOCKADDRS,
	"unknown":              {Data1: 0x12345678},
}

// operands parses and checks the operands of one verb.
func (p *parser) operands(st *stmt, verb string, a []string) error {
	var err error
	switch verb {
	case "socket":
		if err = p.arity(verb, a, 2, 3, "S tcp|tcp6|udp|udp6|seqpacket|rdm|raw [overlapped]"); err != nil {
			return err
		}
		if _, ok := families[a[1]]; !ok {
			return p.errf("unknown socket kind %q (want tcp, tcp6, udp, udp6, seqpacket, rdm or raw)", a[1])
		}
		st.word = a[1]
		if len(a) == 3 {
			if a[2] != "overlapped" {
				return p.errf("unknown socket option %q (want overlapped)", a[2])
			}
			st.opt = true
		}
		if err = p.declare(a[0], kSocket); err != nil {
			return err
		}
		st.names = []string{a[0]}
	case "bind":
		if err = p.arity(verb, a, 2, 2, "S ADDR"); err != nil {
			return err
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		return p.address(st, a[1])
	case "listen":
		if err = p.arity(verb, a, 1, 2, "S [ADDR]"); err != nil {
			return err
		}
		if _, ok := p.names[a[0]]; !ok && validName(a[0]) {
			if len(a) < 2 {
				return p.errf("listen %s: %s is new, so give the address to listen on (listen %s 127.0.0.1:0)", a[0], a[0], a[0])
			}
			st.opt = true // create it
			if err = p.declare(a[0], kSocket); err != nil {
				return err
			}
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		if len(a) == 2 {
			return p.address(st, a[1])
		}
	case "connect":
		if err = p.arity(verb, a, 2, 2, "S TARGET"); err != nil {
			return err
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		return p.target(st, a[1])
	case "accept":
		if err = p.arity(verb, a, 2, 2, "NEW LISTENER"); err != nil {
			return err
		}
		if err = p.handle(st, a[1]); err != nil {
			return err
		}
		if err = p.declare(a[0], kSocket); err != nil {
			return err
		}
		st.names = append([]string{a[0]}, st.names...)
		st.lits = append([]uint64{0}, st.lits...)
	case "connectex":
		if err = p.arity(verb, a, 3, 3, "S TARGET OV"); err != nil {
			return err
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		if err = p.target(st, a[1]); err != nil {
			return err
		}
		return p.overlapped(st, a[2])
	case "acceptex":
		if err = p.arity(verb, a, 3, 3, "LISTENER S OV"); err != nil {
			return err
		}
		for _, w := range a[:2] {
			if err = p.handle(st, w); err != nil {
				return err
			}
		}
		return p.overlapped(st, a[2])
	case "updatecontext":
		if err = p.arity(verb, a, 1, 2, "S [LISTENER]"); err != nil {
			return err
		}
		for _, w := range a {
			if err = p.handle(st, w); err != nil {
				return err
			}
		}
	case "send":
		if len(a) < 2 {
			return p.errf("want: send S TEXT")
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		st.data = strings.Join(a[1:], " ")
	case "recv":
		if err = p.arity(verb, a, 1, 2, "S [N]"); err != nil {
			return err
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		st.num = 512
		if len(a) == 2 {
			if st.num, err = p.number(a[1], "buffer size"); err != nil {
				return err
			}
			if st.num > maxRecv {
				return p.errf("recv buffer size %d is larger than %d", st.num, maxRecv)
			}
		}
	case "shutdown":
		if err = p.arity(verb, a, 2, 2, "S send|receive|both"); err != nil {
			return err
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		how, ok := map[string]uint64{"send": spec.SD_SEND, "receive": spec.SD_RECEIVE, "both": spec.SD_BOTH}[a[1]]
		if !ok {
			return p.errf("unknown shutdown direction %q (want send, receive or both)", a[1])
		}
		st.word, st.num = a[1], how
	case "linger":
		if err = p.arity(verb, a, 3, 3, "S on|off SECONDS"); err != nil {
			return err
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		if a[1] != "on" && a[1] != "off" {
			return p.errf("want: linger S on|off SECONDS")
		}
		st.opt = a[1] == "on"
		if st.num, err = p.number(a[2], "linger time"); err != nil {
			return err
		}
		if st.num > 65535 {
			return p.errf("linger time %d is larger than 65535", st.num)
		}
	case "sockname", "peername", "state":
		if err = p.arity(verb, a, 1, 1, "S"); err != nil {
			return err
		}
		return p.handle(st, a[0])
	case "close":
		if err = p.arity(verb, a, 1, 1, "NAME"); err != nil {
			return err
		}
		if _, ok := p.names[a[0]]; ok {
			st.names = []string{a[0]}
			st.lits = []uint64{0}
			return nil
		}
		return p.handle(st, a[0])
	case "disconnectex":
		if err = p.arity(verb, a, 3, 4, "S OV FLAGS [RESERVED]"); err != nil {
			return err
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		if err = p.overlapped(st, a[1]); err != nil {
			return err
		}
		if st.num, err = p.bits(a[2], "flags", func(s string) (uint64, bool) {
			v, ok := flagNames[s]
			return uint64(v), ok
		}); err != nil {
			return err
		}
		if len(a) == 4 {
			if st.num2, err = p.number(a[3], "reserved value"); err != nil {
				return err
			}
		}
	case "extension":
		if err = p.arity(verb, a, 2, 2, "S disconnectex|connectex|acceptex|getacceptexsockaddrs|unknown"); err != nil {
			return err
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		if _, ok := guids[a[1]]; !ok {
			return p.errf("unknown extension %q (want disconnectex, connectex, acceptex, getacceptexsockaddrs or unknown)", a[1])
		}
		st.word = a[1]
	case "event":
		if err = p.arity(verb, a, 2, 3, "E manual|auto [set]"); err != nil {
			return err
		}
		if a[1] != "manual" && a[1] != "auto" {
			return p.errf("want: event E manual|auto [set]")
		}
		st.word = a[1]
		if len(a) == 3 {
			if a[2] != "set" {
				return p.errf("want: event E manual|auto [set]")
			}
			st.opt = true
		}
		if err = p.declare(a[0], kEvent); err != nil {
			return err
		}
		st.names = []string{a[0]}
	case "setevent", "resetevent":
		if err = p.arity(verb, a, 1, 1, "E"); err != nil {
			return err
		}
		return p.handle(st, a[0])
	case "overlapped":
		if err = p.arity(verb, a, 1, 3, "O [E|null] [nopacket]"); err != nil {
			return err
		}
		if err = p.declare(a[0], kOverlapped); err != nil {
			return err
		}
		st.names = []string{a[0]}
		st.lits = []uint64{0}
		rest := a[1:]
		if len(rest) > 0 && rest[len(rest)-1] == "nopacket" {
			st.opt = true
			rest = rest[:len(rest)-1]
		}
		switch {
		case len(rest) > 1:
			return p.errf("want: overlapped O [E|null] [nopacket]")
		case len(rest) == 1 && rest[0] != "null":
			if err = p.handle(st, rest[0], kEvent, kSocket, kPort); err != nil {
				return err
			}
		default:
			st.names = append(st.names, "")
			st.lits = append(st.lits, 0)
		}
	case "free":
		if err = p.arity(verb, a, 1, 1, "O"); err != nil {
			return err
		}
		return p.overlapped(st, a[0])
	case "wait", "dequeue":
		if err = p.arity(verb, a, 2, 2, map[string]string{"wait": "H DURATION|infinite", "dequeue": "P DURATION|infinite"}[verb]); err != nil {
			return err
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		return p.duration(st, a[1])
	case "result", "wsaresult":
		if err = p.arity(verb, a, 2, 3, "H O [wait]"); err != nil {
			return err
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		if err = p.overlapped(st, a[1]); err != nil {
			return err
		}
		if len(a) == 3 {
			if a[2] != "wait" {
				return p.errf("want: %s H O [wait]", verb)
			}
			st.opt = true
		}
	case "cancel":
		if err = p.arity(verb, a, 1, 2, "H [O]"); err != nil {
			return err
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		if len(a) == 2 {
			return p.overlapped(st, a[1])
		}
		st.names = append(st.names, "")
		st.lits = append(st.lits, 0)
	case "port":
		if err = p.arity(verb, a, 1, 2, "P [CONCURRENCY]"); err != nil {
			return err
		}
		if len(a) == 2 {
			if st.num, err = p.number(a[1], "concurrency"); err != nil {
				return err
			}
		}
		if err = p.declare(a[0], kPort); err != nil {
			return err
		}
		st.names = []string{a[0]}
	case "associate":
		if err = p.arity(verb, a, 3, 3, "P S KEY"); err != nil {
			return err
		}
		for _, w := range a[:2] {
			if err = p.handle(st, w); err != nil {
				return err
			}
		}
		st.num, err = p.number(a[2], "key")
		return err
	case "skipmodes":
		if err = p.arity(verb, a, 2, 2, "S MODE[|MODE]"); err != nil {
			return err
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		st.num, err = p.bits(a[1], "completion mode", func(s string) (uint64, bool) {
			v, ok := modeNames[s]
			return uint64(v), ok
		})
		if err == nil && st.num > 255 {
			err = p.errf("completion modes %d do not fit in a byte", st.num)
		}
		return err
	case "post":
		if err = p.arity(verb, a, 2, 3, "P KEY [O]"); err != nil {
			return err
		}
		if err = p.handle(st, a[0]); err != nil {
			return err
		}
		if st.num, err = p.number(a[1], "key"); err != nil {
			return err
		}
		if len(a) == 3 {
			return p.overlapped(st, a[2])
		}
		st.names = append(st.names, "")
		st.lits = append(st.lits, 0)
	case "thread":
		if err = p.arity(verb, a, 1, 1, "T"); err != nil {
			return err
		}
		if err = p.declare(a[0], kThread); err != nil {
			return err
		}
		st.names = []string{a[0]}
	case "sleep":
		if err = p.arity(verb, a, 1, 1, "DURATION"); err != nil {
			return err
		}
		if err = p.duration(st, a[0]); err != nil {
			return err
		}
		if st.dur == spec.Infinite {
			return p.errf("sleep infinite would never return")
		}
	case "table":
		return p.arity(verb, a, 0, 0, "")
	default:
		return p.errf("unknown verb %q (run 'disconnectex run -h' for the language)", verb)
	}
	return nil
}
