package emulator

import (
	"github.com/disconnectex/disconnectex/spec"
)

// An OVERLAPPED lives in its own table, apart from handles: its "address"
// is a tagged value that carries the slot and a generation, so a freed or
// invented address is recognised. One OVERLAPPED carries at most one
// request at a time; the request's fields live in it.

type opKind uint8

const (
	opNone opKind = iota
	opDisconnectEx
	opConnectEx
	opAcceptEx
	opSend
	opRecv
	opIoctl
	opFault // a request a fault rule started instead of the call (faults.go)
)

func (o opKind) String() string {
	switch o {
	case opDisconnectEx:
		return "DisconnectEx"
	case opConnectEx:
		return "ConnectEx"
	case opAcceptEx:
		return "AcceptEx"
	case opSend:
		return "WSASend"
	case opRecv:
		return "WSARecv"
	case opIoctl:
		return "WSAIoctl"
	case opFault:
		return "fault"
	}
	return "none"
}

type ovl struct {
	gen    uint32
	live   bool
	idx    uint32
	event  spec.Handle   // hEvent, low bit included
	status spec.NTStatus // Internal
	bytes  uint32        // InternalHigh
	// high is what InternalHigh shows while a request pends: the value it
	// held when the request began. Windows writes InternalHigh only when
	// the request completes: a pending WSARecv leaves a preset 0xdeadbeef
	// there (Wine sock.c test_nonblocking_async_recv, crossover-wine-23.0.1,
	// plain ok at line 12620). Observed for WSARecv; for the other
	// requests, which complete through the same I/O status block, it is
	// inferred.
	high uint32

	// the request in flight
	pending bool
	async   bool // issued on an overlapped socket: completion queues a packet
	op      opKind
	reuse   bool    // DisconnectEx with TF_REUSE_SOCKET
	sock    *socket // the handle the request was issued on (the listener for AcceptEx)
	accept  *socket // AcceptEx: the socket that receives the connection
	thread  *thread // issuing thread
	buf     []byte  // WSARecv: where the bytes go
	now     bool    // done within the call: FILE_SKIP_COMPLETION_PORT_ON_SUCCESS applies
	seq     uint32  // counts the requests started on it (a fault's timer knows its own)
	call    string  // opFault: the call the rule faulted
	// owed counts requests started on this OVERLAPPED less completions:
	// 1 while pending, else 0. The fuzz tests check it; anything else is a
	// request completed twice or never.
	owed int32
}

// An address is 0x7E00_0000_0000 | gen<<24 | idx<<4 for the first 65,536
// generations of a slot (16-byte aligned, like a user-space heap address),
// with the generation's upper bits above the tag, from bit 47: the
// generation has 32 bits, and a slot whose last generation is freed is
// retired instead of wrapping, so no address is ever handed out twice and a
// stale copy never names a later OVERLAPPED.
const (
	ovTag     uint64 = 0x7E << 40 // 0x7E00_0000_0000
	ovIdxBits        = 20
	ovIdxMask        = 1<<ovIdxBits - 1
	ovLoBits         = 16 // generation bits below the tag (24..39)
	ovLoMask         = 1<<ovLoBits - 1
	ovHiShift        = 47 // the generation's upper 16 bits (47..62)
	ovGenLast        = 1<<32 - 1
)

func ovValue(idx, gen uint32) spec.Overlapped {
	g := uint64(gen)
	return spec.Overlapped(uintptr(ovTag | (g&ovLoMask)<<(ovIdxBits+4) | (g>>ovLoBits)<<ovHiShift | uint64(idx)<<4))
}

// ov returns the live OVERLAPPED at address v, or nil.
// Only an exact match with the slot's own address counts, which also
// rules out any value outside the layout.
func (e *Emulator) ov(v spec.Overlapped) *ovl {
	idx := uint64(v) >> 4 & ovIdxMask
	if idx >= uint64(len(e.ovs)) {
		return nil
	}
	o := e.ovs[idx]
	if !o.live || o.value() != v {
		return nil
	}
	return o
}

func (o *ovl) value() spec.Overlapped { return ovValue(o.idx, o.gen) }

