package main

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/disconnectex/disconnectex/conformance"
	"github.com/disconnectex/disconnectex/internal/backends"
	"github.com/disconnectex/disconnectex/spec"
)

const explainHelp = `Usage: disconnectex explain [-format text|markdown] CODE
       disconnectex explain -all [-format text|markdown]
       disconnectex explain -list

Explain a Windows error code as DisconnectEx (and the calls around it) uses
it. CODE is a name, case-insensitive (WSAENOTCONN, wsaenotconn, ENOTCONN,
WSA_OPERATION_ABORTED) or a number (10057, 0x2749); a name and its number
print the same explanation. CODE may also be an NTSTATUS, the status a
request leaves in OVERLAPPED.Internal, by name or number
(STATUS_CANCELLED, 0xC0000120): explain then names its two faces, the
Win32 error of GetOverlappedResult and the Winsock error of
WSAGetOverlappedResult, and explains each. An explanation covers:

  - what the code means for DisconnectEx;
  - every documented cause: the clauses of the DisconnectEx page (and of the
    project's list of behaviours the page leaves out) that name the code,
    with the page's text;
  - what Windows was observed to do, and the NTSTATUS completions that turn
    into the code;
  - where Wine (and any other backend) differs, from the divergence data
    embedded from internal/backends/divergences;
  - the clause IDs and the conformance cases that show it.

-all prints the whole reference, one section per code the clauses name plus
the completion errors. The checked-in reference is generated with

  go run ./cmd/disconnectex explain -all -format markdown > docs/errors.md

and a test fails when docs/errors.md is stale.
`

func runExplain(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("explain", explainHelp)
	format := fs.String("format", "text", "output format: text or markdown")
	all := fs.Bool("all", false, "explain every code of the reference (the content of docs/errors.md)")
	list := fs.Bool("list", false, "list the codes of the reference")
	pos, st := parseFlags(fs, args, stdout, stderr)
	if st >= 0 {
		return st
	}
	if st := checkFormat(fs, stderr, *format, "text", "markdown"); st >= 0 {
		return st
	}
	ref, err := newReference()
	if err != nil {
		fmt.Fprintf(stderr, "disconnectex explain: %v\n", err)
		return exitUnexpected
	}
	switch {
	case *list:
		if *all {
			return usageError(fs, stderr, "-list and -all cannot be combined")
		}
		if len(pos) != 0 {
			return usageError(fs, stderr, "-list takes no code")
		}
		for _, c := range ref.codes() {
			fmt.Fprintf(stdout, "%-34s %5d  %s\n", c.Name(), uint32(c), c.Message())
		}
		return exitOK
	case *all:
		if len(pos) != 0 {
			return usageError(fs, stderr, "-all takes no code")
		}
		if *format == "markdown" {
			ref.writeMarkdownAll(stdout)
		} else {
			for i, c := range ref.codes() {
				if i > 0 {
					fmt.Fprintln(stdout)
				}
				ref.explain(c).writeText(stdout)
			}
		}
		return exitOK
	}
	if len(pos) != 1 {
		return usageError(fs, stderr, "want exactly one error code, such as WSAENOTCONN or 10057")
	}
	code, err := parseCode(pos[0])
	if st, ok := parseStatus(pos[0]); err != nil && ok {
		if *format == "markdown" {
			ref.writeStatusMarkdown(stdout, st)
		} else {
			ref.writeStatusText(stdout, st)
		}
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "disconnectex explain: %v\n", err)
		fmt.Fprintf(stderr, "Codes DisconnectEx and the calls around it report:\n")
		for _, c := range ref.codes() {
			fmt.Fprintf(stderr, "  %-34s %5d\n", c.Name(), uint32(c))
		}
		var sts []string
		for _, st := range spec.NTStatuses() {
			sts = append(sts, st.String())
		}
		fmt.Fprintf(stderr, "and the NTSTATUS values it explains through them: %s.\n", strings.Join(sts, ", "))
		fmt.Fprintf(stderr, "Run 'disconnectex explain -list' for the list with meanings.\n")
		return exitUsage
	}
	e := ref.explain(code)
	if *format == "markdown" {
		e.writeMarkdown(stdout, "#")
	} else {
		e.writeText(stdout)
	}
	return exitOK
}

