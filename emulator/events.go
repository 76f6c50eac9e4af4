package emulator

import (
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// event is a kernel event object.
type event struct {
	manual   bool
	signaled bool
}

func (e *Emulator) createEvent(manual, initial bool) (spec.Handle, error) {
	idx, h, ok := e.alloc(kindEvent)
	if !ok {
		return 0, spec.ERROR_NOT_ENOUGH_MEMORY
	}
	e.handles[idx].ev = &event{manual: manual, signaled: initial}
	return spec.Handle(h), nil
}

func (e *Emulator) setEvent(h spec.Handle, on bool) error {
	ev := e.event(h)
	if ev == nil {
		return spec.ERROR_INVALID_HANDLE
	}
	ev.signaled = on
	if on {
		e.wake()
	}
	return nil
}

// waitObject is WaitForSingleObject on an event or a socket handle.
func (e *Emulator) waitObject(h spec.Handle, timeout time.Duration) error {
	if !spec.ValidTimeout(timeout) {
		return spec.ERROR_INVALID_PARAMETER
	}
	sl := e.lookup(uintptr(h))
	if sl == nil {
		return spec.ERROR_INVALID_HANDLE
	}
	switch sl.kind {
	case kindEvent:
		ev := sl.ev
		ready := func() bool { return e.event(h) != ev || ev.signaled }
		if !ready() {
			if timeout == 0 {
				return spec.WAIT_TIMEOUT
			}
			if err := waitErr(e.waitUntil(e.deadline(timeout), ready)); err != nil {
				return err
			}
		}
		if e.event(h) != ev {
			return spec.ERROR_INVALID_HANDLE
		}
		if !ev.manual {
			ev.signaled = false
		}
		return nil
	case kindSocket:
		so := sl.sock
		ready := func() bool { return e.sock(spec.Socket(h)) != so || so.signaled }
		if !ready() {
			if timeout == 0 {
				return spec.WAIT_TIMEOUT
			}
			so.syncWaits++
			r := e.waitUntil(e.deadline(timeout), ready)
			so.syncWaits--
			if err := waitErr(r); err != nil {
				return err
			}
		}
		if e.sock(spec.Socket(h)) != so {
			return spec.ERROR_INVALID_HANDLE
		}
		return nil
	}
	return spec.ERROR_INVALID_HANDLE // completion ports are not waitable
}

// closeHandle closes an event or a port (or, as on Windows, a socket).
func (e *Emulator) closeHandle(h spec.Handle) error {
	sl := e.lookup(uintptr(h))
	if sl == nil {
		return spec.ERROR_INVALID_HANDLE
	}
	switch sl.kind {
	case kindSocket:
		e.closeSocket(sl.sock)
		return nil
	case kindPort:
		sl.port.closed = true
	}
	idx := uint32(uint64(h)>>2&idxMask) - 1
	e.release(idx)
	e.wake()
	return nil
}
