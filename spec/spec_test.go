package spec

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestErrnoFaces(t *testing.T) {
	if got, want := WSAENOTCONN.Error(), "WSAENOTCONN (10057): the socket is not connected"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := Errno(424242).Name(); got != "Errno(424242)" {
		t.Errorf("unknown Name() = %q", got)
	}
	if Errno(424242).Known() || !WSAEINVAL.Known() {
		t.Error("Known() is wrong")
	}
	wrapped := fmt.Errorf("DisconnectEx: %w", WSAENOTCONN)
	if !errors.Is(wrapped, WSAENOTCONN) || errors.Is(wrapped, WSAEINVAL) {
		t.Error("errors.Is does not see through wrapping")
	}
	if !errors.Is(WSAENOTCONN, syscall.Errno(10057)) || errors.Is(WSAENOTCONN, syscall.Errno(10022)) {
		t.Error("errors.Is does not match syscall.Errno by number")
	}
	if WSA_IO_PENDING != ERROR_IO_PENDING || WSA_OPERATION_ABORTED != ERROR_OPERATION_ABORTED {
		t.Error("WSA aliases differ from their Win32 codes")
	}
}

func TestErrnoTableIsWindowsNames(t *testing.T) {
	name := regexp.MustCompile(`^(WSAE[A-Z]+|ERROR_[A-Z0-9_]+|WAIT_TIMEOUT)$`)
	seen := map[string]bool{}
	for _, e := range Errnos() {
		if !name.MatchString(e.Name()) {
			t.Errorf("%d: name %q is not a Windows error name", e, e.Name())
		}
		if seen[e.Name()] {
			t.Errorf("name %s used twice", e.Name())
		}
		seen[e.Name()] = true
		if e.Message() == "" {
			t.Errorf("%s has no message", e.Name())
		}
		if e >= 10000 && e < 11000 && e.Name()[:4] != "WSAE" {
			t.Errorf("%d is in the Winsock range but named %s", e, e.Name())
		}
	}
	if !slices.IsSorted(Errnos()) {
		t.Error("Errnos() is not sorted")
	}
}

func TestParseErrno(t *testing.T) {
	for _, in := range []string{"WSAENOTCONN", "wsaenotconn", "10057", "0x2749"} {
		got, err := ParseErrno(in)
		if err != nil || got != WSAENOTCONN {
			t.Errorf("ParseErrno(%q) = %v, %v; want WSAENOTCONN", in, got, err)
		}
	}
	for _, in := range []string{"99999", "WSAENOPE", "", "-1"} {
		if _, err := ParseErrno(in); err == nil {
			t.Errorf("ParseErrno(%q) succeeded", in)
		}
	}
}

// Each Winsock error a backend may store as a request's outcome must read
// back the same through WSAGetOverlappedResult.
func TestStatusRoundTrip(t *testing.T) {
	for _, e := range []Errno{ERROR_SUCCESS, WSA_OPERATION_ABORTED, WSAENOTCONN, WSAESHUTDOWN,
		WSAECONNABORTED, WSAECONNRESET, WSAECONNREFUSED, WSAEDISCON, WSAEADDRINUSE, WSAENOBUFS, WSAEINVAL, WSAETIMEDOUT, WSAENETUNREACH, WSAEHOSTUNREACH} {
		if got := StatusFromWinsock(e).Winsock(); got != e {
			t.Errorf("StatusFromWinsock(%s) = %s, which reads back as %s", e.Name(), StatusFromWinsock(e), got.Name())
		}
	}
	for s, info := range statusTable {
		if !info.win32.Known() || !info.winsock.Known() {
			t.Errorf("%s maps to an unnamed code: %d / %d", s, info.win32, info.winsock)
		}
	}
	if got := NTStatus(0xC0001234).Winsock(); got != WSAEINVAL {
		t.Errorf("unknown status Winsock() = %s, want WSAEINVAL", got.Name())
	}
	if got := STATUS_CANCELLED.Win32(); got != ERROR_OPERATION_ABORTED {
		t.Errorf("STATUS_CANCELLED.Win32() = %s", got.Name())
	}
	if got := NTStatus(0xC0001234).String(); got != "NTSTATUS(0xC0001234)" {
		t.Errorf("String() = %q", got)
	}
}

