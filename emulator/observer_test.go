package emulator

import (
	"sync"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// TestObserverSeesAll: the observer gets every event, once, in Seq order,
// the same as WithTrace keeps, from threads started with Go too, while
// goroutines call concurrently.
func TestObserverSeesAll(t *testing.T) {
	var mu sync.Mutex
	var got []Event
	obs := func(ev Event) {
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
	}
	w := newWorld(t, Windows, WithTrace(), WithObserver(obs), WithFaults(Fault{Call: "bind", Nth: 3, Action: FaultFail, Err: spec.WSAENOBUFS}))
	e := w.e
	const n = 4
	var wg sync.WaitGroup
	wg.Add(n)
	fs := make([]func(*Thread), n)
	for i := range fs {
		fs[i] = func(th *Thread) {
			defer wg.Done()
			for range 20 {
				s, err := th.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
				if err != nil {
					t.Error(err)
					return
				}
				_ = th.Bind(s, any4)
				_ = th.Connect(s, serverAddr)
				_ = th.Closesocket(s)
			}
		}
	}
	w.ok(e.Go(fs...))
	wg.Wait()
	w.ok(e.Bind(w.sock(true), any4)) // delivers the last threads' ExitThread, if still queued
	want := e.Trace()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(want) {
		t.Fatalf("observer saw %d events, the trace has %d", len(got), len(want))
	}
	threads, faults := map[int]bool{}, 0
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("event %d: observer %v, trace %v", i, got[i], want[i])
		}
		if got[i].Seq != i+1 {
			t.Fatalf("event %d has Seq %d", i, got[i].Seq)
		}
		threads[got[i].Thread] = true
		if got[i].Kind == KindFault {
			faults++
		}
	}
	if len(threads) != n+1 || faults != 1 {
		t.Errorf("threads %v, faults %d", threads, faults)
	}
}

// TestObserverReentrant: the observer may call the emulator, blocking
// calls included; its calls' events come after the current one.
func TestObserverReentrant(t *testing.T) {
	var e *Emulator
	var seqs []int
	depth, calls := 0, 0
	obs := func(ev Event) {
		seqs = append(seqs, ev.Seq)
		if ev.Kind == KindResult && ev.Call == "closesocket" && calls == 0 {
			calls++
			depth++
			if _, err := e.TCPTable(); err != nil {
				t.Error(err)
			}
			e.Sleep(time.Second) // blocks in virtual time, alone
			depth--
		}
		if depth > 0 && ev.Call == "GetExtendedTcpTable" {
			t.Error("an event of the observer's own call reached it while it ran")
		}
	}
	w := newWorld(t, Windows, WithObserver(obs), WithDeadlockError())
	e = w.e
	s := w.sock(true)
	w.ok(e.Closesocket(s))
	w.ok(e.Bind(w.sock(true), any4))
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("seqs %v", seqs)
		}
	}
	if e.Now() != time.Second || calls != 1 {
		t.Errorf("now %v calls %d", e.Now(), calls)
	}
	if e.Trace() != nil {
		t.Error("WithObserver alone keeps events")
	}
}

// TestObserverPanic: a panic in the observer reaches the caller and does
// not stop later deliveries.
func TestObserverPanic(t *testing.T) {
	n := 0
	obs := func(ev Event) {
		n++
		if n == 1 {
			panic("observer")
		}
	}
	e, err := New(spec.DefaultSettings(), WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("no panic")
			}
		}()
		_, _ = e.CreateEvent(true, false)
	}()
	if _, err := e.CreateEvent(true, false); err != nil {
		t.Fatal(err)
	}
	if n != 4 { // the first call's call (panicked) and result, the second call's call and result
		t.Errorf("observer ran %d times", n)
	}
}
