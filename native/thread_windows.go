//go:build windows

package native

import (
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/windows"

	"github.com/disconnectex/disconnectex/spec"
)

// mainThreadID is the process's first thread: package initialisation runs
// on it (the runtime locks the main goroutine to it during init).
var mainThreadID = windows.GetCurrentThreadId()

// thread is a spec.Thread: a goroutine locked to an OS thread of its own
// that executes the calls sent to it. Exit makes the goroutine return
// while still locked, and Go's runtime then ends that OS thread
// (runtime.LockOSThread: "If the calling goroutine exits without unlocking
// the thread, the thread will be terminated"; on Windows mexit returns
// from the thread procedure). The one exception is the main thread, which
// the runtime parks instead, so a thread never starts there. Exit waits on
// the thread's handle to confirm the exit really happened.
type thread struct {
	b      *Backend
	calls  chan func()
	exit   chan struct{}
	dead   chan struct{}
	once   sync.Once
	handle windows.Handle // SYNCHRONIZE access to the OS thread
	tid    uint32
}

var _ spec.Thread = (*thread)(nil)

func (b *Backend) NewThread() (spec.Thread, error) {
	t := &thread{
		b:     b,
		calls: make(chan func()),
		exit:  make(chan struct{}),
		dead:  make(chan struct{}),
	}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if windows.GetCurrentThreadId() == mainThreadID {
			// Keep the main thread locked here so that the loop's
			// goroutine cannot be scheduled on it, start the loop,
			// then release the main thread.
			inner := make(chan error, 1)
			go t.loop(inner)
			started <- <-inner
			runtime.UnlockOSThread()
			return
		}
		t.loop(started)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.threads[t] = struct{}{}
	b.mu.Unlock()
	return t, nil
}

func (t *thread) loop(started chan<- error) {
	runtime.LockOSThread()
	// Never unlocked: returning from this function ends the OS thread.
	t.tid = windows.GetCurrentThreadId()
	h, err := windows.OpenThread(windows.SYNCHRONIZE, false, t.tid)
	if err != nil {
		started <- fmt.Errorf("native: OpenThread: %w", errnoOf(err))
		runtime.UnlockOSThread()
		return
	}
	t.handle = h
	started <- nil
	for {
		select {
		case f := <-t.calls:
			f()
		case <-t.exit:
			close(t.dead)
			return
		}
	}
}

// do runs f on the thread; false when the thread has exited. Calls from
// several goroutines run one at a time, in the order the thread takes
// them. A panic in f is not the thread's: it is recovered there (the
// thread goes on) and raised again in the caller's goroutine.
func (t *thread) do(f func()) bool {
	done := make(chan struct{})
	var panicked bool
	var p any
	call := func() {
		defer close(done)
		panicked = true
		defer func() {
			if panicked {
				p = recover()
			}
		}()
		f()
		panicked = false
	}
	select {
	case t.calls <- call:
	case <-t.dead:
		return false
	}
	<-done
	if panicked {
		panic(fmt.Sprintf("native: call on thread %d panicked: %v", t.tid, p))
	}
	return true
}

// ThreadID returns the Windows thread id.
func (t *thread) ThreadID() uint32 { return t.tid }

// Exit ends the thread and waits until Windows reports the OS thread gone.
func (t *thread) Exit() error {
	first := false
	t.once.Do(func() { first = true; close(t.exit) })
	if !first {
		return spec.ERROR_INVALID_HANDLE
	}
	<-t.dead
	t.b.mu.Lock()
	delete(t.b.threads, t)
	t.b.mu.Unlock()
	defer windows.CloseHandle(t.handle)
	r, err := windows.WaitForSingleObject(t.handle, 10000)
	if r != windows.WAIT_OBJECT_0 {
		return fmt.Errorf("native: thread %d did not end after its goroutine returned locked (wait result 0x%X, %v)", t.tid, r, err)
	}
	return nil
}

var errExited = spec.ERROR_INVALID_HANDLE

// Every API call goes through do. Calls after Exit fail with
// ERROR_INVALID_HANDLE.

func (t *thread) Socket(af, typ, proto int, flags uint32) (s spec.Socket, err error) {
	if !t.do(func() { s, err = t.b.Socket(af, typ, proto, flags) }) {
		return spec.INVALID_SOCKET, errExited
	}
	return
}