func TestGUIDs(t *testing.T) {
	for g, want := range map[*GUID]string{
		&WSAID_DISCONNECTEX: "{7FDA2E11-8630-436F-A031-F536A6EEC157}",
		&WSAID_CONNECTEX:    "{25A207B9-DDF3-4660-8EE9-76E58C74063E}",
		&WSAID_ACCEPTEX:     "{B5367DF1-CBAC-11CF-95CA-00805F48A192}",
	} {
		if got := g.String(); got != want {
			t.Errorf("GUID = %s, want %s", got, want)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	ok := []time.Duration{0, 30 * time.Second, 120 * time.Second, 240 * time.Second, 300 * time.Second}
	for _, d := range ok {
		s := DefaultSettings()
		s.TcpTimedWaitDelay = d
		if err := s.Validate(); err != nil {
			t.Errorf("delay %v: %v", d, err)
		}
	}
	bad := []Settings{
		{TcpTimedWaitDelay: 301 * time.Second, DynamicPorts: DefaultDynamicPorts},
		{TcpTimedWaitDelay: -time.Second, DynamicPorts: DefaultDynamicPorts},
		{TcpTimedWaitDelay: 1500 * time.Millisecond, DynamicPorts: DefaultDynamicPorts},
		{TcpTimedWaitDelay: time.Minute, DynamicPorts: PortRange{Start: 0, Count: 10}},
		{TcpTimedWaitDelay: time.Minute, DynamicPorts: PortRange{Start: 65535, Count: 2}},
		{TcpTimedWaitDelay: time.Minute, DynamicPorts: PortRange{Start: 1000, Count: 0}},
		{TcpTimedWaitDelay: time.Minute, DynamicPorts: PortRange{Start: 1000, Count: -5}},
		// Counts that overflowed int(Start)+Count-1 into a "valid" range.
		{TcpTimedWaitDelay: time.Minute, DynamicPorts: PortRange{Start: 65535, Count: math.MaxInt - 65000}},
		{TcpTimedWaitDelay: time.Minute, DynamicPorts: PortRange{Start: 2, Count: math.MaxInt}},
		{TcpTimedWaitDelay: time.Minute, DynamicPorts: PortRange{Start: 1, Count: math.MaxInt}},
		{TcpTimedWaitDelay: time.Minute, DynamicPorts: PortRange{Start: 1, Count: 65536}},
		{TcpTimedWaitDelay: math.MaxInt64, DynamicPorts: DefaultDynamicPorts},
		{TcpTimedWaitDelay: math.MinInt64, DynamicPorts: DefaultDynamicPorts},
	}
	for _, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("Validate(%+v) accepted it", s)
		}
	}
	// The edges of the port space are valid.
	for _, r := range []PortRange{{Start: 1, Count: 65535}, {Start: 65535, Count: 1}, {Start: 2, Count: 65534}} {
		s := DefaultSettings()
		s.DynamicPorts = r
		if err := s.Validate(); err != nil {
			t.Errorf("Validate(%+v): %v", r, err)
		}
	}
	if d := DefaultSettings(); d.TcpTimedWaitDelay != 2*MSL || !d.DynamicPorts.Contains(65535) || d.DynamicPorts.Contains(49151) {
		t.Errorf("defaults: %+v", d)
	}
}

func TestStateNames(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range States() {
		n := s.String()
		if seen[n] || n == "" {
			t.Errorf("state %d: name %q empty or repeated", s, n)
		}
		seen[n] = true
	}
	for _, want := range []string{"connected", "transmit-closing", "TIME_WAIT", "reusable"} {
		if !seen[want] {
			t.Errorf("no state named %s", want)
		}
	}
	if TCPTimeWait.String() != "TIME_WAIT" || TCPState(99).String() != "TCPState(99)" {
		t.Error("TCPState names")
	}
}

