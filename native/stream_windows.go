//go:build windows

package native

import (
	"runtime"

	"golang.org/x/sys/windows"

	"github.com/disconnectex/disconnectex/spec"
)

// Overlapped WSASend and WSARecv on one WSABUF. The WSABUF itself may live
// on the stack: the provider captures it before the call returns
// (Microsoft Learn, WSASend and WSARecv, "lpBuffers"). The bytes do not:
// the kernel reads or writes b until the request completes, so the caller
// keeps b alive and untouched until then (Go's collector does not move
// heap memory). WSARecv's flags word is in/out and is written when the
// request completes, so with an OVERLAPPED it lives in the OVERLAPPED's
// page, which stays committed until FreeOverlapped.

// slotFlags is the page offset of WSARecv's flags word, past the AcceptEx
// and ConnectEx buffers (an OVERLAPPED carries one request at a time).
const slotFlags = 512

func wsaBuf(b []byte) windows.WSABuf {
	var p *byte
	if len(b) > 0 {
		p = &b[0]
	}
	return windows.WSABuf{Len: uint32(ioLen(len(b))), Buf: p}
}

func (b *Backend) WSASend(s spec.Socket, p []byte, ov spec.Overlapped) (uint32, error) {
	buf := wsaBuf(p)
	var n uint32
	np := &n
	sl := use(ov)
	if ov != 0 {
		np = nil // NULL with an OVERLAPPED: the count comes from the OVERLAPPED
	}
	was := sl != nil && sl.pending()
	_, err := wsaSend(windows.Handle(s), &buf, 1, np, 0, uintptr(ov), 0)
	runtime.KeepAlive(p)
	err = errnoOf(err)
	if sl != nil {
		sl.issued(was, err)
		sl.release()
	}
	return n, err
}

func (b *Backend) WSARecv(s spec.Socket, p []byte, ov spec.Overlapped) (uint32, error) {
	buf := wsaBuf(p)
	var n, flags uint32
	np, fp := &n, &flags
	var sl *slot
	if ov != 0 {
		var err error
		if sl, err = scratch(ov); err != nil {
			return 0, err
		}
		fp = (*uint32)(at(sl.addr + slotFlags))
		*fp = 0
		np = nil
	}
	was := sl != nil && sl.pending()
	_, err := wsaRecv(windows.Handle(s), &buf, 1, np, fp, uintptr(ov), 0)
	runtime.KeepAlive(p)
	err = errnoOf(err)
	if sl != nil {
		sl.done(was, err)
	}
	return n, err
}

func (t *thread) WSASend(s spec.Socket, p []byte, ov spec.Overlapped) (uint32, error) {
	return call1(t, 0, func() (uint32, error) { return t.b.WSASend(s, p, ov) })
}

func (t *thread) WSARecv(s spec.Socket, p []byte, ov spec.Overlapped) (uint32, error) {
	return call1(t, 0, func() (uint32, error) { return t.b.WSARecv(s, p, ov) })
}