func (e *Emulator) newOverlapped(event spec.Handle) (spec.Overlapped, error) {
	var o *ovl
	if n := len(e.freeOvs); n > 0 {
		o = e.ovs[e.freeOvs[n-1]]
		e.freeOvs = e.freeOvs[:n-1]
	} else {
		if len(e.ovs) > ovIdxMask {
			return 0, spec.ERROR_NOT_ENOUGH_MEMORY
		}
		o = &ovl{idx: uint32(len(e.ovs))}
		e.ovs = append(e.ovs, o)
	}
	*o = ovl{gen: o.gen, idx: o.idx, live: true, event: event}
	return o.value(), nil
}

func (e *Emulator) overlappedFields(v spec.Overlapped) (spec.NTStatus, uintptr, error) {
	o := e.ov(v)
	if o == nil {
		return 0, 0, spec.ERROR_INVALID_PARAMETER
	}
	if o.pending {
		return o.status, uintptr(o.high), nil
	}
	return o.status, uintptr(o.bytes), nil
}

// setOverlappedFields writes Internal and InternalHigh, as a program may
// at any time; a pending request still overwrites them when it completes.
func (e *Emulator) setOverlappedFields(v spec.Overlapped, st spec.NTStatus, high uintptr) error {
	o := e.ov(v)
	if o == nil || uint64(high) > uint64(^uint32(0)) {
		return spec.ERROR_INVALID_PARAMETER
	}
	o.status, o.bytes, o.high = st, uint32(high), uint32(high)
	return nil
}

func (e *Emulator) freeOverlapped(v spec.Overlapped) error {
	o := e.ov(v)
	if o == nil {
		return spec.ERROR_INVALID_PARAMETER
	}
	if o.pending {
		return spec.ERROR_IO_PENDING
	}
	if o.gen == ovGenLast {
		*o = ovl{gen: o.gen, idx: o.idx} // retired: never handed out again
		return nil
	}
	*o = ovl{gen: o.gen + 1, idx: o.idx}
	e.freeOvs = append(e.freeOvs, o.idx)
	return nil
}

// start begins a request on so using o. The request is pending until
// complete. An async request (overlapped socket) resets the handle's
// signalled state, as starting I/O on a file does.
func (e *Emulator) start(t *thread, so *socket, o *ovl, op opKind) {
	e.arm(t, so, o, op)
	so.pending = append(so.pending, o.idx)
}

// arm is start but for listing the request as pending on so: finish,
// which completes the request within the call, needs no list.
func (e *Emulator) arm(t *thread, so *socket, o *ovl, op opKind) {
	o.pending = true
	o.owed++
	o.async = so.overlapped
	o.op = op
	o.reuse = false
	o.sock = so
	o.accept = nil
	o.thread = t
	o.status = spec.STATUS_PENDING
	o.high = o.bytes
	o.bytes = 0
	o.buf = nil
	o.now = false
	o.seq++
	o.call = ""
	if o.async {
		so.signaled = false
	}
	// The I/O manager clears hEvent when a request starts, whatever the
	// handle's mode (spec.ClauseGapEventReset): an event an earlier
	// completion left signalled does not stand for this request.
	if h := o.event &^ 1; h != 0 {
		if ev := e.event(h); ev != nil {
			ev.signaled = false
		}
	}
}

// complete ends a pending request: status and bytes (o.bytes, set by the
// caller) go to the OVERLAPPED,
// the event in hEvent (or else the handle) is signalled, and a packet is
// queued when the handle is on a completion port and hEvent's low bit is
// clear. A request that pended always queues its packet:
// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS only concerns synchronous success.
func (e *Emulator) complete(o *ovl, st spec.NTStatus) {
	so := o.sock
	for i, idx := range so.pending {
		if idx == o.idx {
			if i == len(so.pending)-1 {
				so.pending = so.pending[:i]
			} else {
				so.pending = append(so.pending[:i], so.pending[i+1:]...)
			}
			break
		}
	}
	e.settle(o, st)
}

