package reuse

import (
	"sync"
	"time"
)

// deadline is one direction's deadline: a channel closed when it passes.
// Deadlines are wall-clock times (package time), as net.Conn defines
// them; inside a testing/synctest bubble they run on the bubble's clock.
type deadline struct {
	mu    sync.Mutex
	timer *time.Timer
	ch    chan struct{} // closed once the deadline has passed
}

func newDeadline() deadline { return deadline{ch: make(chan struct{})} }

// set arms the deadline at t; the zero t means none. A t in the past
// expires it at once, including for an operation already waiting.
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil && !d.timer.Stop() {
		<-d.ch // the timer fired: wait for nothing, the channel is closed
	}
	d.timer = nil
	select {
	case <-d.ch:
		d.ch = make(chan struct{}) // expired before: a fresh, open channel
	default:
	}
	if t.IsZero() {
		return
	}
	if dur := time.Until(t); dur > 0 {
		ch := d.ch
		d.timer = time.AfterFunc(dur, func() { close(ch) })
		return
	}
	close(d.ch)
}

// wait returns the channel closed when the deadline passes.
func (d *deadline) wait() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ch
}

func (d *deadline) expired() bool {
	select {
	case <-d.wait():
		return true
	default:
		return false
	}
}

func (d *deadline) stop() {
	d.mu.Lock()
	if d.timer != nil {
		d.timer.Stop()
	}
	d.mu.Unlock()
}
