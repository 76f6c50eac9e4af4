package emulator_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// A fault rule makes the first ConnectEx pend and be refused 2 s later,
// as Windows refuses one on loopback; the socket stays bound, and the
// second attempt connects. The trace shows where the rule fired.
func ExampleFault() {
	e, err := emulator.New(spec.DefaultSettings(), emulator.WithTrace(), emulator.WithFaults(emulator.Fault{
		Call: "ConnectEx", Nth: 1, Action: emulator.FaultComplete,
		Status: spec.STATUS_CONNECTION_REFUSED, Delay: 2 * time.Second,
	}))
	if err != nil {
		panic(err)
	}
	server := netip.MustParseAddrPort("127.0.0.1:8080")
	l, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	_ = e.Bind(l, server)
	_ = e.Listen(l, 16)

	s, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	_ = e.Bind(s, netip.MustParseAddrPort("0.0.0.0:0"))
	ov, _ := e.NewOverlapped(0)
	for range 2 {
		err := e.ConnectEx(s, server, ov)
		if err == spec.ERROR_IO_PENDING {
			_, err = e.GetOverlappedResult(spec.Handle(s), ov, true)
		}
		st, _ := e.State(s)
		fmt.Printf("at %v: %v, socket %v\n", e.Now(), resultOf(err), st)
	}
	for _, ev := range e.Trace() {
		if ev.Kind == emulator.KindFault {
			fmt.Println(ev)
		}
	}
	// Output:
	// at 2s: ERROR_CONNECTION_REFUSED, socket bound
	// at 2s: ok, socket connected
	// [     0s] #17 T0 fault ConnectEx s=0x8: pends, completes after 2s with STATUS_CONNECTION_REFUSED (rule 1)
	// [     2s] #20 T0 fault ConnectEx s=0x8: completes with STATUS_CONNECTION_REFUSED (rule 1)
}

// Inject adds a rule while the emulator runs: here the peer resets the
// connection while DisconnectEx(TF_REUSE_SOCKET) waits for its FIN, and
// the request completes with the reset.
func ExampleEmulator_Inject() {
	e, _ := emulator.New(spec.DefaultSettings())
	server := netip.MustParseAddrPort("127.0.0.1:8080")
	l, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	_ = e.Bind(l, server)
	_ = e.Listen(l, 16)
	c, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	_ = e.Connect(c, server)
	_, _, _ = e.Accept(l)

	remove, err := e.Inject(emulator.Fault{Call: "DisconnectEx", Socket: c, Action: emulator.FaultReset, Delay: 30 * time.Second})
	if err != nil {
		panic(err)
	}
	defer remove()
	ov, _ := e.NewOverlapped(0)
	fmt.Println(resultOf(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0)))
	_, err = e.GetOverlappedResult(spec.Handle(c), ov, true)
	internal, _, _ := e.OverlappedFields(ov)
	fmt.Printf("at %v: %v (%v)\n", e.Now(), resultOf(err), internal)

	_, err = e.Inject(emulator.Fault{Call: "DisconectEx", Action: emulator.FaultReset})
	fmt.Println(err)
	// Output:
	// ERROR_IO_PENDING
	// at 30s: ERROR_NETNAME_DELETED (STATUS_CONNECTION_RESET)
	// emulator: bad fault rule: unknown call "DisconectEx"; FaultCalls lists the names, as the trace writes them
}

// An observer sees every call, result and event, the calls of threads
// included, outside the emulator's lock: here it counts the calls per
// thread and prints the results that failed.
func ExampleWithObserver() {
	calls := map[int]int{}
	e, _ := emulator.New(spec.DefaultSettings(), emulator.WithObserver(func(ev emulator.Event) {
		switch {
		case ev.Kind == emulator.KindCall:
			calls[ev.Thread]++
		case ev.Kind == emulator.KindResult && ev.Result != "ok":
			fmt.Printf("T%d %s = %s\n", ev.Thread, ev.Call, ev.Result)
		}
	}))
	th, _ := e.NewThread()
	s, _ := th.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
	_ = th.Connect(s, netip.MustParseAddrPort("127.0.0.1:9")) // nothing listens
	_ = e.Closesocket(s)
	fmt.Println("calls by thread:", calls)
	// Output:
	// T1 connect = WSAECONNREFUSED
	// calls by thread: map[0:2 1:2]
}
