package emulator

import (
	"math"
	"sync/atomic"
	"time"
)

// Clock is the emulator's source of time. Now reports the time elapsed since
// the clock's own epoch; the emulator subtracts the value it read at New, so
// Emulator.Now starts at zero whatever the clock says.
//
// Two clocks exist:
//
//   - a *VirtualClock (NewVirtualClock, the default) only moves when the
//     emulator moves it: Sleep, and every blocking call or wait that cannot
//     proceed, jump it to the next scheduled event (a TIME_WAIT expiry) or
//     to the caller's deadline, whichever comes first. Nothing ever sleeps
//     for real; a 240 s TIME_WAIT passes in microseconds.
//   - SystemClock reads package time. Waits use real timers, so inside a
//     testing/synctest bubble they run on the bubble's fake clock.
//
// Any Clock other than a *VirtualClock is treated like SystemClock: the
// emulator waits for it with package time timers.
type Clock interface {
	Now() time.Duration
}

// VirtualClock is a clock that advances only when told to. It is safe for
// concurrent use.
type VirtualClock struct {
	now atomic.Int64
}

// NewVirtualClock returns a virtual clock at zero.
func NewVirtualClock() *VirtualClock { return new(VirtualClock) }

// Now returns the virtual time.
func (c *VirtualClock) Now() time.Duration { return time.Duration(c.now.Load()) }

// Advance moves the clock forward by d (d <= 0 does nothing), saturating at
// math.MaxInt64 instead of wrapping. An emulator using the clock processes
// the TIME_WAIT expiries that became due the next time it is called, in
// order, each at its own due time.
func (c *VirtualClock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	for {
		cur := c.now.Load()
		next := cur + int64(d)
		if next < cur {
			next = math.MaxInt64
		}
		if c.now.CompareAndSwap(cur, next) {
			return
		}
	}
}

// advanceTo moves the clock to t unless it is already later.
func (c *VirtualClock) advanceTo(t time.Duration) {
	for {
		cur := c.now.Load()
		if int64(t) <= cur || c.now.CompareAndSwap(cur, int64(t)) {
			return
		}
	}
}

type systemClock struct{ start time.Time }

// SystemClock returns a clock that reads package time, starting at the
// moment SystemClock is called. Inside a testing/synctest bubble package
// time is the bubble's fake clock, so call SystemClock inside the bubble.
func SystemClock() Clock { return systemClock{start: time.Now()} }

func (c systemClock) Now() time.Duration { return time.Since(c.start) }
