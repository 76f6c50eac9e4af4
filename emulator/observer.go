package emulator

import "slices"

// The observer: the trace's events handed to a function outside the
// emulator's lock (WithObserver). tracer.add queues each event; every call
// delivers the queue after it has released the lock and before it
// returns. One caller delivers at a time (tracer.delivering): a caller that
// finds another delivering leaves its events to it, so the observer sees
// the events one at a time, in Seq order, and a call the observer makes
// (re-entrant) only queues its own events, delivered after the current
// batch, instead of waiting for itself.

// WithObserver hands every event of the trace to f: each call with its
// arguments and its result, the state transitions, the completions and
// the faults (KindFault), from the Emulator's own calls and from every
// Thread (NewThread, Go) alike. It does not keep them (add WithTrace for
// Trace too).
//
// Ordering: f sees each event once, in Seq order, never two at once. It
// runs without the emulator's lock, on the goroutine of a call that has
// just finished, before that call returns: usually the call whose events
// they are, but a call that finishes while another goroutine is in f
// leaves its events to that goroutine and returns without waiting, so a
// call's events may reach f after the call has returned. Events that
// arise outside a call (a TIME_WAIT expiry State finds, a thread that
// ends with Go) are delivered by the next call, or by Go's end of thread.
//
// Re-entrancy: f may call the emulator, on any view; the events of that
// call are queued and reach f after f returns, never while it runs. A
// blocking call from f blocks only f's goroutine: other callers do not wait
// for f. A panic in f propagates to the caller whose goroutine ran it; the
// events after the one f panicked on are delivered by the next call.
//
// Cost: as WithTraceFunc, plus the copy of each event into the queue.
func WithObserver(f func(Event)) Option { return func(c *config) { c.observer = f } }

// deliverEvents hands the queued events to the observer (see WithObserver).
// It is called without the lock.
func (e *Emulator) deliverEvents() {
	t := e.tr
	e.mu.Lock()
	if t.delivering || len(t.queue) == 0 {
		e.mu.Unlock()
		return
	}
	t.delivering = true
	var batch []Event
	next := 0 // batch[next:] is not delivered yet
	defer func() {
		e.mu.Lock()
		if next < len(batch) { // observe panicked on batch[next-1]: the rest waits
			t.queue = append(slices.Clone(batch[next:]), t.queue...)
		}
		t.delivering = false
		e.mu.Unlock()
	}()
	for len(t.queue) > 0 {
		batch, next = t.queue, 0
		t.queue, t.spare = t.spare[:0], nil
		e.mu.Unlock()
		for next < len(batch) {
			next++
			t.observe(batch[next-1])
		}
		clear(batch)
		e.mu.Lock()
		t.spare = batch[:0]
	}
	e.mu.Unlock()
}
