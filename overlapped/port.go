package overlapped

import (
	"context"
	"errors"
	"net/netip"
	"sync"

	"github.com/disconnectex/disconnectex/spec"
)

// Result is a completed request: the bytes transferred and nil, or the
// Win32 error of the packet.
type Result struct {
	Bytes uint32
	Err   error
}

// Port is a completion port with the loop that dispatches its packets:
// one goroutine dequeues (GetQueuedCompletionStatus, INFINITE) and hands
// each packet to the Op that owns its OVERLAPPED.
type Port struct {
	api  spec.API
	h    spec.Handle
	done chan struct{}

	mu     sync.Mutex
	ops    map[spec.Overlapped]*Op
	closed bool
	err    error // why the loop ended early, if it did
}

// Completion keys: every socket is associated with keySocket; Close posts
// keyStop to end the loop.
const (
	keySocket uintptr = 1
	keyStop   uintptr = 2
)

// ErrClosed is the error of calls on a closed Port or Op.
var ErrClosed = errors.New("overlapped: closed")

// NewPort creates a completion port and starts its loop.
func NewPort(api spec.API) (*Port, error) {
	h, err := api.CreateIoCompletionPort(0)
	if err != nil {
		return nil, err
	}
	p := &Port{api: api, h: h, done: make(chan struct{}), ops: make(map[spec.Overlapped]*Op)}
	go p.loop()
	return p, nil
}

// Handle returns the completion port.
func (p *Port) Handle() spec.Handle { return p.h }

// Associate associates s with the port. A socket stays associated for
// its life, across reuse.
func (p *Port) Associate(s spec.Socket) error {
	return p.api.AssociateCompletionPort(p.h, s, keySocket)
}

func (p *Port) loop() {
	defer close(p.done)
	for {
		c, err := p.api.GetQueuedCompletionStatus(p.h, spec.Infinite)
		if c.Overlapped == 0 {
			if err == nil && c.Key == keyStop {
				return
			}
			if err != nil {
				// The dequeue itself failed (the port is gone): no packet.
				p.mu.Lock()
				p.err = err
				p.mu.Unlock()
				return
			}
			continue // a packet posted by someone else without an OVERLAPPED
		}
		p.mu.Lock()
		op := p.ops[c.Overlapped]
		p.mu.Unlock()
		if op == nil {
			continue // not ours (or its Op was closed): drop it
		}
		op.deliver(Result{Bytes: c.Bytes, Err: err})
	}
}

// Close ends the loop and closes the port. Ops still registered are left
// as they are; close them first.
func (p *Port) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	p.closed = true
	p.mu.Unlock()
	if err := p.api.PostQueuedCompletionStatus(p.h, 0, keyStop, 0); err != nil {
		return err
	}
	<-p.done
	return p.api.CloseHandle(p.h)
}

// Err reports why the loop ended before Close, or nil.
func (p *Port) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Op is one OVERLAPPED (hEvent NULL) whose packets the Port delivers: to
// fn, called on the loop's goroutine (it must not block), or, with fn nil,
// to Done and Wait. One request at a time.
type Op struct {
	p    *Port
	ov   spec.Overlapped
	fn   func(Result)
	done chan Result
	s    spec.Socket
}

// NewOp allocates an OVERLAPPED and registers it with the port.
func (p *Port) NewOp(fn func(Result)) (*Op, error) {
	ov, err := p.api.NewOverlapped(0)
	if err != nil {
		return nil, err
	}
	o := &Op{p: p, ov: ov, fn: fn}
	if fn == nil {
		o.done = make(chan Result, 1)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = p.api.FreeOverlapped(ov)
		return nil, ErrClosed
	}
	p.ops[ov] = o
	return o, nil
}

func (o *Op) deliver(r Result) {
	if o.fn != nil {
		o.fn(r)
		return
	}
	o.done <- r // never blocks: one request at a time, buffer of one
}

// Overlapped returns the OVERLAPPED, for calls this package does not wrap
// (record the socket with Issued).
func (o *Op) Overlapped() spec.Overlapped { return o.ov }

// Issued records that a call was made with o.Overlapped() on s and
// returns Started(err): nil when a packet will come.
func (o *Op) Issued(s spec.Socket, err error) error {
	o.s = s
	return Started(err)
}

// ConnectEx starts ConnectEx(s, addr). nil means a packet will come.
func (o *Op) ConnectEx(s spec.Socket, addr netip.AddrPort) error {
	return o.Issued(s, o.p.api.ConnectEx(s, addr, o.ov))
}

// AcceptEx starts AcceptEx(listener, accepted); the listener must be
// associated with the port (its packet comes through the listener).
func (o *Op) AcceptEx(listener, accepted spec.Socket) error {
	return o.Issued(listener, o.p.api.AcceptEx(listener, accepted, o.ov))
}

// DisconnectEx starts DisconnectEx(s, flags, 0).
func (o *Op) DisconnectEx(s spec.Socket, flags uint32) error {
	return o.Issued(s, o.p.api.DisconnectEx(s, o.ov, flags, 0))
}

// WSASend starts WSASend(s, b); b must stay untouched until the result.
func (o *Op) WSASend(s spec.Socket, b []byte) error {
	_, err := o.p.api.WSASend(s, b, o.ov)
	return o.Issued(s, err)
}

// WSARecv starts WSARecv(s, b); the bytes are in b with the result.
func (o *Op) WSARecv(s spec.Socket, b []byte) error {
	_, err := o.p.api.WSARecv(s, b, o.ov)
	return o.Issued(s, err)
}

// Done delivers the result of each request (an Op made with fn nil).
func (o *Op) Done() <-chan Result { return o.done }

// Wait waits for the result of the request started on o (an Op made with
// fn nil). When ctx ends first it cancels the request, waits for its
// packet, and returns the result with ctx's error joined to it unless the
// request had succeeded meanwhile.
func (o *Op) Wait(ctx context.Context) (uint32, error) {
	select {
	case r := <-o.done:
		return r.Bytes, r.Err
	case <-ctx.Done():
	}
	_ = o.Cancel()
	r := <-o.done
	if r.Err == nil {
		return r.Bytes, nil
	}
	return r.Bytes, errors.Join(ctx.Err(), r.Err)
}

// Cancel asks Windows to cancel the request (CancelIoEx); its packet still
// comes. ERROR_NOT_FOUND means it had completed.
func (o *Op) Cancel() error { return o.p.api.CancelIoEx(spec.Handle(o.s), o.ov) }

// Close unregisters o and frees its OVERLAPPED; it fails with
// ERROR_IO_PENDING, changing nothing, while a request is in progress.
func (o *Op) Close() error {
	if err := o.p.api.FreeOverlapped(o.ov); err != nil {
		return err
	}
	o.p.mu.Lock()
	delete(o.p.ops, o.ov)
	o.p.mu.Unlock()
	return nil
}
