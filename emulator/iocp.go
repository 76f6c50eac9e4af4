package emulator

import (
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// port is an I/O completion port: a FIFO of packets.
type port struct {
	q           []packet
	head        int
	concurrency uint32
	closed      bool
}

type packet struct {
	c      spec.Completion
	status spec.NTStatus
}

func (p *port) post(k packet) {
	if p.closed {
		return
	}
	if p.head > 0 && p.head == len(p.q) {
		p.q, p.head = p.q[:0], 0
	}
	p.q = append(p.q, k)
}

func (p *port) ready() bool { return p.head < len(p.q) }

func (p *port) take() packet {
	k := p.q[p.head]
	p.q[p.head] = packet{}
	p.head++
	if p.head == len(p.q) {
		p.q, p.head = p.q[:0], 0
	}
	return k
}

// queueCompletion posts the packet of a request that pended on so: one
// packet {bytes, key, OVERLAPPED} when so is associated with a port, unless
// the low bit of hEvent is set (the documented way to complete a request
// without a packet). FILE_SKIP_COMPLETION_PORT_ON_SUCCESS only suppresses
// the packet of a request that succeeded within its call (WSASend and
// WSARecv returning 0); DisconnectEx, ConnectEx and AcceptEx on an
// overlapped socket always pend, as Windows does for DisconnectEx.
func (e *Emulator) queueCompletion(so *socket, o *ovl, st spec.NTStatus) {
	if so.port == nil || o.event&1 != 0 {
		return
	}
	if o.now && st == spec.STATUS_SUCCESS && so.notify&spec.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS != 0 {
		return // WSASend and WSARecv that succeed within the call
	}
	so.port.post(packet{c: spec.Completion{Bytes: o.bytes, Key: so.key, Overlapped: o.value()}, status: st})
}

func (e *Emulator) createPort(concurrency uint32) (spec.Handle, error) {
	idx, h, ok := e.alloc(kindPort)
	if !ok {
		return 0, spec.ERROR_NOT_ENOUGH_MEMORY
	}
	e.handles[idx].port = &port{concurrency: concurrency}
	return spec.Handle(h), nil
}

func (e *Emulator) associate(ph spec.Handle, s spec.Socket, key uintptr) error {
	so := e.sock(s)
	if so == nil {
		return spec.ERROR_INVALID_HANDLE
	}
	p := e.port(ph)
	if p == nil {
		return spec.ERROR_INVALID_HANDLE
	}
	if so.port != nil {
		return spec.ERROR_INVALID_PARAMETER // a handle joins one port, once
	}
	so.port, so.portH, so.key = p, ph, key
	return nil
}

func (e *Emulator) setNotificationModes(s spec.Socket, flags uint8) error {
	so := e.sock(s)
	if so == nil {
		return spec.ERROR_INVALID_HANDLE
	}
	if flags&^(spec.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS|spec.FILE_SKIP_SET_EVENT_ON_HANDLE) != 0 {
		return spec.ERROR_INVALID_PARAMETER
	}
	so.notify = flags
	return nil
}

func (e *Emulator) getQueued(ph spec.Handle, timeout time.Duration) (spec.Completion, error) {
	if !spec.ValidTimeout(timeout) {
		return spec.Completion{}, spec.ERROR_INVALID_PARAMETER
	}
	p := e.port(ph)
	if p == nil {
		return spec.Completion{}, spec.ERROR_INVALID_HANDLE
	}
	if !p.ready() {
		if timeout == 0 {
			return spec.Completion{}, spec.WAIT_TIMEOUT
		}
		if err := waitErr(e.waitUntil(e.deadline(timeout), func() bool { return p.closed || p.ready() })); err != nil {
			return spec.Completion{}, err
		}
		if p.closed {
			return spec.Completion{}, spec.ERROR_ABANDONED_WAIT_0
		}
	}
	k := p.take()
	return k.c, errOf(k.status.Win32())
}

func (e *Emulator) postQueued(ph spec.Handle, bytes uint32, key uintptr, ov spec.Overlapped) error {
	p := e.port(ph)
	if p == nil {
		return spec.ERROR_INVALID_HANDLE
	}
	p.post(packet{c: spec.Completion{Bytes: bytes, Key: key, Overlapped: ov}})
	e.wake()
	return nil
}