// parseCode accepts a name (any case; the WSA or ERROR_ prefix may be left
// out) or a number, and returns a code the project knows.
func parseCode(s string) (spec.Errno, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty error code")
	}
	if n, err := strconv.ParseUint(s, 0, 32); err == nil {
		e := spec.Errno(n)
		if !e.Known() {
			return 0, fmt.Errorf("%s is not a Windows error code this reference knows", s)
		}
		return e, nil
	} else if s[0] >= '0' && s[0] <= '9' {
		return 0, fmt.Errorf("%q is not a valid error number", s)
	}
	up := strings.ToUpper(s)
	for _, cand := range []string{up, "WSA" + up, "ERROR_" + up} {
		if e, err := spec.ParseErrno(cand); err == nil {
			return e, nil
		}
	}
	return 0, fmt.Errorf("%q is not a Windows error name this reference knows", s)
}

// completionErrors are codes that DisconnectEx's clauses do not list but
// that a DisconnectEx caller meets while collecting a result.
var completionErrors = []spec.Errno{
	spec.ERROR_IO_INCOMPLETE,
	spec.ERROR_OPERATION_ABORTED,
	spec.ERROR_CONNECTION_ABORTED,
	spec.ERROR_NOT_FOUND,
	spec.WAIT_TIMEOUT,
}

// codeNote is the hand-written part of an explanation.
type codeNote struct {
	meaning string   // what the code means for DisconnectEx
	wine    string   // what the project's reference notes say about Wine 8.0
	related []string // clauses that do not name the code but whose behaviour produces it
}

