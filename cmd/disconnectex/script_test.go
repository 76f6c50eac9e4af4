package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// parsed is a whole script, parsed.
type parsed struct {
	profile  emulator.Profile
	settings spec.Settings
	calls    []*call
}

// parseAll parses a whole script without running it.
func parseAll(src string) (*parsed, error) {
	p := newParser()
	var s parsed
	for _, l := range strings.Split(src, "\n") {
		c, err := p.parseLine(l)
		if err != nil {
			return nil, err
		}
		if c != nil {
			s.calls = append(s.calls, c)
		}
	}
	if p.calls == 0 {
		if err := p.settingsDone(); err != nil {
			return nil, err
		}
	}
	s.profile, s.settings = p.profile, p.settings
	return &s, nil
}

func TestParseScript(t *testing.T) {
	src := `# a comment
set profile documented
set timedwaitdelay 30s
set ports 49152 8

listen srv 127.0.0.1:0        # new name: created
socket c tcp overlapped
connect c srv
accept s srv
event e manual
overlapped o e
disconnectex c o TF_REUSE_SOCKET -> ERROR_IO_PENDING
disconnectex c null TF_REUSE_SOCKET|TF_DISCONNECT 1 -> WSAEINVAL
wait e 0s -> WAIT_TIMEOUT
state c -> TIME_WAIT
sleep 240s
recv s -> 0
thread t
as t disconnectex c o 0 -> fail
table -> 0
`
	s, err := parseAll(src)
	if err != nil {
		t.Fatal(err)
	}
	if s.profile != emulator.Documented || s.settings.TcpTimedWaitDelay != 30*time.Second || s.settings.DynamicPorts != (spec.PortRange{Start: 49152, Count: 8}) {
		t.Errorf("settings: %v %+v", s.profile, s.settings)
	}
	if len(s.calls) != 15 {
		t.Fatalf("got %d calls, want 15", len(s.calls))
	}
	d := s.calls[6]
	if st, ok := d.step.(*disconnectExStep); !ok || d.verb.name != "disconnectex" || d.line != 12 || d.expect.err != spec.ERROR_IO_PENDING ||
		*st != (disconnectExStep{s: ref{name: "c"}, ov: ref{name: "o"}, flags: spec.TF_REUSE_SOCKET}) {
		t.Errorf("disconnectex: %+v %+v", d, d.step)
	}
	d = s.calls[7]
	if st, ok := d.step.(*disconnectExStep); !ok || d.expect.err != spec.WSAEINVAL ||
		*st != (disconnectExStep{s: ref{name: "c"}, flags: 3, reserved: 1}) {
		t.Errorf("disconnectex null: %+v", d.step)
	}
	if c := s.calls[9]; c.expect.value != "TIME_WAIT" {
		t.Errorf("state expectation: %+v", c.expect)
	}
	if c := s.calls[13]; c.thread != "t" || c.verb.name != "disconnectex" || !c.expect.any {
		t.Errorf("as t: %+v", c)
	}
	if st, ok := s.calls[0].step.(*listenStep); !ok || !st.create || !st.hasAddr {
		t.Errorf("listen: %+v", s.calls[0].step)
	}
}

func TestParseScriptErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"frobnicate c", "line 1: unknown verb"},
		{"socket c tcp\n\nconnect c d", "line 3: d is not defined"},
		{"socket c tcp\nset ports 1 2", "line 2: settings must come before"},
		{"set timedwaitdelay 301s\nsocket c tcp", "line 1: spec: TcpTimedWaitDelay"},
		{"set timedwaitdelay 301s", "line 1: spec: TcpTimedWaitDelay"},
		{"set profile linux", "line 1: want: set profile"},
		{"socket c tcp\ndisconnectex c o 0", "line 2: o is not defined"},
		{"socket c tcp\nevent e auto\ndisconnectex c e 0", "line 3: e is an event; want an overlapped"},
		{"socket c tcp\ndisconnectex c null TF_BOGUS", `line 2: bad flags "TF_BOGUS"`},
		{"socket c tcp\nstate c -> sleepy", `line 2: "sleepy" is not a value state can give`},
		{"socket c tcp\nconnect c 127.0.0.1", `line 2: bad address`},
		{"socket c tcp\nwait c forever", `line 2: bad duration`},
		{"socket c tcp\nbind c 127.0.0.1:0 -> 7", `line 2: bind has no value`},
		{"socket c tcp ->", `line 1: '->' needs an expected result`},
		{"socket c tcp\nevent c manual", `line 2: c is already a socket`},
		{"listen srv", `line 1: listen srv: srv is new`},
		{"sleep infinite", `line 1: sleep infinite`},
		{"socket c tcp\nsockopt c SO_LINGER on", `line 2: want: sockopt S SO_REUSEADDR|SO_EXCLUSIVEADDRUSE on|off`},
		{"socket c tcp\nsockopt c SO_REUSEADDR yes", `line 2: want: sockopt S`},
	} {
		_, err := parseAll(tc.src)
		var se *syntaxError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want a syntax error containing %q", tc.src, err, tc.want)
		}
	}
}

