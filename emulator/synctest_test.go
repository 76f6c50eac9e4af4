package emulator

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/disconnectex/disconnectex/spec"
	"gotest.tools/v3/assert"
)

// The same behaviour on the system clock, inside a synctest bubble: waits
// use real timers on the bubble's fake clock; expiries are processed lazily.

func TestSyncTestReuseWaitsOutTimeWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, Windows, WithClock(SystemClock()), reuseWaits)
		e := w.e
		start := time.Now()
		c, s := w.pair(true)
		ov := w.ov(0)
		w.is(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		w.ok(e.Closesocket(s))
		w.wantState(c, spec.StateTimeWait)
		_, err := e.GetOverlappedResult(spec.Handle(c), ov, true)
		w.ok(err)
		assert.Equal(t, time.Since(start), 240*time.Second)
		assert.Equal(t, e.Now(), 240*time.Second)
		w.wantState(c, spec.StateReusable)
	})
}

func TestSyncTestLazyExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, Windows, WithClock(SystemClock()), reuseWaits)
		e := w.e
		c, s := w.pair(false)
		w.ok(e.Closesocket(c))
		w.ok(e.Closesocket(s))
		assert.Equal(t, w.rows(spec.TCPTimeWait), 1)
		time.Sleep(239 * time.Second) // outside the emulator
		assert.Equal(t, w.rows(spec.TCPTimeWait), 1)
		time.Sleep(time.Second)
		assert.Equal(t, w.rows(spec.TCPTimeWait), 0, "processed on the next entry")
		// Sleep through the emulator sleeps on the fake clock.
		before := time.Now()
		e.Sleep(90 * time.Second)
		assert.Equal(t, time.Since(before), 90*time.Second)
	})
}

func TestSyncTestTimeoutsAndWakeups(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, Windows, WithClock(SystemClock()), reuseWaits)
		e := w.e
		ev, _ := e.CreateEvent(false, false)
		start := time.Now()
		w.is(e.WaitForSingleObject(ev, 3*time.Second), spec.WAIT_TIMEOUT)
		assert.Equal(t, time.Since(start), 3*time.Second)

		// Another goroutine sets the event after 5 s; the INFINITE wait wakes then.
		var wg sync.WaitGroup
		wg.Go(func() {
			time.Sleep(5 * time.Second)
			w.ok(e.SetEvent(ev))
		})
		start = time.Now()
		w.ok(e.WaitForSingleObject(ev, spec.Infinite))
		assert.Equal(t, time.Since(start), 5*time.Second)
		wg.Wait()

		// A waiter on a port sleeps only until the next TIME_WAIT expiry,
		// where the pending TF_REUSE_SOCKET completes and posts its packet.
		port, _ := e.CreateIoCompletionPort(0)
		c, s := w.pair(true)
		w.ok(e.AssociateCompletionPort(port, c, 9))
		ov := w.ov(0)
		w.is(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		w.ok(e.Closesocket(s))
		start = time.Now()
		cp, err := e.GetQueuedCompletionStatus(port, time.Hour)
		w.ok(err)
		assert.Equal(t, cp, spec.Completion{Key: 9, Overlapped: ov})
		assert.Equal(t, time.Since(start), 240*time.Second)

		// Accept blocks until another goroutine connects.
		wg.Go(func() {
			time.Sleep(time.Minute)
			cl := w.sock(false)
			w.ok(e.Connect(cl, serverAddr))
		})
		start = time.Now()
		_, _, err = e.Accept(w.listener)
		w.ok(err)
		assert.Equal(t, time.Since(start), time.Minute)
		wg.Wait()
	})
}
