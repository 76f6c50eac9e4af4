package emulator_test

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// inTest runs an example's test body with a test's *testing.T. A
// testing/synctest bubble needs one, so the example below is not run on
// its own: TestExampleSystemClock runs it, the very code shown.
var inTest = func(func(*testing.T)) {}

// The emulator in a testing/synctest bubble. With SystemClock, made inside
// the bubble, the emulator runs on the bubble's fake clock, the clock that
// time.Now, time.Sleep, timers and context deadlines of the code under
// test use too: the client, which closed first, holds its pair in
// TIME_WAIT for 240 s, and a time.Sleep of 240 s, which returns at once,
// ends it. In a test of your own:
//
//	func TestReuse(t *testing.T) {
//		synctest.Test(t, func(t *testing.T) { ... })
//	}
func ExampleSystemClock() {
	inTest(func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			e, _ := emulator.New(spec.DefaultSettings(), emulator.WithClock(emulator.SystemClock()))
			addr := netip.MustParseAddrPort("127.0.0.1:8080")
			l, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
			_ = e.Bind(l, addr)
			_ = e.Listen(l, 16)
			c, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
			_ = e.Connect(c, addr)
			s, _, _ := e.Accept(l)
			go func() { // the server reads the client's FIN and closes
				_, _ = e.Recv(s, make([]byte, 8))
				_ = e.Closesocket(s)
			}()
			if err := e.DisconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0); err != nil {
				t.Fatal(err)
			}
			synctest.Wait() // the server has closed

			timeWait := func() int {
				rows, _ := e.TCPTable()
				n := 0
				for _, r := range rows {
					if r.State == spec.TCPTimeWait {
						n++
					}
				}
				return n
			}
			before := timeWait()
			time.Sleep(spec.DefaultTcpTimedWaitDelay - time.Second)
			during := timeWait()
			time.Sleep(time.Second)
			t.Logf("TIME_WAIT rows: %d, %d after 239 s, %d after 240 s", before, during, timeWait())
			if before != 1 || during != 1 || timeWait() != 0 {
				t.Errorf("TIME_WAIT rows %d, %d, %d; want 1, 1, 0", before, during, timeWait())
			}
		})
	})
}

func TestExampleSystemClock(t *testing.T) {
	inTest = func(f func(*testing.T)) { f(t) }
	defer func() { inTest = func(func(*testing.T)) {} }()
	ExampleSystemClock()
}
