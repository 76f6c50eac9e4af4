//go:build windows

package native

import (
	"errors"
	"math"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/disconnectex/disconnectex/spec"
)

func TestMillis(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want uint64
	}{
		{0, 0},
		{1, 1},
		{time.Millisecond, 1},
		{time.Millisecond + 1, 2},
		{time.Second, 1000},
		{math.MaxInt64, uint64(math.MaxInt64/int64(time.Millisecond)) + 1},
	} {
		if got := millis(c.d); got != c.want {
			t.Errorf("millis(%d) = %d, want %d", c.d, got, c.want)
		}
	}
}

func TestWaitSteps(t *testing.T) {
	steps := func(d time.Duration, limit uint32, timeouts int) []uint32 {
		var got []uint32
		waitSteps(d, limit, func(ms uint32) bool {
			got = append(got, ms)
			return len(got) <= timeouts
		})
		return got
	}
	day := 24 * time.Hour
	hundredDays := uint64(100 * day / time.Millisecond)
	for _, c := range []struct {
		name     string
		d        time.Duration
		limit    uint32
		timeouts int
		want     []uint32
	}{
		{"Infinite", spec.Infinite, maxDwordWait, 99, []uint32{windows.INFINITE}},
		{"other negative", -5 * time.Second, maxDwordWait, 99, []uint32{windows.INFINITE}},
		{"min int64", math.MinInt64, maxDwordWait, 99, []uint32{windows.INFINITE}},
		{"zero", 0, maxDwordWait, 99, []uint32{0}},
		{"1ns rounds up", 1, maxDwordWait, 99, []uint32{1}},
		{"exactly the limit", maxDwordWait * time.Millisecond, maxDwordWait, 99, []uint32{maxDwordWait}},
		{"100 days", 100 * day, maxDwordWait, 99, []uint32{maxDwordWait, maxDwordWait, uint32(hundredDays - 2*maxDwordWait)}},
		{"100 days, signalled in the first step", 100 * day, maxDwordWait, 0, []uint32{maxDwordWait}},
		{"30 days, INT limit", 30 * day, math.MaxInt32, 99, []uint32{math.MaxInt32, uint32(uint64(30*day/time.Millisecond) - math.MaxInt32)}},
	} {
		if got := steps(c.d, c.limit, c.timeouts); !slices.Equal(got, c.want) {
			t.Errorf("%s: steps %v, want %v", c.name, got, c.want)
		}
	}
	// The largest Duration: every step is finite, none exceeds the
	// limit, and they add up to the whole timeout.
	var sum uint64
	n := 0
	waitSteps(math.MaxInt64, maxDwordWait, func(ms uint32) bool {
		if ms == windows.INFINITE || ms > maxDwordWait {
			t.Fatalf("step %d of MaxInt64: %d ms", n, ms)
		}
		sum += uint64(ms)
		n++
		return n < 10 // stop early: the count is what matters
	})
	if n != 10 || sum != 10*maxDwordWait {
		t.Errorf("MaxInt64: %d steps adding to %d", n, sum)
	}
}