// settle is complete but for taking the request off so's pending list.
func (e *Emulator) settle(o *ovl, st spec.NTStatus) {
	so := o.sock
	o.pending = false
	o.owed--
	o.status = st
	o.buf = nil
	if ev := o.event &^ 1; ev != 0 {
		if x := e.event(ev); x != nil {
			x.signaled = true
		}
	} else if so.notify&spec.FILE_SKIP_SET_EVENT_ON_HANDLE == 0 {
		so.signaled = true
	}
	if o.async {
		e.queueCompletion(so, o, st)
	}
	if e.tr != nil {
		e.tr.add(e, Event{Kind: KindCompletion, Thread: o.thread.id, Socket: so.h, Call: o.opName(),
			Args: "ov=" + fmtHandle(uintptr(o.value())), Result: st.String()})
	}
	e.wake()
}

// finish completes a request that needs no waiting and returns what the
// call returns: ERROR_IO_PENDING for an async request (Windows pends them
// even when they could complete at once), nil or the error otherwise.
func (e *Emulator) finish(t *thread, so *socket, o *ovl, op opKind, st spec.NTStatus) error {
	if o == nil {
		return errOf(st.Winsock())
	}
	e.arm(t, so, o, op) // start and complete, without listing it on so
	async := o.async
	e.settle(o, st)
	if async {
		return spec.ERROR_IO_PENDING
	}
	return errOf(st.Winsock())
}

// cancel completes a pending request with STATUS_CANCELLED and undoes what
// the request had started.
func (e *Emulator) cancel(o *ovl) {
	switch o.op {
	case opAcceptEx:
		if o.accept != nil {
			o.accept.acceptOv = 0
		}
	case opConnectEx:
		if o.sock.inSyn {
			e.abortSYN(o.sock, spec.STATUS_CANCELLED, trConnectCanceled)
		}
	case opDisconnectEx:
		if o.reuse {
			so := o.sock
			o.reuse = false
			if !e.reuseStillWanted(so, o) {
				so.reusing = false
				if so.state == spec.StateTimeWait && !so.closing {
					e.setState(so, trCanceled)
				}
			}
		}
	}
	e.complete(o, spec.STATUS_CANCELLED)
	if e.seeded == seededDoubleCompletion {
		e.complete(o, spec.STATUS_CANCELLED)
	}
}

// reuseStillWanted reports whether another TF_REUSE_SOCKET request (or a
// synchronous caller) still waits on so besides except.
func (e *Emulator) reuseStillWanted(so *socket, except *ovl) bool {
	for _, idx := range so.pending {
		o := e.ovs[idx]
		if o != except && o.op == opDisconnectEx && o.reuse {
			return true
		}
	}
	return so.syncReuse > 0
}

// cancelAll cancels the requests pending on so: every one when ov is 0,
// else the one using ov. It reports whether anything was canceled.
func (e *Emulator) cancelAll(so *socket, ov spec.Overlapped) bool {
	found := false
	for i := 0; i < len(so.pending); {
		o := e.ovs[so.pending[i]]
		if ov != 0 && o.value() != ov {
			i++
			continue
		}
		e.cancel(o) // removes so.pending[i]
		found = true
	}
	return found
}

// reuseDone ends a TF_REUSE_SOCKET disconnect: the socket is reusable,
// every request waiting for it completes successfully.
func (e *Emulator) reuseDone(so *socket, tr trigger) {
	e.setState(so, tr)
	so.reusing = false
	so.reuseGen++
	so.conn = connNone
	so.peer = nil
	so.remote = netipZero
	so.finSent, so.finRcvd, so.rdShut, so.activeCloser = false, false, false, false
	so.noConnectCtx = false
	so.rbuf = so.rbuf[:0]
	e.tw.disown(so) // a reuse before the row's end leaves the row behind
	if so.origin == originAccept {
		// Reused after accept: neither bound nor connected.
		so.local = netipZero
	}
	e.completeReuse(so, spec.STATUS_SUCCESS)
}

// reuseFailed ends a TF_REUSE_SOCKET disconnect in failure (the peer reset
// the connection): the socket stays transmit-closing.
func (e *Emulator) reuseFailed(so *socket, st spec.NTStatus) {
	so.reusing = false
	so.failGen++
	so.failErr = st.Winsock()
	if so.state == spec.StateTimeWait {
		e.setState(so, trCanceled)
	}
	e.completeReuse(so, st)
}