func (t *thread) Bind(s spec.Socket, addr netip.AddrPort) (err error) {
	if !t.do(func() { err = t.b.Bind(s, addr) }) {
		return errExited
	}
	return
}

func (t *thread) Listen(s spec.Socket, backlog int) (err error) {
	if !t.do(func() { err = t.b.Listen(s, backlog) }) {
		return errExited
	}
	return
}

func (t *thread) Connect(s spec.Socket, addr netip.AddrPort) (err error) {
	if !t.do(func() { err = t.b.Connect(s, addr) }) {
		return errExited
	}
	return
}

func (t *thread) Accept(s spec.Socket) (a spec.Socket, addr netip.AddrPort, err error) {
	if !t.do(func() { a, addr, err = t.b.Accept(s) }) {
		return spec.INVALID_SOCKET, addr, errExited
	}
	return
}

func (t *thread) Send(s spec.Socket, b []byte) (n int, err error) {
	if !t.do(func() { n, err = t.b.Send(s, b) }) {
		return 0, errExited
	}
	return
}

func (t *thread) Recv(s spec.Socket, b []byte) (n int, err error) {
	if !t.do(func() { n, err = t.b.Recv(s, b) }) {
		return 0, errExited
	}
	return
}

func (t *thread) Poll(s spec.Socket, events spec.PollEvents, timeout time.Duration) (r spec.PollEvents, err error) {
	if !t.do(func() { r, err = t.b.Poll(s, events, timeout) }) {
		return 0, errExited
	}
	return
}

func (t *thread) Shutdown(s spec.Socket, how int) (err error) {
	if !t.do(func() { err = t.b.Shutdown(s, how) }) {
		return errExited
	}
	return
}

func (t *thread) SetLinger(s spec.Socket, on bool, seconds uint16) (err error) {
	if !t.do(func() { err = t.b.SetLinger(s, on, seconds) }) {
		return errExited
	}
	return
}

func (t *thread) Getsockname(s spec.Socket) (a netip.AddrPort, err error) {
	if !t.do(func() { a, err = t.b.Getsockname(s) }) {
		return a, errExited
	}
	return
}

func (t *thread) Getpeername(s spec.Socket) (a netip.AddrPort, err error) {
	if !t.do(func() { a, err = t.b.Getpeername(s) }) {
		return a, errExited
	}
	return
}

func (t *thread) UpdateAcceptContext(accepted, listener spec.Socket) (err error) {
	if !t.do(func() { err = t.b.UpdateAcceptContext(accepted, listener) }) {
		return errExited
	}
	return
}

func (t *thread) UpdateConnectContext(s spec.Socket) (err error) {
	if !t.do(func() { err = t.b.UpdateConnectContext(s) }) {
		return errExited
	}
	return
}

func (t *thread) Closesocket(s spec.Socket) (err error) {
	if !t.do(func() { err = t.b.Closesocket(s) }) {
		return errExited
	}
	return
}

func (t *thread) GetExtensionFunction(s spec.Socket, id spec.GUID) (fn uintptr, err error) {
	if !t.do(func() { fn, err = t.b.GetExtensionFunction(s, id) }) {
		return 0, errExited
	}
	return
}

func (t *thread) ExtensionLookup(s spec.Socket, id spec.GUID, ov spec.Overlapped, withBytes bool) (fn uintptr, n uint32, err error) {
	if !t.do(func() { fn, n, err = t.b.ExtensionLookup(s, id, ov, withBytes) }) {
		return 0, spec.Untouched, errExited
	}
	return
}

func (t *thread) OverlappedFields(ov spec.Overlapped) (st spec.NTStatus, high uintptr, err error) {
	if !t.do(func() { st, high, err = t.b.OverlappedFields(ov) }) {
		return 0, 0, errExited
	}
	return
}

func (t *thread) SetOverlappedFields(ov spec.Overlapped, st spec.NTStatus, high uintptr) (err error) {
	if !t.do(func() { err = t.b.SetOverlappedFields(ov, st, high) }) {
		return errExited
	}
	return
}

func (t *thread) ConnectEx(s spec.Socket, addr netip.AddrPort, ov spec.Overlapped) (err error) {
	if !t.do(func() { err = t.b.ConnectEx(s, addr, ov) }) {
		return errExited
	}
	return
}

func (t *thread) AcceptEx(listener, accepted spec.Socket, ov spec.Overlapped) (err error) {
	if !t.do(func() { err = t.b.AcceptEx(listener, accepted, ov) }) {
		return errExited
	}
	return
}

