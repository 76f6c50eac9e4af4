package emulator

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
	"gotest.tools/v3/assert"
)

// TestClockSaturates: a wait of math.MaxInt64 moves virtual time to the
// horizon instead of wrapping; later waits and Sleep still return, and a
// TIME_WAIT row entered then is not skipped (issue 8 item 2).
func TestClockSaturates(t *testing.T) {
	within(t, func() {
		w := newWorld(t, Windows, WithDeadlockError(), reuseWaits)
		e := w.e
		c, s := w.pair(true)
		ev, err := e.CreateEvent(true, false)
		w.ok(err)
		w.is(e.WaitForSingleObject(ev, math.MaxInt64), spec.WAIT_TIMEOUT)
		end := e.Now()
		assert.Equal(t, int64(end), e.horizon())
		assert.Assert(t, end > 290*365*24*time.Hour, "now %v", end)
		// Later waits return at once: there is no time left to wait.
		w.is(e.WaitForSingleObject(ev, time.Second), spec.WAIT_TIMEOUT)
		port, err := e.CreateIoCompletionPort(0)
		w.ok(err)
		_, err = e.GetQueuedCompletionStatus(port, time.Hour)
		w.is(err, spec.WAIT_TIMEOUT)
		r, err := e.Poll(c, spec.POLLRDNORM, math.MaxInt64)
		w.ok(err)
		assert.Equal(t, r, spec.PollEvents(0))
		e.Sleep(time.Second)
		e.Sleep(math.MaxInt64)
		assert.Equal(t, e.Now(), end, "time never passes the horizon nor goes back")
		w.ok(e.SetEvent(ev))
		w.ok(e.WaitForSingleObject(ev, math.MaxInt64))
		// A TIME_WAIT entered at the end of time stays: the socket is not
		// reusable at once.
		ov := w.ov(0)
		w.is(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		w.ok(e.Closesocket(s))
		w.wantState(c, spec.StateTimeWait)
		assert.Equal(t, w.rows(spec.TCPTimeWait), 1)
		e.Sleep(spec.MaxTcpTimedWaitDelay)
		w.wantState(c, spec.StateTimeWait)
		_, err = e.GetOverlappedResult(spec.Handle(c), ov, true)
		w.is(err, ErrDeadlock) // nothing can end that TIME_WAIT now
		w.ok(e.CancelIoEx(spec.Handle(c), ov))
	})
}

// TestClockNearHorizon: a TIME_WAIT row that expires just before the
// horizon still expires, at its own time.
func TestClockNearHorizon(t *testing.T) {
	within(t, func() {
		vc := NewVirtualClock()
		w := newWorld(t, Windows, WithClock(vc), reuseWaits)
		e := w.e
		vc.Advance(math.MaxInt64 - time.Hour)
		vc.Advance(math.MaxInt64) // saturates
		assert.Equal(t, vc.Now(), time.Duration(math.MaxInt64))
		w.is(e.WaitForSingleObject(spec.Handle(w.listener), time.Second), spec.WAIT_TIMEOUT)

		w = newWorld(t, Windows, reuseWaits)
		e = w.e
		ev, _ := e.CreateEvent(true, false)
		w.is(e.WaitForSingleObject(ev, time.Duration(e.horizon())-time.Hour), spec.WAIT_TIMEOUT)
		c, s := w.pair(true)
		ov := w.ov(0)
		w.is(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		w.ok(e.Closesocket(s))
		entered := e.Now()
		_, err := e.GetOverlappedResult(spec.Handle(c), ov, true)
		w.ok(err)
		assert.Equal(t, e.Now(), entered+spec.DefaultTcpTimedWaitDelay)
		w.wantState(c, spec.StateReusable)
	})
}

// TestNegativeTimeouts: a negative timeout other than spec.Infinite is
// refused at once (issue 8 item 3; spec.API, Timeouts), and spec.Infinite
// still waits.
func TestNegativeTimeouts(t *testing.T) {
	within(t, func() {
		w := newWorld(t, Windows, WithDeadlockError(), reuseWaits)
		e := w.e
		c, _ := w.pair(true)
		ev, _ := e.CreateEvent(false, false)
		port, _ := e.CreateIoCompletionPort(0)
		for _, d := range []time.Duration{-2, -time.Millisecond, -time.Second, math.MinInt64} {
			w.is(e.WaitForSingleObject(ev, d), spec.ERROR_INVALID_PARAMETER)
			w.is(e.WaitForSingleObject(spec.Handle(c), d), spec.ERROR_INVALID_PARAMETER)
			_, err := e.GetQueuedCompletionStatus(port, d)
			w.is(err, spec.ERROR_INVALID_PARAMETER)
			_, err = e.Poll(c, spec.POLLRDNORM, d)
			w.is(err, spec.WSAEINVAL)
			e.Sleep(d)
		}
		assert.Equal(t, e.Now(), time.Duration(0))
		// spec.Infinite waits; alone, that is a deadlock.
		w.is(e.WaitForSingleObject(ev, spec.Infinite), ErrDeadlock)
		_, err := e.GetQueuedCompletionStatus(port, spec.Infinite)
		w.is(err, ErrDeadlock)
		_, err = e.Poll(c, spec.POLLRDNORM, spec.Infinite)
		w.is(err, ErrDeadlock)
		e.Sleep(spec.Infinite)
		w.ok(e.SetEvent(ev))
		w.ok(e.WaitForSingleObject(ev, spec.Infinite))
	})
}

// TestDeadlockError: WithDeadlockError, each blocking call that nothing can
// release fails at once with ErrDeadlock and changes nothing; without it
// the call waits for another goroutine.
func TestDeadlockError(t *testing.T) {
	within(t, func() {
		w := newWorld(t, Windows, WithDeadlockError(), reuseWaits)
		e := w.e
		_, _, err := e.Accept(w.listener)
		w.is(err, ErrDeadlock)
		c, s := w.pair(false)
		_, err = e.Recv(s, make([]byte, 4))
		w.is(err, ErrDeadlock)
		w.is(e.DisconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0), ErrDeadlock) // waits for a FIN nobody sends
		ov := w.ov(0)
		sl := w.sock(false)
		w.ok(e.Bind(sl, any4))
		w.ok(e.Listen(sl, 1))
		w.is(e.AcceptEx(sl, w.sock(false), ov), ErrDeadlock) // a non-overlapped listener blocks
		_, err = e.GetOverlappedResult(spec.Handle(sl), ov, false)
		w.is(err, spec.ERROR_OPERATION_ABORTED)
		u, err := e.Socket(spec.AF_INET, spec.SOCK_DGRAM, 0, 0)
		w.ok(err)
		w.ok(e.Bind(u, any4))
		_, err = e.Recv(u, make([]byte, 1))
		w.is(err, ErrDeadlock)
		// A deadline is something that can release a call: no deadlock.
		w.is(e.WaitForSingleObject(spec.Handle(s), time.Minute), spec.WAIT_TIMEOUT)
		assert.Equal(t, e.Now(), time.Minute)
		// The deadlocked calls left the world as it was: the pair is still
		// connected, the peer can still close and the reuse complete.
		w.wantState(c, spec.StateTransmitClosing)
		w.ok(e.Closesocket(s))
		w.ok(e.DisconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0))
		assert.Equal(t, e.Now(), time.Minute+spec.DefaultTcpTimedWaitDelay)

		// Without the option, a blocked accept waits for another goroutine.
		w2 := newWorld(t, Windows)
		got := make(chan error, 1)
		go func() {
			_, _, err := w2.e.Accept(w2.listener)
			got <- err
		}()
		waitBlocked(w2.e, 1)
		c2 := w2.sock(true)
		w2.ok(w2.e.Connect(c2, serverAddr))
		w2.ok(<-got)
	})
}

