package emulator

import (
	"errors"
	"math"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Blocking. Every blocking call and wait goes through waitUntil, with the
// emulator's mutex held (cond.Wait releases it while asleep).
//
// The emulator counts its callers: inCall is the number of calls in
// progress (each holds the mutex or sleeps in waitUntil), sleepers the
// number of those asleep that nothing has woken since, and running the
// number of threads started with Go that are outside a call (busy with
// their own work). A caller that cannot proceed sleeps. With the virtual
// clock, when the last caller falls asleep (sleepers == inCall, running ==
// 0) nothing but time can change the world: that caller moves the clock to
// the earliest instant anyone waits for, the earliest deadline among the
// sleepers or the next TIME_WAIT expiry, processes the expiries due, and
// wakes everybody to look again. So concurrent callers share time instead
// of each jumping it to its own deadline: three goroutines that each wait
// out a 240 s TIME_WAIT together finish at 240 s.
//
// When the last caller falls asleep and nobody waits for any instant (every
// wait INFINITE, no TIME_WAIT row), only a goroutine that is not in the
// emulator can help. By default the callers sleep until one does; with
// WithDeadlockError they all fail at once with ErrDeadlock.
//
// With any other clock, a sleeper also sets a timer (package time, so the
// fake clock of a testing/synctest bubble) for the earliest instant it waits
// for; expiries are processed lazily whenever the emulator is entered.

// ErrDeadlock is the error of a blocking call (and the end of a wait) on an
// emulator made WithDeadlockError, when every caller of the emulator is
// blocked and nothing scheduled can release any of them: no finite
// timeout, no TIME_WAIT row to expire, no thread started with Go still
// running. On Windows such a call would block until another thread acted;
// in a program whose every thread is in the emulator, that never happens.
// The call returns at once, having changed nothing. ErrDeadlock is not a
// Windows error code: errors.As(err, new(spec.Errno)) is false.
var ErrDeadlock = errors.New("emulator: deadlock: every caller is blocked and nothing scheduled can release them")

// WithDeadlockError makes a call that would block forever fail with
// ErrDeadlock instead (see ErrDeadlock). Use it when every goroutine that
// could release a blocked call is itself a caller of the emulator: one
// goroutine, or threads started with Go. Without it a blocked call waits
// for a goroutine outside the emulator to act.
func WithDeadlockError() Option { return func(c *config) { c.deadlockErr = true } }

// waitResult is how waitUntil ended.
type waitResult uint8

const (
	waitReady    waitResult = iota // ready() holds
	waitTimeout                    // the deadline passed first
	waitDeadlock                   // nothing can release the wait (WithDeadlockError)
)

// horizon is the latest emulator time: time saturates there instead of
// wrapping. It is one below the clock's int64 limit, so a TIME_WAIT row
// entered near the end of time (expiry saturated to math.MaxInt64) never
// expires instead of expiring at once.
func (e *Emulator) horizon() int64 { return math.MaxInt64 - int64(e.epoch) - 1 }

// after returns now+d (d >= 0), saturated at the horizon.
func (e *Emulator) after(d time.Duration) int64 {
	now, h := e.now(), e.horizon()
	if int64(d) > h-now {
		return h
	}
	return now + int64(d)
}

// deadline turns a valid timeout into an absolute emulator time; -1 is none.
func (e *Emulator) deadline(timeout time.Duration) int64 {
	if timeout < 0 {
		return -1
	}
	return e.after(timeout)
}

// waitUntil blocks until ready() holds, the deadline passes (deadline < 0:
// never) or, WithDeadlockError, nothing can release the caller.
func (e *Emulator) waitUntil(deadline int64, ready func() bool) waitResult {
	if deadline >= 0 {
		e.deadlines = append(e.deadlines, deadline)
		defer e.dropDeadline(deadline)
	}
	for {
		e.expireDue()
		if ready() {
			return waitReady
		}
		now := e.now()
		if deadline >= 0 && now >= deadline {
			return waitTimeout
		}
		wake, scheduled := e.nextWake()
		if e.sleepers+1 == e.inCall && e.running == 0 {
			// Everybody else is asleep: only time can change anything now.
			if scheduled && e.vclock != nil {
				e.vclock.advanceTo(e.epoch + time.Duration(wake))
				e.expireDue()
				e.wake()
				continue
			}
			if !scheduled && e.deadlockErr && e.seeded != seededNoDeadlockError {
				e.deadlockGen++
				e.wake()
				return waitDeadlock
			}
		}
		var t *time.Timer
		if scheduled && e.vclock == nil {
			t = time.AfterFunc(time.Duration(wake-now), func() {
				e.mu.Lock()
				e.wake()
				e.mu.Unlock()
			})
		}
		dl := e.deadlockGen
		e.sleep()
		if t != nil {
			t.Stop()
		}
		if e.deadlockGen != dl {
			return waitDeadlock
		}
	}
}

// nextWake returns the earliest instant a sleeper waits for: the earliest
// deadline, or the next TIME_WAIT expiry (rows past the horizon never
// expire), SYN timer or delayed effect of a fault rule.
func (e *Emulator) nextWake() (int64, bool) {
	wake, ok := int64(0), false
	for _, d := range e.deadlines {
		if !ok || d < wake {
			wake, ok = d, true
		}
	}
	if exp, has := e.tw.nextExpiry(); has && exp <= e.horizon() && (!ok || exp < wake) {
		wake, ok = exp, true
	}
	if at, has := e.nextSYN(); has && at <= e.horizon() && (!ok || at < wake) {
		wake, ok = at, true
	}
	if at, has := e.faults.nextTimer(); has && (!ok || at < wake) {
		wake, ok = at, true // a fault's delayed effect (faults.go)
	}
	return wake, ok
}

func (e *Emulator) dropDeadline(d int64) {
	for i, x := range e.deadlines {
		if x == d {
			last := len(e.deadlines) - 1
			e.deadlines[i] = e.deadlines[last]
			e.deadlines = e.deadlines[:last]
			return
		}
	}
}

// sleep waits on the condition variable until wake.
func (e *Emulator) sleep() {
	gen := e.wakeGen
	e.sleepers++
	e.waiters++
	e.cond.Wait()
	e.waiters--
	if e.wakeGen == gen { // not counted off by wake (cannot happen: all wake-ups go through it)
		e.sleepers--
	}
}

// wake wakes every sleeper to look at the world again. Until each has
// looked, none counts as asleep.
func (e *Emulator) wake() {
	if e.waiters > 0 {
		e.sleepers = 0
		e.wakeGen++
		e.cond.Broadcast()
	}
}

// leaveCall ends a call: when it was the last caller awake, the sleepers
// must look again (one of them will move the clock).
func (e *Emulator) leaveCall() {
	e.inCall--
	if e.sleepers > 0 && e.sleepers == e.inCall { // inlined: nobody sleeps
		e.wakeIfIdle()
	}
}

func (e *Emulator) wakeIfIdle() {
	if e.running == 0 {
		e.wake()
	}
}

// sleepFor is Sleep: a wait that nothing but its deadline ends. With the
// virtual clock and no other caller, virtual time passes at once, each
// TIME_WAIT expiry on the way processed at its own time.
func (e *Emulator) sleepFor(d time.Duration) error {
	never := func() bool { return false }
	var r waitResult
	switch {
	case d == spec.Infinite:
		r = e.waitUntil(-1, never)
	case d < 0: // refused: returns at once
		return spec.ERROR_INVALID_PARAMETER
	default:
		r = e.waitUntil(e.after(d), never)
	}
	if r == waitDeadlock {
		return ErrDeadlock
	}
	return nil
}

// waitErr is the error of a timed wait's outcome.
func waitErr(r waitResult) error {
	switch r {
	case waitTimeout:
		return spec.WAIT_TIMEOUT
	case waitDeadlock:
		return ErrDeadlock
	}
	return nil
}

// expiry is when a TIME_WAIT row entered now leaves the table: now plus
// TcpTimedWaitDelay, saturated at math.MaxInt64, past the horizon, where a
// row never expires (the clock cannot get there) instead of wrapping into
// the past and expiring at once.
func (e *Emulator) expiry() int64 { return expiryAfter(e.now(), e.delay) }

// expiryAfter is now+delay, saturating at the largest int64: the expiry of
// a row made at now.
func expiryAfter(now, delay int64) int64 {
	if delay > math.MaxInt64-now {
		return math.MaxInt64
	}
	return now + delay
}
