package emulator

import (
	"net/netip"
	"testing"

	"github.com/disconnectex/disconnectex/spec"
	"github.com/google/go-cmp/cmp"
)

// TestTraceFunc: the streaming trace hands over exactly the events the
// recorded trace keeps, in order, and keeps none itself.
func TestTraceFunc(t *testing.T) {
	script := func(e *Emulator) {
		l, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
		_ = e.Bind(l, netip.MustParseAddrPort("127.0.0.1:0"))
		_ = e.Listen(l, 4)
		a, _ := e.Getsockname(l)
		c, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
		_ = e.Connect(c, a)
		s, _, _ := e.Accept(l)
		ev, _ := e.CreateEvent(true, false)
		o, _ := e.NewOverlapped(ev)
		_ = e.DisconnectEx(c, o, spec.TF_REUSE_SOCKET, 0)
		_ = e.Closesocket(s)
		_ = e.WaitForSingleObject(ev, spec.Infinite)
	}
	rec, err := New(spec.DefaultSettings(), WithTrace())
	if err != nil {
		t.Fatal(err)
	}
	script(rec)
	var got []Event
	str, err := New(spec.DefaultSettings(), WithTraceFunc(func(ev Event) { got = append(got, ev) }))
	if err != nil {
		t.Fatal(err)
	}
	script(str)
	if diff := cmp.Diff(rec.Trace(), got); diff != "" || len(got) < 20 {
		t.Errorf("%d streamed events; differences from the recorded trace (-recorded +streamed):\n%s", len(got), diff)
	}
	if tr := str.Trace(); tr != nil {
		t.Errorf("the streaming emulator kept %d events", len(tr))
	}
}