// The catalogue is data other packages depend on: check its shape.
func TestCatalogue(t *testing.T) {
	id := regexp.MustCompile(`^DX-[A-Z0-9]+(-[A-Z0-9]+)*$`)
	sections := []string{SectionSummary, SectionParameters, SectionReturn, SectionErrors, SectionRemarks, SectionRequires, SectionGaps}
	var contradicts []string
	for _, c := range Clauses() {
		if !id.MatchString(c.ID) {
			t.Errorf("%q is not a clause ID", c.ID)
		}
		if got, ok := Lookup(c.ID); !ok || got.ID != c.ID {
			t.Errorf("Lookup(%s) failed", c.ID)
		}
		if !slices.Contains(sections, c.Section) {
			t.Errorf("%s: unknown section %q", c.ID, c.Section)
		}
		if !slices.Contains(Statuses(), c.Status) {
			t.Errorf("%s: unknown status %q", c.ID, c.Status)
		}
		if c.Page == "" || c.Windows == "" || len(c.Evidence) == 0 {
			t.Errorf("%s: page text, Windows text and evidence are all required", c.ID)
		}
		if (c.Section == SectionGaps) != (c.Status == Unspecified) {
			t.Errorf("%s: a clause is Unspecified exactly when the page is silent (section %q, status %s)", c.ID, c.Section, c.Status)
		}
		for _, e := range c.Errors {
			if !e.Known() {
				t.Errorf("%s names an unknown error %d", c.ID, e)
			}
		}
		if c.Status == Contradicts {
			contradicts = append(contradicts, c.ID)
		}
	}
	// The emulator's Documented profile departs from Windows in exactly
	// these; changing the list means changing the profile too.
	want := []string{ClauseFlagReuseTarget, ClauseErrNotConnTransmit, ClauseRemThreadExit}
	slices.Sort(contradicts)
	slices.Sort(want)
	if !slices.Equal(contradicts, want) {
		t.Errorf("Contradicts clauses = %v, want %v", contradicts, want)
	}
	if _, ok := Lookup("DX-NOPE"); ok {
		t.Error("Lookup of an unknown ID succeeded")
	}
}

