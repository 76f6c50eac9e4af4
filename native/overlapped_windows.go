//go:build windows

package native

import (
	"errors"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/disconnectex/disconnectex/spec"
)

// Each OVERLAPPED lives at the start of a page of its own, committed from
// VirtualAlloc: memory the Go collector does not know, so it never moves
// or frees it while the kernel may write to it. The rest of the page is
// the request's scratch: the AcceptEx address buffer and byte count and
// the ConnectEx address, which must stay valid until completion too.
// FreeOverlapped decommits the page, so a freed OVERLAPPED is an invalid
// address, as freed memory is to the kernel, and its address is never
// handed out again.
const (
	slotSize      = 4096
	slotsPerChunk = 16 // VirtualAlloc reserves 64 KiB at a time
	slotAcceptBuf = 64
	slotBytes     = slotAcceptBuf + 2*acceptAddrLen + 8
	slotSockaddr  = 256
)

// slot is one page. Its fields are guarded by slots' mutex.
type slot struct {
	addr  uintptr
	owner *Backend // nil for a scratch page given to a foreign OVERLAPPED
	users int      // calls in progress that read or write the page
	// stale: the last call given this OVERLAPPED failed at once yet left
	// STATUS_PENDING in Internal, which it did not hold before (Wine 8.0's
	// DisconnectEx, ConnectEx and AcceptEx write it before they validate
	// anything). No request is outstanding, so it may be freed.
	stale bool
}

// slots holds the live OVERLAPPEDs of every Backend of the process: an
// OVERLAPPED of one backend used with another still gets its own scratch.
var slots struct {
	sync.Mutex
	live map[spec.Overlapped]*slot
}

func (s *slot) ov() *windows.Overlapped { return (*windows.Overlapped)(at(s.addr)) }

func (s *slot) bytes(off, n uintptr) []byte { return unsafe.Slice((*byte)(at(s.addr+off)), n) }

var chunks struct {
	sync.Mutex
	base uintptr
	next int
}

func allocSlot() (*slot, error) {
	chunks.Lock()
	defer chunks.Unlock()
	if chunks.base == 0 || chunks.next == slotsPerChunk {
		base, err := windows.VirtualAlloc(0, slotSize*slotsPerChunk, windows.MEM_RESERVE, windows.PAGE_NOACCESS)
		if err != nil {
			return nil, errnoOf(err)
		}
		chunks.base, chunks.next = base, 0
	}
	addr := chunks.base + uintptr(chunks.next)*slotSize
	if _, err := windows.VirtualAlloc(addr, slotSize, windows.MEM_COMMIT, windows.PAGE_READWRITE); err != nil {
		return nil, errnoOf(err)
	}
	chunks.next++
	return &slot{addr: addr}, nil
}

func freeSlot(s *slot) error {
	return errnoOf(windows.VirtualFree(s.addr, slotSize, windows.MEM_DECOMMIT))
}

// use returns the live slot of ov with a use counted (FreeOverlapped
// refuses while it lasts), or nil. Release it with release.
func use(ov spec.Overlapped) *slot {
	slots.Lock()
	defer slots.Unlock()
	sl := slots.live[ov]
	if sl != nil {
		sl.users++
	}
	return sl
}

func (s *slot) release() {
	slots.Lock()
	s.users--
	slots.Unlock()
}

// scratch returns the page whose buffers AcceptEx or ConnectEx give the
// kernel with ov: the slot of ov, counted as in use, or for an OVERLAPPED
// no backend handed out (NULL, or an invalid or foreign pointer) a fresh
// page of its own, never shared with another call. Call done with the
// call's error when it returns.
func scratch(ov spec.Overlapped) (*slot, error) {
	if sl := use(ov); sl != nil {
		return sl, nil
	}
	return allocSlot()
}

// done ends a use that scratch began, for a call that returned err, made
// when Internal was (was) or was not STATUS_PENDING. A scratch page of a
// foreign OVERLAPPED is freed when the call failed at once; when it pended
// or succeeded the kernel may still write to it, and nothing tells when it
// stops, so it is left committed.
func (s *slot) done(was bool, err error) {
	if s.owner != nil {
		s.issued(was, err)
		s.release()
		return
	}
	if err != nil && !errors.Is(err, spec.ERROR_IO_PENDING) {
		freeSlot(s)
	}
}

