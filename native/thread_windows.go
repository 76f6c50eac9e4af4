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

// errExited is the error of a call on a thread that has exited.
var errExited = spec.ERROR_INVALID_HANDLE

// call0, call1 and call2 run an API call on the thread: every method below
// is one of them, and a call after Exit fails with ERROR_INVALID_HANDLE
// with the results given as none (INVALID_SOCKET for a socket,
// spec.Untouched for a byte count never written).
func call0(t *thread, f func() error) error {
	var err error
	if !t.do(func() { err = f() }) {
		return errExited
	}
	return err
}

func call1[R any](t *thread, none R, f func() (R, error)) (R, error) {
	var r R
	var err error
	if !t.do(func() { r, err = f() }) {
		return none, errExited
	}
	return r, err
}

func call2[R1, R2 any](t *thread, none1 R1, none2 R2, f func() (R1, R2, error)) (R1, R2, error) {
	var r1 R1
	var r2 R2
	var err error
	if !t.do(func() { r1, r2, err = f() }) {
		return none1, none2, errExited
	}
	return r1, r2, err
}

func (t *thread) Socket(af, typ, proto int, flags uint32) (spec.Socket, error) {
	return call1(t, spec.INVALID_SOCKET, func() (spec.Socket, error) { return t.b.Socket(af, typ, proto, flags) })
}

func (t *thread) Bind(s spec.Socket, addr netip.AddrPort) error {
	return call0(t, func() error { return t.b.Bind(s, addr) })
}

func (t *thread) Listen(s spec.Socket, backlog int) error {
	return call0(t, func() error { return t.b.Listen(s, backlog) })
}

func (t *thread) Connect(s spec.Socket, addr netip.AddrPort) error {
	return call0(t, func() error { return t.b.Connect(s, addr) })
}

func (t *thread) Accept(s spec.Socket) (spec.Socket, netip.AddrPort, error) {
	return call2(t, spec.INVALID_SOCKET, netip.AddrPort{}, func() (spec.Socket, netip.AddrPort, error) { return t.b.Accept(s) })
}

func (t *thread) Send(s spec.Socket, b []byte) (int, error) {
	return call1(t, 0, func() (int, error) { return t.b.Send(s, b) })
}

func (t *thread) Recv(s spec.Socket, b []byte) (int, error) {
	return call1(t, 0, func() (int, error) { return t.b.Recv(s, b) })
}

func (t *thread) Poll(s spec.Socket, events spec.PollEvents, timeout time.Duration) (spec.PollEvents, error) {
	return call1(t, 0, func() (spec.PollEvents, error) { return t.b.Poll(s, events, timeout) })
}

func (t *thread) Shutdown(s spec.Socket, how int) error {
	return call0(t, func() error { return t.b.Shutdown(s, how) })
}

func (t *thread) SetLinger(s spec.Socket, on bool, seconds uint16) error {
	return call0(t, func() error { return t.b.SetLinger(s, on, seconds) })
}

func (t *thread) SetBindOption(s spec.Socket, opt int, on bool) error {
	return call0(t, func() error { return t.b.SetBindOption(s, opt, on) })
}

func (t *thread) BindOption(s spec.Socket, opt int) (bool, error) {
	return call1(t, false, func() (bool, error) { return t.b.BindOption(s, opt) })
}

func (t *thread) Getsockname(s spec.Socket) (netip.AddrPort, error) {
	return call1(t, netip.AddrPort{}, func() (netip.AddrPort, error) { return t.b.Getsockname(s) })
}

func (t *thread) Getpeername(s spec.Socket) (netip.AddrPort, error) {
	return call1(t, netip.AddrPort{}, func() (netip.AddrPort, error) { return t.b.Getpeername(s) })
}

func (t *thread) UpdateAcceptContext(accepted, listener spec.Socket) error {
	return call0(t, func() error { return t.b.UpdateAcceptContext(accepted, listener) })
}

func (t *thread) UpdateConnectContext(s spec.Socket) error {
	return call0(t, func() error { return t.b.UpdateConnectContext(s) })
}

func (t *thread) Closesocket(s spec.Socket) error {
	return call0(t, func() error { return t.b.Closesocket(s) })
}

func (t *thread) GetExtensionFunction(s spec.Socket, id spec.GUID) (uintptr, error) {
	return call1(t, 0, func() (uintptr, error) { return t.b.GetExtensionFunction(s, id) })
}

func (t *thread) ExtensionLookup(s spec.Socket, id spec.GUID, ov spec.Overlapped, withBytes bool) (uintptr, uint32, error) {
	return call2(t, 0, spec.Untouched, func() (uintptr, uint32, error) { return t.b.ExtensionLookup(s, id, ov, withBytes) })
}