func TestVocabulary(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Errno
	}{{"wsa_operation_aborted", ERROR_OPERATION_ABORTED}, {"NO_ERROR", ERROR_SUCCESS}, {"WSA_IO_PENDING", ERROR_IO_PENDING}, {"wsaenotconn", WSAENOTCONN}} {
		if got, err := ParseErrno(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseErrno(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if got := ERROR_OPERATION_ABORTED.Aliases(); len(got) != 1 || got[0] != "WSA_OPERATION_ABORTED" {
		t.Errorf("Aliases: %v", got)
	}
	if got := WSAENOTCONN.Aliases(); len(got) != 0 {
		t.Errorf("WSAENOTCONN.Aliases() = %v, want none", got)
	}
	st := NTStatuses()
	if len(st) != len(statusTable) || !slices.IsSorted(st) || st[0] != STATUS_SUCCESS {
		t.Errorf("NTStatuses() = %v", st)
	}
	if AFName(AF_INET6) != "AF_INET6" || AFName(99) != "AF_99" {
		t.Error("AFName")
	}
	for _, g := range []GUID{WSAID_DISCONNECTEX, WSAID_CONNECTEX, WSAID_ACCEPTEX, WSAID_GETACCEPTEXSOCKADDRS} {
		if back, err := ParseGUID(g.Name()); err != nil || back != g {
			t.Errorf("ParseGUID(%q) = %v, %v", g.Name(), back, err)
		}
	}
	if g, err := ParseGUID("disconnectex"); err != nil || g != WSAID_DISCONNECTEX {
		t.Errorf("ParseGUID(disconnectex) = %v, %v", g, err)
	}
	if _, err := ParseGUID("nope"); err == nil {
		t.Error("ParseGUID accepted nope")
	}
	if (GUID{Data1: 1}).Name() != (GUID{Data1: 1}).String() {
		t.Error("Name of an unknown GUID")
	}
	for _, f := range []uint32{0, TF_DISCONNECT, TF_DISCONNECT | TF_REUSE_SOCKET, TF_WRITE_BEHIND | 0x10} {
		if back, err := ParseFlags(FlagsName(f)); err != nil || back != f {
			t.Errorf("ParseFlags(FlagsName(%#x)) = %#x, %v", f, back, err)
		}
	}
	if f, err := ParseFlags("DE_REUSE_SOCKET|1"); err != nil || f != TF_REUSE_SOCKET|TF_DISCONNECT {
		t.Errorf("ParseFlags(DE_REUSE_SOCKET|1) = %#x, %v", f, err)
	}
	if _, err := ParseFlags("TF_NOPE"); err == nil {
		t.Error("ParseFlags accepted TF_NOPE")
	}
	if FormatDuration(240*time.Second) != "240s" || FormatDuration(1500*time.Millisecond) != "1.5s" {
		t.Error("FormatDuration")
	}
}

// TestClausesAreCopies: changing what Clauses or Lookup return leaves the
// catalogue as it was, slices included.
func TestClausesAreCopies(t *testing.T) {
	for _, get := range []func() Clause{
		func() Clause { return Clauses()[0] },
		func() Clause { c, _ := Lookup(Clauses()[0].ID); return c },
	} {
		c := get()
		want := slices.Clone(c.Evidence)
		c.Evidence[0] = "changed"
		if len(c.Errors) > 0 {
			c.Errors[0] = 1
		}
		if again := get(); !slices.Equal(again.Evidence, want) {
			t.Errorf("the catalogue's Evidence changed: %v", again.Evidence)
		}
	}
	for _, c := range Clauses() {
		if n := slices.Index(c.Errors, 1); n >= 0 {
			t.Errorf("%s: the catalogue's Errors changed", c.ID)
		}
	}
}

func TestCompletionModes(t *testing.T) {
	for m := range 256 {
		if back, err := ParseCompletionModes(CompletionModesName(uint8(m))); err != nil || back != uint8(m) {
			t.Errorf("ParseCompletionModes(CompletionModesName(%#x)) = %#x, %v", m, back, err)
		}
	}
	for s, want := range map[string]uint8{
		"skip-port-on-success":                 FILE_SKIP_COMPLETION_PORT_ON_SUCCESS,
		"skip-event-on-handle|1":               FILE_SKIP_SET_EVENT_ON_HANDLE | FILE_SKIP_COMPLETION_PORT_ON_SUCCESS,
		"FILE_SKIP_SET_EVENT_ON_HANDLE":        FILE_SKIP_SET_EVENT_ON_HANDLE,
		"FILE_SKIP_COMPLETION_PORT_ON_SUCCESS": FILE_SKIP_COMPLETION_PORT_ON_SUCCESS,
	} {
		if got, err := ParseCompletionModes(s); err != nil || got != want {
			t.Errorf("ParseCompletionModes(%q) = %#x, %v; want %#x", s, got, err, want)
		}
	}
	if got := CompletionModesName(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | 0x10); got != "FILE_SKIP_COMPLETION_PORT_ON_SUCCESS|0x10" {
		t.Errorf("CompletionModesName(0x11) = %q", got)
	}
	for _, bad := range []string{"skip", "256", "1|", "0x100"} {
		if _, err := ParseCompletionModes(bad); err == nil {
			t.Errorf("ParseCompletionModes(%q) succeeded", bad)
		}
	}
}

// TestErrorsIsFaces: the Win32 and Winsock faces of one NTSTATUS match
// each other under errors.Is, both ways, also through wrapping and
// against syscall.Errno; unrelated codes and the catch-all pair do not.
func TestErrorsIsFaces(t *testing.T) {
	for _, st := range NTStatuses() {
		w, s := st.Win32(), st.Winsock()
		if st == STATUS_SUCCESS || st == STATUS_PENDING || st == STATUS_INVALID_PARAMETER || w == s {
			continue
		}
		if !errors.Is(w, s) || !errors.Is(s, w) || !errors.Is(fmt.Errorf("op: %w", w), s) || !errors.Is(s, syscall.Errno(w)) {
			t.Errorf("%s: %s and %s are not related by errors.Is", st, w.Name(), s.Name())
		}
	}
	if !errors.Is(ERROR_CONNECTION_REFUSED, WSAECONNREFUSED) || !errors.Is(WSAECONNREFUSED, ERROR_CONNECTION_REFUSED) {
		t.Error("ERROR_CONNECTION_REFUSED and WSAECONNREFUSED are not one failure")
	}
	for _, pair := range [][2]Errno{
		{ERROR_INVALID_PARAMETER, WSAEINVAL}, // the catch-all faces
		{WSAECONNRESET, WSAECONNABORTED},     // not transitive through ERROR_NETNAME_DELETED
		{ERROR_CONNECTION_REFUSED, WSAECONNRESET},
		{WSAENOTCONN, WSAESHUTDOWN},
	} {
		if errors.Is(pair[0], pair[1]) || errors.Is(pair[1], pair[0]) {
			t.Errorf("errors.Is relates %s and %s", pair[0].Name(), pair[1].Name())
		}
	}
}