// waitBlocked waits (yielding, no sleep) until n callers are asleep in e.
func waitBlocked(e *Emulator, n int) {
	for {
		e.mu.Lock()
		k := e.sleepers
		e.mu.Unlock()
		if k >= n {
			return
		}
		runtimeGosched()
	}
}

// TestConcurrentTimeWaitShared: three clients that each wait out a 240 s
// TIME_WAIT concurrently all finish at 240 s of virtual time, whatever the
// order their goroutines run in (issue 7 item 6). Each client closes first
// (a synchronous DisconnectEx(TF_REUSE_SOCKET)); a server thread closes its
// end of each connection when it sees the FIN.
func TestConcurrentTimeWaitShared(t *testing.T) {
	for round := 0; round < 20; round++ {
		within(t, func() {
			w := newWorld(t, Windows, WithDeadlockError(), WithTrace(), reuseWaits)
			e := w.e
			defer func() {
				if t.Failed() {
					t.Log(e.TraceString())
				}
			}()
			const clients = 3
			var wg sync.WaitGroup
			finished := make([]time.Duration, clients)
			errs := make(chan error, clients+1)
			wg.Add(clients + 1)
			server := func(th *Thread) {
				defer wg.Done()
				for i := 0; i < clients; i++ {
					s, _, err := th.Accept(w.listener)
					if err != nil {
						errs <- err
						return
					}
					if n, err := th.Recv(s, make([]byte, 1)); n != 0 || err != nil {
						errs <- errors.Join(errors.New("server recv"), err)
						return
					}
					if err := th.Closesocket(s); err != nil {
						errs <- err
						return
					}
				}
			}
			client := func(i int) func(th *Thread) {
				return func(th *Thread) {
					defer wg.Done()
					c, err := th.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, 0)
					if err == nil {
						err = th.Connect(c, serverAddr)
					}
					if err == nil {
						err = th.DisconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0)
					}
					if err != nil {
						errs <- err
						return
					}
					finished[i] = e.Now()
				}
			}
			assert.NilError(t, e.Go(server, client(0), client(1), client(2)))
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			for i, at := range finished {
				assert.Equal(t, at, spec.DefaultTcpTimedWaitDelay, "client %d", i)
			}
			assert.Equal(t, e.Now(), spec.DefaultTcpTimedWaitDelay)
		})
	}
}