func TestIOLen(t *testing.T) {
	for _, c := range []struct {
		n    int
		want int32
	}{{0, 0}, {5, 5}, {math.MaxInt32, math.MaxInt32}, {math.MaxInt32 + 1, math.MaxInt32}, {1 << 40, math.MaxInt32}} {
		if got := ioLen(c.n); got != c.want {
			t.Errorf("ioLen(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

func TestErrnoOf(t *testing.T) {
	if err := errnoOf(nil); err != nil {
		t.Errorf("errnoOf(nil) = %v", err)
	}
	if err := errnoOf(syscall.Errno(0)); err != nil {
		t.Errorf("errnoOf(0) = %v", err)
	}
	if err := errnoOf(windows.ERROR_NOT_FOUND); err != spec.ERROR_NOT_FOUND {
		t.Errorf("errnoOf(ERROR_NOT_FOUND) = %#v", err)
	}
	// x/sys/windows returns Go's invented syscall.EINVAL when a call
	// failed without a last error: never a Windows code.
	err := errnoOf(syscall.EINVAL)
	var e spec.Errno
	if !errors.As(err, &e) || uint32(e) >= syscall.APPLICATION_ERROR {
		t.Errorf("errnoOf(syscall.EINVAL) = %#v, want a Windows code", err)
	}
}

func TestSockaddrZone(t *testing.T) {
	sa, err := toSockaddr(netip.MustParseAddrPort("[fe80::1%7]:80"))
	if err != nil {
		t.Fatal(err)
	}
	if s6 := sa.(*windows.SockaddrInet6); s6.ZoneId != 7 {
		t.Errorf("zone id %d, want 7", s6.ZoneId)
	}
	if got := fromSockaddr(sa); got.String() != "[fe80::1%7]:80" {
		t.Errorf("round trip: %v", got)
	}
	if _, err := toSockaddr(netip.AddrPort{}); !errors.Is(err, spec.WSAEFAULT) {
		t.Errorf("zero AddrPort: %v, want WSAEFAULT", err)
	}
}

// TestBadInputNoPanic passes invalid handles, NULL and wild OVERLAPPEDs
// (to the calls that dereference them in user mode: those must refuse),
// nil buffers and zero addresses: every call returns an error, none panics.
func TestBadInputNoPanic(t *testing.T) {
	b := newBackend(t)
	ev, _ := b.CreateEvent(true, false)
	defer b.CloseHandle(ev)
	closed := socket(t, b)
	if err := b.Closesocket(closed); err != nil {
		t.Fatal(err)
	}
	wild := spec.Overlapped(0x1000) // a page no one maps
	zero := netip.AddrPort{}
	for _, s := range []spec.Socket{spec.INVALID_SOCKET, 0, closed, spec.Socket(ev)} {
		calls := map[string]error{}
		calls["Bind zero"] = b.Bind(s, zero)
		calls["Connect zero"] = b.Connect(s, zero)
		calls["Listen"] = b.Listen(s, 1)
		_, _, calls["Accept"] = b.Accept(s)
		_, calls["Send nil"] = b.Send(s, nil)
		_, calls["Recv nil"] = b.Recv(s, nil)
		_, calls["Recv empty"] = b.Recv(s, []byte{})
		_, calls["Poll"] = b.Poll(s, spec.POLLRDNORM, 0)
		calls["Shutdown"] = b.Shutdown(s, 1)
		calls["SetLinger"] = b.SetLinger(s, true, 0)
		_, calls["Getsockname"] = b.Getsockname(s)
		_, calls["Getpeername"] = b.Getpeername(s)
		calls["UpdateAcceptContext"] = b.UpdateAcceptContext(s, s)
		calls["ConnectEx NULL ov"] = b.ConnectEx(s, loopback, 0)
		calls["ConnectEx zero addr"] = b.ConnectEx(s, zero, 0)
		calls["AcceptEx NULL ov"] = b.AcceptEx(s, s, 0)
		calls["DisconnectEx NULL ov"] = b.DisconnectEx(s, 0, 0, 0)
		_, calls["GetOverlappedResult NULL"] = b.GetOverlappedResult(spec.Handle(s), 0, false)
		_, calls["GetOverlappedResult wild"] = b.GetOverlappedResult(spec.Handle(s), wild, true)
		_, _, calls["WSAGetOverlappedResult wild"] = b.WSAGetOverlappedResult(s, wild, true)
		_, _, calls["AcceptExAddresses wild"] = b.AcceptExAddresses(s, wild)
		calls["FreeOverlapped NULL"] = b.FreeOverlapped(0)
		calls["FreeOverlapped wild"] = b.FreeOverlapped(wild)
		calls["AssociateCompletionPort"] = b.AssociateCompletionPort(spec.Handle(s), s, 1)
		calls["SetFileCompletionNotificationModes"] = b.SetFileCompletionNotificationModes(s, 0xFF)
		for name, err := range calls {
			switch {
			case err != nil:
			case name == "UpdateAcceptContext":
				// Wine 8.0's setsockopt accepts SO_UPDATE_ACCEPT_CONTEXT
				// on any handle without looking at it.
				t.Logf("socket %#x: %s succeeded", s, name)
			case s == spec.INVALID_SOCKET, strings.Contains(name, "Overlapped"), strings.Contains(name, "zero"):
				t.Errorf("socket %#x: %s succeeded", s, name)
			default:
				// What Windows or Wine does with a handle that is
				// not a socket is theirs; the point is no panic.
				t.Logf("socket %#x: %s succeeded", s, name)
			}
		}
	}
	for _, h := range []spec.Handle{0, 0x12345678} {
		if err := b.WaitForSingleObject(h, 0); err == nil || errors.Is(err, spec.WAIT_TIMEOUT) {
			t.Errorf("WaitForSingleObject(%#x) = %v, want a failure", h, err)
		}
		if _, err := b.GetQueuedCompletionStatus(h, 0); err == nil || errors.Is(err, spec.WAIT_TIMEOUT) {
			t.Errorf("GetQueuedCompletionStatus(%#x) = %v, want a failure", h, err)
		}
		if err := b.PostQueuedCompletionStatus(h, 0, 0, 0); err == nil {
			t.Errorf("PostQueuedCompletionStatus(%#x) succeeded", h)
		}
		if err := b.SetEvent(h); err == nil {
			t.Errorf("SetEvent(%#x) succeeded", h)
		}
		if err := b.CloseHandle(h); err == nil {
			t.Errorf("CloseHandle(%#x) succeeded", h)
		}
	}
	if _, err := b.GetOverlappedResult(ev, wild, false); !errors.Is(err, spec.ERROR_INVALID_PARAMETER) {
		t.Errorf("GetOverlappedResult(wild) = %v, want ERROR_INVALID_PARAMETER", err)
	}
	if _, err := b.Socket(-1, -1, -1, 0); err == nil {
		t.Errorf("Socket(-1, -1, -1) succeeded")
	}
}

func TestBadTimeouts(t *testing.T) {
	b := newBackend(t)
	ev, _ := b.CreateEvent(true, true)
	defer b.CloseHandle(ev)
	port, _ := b.CreateIoCompletionPort(1)
	defer b.CloseHandle(port)
	_, c, _ := pair(t, b)
	for _, d := range []time.Duration{-2, -time.Millisecond, math.MinInt64} {
		// Refused at once (spec.API, Timeouts), even with the object ready.
		if err := b.WaitForSingleObject(ev, d); !errors.Is(err, spec.ERROR_INVALID_PARAMETER) {
			t.Errorf("WaitForSingleObject(set event, %d) = %v, want ERROR_INVALID_PARAMETER", d, err)
		}
		if _, err := b.GetQueuedCompletionStatus(port, d); !errors.Is(err, spec.ERROR_INVALID_PARAMETER) {
			t.Errorf("GetQueuedCompletionStatus(%d) = %v, want ERROR_INVALID_PARAMETER", d, err)
		}
		if _, err := b.Poll(c, spec.POLLWRNORM, d); !errors.Is(err, spec.WSAEINVAL) {
			t.Errorf("Poll(writable, %d) = %v, want WSAEINVAL", d, err)
		}
		b.Sleep(d) // returns at once
	}
	for _, d := range []time.Duration{spec.Infinite, 60 * 24 * time.Hour, math.MaxInt64} {
		// Signalled or ready at once: each returns without waiting,
		// whatever the timeout's value.
		if err := b.WaitForSingleObject(ev, d); err != nil {
			t.Errorf("WaitForSingleObject(set event, %d) = %v", d, err)
		}
		if err := b.PostQueuedCompletionStatus(port, 1, 2, 0); err != nil {
			t.Fatal(err)
		}
		if p, err := b.GetQueuedCompletionStatus(port, d); err != nil || p.Bytes != 1 || p.Key != 2 {
			t.Errorf("GetQueuedCompletionStatus(%d) = %+v, %v", d, p, err)
		}
		if r, err := b.Poll(c, spec.POLLWRNORM, d); err != nil || r&spec.POLLWRNORM == 0 {
			t.Errorf("Poll(writable, %d) = %v, %v", d, r, err)
		}
	}
	if r, err := b.Poll(c, spec.POLLRDNORM, 10*time.Millisecond); err != nil || r != 0 {
		t.Errorf("Poll(nothing to read, 10ms) = %v, %v; want 0, nil", r, err)
	}
	if _, err := b.GetQueuedCompletionStatus(port, 1); !errors.Is(err, spec.WAIT_TIMEOUT) {
		t.Errorf("GetQueuedCompletionStatus(1ns) = %v, want WAIT_TIMEOUT", err)
	}
}

// TestOverlappedInUse checks that FreeOverlapped refuses while another call
// of the package reads the page, that an OVERLAPPED of one backend serves
// another, and that concurrent result queries and frees never touch a
// decommitted page.
func TestOverlappedInUse(t *testing.T) {
	b1, b2 := newBackend(t), newBackend(t)
	ov, err := b1.NewOverlapped(0)
	if err != nil {
		t.Fatal(err)
	}
	sl := use(ov)
	if err := b2.FreeOverlapped(ov); !errors.Is(err, spec.ERROR_IO_PENDING) {
		t.Errorf("FreeOverlapped while in use = %v, want ERROR_IO_PENDING", err)
	}
	sl.release()
	ev, _ := b2.CreateEvent(true, true)
	defer b2.CloseHandle(ev)
	if _, err := b2.GetOverlappedResult(ev, ov, false); errors.Is(err, spec.ERROR_INVALID_PARAMETER) {
		t.Errorf("another backend's OVERLAPPED refused: %v", err)
	}
	if err := b2.FreeOverlapped(ov); err != nil {
		t.Errorf("FreeOverlapped by another backend: %v", err)
	}
	if err := b1.FreeOverlapped(ov); !errors.Is(err, spec.ERROR_INVALID_PARAMETER) {
		t.Errorf("double free = %v, want ERROR_INVALID_PARAMETER", err)
	}

	for range 50 {
		ov, err := b1.NewOverlapped(ev)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(2)
			go func() {
				defer wg.Done()
				b1.GetOverlappedResult(ev, ov, false)
				b1.WSAGetOverlappedResult(spec.INVALID_SOCKET, ov, false)
			}()
			go func() {
				defer wg.Done()
				b1.FreeOverlapped(ov)
			}()
		}
		wg.Wait()
		b1.FreeOverlapped(ov)
		if _, err := b1.GetOverlappedResult(ev, ov, false); !errors.Is(err, spec.ERROR_INVALID_PARAMETER) {
			t.Fatalf("after free: %v", err)
		}
	}
}

// TestForeignOverlappedScratch issues ConnectEx and AcceptEx with NULL
// OVERLAPPEDs from many goroutines: each call gets scratch memory of its
// own, and fails.
func TestForeignOverlappedScratch(t *testing.T) {
	b := newBackend(t)
	l := socket(t, b)
	b.Bind(l, loopback)
	b.Listen(l, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := b.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
			if err != nil {
				t.Error(err)
				return
			}
			defer b.Closesocket(s)
			b.Bind(s, loopback)
			if err := b.ConnectEx(s, netip.MustParseAddrPort("127.0.0.1:9"), 0); err == nil || errors.Is(err, spec.ERROR_IO_PENDING) {
				t.Errorf("ConnectEx(NULL ov) = %v, want an immediate failure", err)
			}
			if err := b.AcceptEx(l, s, 0); err == nil || errors.Is(err, spec.ERROR_IO_PENDING) {
				t.Errorf("AcceptEx(NULL ov) = %v, want an immediate failure", err)
			}
		}()
	}
	wg.Wait()
}

func TestAcceptExAddressesPending(t *testing.T) {
	b := newBackend(t)
	l := socket(t, b)
	b.Bind(l, loopback)
	b.Listen(l, 8)
	acc := socket(t, b)
	ev, _ := b.CreateEvent(true, false)
	defer b.CloseHandle(ev)
	ov, _ := b.NewOverlapped(ev)
	if err := b.AcceptEx(l, acc, ov); !errors.Is(err, spec.ERROR_IO_PENDING) {
		t.Fatalf("AcceptEx = %v", err)
	}
	if _, _, err := b.AcceptExAddresses(l, ov); !errors.Is(err, spec.ERROR_IO_INCOMPLETE) {
		t.Errorf("AcceptExAddresses while pending = %v, want ERROR_IO_INCOMPLETE", err)
	}
	if err := b.Close(); err == nil || !strings.Contains(err.Error(), "1 OVERLAPPED") {
		t.Errorf("Close with a pending AcceptEx = %v, want the OVERLAPPED reported as left", err)
	}
	if err := b.CancelIoEx(spec.Handle(l), ov); err != nil {
		t.Fatal(err)
	}
	b.WaitForSingleObject(ev, 5*time.Second)
	if _, err := b.GetOverlappedResult(spec.Handle(l), ov, true); !errors.Is(err, spec.ERROR_OPERATION_ABORTED) {
		t.Errorf("canceled AcceptEx: %v", err)
	}
	// A canceled request's buffer holds no address: the zero values, no
	// read outside the page.
	if local, remote, err := b.AcceptExAddresses(l, ov); err != nil {
		t.Errorf("AcceptExAddresses after cancel = %v, %v, %v", local, remote, err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("Close after the request ended: %v", err)
	}
	if err := b.FreeOverlapped(ov); !errors.Is(err, spec.ERROR_INVALID_PARAMETER) {
		t.Errorf("FreeOverlapped after Close = %v, want ERROR_INVALID_PARAMETER (Close freed it)", err)
	}
}

func TestCloseEndsThreads(t *testing.T) {
	b := newBackend(t)
	before := runtime.NumGoroutine()
	var ths []*thread
	for range 3 {
		th, err := b.NewThread()
		if err != nil {
			t.Fatal(err)
		}
		ths = append(ths, th.(*thread))
	}
	if err := ths[0].Exit(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, th := range ths {
		if _, err := th.CreateEvent(true, false); !errors.Is(err, spec.ERROR_INVALID_HANDLE) {
			t.Errorf("thread %d after Close: %v, want ERROR_INVALID_HANDLE", th.tid, err)
		}
		if err := th.Exit(); !errors.Is(err, spec.ERROR_INVALID_HANDLE) {
			t.Errorf("Exit after Close = %v", err)
		}
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	waitGoroutines(t, before)
}

// waitGoroutines waits until no more than n goroutines run.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	for range 100 {
		if runtime.NumGoroutine() <= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%d goroutines, want at most %d: a thread's goroutine leaked", runtime.NumGoroutine(), n)
}

// TestThreadConcurrent uses one Thread from many goroutines, then exits it
// from two at once while calls are still being made.
func TestThreadConcurrent(t *testing.T) {
	b := newBackend(t)
	before := runtime.NumGoroutine()
	th, err := b.NewThread()
	if err != nil {
		t.Fatal(err)
	}
	tid := th.(*thread).tid
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var got uint32
				ok := th.(*thread).do(func() { got = windows.GetCurrentThreadId() })
				if !ok {
					return
				}
				if got != tid {
					t.Errorf("call ran on thread %d, want %d", got, tid)
					return
				}
				h, err := th.CreateEvent(true, false)
				if errors.Is(err, spec.ERROR_INVALID_HANDLE) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				th.CloseHandle(h)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- th.Exit() }()
	}
	e1, e2 := <-errs, <-errs
	if (e1 == nil) == (e2 == nil) || !errors.Is(errors.Join(e1, e2), spec.ERROR_INVALID_HANDLE) {
		t.Errorf("two concurrent Exits = %v, %v; want one nil, one ERROR_INVALID_HANDLE", e1, e2)
	}
	close(stop)
	wg.Wait()
	waitGoroutines(t, before)
}

// TestThreadPanic: a panic in a call is raised in the caller's goroutine
// and the thread goes on.
func TestThreadPanic(t *testing.T) {
	b := newBackend(t)
	th, err := b.NewThread()
	if err != nil {
		t.Fatal(err)
	}
	defer th.Exit()
	func() {
		defer func() {
			if p := recover(); p == nil || !strings.Contains(p.(string), "boom") {
				t.Errorf("recovered %v, want the call's panic", p)
			}
		}()
		th.(*thread).do(func() { panic("boom") })
	}()
	if h, err := th.CreateEvent(true, false); err != nil {
		t.Errorf("call after a panic: %v", err)
	} else {
		th.CloseHandle(h)
	}
}

// TestExtensionPerFamily loads DisconnectEx from AF_INET and AF_INET6
// sockets concurrently: the cache holds one entry per family, keyed by the
// socket's provider.
func TestExtensionPerFamily(t *testing.T) {
	b := newBackend(t)
	var wg sync.WaitGroup
	families := []int{spec.AF_INET}
	if s, err := b.Socket(spec.AF_INET6, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED); err == nil {
		b.Closesocket(s)
		families = append(families, spec.AF_INET6)
	}
	for range 8 {
		for _, af := range families {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := b.Socket(af, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
				if err != nil {
					t.Error(err)
					return
				}
				defer b.Closesocket(s)
				if err := b.DisconnectEx(s, 0, 0, 0); !errors.Is(err, spec.WSAENOTCONN) {
					t.Errorf("DisconnectEx(unconnected AF %d) = %v, want WSAENOTCONN", af, err)
				}
			}()
		}
	}
	wg.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	var got []int
	for k := range b.ext {
		if k.id == spec.WSAID_DISCONNECTEX {
			got = append(got, int(k.af))
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, families) {
		t.Errorf("cached DisconnectEx for families %v, want %v", got, families)
	}
}

// TestFreeAfterImmediateFailure: an OVERLAPPED given to a call that failed
// at once has no request outstanding and can be freed, although Wine 8.0
// leaves STATUS_PENDING in its Internal.
func TestFreeAfterImmediateFailure(t *testing.T) {
	b := newBackend(t)
	s := socket(t, b)
	for _, call := range []struct {
		name string
		f    func(ov spec.Overlapped) error
	}{
		{"DisconnectEx(unconnected)", func(ov spec.Overlapped) error { return b.DisconnectEx(s, ov, 0, 0) }},
		{"DisconnectEx(INVALID_SOCKET)", func(ov spec.Overlapped) error { return b.DisconnectEx(spec.INVALID_SOCKET, ov, 0, 0) }},
		{"ConnectEx(unbound)", func(ov spec.Overlapped) error { return b.ConnectEx(s, netip.MustParseAddrPort("127.0.0.1:9"), ov) }},
		{"AcceptEx(INVALID_SOCKET)", func(ov spec.Overlapped) error { return b.AcceptEx(spec.INVALID_SOCKET, s, ov) }},
	} {
		ov, err := b.NewOverlapped(0)
		if err != nil {
			t.Fatal(err)
		}
		if err := call.f(ov); err == nil || errors.Is(err, spec.ERROR_IO_PENDING) {
			t.Errorf("%s = %v, want an immediate failure", call.name, err)
			continue
		}
		if err := b.FreeOverlapped(ov); err != nil {
			t.Errorf("FreeOverlapped after %s failed at once: %v", call.name, err)
		}
	}
}

var procGetProcessHandleCount = modkernel32.NewProc("GetProcessHandleCount")

func handleCount() (uint32, bool) {
	var n uint32
	r, _, _ := procGetProcessHandleCount.Call(uintptr(windows.CurrentProcess()), uintptr(unsafe.Pointer(&n)))
	return n, r != 0 && n != 0
}

// TestNoHandleLeak runs what a conformance case does through a backend
// (threads started and exited or left to Close, OVERLAPPEDs, extension
// lookups that need a probe socket, a connected pair closed again) and
// checks that the process holds no more handles afterwards.
func TestNoHandleLeak(t *testing.T) {
	if _, ok := handleCount(); !ok {
		t.Skip("GetProcessHandleCount reports nothing here")
	}
	round := func() {
		b, err := NewBackend(spec.DefaultSettings())
		if err != nil {
			t.Fatal(err)
		}
		th, err := b.NewThread()
		if err != nil {
			t.Fatal(err)
		}
		th.Exit()
		if _, err := b.NewThread(); err != nil { // left to Close
			t.Fatal(err)
		}
		ev, _ := b.CreateEvent(true, false)
		ov, _ := b.NewOverlapped(ev)
		b.DisconnectEx(spec.Socket(ev), ov, 0, 0) // not a socket: probe socket
		l, _ := b.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
		b.Bind(l, loopback)
		b.Listen(l, 1)
		addr, _ := b.Getsockname(l)
		c, _ := b.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
		b.Connect(c, addr)
		s, _, _ := b.Accept(l)
		b.DisconnectEx(c, ov, 0, 0)
		b.WaitForSingleObject(ev, 5*time.Second)
		for _, x := range []spec.Socket{s, c, l} {
			b.Closesocket(x)
		}
		b.CloseHandle(ev)
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	round() // first use: DLLs, WSAStartup, runtime threads
	before, _ := handleCount()
	const rounds = 50
	for range rounds {
		round()
	}
	after, _ := handleCount()
	// Slack for the handles of OS threads the runtime may start (a few
	// each); a leak of one handle a round exceeds it.
	if after > before+16 {
		t.Errorf("handles: %d before %d rounds, %d after", before, rounds, after)
	}
	t.Logf("handles: %d before %d rounds, %d after", before, rounds, after)
}

func TestInt32Args(t *testing.T) {
	for _, c := range []struct {
		v    int
		want int32
	}{{0, 0}, {-1, -1}, {2, 2}, {1<<32 + 2, math.MaxInt32}, {-1 << 40, math.MinInt32}} {
		if got := int32Arg(c.v); got != c.want {
			t.Errorf("int32Arg(%d) = %d, want %d", c.v, got, c.want)
		}
	}
	b := newBackend(t)
	// 1<<32 + AF_INET must not wrap around to AF_INET.
	if s, err := b.Socket(1<<32+spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0); err == nil {
		b.Closesocket(s)
		t.Errorf("Socket(1<<32 + AF_INET) succeeded")
	}
	if s, err := b.Socket(spec.AF_INET, 1<<32+spec.SOCK_STREAM, spec.IPPROTO_TCP, 0); err == nil {
		b.Closesocket(s)
		t.Errorf("Socket(type 1<<32 + SOCK_STREAM) succeeded")
	}
	_, c, _ := pair(t, b)
	if err := b.Shutdown(c, 1<<32+1); err == nil {
		t.Errorf("Shutdown(1<<32 + SD_SEND) succeeded")
	}
	if _, err := b.Send(c, []byte("x")); err != nil {
		t.Errorf("send after the rejected shutdown: %v", err)
	}
}

func TestSockaddrScope(t *testing.T) {
	a := netip.MustParseAddrPort("[fe80::1%9]:443")
	buf := make([]byte, sockaddrMax)
	n, err := putSockaddr(buf, a)
	if err != nil || n != 28 {
		t.Fatalf("putSockaddr = %d, %v", n, err)
	}
	if got := parseSockaddr(buf[:n]); got != a {
		t.Errorf("round trip %v, want %v", got, a)
	}
	if err := errnoOf(syscall.EAFNOSUPPORT); err != spec.WSAEAFNOSUPPORT {
		t.Errorf("errnoOf(syscall.EAFNOSUPPORT) = %v", err)
	}
}

// TestPacketWithError: the packet of a failed request comes back with the
// request's error and its OVERLAPPED, not as a failed dequeue.
func TestPacketWithError(t *testing.T) {
	b := newBackend(t)
	l := socket(t, b)
	b.Bind(l, loopback)
	b.Listen(l, 8)
	port, err := b.CreateIoCompletionPort(1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.CloseHandle(port)
	if err := b.AssociateCompletionPort(port, l, 42); err != nil {
		t.Fatal(err)
	}
	acc := socket(t, b)
	ov, _ := b.NewOverlapped(0)
	if err := b.AcceptEx(l, acc, ov); !errors.Is(err, spec.ERROR_IO_PENDING) {
		t.Fatalf("AcceptEx = %v", err)
	}
	if err := b.CancelIoEx(spec.Handle(l), ov); err != nil {
		t.Fatal(err)
	}
	p, err := b.GetQueuedCompletionStatus(port, 5*time.Second)
	if !errors.Is(err, spec.ERROR_OPERATION_ABORTED) || p.Overlapped != ov || p.Key != 42 {
		t.Errorf("packet of the canceled AcceptEx = %+v, %v; want key 42, ov %#x, ERROR_OPERATION_ABORTED", p, err, ov)
	}
	if err := b.FreeOverlapped(ov); err != nil {
		t.Errorf("FreeOverlapped after the packet: %v", err)
	}
	if p, err := b.GetQueuedCompletionStatus(port, 0); !errors.Is(err, spec.WAIT_TIMEOUT) || p != (spec.Completion{}) {
		t.Errorf("empty port = %+v, %v; want a zero Completion and WAIT_TIMEOUT", p, err)
	}
}
