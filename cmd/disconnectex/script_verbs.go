package main

import (
	"fmt"
	"strings"

	"github.com/disconnectex/disconnectex/spec"
)

// verb is one row of the script language: what a verb is called, how its
// operands are written, what it does, and how its operands become a step.
// The help text, the arity check and the verbs with a value all come from
// these rows.
type verb struct {
	name string
	// syntax is the operands as the help shows them. An operand in [...]
	// is optional and one ending in ... takes the rest of the line; the
	// arity check is derived from it.
	syntax string
	help   string // what the verb does (the help wraps it)
	// value says what the verb's value is; "" for a verb without one (an
	// expectation may then be only ok, fail or an error name).
	value string
	// values, if set, says whether an expected value is one the verb can
	// give, so that a typo is a syntax error rather than a failed line.
	values func(string) bool
	// parse turns the operands, already counted, into a step.
	parse func(p *parser, a []string) (step, error)

	min, max int // operand counts from syntax; max -1: no limit
}

// usage is the verb with its operands, as the help and errors show it.
func (v *verb) usage() string { return strings.TrimSpace(v.name + " " + v.syntax) }

// arity derives the operand counts from a syntax string.
func arity(syntax string) (min, max int) {
	for _, w := range strings.Fields(syntax) {
		switch {
		case strings.HasSuffix(w, "..."):
			return min + 1, -1
		case strings.HasPrefix(w, "["):
			max++
		default:
			min++
			max++
		}
	}
	return min, max
}

// verbs is the language, in the order the help lists it.
var verbs = []*verb{
	{name: "socket", syntax: "S " + strings.Join(familyNames, "|") + " [overlapped]",
		help: "socket, or WSASocket with WSA_FLAG_OVERLAPPED", parse: parseSocket},
	{name: "bind", syntax: "S ADDR", help: "ADDR is IP:PORT, e.g. 127.0.0.1:0", parse: parseBind},
	{name: "listen", syntax: "S [ADDR]", help: "bind to ADDR if given, then listen; a new name S is created as an overlapped tcp socket (tcp6 for an IPv6 ADDR)",
		parse: parseListen},
	{name: "connect", syntax: "S TARGET", help: "TARGET is ADDR or a listening socket's name", parse: parseConnect},
	{name: "accept", syntax: "S L", help: "accept from listener L into new socket S", parse: parseAccept},
	{name: "connectex", syntax: "S TARGET OV", help: "ConnectEx with the overlapped OV", parse: parseConnectEx},
	{name: "acceptex", syntax: "L S OV", help: "accept from L into the existing socket S", parse: parseAcceptEx},
	{name: "updatecontext", syntax: "S [L]", help: "SO_UPDATE_CONNECT_CONTEXT, or with L SO_UPDATE_ACCEPT_CONTEXT", parse: parseUpdateContext},
	{name: "send", syntax: "S TEXT...", help: "send the words of TEXT, joined by spaces", value: "bytes sent", parse: parseSend},
	{name: "recv", syntax: "S [N]", help: "receive up to N bytes (default 512, at most 65536)", value: "bytes received (0 after the peer's FIN)", parse: parseRecv},
	{name: "shutdown", syntax: "S " + strings.Join(shutdownNames, "|"), help: "shutdown", parse: parseShutdown},
	{name: "linger", syntax: "S on|off SECONDS", help: "SO_LINGER (linger S on 0, close S = reset)", parse: parseLinger},
	{name: "sockopt", syntax: "S " + bindOptionSyntax() + " on|off", help: "setsockopt of a bind option, before bind: which binds to a port in use succeed", parse: parseBindOption},
	{name: "sockname", syntax: "S", help: "getsockname", value: "the address", parse: parseAddrOf(false)},
	{name: "peername", syntax: "S", help: "getpeername", value: "the address", parse: parseAddrOf(true)},
	{name: "close", syntax: "NAME", help: "closesocket, CloseHandle, FreeOverlapped or thread exit, by what NAME is", parse: parseClose},
	{name: "disconnectex", syntax: "S OV FLAGS [RESERVED]",
		help: "FLAGS: 0, TF_REUSE_SOCKET, TF_DISCONNECT, TF_WRITE_BEHIND, numbers, joined with |", parse: parseDisconnectEx},
	{name: "extension", syntax: "S " + strings.Join(extensionNames, "|"),
		help: "WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)", parse: parseExtension},
	{name: "event", syntax: "E manual|auto [set]", help: "CreateEvent", parse: parseEvent},
	{name: "setevent", syntax: "E", help: "SetEvent", parse: parseSetEvent(false)},
	{name: "resetevent", syntax: "E", help: "ResetEvent", parse: parseSetEvent(true)},
	{name: "overlapped", syntax: "O [E|null] [nopacket]",
		help: "NewOverlapped with hEvent E (nopacket sets hEvent's low bit: no completion packet)", parse: parseOverlapped},
	{name: "free", syntax: "O", help: "FreeOverlapped", parse: parseFree},
	{name: "wait", syntax: "H DURATION|infinite", help: "WaitForSingleObject: -> ok or WAIT_TIMEOUT", parse: parseWait},
	{name: "result", syntax: "H O [wait]", help: "GetOverlappedResult", value: "bytes", parse: parseResult(false)},
	{name: "wsaresult", syntax: "S O [wait]", help: "WSAGetOverlappedResult", value: "bytes", parse: parseResult(true)},
	{name: "cancel", syntax: "H [O]", help: "CancelIoEx", parse: parseCancel},
	{name: "port", syntax: "P [CONCURRENCY]", help: "CreateIoCompletionPort", parse: parsePort},
	{name: "associate", syntax: "P S KEY", help: "associate socket S with port P", parse: parseAssociate},
	{name: "skipmodes", syntax: "S MODE[|MODE]",
		help: "SetFileCompletionNotificationModes; MODE is " + strings.Join(spec.CompletionModeShortNames(), ", ") + ", a FILE_SKIP_* name, or a number", parse: parseSkipModes},
	{name: "dequeue", syntax: "P DURATION|infinite", help: "GetQueuedCompletionStatus", value: "the packet's overlapped name",
		parse: parseDequeue},
	{name: "post", syntax: "P KEY [O]", help: "PostQueuedCompletionStatus", parse: parsePost},
	{name: "thread", syntax: "T", help: "start a thread; close T makes it exit", parse: parseThread},
	{name: "sleep", syntax: "DURATION", help: "advance virtual time (Sleep)", parse: parseSleep},
	{name: "state", syntax: "S", help: "the socket's life-cycle state", value: "one of " + strings.Join(stateNames(), ", "),
		values: func(s string) bool { return indexOf(stateNames(), s) >= 0 }, parse: parseState},
	{name: "table", help: "print the TCP table", value: "its row count", parse: parseTable},
}