var codeNotes = map[spec.Errno]codeNote{
	spec.WSAENOTSOCK: {
		meaning: "hSocket is not a live socket handle: INVALID_SOCKET, a socket already closed with closesocket, or a handle of another kind (an event, a completion port). It is the first check DisconnectEx makes, so it wins over every other error.",
	},
	spec.WSAEFAULT: {
		meaning: "lpOverlapped is neither NULL nor the address of an OVERLAPPED the caller owns. It is checked right after the socket handle. The page documents it; no public observation of Windows confirms it.",
		wine:    "Wine writes to lpOverlapped before validating it, so a wild pointer crashes the process instead of returning WSAEFAULT.",
	},
	spec.WSAEINVAL: {
		meaning: "An argument is invalid: reserved is nonzero, or dwFlags has a bit other than TF_REUSE_SOCKET. Around DisconnectEx it also comes from WSAIoctl with a GUID the provider does not know, and from ConnectEx or AcceptEx given a reused socket of the wrong kind (a socket that connected may only go to ConnectEx, an accepted one only to AcceptEx). In the emulator the argument checks come after the connection-state check, so an unconnected socket with bad flags gets WSAENOTCONN.",
		wine:    "Wine 8.0 never checks reserved or the flag bits, so it never returns WSAEINVAL from DisconnectEx.",
	},
	spec.WSAEOPNOTSUPP: {
		meaning: "The page says DisconnectEx does not support datagram sockets but names no code; this would be the natural one. Windows was observed to refuse a UDP socket with WSAENOTCONN instead (see DX-REM-DATAGRAM).",
	},
	spec.WSAENOTCONN: {
		meaning: "The socket is not connected: it never connected, is only bound or listening, is still connecting, was already made reusable by a completed TF_REUSE_SOCKET request, or its connection was reset; a datagram (UDP) socket is refused with it too. A socket after DisconnectEx with flags 0 is still connected (send side shut down), so a second call succeeds on Windows, whatever the page says about the transmit-closing state. As a completion status it is STATUS_INVALID_CONNECTION.",
		wine:    "Wine 8.0 accepts UDP sockets (it performs shutdown(SD_SEND)) instead of failing with WSAENOTCONN.",
	},
	spec.WSAEISCONN: {
		meaning: "Not a DisconnectEx error but its most common consequence: a socket disconnected without TF_REUSE_SOCKET is still connected (only its sending side is shut down), so connect or ConnectEx on it fails with WSAEISCONN. Use TF_REUSE_SOCKET to reuse the handle.",
	},
	spec.WSAESHUTDOWN: {
		meaning: "send on a socket after DisconnectEx (any flags) or shutdown(SD_SEND): the sending side is closed. Data from the peer can still be received.",
	},
	spec.WSAECONNRESET: {
		meaning: "The peer reset the connection (closesocket with SO_LINGER {on, 0}). Whether DisconnectEx on such a socket fails with WSAENOTCONN, WSAECONNRESET or succeeds is not published; the emulator returns WSAENOTCONN and recv/send return WSAECONNRESET.",
	},
	spec.WSAESOCKTNOSUPPORT: {
		meaning: "The socket cannot be created: TCP/IP has no provider for the type. SOCK_SEQPACKET and SOCK_RDM are not offered over TCP/IP, so the page's list of connection-oriented types cannot reach DisconnectEx on AF_INET (SOCK_RAW is offered, but refused with WSAEACCES to a process that may not have raw sockets, and is not connection-oriented).",
	},
	spec.WSAENOBUFS: {
		meaning: "No dynamic (ephemeral) port is free for an implicit bind (bind to port 0, connect or ConnectEx of an unbound socket): every port of the range is held by a socket or by a TIME_WAIT row. This is how TIME_WAIT after DisconnectEx(TF_REUSE_SOCKET) on the active-close side exhausts ports under churn.",
	},
	spec.WSAEADDRINUSE: {
		meaning: "The local address is in use: an explicit bind to an address and port a live socket holds (0.0.0.0 and 127.0.0.1 on one port do not conflict), a second connection with the same 4-tuple, or a connect from a port whose connection to the same remote is still in TIME_WAIT (the socket pair cannot be reused until TIME_WAIT ends).",
	},
	spec.ERROR_IO_PENDING: {
		meaning: "Not a failure: the overlapped DisconnectEx started and will complete later. On an overlapped socket with an OVERLAPPED, Windows returns FALSE with ERROR_IO_PENDING every time, even when the disconnect could finish at once (flags 0). Exactly one completion follows: the event (or the socket handle) is signalled, a packet is queued if the socket is on a completion port, and GetOverlappedResult gives the outcome.",
		wine:    "Wine 8.0 also returns ERROR_IO_PENDING (it converts a synchronous success), but never delays completion for TIME_WAIT.",
	},
	spec.ERROR_IO_INCOMPLETE: {
		related: []string{spec.ClauseRetPending, spec.ClauseFlagTimeWait},
		meaning: "GetOverlappedResult (or WSAGetOverlappedResult) without waiting, while the DisconnectEx request is still pending: typically a TF_REUSE_SOCKET request on the side that closed first, waiting out TIME_WAIT (240 s by default).",
	},
	spec.ERROR_OPERATION_ABORTED: {
		meaning: "The completion status of a pending DisconnectEx that was canceled: by CancelIoEx, by closesocket, or by the exit of the thread that issued it. Since Vista, requests on a socket associated with a completion port survive the thread's exit. WSA_OPERATION_ABORTED is the same number. A canceled TF_REUSE_SOCKET request leaves the socket transmit-closing (the FIN was already sent), not reusable.",
	},
	spec.ERROR_CONNECTION_ABORTED: {
		meaning: "A completion status: the local system aborted the connection while the request was pending. It has been seen for other socket requests pending at closesocket; for DisconnectEx it is not published which of ERROR_OPERATION_ABORTED and ERROR_CONNECTION_ABORTED Windows reports.",
	},
	spec.ERROR_NETNAME_DELETED: {
		meaning: "A completion status (GetOverlappedResult's Win32 view): the connection was reset or closed locally while the request was pending. WSAGetOverlappedResult reports the same request as WSAECONNRESET or WSAECONNABORTED.",
	},
	spec.ERROR_NOT_FOUND: {
		meaning: "CancelIoEx found no pending request to cancel: the DisconnectEx already completed (flags 0 complete at once) or never pended.",
	},
	spec.WAIT_TIMEOUT: {
		related: []string{spec.ClauseFlagTimeWait, spec.ClauseRemSignalEvent, spec.ClauseGapCompletionPort},
		meaning: "A wait for the completion (WaitForSingleObject on the event or socket, GetQueuedCompletionStatus on the port) ended before the request completed: a TF_REUSE_SOCKET request on the active-close side is still in TIME_WAIT, or a request without an event was waited for on the wrong object.",
	},
}

// reference is everything explain draws on.
type reference struct {
	clauses     []spec.Clause
	divergences []backendDivergence // every backend's, in backends.All() order
	cases       map[string][]string // clause ID -> conformance cases citing it
}

func newReference() (*reference, error) {
	r := &reference{clauses: spec.Clauses(), cases: map[string][]string{}}
	for _, b := range backends.All() {
		d, err := b.Divergences()
		if err != nil {
			return nil, err
		}
		for _, e := range d {
			r.divergences = append(r.divergences, backendDivergence{b, e})
		}
	}
	for _, c := range conformance.Cases() {
		for _, id := range c.Clauses {
			r.cases[id] = append(r.cases[id], c.Name)
		}
	}
	return r, nil
}

// codes lists the codes of the reference: every code a clause names, and
// the completion errors, in numeric order.
func (r *reference) codes() []spec.Errno {
	var out []spec.Errno
	for _, c := range r.clauses {
		out = append(out, c.Errors...)
	}
	out = append(out, completionErrors...)
	slices.Sort(out)
	return slices.Compact(out)
}