// FuzzScript: any text is either refused with a syntax error (exit 2 in
// run) or runs to the end without a panic. Seeds are the scenarios and a few
// scripts that misuse names and handles.
func FuzzScript(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "scenarios", "*.dx"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	for _, s := range []string{
		"thread t\nclose t\nclose t\nas t socket x tcp\n",
		"socket c tcp\nclose c\nclose c\nstate c\nrecv c 65536\n",
		"event e manual\noverlapped o e\nfree o\nfree o\nresult e o\n",
		"port p\npost p 1 0xdeadbeef\ndequeue p 0s -> 0xdeadbeef\n",
		"socket c tcp\noverlapped o c\ndisconnectex c o 0xffffffff 0xffffffff\n",
		"set ports 65535 1\nlisten l 127.0.0.1:0\nconnect 0 l\nwait 0 0s\nclose 12345\n",
		"set ports 1 65535\nsleep 2562047h\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var out, errb bytes.Buffer
		switch code := runStream(strings.NewReader(src), "fuzz.dx", true, &out, &errb); code {
		case exitOK, exitUnexpected:
		case exitUsage:
			// A syntax error stops the stream; the lines before it ran and
			// may have reported unmet expectations first.
			msgs := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
			if !strings.HasPrefix(msgs[len(msgs)-1], "disconnectex run: fuzz.dx: line ") {
				t.Fatalf("exit 2 without naming a line:\n%s", errb.String())
			}
		default:
			t.Fatalf("exit %d:\n%s", code, errb.String())
		}
	})
}

func TestArity(t *testing.T) {
	for _, tc := range []struct {
		syntax   string
		min, max int
	}{
		{"", 0, 0},
		{"S", 1, 1},
		{"S [ADDR]", 1, 2},
		{"O [E|null] [nopacket]", 1, 3},
		{"S MODE[|MODE]", 2, 2},
		{"S TEXT...", 2, -1},
	} {
		if min, max := arity(tc.syntax); min != tc.min || max != tc.max {
			t.Errorf("arity(%q) = %d, %d; want %d, %d", tc.syntax, min, max, tc.min, tc.max)
		}
	}
}

// TestVerbTable: every verb in the table is in the help, refuses too few
// and too many operands with its own syntax, and has a value exactly when
// an expectation of a value is accepted.
func TestVerbTable(t *testing.T) {
	help := scriptHelp()
	for _, v := range verbs {
		if !strings.Contains(help, "\n  "+v.usage()) {
			t.Errorf("help lacks %q", v.usage())
		}
		try := func(n int) error {
			line := v.name + strings.Repeat(" x", n)
			_, err := parseAll(line)
			return err
		}
		want := "line 1: want: " + v.usage()
		if v.min > 0 {
			if err := try(v.min - 1); err == nil || err.Error() != want {
				t.Errorf("%s with %d operands: %v, want %q", v.name, v.min-1, err, want)
			}
		}
		if v.max >= 0 {
			if err := try(v.max + 1); err == nil || err.Error() != want {
				t.Errorf("%s with %d operands: %v, want %q", v.name, v.max+1, err, want)
			}
		}
	}
	for _, name := range valueVerbs() {
		if !strings.Contains(help, name) || verbIndex[name].value == "" {
			t.Errorf("value verb %s", name)
		}
	}
	if _, err := parseAll("table -> 3"); err != nil {
		t.Errorf("table -> 3: %v", err)
	}
	if _, err := parseAll("sleep 1s -> 3"); err == nil || !strings.Contains(err.Error(), "sleep has no value") {
		t.Errorf("sleep 1s -> 3: %v", err)
	}
}

// TestListenIPv6OneSocket: listen on a new name with an IPv6 address
// creates one socket, an AF_INET6 one (it used to create an AF_INET socket
// first and leak it).
func TestListenIPv6OneSocket(t *testing.T) {
	code, out, errs := cli(t, "run", writeScript(t, "listen s [::1]:0\nclose s\ntable -> 0\n"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if n := strings.Count(out, "call        WSASocketW("); n != 1 || !strings.Contains(out, "WSASocketW(AF_INET6,") {
		t.Errorf("listen [::1]:0 made %d sockets:\n%s", n, out)
	}
}

// sockopt sets the bind options: a server on 0.0.0.0 with
// SO_EXCLUSIVEADDRUSE keeps 127.0.0.1 off its port, and the two options
// exclude each other.
func TestScriptSockopt(t *testing.T) {
	src := "socket srv tcp\nsockopt srv SO_EXCLUSIVEADDRUSE on\nbind srv 0.0.0.0:9000\n" +
		"socket thief tcp\nbind thief 127.0.0.1:9000 -> WSAEACCES\n" +
		"socket r tcp\nsockopt r SO_REUSEADDR on\nsockopt r SO_EXCLUSIVEADDRUSE on -> WSAEINVAL\n" +
		"sockopt r SO_REUSEADDR off\nsockopt r SO_EXCLUSIVEADDRUSE on -> ok\n"
	code, out, errs := cli(t, "run", writeScript(t, src))
	if code != exitOK || !strings.Contains(out, "setsockopt(SO_EXCLUSIVEADDRUSE)(s=srv, on=true)") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
}

// reuseCycles is a script of about n lines: one listener, then reuse
// cycles of a client socket, 13 lines each.
func reuseCycles(n int) string {
	var b strings.Builder
	b.WriteString("listen srv 127.0.0.1:8080\n")
	for i := 1; i < n; i += 13 {
		// c closes first: its TIME_WAIT row holds the port until the
		// sleep is over, so the ports never run out.
		b.WriteString("socket c tcp overlapped\nconnect c srv\naccept s srv\nevent e manual\noverlapped o e\n" +
			"disconnectex c o TF_REUSE_SOCKET -> ERROR_IO_PENDING\nclose s\nwait e infinite -> ok\nstate c -> reusable\n" +
			"free o\nclose e\nclose c\nsleep 240s\n")
	}
	return b.String()
}

func BenchmarkRunQuiet(b *testing.B) {
	src := reuseCycles(10_000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if code := runStream(strings.NewReader(src), "bench.dx", false, io.Discard, io.Discard); code != exitOK {
			b.Fatalf("exit %d", code)
		}
	}
}