// verbIndex finds a verb by name.
var verbIndex = map[string]*verb{}

func init() {
	for _, v := range verbs {
		v.min, v.max = arity(v.syntax)
		verbIndex[v.name] = v
	}
}

// valueVerbs are the verbs that yield a value an expectation may name.
func valueVerbs() []string {
	var n []string
	for _, v := range verbs {
		if v.value != "" {
			n = append(n, v.name)
		}
	}
	return n
}

func stateNames() []string {
	var n []string
	for _, x := range spec.States() {
		n = append(n, x.String())
	}
	return n
}

// setting is one row of the settings a script may change.
type setting struct {
	name, syntax, help string
	parse              func(p *parser, a []string) error
	min, max           int
}

var settings = []*setting{
	{name: "profile", syntax: "windows|documented", help: "the emulator profile (default windows)", parse: setProfile},
	{name: "timedwaitdelay", syntax: "DURATION", help: "TcpTimedWaitDelay, 0s..300s (default 240s)", parse: setTimedWaitDelay},
	{name: "ports", syntax: "START COUNT", help: "the dynamic port range (default 49152 16384)", parse: setPorts},
	{name: "fault", syntax: "CALL NTH fail|complete|reset [CODE] [DELAY]", help: "a fault rule (emulator.Fault) on the NTH call named CALL as the trace names it (0: every one): fail with the error CODE, complete the request later with the NTSTATUS CODE, or reset the connection, after DELAY (e.g. set fault ConnectEx 1 complete STATUS_CONNECTION_REFUSED 2s)", parse: setFault},
	{name: "variant", syntax: "CLAUSE NAME", help: "follow that variant of a clause whose Windows behaviour is not settled (e.g. set variant DX-FLAG-TIMEWAIT waits; `disconnectex report` lists them)", parse: setVariant},
}

