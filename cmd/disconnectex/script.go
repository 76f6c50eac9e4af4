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
// The verbs are one table (verbs, in script_verbs.go): each row holds a
// verb's syntax, its help and the function that parses its operands into a
// typed step (script_steps.go), which the interpreter executes. The help,
// the arity check and the list of verbs with a value come from the table.
//
// The parser checks names statically: it knows what each name stands for
// from the line that created it, so a line that misuses a name is a syntax
// error whatever the calls before it returned. It holds only the names, so
// a script of any length is parsed line by line in bounded memory.

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// Limits on what a script may make the interpreter hold. Each is reported
// as a syntax error (exit 2) naming the line that crossed it.
const (
	// maxLine is the longest line, in bytes.
	maxLine = 64 << 10
	// maxNames is how many distinct names a script may create.
	maxNames = 1 << 16
	// maxRecv bounds recv's buffer (the interpreter allocates it).
	maxRecv = 1 << 16
)

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

// call is one parsed call line.
type call struct {
	line   int
	text   string // the call as written, without comment and expectation
	thread string // the thread that issues it ("" = the main thread)
	verb   *verb
	step   step
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

// parser turns lines into calls. Its only state is the settings and the
// names seen so far.
type parser struct {
	line     int
	names    map[string]kind
	calls    int // call lines seen (settings are over after the first)
	setLine  int // the last setting's line, for its validation error
	profile  emulator.Profile
	settings spec.Settings
	variants []string // CLAUSE=name, from set variant, in order
	faults   []emulator.Fault
}

func newParser() *parser {
	return &parser{names: map[string]kind{}, profile: emulator.Windows, settings: spec.DefaultSettings()}
}

// parseLine parses the next line of the script. It returns nil for a
// blank line, a comment or a setting.
func (p *parser) parseLine(raw string) (*call, error) {
	p.line++
	fields := strings.Fields(stripComment(raw))
	if len(fields) == 0 {
		return nil, nil
	}
	if fields[0] == "set" {
		if p.calls > 0 {
			return nil, p.errf("settings must come before the first call")
		}
		p.setLine = p.line
		return nil, p.setting(fields[1:])
	}
	if p.calls == 0 {
		if err := p.settingsDone(); err != nil {
			return nil, err
		}
	}
	p.calls++
	return p.call(fields)
}

// settingsDone validates the settings once they are over: at the first
// call, or at the end of a script that has none.
func (p *parser) settingsDone() error {
	if p.setLine == 0 {
		return nil
	}
	if err := p.settings.Validate(); err != nil {
		return &syntaxError{p.setLine, err.Error()}
	}
	return nil
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

// call parses one call line (already split into words).
func (p *parser) call(f []string) (*call, error) {
	c := &call{line: p.line}
	for i, w := range f {
		if w == "->" {
			if i == len(f)-1 {
				return nil, p.errf("'->' needs an expected result")
			}
			if i+2 < len(f) {
				return nil, p.errf("one expected result after '->', got %q", strings.Join(f[i+1:], " "))
			}
			c.expect = parseExpectation(f[i+1])
			f = f[:i]
			break
		}
	}
	if len(f) == 0 {
		return nil, p.errf("an expectation needs a call before '->'")
	}
	c.text = strings.Join(f, " ")
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
		c.thread = f[1]
		f = f[2:]
	}
	v, ok := verbIndex[f[0]]
	if !ok {
		return nil, p.errf("unknown verb %q (run 'disconnectex run -h' for the language)", f[0])
	}
	args := f[1:]
	if len(args) < v.min || (v.max >= 0 && len(args) > v.max) {
		return nil, p.errf("want: %s", v.usage())
	}
	st, err := v.parse(p, args)
	if err != nil {
		return nil, err
	}
	c.verb, c.step = v, st
	if e := c.expect; e != nil && e.value != "" {
		if v.value == "" {
			return nil, p.errf("%s has no value to compare with %q (expect ok, fail or an error name)", v.name, e.value)
		}
		if v.values != nil && !v.values(e.value) {
			return nil, p.errf("%q is not a value %s can give (want %s)", e.value, v.name, v.value)
		}
	}
	return c, nil
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
	if _, err := strconv.ParseUint(w, 0, 64); err != nil {
		if x, err := spec.ParseErrno(w); err == nil {
			e.err = x
			return e
		}
	}
	e.value = w
	return e
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
	old, ok := p.names[name]
	if ok && old != k {
		return p.errf("%s is already %s; pick another name for the %s", name, article(old.String()), k)
	}
	if !ok && len(p.names) >= maxNames {
		return p.errf("too many names: a script may create at most %d (reuse a name for a new %s)", maxNames, k)
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

// ref is a handle or overlapped operand: a name, or a literal value.
type ref struct {
	name string // "" for a literal
	lit  uint64
}

// handle parses a handle operand: a name of one of kinds (default: a
// socket, event or port), or a literal (INVALID_SOCKET, a number).
func (p *parser) handle(w string, kinds ...kind) (ref, error) {
	if w == "INVALID_SOCKET" {
		return ref{lit: uint64(spec.INVALID_SOCKET)}, nil
	}
	if n, err := strconv.ParseUint(w, 0, 64); err == nil {
		return ref{lit: n}, nil
	}
	if len(kinds) == 0 {
		kinds = []kind{kSocket, kEvent, kPort}
	}
	if err := p.use(w, kinds...); err != nil {
		return ref{}, err
	}
	return ref{name: w}, nil
}

// overlapped parses an overlapped operand: a name, null, or a number.
func (p *parser) overlapped(w string) (ref, error) {
	if w == "null" || w == "NULL" {
		return ref{}, nil
	}
	return p.handle(w, kOverlapped)
}

// optOverlapped parses the optional overlapped operand a[i] (null if absent).
func (p *parser) optOverlapped(a []string, i int) (ref, error) {
	if i >= len(a) {
		return ref{}, nil
	}
	return p.overlapped(a[i])
}

func (p *parser) duration(w string) (time.Duration, error) {
	if w == "infinite" || w == "INFINITE" {
		return spec.Infinite, nil
	}
	d, err := time.ParseDuration(w)
	if err != nil || d < 0 {
		return 0, p.errf("bad duration %q (want e.g. 0s, 500ms, 240s or infinite)", w)
	}
	return d, nil
}

// number parses a DWORD operand.
func (p *parser) number(w, what string) (uint32, error) {
	n, err := strconv.ParseUint(w, 0, 32)
	if err != nil {
		return 0, p.errf("bad %s %q (want a number)", what, w)
	}
	return uint32(n), nil
}

// target is a TARGET operand: an address, or a socket whose local address
// is used.
type target struct {
	addr netip.AddrPort
	sock string // the socket's name; "" when addr is given
}

func (p *parser) target(w string) (target, error) {
	if a, err := netip.ParseAddrPort(w); err == nil {
		return target{addr: a}, nil
	}
	if strings.ContainsAny(w, ".:") {
		return target{}, p.errf("bad address %q (want IP:PORT, e.g. 127.0.0.1:0 or [::1]:8080)", w)
	}
	if err := p.use(w, kSocket); err != nil {
		return target{}, err
	}
	return target{sock: w}, nil
}

func (p *parser) address(w string) (netip.AddrPort, error) {
	a, err := netip.ParseAddrPort(w)
	if err != nil {
		return a, p.errf("bad address %q (want IP:PORT, e.g. 127.0.0.1:0 or [::1]:8080)", w)
	}
	return a, nil
}

// oneOf returns the position of w in words, or -1.
func indexOf(words []string, w string) int {
	for i, x := range words {
		if x == w {
			return i
		}
	}
	return -1
}