func (b *Backend) NewOverlapped(event spec.Handle) (spec.Overlapped, error) {
	sl, err := allocSlot()
	if err != nil {
		return 0, err
	}
	sl.owner = b
	sl.ov().HEvent = windows.Handle(event)
	ov := spec.Overlapped(sl.addr)
	slots.Lock()
	if slots.live == nil {
		slots.live = make(map[spec.Overlapped]*slot)
	}
	slots.live[ov] = sl
	slots.Unlock()
	return ov, nil
}

// pending reports whether the request using the slot is still in progress.
func (s *slot) pending() bool {
	return atomic.LoadUintptr(&s.ov().Internal) == statusPending
}

// issued records the outcome of a call that was given the slot's
// OVERLAPPED: was tells whether Internal held STATUS_PENDING before it.
func (s *slot) issued(was bool, err error) {
	failed := err != nil && !errors.Is(err, spec.ERROR_IO_PENDING)
	stale := failed && !was && s.pending()
	slots.Lock()
	s.stale = stale
	slots.Unlock()
}

// busy reports whether the page may still be written to or read: a call
// of this package is using it, or a request is pending on it. Guarded by
// slots' mutex.
func (s *slot) busy() bool {
	return s.users > 0 || s.pending() && !s.stale
}

// FreeOverlapped frees an OVERLAPPED of any Backend of the process. It
// fails with ERROR_INVALID_PARAMETER for a value that is not a live
// OVERLAPPED (NULL, never handed out, already freed), and with
// ERROR_IO_PENDING while a request is pending on it or another call of
// this package is using it.
func (b *Backend) FreeOverlapped(ov spec.Overlapped) error {
	slots.Lock()
	defer slots.Unlock()
	sl := slots.live[ov]
	if sl == nil {
		return spec.ERROR_INVALID_PARAMETER
	}
	if sl.busy() {
		return spec.ERROR_IO_PENDING
	}
	delete(slots.live, ov)
	return freeSlot(sl)
}

// The result-query calls read the structure in user mode, so they are only
// given a live OVERLAPPED of this package, held in use for the call: any
// other value fails with ERROR_INVALID_PARAMETER here instead of an access
// violation in kernel32, and a concurrent FreeOverlapped cannot decommit
// the page under them.

func (b *Backend) GetOverlappedResult(h spec.Handle, ov spec.Overlapped, wait bool) (uint32, error) {
	sl := use(ov)
	if sl == nil {
		return 0, spec.ERROR_INVALID_PARAMETER
	}
	defer sl.release()
	var n uint32
	_, err := getOverlappedResult(windows.Handle(h), uintptr(ov), &n, wait)
	return n, errnoOf(err)
}

func (b *Backend) WSAGetOverlappedResult(s spec.Socket, ov spec.Overlapped, wait bool) (uint32, uint32, error) {
	sl := use(ov)
	if sl == nil {
		return 0, 0, spec.ERROR_INVALID_PARAMETER
	}
	defer sl.release()
	var n, flags uint32
	_, err := wsaGetOverlappedResult(windows.Handle(s), uintptr(ov), &n, wait, &flags)
	return n, flags, errnoOf(err)
}

func (b *Backend) CancelIoEx(h spec.Handle, ov spec.Overlapped) error {
	// CancelIoEx only compares ov with the pending requests' pointers.
	_, err := cancelIoEx(windows.Handle(h), uintptr(ov))
	return errnoOf(err)
}

// OverlappedFields reads Internal and InternalHigh of a live OVERLAPPED
// of this package.
func (b *Backend) OverlappedFields(ov spec.Overlapped) (spec.NTStatus, uintptr, error) {
	sl := use(ov)
	if sl == nil {
		return 0, 0, spec.ERROR_INVALID_PARAMETER
	}
	defer sl.release()
	o := sl.ov()
	return spec.NTStatus(atomic.LoadUintptr(&o.Internal)), atomic.LoadUintptr(&o.InternalHigh), nil
}

// SetOverlappedFields writes them. Writing STATUS_PENDING to an OVERLAPPED
// no request uses makes FreeOverlapped refuse it until another value is
// written.
func (b *Backend) SetOverlappedFields(ov spec.Overlapped, internal spec.NTStatus, high uintptr) error {
	sl := use(ov)
	if sl == nil {
		return spec.ERROR_INVALID_PARAMETER
	}
	defer sl.release()
	o := sl.ov()
	atomic.StoreUintptr(&o.Internal, uintptr(internal))
	atomic.StoreUintptr(&o.InternalHigh, high)
	return nil
}