func (e *Emulator) completeReuse(so *socket, st spec.NTStatus) {
	for i := 0; i < len(so.pending); {
		o := e.ovs[so.pending[i]]
		if o.op == opDisconnectEx && o.reuse {
			o.reuse = false
			e.complete(o, st) // removes so.pending[i]
			continue
		}
		i++
	}
	e.wake()
}

// waitRequest waits, for GetOverlappedResult, until o completes or the
// object it waits on (hEvent, else the handle h) is signalled or closed.
// Like Windows it touches the handle only when it must wait on it: a
// closed or invalid object fails with ERROR_INVALID_HANDLE. An auto-reset
// event's signal is consumed, as a wait does.
func (e *Emulator) waitRequest(h spec.Handle, o *ovl) error {
	obj := o.event &^ 1
	if obj == 0 {
		obj = h
	}
	sl := e.lookup(uintptr(obj))
	if sl == nil || sl.kind == kindPort {
		return spec.ERROR_INVALID_HANDLE
	}
	ev, so := sl.ev, sl.sock
	signaled := func() bool {
		if ev != nil {
			return e.event(obj) != ev || ev.signaled
		}
		return e.sock(spec.Socket(obj)) != so || so.signaled
	}
	if so != nil {
		so.syncWaits++
	}
	r := e.waitUntil(-1, func() bool { return !o.pending || signaled() })
	if so != nil {
		so.syncWaits--
	}
	if r == waitDeadlock {
		return ErrDeadlock
	}
	if ev != nil && !ev.manual && e.event(obj) == ev && ev.signaled {
		ev.signaled = false
	}
	return nil
}

// getOverlappedResult reads the OVERLAPPED first: a completed request gives
// its result whatever the handle (it may be closed by now).
func (e *Emulator) getOverlappedResult(h spec.Handle, ov spec.Overlapped, wait bool) (uint32, error) {
	o := e.ov(ov)
	if o == nil {
		return 0, spec.ERROR_INVALID_PARAMETER
	}
	// Windows decides by Internal alone, which a program may write.
	if o.status == spec.STATUS_PENDING {
		if !wait {
			return 0, spec.ERROR_IO_INCOMPLETE
		}
		if err := e.waitRequest(h, o); err != nil {
			return 0, err
		}
		if o.status == spec.STATUS_PENDING {
			return 0, spec.ERROR_IO_INCOMPLETE
		}
	}
	return o.bytes, errOf(o.status.Win32())
}

// wsaGetOverlappedResult, unlike getOverlappedResult, checks its handle
// first: anything but a live socket fails WSAENOTSOCK, even for a
// completed request (Wine sock.c test_WSAGetOverlappedResult, ok on
// Windows: an invented handle and a duplicate of a socket handle).
func (e *Emulator) wsaGetOverlappedResult(s spec.Socket, ov spec.Overlapped, wait bool) (uint32, uint32, error) {
	if e.sock(s) == nil {
		return 0, 0, spec.WSAENOTSOCK
	}
	o := e.ov(ov)
	if o == nil {
		return 0, 0, spec.WSAEFAULT
	}
	if o.status == spec.STATUS_PENDING {
		if !wait {
			return 0, 0, spec.WSA_IO_INCOMPLETE
		}
		if err := e.waitRequest(spec.Handle(s), o); err != nil {
			return 0, 0, err
		}
		if o.status == spec.STATUS_PENDING {
			return 0, 0, spec.WSA_IO_INCOMPLETE
		}
	}
	return o.bytes, 0, errOf(o.status.Winsock())
}

func (e *Emulator) cancelIoEx(h spec.Handle, ov spec.Overlapped) error {
	sl := e.lookup(uintptr(h))
	if sl == nil {
		return spec.ERROR_INVALID_HANDLE
	}
	switch sl.kind {
	case kindSocket:
	case kindPort:
		return spec.ERROR_NOT_FOUND
	default:
		return spec.ERROR_INVALID_HANDLE
	}
	if ov != 0 && e.ov(ov) == nil {
		return spec.ERROR_NOT_FOUND
	}
	if !e.cancelAll(sl.sock, ov) {
		return spec.ERROR_NOT_FOUND
	}
	return nil
}
