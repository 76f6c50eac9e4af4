package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

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
	s, err := parseScript(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if s.profile != "documented" || s.settings.TcpTimedWaitDelay != 30*time.Second || s.settings.DynamicPorts != (spec.PortRange{Start: 49152, Count: 8}) {
		t.Errorf("settings: %q %+v", s.profile, s.settings)
	}
	if len(s.stmts) != 15 {
		t.Fatalf("got %d statements, want 15", len(s.stmts))
	}
	d := s.stmts[6]
	if d.verb != "disconnectex" || d.line != 12 || d.num != uint64(spec.TF_REUSE_SOCKET) || d.names[0] != "c" || d.names[1] != "o" || d.expect.err != spec.ERROR_IO_PENDING {
		t.Errorf("disconnectex: %+v", d)
	}
	d = s.stmts[7]
	if d.num != 3 || d.num2 != 1 || d.names[1] != "" || d.lits[1] != 0 || d.expect.err != spec.WSAEINVAL {
		t.Errorf("disconnectex null: %+v", d)
	}
	if st := s.stmts[9]; st.expect.value != "TIME_WAIT" {
		t.Errorf("state expectation: %+v", st.expect)
	}
	if st := s.stmts[13]; st.thread != "t" || st.verb != "disconnectex" || !st.expect.any {
		t.Errorf("as t: %+v", st)
	}
	if st := s.stmts[0]; !st.opt || !st.hasAddr {
		t.Errorf("listen: %+v", st)
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
		{"socket c tcp\nstate c -> sleepy", `line 2: "sleepy" is not a socket state`},
		{"socket c tcp\nconnect c 127.0.0.1", `line 2: bad address`},
		{"socket c tcp\nwait c forever", `line 2: bad duration`},
		{"socket c tcp\nbind c 127.0.0.1:0 -> 7", `line 2: bind has no value`},
		{"socket c tcp ->", `line 1: '->' needs an expected result`},
		{"socket c tcp\nevent c manual", `line 2: c is already a socket`},
		{"listen srv", `line 1: listen srv: srv is new`},
		{"sleep infinite", `line 1: sleep infinite`},
	} {
		_, err := parseScript(strings.NewReader(tc.src))
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
	old := hangLimit
	hangLimit = 50 * time.Millisecond
	defer func() { hangLimit = old }()
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
		s, err := parseScript(strings.NewReader(src))
		if err != nil {
			var se *syntaxError
			if !errors.As(err, &se) {
				t.Fatalf("parse error is not a syntax error: %v", err)
			}
			return
		}
		var out, errb bytes.Buffer
		if code := execScript(s, "fuzz.dx", true, &out, &errb); code != exitOK && code != exitUnexpected {
			t.Fatalf("exit %d for a script that parsed:\n%s", code, errb.String())
		}
	})
}