// explanation is what explain prints for one code.
type explanation struct {
	Code        spec.Errno
	Aliases     []string
	Meaning     string
	Causes      []spec.Clause
	Related     []spec.Clause // clauses whose behaviour produces the code without naming it
	Statuses    []statusFace  // NTSTATUS values that surface as this code
	Divergences []backendDivergence
	WineNote    string
	Cases       []string
}

type statusFace struct {
	Status spec.NTStatus
	Via    string // "GetOverlappedResult", "WSAGetOverlappedResult" or both
}

type backendDivergence struct {
	Backend backends.Backend
	Entry   conformance.Divergence
}

var codeWord = regexp.MustCompile(`[A-Za-z0-9_]+`)

// mentions lists the codes a text names (by name, alias or number).
func mentions(text string) []spec.Errno {
	var out []spec.Errno
	for _, w := range codeWord.FindAllString(text, -1) {
		if strings.HasPrefix(strings.ToUpper(w), "WSA_") {
			if e, err := spec.ParseErrno(w); err == nil {
				out = append(out, e)
			}
			continue
		}
		if !strings.HasPrefix(w, "WSA") && !strings.HasPrefix(w, "ERROR_") && w != "WAIT_TIMEOUT" {
			if n, err := strconv.ParseUint(w, 10, 32); err == nil && n >= 995 && spec.Errno(n).Known() {
				out = append(out, spec.Errno(n))
			}
			continue
		}
		if e, err := spec.ParseErrno(w); err == nil {
			out = append(out, e)
		}
	}
	return out
}

// divergenceConcerns reports whether a divergence entry is about code: the
// backend was observed to return it, or the case expected it on a clause
// about it, or the entry names no code and its clause is about it.
func divergenceConcerns(d conformance.Divergence, code spec.Errno, causeClause bool) bool {
	if slices.Contains(mentions(d.Observed), code) {
		return true
	}
	named := mentions(d.Expected + " " + d.Observed)
	if slices.Contains(named, code) {
		return causeClause
	}
	return len(named) == 0 && causeClause
}

func (r *reference) explain(code spec.Errno) explanation {
	e := explanation{Code: code, Meaning: codeNotes[code].meaning, WineNote: codeNotes[code].wine}
	if e.Meaning == "" {
		e.Meaning = "DisconnectEx itself does not report this code; it is listed for completeness. Generic meaning: " + code.Message() + "."
	}
	e.Aliases = code.Aliases()
	causeIDs := map[string]bool{}
	for _, c := range r.clauses {
		if slices.Contains(c.Errors, code) {
			e.Causes = append(e.Causes, c)
			causeIDs[c.ID] = true
		}
	}
	for _, st := range spec.NTStatuses() {
		w32, ws := st.Win32() == code, st.Winsock() == code
		switch {
		case w32 && ws:
			e.Statuses = append(e.Statuses, statusFace{st, "GetOverlappedResult and WSAGetOverlappedResult"})
		case w32:
			e.Statuses = append(e.Statuses, statusFace{st, "GetOverlappedResult"})
		case ws:
			e.Statuses = append(e.Statuses, statusFace{st, "WSAGetOverlappedResult"})
		}
	}
	for _, d := range r.divergences {
		if divergenceConcerns(d.Entry, code, causeIDs[d.Entry.Clause]) {
			e.Divergences = append(e.Divergences, d)
		}
	}
	for _, id := range codeNotes[code].related {
		if c, ok := spec.Lookup(id); ok && !causeIDs[id] {
			e.Related = append(e.Related, c)
		}
	}
	seen := map[string]bool{}
	for _, c := range slices.Concat(e.Causes, e.Related) {
		for _, name := range r.cases[c.ID] {
			if !seen[name] {
				seen[name] = true
				e.Cases = append(e.Cases, name)
			}
		}
	}
	slices.Sort(e.Cases)
	return e
}

func (e explanation) title() string {
	t := fmt.Sprintf("%s (%d)", e.Code.Name(), uint32(e.Code))
	if len(e.Aliases) > 0 {
		t += ", also " + strings.Join(e.Aliases, ", ")
	}
	return t
}

func (e explanation) relatedIDs() []string {
	var ids []string
	for _, c := range e.Related {
		ids = append(ids, c.ID)
	}
	return ids
}

func (e explanation) clauseIDs() []string {
	var ids []string
	for _, c := range e.Causes {
		ids = append(ids, c.ID)
	}
	return ids
}

