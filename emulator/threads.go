package emulator

import (
	"errors"
	"fmt"

	"github.com/disconnectex/disconnectex/spec"
)

// thread is an emulated Windows thread. The main thread (id 0) issues the
// calls made on the Emulator itself and never exits.
type thread struct {
	id     int
	exited bool

	// A thread started with Go counts as a caller of the emulator while its
	// function runs: running while it has no call in progress.
	started bool
	calls   int // calls in progress through this thread (started threads only)
}

// view is the spec.API as seen from one thread: every call it makes is
// issued by that thread. The Emulator embeds the main thread's view;
// NewThread returns a Thread wrapping another.
type view struct {
	e *Emulator
	t *thread
}

// Thread is a spec.Thread: an API whose calls one emulated thread issues.
// Exit ends the thread; the requests it issued that are still pending are
// canceled (ERROR_OPERATION_ABORTED), except, in the Windows profile, those
// on sockets associated with a completion port whose hEvent is NULL (their
// completion posts a packet and signals nothing else). Calls after Exit fail with
// ERROR_INVALID_HANDLE (Socket returns INVALID_SOCKET; Sleep returns at
// once). A zero Thread fails every call with ErrZero.
type Thread struct {
	view
}

var _ spec.Thread = (*Thread)(nil)

// ID returns the thread's number: 1 for the first NewThread, and so on (0
// for a zero Thread).
func (t *Thread) ID() int {
	if t == nil || t.t == nil {
		return 0
	}
	return t.t.id
}

func (e *Emulator) newThread() *Thread {
	e.threads++
	return &Thread{view{e: e, t: &thread{id: e.threads}}}
}

// Exit ends the thread; its requests are canceled as the package doc
// ("Rules") and clause DX-REM-THREAD-EXIT say.
func (t *Thread) Exit() error {
	if t == nil {
		return ErrZero
	}
	return t.do("ExitThread", 0, nil, func() error { t.e.exitThread(t.t); return nil }, nil)
}

func (e *Emulator) exitThread(t *thread) {
	t.exited = true
	if e.seeded == seededMapOrderExit {
		e.exitThreadMapOrder(t)
		return
	}
	for _, o := range e.ovs {
		if !o.live || !o.pending || o.thread != t {
			continue
		}
		if e.profile == Windows && o.sock.port != nil && o.event == 0 {
			// I/O that will post a packet and has no event survives its
			// thread (Vista and later; Wine afd.c test_async_thread_termination).
			continue
		}
		e.cancel(o)
	}
}

// Go starts one emulated thread per function, each running its function
// as CreateThread starts a thread function: the calls f makes through t are
// issued by the new thread, and when f returns the thread exits, as with
// Exit (unless f called Exit already). Go returns at once; wait for the
// functions yourself (a sync.WaitGroup).
//
// While its function runs, a thread is a caller of the emulator even
// between calls, so the virtual clock waits for it: time moves only when
// every thread started with Go is blocked in a call or finished, and every
// other call in progress is blocked too. Clients that each wait out a
// TIME_WAIT therefore share one 240 s instead of taking 240 s in turn,
// whatever order the goroutines run in, provided they exist together:
// start threads that must share time in one Go call (a thread started by a
// later call may find the clock already moved by those started before). For
// the same reason f should make its calls through t, not through the
// Emulator: a call through another view is not the thread's, and the clock
// waits for the thread while that call is blocked.
func (e *Emulator) Go(fs ...func(t *Thread)) error {
	if !e.usable() {
		return ErrZero
	}
	for _, f := range fs {
		if f == nil {
			return errors.New("emulator: Go with a nil function")
		}
	}
	ths := make([]*Thread, len(fs))
	_ = e.view.do("CreateThread", 0, nil,
		func() error {
			for i := range ths {
				ths[i] = e.newThread()
				ths[i].t.started = true
				e.running++
			}
			return nil
		}, func() string { return fmt.Sprintf("%d threads", len(ths)) })
	for i, f := range fs {
		th := ths[i]
		go func() {
			defer e.endGo(th.t)
			f(th)
		}()
	}
	return nil
}

// endGo ends a thread started with Go whose function returned.
func (e *Emulator) endGo(t *thread) {
	if e.tr != nil && e.tr.observe != nil {
		defer e.deliverEvents() // after the unlock below: the ExitThread events
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	t.started = false
	if t.calls == 0 {
		e.running--
	}
	if !t.exited {
		if e.tr != nil {
			e.traceCall(t, "ExitThread", 0, "")
		}
		e.exitThread(t)
		if e.tr != nil {
			e.traceResult(t, "ExitThread", 0, nil, "")
		}
	}
	e.wake() // the clock may move now
}

// enterCall and unlockCall bracket every call (view.do, view.fast), under
// the mutex.
func (e *Emulator) enterCall(t *thread) {
	e.inCall++
	if t.started {
		if t.calls == 0 {
			e.running--
		}
		t.calls++
	}
}

// exitStarted is the end of a call (unlockCall) for a thread started with Go.
func (e *Emulator) exitStarted(t *thread) {
	t.calls--
	if t.calls == 0 {
		e.running++
	}
}