// TestGoThreadsSleepTogether: Sleep on threads started with Go runs them in
// shared virtual time: two threads that sleep 1 s ten times and 10 s once
// both end at 10 s; a third that waits on an event the first sets at 5 s
// wakes at 5 s.
func TestGoThreadsSleepTogether(t *testing.T) {
	within(t, func() {
		e, err := New(spec.DefaultSettings(), WithDeadlockError())
		assert.NilError(t, err)
		ev, err := e.CreateEvent(true, false)
		assert.NilError(t, err)
		var wg sync.WaitGroup
		var woke, endA, endB time.Duration
		var waitErr error
		wg.Add(3)
		assert.NilError(t, e.Go(func(th *Thread) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				th.Sleep(time.Second)
				if i == 4 {
					_ = th.SetEvent(ev)
				}
			}
			endA = e.Now()
		}, func(th *Thread) {
			defer wg.Done()
			th.Sleep(10 * time.Second)
			endB = e.Now()
		}, func(th *Thread) {
			defer wg.Done()
			waitErr = th.WaitForSingleObject(ev, spec.Infinite)
			woke = e.Now()
		}))
		wg.Wait()
		assert.NilError(t, waitErr)
		assert.Equal(t, woke, 5*time.Second)
		assert.Equal(t, endA, 10*time.Second)
		assert.Equal(t, endB, 10*time.Second)
	})
}

// TestGoDeadlock: when every thread started with Go is blocked with nothing
// scheduled, each blocked call fails with ErrDeadlock.
func TestGoDeadlock(t *testing.T) {
	within(t, func() {
		w := newWorld(t, Windows, WithDeadlockError(), reuseWaits)
		e := w.e
		ev, _ := e.CreateEvent(true, false)
		var wg sync.WaitGroup
		errs := make([]error, 3)
		wg.Add(3)
		fs := make([]func(*Thread), len(errs))
		for i := range errs {
			fs[i] = func(th *Thread) {
				defer wg.Done()
				if i == 0 {
					_, _, errs[i] = th.Accept(w.listener)
				} else {
					errs[i] = th.WaitForSingleObject(ev, spec.Infinite)
				}
			}
		}
		assert.NilError(t, e.Go(fs...))
		wg.Wait()
		for i, err := range errs {
			assert.Assert(t, errors.Is(err, ErrDeadlock), "thread %d: %v", i, err)
		}
	})
}

// TestWSAGetOverlappedResultEventAsSocket: a live event handle passed as
// the socket fails with WSAENOTSOCK at once instead of waiting on the event
// (issue 8 item 10).
func TestWSAGetOverlappedResultEventAsSocket(t *testing.T) {
	within(t, func() {
		w := newWorld(t, Windows, WithDeadlockError(), reuseWaits)
		e := w.e
		c, _ := w.pair(true)
		ev, _ := e.CreateEvent(true, false)
		ov := w.ov(0)
		w.is(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		_, _, err := e.WSAGetOverlappedResult(spec.Socket(ev), ov, true)
		w.is(err, spec.WSAENOTSOCK)
	})
}