// wrap breaks text into lines of at most width columns: the first starts
// with first, the others with spaces as wide as it.
func wrap(w io.Writer, first, text string, width int) {
	indent := strings.Repeat(" ", len(first))
	if strings.HasPrefix(first, "#") {
		indent = "#" + indent[1:]
	}
	line, empty := first, true
	for _, word := range strings.Fields(text) {
		if !empty && len(line)+1+len(word) > width {
			fmt.Fprintln(w, line)
			line, empty = indent, true
		}
		if !empty {
			line += " "
		}
		line += word
		empty = false
	}
	if !empty {
		fmt.Fprintln(w, line)
	}
}

func (e explanation) writeText(w io.Writer) {
	fmt.Fprintf(w, "%s: %s\n\n", e.title(), e.Code.Message())
	fmt.Fprintf(w, "What it means for DisconnectEx\n")
	wrap(w, "  ", e.Meaning, 78)
	fmt.Fprintf(w, "\nDocumented causes\n")
	if len(e.Causes) == 0 {
		fmt.Fprintf(w, "  No clause of the DisconnectEx page (or of the behaviours it leaves out) names this code.\n")
	}
	for _, c := range e.Causes {
		fmt.Fprintf(w, "  %s (%s, %s)\n", c.ID, c.Section, c.Status)
		wrap(w, "    Page:    ", c.Page, 78)
	}
	if len(e.Related) > 0 {
		fmt.Fprintf(w, "  The code comes from the behaviour these clauses describe:\n")
		for _, c := range e.Related {
			fmt.Fprintf(w, "  %s (%s, %s)\n", c.ID, c.Section, c.Status)
			wrap(w, "    Page:    ", c.Page, 78)
		}
	}
	fmt.Fprintf(w, "\nWhat Windows does\n")
	for _, c := range slices.Concat(e.Causes, e.Related) {
		fmt.Fprintf(w, "  %s:\n", c.ID)
		wrap(w, "    ", c.Windows, 78)
		for _, ev := range c.Evidence {
			wrap(w, "    evidence: ", ev, 78)
		}
	}
	for _, s := range e.Statuses {
		wrap(w, "  ", fmt.Sprintf("A request that ends with %s (0x%08X) reports it from %s.", s.Status, uint32(s.Status), s.Via), 78)
	}
	if len(e.Causes)+len(e.Related) == 0 && len(e.Statuses) == 0 {
		fmt.Fprintf(w, "  Nothing recorded beyond the meaning above.\n")
	}
	fmt.Fprintf(w, "\nWhere Wine and other backends differ\n")
	for _, line := range e.wineLines() {
		wrap(w, "  - ", line, 78)
	}
	fmt.Fprintf(w, "\nClauses and cases\n")
	fmt.Fprintf(w, "  clauses: %s\n", orNone(e.clauseIDs()))
	if len(e.Related) > 0 {
		fmt.Fprintf(w, "  related: %s\n", strings.Join(e.relatedIDs(), ", "))
	}
	fmt.Fprintf(w, "  cases:   %s\n", orNone(e.Cases))
	if len(e.Cases) > 0 {
		fmt.Fprintf(w, "  (watch one with: disconnectex trace %s)\n", e.Cases[0])
	}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// wineLines describes the divergences, as sentences: entries of one
// backend that share a clause and a reason are told once.
func (e explanation) wineLines() []string {
	var out []string
	type key struct{ backend, clause, reason string }
	describe := map[string]string{}
	var order []key
	groups := map[key][]conformance.Divergence{}
	for _, d := range e.Divergences {
		k := key{d.Backend.Name, d.Entry.Clause, d.Entry.Reason}
		describe[k.backend] = d.Backend.Description
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], d.Entry)
	}
	for _, k := range order {
		g := groups[k]
		var cases []string
		for _, d := range g {
			cases = append(cases, d.Case)
		}
		word := "case"
		if len(cases) > 1 {
			word = "cases"
		}
		s := fmt.Sprintf("%s differs on %s (%s %s): expected %s; observed %s.", describe[k.backend], k.clause, word,
			strings.Join(cases, ", "), strings.TrimSuffix(g[0].Expected, "."), strings.TrimSuffix(g[0].Observed, "."))
		if k.reason != "" {
			s += " Why: " + k.reason
		}
		out = append(out, s)
	}
	if wine, _ := backends.Lookup("wine"); !slices.ContainsFunc(e.Divergences, func(d backendDivergence) bool { return d.Backend.Name == wine.Name }) {
		out = append(out, "Wine: the divergence data ("+wine.File()+") records no difference for this code.")
	}
	if e.WineNote != "" {
		out = append(out, "Reference notes on Wine 8.0: "+e.WineNote)
	}
	return out
}