func (t *thread) DisconnectEx(s spec.Socket, ov spec.Overlapped, flags, reserved uint32) (err error) {
	if !t.do(func() { err = t.b.DisconnectEx(s, ov, flags, reserved) }) {
		return errExited
	}
	return
}

func (t *thread) NewOverlapped(event spec.Handle) (ov spec.Overlapped, err error) {
	if !t.do(func() { ov, err = t.b.NewOverlapped(event) }) {
		return 0, errExited
	}
	return
}

func (t *thread) FreeOverlapped(ov spec.Overlapped) (err error) {
	if !t.do(func() { err = t.b.FreeOverlapped(ov) }) {
		return errExited
	}
	return
}

func (t *thread) GetOverlappedResult(h spec.Handle, ov spec.Overlapped, wait bool) (n uint32, err error) {
	if !t.do(func() { n, err = t.b.GetOverlappedResult(h, ov, wait) }) {
		return 0, errExited
	}
	return
}

func (t *thread) WSAGetOverlappedResult(s spec.Socket, ov spec.Overlapped, wait bool) (n, flags uint32, err error) {
	if !t.do(func() { n, flags, err = t.b.WSAGetOverlappedResult(s, ov, wait) }) {
		return 0, 0, errExited
	}
	return
}

func (t *thread) CancelIoEx(h spec.Handle, ov spec.Overlapped) (err error) {
	if !t.do(func() { err = t.b.CancelIoEx(h, ov) }) {
		return errExited
	}
	return
}

func (t *thread) CreateEvent(manualReset, initialState bool) (h spec.Handle, err error) {
	if !t.do(func() { h, err = t.b.CreateEvent(manualReset, initialState) }) {
		return 0, errExited
	}
	return
}

func (t *thread) SetEvent(h spec.Handle) (err error) {
	if !t.do(func() { err = t.b.SetEvent(h) }) {
		return errExited
	}
	return
}

func (t *thread) ResetEvent(h spec.Handle) (err error) {
	if !t.do(func() { err = t.b.ResetEvent(h) }) {
		return errExited
	}
	return
}

func (t *thread) WaitForSingleObject(h spec.Handle, timeout time.Duration) (err error) {
	if !t.do(func() { err = t.b.WaitForSingleObject(h, timeout) }) {
		return errExited
	}
	return
}

func (t *thread) CloseHandle(h spec.Handle) (err error) {
	if !t.do(func() { err = t.b.CloseHandle(h) }) {
		return errExited
	}
	return
}

func (t *thread) CreateIoCompletionPort(concurrency uint32) (h spec.Handle, err error) {
	if !t.do(func() { h, err = t.b.CreateIoCompletionPort(concurrency) }) {
		return 0, errExited
	}
	return
}

func (t *thread) AssociateCompletionPort(port spec.Handle, s spec.Socket, key uintptr) (err error) {
	if !t.do(func() { err = t.b.AssociateCompletionPort(port, s, key) }) {
		return errExited
	}
	return
}

func (t *thread) SetFileCompletionNotificationModes(s spec.Socket, flags uint8) (err error) {
	if !t.do(func() { err = t.b.SetFileCompletionNotificationModes(s, flags) }) {
		return errExited
	}
	return
}

func (t *thread) GetQueuedCompletionStatus(port spec.Handle, timeout time.Duration) (c spec.Completion, err error) {
	if !t.do(func() { c, err = t.b.GetQueuedCompletionStatus(port, timeout) }) {
		return c, errExited
	}
	return
}

func (t *thread) PostQueuedCompletionStatus(port spec.Handle, bytes uint32, key uintptr, ov spec.Overlapped) (err error) {
	if !t.do(func() { err = t.b.PostQueuedCompletionStatus(port, bytes, key, ov) }) {
		return errExited
	}
	return
}

func (t *thread) NewThread() (th spec.Thread, err error) {
	if !t.do(func() { th, err = t.b.NewThread() }) {
		return nil, errExited
	}
	return
}

// Sleep suspends the thread (and its caller); after Exit it returns at once.
func (t *thread) Sleep(d time.Duration) { t.do(func() { t.b.Sleep(d) }) }

func (t *thread) TCPTable() (rows []spec.TCPRow, err error) {
	if !t.do(func() { rows, err = t.b.TCPTable() }) {
		return nil, errExited
	}
	return
}
