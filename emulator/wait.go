package emulator

import (
	"time"
)

// Blocking. Every blocking call and wait goes through waitUntil, with the
// emulator's mutex held (cond.Wait releases it while asleep).
//
// With the virtual clock, a caller that cannot proceed moves the clock to
// the next thing that can change the world on its own, the next TIME_WAIT
// expiry, or to its own deadline, whichever is first, and looks again. Only
// when neither exists (an INFINITE wait, nothing scheduled) does it sleep
// until another goroutine acts.
//
// With any other clock, the caller sleeps on the condition variable with a
// timer (package time, so the fake clock of a testing/synctest bubble) set
// for the same instant; expiries are processed lazily whenever the emulator
// is entered.

// deadline turns a timeout into an absolute emulator time; -1 is none.
func (e *Emulator) deadline(timeout time.Duration) int64 {
	if timeout < 0 {
		return -1
	}
	return e.now() + int64(timeout)
}

// waitUntil blocks until ready() holds (true) or the deadline passes
// (false). deadline < 0 waits forever.
func (e *Emulator) waitUntil(deadline int64, ready func() bool) bool {
	for {
		e.expireDue()
		if ready() {
			return true
		}
		now := e.now()
		if deadline >= 0 && now >= deadline {
			return false
		}
		wake := deadline
		if exp, ok := e.tw.nextExpiry(); ok && (wake < 0 || exp < wake) {
			wake = exp
		}
		if e.vclock != nil {
			if wake >= 0 {
				e.vclock.advanceTo(e.epoch + time.Duration(wake))
				continue
			}
			e.sleep(nil)
			continue
		}
		var t *time.Timer
		if wake >= 0 {
			t = time.AfterFunc(time.Duration(wake-now), func() {
				e.mu.Lock()
				e.cond.Broadcast()
				e.mu.Unlock()
			})
		}
		e.sleep(t)
	}
}

func (e *Emulator) sleep(t *time.Timer) {
	e.waiters++
	e.cond.Wait()
	e.waiters--
	if t != nil {
		t.Stop()
	}
}

// sleepFor is Sleep: virtual time passes at once, each TIME_WAIT expiry on
// the way processed at its own time; a real clock sleeps.
func (e *Emulator) sleepFor(d time.Duration) {
	if d < 0 { // INFINITE
		e.waitUntil(-1, func() bool { return false })
		return
	}
	target := e.now() + int64(d)
	if e.vclock == nil {
		e.waitUntil(target, func() bool { return false })
		return
	}
	for {
		exp, ok := e.tw.nextExpiry()
		if !ok || exp > target {
			break
		}
		e.vclock.advanceTo(e.epoch + time.Duration(exp))
		e.expireDue()
	}
	e.vclock.advanceTo(e.epoch + time.Duration(target))
	e.expireDue()
	e.wake()
}