func init() {
	for _, s := range settings {
		s.min, s.max = arity(s.syntax)
	}
}

func settingNames() string {
	var n []string
	for _, s := range settings {
		n = append(n, s.name)
	}
	return orList(n)
}

// setting parses the words after set.
func (p *parser) setting(f []string) error {
	if len(f) == 0 {
		return p.errf("set needs a setting: %s", settingNames())
	}
	for _, s := range settings {
		if s.name != f[0] {
			continue
		}
		if a := f[1:]; len(a) < s.min || len(a) > s.max {
			return p.errf("want: set %s %s", s.name, s.syntax)
		}
		return s.parse(p, f[1:])
	}
	return p.errf("unknown setting %q (want %s)", f[0], settingNames())
}

// scriptHelp is `run -h`: the head, the settings and verbs from their
// tables, and the rules of expectations.
func scriptHelp() string {
	var b strings.Builder
	b.WriteString(`Usage: disconnectex run [-q] FILE

Run a script of Winsock calls on the emulator, in virtual time, and print
its timeline: each line with its virtual time and result, the socket state
changes and completions it caused. Exit 1 if a result differs from the
expectation written after '->' (the message names the line), 2 on a syntax
error (with its line number). FILE may be - for standard input.

Lines (one per line; '#' starts a comment; names are letters, digits, _):

`)
	for _, s := range settings {
		helpRow(&b, "set "+s.name+" "+s.syntax, s.help)
	}
	b.WriteString("                                   (settings come before the first call)\n\n")
	for _, v := range verbs {
		h := v.help
		if v.value != "" {
			h += "; value: " + v.value
		}
		helpRow(&b, v.usage(), h)
	}
	helpRow(&b, "as T CALL", "issue CALL from thread T")
	fmt.Fprintf(&b, `
Expectations, after '->': ok | fail | an error name (WSAENOTCONN,
ERROR_IO_PENDING, WAIT_TIMEOUT, ...) | the value of a verb that has one
(%s).
A line without '->' is not checked: its result is only printed. A call that
blocks with nothing scheduled to wake it (accept with no connection, wait
infinite on an event nobody sets) could only be released by a later line:
it is reported as HUNG at once and stops the script (exit 1).
Durations are Go durations: 0s, 500ms, 30s, 4m.

The script is read, run and printed line by line, so it may be of any length
(or endless, on standard input). A regular file is checked whole before it
runs; from a pipe, a syntax error stops the script at its line. Limits (each an
error naming the line, exit 2): a line of at most %d bytes, at most %d
names, at most %d sockets, events, ports, overlappeds and threads open at
once.

Example (testdata/scenarios has commented lessons):

  listen srv 127.0.0.1:0
  socket c tcp overlapped
  connect c srv
  accept s srv
  event e manual
  overlapped o e
  disconnectex c o TF_REUSE_SOCKET -> ERROR_IO_PENDING
  close s                          # the peer's FIN: the graceful close is over
  wait e 0s -> ok
  state c -> reusable
  connectex c srv o -> WSAEADDRINUSE  # c's TIME_WAIT row holds the pair...
  sleep 240s
  connectex c srv o -> ERROR_IO_PENDING  # ...for 240 s
`, strings.Join(valueVerbs(), ", "), maxLine, maxNames, maxLive)
	return b.String()
}

// helpRow prints one row of the help: the syntax in a column of 32, the
// help wrapped beside it (or below it when the syntax is wider).
func helpRow(b *strings.Builder, syntax, help string) {
	const col, width = 35, 79
	b.WriteString("  " + syntax)
	at := 2 + len(syntax)
	if at >= col-1 && help != "" {
		b.WriteString("\n")
		at = 0
	}
	for _, w := range strings.Fields(help) {
		if at > col && at+1+len(w) > width {
			b.WriteString("\n")
			at = 0
		}
		if at < col {
			b.WriteString(strings.Repeat(" ", col-at))
			at = col
		} else {
			b.WriteString(" ")
			at++
		}
		b.WriteString(w)
		at += len(w)
	}
	b.WriteString("\n")
}

// orList joins words as "a, b or c".
func orList(w []string) string {
	if len(w) < 2 {
		return strings.Join(w, "")
	}
	return strings.Join(w[:len(w)-1], ", ") + " or " + w[len(w)-1]
}

func joinWords(w []string) string { return strings.Join(w, " ") }
