package main

import (
	"strings"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// TestSetFault: set fault lines become the emulator's rules; bad ones are
// syntax errors naming the line and what is wrong.
func TestSetFault(t *testing.T) {
	p := newParser()
	for _, l := range []string{
		"set fault connectex 1 complete STATUS_CONNECTION_REFUSED 2s",
		"set fault DisconnectEx 0 reset",
		"set fault bind 2 fail WSAEADDRINUSE",
	} {
		if _, err := p.parseLine(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	want := []emulator.Fault{
		{Call: "ConnectEx", Nth: 1, Action: emulator.FaultComplete, Status: spec.STATUS_CONNECTION_REFUSED, Delay: 2 * time.Second},
		{Call: "DisconnectEx", Action: emulator.FaultReset},
		{Call: "bind", Nth: 2, Action: emulator.FaultFail, Err: spec.WSAEADDRINUSE},
	}
	if len(p.faults) != len(want) {
		t.Fatalf("rules %+v", p.faults)
	}
	for i := range want {
		if p.faults[i].Call != want[i].Call || p.faults[i].Nth != want[i].Nth || p.faults[i].Action != want[i].Action ||
			p.faults[i].Err != want[i].Err || p.faults[i].Status != want[i].Status || p.faults[i].Delay != want[i].Delay {
			t.Errorf("rule %d: %+v, want %+v", i, p.faults[i], want[i])
		}
	}
	for _, c := range []struct{ line, want string }{
		{"set fault ConnectEx", "want: set fault CALL NTH"},
		{"set fault ConnectEx x fail WSAEINVAL", "bad NTH"},
		{"set fault ConnectEx -1 fail WSAEINVAL", "negative Nth"},
		{"set fault Connectx 1 fail WSAEINVAL", `unknown call "Connectx"`},
		{"set fault ConnectEx 1 fail NOPE", "fail needs an error CODE"},
		{"set fault ConnectEx 1 complete WSAEINVAL", "complete needs an NTSTATUS CODE"},
		{"set fault ConnectEx 1 complete STATUS_SUCCESS", "failure status"},
		{"set fault connect 1 complete STATUS_CONNECTION_REFUSED", "needs a call with an OVERLAPPED"},
		{"set fault ConnectEx 1 reset STATUS_CANCELLED", "reset takes no CODE"},
		{"set fault ConnectEx 1 explode", "unknown fault action"},
		{"set fault ConnectEx 1 reset -1s", "negative Delay"},
	} {
		_, err := newParser().parseLine(c.line)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "line 1: ") {
			t.Errorf("%s: %v, want line 1 and %q", c.line, err, c.want)
		}
	}
}
