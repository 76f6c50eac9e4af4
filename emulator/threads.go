package emulator

import (
	"github.com/disconnectex/disconnectex/spec"
)

// thread is an emulated Windows thread. The main thread (id 0) issues the
// calls made on the Emulator itself and never exits.
type thread struct {
	id     int
	exited bool
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
// once).
type Thread struct {
	view
}

var _ spec.Thread = (*Thread)(nil)

// ID returns the thread's number: 1 for the first NewThread, and so on.
func (t *Thread) ID() int { return t.t.id }

func (e *Emulator) newThread() *Thread {
	e.threads++
	return &Thread{view{e: e, t: &thread{id: e.threads}}}
}

// Exit ends the thread (rule 10).
func (t *Thread) Exit() error {
	return t.do("ExitThread", 0, nil, func() error {
		e := t.e
		t.t.exited = true
		for _, o := range e.ovs {
			if !o.live || !o.pending || o.thread != t.t {
				continue
			}
			if e.profile == Windows && o.sock.port != nil && o.event == 0 {
				// I/O that will post a packet and has no event survives its
				// thread (Vista and later; Wine afd.c test_async_thread_termination).
				continue
			}
			e.cancel(o)
		}
		return nil
	}, nil)
}