func (t *thread) OverlappedFields(ov spec.Overlapped) (spec.NTStatus, uintptr, error) {
	return call2(t, 0, 0, func() (spec.NTStatus, uintptr, error) { return t.b.OverlappedFields(ov) })
}

func (t *thread) SetOverlappedFields(ov spec.Overlapped, st spec.NTStatus, high uintptr) error {
	return call0(t, func() error { return t.b.SetOverlappedFields(ov, st, high) })
}

func (t *thread) ConnectEx(s spec.Socket, addr netip.AddrPort, ov spec.Overlapped) error {
	return call0(t, func() error { return t.b.ConnectEx(s, addr, ov) })
}

func (t *thread) AcceptEx(listener, accepted spec.Socket, ov spec.Overlapped) error {
	return call0(t, func() error { return t.b.AcceptEx(listener, accepted, ov) })
}

func (t *thread) DisconnectEx(s spec.Socket, ov spec.Overlapped, flags, reserved uint32) error {
	return call0(t, func() error { return t.b.DisconnectEx(s, ov, flags, reserved) })
}

func (t *thread) NewOverlapped(event spec.Handle) (spec.Overlapped, error) {
	return call1(t, 0, func() (spec.Overlapped, error) { return t.b.NewOverlapped(event) })
}

func (t *thread) FreeOverlapped(ov spec.Overlapped) error {
	return call0(t, func() error { return t.b.FreeOverlapped(ov) })
}

func (t *thread) GetOverlappedResult(h spec.Handle, ov spec.Overlapped, wait bool) (uint32, error) {
	return call1(t, 0, func() (uint32, error) { return t.b.GetOverlappedResult(h, ov, wait) })
}

func (t *thread) WSAGetOverlappedResult(s spec.Socket, ov spec.Overlapped, wait bool) (uint32, uint32, error) {
	return call2(t, 0, 0, func() (uint32, uint32, error) { return t.b.WSAGetOverlappedResult(s, ov, wait) })
}

func (t *thread) CancelIoEx(h spec.Handle, ov spec.Overlapped) error {
	return call0(t, func() error { return t.b.CancelIoEx(h, ov) })
}

func (t *thread) CreateEvent(manualReset, initialState bool) (spec.Handle, error) {
	return call1(t, 0, func() (spec.Handle, error) { return t.b.CreateEvent(manualReset, initialState) })
}

func (t *thread) SetEvent(h spec.Handle) error {
	return call0(t, func() error { return t.b.SetEvent(h) })
}

func (t *thread) ResetEvent(h spec.Handle) error {
	return call0(t, func() error { return t.b.ResetEvent(h) })
}

func (t *thread) WaitForSingleObject(h spec.Handle, timeout time.Duration) error {
	return call0(t, func() error { return t.b.WaitForSingleObject(h, timeout) })
}

func (t *thread) CloseHandle(h spec.Handle) error {
	return call0(t, func() error { return t.b.CloseHandle(h) })
}

func (t *thread) CreateIoCompletionPort(concurrency uint32) (spec.Handle, error) {
	return call1(t, 0, func() (spec.Handle, error) { return t.b.CreateIoCompletionPort(concurrency) })
}

func (t *thread) AssociateCompletionPort(port spec.Handle, s spec.Socket, key uintptr) error {
	return call0(t, func() error { return t.b.AssociateCompletionPort(port, s, key) })
}

func (t *thread) SetFileCompletionNotificationModes(s spec.Socket, flags uint8) error {
	return call0(t, func() error { return t.b.SetFileCompletionNotificationModes(s, flags) })
}

func (t *thread) GetQueuedCompletionStatus(port spec.Handle, timeout time.Duration) (spec.Completion, error) {
	return call1(t, spec.Completion{}, func() (spec.Completion, error) { return t.b.GetQueuedCompletionStatus(port, timeout) })
}

func (t *thread) PostQueuedCompletionStatus(port spec.Handle, bytes uint32, key uintptr, ov spec.Overlapped) error {
	return call0(t, func() error { return t.b.PostQueuedCompletionStatus(port, bytes, key, ov) })
}

func (t *thread) NewThread() (spec.Thread, error) {
	return call1(t, nil, func() (spec.Thread, error) { return t.b.NewThread() })
}

func (t *thread) TCPTable() ([]spec.TCPRow, error) {
	return call1(t, nil, func() ([]spec.TCPRow, error) { return t.b.TCPTable() })
}

// Sleep suspends the thread (and its caller); after Exit it returns at once.
func (t *thread) Sleep(d time.Duration) { t.do(func() { t.b.Sleep(d) }) }
