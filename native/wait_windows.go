//go:build windows

package native

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/windows"

	"github.com/disconnectex/disconnectex/spec"
)

// boolArg is a BOOL argument.
func boolArg(v bool) uint32 {
	if v {
		return 1
	}
	return 0
}

func (b *Backend) CreateEvent(manualReset, initialState bool) (spec.Handle, error) {
	h, err := windows.CreateEvent(nil, boolArg(manualReset), boolArg(initialState), nil)
	if err != nil {
		return 0, errnoOf(err)
	}
	return spec.Handle(h), nil
}

func (b *Backend) SetEvent(h spec.Handle) error { return errnoOf(windows.SetEvent(windows.Handle(h))) }
func (b *Backend) ResetEvent(h spec.Handle) error {
	return errnoOf(windows.ResetEvent(windows.Handle(h)))
}

// millis converts a non-negative timeout to whole milliseconds, rounding
// up so that a wait is never shorter than asked.
func millis(d time.Duration) uint64 {
	ms := uint64(d / time.Millisecond)
	if d%time.Millisecond != 0 {
		ms++
	}
	return ms
}

// maxDwordWait is the longest finite DWORD timeout: INFINITE-1 ms, about
// 49.7 days.
const maxDwordWait = windows.INFINITE - 1

// waitSteps makes a wait of timeout with a Windows call whose finite
// timeout is at most limit milliseconds. A negative timeout (spec.Infinite,
// or any other negative value, as on the emulator) is one call with
// INFINITE. A finite one is rounded up to whole milliseconds and, when
// longer than limit, waited in steps: wait is called again only while it
// reports that it timed out and time remains.
func waitSteps(timeout time.Duration, limit uint32, wait func(ms uint32) (timedOut bool)) {
	if timeout < 0 {
		wait(windows.INFINITE)
		return
	}
	ms := millis(timeout)
	for {
		step := min(ms, uint64(limit))
		if !wait(uint32(step)) || step == ms {
			return
		}
		ms -= step
	}
}

func (b *Backend) WaitForSingleObject(h spec.Handle, timeout time.Duration) error {
	if !spec.ValidTimeout(timeout) {
		return spec.ERROR_INVALID_PARAMETER // spec.API, Timeouts
	}
	var r uint32
	var err error
	waitSteps(timeout, maxDwordWait, func(ms uint32) bool {
		r, err = windows.WaitForSingleObject(windows.Handle(h), ms)
		return r == uint32(windows.WAIT_TIMEOUT)
	})
	switch r {
	case windows.WAIT_OBJECT_0:
		return nil
	case uint32(windows.WAIT_TIMEOUT):
		return spec.WAIT_TIMEOUT
	case windows.WAIT_FAILED:
		return errnoOf(err)
	}
	// WAIT_ABANDONED: h is a mutex, which this API never creates.
	return fmt.Errorf("native: WaitForSingleObject returned 0x%X", r)
}

func (b *Backend) CloseHandle(h spec.Handle) error {
	return errnoOf(windows.CloseHandle(windows.Handle(h)))
}

// --- completion ports

func (b *Backend) CreateIoCompletionPort(concurrency uint32) (spec.Handle, error) {
	h, err := windows.CreateIoCompletionPort(windows.InvalidHandle, 0, 0, concurrency)
	if err != nil {
		return 0, errnoOf(err)
	}
	return spec.Handle(h), nil
}

func (b *Backend) AssociateCompletionPort(port spec.Handle, s spec.Socket, key uintptr) error {
	_, err := windows.CreateIoCompletionPort(windows.Handle(s), windows.Handle(port), key, 0)
	return errnoOf(err)
}

func (b *Backend) SetFileCompletionNotificationModes(s spec.Socket, flags uint8) error {
	return errnoOf(windows.SetFileCompletionNotificationModes(windows.Handle(s), flags))
}

func (b *Backend) GetQueuedCompletionStatus(port spec.Handle, timeout time.Duration) (spec.Completion, error) {
	if !spec.ValidTimeout(timeout) {
		return spec.Completion{}, spec.ERROR_INVALID_PARAMETER // spec.API, Timeouts
	}
	var n uint32
	var key, ov uintptr
	var err error
	waitSteps(timeout, maxDwordWait, func(ms uint32) bool {
		n, key, ov, err = 0, 0, 0, nil
		if _, e := getQueuedCompletionStatus(windows.Handle(port), &n, &key, &ov, ms); e != nil {
			err = errnoOf(e)
			// With ov NULL nothing was dequeued: a timeout or a
			// failure of the call itself.
			return ov == 0 && errors.Is(err, spec.WAIT_TIMEOUT)
		}
		return false
	})
	if err != nil && ov == 0 {
		return spec.Completion{}, err
	}
	// A packet: of a successful request, or of a failed one, returned
	// with that request's error as Windows reports it.
	return spec.Completion{Bytes: n, Key: key, Overlapped: spec.Overlapped(ov)}, err
}

func (b *Backend) PostQueuedCompletionStatus(port spec.Handle, bytes uint32, key uintptr, ov spec.Overlapped) error {
	_, err := postQueuedCompletionStatus(windows.Handle(port), bytes, key, uintptr(ov))
	return errnoOf(err)
}
